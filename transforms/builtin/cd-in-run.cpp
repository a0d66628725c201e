// `cd` in RUN: WORKDIR says the same thing once and is visible to every later
// instruction.
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
      // Inside ( ), $( ) or a function a cd is local on purpose.
      if (cmd.depth != 0 || cmd.words.empty() || cmd.words[0].value != "cd") continue;
      if (cmd.words.size() > 1 && cmd.words[1].value == "-") continue;
      out.findings.push_back(command_finding(
          ctx.tree, run, cmd, "cd in RUN: use WORKDIR to change the directory", "", {}));
      out.findings.back().expected = "WORKDIR <dir>";
      break;  // one finding per RUN
    }
  }
  conclude(out, any, "no cd in RUN");
}

}  // namespace

const RuleRegistration k_cd_in_run{RuleSpec("cd-in-run")
    .example("FROM debian:12\nRUN cd /src && make\n",
             "FROM debian:12\nRUN cd /src && make\n",
             "FROM debian:12\nWORKDIR /src\nRUN make\n")
    .aliases("DL3003")
    .safety(FixSafety::ReportOnly)
    .priority(3)
    .order(380)
    .summary("cd in RUN instead of WORKDIR")
    .check(&check)};

}  // namespace dockmend::transforms::rules
