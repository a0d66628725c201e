// yum-clean: yum, dnf, microdnf and tdnf metadata and package caches cleaned in
// the RUN that fills them.
#include <fmt/format.h>

#include "model/commands.hpp"
#include "model/script_edits.hpp"
#include "model/text.hpp"
#include "transforms/findings.hpp"
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

bool cleans(const model::Run& run) {
  for (const auto& c : run.script.commands) {
    auto inv = shell::invocation(c);
    if (!inv) continue;
    if (is_yum(inv->name) && model::subcommand_of(c) == "clean") return true;
    for (std::size_t i = inv->args; i < c.words.size(); ++i) {
      const std::string_view v = c.words[i].value;
      if (model::starts_with(v, "/var/cache/yum") || model::starts_with(v, "/var/cache/dnf") ||
          model::starts_with(v, "/var/cache/tdnf"))
        return true;
    }
  }
  return false;
}

void check_clean(const Context& ctx, Outcome& out) {
  const model::Model& m = ctx.model;
  bool any = false;
  for (const model::Run& run : m.runs()) {
    if (!run.parsed) continue;
    const auto& inst = ctx.tree.instructions[run.instruction];
    const shell::Command* first = nullptr;
    std::string_view name;
    for (const auto& cmd : run.script.commands) {
      auto inv = shell::invocation(cmd);
      if (!inv || !is_yum(inv->name) || !installs(model::subcommand_of(cmd))) continue;
      first = &cmd;
      name = inv->name;
      break;
    }
    if (!first || !m.stages()[static_cast<std::size_t>(run.stage)].ships) continue;
    if (model::has_cache_mount(inst, "/var/cache/yum") || model::has_cache_mount(inst, "/var/cache/dnf") ||
        model::has_cache_mount(inst, "/var/cache/tdnf"))
      continue;
    any = true;
    if (cleans(run)) continue;
    const std::string clean = fmt::format("{} clean all", name);
    std::vector<edit::Edit> edits;
    if (auto e = model::append_command(ctx.tree, run, clean)) edits.push_back(*e);
    auto f = command_finding(ctx.tree, run, *first,
                             fmt::format("{} installs without `{}` in the same RUN: its cache stays "
                                                  "in the layer",
                                                  name, clean),
                                      fmt::format("append && {}", clean), std::move(edits));
    f.expected = "... && " + clean;
    out.findings.push_back(std::move(f));
  }
  conclude(out, any, "yum/dnf caches are cleaned in the RUN that fills them");
}

}  // namespace

const RuleRegistration k_yum_clean{RuleSpec("yum-clean")
    .example("FROM fedora:40\nRUN dnf install -y git\n",
             "FROM fedora:40\nRUN dnf install -y git && dnf clean all\n",
             "FROM fedora:40\nRUN dnf install -y git && dnf clean all\n")
    .aliases("DL3032, DL3040, yumInstallRmVarCacheYum")
    .safety(FixSafety::Safe)
    .priority(2)
    .order(170)
    .summary("yum/dnf/microdnf install without `clean all` in the same RUN")
    .fix("appends && yum clean all (dnf, microdnf, tdnf: the same program) to the RUN")
    .check(&check_clean)};

}  // namespace dockmend::transforms::rules
