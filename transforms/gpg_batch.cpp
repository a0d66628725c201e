// gpg in a build has no terminal: --batch keeps it from asking.
#include <fmt/format.h>

#include "transforms/builtin_support.hpp"
#include "transforms/rules.hpp"

namespace dockmend::transforms::rules {
namespace {

void check(const Context& ctx, Outcome& out) {
  const auto& ff = builtin::facts(ctx.tree);
  bool any = false;
  for (const auto& run : ff.runs) {
    for (const auto& cmd : run.script.commands) {
      auto inv = shell::invocation(cmd);
      if (!inv || !shell::same_program(inv->name, "gpg")) continue;
      any = true;
      if (shell::has_option(cmd, {"--batch", "--version", "--help", "-h"}) || builtin::options_may_hide(cmd)) continue;
      out.findings.push_back(builtin::flag_finding(ctx.tree, run, cmd, "--batch", shell::InsertAt::AfterProgram,
                                                   "gpg without --batch may wait for a terminal",
                                                   "add --batch after gpg", "gpg --batch ..."));
    }
  }
  builtin::conclude(out, any, "gpg runs with --batch");
}

}  // namespace

const Rule& gpg_batch() {
  static const Rule r{"gpg-batch", "gpg without --batch", "adds --batch after gpg", "gpgUseBatchFlag",
                      RuleKind::Builtin, FixSafety::Safe, 3, &check};
  return r;
}

}  // namespace dockmend::transforms::rules
