#include "model/instruction_edits.hpp"

#include <algorithm>

#include "edit/builders.hpp"
#include "model/text.hpp"

namespace dockmend::model {

using syntax::Span;
using syntax::Tree;

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }

// The source pieces behind a joined range (continuations and comment lines excluded).
std::vector<Span> source_pieces(const syntax::LogicalText& lt, JoinedSpan joined) {
  std::vector<Span> out;
  for (const auto& seg : lt.segments) {
    const std::uint32_t b = std::max(joined.begin, seg.logical);
    const std::uint32_t e = std::min(joined.end, seg.logical + seg.length);
    if (b >= e) continue;
    out.push_back({seg.source + (b - seg.logical), seg.source + (e - seg.logical)});
  }
  return out;
}

bool has_comment_line(const Tree& tree, Span src) {
  for (const auto& l : tree.lines) {
    if (l.begin >= src.end) break;
    if (l.begin >= src.begin && (l.role == syntax::LineRole::ContinuationComment)) return true;
  }
  return false;
}

std::uint32_t line_of(const Tree& tree, std::uint32_t offset) { return tree.position(offset).first - 1; }

}  // namespace

edit::Edit widen_to_line(const Tree& tree, edit::Edit e) {
  if (e.range.empty() || !e.text.empty()) return e;
  const auto lb = line_of(tree, e.range.begin);
  const auto le = line_of(tree, e.range.end);
  const auto& first = tree.lines[lb];
  const auto& last = tree.lines[le];
  if (first.role != syntax::LineRole::Continuation && first.role != syntax::LineRole::HeredocBody) return e;
  for (auto p = first.begin; p < e.range.begin; ++p)
    if (!is_blank(tree.source[p])) return e;
  if (e.range.end > last.content_end) return e;
  std::uint32_t p = e.range.end;
  while (p < last.content_end && is_blank(tree.source[p])) ++p;
  if (p < last.content_end && tree.source[p] == tree.escape) ++p;
  while (p < last.content_end && is_blank(tree.source[p])) ++p;
  if (p != last.content_end) return e;
  // Only when the line really ends in the escape (a continuation) or is a heredoc line.
  if (first.role == syntax::LineRole::Continuation) {
    std::uint32_t q = last.content_end;
    while (q > e.range.end && is_blank(tree.source[q - 1])) --q;
    if (q == e.range.end || tree.source[q - 1] != tree.escape) return e;
  }
  e.range = {first.begin, last.end};
  return e;
}

std::vector<edit::Edit> remove_joined(const Tree& tree, const syntax::Instruction& inst, JoinedSpan joined) {
  std::vector<edit::Edit> out;
  const SourceSpan whole = to_source(inst, joined);
  if (!has_comment_line(tree, whole)) {
    out.push_back(widen_to_line(tree, {whole, std::string()}));
    return out;
  }
  // Split around the comment lines; a piece that starts a continuation line
  // keeps that line's indentation.
  for (auto p : source_pieces(inst.logical, joined)) {
    const auto line = tree.lines[line_of(tree, p.begin)];
    if (line.begin == p.begin && line.role == syntax::LineRole::Continuation)
      while (p.begin < p.end && is_blank(tree.source[p.begin])) ++p.begin;
    if (p.empty()) continue;
    out.push_back(widen_to_line(tree, {p, std::string()}));
  }
  return out;
}

edit::Edit remove_instruction(const Tree& tree, const syntax::Instruction& inst, const std::vector<std::string>& about) {
  bool with_comments = false;
  for (auto line : inst.comments) {
    const auto& l = tree.lines[line];
    const auto text = tree.source.substr(l.begin, l.content_end - l.begin);
    for (const auto& a : about)
      if (icontains(text, a)) with_comments = true;
  }
  return edit::remove_instruction(tree, inst, with_comments);
}

edit::Edit insert_at(const Model& model, std::int32_t stage, std::uint32_t at, const std::vector<std::string>& lines) {
  const Stage& s = model.stages()[static_cast<std::size_t>(stage)];
  const Tree& tree = model.tree();
  if (at < s.end) return edit::insert_before(tree, tree.instructions[at], lines);
  return edit::insert_after(tree, tree.instructions[s.end - 1], lines);
}

}  // namespace dockmend::model
