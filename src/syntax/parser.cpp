// The driver: physical lines -> roles (as buildkit's Parse loop assigns them)
// -> instructions (read by buildkit_semantics) -> tokens.
#include <atomic>
#include <type_traits>
#include <algorithm>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <fmt/format.h>

#include "grammar/grammar.hpp"
#include "syntax/buildkit_semantics.hpp"
#include "syntax/tree.hpp"
#include "syntax/unicode.hpp"

namespace dockmend::syntax {
namespace {

using std::uint32_t;

// bufio.Scanner's default limit: a line (without its newline) of more bytes is an error.
constexpr uint32_t k_max_line = 65535;

struct LineSeg {
  uint32_t begin = 0;  // first byte of the line's part of the logical text
  uint32_t end = 0;    // one past its last byte (the escape character is not part of it)
};

// A token an instruction's logical text fixes (keyword, flag, JSON piece).
struct Mark {
  uint32_t begin, end;
  TokenKind kind;
};

// What a parse needs while it runs and not after, kept by each thread for its
// next parse: the tree's own vectors and Storage are then a parse's only
// allocations. parse() is never re-entered on a thread. A list (vector or
// string) that a large file grew past k_scratch_keep_bytes is given back after
// the parse.
constexpr std::size_t k_scratch_keep_bytes = 1 << 20;
constexpr std::size_t k_storage_first_block = 64 << 10;

struct Scratch {
  std::vector<LineSeg> seg;  // per line
  detail::Builder builder;
  std::vector<Heredoc> heredocs;
  std::vector<Segment> segments;
  std::vector<Mark> marks;
  std::vector<Instruction> instructions;
  std::vector<Token> tokens;  // written through a cursor, then copied to the tree at their number

  template <class F>
  void each_list(F&& f) {
    f(seg), f(heredocs), f(segments), f(marks), f(instructions), f(tokens);
    f(builder.values), f(builder.flags), f(builder.words), f(builder.word), f(builder.json.tokens);
  }
  void release_large() {
    each_list([](auto& v) {
      if (v.capacity() * sizeof(v[0]) > k_scratch_keep_bytes) std::decay_t<decltype(v)>().swap(v);
    });
  }
};
thread_local Scratch t_scratch;

class Driver {
 public:
  Driver(std::string_view src, Tree& tree, const ParseOptions& opt)
      : m_src(src),
        m_tree(tree),
        m_opt(opt),
        // The Storage holds the joined text of continued instructions and every
        // instruction's lists (values are 24 bytes each): half the input's size
        // holds the corpus' files in one block or two. Its first block is taken
        // whole at the first list; for a large file the next blocks double.
        m_store(std::make_shared<Storage>(std::min<std::size_t>(src.size() / 2 + 256, k_storage_first_block))),
        m_s(t_scratch) {
    m_tree.storage = m_store;
    m_s.builder.store = m_store.get();
  }

  void run() {
    split_lines();
    m_s.seg.resize(m_tree.lines.size());  // every line's entry is set by read_line
    m_s.instructions.clear();
    const auto count = static_cast<uint32_t>(m_tree.lines.size());
    uint32_t i = 0;
    while (i < count) i = read_line(i);
    // Read into the thread's vector, copied once at the size it came to (a
    // memcpy: instructions are trivially copyable), so the tree holds no spare room.
    m_tree.instructions.assign(m_s.instructions.begin(), m_s.instructions.end());
    attach_comments();
    check_limits();
    if (m_tree.instructions.empty())
      add_error(static_cast<uint32_t>(m_src.size()), "file with no instructions");
    std::stable_sort(m_tree.diagnostics.begin(), m_tree.diagnostics.end(),
                     [](const Diagnostic& a, const Diagnostic& b) { return a.offset < b.offset; });
    if (m_opt.tokens) build_tokens();
  }

 private:
  std::string_view m_src;
  Tree& m_tree;
  const ParseOptions& m_opt;
  std::shared_ptr<Storage> m_store;
  Scratch& m_s;  // this thread's: the instructions while they are read, and the lists below
  bool m_directives_done = false;
  std::vector<std::string> m_seen_directives;
  int64_t m_first_long_line = -1;  // begin of the first line over k_max_line (found while splitting lines)

