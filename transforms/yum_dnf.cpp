// yum, dnf, microdnf and tdnf: unattended installs (-y) and the metadata and
// package cache cleaned in the same RUN.
#include <fmt/format.h>

#include "transforms/builtin_support.hpp"
#include "transforms/rules.hpp"

namespace dockmend::transforms::rules {
namespace {

bool is_yum(std::string_view n) { return n == "yum" || n == "dnf" || n == "microdnf" || n == "tdnf"; }

bool one_of(std::string_view v, std::initializer_list<std::string_view> set) {
  for (auto s : set)
    if (v == s) return true;
  return false;
}

bool installs(std::string_view sub) {
  return one_of(sub, {"install", "groupinstall", "localinstall", "reinstall", "update", "upgrade", "group",
                      "module", "builddep", "downgrade", "distro-sync"});
}

void check_yes(const Context& ctx, Outcome& out) {
  const auto& ff = builtin::facts(ctx.tree);
  bool any = false;
  for (const auto& run : ff.runs) {
    for (std::size_t i = 0; i < run.script.commands.size(); ++i) {
      const auto& cmd = run.script.commands[i];
      auto inv = shell::invocation(cmd);
      // microdnf never prompts.
      if (!inv || !is_yum(inv->name) || inv->name == "microdnf") continue;
      const auto sub = builtin::subcommand_of(cmd);
      if (!installs(sub) && !one_of(sub, {"remove", "erase", "autoremove"})) continue;
      any = true;
      if (shell::has_option(cmd, {"-y", "--assumeyes"}) || builtin::options_may_hide(cmd)) continue;
      bool configured = false;
      for (const auto& w : cmd.words)
        if (builtin::lower(w.value).find("assumeyes") != std::string::npos) configured = true;
      if (configured || builtin::piped_from(run, i, "yes")) continue;
      out.findings.push_back(builtin::flag_finding(
          ctx.tree, run, cmd, "-y", shell::InsertAt::AfterSubcommand,
          fmt::format("{} {} without -y: the build cannot answer its prompt", inv->name, sub),
          fmt::format("add -y to {} {}", inv->name, sub), fmt::format("{} {} -y ...", inv->name, sub)));
    }
  }
  builtin::conclude(out, any, "yum/dnf run with -y");
}

bool cleans(const builtin::RunScript& run) {
  for (const auto& c : run.script.commands) {
    auto inv = shell::invocation(c);
    if (!inv) continue;
    if (is_yum(inv->name) && builtin::subcommand_of(c) == "clean") return true;
    for (std::size_t i = inv->args; i < c.words.size(); ++i) {
      const std::string_view v = c.words[i].value;
      if (builtin::starts_with(v, "/var/cache/yum") || builtin::starts_with(v, "/var/cache/dnf") ||
          builtin::starts_with(v, "/var/cache/tdnf"))
        return true;
    }
  }
  return false;
}

void check_clean(const Context& ctx, Outcome& out) {
  const auto& ff = builtin::facts(ctx.tree);
  bool any = false;
  for (const auto& run : ff.runs) {
    const auto& inst = ctx.tree.instructions[run.index];
    const shell::Command* first = nullptr;
    std::string_view name;
    for (const auto& cmd : run.script.commands) {
      auto inv = shell::invocation(cmd);
      if (!inv || !is_yum(inv->name) || !installs(builtin::subcommand_of(cmd))) continue;
      first = &cmd;
      name = inv->name;
      break;
    }
    if (!first || !ff.stages[run.stage].shipped) continue;
    if (builtin::has_cache_mount(inst, "/var/cache/yum") || builtin::has_cache_mount(inst, "/var/cache/dnf") ||
        builtin::has_cache_mount(inst, "/var/cache/tdnf"))
      continue;
    any = true;
    if (cleans(run)) continue;
    const std::string clean = fmt::format("{} clean all", name);
    std::vector<edit::Edit> edits;
    if (auto e = builtin::append_command(ctx.tree, run, clean)) edits.push_back(*e);
    auto f = builtin::command_finding(ctx.tree, run, *first,
                                      fmt::format("{} installs without `{}` in the same RUN: its cache stays "
                                                  "in the layer",
                                                  name, clean),
                                      fmt::format("append && {}", clean), std::move(edits));
    f.expected = "... && " + clean;
    out.findings.push_back(std::move(f));
  }
  builtin::conclude(out, any, "yum/dnf caches are cleaned in the RUN that fills them");
}

}  // namespace

const Rule& yum_yes() {
  static const Rule r{"yum-yes", "yum/dnf install (update, remove...) without -y", "adds -y after the subcommand",
                      "DL3030, DL3038, yumInstallForceYes", RuleKind::Builtin, FixSafety::Safe, 1, &check_yes};
  return r;
}

const Rule& yum_clean() {
  static const Rule r{"yum-clean", "yum/dnf/microdnf install without `clean all` in the same RUN",
                      "appends && yum clean all (dnf, microdnf, tdnf: the same program) to the RUN",
                      "DL3032, DL3040, yumInstallRmVarCacheYum", RuleKind::Builtin, FixSafety::Safe, 2,
                      &check_clean};
  return r;
}

}  // namespace dockmend::transforms::rules
