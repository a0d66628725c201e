// Helpers shared by the policy passes: stages and their ancestry, ARG/ENV
// values, the shell text of RUN instructions (heredoc scripts included) with
// the way back to source bytes, package managers, and the edits that remove
// part of an instruction without losing the comments inside it.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "edit/builders.hpp"
#include "edit/edit.hpp"
#include "shell/shell.hpp"
#include "syntax/tree.hpp"
#include "transforms/rule.hpp"

namespace dockmend::transforms::support {

using syntax::Instruction;
using syntax::Span;
using syntax::Stage;
using syntax::Tree;

// ---------------------------------------------------------------- text

std::string lower(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
bool icontains(std::string_view haystack, std::string_view needle);
bool starts_with(std::string_view s, std::string_view prefix);
bool ends_with(std::string_view s, std::string_view suffix);
std::string join(const std::vector<std::string>& items, std::string_view separator);
// The non-empty refs, each once, joined with ", ".
std::string join_refs(const std::vector<std::string>& refs);
// "a/b/c" -> "c"; "a/b/" -> "b".
std::string_view basename(std::string_view path);
// Removes "./" prefixes and duplicate slashes; keeps a leading "/" and "..".
std::string normalize_path(std::string_view path);
// Whether `word` occurs in `text` delimited by characters that cannot be part
// of a file or package name ("tini" in "apt-get install tini", not in "tinix").
bool contains_token(std::string_view text, std::string_view word);
// A decimal number 0..65535 (the whole string), else nullopt.
std::optional<int> parse_port(std::string_view s);

// A value written the way ENV, ARG and LABEL values are: quotes removed and
// backslash escapes resolved as buildkit's shell lexer does ($ references kept).
std::string unquote(std::string_view raw);

// ---------------------------------------------------------------- variables

// Variable values visible at some point of a Dockerfile (ARG defaults, ENV).
using Vars = std::map<std::string, std::string>;

// Expands $NAME, ${NAME}, ${NAME:-word} and ${NAME-word}; nullopt when a
// referenced variable has no value (the result would depend on the build).
std::optional<std::string> expand(std::string_view text, const Vars& vars);
// Whether `text` references variable `name` ($NAME or ${NAME...}).
bool references(std::string_view text, std::string_view name);

// ARG defaults declared before the first FROM (the ones FROM lines see).
Vars global_args(const Tree& tree);

struct ArgDecl {
  std::string name;
  std::optional<std::string> value;  // the default, unquoted
  std::size_t value_index = 0;       // index in Instruction::values of its word
};
std::vector<ArgDecl> arg_decls(const Instruction& arg);

struct EnvEntry {
  std::string name;
  std::string value;         // unquoted
  std::string raw;           // as written (quotes kept)
  std::size_t value_index;   // index in Instruction::values of the value
  Span logical;              // the whole NAME=value word (the whole args in the legacy form)
  bool legacy = false;       // `ENV NAME value`
};
std::vector<EnvEntry> env_entries(const Instruction& env);

// ---------------------------------------------------------------- stages

struct StageSet {
  const Tree* tree = nullptr;
  std::vector<Stage> list;
  Vars globals;  // global ARG defaults

  explicit StageSet(const Tree& tree);
  bool empty() const { return list.empty(); }
  // The stage that ships (the policy rules' "runtime stage"): see shipped_stage().
  int final_index() const { return shipped; }
  int last_index() const { return static_cast<int>(list.size()) - 1; }
  int shipped = -1;
  std::string shipped_reason;  // "target", "stages", "" (the last stage), or why test stages were skipped
  // The stage and the stages it builds on, the root first.
  std::vector<int> chain(int stage) const;
  // Indexes of the instructions of `stage` (its FROM first).
  std::vector<std::uint32_t> instructions(int stage) const;
  // Of the whole chain, the root's first.
  std::vector<std::uint32_t> chain_instructions(int stage) const;
  // The last instruction with `keyword` in the chain of `stage` (what the image keeps), or -1.
  int last_in_chain(int stage, std::string_view keyword) const;
  // The stage's base image reference with global ARGs expanded (nullopt when it depends on the build).
  std::optional<std::string> resolved_base(int stage) const;
  // Variables visible to instruction `inst` of `stage`: ENV of ancestor
  // stages, then the stage's own ARG and ENV lines before it.
  Vars vars_at(int stage, std::uint32_t inst) const;
  // The first instruction of the stage's trailing run of metadata-only
  // instructions (EXPOSE, HEALTHCHECK, ENTRYPOINT, CMD, USER, LABEL, ...): where
  // a step that must still run before the image is finished goes. == end of
  // the stage when it ends with a build step.
  std::uint32_t tail_start(int stage) const;
  // The FROM and the ARG lines right after it: the last of them.
  std::uint32_t header_end(int stage) const;
  // The stage a `--from=` value or FROM name designates (by name or index), or -1.
  int stage_named(std::string_view name) const;
};

// The stage that ships: the service's `target` when the file has that stage, else
// the stage the policy's `stages` names last (the runtime), else the last stage
// that is not a test stage (`FROM runtime AS test`: a stage named test, tests,
// testing, ci, lint or *-test(s) / test-*, at the end of the file). -1 when none.
int shipped_stage(const std::vector<Stage>& list, const std::string* target, const std::vector<std::string>* names,
                  std::string* reason = nullptr);
bool is_test_stage_name(std::string_view name);

// The file's stages for a policy rule, or nullopt with the rule marked not
// applicable: when the policy does not ask for the rule here (`asked` false;
// the file is not read then) or the file has no FROM. The shipped stage
// follows the service's target and the policy's stages.
std::optional<StageSet> stages_for_rule(bool asked, const Context& ctx, Outcome& out);
// The same without a policy (the last stage that is not a test stage ships).
std::optional<StageSet> stages_for_rule(bool asked, const Tree& tree, Outcome& out);
// The stages of a rule's file with its shipped stage, whether or not it asks.
StageSet stages_of(const Context& ctx);

// ---------------------------------------------------------------- shell

// A piece of shell script inside an instruction: a shell-form RUN's arguments,
// or the body of a heredoc that is the script (`RUN <<EOF`, `RUN bash <<EOF`).
struct ShellText {
  const Instruction* inst = nullptr;
  std::uint32_t instruction = 0;  // index in Tree::instructions
  std::string text;
  bool heredoc = false;
  std::uint32_t base = 0;  // logical offset of text (args.begin), or the body's source offset
  shell::Script script;

  // Source bytes of a range of `text` (a point for an empty range).
  Span to_source(shell::Span s) const;
  // The range in the instruction's logical text (shell-form text only).
  Span to_logical(shell::Span s) const { return {base + static_cast<std::uint32_t>(s.begin), base + static_cast<std::uint32_t>(s.end)}; }
  std::string_view slice(shell::Span s) const { return shell::slice(text, s); }
};

// The shell scripts of instruction `i` (none when it is not a shell-form RUN).
std::vector<ShellText> shell_texts(const Tree& tree, std::uint32_t i);
// Of every RUN among `instructions`.
std::vector<ShellText> shell_texts(const Tree& tree, const std::vector<std::uint32_t>& instructions);

// Edits that remove `range` of a shell text. Comment lines inside the
// continuation are kept (the removal is split around them) and a line left
// with nothing but its continuation character is removed whole.
std::vector<edit::Edit> remove_shell_range(const Tree& tree, const ShellText& sh, shell::Span range);
// Removing commands at `indexes` of sh.script with the operators that join
// them to the rest. nullopt when that cannot be done without changing what the
// rest means (a command inside if/loops/substitutions, or joined with ||, |, &).
// `everything`: nothing but blanks would be left (remove the instruction instead).
struct Removal {
  std::vector<edit::Edit> edits;
  bool everything = false;
};
std::optional<Removal> remove_commands(const Tree& tree, const ShellText& sh, const std::vector<std::size_t>& indexes);

// Edits removing the logical range of an instruction (ENV entries and the
// like), split around comment lines inside it so that none is lost.
std::vector<edit::Edit> remove_logical(const Tree& tree, const Instruction& inst, Span logical);

// Removes a whole instruction, with the comment block above it only when that
// block mentions one of `about` (so a comment about what goes goes too, and
// section banners stay).
edit::Edit remove_instruction(const Tree& tree, const Instruction& inst, const std::vector<std::string>& about);

// ---------------------------------------------------------------- packages

enum class PackageManager { Unknown, Apt, Apk, Dnf, Microdnf, Yum, Zypper };
const char* package_manager_name(PackageManager pm);

struct PackageInstall {
  std::size_t text = 0;     // index in the ShellText list it was found in
  std::size_t command = 0;  // index in that script
  PackageManager manager = PackageManager::Unknown;
  std::vector<std::size_t> packages;  // word indexes of the package operands
};
// Package installs (apt-get/apt install, apk add, dnf/yum/microdnf/zypper install).
std::vector<PackageInstall> package_installs(const std::vector<ShellText>& texts);
// The package manager the stage uses (its chain first, then the whole file),
// else a guess from the base image's name (alpine, ubi, fedora, ...).
PackageManager package_manager(const StageSet& stages, int stage, bool* guessed = nullptr);
// A RUN line installing `packages` with `pm`, cleaning its caches.
std::string install_command(PackageManager pm, const std::vector<std::string>& packages);

// ---------------------------------------------------------------- context files

// The build-context file (root-relative) that an image path was copied from by a
// COPY/ADD of the stage's chain (without --from), if that can be told.
std::optional<std::string> context_source(const Context& ctx, const StageSet& stages, int stage,
                                          std::string_view image_path);

// The effective WORKDIR before instruction `inst` of `stage` ("" when unknown or unset).
std::string workdir_at(const StageSet& stages, int stage, std::uint32_t inst);

// An edit inserting `lines` before instruction `at` of `stage` (above its
// comments), or after the stage's last instruction when `at` is the stage's end.
edit::Edit insert_at(const StageSet& stages, int stage, std::uint32_t at, const std::vector<std::string>& lines);

// ---------------------------------------------------------------- images

// `[registry/][namespace/]name[:tag][@digest]`.
struct ImageRef {
  std::string path;    // everything before the name ("ghcr.io/org"), "" for "ubuntu"
  std::string name;    // the last path component
  std::string tag;     // "" when none
  std::string digest;  // "" when none
};
ImageRef parse_image(std::string_view ref);
// The repository path as the registry knows it: "" -> docker.io/library,
// "nvidia" -> docker.io/nvidia, "ghcr.io/org" stays (Docker Hub's short names).
std::string canonical_repository(std::string_view path);
// Whether a stage built from `image` is built from a policy family image: its
// name is the service's family (or one of base_image.families) under the
// registry. With no family known anywhere, every image counts.
bool is_family_image(const ImageRef& image, const Context& ctx);

// A Finding with the usual fields.
Finding finding(std::string message, Span at, std::string current, std::string expected, std::string ref);

// "stage NAME", "the runtime stage" or "stage #K", for messages.
std::string stage_label(const StageSet& st, int k);

}  // namespace dockmend::transforms::support