  void add_error(uint32_t offset, std::string message, bool buildkit = true) {
    Diagnostic d;
    d.offset = offset;
    d.message = std::move(message);
    d.buildkit_error = buildkit;
    m_tree.diagnostics.push_back(std::move(d));
  }

  // The line [begin, end), `end` after its newline (or at the end of the file).
  void add_line(uint32_t begin, uint32_t end) {
    const char* base = m_src.data();
    uint32_t content_end = end;
    while (content_end > begin && (base[content_end - 1] == '\n' || base[content_end - 1] == '\r')) --content_end;
    Line& line = m_tree.lines.emplace_back();  // in place: see push_token
    line.begin = begin;
    line.content_end = content_end;
    line.end = end;
    // bufio.Scanner's limit counts a \r before the newline, not the newline.
    const uint32_t len = end - begin - (end > begin && base[end - 1] == '\n' ? 1 : 0);
    if (len > k_max_line && m_first_long_line < 0) m_first_long_line = begin;
  }

  void split_lines() {
    const char* base = m_src.data();
    const auto n = static_cast<uint32_t>(m_src.size());
    uint32_t pos = 0;
    m_tree.lines.reserve(n / 32 + 1);
    uint32_t k = 0;
#if defined(__SSE2__)
    // Newlines 16 bytes at a time: lines are short, and a memchr call per line
    // cost more than the scan itself.
    for (; k + 16 <= n; k += 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(base + k));
      auto bits = static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('\n'))));
      while (bits) {
        const uint32_t end = k + static_cast<uint32_t>(__builtin_ctz(bits)) + 1;
        bits &= bits - 1;
        add_line(pos, end);
        pos = end;
      }
    }
