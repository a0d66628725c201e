// Edit builders for passes, so that no pass writes raw text by hand: they keep
// the file's line endings, keyword case, indentation and final-newline state.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "edit/edit.hpp"
#include "syntax/tree.hpp"

namespace dockmend::edit {

using syntax::Instruction;
using syntax::Tree;

struct Style {
  std::string newline = "\n";   // the file's dominant line ending
  bool upper_keywords = true;   // most keywords are written in upper case
  bool final_newline = true;    // the file ends with a newline
};
Style style_of(const Tree& tree);

// `kw` in the file's keyword case ("RUN" or "run").
std::string keyword(const Style& style, std::string_view kw);

// `word` in the case of `model` (a keyword as written): "AS" for "FROM", "as"
// for "from", "As" for "From".
std::string same_case(std::string_view model, std::string_view word);

// The blanks before the instruction's keyword on its first line.
std::string_view indentation(const Tree& tree, const Instruction& inst);

// New whole lines, one per element of `lines` (no newlines inside), indented
// like `inst`, placed before it (above the comment block attached to it when
// `above_comments`) or after its last line (heredocs included). Line endings
// follow the file; a file without a final newline keeps having none.
Edit insert_before(const Tree& tree, const Instruction& inst, const std::vector<std::string>& lines,
                   bool above_comments = true);
Edit insert_after(const Tree& tree, const Instruction& inst, const std::vector<std::string>& lines);
// At the end of the file.
Edit append_lines(const Tree& tree, const std::vector<std::string>& lines);

// Removes the instruction's lines (continuations and heredoc bodies included)
// and, with `with_comments`, the comment block attached right above it.
Edit remove_instruction(const Tree& tree, const Instruction& inst, bool with_comments = true);

// Replaces the source bytes behind a logical range of `inst`.
Edit replace_logical(const Instruction& inst, syntax::Span logical, std::string text);

// Replaces value `i` of `inst` by `value`, keeping its quoting: an exec-form
// element becomes a JSON string; a shell word keeps its quote style (and gets
// double quotes when it needs them).
Edit replace_value(const Tree& tree, const Instruction& inst, std::size_t i, std::string_view value);

// Replaces everything after the keyword and flags (the arguments), keeping the
// instruction's first-line layout. Used when an instruction's form changes.
Edit replace_args(const Instruction& inst, std::string text);

// `["a", "b"]` with JSON quoting, as buildkit reads it back.
std::string exec_form(const std::vector<std::string>& args);
// Whether exec_form/json_quote write `s` so that it reads back as the same bytes:
// false for bytes that are not UTF-8 (they become U+FFFD). A fix that would
// carry such a value into an exec form would change it: none is made.
bool json_exact(std::string_view s);
bool json_exact(const std::vector<std::string>& args);

// A shell word for `s`: as is when it needs no quoting, else double-quoted.
std::string shell_word(std::string_view s);

}  // namespace dockmend::edit
