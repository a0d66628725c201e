// Questions rules ask about one command of a RUN script (model::Run::script):
// which program it runs, its subcommand and operands, the pipeline it ends,
// and about the RUN instruction around it (a cache mount, a variable set
// before it). Read-only: the edits that change a script are in script_edits.hpp.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string_view>
#include <vector>

#include "model/model.hpp"
#include "shell/shell.hpp"
#include "syntax/tree.hpp"

namespace dockmend::model {

inline bool one_of(std::string_view v, std::initializer_list<std::string_view> set) {
  for (auto s : set)
    if (v == s) return true;
  return false;
}

// Whether the command runs program `family` (through wrappers; versioned names count).
bool runs(const shell::Command& cmd, std::string_view family);
// The value of the subcommand word ("install"), or "".
std::string_view subcommand_of(const shell::Command& cmd);
// The words after the subcommand that are operands (not options or their arguments).
std::vector<std::size_t> operands_after_subcommand(const shell::Command& cmd);
// Index in cmd.words of the last word of the run of flag words (options that
// take no argument) right after the subcommand, or the subcommand itself.
std::optional<std::size_t> after_leading_flags(const shell::Command& cmd);
// Whether an unquoted expansion among the command's arguments may carry
// options ($APT_OPTS, ${PIP_FLAGS}, $ARGS): then an option may be there already.
bool options_may_hide(const shell::Command& cmd);
// True when command `cmd_index` of the RUN is in a pipeline whose previous
// command runs `family` (`yes | apt-get ...`).
bool piped_from(const Run& run, std::size_t cmd_index, std::string_view family);

// Whether the RUN mounts a cache (or tmpfs) over `dir` or a parent of it.
bool has_cache_mount(const syntax::Instruction& run, std::string_view dir);
// Whether an ENV, or an ARG with a value, sets `name` right before instruction `before`.
bool var_set(const Model& model, std::uint32_t before, std::string_view name);

}  // namespace dockmend::model
