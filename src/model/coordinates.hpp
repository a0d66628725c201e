// The three coordinate systems of a Dockerfile's text, as three types, and the
// only conversions between them:
//  - SourceSpan: bytes of the Dockerfile. Edits (edit::Edit) take these only.
//  - JoinedSpan: an instruction's continuation-joined text (Instruction::logical,
//    what buildkit reads: continuations and the comment lines inside them gone).
//  - shell::Span: offsets into the text of one shell script (a RUN's joined
//    arguments, or a heredoc body), see model::Run.
// The tree stores joined ranges as syntax::Span (Value::logical, Flag::logical,
// Instruction::args); joined() names them for what they are.
#pragma once
#include <cstdint>

#include "syntax/tree.hpp"

namespace dockmend::model {

using SourceSpan = syntax::Span;

struct JoinedSpan {
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
  std::uint32_t size() const { return end - begin; }
  bool empty() const { return begin == end; }
  bool operator==(const JoinedSpan& o) const { return begin == o.begin && end == o.end; }
};

// A joined range the tree holds as syntax::Span (Value::logical, Flag::logical, Instruction::args).
inline JoinedSpan joined(syntax::Span logical) { return {logical.begin, logical.end}; }

// Source bytes of joined text [begin, end) of `inst` (a point for an empty range).
inline SourceSpan to_source(const syntax::Instruction& inst, JoinedSpan s) {
  return inst.logical.to_source(syntax::Span{s.begin, s.end});
}
// The source offset of joined offset `pos`.
inline std::uint32_t to_source(const syntax::Instruction& inst, std::uint32_t pos) {
  return inst.logical.to_source(pos);
}
// The source offset right after joined byte `end - 1`: an insertion there stays
// on that byte's line (before a line continuation, not after it).
inline std::uint32_t source_after(const syntax::Instruction& inst, std::uint32_t end) {
  if (end == 0) return inst.logical.to_source(0u);
  return inst.logical.to_source(end - 1) + 1;
}

}  // namespace dockmend::model
