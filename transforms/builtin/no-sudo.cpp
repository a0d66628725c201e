// sudo in RUN: a build step runs as the USER in force; sudo there behaves
// differently per base image (and needs a tty or NOPASSWD).
#include <fmt/format.h>

#include "transforms/builtin_support.hpp"
#include "transforms/rule.hpp"

namespace dockmend::transforms::rules {
namespace {

void check(const Context& ctx, Outcome& out) {
  const auto& ff = builtin::facts(ctx.tree);
  bool any = !ff.runs.empty();
  for (const auto& run : ff.runs) {
    for (const auto& cmd : run.script.commands) {
      if (cmd.words.empty() || cmd.program() != "sudo") continue;
      out.findings.push_back(builtin::command_finding(
          ctx.tree, run, cmd, "sudo in RUN: switch with USER (or gosu at run time) instead", "", {}));
    }
  }
  builtin::conclude(out, any, "no sudo in RUN");
}

}  // namespace

const RuleRegistration k_no_sudo{RuleSpec("no-sudo")
    .aliases("DL3004")
    .safety(FixSafety::ReportOnly)
    .priority(2)
    .order(390)
    .summary("sudo in RUN")
    .check(&check)};

}  // namespace dockmend::transforms::rules
