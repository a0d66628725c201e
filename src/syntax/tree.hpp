// The lossless syntax tree of one Dockerfile.
//
// Every byte of the input is in exactly one Token, in order, so printing the
// tokens gives the input back. Instructions index into the buffer by byte
// ranges; their buildkit view (keyword, flags, argument values) is computed
// once at parse time, exactly as buildkit's parser reads the file.
//
// An Instruction owns nothing: its strings are views and its lists are List<T>
// views, into the source where the bytes are the source's (a one-line
// instruction's logical text, most values) and otherwise into the tree's
// Storage, one arena per parse that copies of the tree share. So building a
// tree is a few allocations, not several per instruction, and Instructions are
// trivially copyable.
#pragma once
#include <cassert>
#include <cstdint>
#include <cstring>
#include <memory>
#include <memory_resource>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace dockmend::syntax {

// A read-only view of `size` consecutive T (what std::span<const T> is in C++20).
template <class T>
class List {
 public:
  List() = default;
  List(const T* data, std::uint32_t size) : m_data(data), m_size(size) {}
  const T* begin() const { return m_data; }
  const T* end() const { return m_data + m_size; }
  const T* data() const { return m_data; }
  std::size_t size() const { return m_size; }
  bool empty() const { return m_size == 0; }
  const T& operator[](std::size_t i) const {
    assert(i < m_size);
    return m_data[i];
  }
  const T& front() const { return (*this)[0]; }
  const T& back() const { return (*this)[m_size - 1]; }

 private:
  const T* m_data = nullptr;
  std::uint32_t m_size = 0;
};

// The bytes and lists of a tree that are not views of its source. Append-only
// (std::pmr::monotonic_buffer_resource): everything is freed at once with the
// last tree that shares it.
class Storage {
 public:
  explicit Storage(std::size_t initial_bytes) : m_resource(initial_bytes) {}
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  template <class T>
  T* allocate(std::size_t n) {
    static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>,
                  "Storage never runs destructors");
    return static_cast<T*>(m_resource.allocate(n ? n * sizeof(T) : 1, alignof(T)));
  }
  std::string_view copy(std::string_view s) {
    if (s.empty()) return {};
    char* p = allocate<char>(s.size());
    std::memcpy(p, s.data(), s.size());
    return {p, s.size()};
  }
  // `written` (bytes the tree views already) when `made` equals it, else a copy
  // of `made`: a value is stored only where it differs from what it was read from.
  std::string_view keep(std::string_view written, std::string_view made) {
    return made == written ? written : copy(made);
  }
  template <class T>
  List<T> copy(const T* items, std::size_t n) {
    if (n == 0) return {};
    T* p = allocate<T>(n);
    std::memcpy(static_cast<void*>(p), items, n * sizeof(T));
    return {p, static_cast<std::uint32_t>(n)};
  }
  // Copies what `v` holds past `from` and drops it from `v` (a list filled by
  // nested readers, each keeping to what it added).
  template <class T>
  List<T> take(std::vector<T>& v, std::size_t from) {
    const List<T> out = copy(v.data() + from, v.size() - from);
    v.resize(from);
    return out;
  }

 private:
  std::pmr::monotonic_buffer_resource m_resource;
};

// A half-open byte range [begin, end) of the source buffer.
struct Span {
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
  std::uint32_t size() const { return end - begin; }
  bool empty() const { return begin == end; }
  bool operator==(const Span& o) const { return begin == o.begin && end == o.end; }
};

enum class TokenKind : std::uint8_t {
  Bom,           // UTF-8 byte order mark at the start of the file
  Whitespace,    // blanks (and, before an instruction, any Unicode white space)
  Newline,       // "\n", "\r\n" (and any \r run before the \n)
  Comment,       // a whole comment line's text, from `#`
  Directive,     // a parser directive line's text (`# syntax=...`)
  Continuation,  // the escape character ending a line, with the blanks after it
  Keyword,       // an instruction's keyword
  Flag,          // a `--flag[=value]` word (or the value word of `--flag value`)
  Word,          // any other run of non-blank bytes of an instruction
  JsonPunct,     // `[`, `,` or `]` of an exec-form array
  JsonString,    // an element of an exec-form array
  HeredocBody,   // one line of a heredoc body, without its newline
  HeredocEnd,    // a heredoc's terminator line, without its newline
};
const char* token_kind_name(TokenKind kind);

