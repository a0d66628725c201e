// Shared by the built-in rules: the shell scripts of a file's RUN instructions
// (parsed once per file and thread, not once per rule), what each stage is
// built on, and edit helpers that put a flag after the right word of the right
// command or a cleanup command at the end of a RUN, touching nothing else.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "edit/edit.hpp"
#include "model/model.hpp"
#include "model/text.hpp"
#include "shell/shell.hpp"
#include "syntax/tree.hpp"
#include "transforms/rule.hpp"

namespace dockmend::transforms::builtin {

// The distribution family a stage runs on, from the package manager it uses
// or, failing that, from its base image name.
enum class Distro : std::uint8_t { Unknown, Debian, Alpine, Rhel, Suse, Busybox, Scratch, Distroless, Windows };
const char* distro_name(Distro d);

// One POSIX shell script run by a RUN, as the rules not yet reading the model
// see it (FileFacts). New code reads ctx.model.runs(): model::Run is the same
// thing, and the helpers below take either.
struct RunScript : model::Run {
  std::uint32_t index = 0;   // == instruction, in Tree::instructions
};

struct StageFacts {
  syntax::Stage stage;
  bool shipped = false;    // the final stage or one it is built on (its layers end up in the image)
  bool posix = true;       // RUN goes through a POSIX shell (not powershell/cmd)
  Distro distro = Distro::Unknown;
};

struct FileFacts {
  std::vector<StageFacts> stages;
  std::vector<int> stage_of;     // per instruction (-1 before the first FROM)
  std::vector<RunScript> runs;   // in file order
};

// Computed once per file content and thread (every rule asks for the same file).
// For rules not yet reading ctx.model: while a ModelScope is open for the tree,
// taken from that model (its scripts are not parsed twice).
const FileFacts& facts(const syntax::Tree& tree);

// Makes facts() read `model` for its tree (the engine opens one around the rules).
class ModelScope {
 public:
  explicit ModelScope(const model::Model& model);
  ~ModelScope();
  ModelScope(const ModelScope&) = delete;
  ModelScope& operator=(const ModelScope&) = delete;

 private:
  const model::Model* m_previous;
};

// --- Offsets ------------------------------------------------------------------------

// Source bytes of text[span] of a script.
syntax::Span source_span(const syntax::Tree& tree, const model::Run& run, shell::Span span);
// The source offset right after text[end - 1] (stays on that byte's line, so an
// insertion there lands before a line continuation, not after it).
std::uint32_t source_after(const syntax::Tree& tree, const model::Run& run, std::size_t end);

// --- Commands ------------------------------------------------------------------------

// Whether the command runs program `family` (through wrappers; versioned names count).
bool runs(const shell::Command& cmd, std::string_view family);
// The value of the subcommand word ("install"), or "".
std::string_view subcommand_of(const shell::Command& cmd);
// The words after the subcommand that are operands (not options or their arguments).
std::vector<std::size_t> operands_after_subcommand(const shell::Command& cmd);
// True when `cmd` is in a pipeline whose previous command runs `family` (`yes | apt-get ...`).
bool piped_from(const model::Run& run, std::size_t cmd_index, std::string_view family);

// Whether the RUN mounts a cache (or tmpfs) over `dir` or a parent of it.
bool has_cache_mount(const syntax::Instruction& inst, std::string_view dir);
// Whether some ENV instruction of the stage (or before it) sets `name`.
bool env_set(const syntax::Tree& tree, const FileFacts& ff, std::uint32_t before, std::string_view name);
// The same, from the model: ENV or an ARG with a value visible right before instruction `before`.
bool env_set(const model::Model& model, std::uint32_t before, std::string_view name);

// --- Edits ---------------------------------------------------------------------------

// Inserts " <text>" right after word `word` of the command.
edit::Edit insert_after_word(const syntax::Tree& tree, const model::Run& run, const shell::Command& cmd,
                             std::size_t word, std::string_view text);
// Inserts " <flag>" after the subcommand (or the program), nullopt when there is none.
std::optional<edit::Edit> insert_flag(const syntax::Tree& tree, const model::Run& run, const shell::Command& cmd,
                                      std::string_view flag, shell::InsertAt where = shell::InsertAt::AfterSubcommand);
// Appends ` && <command>` at the end of the script (before a trailing `;`),
// nullopt when that cannot be done safely (a trailing comment, `&`, an
// incomplete script, a heredoc inside the RUN).
std::optional<edit::Edit> append_command(const syntax::Tree& tree, const model::Run& run, std::string_view command);
// Appends ` && <command>` right after command `cmd_index` when it is followed by
// `&&` or ends the script, at the top level; nullopt otherwise.
std::optional<edit::Edit> append_after_command(const syntax::Tree& tree, const model::Run& run, std::size_t cmd_index,
                                               std::string_view command);

// `word` in the case of `model` (a keyword as written): "AS" for "FROM", "as" for "from".
std::string same_case(std::string_view model, std::string_view word);

// A finding at command `cmd` of a RUN, with a fix made of `edits` (none: report only).
Finding command_finding(const syntax::Tree& tree, const model::Run& run, const shell::Command& cmd,
                        std::string message, std::string reason, std::vector<edit::Edit> edits);

// A finding at command `cmd` whose fix inserts `flag` (see insert_flag;
// report only when there is no place for it), with `expected` for the audit.
Finding flag_finding(const syntax::Tree& tree, const model::Run& run, const shell::Command& cmd, std::string_view flag,
                     shell::InsertAt where, std::string message, std::string reason, std::string expected);

// Lower case ASCII copy.
// (model/text.hpp has the one definition of each.)
using model::ends_with;
using model::lower;
using model::starts_with;

}  // namespace dockmend::transforms::builtin

namespace dockmend::transforms::builtin {

// Sets `applicable` and, when it applied and nothing was found, what is right.
void conclude(Outcome& out, bool applicable, std::string_view correct);

// Whether an unquoted expansion among the command's arguments may carry
// options ($APT_OPTS, ${PIP_FLAGS}, $ARGS): then an option may be there already.
bool options_may_hide(const shell::Command& cmd);

// Index in cmd.words of the last word of the run of flag words (options that
// take no argument) right after the subcommand, or the subcommand itself.
std::optional<std::size_t> after_leading_flags(const shell::Command& cmd);

}  // namespace dockmend::transforms::builtin
