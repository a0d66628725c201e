// `cd` in RUN: WORKDIR says the same thing once and is visible to every later
// instruction.
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
      // Inside ( ), $( ) or a function a cd is local on purpose.
      if (cmd.depth != 0 || cmd.words.empty() || cmd.words[0].value != "cd") continue;
      if (cmd.words.size() > 1 && cmd.words[1].value == "-") continue;
      out.findings.push_back(builtin::command_finding(
          ctx.tree, run, cmd, "cd in RUN: use WORKDIR to change the directory", "", {}));
      out.findings.back().expected = "WORKDIR <dir>";
      break;  // one finding per RUN
    }
  }
  builtin::conclude(out, any, "no cd in RUN");
}

}  // namespace

const RuleRegistration k_cd_in_run{RuleSpec("cd-in-run")
    .aliases("DL3003")
    .safety(FixSafety::ReportOnly)
    .priority(3)
    .order(380)
    .summary("cd in RUN instead of WORKDIR")
    .check(&check)};

}  // namespace dockmend::transforms::rules
