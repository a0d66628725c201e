#include <algorithm>

#include "syntax/tree.hpp"

namespace dockmend::syntax {

const char* token_kind_name(TokenKind kind) {
  switch (kind) {
    case TokenKind::Bom: return "bom";
    case TokenKind::Whitespace: return "whitespace";
    case TokenKind::Newline: return "newline";
    case TokenKind::Comment: return "comment";
    case TokenKind::Directive: return "directive";
    case TokenKind::Continuation: return "continuation";
    case TokenKind::Keyword: return "keyword";
    case TokenKind::Flag: return "flag";
    case TokenKind::Word: return "word";
    case TokenKind::JsonPunct: return "json-punct";
    case TokenKind::JsonString: return "json-string";
    case TokenKind::HeredocBody: return "heredoc-body";
    case TokenKind::HeredocEnd: return "heredoc-end";
  }
  return "?";
}

std::uint32_t LogicalText::to_source(std::uint32_t pos) const {
  if (segments.empty()) return 0;
  auto it = std::upper_bound(segments.begin(), segments.end(), pos,
                             [](std::uint32_t p, const Segment& s) { return p < s.logical; });
  if (it == segments.begin()) return segments.front().source;
  --it;
  if (pos >= it->logical + it->length) return it->source + it->length;
  return it->source + (pos - it->logical);
}

Span LogicalText::to_source(Span logical) const {
  if (logical.empty()) {
    const std::uint32_t p = to_source(logical.begin);
    return {p, p};
  }
  return {to_source(logical.begin), to_source(logical.end - 1) + 1};
}

const Flag* Instruction::flag(std::string_view name) const {
  for (const auto& f : flags)
    if (f.name == name) return &f;
  return nullptr;
}

bool Tree::buildkit_ok() const { return first_error() == nullptr; }

const Diagnostic* Tree::first_error() const {
  for (const auto& d : diagnostics)
    if (d.buildkit_error) return &d;
  return nullptr;
}

namespace {
bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}
}  // namespace

std::vector<Stage> Tree::stages() const {
  std::vector<Stage> out;
  for (std::uint32_t i = 0; i < instructions.size(); ++i) {
    const auto& inst = instructions[i];
    if (!inst.is("from")) continue;
    if (!out.empty()) out.back().end = i;
    Stage s;
    s.from = i;
    s.end = static_cast<std::uint32_t>(instructions.size());
    if (!inst.values.empty()) s.base = inst.values[0].text;
    if (inst.values.size() >= 3 && iequals(inst.values[1].text, "as")) s.name = inst.values[2].text;
    for (std::size_t k = 0; k < out.size(); ++k)
      if (!out[k].name.empty() && iequals(out[k].name, s.base)) s.base_stage = static_cast<std::int32_t>(k);
    out.push_back(std::move(s));
  }
  return out;
}

int Tree::stage_of(std::uint32_t i, const std::vector<Stage>& st) const {
  for (std::size_t k = 0; k < st.size(); ++k)
    if (i >= st[k].from && i < st[k].end) return static_cast<int>(k);
  return -1;
}

std::pair<std::uint32_t, std::uint32_t> Tree::position(std::uint32_t offset) const {
  if (lines.empty()) return {1, offset + 1};
  auto it = std::upper_bound(lines.begin(), lines.end(), offset,
                             [](std::uint32_t o, const Line& l) { return o < l.begin; });
  if (it != lines.begin()) --it;
  const auto line = static_cast<std::uint32_t>(it - lines.begin()) + 1;
  return {line, offset - it->begin + 1};
}

std::string_view Tree::newline() const {
  std::size_t crlf = 0, lf = 0;
  for (const auto& l : lines) {
    if (l.end > l.content_end && source[l.end - 1] == '\n') {
      if (l.end - l.content_end >= 2 && source[l.end - 2] == '\r') ++crlf;
      else ++lf;
    }
  }
  return crlf > lf ? std::string_view("\r\n") : std::string_view("\n");
}

std::string print(const Tree& tree) {
  if (tree.tokens.empty()) return std::string(tree.source);
  std::string out;
  out.reserve(tree.source.size());
  // Adjacent tokens are appended as one run: the same bytes, far fewer calls.
  const Token* t = tree.tokens.data();
  const std::size_t n = tree.tokens.size();
  Span run = t[0].span;
  auto step = [&](Span s) {
    if (s.begin == run.end) {
      run.end = s.end;
      return;
    }
    out.append(tree.source.substr(run.begin, run.size()));
    run = s;
  };
  std::size_t i = 1;
  // Four tokens at a time: when each begins where the one before ends (nearly
  // always), one test covers the four.
  for (; i + 4 <= n; i += 4) {
    const std::uint32_t apart = (t[i].span.begin ^ run.end) | (t[i + 1].span.begin ^ t[i].span.end) |
                                (t[i + 2].span.begin ^ t[i + 1].span.end) |
                                (t[i + 3].span.begin ^ t[i + 2].span.end);
    if (apart == 0) {
      run.end = t[i + 3].span.end;
      continue;
    }
    for (std::size_t k = i; k < i + 4; ++k) step(t[k].span);
  }
  for (; i < n; ++i) step(t[i].span);
  out.append(tree.source.substr(run.begin, run.size()));
  return out;
}

}  // namespace dockmend::syntax
