// The driver: physical lines -> roles (as buildkit's Parse loop assigns them)
// -> instructions (read by buildkit_semantics) -> tokens.
#include <algorithm>
#include <cstring>

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

class Driver {
 public:
  Driver(std::string_view src, Tree& tree, const ParseOptions& opt) : m_src(src), m_tree(tree), m_opt(opt) {}

  void run() {
    split_lines();
    m_seg.assign(m_tree.lines.size(), {});
    const auto count = static_cast<uint32_t>(m_tree.lines.size());
    uint32_t i = 0;
    while (i < count) i = read_line(i);
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
  std::vector<LineSeg> m_seg;
  bool m_directives_done = false;
  std::vector<std::string> m_seen_directives;

  void add_error(uint32_t offset, std::string message, bool buildkit = true) {
    Diagnostic d;
    d.offset = offset;
    d.message = std::move(message);
    d.buildkit_error = buildkit;
    m_tree.diagnostics.push_back(std::move(d));
  }

  void split_lines() {
    const char* base = m_src.data();
    const std::size_t n = m_src.size();
    std::size_t pos = 0;
    m_tree.lines.reserve(n / 32 + 1);
    while (pos < n) {
      const void* nl = std::memchr(base + pos, '\n', n - pos);
      const std::size_t end = nl ? static_cast<const char*>(nl) - base + 1 : n;
      std::size_t content_end = end;
      while (content_end > pos && (base[content_end - 1] == '\n' || base[content_end - 1] == '\r')) --content_end;
      Line line;
      line.begin = static_cast<uint32_t>(pos);
      line.content_end = static_cast<uint32_t>(content_end);
      line.end = static_cast<uint32_t>(end);
      m_tree.lines.push_back(line);
      pos = end;
    }
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

  bool is_comment_line(uint32_t b, uint32_t e) const {
    const auto t = go::trim_left_space(m_src, b, e);
    return t < e && m_src[t] == '#';
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
      m_seg[i] = {tb, tb};
      return i + 1;
    }
    std::size_t cont = find_continuation(tb, ln.content_end);
    if (cont == std::string_view::npos && tb == ln.content_end) {
      ln.role = LineRole::Blank;
      m_seg[i] = {tb, tb};
      return i + 1;
    }
    const auto index = static_cast<uint32_t>(m_tree.instructions.size());
    m_tree.instructions.emplace_back();
    Instruction& inst = m_tree.instructions.back();
    inst.first_line = i;
    ln.role = LineRole::InstructionStart;
    ln.instruction = static_cast<int32_t>(index);
    m_seg[i] = {tb, cont == std::string_view::npos ? ln.content_end : static_cast<uint32_t>(cont)};
    add_segment(inst.logical, m_seg[i]);
    uint32_t j = i + 1;
    bool continued = cont != std::string_view::npos;
    while (continued && j < count) {
      Line& cl = lines[j];
      cl.instruction = static_cast<int32_t>(index);
      m_seg[j] = {cl.begin, cl.begin};
      if (is_comment_line(cl.begin, cl.end)) {
        cl.role = LineRole::ContinuationComment;
        ++j;
        continue;
      }
      if (go::trim_left_space(m_src, cl.begin, cl.content_end) == cl.content_end) {
        cl.role = LineRole::ContinuationBlank;
        ++j;
        continue;
      }
      cl.role = LineRole::Continuation;
      cont = find_continuation(cl.begin, cl.content_end);
      continued = cont != std::string_view::npos;
      m_seg[j] = {cl.begin, continued ? static_cast<uint32_t>(cont) : cl.content_end};
      add_segment(inst.logical, m_seg[j]);
      ++j;
    }
    inst.last_line = j - 1;

    detail::SemanticsError err;
    const auto len = static_cast<uint32_t>(inst.logical.text.size());
    if (!detail::read_instruction(inst, 0, len, m_tree.escape, err)) {
      inst.json_error = err.message;
      add_error(inst.logical.to_source(err.logical), err.message);
    }
    j = read_heredocs(inst, j);
    inst.last_line = std::max(inst.last_line, j - 1);
    const Line& last = lines[inst.last_line];
    inst.span = {ln.begin, last.end};
    inst.text = {inst.keyword_span.begin, std::max(inst.keyword_span.begin, last.content_end)};
    if (inst.sub) inst.sub->span = inst.span;
    return j;
  }

  void add_segment(LogicalText& lt, LineSeg s) const {
    if (s.end == s.begin) return;
    lt.segments.push_back({static_cast<uint32_t>(lt.text.size()), s.begin, s.end - s.begin});
    lt.text.append(m_src.substr(s.begin, s.end - s.begin));
  }

  uint32_t read_heredocs(Instruction& inst, uint32_t j) {
    const Instruction* target = &inst;
    if (inst.keyword == "onbuild" && inst.sub) target = inst.sub.get();
    const std::string& k = target->keyword;
    if (!(k == "run" || k == "copy" || k == "add") || target->form == ArgsForm::Json) return j;
    if (inst.logical.text.find("<<") == std::string::npos) return j;
    inst.heredocs = detail::find_heredocs(inst.logical.text);
    auto& lines = m_tree.lines;
    const auto count = static_cast<uint32_t>(lines.size());
    for (auto& h : inst.heredocs) {
      const uint32_t body_begin = j < count ? lines[j].begin : static_cast<uint32_t>(m_src.size());
      bool terminated = false;
      while (j < count) {
        Line& bl = lines[j];
        bl.instruction = static_cast<int32_t>(&inst - m_tree.instructions.data());
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
      for (uint32_t k = l; k < inst.first_line; ++k) inst.comments.push_back(k);
    }
  }

  void check_limits() {
    for (const auto& l : m_tree.lines) {
      // The newline is not counted, a \r before it is (bufio keeps it in the token).
      uint32_t len = l.end - l.begin;
      if (len > 0 && m_src[l.end - 1] == '\n') --len;
      if (len > k_max_line) {
        add_error(l.begin, fmt::format("dockerfile line greater than max allowed size of {}", k_max_line));
        break;
      }
    }
  }

  struct Mark {
    uint32_t begin, end;
    TokenKind kind;
  };

  static void collect_marks(const Instruction& inst, std::vector<Mark>& marks) {
    if (inst.keyword_logical_end > 0 || !inst.keyword.empty()) {
      const uint32_t kb = inst.keyword_logical_end - static_cast<uint32_t>(inst.keyword.size());
      marks.push_back({kb, inst.keyword_logical_end, TokenKind::Keyword});
    }
    for (const auto& f : inst.flags) marks.push_back({f.logical.begin, f.logical.end, TokenKind::Flag});
    if (inst.form == ArgsForm::Json) {
      // Re-lex the array to mark its punctuation as well as its strings.
      // HEALTHCHECK's array follows its type word (`CMD`).
      const std::string& t = inst.logical.text;
      uint32_t jb = inst.keyword == "healthcheck" ? inst.values.front().logical.end : inst.args.begin;
      while (jb < inst.args.end && t[jb] != '[') ++jb;
      auto arr = grammar::parse_json_array(t.data() + jb, t.data() + inst.args.end);
      for (const auto& tok : arr.tokens)
        marks.push_back({jb + tok.begin, jb + tok.end, tok.is_string ? TokenKind::JsonString : TokenKind::JsonPunct});
    }
    if (inst.sub) collect_marks(*inst.sub, marks);
  }

  void emit(uint32_t b, uint32_t e, TokenKind kind) {
    if (b < e) m_tree.tokens.push_back({{b, e}, kind});
  }

  void emit_gap(uint32_t b, uint32_t e, std::vector<grammar::Piece>& pieces) {
    if (b >= e) return;
    pieces.clear();
    grammar::split_blanks(m_src.data() + b, m_src.data() + e, pieces);
    for (const auto& p : pieces)
      emit(b + p.begin, b + p.end, p.kind == grammar::PieceKind::Blank ? TokenKind::Whitespace : TokenKind::Word);
  }

  void build_tokens() {
    auto& toks = m_tree.tokens;
    toks.reserve(m_src.size() / 4 + 4);
    if (m_tree.has_bom) emit(0, 3, TokenKind::Bom);
    std::vector<grammar::Piece> pieces;
    std::vector<Mark> marks;
    int32_t marks_for = -1;
    for (uint32_t i = 0; i < m_tree.lines.size(); ++i) {
      const Line& ln = m_tree.lines[i];
      const uint32_t start = line_start(i);
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
          }
          const LineSeg s = m_seg[i];
          emit(start, s.begin, TokenKind::Whitespace);
          emit_segment(inst, s, marks, pieces);
          emit(s.end, ln.content_end, TokenKind::Continuation);
          break;
        }
      }
      emit(ln.content_end, ln.end, TokenKind::Newline);
    }
  }

  void emit_segment(const Instruction& inst, LineSeg s, const std::vector<Mark>& marks,
                    std::vector<grammar::Piece>& pieces) {
    if (s.begin == s.end) return;
    // The logical range of this line's segment.
    const auto& segs = inst.logical.segments;
    auto it = std::lower_bound(segs.begin(), segs.end(), s.begin,
                               [](const Segment& g, uint32_t src) { return g.source < src; });
    const uint32_t lb = it->logical;
    const uint32_t le = lb + it->length;
    uint32_t cursor = s.begin;
    for (const auto& m : marks) {
      if (m.end <= lb || m.begin >= le) continue;
      const uint32_t mb = s.begin + (std::max(m.begin, lb) - lb);
      const uint32_t me = s.begin + (std::min(m.end, le) - lb);
      if (mb < cursor) continue;  // overlapping marks: the first wins
      emit_gap(cursor, mb, pieces);
      emit(mb, me, m.kind);
      cursor = me;
    }
    emit_gap(cursor, s.end, pieces);
  }
};

}  // namespace

Tree parse(std::string_view source, const ParseOptions& options) {
  Tree tree;
  tree.source = source;
  Driver(source, tree, options).run();
  for (auto& d : tree.diagnostics) {
    auto [line, col] = tree.position(d.offset);
    d.line = line;
    d.column = col;
  }
  return tree;
}

}  // namespace dockmend::syntax