struct Token {
  Span span;
  TokenKind kind = TokenKind::Word;
};

// How a physical line takes part in the file.
enum class LineRole : std::uint8_t {
  Directive,
  Comment,
  Blank,
  InstructionStart,
  Continuation,          // a continued line of an instruction
  ContinuationComment,   // a comment line inside a continuation (not part of the value)
  ContinuationBlank,     // an empty line inside a continuation (not part of the value)
  HeredocBody,
  HeredocEnd,
};

struct Line {
  std::uint32_t begin = 0;        // first byte
  std::uint32_t content_end = 0;  // before the trailing \r / \n bytes
  std::uint32_t end = 0;          // after the newline (== content_end on a last line without one)
  LineRole role = LineRole::Blank;
  std::int32_t instruction = -1;  // index into Tree::instructions (top level), or -1
};

// A piece of an instruction's logical text (its lines joined as buildkit joins
// them) and where that piece stands in the source.
struct Segment {
  std::uint32_t logical = 0;
  std::uint32_t source = 0;
  std::uint32_t length = 0;
};

// The logical (continuation-joined) text of an instruction and the way back to
// source bytes. All Value::logical spans index into `text`, which views the
// source when the instruction is one piece of one line, else the tree's Storage.
struct LogicalText {
  std::string_view text;
  List<Segment> segments;
  // Source offset of logical offset `pos` (pos == text.size() maps past the last byte).
  std::uint32_t to_source(std::uint32_t pos) const;
  // Source range covering logical [begin, end); empty ranges map to a point.
  Span to_source(Span logical) const;
};

// One argument as buildkit's node list holds it.
struct Value {
  std::string_view text;  // buildkit's value (JSON strings decoded, ENV words raw)
  Span logical;       // where its raw text stands in LogicalText::text
};

struct Flag {
  std::string_view name;   // without the leading "--"
  std::string_view value;  // quotes removed, backslash escapes resolved (raw bytes)
  bool has_value = false;  // `--link` has none
  std::string_view raw;    // buildkit's flag string: "--name=value" (bytes)
  Span logical;           // the flag word in LogicalText::text
};

struct Heredoc {
  std::string_view name;   // the delimiter, quotes removed
  bool chomp = false;      // `<<-`
  bool expand = true;      // false when the delimiter was quoted
  unsigned fd = 0;         // `3<<EOF`
  Span marker;             // the `<<EOF` word in LogicalText::text
  Span body;               // the body lines in the source (newlines included)
  Span terminator;         // the terminator line's content in the source
};

enum class ArgsForm : std::uint8_t { None, Shell, Json };

struct Instruction {
  std::string_view keyword;       // lower case, as buildkit dispatches it
  Span span;                      // whole lines: first line's first byte to after the last line's newline
  Span text;                      // from the keyword to the end of the last content byte (heredocs included)
  Span keyword_span;              // in the source
  std::uint32_t first_line = 0;   // 0-based physical line indexes, inclusive
  std::uint32_t last_line = 0;
  LogicalText logical;            // joined text; for ONBUILD's inner instruction, its own slice
  std::uint32_t keyword_logical_begin = 0;  // the keyword's bytes in `logical` (its lower case may be longer)
  std::uint32_t keyword_logical_end = 0;
  List<Flag> flags;
  Span args;                      // the arguments after the flags, trimmed, in logical text
  ArgsForm form = ArgsForm::None;
  List<Value> values;             // buildkit's Next list (empty for ONBUILD; see `sub`)
  List<Heredoc> heredocs;
  const Instruction* sub = nullptr;  // ONBUILD's instruction
  List<std::uint32_t> comments;      // physical lines of the comment block right above
  std::string_view json_error;       // non-empty when buildkit rejects its exec form / values

