// yum-clean: yum, dnf, microdnf and tdnf metadata and package caches cleaned in
// the RUN that fills them.
#include <fmt/format.h>

#include "transforms/builtin_support.hpp"
#include "transforms/rule.hpp"

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

const RuleRegistration k_yum_clean{RuleSpec("yum-clean")
    .aliases("DL3032, DL3040, yumInstallRmVarCacheYum")
    .safety(FixSafety::Safe)
    .priority(2)
    .order(170)
    .summary("yum/dnf/microdnf install without `clean all` in the same RUN")
    .fix("appends && yum clean all (dnf, microdnf, tdnf: the same program) to the RUN")
    .check(&check_clean)};

}  // namespace dockmend::transforms::rules