#endif
    for (; k < n; ++k) {
      if (base[k] != '\n') continue;
      add_line(pos, k + 1);
      pos = k + 1;
    }
    if (pos < n) add_line(pos, n);
    m_tree.has_bom = n >= 3 && std::memcmp(base, "\xEF\xBB\xBF", 3) == 0;
  }

  uint32_t line_start(uint32_t i) const { return m_tree.lines[i].begin + ((i == 0 && m_tree.has_bom) ? 3 : 0); }

  // DirectiveParser.ParseLine on a left-trimmed line. True when it is a directive.
  bool check_directive(uint32_t b, uint32_t e) {
    if (m_directives_done) return false;
    if (b == e || m_src[b] != '#') {
      m_directives_done = true;
      return false;
    }
    const auto p = static_cast<uint32_t>(go::trim_left_space(m_src, b + 1, e));
    grammar::DirectiveMatch m;
    if (!grammar::match_directive(m_src.data() + p, m_src.data() + e, m)) {
      m_directives_done = true;
      return false;
    }
    std::string key(m_src.substr(p + m.key_begin, m.key_end - m.key_begin));
    for (char& c : key)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (key != "syntax" && key != "escape" && key != "check") {
      m_directives_done = true;
      return false;
    }
    std::string value(m_src.substr(p + m.value_begin, m.value_end - m.value_begin));
    if (std::find(m_seen_directives.begin(), m_seen_directives.end(), key) != m_seen_directives.end()) {
      add_error(b, fmt::format("only one {} parser directive can be used", key));
      return false;
    }
    m_seen_directives.push_back(key);
    if (key == "escape") {
      if (value != "`" && value != "\\") {
        add_error(p + m.value_begin, fmt::format("invalid escape token '{}' does not match ` or \\", value));
        return false;
      }
      m_tree.escape = value[0];
    }
    m_tree.directives.emplace_back(std::move(key), std::move(value));
    return true;
  }

  // The escape character that continues the line, or npos. It must be the
  // last byte but spaces and tabs, and not itself escaped.
  std::size_t find_continuation(uint32_t b, uint32_t e) const {
    uint32_t p = e;
    while (p > b && (m_src[p - 1] == ' ' || m_src[p - 1] == '\t')) --p;
    if (p == b) return std::string_view::npos;
    --p;
    if (m_src[p] != m_tree.escape) return std::string_view::npos;
    if (p == b) return p;
    if (m_src[p - 1] == m_tree.escape) return std::string_view::npos;
    return p;
  }

  // Reads the line at i (and what belongs to it); returns the next line index.
  uint32_t read_line(uint32_t i) {
    auto& lines = m_tree.lines;
    const auto count = static_cast<uint32_t>(lines.size());
    Line& ln = lines[i];
    const uint32_t start = line_start(i);
    const auto tb = static_cast<uint32_t>(go::trim_left_space(m_src, start, ln.content_end));
    const bool directive = check_directive(tb, ln.content_end);
    if (tb < ln.content_end && m_src[tb] == '#') {
      ln.role = directive ? LineRole::Directive : LineRole::Comment;
      m_s.seg[i] = {tb, tb};
      return i + 1;
    }
    std::size_t cont = find_continuation(tb, ln.content_end);
    if (cont == std::string_view::npos && tb == ln.content_end) {
      ln.role = LineRole::Blank;
      m_s.seg[i] = {tb, tb};
      return i + 1;
    }
    const auto index = static_cast<uint32_t>(m_s.instructions.size());
    Instruction& inst = m_s.instructions.emplace_back();
    inst.first_line = i;
    ln.role = LineRole::InstructionStart;
    ln.instruction = static_cast<int32_t>(index);
    m_s.seg[i] = {tb, cont == std::string_view::npos ? ln.content_end : static_cast<uint32_t>(cont)};
    uint32_t j = i + 1;
    bool continued = cont != std::string_view::npos;
    while (continued && j < count) {
      Line& cl = lines[j];
      cl.instruction = static_cast<int32_t>(index);
      m_s.seg[j] = {cl.begin, cl.begin};
      // One trim serves both tests (a comment line has content, so trimming
      // to content_end rather than end finds the same `#`).
      const auto ct = go::trim_left_space(m_src, cl.begin, cl.content_end);
      if (ct < cl.content_end && m_src[ct] == '#') {
        cl.role = LineRole::ContinuationComment;
        ++j;
        continue;
      }
      if (ct == cl.content_end) {
        cl.role = LineRole::ContinuationBlank;
        ++j;
        continue;
      }
      cl.role = LineRole::Continuation;
      cont = find_continuation(cl.begin, cl.content_end);
      continued = cont != std::string_view::npos;
      m_s.seg[j] = {cl.begin, continued ? static_cast<uint32_t>(cont) : cl.content_end};
      ++j;
    }
    inst.last_line = j - 1;
    join_lines(inst.logical, i, j);

    detail::SemanticsError err;
    const auto len = static_cast<uint32_t>(inst.logical.text.size());
    if (!detail::read_instruction(inst, 0, len, m_tree.escape, m_s.builder, err)) {
      inst.json_error = m_store->copy(err.message);
      add_error(inst.logical.to_source(err.logical), err.message);
    }
    j = read_heredocs(inst, j);
    inst.last_line = std::max(inst.last_line, j - 1);
    const Line& last = lines[inst.last_line];
    inst.span = {ln.begin, last.end};
    inst.text = {inst.keyword_span.begin, std::max(inst.keyword_span.begin, last.content_end)};
    // The ONBUILD instruction lives in this parse's Storage, which the driver fills.
    if (inst.sub) const_cast<Instruction*>(inst.sub)->span = inst.span;
    return j;
  }

  // The logical text of lines [i, j): a view of the source when it is one piece
  // (most instructions), else the pieces joined in the Storage.
  void join_lines(LogicalText& lt, uint32_t i, uint32_t j) {
    m_s.segments.clear();
    uint32_t joined = 0;
    for (uint32_t k = i; k < j; ++k) {
      const LineSeg s = m_s.seg[k];
      if (s.end == s.begin) continue;
      m_s.segments.push_back({joined, s.begin, s.end - s.begin});
      joined += s.end - s.begin;
    }
    if (m_s.segments.size() == 1) {
      lt.text = m_src.substr(m_s.segments[0].source, joined);
    } else if (m_s.segments.size() > 1) {
      char* out = m_store->allocate<char>(joined);
      for (const Segment& g : m_s.segments) std::memcpy(out + g.logical, m_src.data() + g.source, g.length);
      lt.text = std::string_view(out, joined);
    }
    lt.segments = m_store->copy(m_s.segments.data(), m_s.segments.size());
  }

  uint32_t read_heredocs(Instruction& inst, uint32_t j) {
    const Instruction* target = &inst;
    if (inst.is("onbuild") && inst.sub) target = inst.sub;
    const std::string_view k = target->keyword;
    if (!(k == "run" || k == "copy" || k == "add") || target->form == ArgsForm::Json) return j;
    if (inst.logical.text.find("<<") == std::string_view::npos) return j;
    std::string error;
    if (!detail::find_heredocs(inst.logical.text, *m_store, m_s.heredocs, error)) {
      add_error(inst.keyword_span.begin, error);
      return j;
    }
    j = read_heredoc_bodies(inst, j);
    inst.heredocs = m_store->take(m_s.heredocs, 0);
    return j;
  }

  uint32_t read_heredoc_bodies(Instruction& inst, uint32_t j) {
    auto& lines = m_tree.lines;
    const auto count = static_cast<uint32_t>(lines.size());
    for (auto& h : m_s.heredocs) {
      const uint32_t body_begin = j < count ? lines[j].begin : static_cast<uint32_t>(m_src.size());
      bool terminated = false;
      while (j < count) {
        Line& bl = lines[j];
        bl.instruction = static_cast<int32_t>(&inst - m_s.instructions.data());
        ++j;
        uint32_t tb = bl.begin;
        if (h.chomp)
          while (tb < bl.content_end && m_src[tb] == '\t') ++tb;
        if (m_src.substr(tb, bl.content_end - tb) == h.name) {
          bl.role = LineRole::HeredocEnd;
          h.body = {body_begin, bl.begin};
          h.terminator = {bl.begin, bl.content_end};
          terminated = true;
          break;
        }
        bl.role = LineRole::HeredocBody;
      }
      if (!terminated) {
        h.body = {body_begin, static_cast<uint32_t>(m_src.size())};
        h.terminator = {static_cast<uint32_t>(m_src.size()), static_cast<uint32_t>(m_src.size())};
        add_error(inst.keyword_span.begin, "unterminated heredoc");
        break;
      }
    }
    return j;
  }

  void attach_comments() {
    for (auto& inst : m_tree.instructions) {
      uint32_t l = inst.first_line;
      while (l > 0 && m_tree.lines[l - 1].role == LineRole::Comment) --l;
      if (l == inst.first_line) continue;
      uint32_t* out = m_store->allocate<uint32_t>(inst.first_line - l);
      for (uint32_t k = l; k < inst.first_line; ++k) out[k - l] = k;
      inst.comments = List<uint32_t>(out, inst.first_line - l);
    }
  }

  void check_limits() {
    if (m_first_long_line >= 0)
      add_error(static_cast<uint32_t>(m_first_long_line),
                fmt::format("dockerfile line greater than max allowed size of {}", k_max_line));
  }

  static void collect_marks(const Instruction& inst, std::vector<Mark>& marks) {
    if (inst.keyword_logical_end > 0 || !inst.keyword.empty()) {
      marks.push_back({inst.keyword_logical_begin, inst.keyword_logical_end, TokenKind::Keyword});
    }
    for (const auto& f : inst.flags) marks.push_back({f.logical.begin, f.logical.end, TokenKind::Flag});
    if (inst.form == ArgsForm::Json) {
      // The array's strings are the values the semantic pass read from it
      // (HEALTHCHECK's follow its type word, `CMD`); its punctuation is the byte
      // after the JSON white space before and between them. Lexing the array a
      // second time here cost a twentieth of parse+print.
      const std::string_view t = inst.logical.text;
      auto next_byte = [&](uint32_t p) {
        while (p < inst.args.end && (t[p] == ' ' || t[p] == '\t' || t[p] == '\n' || t[p] == '\r')) ++p;
        return p;
      };
      const std::size_t first = inst.is("healthcheck") ? 1 : 0;
      uint32_t p = first ? inst.values.front().logical.end : inst.args.begin;
      while (p < inst.args.end && t[p] != '[') ++p;
      marks.push_back({p, p + 1, TokenKind::JsonPunct});
      ++p;
      for (std::size_t k = first; k < inst.values.size(); ++k) {
        if (k > first) {
          p = next_byte(p);
          marks.push_back({p, p + 1, TokenKind::JsonPunct});  // ,
        }
        marks.push_back({inst.values[k].logical.begin, inst.values[k].logical.end, TokenKind::JsonString});
        p = inst.values[k].logical.end;
      }
      p = next_byte(p);
      marks.push_back({p, p + 1, TokenKind::JsonPunct});  // ]
    }
    if (inst.sub) collect_marks(*inst.sub, marks);
  }

  // Tokens go to the thread's buffer through a cursor: room for a whole line is
  // made before its tokens (each has a byte at least), so writing one checks
  // nothing. Written field by field: GCC copies a braced Token through a stack
  // temporary whose one-byte store stalls the wider load that follows (store
  // forwarding), which cost a quarter of the token pass.
  Token* m_out = nullptr;
  Token* m_out_end = nullptr;

  void make_room(uint32_t tokens) {
    if (static_cast<std::size_t>(m_out_end - m_out) >= tokens) return;
    std::vector<Token>& buf = m_s.tokens;
    const auto used = static_cast<std::size_t>(m_out - buf.data());
    buf.resize(std::max(buf.size() * 2, used + tokens + 256));  // initialises only past the last size
    m_out = buf.data() + used;
    m_out_end = buf.data() + buf.size();
  }

  void push_token(uint32_t b, uint32_t e, TokenKind kind) {
    Token* t = m_out++;
    t->span.begin = b;
    t->span.end = e;
    t->kind = kind;
  }

  void emit(uint32_t b, uint32_t e, TokenKind kind) {
    if (b < e) push_token(b, e, kind);
  }

  // Bit k is set when m_src[b + k] is a blank (grammar::is_blank_byte), k < n <= 64.
  uint64_t blank_bits(uint32_t b, uint32_t n) const {
    const char* p = m_src.data() + b;
    uint64_t bits = 0;
    uint32_t k = 0;
#if defined(__SSE2__)
    // Whole 16-byte loads while they stay inside the source (gaps are mostly
    // shorter than 16 bytes); bits past n are dropped.
    for (; k < n && b + k + 16 <= m_src.size(); k += 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + k));
      __m128i m = _mm_cmpeq_epi8(v, _mm_set1_epi8(' '));
      m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8('\t')));
      m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8('\v')));
      m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8('\f')));
      m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8('\r')));
      bits |= static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(m))) << k;
    }
    if (k >= n) return n == 64 ? bits : bits & ((uint64_t{1} << n) - 1);
