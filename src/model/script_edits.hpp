// Edits to a RUN's script (model::Run) in source coordinates: a flag after the
// right word of a command, a command appended at the end of the script or
// right after one of its commands, touching nothing else; a range or whole
// commands removed without losing the comments inside. Each returns nullopt
// when the script cannot be edited there safely.
#pragma once
#include <cstddef>
#include <optional>
#include <vector>
#include <string_view>

#include "edit/edit.hpp"
#include "model/model.hpp"
#include "shell/shell.hpp"
#include "syntax/tree.hpp"

namespace dockmend::model {

// Inserts " <text>" right after word `word` of the command.
edit::Edit insert_after_word(const syntax::Tree& tree, const Run& run, const shell::Command& cmd, std::size_t word,
                             std::string_view text);
// Inserts " <flag>" after the subcommand (or the program); nullopt when there is
// none, or the RUN is not editable.
std::optional<edit::Edit> insert_flag(const syntax::Tree& tree, const Run& run, const shell::Command& cmd,
                                      std::string_view flag, shell::InsertAt where = shell::InsertAt::AfterSubcommand);
// Appends ` && <command>` at the end of the script (before a trailing `;`),
// nullopt when that cannot be done safely (a trailing comment, `&`, an
// incomplete script, a heredoc inside the RUN).
std::optional<edit::Edit> append_command(const syntax::Tree& tree, const Run& run, std::string_view command);
// Appends ` && <command>` right after command `cmd_index` when it is followed by
// `&&` or ends the script, at the top level (`; <command>` after `;` or a
// newline); nullopt otherwise.
std::optional<edit::Edit> append_after_command(const syntax::Tree& tree, const Run& run, std::size_t cmd_index,
                                               std::string_view command);

// Edits that remove `range` of the script. Comment lines inside the
// continuation are kept (the removal is split around them) and a line left
// with nothing but its continuation character is removed whole.
std::vector<edit::Edit> remove_script_range(const syntax::Tree& tree, const Run& run, shell::Span range);

// Removing commands at `indexes` of run.script with the operators that join
// them to the rest. nullopt when that cannot be done without changing what the
// rest means (a command inside if/loops/substitutions, or joined with ||, |, &).
// `everything`: nothing but blanks would be left (remove the instruction instead).
struct Removal {
  std::vector<edit::Edit> edits;
  bool everything = false;
};
std::optional<Removal> remove_commands(const syntax::Tree& tree, const Run& run, const std::vector<std::size_t>& indexes);

}  // namespace dockmend::model
