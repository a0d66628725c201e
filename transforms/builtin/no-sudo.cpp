// sudo in RUN: a build step runs as the USER in force; sudo there behaves
// differently per base image (and needs a tty or NOPASSWD).
#include <algorithm>

#include <fmt/format.h>

#include "transforms/findings.hpp"
#include "transforms/rule.hpp"

namespace dockmend::transforms::rules {
namespace {

void check(const Context& ctx, Outcome& out) {
  const model::Model& m = ctx.model;
  bool any = std::any_of(m.runs().begin(), m.runs().end(), [](const model::Run& r) { return r.parsed; });
  for (const model::Run& run : m.runs()) {
    if (!run.parsed) continue;
    for (const auto& cmd : run.script.commands) {
      if (cmd.words.empty() || cmd.program() != "sudo") continue;
      out.findings.push_back(command_finding(
          ctx.tree, run, cmd, "sudo in RUN: switch with USER (or gosu at run time) instead", "", {}));
    }
  }
  conclude(out, any, "no sudo in RUN");
}

}  // namespace

const RuleRegistration k_no_sudo{RuleSpec("no-sudo")
    .example("FROM debian:12\nRUN sudo make install\n",
             "FROM debian:12\nRUN sudo make install\n",
             "FROM debian:12\nRUN make install\n")
    .aliases("DL3004")
    .safety(FixSafety::ReportOnly)
    .priority(2)
    .order(390)
    .summary("sudo in RUN")
    .check(&check)};

}  // namespace dockmend::transforms::rules
