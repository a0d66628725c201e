// A RUN with a pipe succeeds when only the last command of the pipeline does
// (`curl ... | tar x` with curl failing builds a broken image). SHELL with
// -o pipefail makes every pipeline of the stage fail as a whole, but SHELL is
// stored in the image config: in a stage that ships (or that another builds
// FROM) it changes every RUN, shell-form CMD, ENTRYPOINT and HEALTHCHECK of
// every image built on it (dash's `echo '	'`, `yes | cmd` exiting 141). There
// the fix is local (`set -o pipefail` in the RUN, where its shell has the
// option: dash, Debian's /bin/sh, has not) or, failing that, unsafe.
#include <algorithm>

#include <fmt/format.h>

#include "edit/builders.hpp"
#include "model/commands.hpp"
#include "model/script_edits.hpp"
#include "transforms/findings.hpp"
#include "transforms/rule.hpp"

namespace dockmend::transforms::rules {
namespace {

// Whether command `i` runs inside a word of another command (`$(echo $V | cut -d. -f1)`
// as an argument): the status of that pipeline is dropped whatever pipefail says.
bool in_substitution(const model::Run& run, std::size_t i) {
  const auto& cmds = run.script.commands;
  const auto& c = cmds[i];
  for (std::size_t j = 0; j < cmds.size(); ++j) {
    if (j == i) continue;
    for (const auto& w : cmds[j].words)
      if (w.span.begin < c.span.begin && c.span.end <= w.span.end) return true;
    for (const auto& a : cmds[j].assignments)
      if (a.span.begin < c.span.begin && c.span.end <= a.span.end) return true;
  }
  return false;
}

// A pipe whose status counts (not inside a command substitution).
bool pipes(const model::Run& run) {
  for (std::size_t i = 0; i < run.script.commands.size(); ++i) {
    const auto& c = run.script.commands[i];
    if ((c.after == shell::Separator::Pipe || c.after == shell::Separator::PipeAll) && !in_substitution(run, i))
      return true;
  }
  return false;
}

// `set -o pipefail` (-eo pipefail, -euxo pipefail...) before the first pipe.
bool sets_pipefail(const model::Run& run) {
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
bool sigpipe_prone(const model::Run& run) {
  const auto& cmds = run.script.commands;
  for (std::size_t i = 0; i < cmds.size(); ++i) {
    const auto& c = cmds[i];
    const bool writes = c.after == shell::Separator::Pipe || c.after == shell::Separator::PipeAll;
    if (writes && model::runs(c, "yes")) return true;
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

// Whether every pipeline of the RUN is one whose failure cannot matter: its
// writers are echo / printf / yes / true (`echo "$sum  file" | sha256sum -c`:
// the reader's status is what counts).
bool harmless_pipes(const model::Run& run) {
  const auto& cmds = run.script.commands;
  for (std::size_t i = 0; i < cmds.size(); ++i) {
    const auto& c = cmds[i];
    if ((c.after != shell::Separator::Pipe && c.after != shell::Separator::PipeAll) || in_substitution(run, i)) continue;
    auto inv = shell::invocation(c);
    const std::string_view n = inv ? inv->name : std::string_view();
    if (n != "echo" && n != "printf" && n != "yes" && n != "true") return false;
  }
  return true;
}

// The shell a RUN of the stage runs under without SHELL: /bin/sh of its distribution.
// Debian's and Ubuntu's is dash, which has no pipefail (added upstream in 2024,
// after bookworm and noble); busybox ash, bash (RHEL, SUSE) and friends have it.
bool default_sh_knows_pipefail(model::Distro d) {
  return d == model::Distro::Alpine || d == model::Distro::Busybox || d == model::Distro::Rhel ||
         d == model::Distro::Suse;
}

bool knows_pipefail(std::string_view shell) {
  return shell == "bash" || shell == "ash" || shell == "zsh" || shell == "ksh" || shell == "mksh" || shell == "busybox";
}

// The local remedy: pipefail for this RUN only. `set -eux` first gains
// `-o pipefail`; otherwise `set -o pipefail && ` goes before the first command.
std::optional<edit::Edit> local_pipefail(const syntax::Tree& tree, const model::Run& run) {
  if (!run.editable || run.script.commands.empty()) return std::nullopt;
  const auto& first = run.script.commands.front();
  if (first.depth != 0 || first.words.empty() || !first.assignments.empty()) return std::nullopt;
  if (first.words[0].value == "set" && first.words.size() >= 2 && first.redirects.empty()) {
    for (std::size_t i = 1; i < first.words.size(); ++i) {
      const auto& w = first.words[i];
      if (w.quoted || w.has_expansion || w.value.size() < 2 || (w.value[0] != '-' && w.value[0] != '+')) return std::nullopt;
    }
    return model::insert_after_word(tree, run, first, first.words.size() - 1, "-o pipefail");
  }
  const auto at = run.source(tree, first.span).begin;
  return edit::Edit{{at, at}, "set -o pipefail && "};
}

void check(const Context& ctx, Outcome& out) {
  const auto& tree = ctx.tree;
  const model::Model& m = ctx.model;
  const auto& stages = m.stages();
  const auto& runs = m.runs();
  bool any = false;
  std::vector<bool> fixed(stages.size(), false);
  for (std::size_t r = 0; r < runs.size(); ++r) {
    const model::Run& run = runs[r];
    if (!run.parsed || !pipes(run)) continue;
    any = true;
    // The SHELL in force: the last one of the stage or of the stages it is built on.
    const std::vector<std::int32_t> chain = m.chain(run.stage);
    const syntax::Instruction* shell = nullptr;
    for (std::uint32_t i = run.instruction; i-- > 0;) {
      const std::int32_t s = m.stage_of(i);
      if (s < 0) break;
      if (std::find(chain.begin(), chain.end(), s) != chain.end() && tree.instructions[i].is("shell")) {
        shell = &tree.instructions[i];
        break;
      }
    }
    if (shell && shell_has_pipefail(*shell)) continue;
    if (sets_pipefail(run) || harmless_pipes(run)) continue;
    const auto& inst = tree.instructions[run.instruction];
    const auto& c = run.script.commands;
    std::size_t first_pipe = 0;
    while (first_pipe < c.size() && c[first_pipe].after != shell::Separator::Pipe &&
           c[first_pipe].after != shell::Separator::PipeAll)
      ++first_pipe;
    Finding f = command_finding(tree, run, c[first_pipe],
                                "RUN with a pipe and no pipefail: a failing command before the `|` "
                                "goes unnoticed",
                                "", {});
    const std::int32_t stage = run.stage;
    const model::Stage& st = stages[static_cast<std::size_t>(stage)];
    const model::Distro distro = st.platform_facts.distro.value;
    // SHELL is stored in the image: in a stage that ships, or that another
    // stage builds FROM, it changes every later RUN and every shell-form CMD,
    // ENTRYPOINT and HEALTHCHECK of the images built on it. Elsewhere it is safe.
    const bool shell_is_local = !st.ships && !st.built_on;
    const std::string_view program = shell && !shell->values.empty() ? std::string_view(shell->values[0].text)
                                                                     : std::string_view();
    // A view of the value itself: `empty ? "" : text` would be a temporary string,
    // gone before `name` is read (found by tests/fuzz, stack-use-after-scope).
    const auto name = shell_name(program);
    const bool posix_shell_json = shell && shell->form == syntax::ArgsForm::Json && knows_pipefail(name);
    const bool run_knows = run.heredoc ? false : shell ? posix_shell_json : default_sh_knows_pipefail(distro);
    if (sigpipe_prone(run)) {
      // pipefail would turn `yes | cmd` or `cmd | head` into a failure: report only.
    } else if (run_knows && !shell_is_local) {
      if (auto e = local_pipefail(tree, run)) {
        f.expected = "set -o pipefail && ...";
        edit::Fix fix;
        fix.reason = "set -o pipefail in this RUN";
        fix.edits.push_back(*e);
        f.fix = std::move(fix);
        f.safety = FixSafety::Safe;
      }
    } else if (!fixed[stage]) {
      // One SHELL per stage covers every later RUN: fix at the first, when no
      // later RUN of the stage pipes into a reader that stops early.
      bool prone = false;
      for (std::size_t k = r; k < runs.size() && !prone; ++k)
        if (runs[k].parsed && runs[k].stage == stage && sigpipe_prone(runs[k])) prone = true;
      if (!prone && shell) {
        // A POSIX SHELL already set: add -o pipefail to it when the shell knows it.
        if (posix_shell_json && name != "busybox") {
          const auto end = shell->value_source(0).end;
          f.expected = fmt::format("SHELL [\"{}\", \"-o\", \"pipefail\", ...]", shell->values[0].text);
          edit::Fix fix;
          fix.reason = "add -o pipefail to SHELL";
          fix.edits.push_back({{end, end}, ", \"-o\", \"pipefail\""});
          f.fix = std::move(fix);
        }
      } else if (!prone) {
        std::string sh;
        if (distro == model::Distro::Debian || distro == model::Distro::Rhel || distro == model::Distro::Suse)
          sh = "/bin/bash";
        else if (distro == model::Distro::Alpine || distro == model::Distro::Busybox)
          sh = "/bin/ash";
        if (!sh.empty()) {
          const std::string line =
              edit::keyword(edit::style_of(tree), "shell") + " " + edit::exec_form({sh, "-o", "pipefail", "-c"});
          f.expected = line;
          edit::Fix fix;
          fix.reason = "SHELL with -o pipefail before the first RUN that pipes";
          fix.edits.push_back(edit::insert_before(tree, inst, {line}));
          f.fix = std::move(fix);
        }
      }
      if (f.fix) {
        fixed[stage] = true;
        f.safety = shell_is_local ? FixSafety::Safe : FixSafety::Unsafe;
        if (!shell_is_local)
          f.message += st.ships ? " (SHELL would be stored in the image: unsafe fix)"
                                                : " (SHELL would pass to the stages built FROM this one: unsafe fix)";
      }
    }
    out.findings.push_back(std::move(f));
  }
  conclude(out, any, "pipelines run with pipefail");
}

}  // namespace

const RuleRegistration k_pipefail{RuleSpec("pipefail")
    .example("FROM alpine:3.19\nRUN wget -qO- https://example.com/a.tgz | tar -xz -C /opt\n",
             "FROM alpine:3.19\nRUN set -o pipefail && wget -qO- https://example.com/a.tgz | tar -xz -C /opt\n",
             "FROM alpine:3.19\nRUN set -o pipefail && wget -qO- https://example.com/a.tgz | tar -xz -C /opt\n")
    .aliases("DL4006")
    .safety(FixSafety::Unsafe)
    .priority(2)
    .order(360)
    .summary("RUN with a pipe, without SHELL -o pipefail or set -o pipefail")
    .fix("where the RUN's shell knows pipefail (bash, ash: Alpine, RHEL, SUSE, a bash SHELL) and the stage "
        "ships or is built on: set -o pipefail in that RUN (safe); in a stage nothing builds FROM or "
        "ships: SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"] (/bin/ash on Alpine) before "
        "its first such RUN, or -o pipefail added to its SHELL (safe); otherwise that SHELL is an "
        "unsafe fix (it is stored in the image). No finding when only echo/printf/yes write into pipes")
    .check(&check)};

}  // namespace dockmend::transforms::rules
