// Edits of whole instructions and of parts of them, in source coordinates:
// removing a joined range (an ENV entry and the like) or a whole instruction
// without losing the comments inside or above it, and inserting instructions
// at a point of a stage. The removals inside a RUN's script are in script_edits.hpp.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "edit/edit.hpp"
#include "model/coordinates.hpp"
#include "model/model.hpp"
#include "syntax/tree.hpp"

namespace dockmend::model {

// Edits removing joined range `joined` of `inst`, split around the comment
// lines inside it so that none is lost; a line left with nothing but its
// continuation character goes whole.
std::vector<edit::Edit> remove_joined(const syntax::Tree& tree, const syntax::Instruction& inst, JoinedSpan joined);

// Widens a removal that would leave a continuation or heredoc line holding only
// blanks (and the escape character) to that whole line.
edit::Edit widen_to_line(const syntax::Tree& tree, edit::Edit removal);

// Removes a whole instruction, with the comment block above it only when that
// block mentions one of `about` (so a comment about what goes goes too, and
// section banners stay).
edit::Edit remove_instruction(const syntax::Tree& tree, const syntax::Instruction& inst,
                              const std::vector<std::string>& about);

// An edit inserting `lines` before instruction `at` of `stage` (above its
// comments), or after the stage's last instruction when `at` is the stage's end.
edit::Edit insert_at(const Model& model, std::int32_t stage, std::uint32_t at, const std::vector<std::string>& lines);

}  // namespace dockmend::model
