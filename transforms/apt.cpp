// apt on Debian and Ubuntu: unattended installs (-y), no recommended extras,
// the package lists fetched and removed in the same layer, apt-get rather than
// apt in scripts.
#include <fmt/format.h>

#include "transforms/builtin_support.hpp"
#include "transforms/rules.hpp"

namespace dockmend::transforms::rules {
namespace {

using builtin::RunScript;

bool is_apt(std::string_view name) { return name == "apt-get" || name == "apt" || name == "aptitude"; }

bool one_of(std::string_view v, std::initializer_list<std::string_view> set) {
  for (auto s : set)
    if (v == s) return true;
  return false;
}

// Subcommands that ask "Do you want to continue?" without -y (apt-get(8);
// `source` and `download` only fetch files and never ask; `reinstall` is apt's).
bool prompts(std::string_view sub) {
  return one_of(sub, {"install", "upgrade", "dist-upgrade", "full-upgrade", "remove", "purge", "autoremove",
                      "autopurge", "build-dep", "reinstall"});
}

// -s and its aliases only print what would happen: nothing to confirm. So
// does --print-uris.
bool simulates(const shell::Command& cmd) {
  return shell::has_option(cmd, {"-s", "--simulate", "--just-print", "--dry-run", "--recon", "--no-act",
                                 "--print-uris"});
}

// apt's quiet level 2 (-qq, -q=2, --quiet=2) implies --yes.
int quiet_level(const shell::Command& cmd, std::size_t from) {
  int level = 0;
  for (std::size_t i = from; i < cmd.words.size(); ++i) {
    const std::string_view v = cmd.words[i].value;
    if (v == "--") break;
    if (v == "--quiet" || v == "--silent") ++level;
    else if (builtin::starts_with(v, "--quiet=") || builtin::starts_with(v, "-q=")) level += std::atoi(v.data() + v.find('=') + 1);
    else if (v.size() > 1 && v[0] == '-' && v[1] != '-') {
      for (char c : v.substr(1)) {
        if (c == 'q') ++level;
        if (c == 'o' || c == 'c' || c == 't' || c == 'a') break;
      }
    }
  }
  return level;
}

// -o APT::Get::Assume-Yes=true and friends, written on the command line.
bool has_config(const shell::Command& cmd, std::string_view key) {
  const std::string k = builtin::lower(key);
  for (const auto& w : cmd.words)
    if (builtin::lower(w.value).find(k) != std::string::npos) return true;
  return false;
}

struct AptCommand {
  const RunScript* run;
  std::size_t index;
  const shell::Command* cmd;
  std::string_view name;
  std::string_view sub;
};

template <class Fn>
void for_each_apt(const syntax::Tree& tree, Fn fn) {
  const auto& ff = builtin::facts(tree);
  for (const auto& run : ff.runs) {
    for (std::size_t i = 0; i < run.script.commands.size(); ++i) {
      const auto& cmd = run.script.commands[i];
      auto inv = shell::invocation(cmd);
      if (!inv || !is_apt(inv->name)) continue;
      fn(AptCommand{&run, i, &cmd, inv->name, builtin::subcommand_of(cmd)});
    }
  }
}

// ---------------------------------------------------------------- apt-get-yes

void check_yes(const Context& ctx, Outcome& out) {
  bool any = false;
  for_each_apt(ctx.tree, [&](const AptCommand& a) {
    if (!prompts(a.sub) || simulates(*a.cmd)) return;
    any = true;
    const auto& cmd = *a.cmd;
    if (shell::has_option(cmd, {"-y", "--yes", "--assume-yes", "--force-yes"})) return;
    auto inv = shell::invocation(cmd);
    if (quiet_level(cmd, inv->args) >= 2 || has_config(cmd, "Assume-Yes") || builtin::options_may_hide(cmd)) return;
    if (builtin::piped_from(*a.run, a.index, "yes")) return;
    out.findings.push_back(builtin::flag_finding(
        ctx.tree, *a.run, cmd, "-y", shell::InsertAt::AfterSubcommand,
        fmt::format("{} {} without -y: the build cannot answer its prompt", a.name, a.sub),
        fmt::format("add -y to {} {}", a.name, a.sub), fmt::format("{} {} -y ...", a.name, a.sub)));
  });
  builtin::conclude(out, any, "apt-get runs with -y");
}

// ------------------------------------------------------ apt-no-install-recommends

void check_recommends(const Context& ctx, Outcome& out) {
  bool any = false;
  // A config file written by the Dockerfile may switch recommends off for every install.
  const bool configured = ctx.tree.source.find("Install-Recommends") != std::string_view::npos;
  for_each_apt(ctx.tree, [&](const AptCommand& a) {
    if (a.sub != "install" || a.name == "aptitude" || simulates(*a.cmd)) return;
    any = true;
    const auto& cmd = *a.cmd;
    if (configured || builtin::options_may_hide(cmd)) return;
    if (shell::has_option(cmd, {"--no-install-recommends"})) return;
    std::vector<edit::Edit> edits;
    if (auto last = builtin::after_leading_flags(cmd); last && a.run->editable)
      edits.push_back(builtin::insert_after_word(ctx.tree, *a.run, cmd, *last, "--no-install-recommends"));
    out.findings.push_back(builtin::command_finding(
        ctx.tree, *a.run, cmd,
        fmt::format("{} install without --no-install-recommends: recommended packages bloat the image", a.name),
        "add --no-install-recommends", std::move(edits)));
    out.findings.back().expected = fmt::format("{} install --no-install-recommends ...", a.name);
  });
  builtin::conclude(out, any, "apt-get install uses --no-install-recommends");
}

// ------------------------------------------------------------ apt-lists-cleanup

bool removes_lists(const RunScript& run) {
  for (const auto& c : run.script.commands) {
    auto inv = shell::invocation(c);
    if (!inv || is_apt(inv->name)) continue;
    for (std::size_t i = inv->args; i < c.words.size(); ++i)
      if (builtin::starts_with(c.words[i].value, "/var/lib/apt/lists")) return true;
  }
  return false;
}

// Commands that read the package lists a previous layer left behind.
bool reads_lists(const RunScript& run) {
  bool updated = false;
  for (const auto& c : run.script.commands) {
    auto inv = shell::invocation(c);
    if (!inv || !is_apt(inv->name)) {
      if (inv && inv->name == "apt-cache") return !updated;
      continue;
    }
    const auto sub = builtin::subcommand_of(c);
    if (sub == "update") updated = true;
    else if (!updated && one_of(sub, {"install", "upgrade", "dist-upgrade", "full-upgrade", "build-dep", "source",
                                      "reinstall", "download"}))
      return true;
  }
  return false;
}

void check_lists(const Context& ctx, Outcome& out) {
  const auto& ff = builtin::facts(ctx.tree);
  bool any = false;
  for (std::size_t r = 0; r < ff.runs.size(); ++r) {
    const RunScript& run = ff.runs[r];
    const auto& inst = ctx.tree.instructions[run.index];
    const shell::Command* update = nullptr;
    bool install = false;
    for (const auto& c : run.script.commands) {
      auto inv = shell::invocation(c);
      if (!inv || !is_apt(inv->name)) continue;
      const auto sub = builtin::subcommand_of(c);
      if (sub == "update" && !update) update = &c;
      if (sub == "install" && update) install = true;
    }
    if (!update) continue;
    // Lists in a stage the image does not build on, or in a cache mount, never reach a layer.
    if (!ff.stages[run.stage].shipped || builtin::has_cache_mount(inst, "/var/lib/apt/lists")) continue;
    any = true;
    if (removes_lists(run)) continue;
    std::vector<edit::Edit> edits;
    // Removing the lists would break a later RUN that installs without updating.
    bool later_reads = false;
    for (std::size_t k = r + 1; k < ff.runs.size() && !later_reads; ++k) {
      const int s = ff.runs[k].stage;
      bool built_on = false;
      for (int b = s; b >= 0; b = ff.stages[b].stage.base_stage)
        if (b == run.stage) built_on = true;
      if (built_on && reads_lists(ff.runs[k])) later_reads = true;
    }
    if (install && !later_reads)
      if (auto e = builtin::append_command(ctx.tree, run, "rm -rf /var/lib/apt/lists/*")) edits.push_back(*e);
    auto f = builtin::command_finding(ctx.tree, run, *update,
                                      "apt-get update leaves the package lists in the layer: "
                                      "remove /var/lib/apt/lists/* in the same RUN",
                                      "append && rm -rf /var/lib/apt/lists/*", std::move(edits));
    f.expected = "... && rm -rf /var/lib/apt/lists/*";
    out.findings.push_back(std::move(f));
  }
  builtin::conclude(out, any, "apt lists are removed in the RUN that fetches them");
}

// ----------------------------------------------------------- apt-update-install

// Every package operand is a local .deb file (./x.deb, /tmp/x.deb).
bool local_debs_only(const shell::Command& cmd) {
  const auto ops = builtin::operands_after_subcommand(cmd);
  if (ops.empty()) return false;
  for (auto i : ops) {
    const std::string_view v = cmd.words[i].value;
    if (!builtin::ends_with(v, ".deb") || v.find('/') == std::string_view::npos) return false;
  }
  return true;
}

void check_update(const Context& ctx, Outcome& out) {
  const auto& ff = builtin::facts(ctx.tree);
  bool any = false;
  for (const auto& run : ff.runs) {
    const auto& inst = ctx.tree.instructions[run.index];
    bool updated = false;
    for (std::size_t i = 0; i < run.script.commands.size(); ++i) {
      const auto& c = run.script.commands[i];
      auto inv = shell::invocation(c);
      if (!inv || !is_apt(inv->name) || inv->name == "aptitude") continue;
      const auto sub = builtin::subcommand_of(c);
      if (sub == "update") updated = true;
      if (sub != "install") continue;
      any = true;
      if (updated) break;
      // Only local .deb files (`apt-get install ./x.deb`): nothing to fetch by name.
      if (local_debs_only(c)) break;
      // With the lists in a cache mount, an earlier RUN's update is still there by design.
      if (builtin::has_cache_mount(inst, "/var/lib/apt/lists")) break;
      std::vector<edit::Edit> edits;
      // Only a plain command (no wrapper, not inside a pipeline or a compound) gets the prefix.
      const bool plain = inv->program == 0 && c.depth == 0 &&
                         (i == 0 || (run.script.commands[i - 1].after != shell::Separator::Pipe &&
                                     run.script.commands[i - 1].after != shell::Separator::PipeAll));
      if (plain && run.editable && (run.heredoc || inst.heredocs.empty())) {
        const auto at = builtin::source_span(ctx.tree, run, c.span).begin;
        edits.push_back({{at, at}, fmt::format("{} update && ", inv->name)});
      }
      auto f = builtin::command_finding(ctx.tree, run, c,
                                        fmt::format("{} install without {} update in the same RUN: a cached "
                                                    "layer installs from stale (or no) package lists",
                                                    inv->name, inv->name),
                                        fmt::format("run {} update first in the same RUN", inv->name),
                                        std::move(edits));
      f.expected = fmt::format("{} update && {} install ...", inv->name, inv->name);
      out.findings.push_back(std::move(f));
      break;
    }
  }
  builtin::conclude(out, any, "apt-get update runs in the same RUN as install");
}

// --------------------------------------------------------------- apt-get-not-apt

void check_not_apt(const Context& ctx, Outcome& out) {
  bool any = false;
  for_each_apt(ctx.tree, [&](const AptCommand& a) {
    if (a.name != "apt") return;
    any = true;
    const auto& cmd = *a.cmd;
    auto inv = shell::invocation(cmd);
    std::vector<edit::Edit> edits;
    // Only where apt-get has the same subcommand with the same meaning.
    if (a.run->editable && cmd.words[inv->program].value == "apt" && !cmd.words[inv->program].quoted &&
        one_of(a.sub, {"install", "update", "remove", "purge", "autoremove", "clean", "autoclean"}))
      edits.push_back({builtin::source_span(ctx.tree, *a.run, cmd.words[inv->program].span), "apt-get"});
    out.findings.push_back(builtin::command_finding(
        ctx.tree, *a.run, cmd, "apt has no stable command-line interface for scripts; use apt-get",
        "apt -> apt-get", std::move(edits)));
    out.findings.back().expected = "apt-get";
  });
  builtin::conclude(out, any, "");
}

// ------------------------------------------------------------------ apt-upgrade

void check_upgrade(const Context& ctx, Outcome& out) {
  bool any = false;
  for_each_apt(ctx.tree, [&](const AptCommand& a) {
    any = true;
    if (!one_of(a.sub, {"upgrade", "dist-upgrade", "full-upgrade"})) return;
    out.findings.push_back(builtin::command_finding(
        ctx.tree, *a.run, *a.cmd,
        fmt::format("{} {} in a Dockerfile: update the base image instead (builds stop being reproducible)",
                    a.name, a.sub),
        "", {}));
  });
  builtin::conclude(out, any, "no apt-get upgrade");
}

}  // namespace

const Rule& apt_get_yes() {
  static const Rule r{"apt-get-yes", "apt-get install (remove, upgrade...) without -y",
                      "adds -y after the subcommand", "DL3014, aptGetInstallUseY", RuleKind::Builtin,
                      FixSafety::Safe, 1, &check_yes};
  return r;
}

const Rule& apt_no_install_recommends() {
  static const Rule r{"apt-no-install-recommends", "apt-get install without --no-install-recommends",
                      "adds --no-install-recommends after the subcommand (and -y)", "DL3015, aptGetInstallUseNoRec",
                      RuleKind::Builtin, FixSafety::Unsafe, 2, &check_recommends};
  return r;
}

const Rule& apt_lists_cleanup() {
  static const Rule r{"apt-lists-cleanup", "apt-get update without rm -rf /var/lib/apt/lists/* in the same RUN",
                      "appends && rm -rf /var/lib/apt/lists/* to the RUN (not when a later RUN still reads them)",
                      "DL3009, aptGetInstallThenRemoveAptLists", RuleKind::Builtin, FixSafety::Safe, 2,
                      &check_lists};
  return r;
}

const Rule& apt_update_install() {
  static const Rule r{"apt-update-install", "apt-get install without apt-get update earlier in the same RUN",
                      "puts apt-get update && before the install", "aptGetUpdatePrecedesInstall",
                      RuleKind::Builtin, FixSafety::Safe, 2, &check_update};
  return r;
}

const Rule& apt_get_not_apt() {
  static const Rule r{"apt-get-not-apt", "apt used in a script instead of apt-get",
                      "apt -> apt-get for install, update, remove, purge, autoremove, clean", "DL3027",
                      RuleKind::Builtin, FixSafety::Safe, 3, &check_not_apt};
  return r;
}

const Rule& apt_upgrade() {
  static const Rule r{"apt-upgrade", "apt-get upgrade or dist-upgrade in a Dockerfile", "", "DL3005",
                      RuleKind::Builtin, FixSafety::ReportOnly, 3, &check_upgrade};
  return r;
}

}  // namespace dockmend::transforms::rules