  bool is(std::string_view kw) const { return keyword == kw; }
  const Flag* flag(std::string_view name) const;
  std::string_view logical_args() const { return logical.text.substr(args.begin, args.size()); }
  Span args_source() const { return logical.to_source(args); }
  Span value_source(std::size_t i) const { return logical.to_source(values[i].logical); }
};

static_assert(std::is_trivially_copyable_v<Instruction>, "instructions are views");

struct Diagnostic {
  std::uint32_t offset = 0;   // where it points
  std::uint32_t line = 0;     // 1-based
  std::uint32_t column = 0;   // 1-based, in bytes
  std::string message;
  bool buildkit_error = true; // buildkit's parser would reject the file
};

struct Stage {
  std::uint32_t from = 0;            // index of the FROM instruction
  std::uint32_t end = 0;             // one past its last instruction
  std::string name;                  // `AS name`, as written ("" when none)
  std::string base;                  // the image reference as written
  std::int32_t base_stage = -1;      // index of the stage it builds on, if any
};

struct Tree {
  std::string_view source;           // the bytes (owned by the caller)
  std::vector<Token> tokens;
  std::vector<Line> lines;
  std::vector<Instruction> instructions;
  std::vector<Diagnostic> diagnostics;
  char escape = '\\';
  bool has_bom = false;
  std::vector<std::pair<std::string, std::string>> directives;  // lower-case name, value
  // What the instructions view besides `source`; shared by copies of the tree.
  std::shared_ptr<const Storage> storage;
  // Which parse() made this tree: unique within the process, shared by copies.
  // Lets a pass cache what it derived from a tree without comparing its bytes.
  std::uint64_t serial = 0;

  bool buildkit_ok() const;
  const Diagnostic* first_error() const;
  std::vector<Stage> stages() const;
  // Index of the stage containing instruction `i` (-1 when before the first FROM).
  int stage_of(std::uint32_t i, const std::vector<Stage>& stages) const;
  // 1-based line and column of a byte offset.
  std::pair<std::uint32_t, std::uint32_t> position(std::uint32_t offset) const;
  std::string_view text(Span s) const { return source.substr(s.begin, s.size()); }
  // The dominant line ending ("\r\n" when most lines end so, else "\n").
  std::string_view newline() const;
  bool ends_with_newline() const { return !source.empty() && source.back() == '\n'; }
};

// What a pass derived from a tree, kept for the next call about the same tree
// (each rule asks for the same file's facts): keyed by the parse that made the
// tree (Tree::serial, shared by its copies) and the bytes it views, so nothing
// compares the file. A tree not made by parse() (serial 0) is never kept.
// Not thread-safe: make one thread_local.
template <class T>
class PerTree {
 public:
  // `make(tree, value)` fills the value when the tree is not the one kept.
  template <class Make>
  const T& get(const Tree& tree, Make&& make) {
    if (tree.serial != 0 && tree.serial == m_serial && tree.source.data() == m_data &&
        tree.source.size() == m_size)
      return m_value;
    m_serial = 0;  // parse() never hands out 0
    make(tree, m_value);
    if (tree.serial != 0) {
      m_serial = tree.serial;
      m_data = tree.source.data();
      m_size = tree.source.size();
    }
    return m_value;
  }

 private:
  std::uint64_t m_serial = 0;
  const char* m_data = nullptr;
  std::size_t m_size = 0;
  T m_value{};
};

struct ParseOptions {
  bool tokens = true;  // build the token vector (the instruction view is always built)
};

// Parses any bytes; never fails. Problems buildkit would reject are diagnostics.
Tree parse(std::string_view source, const ParseOptions& options = {});

// The heap the calling thread keeps between parses for the next one (the
// instructions and tokens while they are read, per-line and per-instruction
// lists): what the largest file it parsed needed, but no list over 1 MiB.
std::size_t parse_scratch_bytes();

// Concatenates the tokens' bytes: equals the source for every tree from parse().
std::string print(const Tree& tree);

}  // namespace dockmend::syntax