#endif
    for (; k < n; ++k) bits |= static_cast<uint64_t>(grammar::is_blank_byte(p[k])) << k;
    return bits;
  }

  // [b, e) as alternating runs of blanks (grammar::is_blank_byte) and of other
  // bytes, found 64 bytes at a time from a bit mask: a byte loop mispredicted a
  // branch at the end of nearly every (short) run, and went through a vector of
  // pieces, for a third of parse+print.
  void emit_gap(uint32_t b, uint32_t e) {
    bool open = false;  // the last token is this gap's and ends at b: it may go on
    while (b < e) {
      const uint32_t n = std::min<uint32_t>(64, e - b);
      const uint64_t blank = blank_bits(b, n);
      const uint64_t valid = n == 64 ? ~uint64_t{0} : (uint64_t{1} << n) - 1;
      uint64_t starts = ((blank ^ (blank << 1)) & valid) | 1;  // where runs begin
      while (starts) {
        const auto k = static_cast<uint32_t>(__builtin_ctzll(starts));
        starts &= starts - 1;
        const uint32_t end = starts ? static_cast<uint32_t>(__builtin_ctzll(starts)) : n;
        const TokenKind kind = (blank >> k) & 1 ? TokenKind::Whitespace : TokenKind::Word;
        if (k == 0 && open && m_out[-1].kind == kind) m_out[-1].span.end = b + end;
        else push_token(b + k, b + end, kind);
      }
      open = true;
      b += n;
    }
  }

  void build_tokens() {
    m_out = m_s.tokens.data();
    m_out_end = m_out + m_s.tokens.size();
    make_room(4);
    if (m_tree.has_bom) emit(0, 3, TokenKind::Bom);
    std::vector<Mark>& marks = m_s.marks;
    int32_t marks_for = -1;
    std::size_t next_segment = 0;  // the instruction's segments come line by line, in order
    for (uint32_t i = 0; i < m_tree.lines.size(); ++i) {
      const Line& ln = m_tree.lines[i];
      const uint32_t start = line_start(i);
      make_room(ln.end - ln.begin);
      switch (ln.role) {
        case LineRole::Directive:
        case LineRole::Comment:
        case LineRole::ContinuationComment: {
          const auto tb = static_cast<uint32_t>(go::trim_left_space(m_src, start, ln.content_end));
          emit(start, tb, TokenKind::Whitespace);
          emit(tb, ln.content_end, ln.role == LineRole::Directive ? TokenKind::Directive : TokenKind::Comment);
          break;
        }
        case LineRole::Blank:
        case LineRole::ContinuationBlank:
          emit(start, ln.content_end, TokenKind::Whitespace);
          break;
        case LineRole::HeredocBody:
          emit(start, ln.content_end, TokenKind::HeredocBody);
          break;
        case LineRole::HeredocEnd:
          emit(start, ln.content_end, TokenKind::HeredocEnd);
          break;
        case LineRole::InstructionStart:
        case LineRole::Continuation: {
          const Instruction& inst = m_tree.instructions[static_cast<std::size_t>(ln.instruction)];
          if (marks_for != ln.instruction) {
            marks.clear();
            collect_marks(inst, marks);
            std::sort(marks.begin(), marks.end(), [](const Mark& a, const Mark& b) { return a.begin < b.begin; });
            marks_for = ln.instruction;
            next_segment = 0;
          }
          const LineSeg s = m_s.seg[i];
          emit(start, s.begin, TokenKind::Whitespace);
          emit_segment(inst, s, marks, next_segment);
          emit(s.end, ln.content_end, TokenKind::Continuation);
          break;
        }
      }
      emit(ln.content_end, ln.end, TokenKind::Newline);
    }
    m_tree.tokens.assign(m_s.tokens.data(), m_out);
  }

  void emit_segment(const Instruction& inst, LineSeg s, const std::vector<Mark>& marks, std::size_t& next_segment) {
    if (s.begin == s.end) return;
    // The logical range of this line's segment: the next one, as lines come in order.
    const auto& segs = inst.logical.segments;
    auto it = segs.begin() + static_cast<std::ptrdiff_t>(std::min(next_segment, segs.size() - 1));
    if (it->source != s.begin)
      it = std::lower_bound(segs.begin(), segs.end(), s.begin,
                            [](const Segment& g, uint32_t src) { return g.source < src; });
    next_segment = static_cast<std::size_t>(it - segs.begin()) + 1;
    const uint32_t lb = it->logical;
    const uint32_t le = lb + it->length;
    uint32_t cursor = s.begin;
    for (const auto& m : marks) {
      if (m.end <= lb || m.begin >= le) continue;
      const uint32_t mb = s.begin + (std::max(m.begin, lb) - lb);
      const uint32_t me = s.begin + (std::min(m.end, le) - lb);
      if (mb < cursor) continue;  // overlapping marks: the first wins
      emit_gap(cursor, mb);
      emit(mb, me, m.kind);
      cursor = me;
    }
    emit_gap(cursor, s.end);
  }
};

}  // namespace

std::size_t parse_scratch_bytes() {
  std::size_t total = 0;
  t_scratch.each_list([&](const auto& v) { total += v.capacity() * sizeof(v[0]); });
  return total;
}

Tree parse(std::string_view source, const ParseOptions& options) {
  static std::atomic<std::uint64_t> next_serial{1};
  Tree tree;
  tree.source = source;
  tree.serial = next_serial.fetch_add(1, std::memory_order_relaxed);
  Driver(source, tree, options).run();
  t_scratch.release_large();
  for (auto& d : tree.diagnostics) {
    auto [line, col] = tree.position(d.offset);
    d.line = line;
    d.column = col;
  }
  return tree;
}

}  // namespace dockmend::syntax
