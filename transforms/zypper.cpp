// zypper (openSUSE, SLES): non-interactive runs and the cache cleaned in the same RUN.
#include <fmt/format.h>

#include "transforms/builtin_support.hpp"
#include "transforms/rules.hpp"

namespace dockmend::transforms::rules {
namespace {

bool one_of(std::string_view v, std::initializer_list<std::string_view> set) {
  for (auto s : set)
    if (v == s) return true;
  return false;
}

// Subcommands that take --no-confirm (-y).
bool confirms(std::string_view sub) {
  return one_of(sub, {"install", "in", "remove", "rm", "update", "up", "patch", "dist-upgrade", "dup",
                      "source-install", "si", "install-new-recommends", "inr"});
}
bool installs(std::string_view sub) {
  return one_of(sub, {"install", "in", "update", "up", "patch", "dist-upgrade", "dup", "source-install", "si"});
}

void check_yes(const Context& ctx, Outcome& out) {
  const auto& ff = builtin::facts(ctx.tree);
  bool any = false;
  for (const auto& run : ff.runs) {
    for (std::size_t i = 0; i < run.script.commands.size(); ++i) {
      const auto& cmd = run.script.commands[i];
      if (!builtin::runs(cmd, "zypper")) continue;
      const auto sub = builtin::subcommand_of(cmd);
      if (!confirms(sub)) continue;
      any = true;
      if (shell::has_option(cmd, {"-n", "--non-interactive", "-y", "--no-confirm"}) ||
          builtin::options_may_hide(cmd) || builtin::piped_from(run, i, "yes"))
        continue;
      out.findings.push_back(builtin::flag_finding(
          ctx.tree, run, cmd, "-y", shell::InsertAt::AfterSubcommand,
          fmt::format("zypper {} without -n or -y: the build cannot answer its prompt", sub),
          fmt::format("add -y to zypper {}", sub), fmt::format("zypper {} -y ...", sub)));
    }
  }
  builtin::conclude(out, any, "zypper runs non-interactively");
}

void check_clean(const Context& ctx, Outcome& out) {
  const auto& ff = builtin::facts(ctx.tree);
  bool any = false;
  for (const auto& run : ff.runs) {
    const auto& inst = ctx.tree.instructions[run.index];
    const shell::Command* first = nullptr;
    bool cleaned = false;
    for (const auto& cmd : run.script.commands) {
      auto inv = shell::invocation(cmd);
      if (!inv) continue;
      if (inv->name == "zypper") {
        const auto sub = builtin::subcommand_of(cmd);
        if (installs(sub) && !first) first = &cmd;
        if (sub == "clean" || sub == "cc") cleaned = true;
      }
      for (std::size_t i = inv->args; i < cmd.words.size(); ++i)
        if (builtin::starts_with(cmd.words[i].value, "/var/cache/zypp")) cleaned = true;
    }
    if (!first || !ff.stages[run.stage].shipped || builtin::has_cache_mount(inst, "/var/cache/zypp")) continue;
    any = true;
    if (cleaned) continue;
    std::vector<edit::Edit> edits;
    if (auto e = builtin::append_command(ctx.tree, run, "zypper clean --all")) edits.push_back(*e);
    auto f = builtin::command_finding(ctx.tree, run, *first,
                                      "zypper installs without `zypper clean` in the same RUN: its cache stays in the layer",
                                      "append && zypper clean --all", std::move(edits));
    f.expected = "... && zypper clean --all";
    out.findings.push_back(std::move(f));
  }
  builtin::conclude(out, any, "zypper caches are cleaned in the RUN that fills them");
}

}  // namespace

const Rule& zypper_yes() {
  static const Rule r{"zypper-yes", "zypper install (update, remove...) without -n or -y",
                      "adds -y after the subcommand", "DL3034", RuleKind::Builtin, FixSafety::Safe, 1, &check_yes};
  return r;
}

const Rule& zypper_clean() {
  static const Rule r{"zypper-clean", "zypper install without zypper clean in the same RUN",
                      "appends && zypper clean --all to the RUN", "DL3036", RuleKind::Builtin, FixSafety::Safe, 2,
                      &check_clean};
  return r;
}

}  // namespace dockmend::transforms::rules
