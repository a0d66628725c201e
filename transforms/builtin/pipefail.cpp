// A RUN with a pipe succeeds when only the last command of the pipeline does
// (`curl ... | tar x` with curl failing builds a broken image). SHELL with
// -o pipefail makes every pipeline of the stage fail as a whole.
#include <fmt/format.h>

#include "edit/builders.hpp"
#include "transforms/builtin_support.hpp"
#include "transforms/rule.hpp"

namespace dockmend::transforms::rules {
namespace {

using builtin::RunScript;

bool pipes(const RunScript& run) {
  for (const auto& c : run.script.commands)
    if (c.after == shell::Separator::Pipe || c.after == shell::Separator::PipeAll) return true;
  return false;
}

// `set -o pipefail` (-eo pipefail, -euxo pipefail...) before the first pipe.
bool sets_pipefail(const RunScript& run) {
  for (const auto& c : run.script.commands) {
    if (c.after == shell::Separator::Pipe || c.after == shell::Separator::PipeAll) return false;
    if (c.words.empty() || c.words[0].value != "set") continue;
    for (const auto& w : c.words)
      if (w.value == "pipefail") return true;
  }
  return false;
}

// Pipelines that pipefail would break: a writer killed by SIGPIPE when its
// reader stops early (`yes | ...`, `... | head`, `... | grep -q`).
bool sigpipe_prone(const RunScript& run) {
  const auto& cmds = run.script.commands;
  for (std::size_t i = 0; i < cmds.size(); ++i) {
    const auto& c = cmds[i];
    const bool writes = c.after == shell::Separator::Pipe || c.after == shell::Separator::PipeAll;
    if (writes && builtin::runs(c, "yes")) return true;
    const bool reads = i > 0 && (cmds[i - 1].after == shell::Separator::Pipe || cmds[i - 1].after == shell::Separator::PipeAll);
    if (!reads) continue;
    auto inv = shell::invocation(c);
    if (!inv) continue;
    if (inv->name == "head" || inv->name == "sed" || inv->name == "awk" || inv->name == "less" || inv->name == "more")
      return true;
    if ((inv->name == "grep" || inv->name == "egrep" || inv->name == "fgrep") &&
        shell::has_option(c, {"-q", "--quiet", "--silent", "-m", "--max-count", "-l", "--files-with-matches"}))
      return true;
  }
  return false;
}

bool shell_has_pipefail(const syntax::Instruction& shell) {
  for (const auto& v : shell.values)
    if (v.text == "pipefail") return true;
  return false;
}

std::string_view shell_name(std::string_view program) {
  const auto slash = program.rfind('/');
  return slash == std::string_view::npos ? program : program.substr(slash + 1);
}

void check(const Context& ctx, Outcome& out) {
  const auto& tree = ctx.tree;
  const auto& ff = builtin::facts(tree);
  bool any = false;
  std::vector<bool> fixed(ff.stages.size(), false);
  for (std::size_t r = 0; r < ff.runs.size(); ++r) {
    const RunScript& run = ff.runs[r];
    if (!pipes(run)) continue;
    any = true;
    // The SHELL in force: the last one of the stage or of the stages it is built on.
    const syntax::Instruction* shell = nullptr;
    for (std::uint32_t i = run.index; i-- > 0;) {
      const int s = ff.stage_of[i];
      if (s < 0) break;
      bool in_chain = false;
      for (int b = run.stage, prev = run.stage + 1; b >= 0 && b < prev; prev = b, b = ff.stages[b].stage.base_stage)
        if (b == s) in_chain = true;
      if (in_chain && tree.instructions[i].is("shell")) {
        shell = &tree.instructions[i];
        break;
      }
    }
    if (shell && shell_has_pipefail(*shell)) continue;
    if (sets_pipefail(run)) continue;
    const auto& inst = tree.instructions[run.index];
    const auto& c = run.script.commands;
    std::size_t first_pipe = 0;
    while (first_pipe < c.size() && c[first_pipe].after != shell::Separator::Pipe &&
           c[first_pipe].after != shell::Separator::PipeAll)
      ++first_pipe;
    Finding f = builtin::command_finding(tree, run, c[first_pipe],
                                         "RUN with a pipe and no pipefail: a failing command before the `|` "
                                         "goes unnoticed",
                                         "", {});
    // One SHELL per stage covers every later RUN: fix at the first.
    const int stage = run.stage;
    const auto distro = ff.stages[stage].distro;
    bool safe = !fixed[stage];
    for (std::size_t k = r; k < ff.runs.size() && safe; ++k)
      if (ff.runs[k].stage == stage && sigpipe_prone(ff.runs[k])) safe = false;
    if (safe && shell) {
      // A POSIX SHELL already set: add -o pipefail to it when the shell knows it.
      // A view of the value itself: `empty ? "" : text` would be a temporary string,
      // gone before `name` is read (found by tests/fuzz, stack-use-after-scope).
      const std::string_view program = shell->values.empty() ? std::string_view() : shell->values[0].text;
      const auto name = shell_name(program);
      if (shell->form == syntax::ArgsForm::Json && (name == "bash" || name == "ash" || name == "zsh" || name == "ksh")) {
        const auto end = shell->value_source(0).end;
        f.expected = fmt::format("SHELL [\"{}\", \"-o\", \"pipefail\", ...]", shell->values[0].text);
        edit::Fix fix;
        fix.reason = "add -o pipefail to SHELL";
        fix.edits.push_back({{end, end}, ", \"-o\", \"pipefail\""});
        f.fix = std::move(fix);
      }
    } else if (safe) {
      std::string sh;
      if (distro == builtin::Distro::Debian || distro == builtin::Distro::Rhel || distro == builtin::Distro::Suse)
        sh = "/bin/bash";
      else if (distro == builtin::Distro::Alpine || distro == builtin::Distro::Busybox)
        sh = "/bin/ash";
      if (!sh.empty()) {
        const std::string line = edit::keyword(edit::style_of(tree), "shell") + " " + edit::exec_form({sh, "-o", "pipefail", "-c"});
        f.expected = line;
        edit::Fix fix;
        fix.reason = "SHELL with -o pipefail before the first RUN that pipes";
        fix.edits.push_back(edit::insert_before(tree, inst, {line}));
        f.fix = std::move(fix);
      }
    }
    if (f.fix) fixed[stage] = true;
    out.findings.push_back(std::move(f));
  }
  builtin::conclude(out, any, "pipelines run with pipefail");
}

}  // namespace

const RuleRegistration k_pipefail{RuleSpec("pipefail")
    .aliases("DL4006")
    .safety(FixSafety::Unsafe)
    .priority(2)
    .order(360)
    .summary("RUN with a pipe, without SHELL -o pipefail or set -o pipefail")
    .fix("inserts SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"] (/bin/ash on Alpine) before the "
        "first such RUN of the stage, or adds -o pipefail to its SHELL")
    .check(&check)};

}  // namespace dockmend::transforms::rules
