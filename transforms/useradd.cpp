// useradd with a large UID and without -l writes a lastlog/faillog entry at
// that offset: a sparse file that the layer stores as gigabytes of zeros.
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
      if (!builtin::runs(cmd, "useradd")) continue;
      any = true;
      auto uid = shell::find_option(cmd, {"-u", "--uid"});
      if (!uid || uid->value.size() <= 5 || uid->value.find_first_not_of("0123456789") != std::string::npos) continue;
      if (shell::has_option(cmd, {"-l", "--no-log-init"})) continue;
      out.findings.push_back(builtin::flag_finding(
          ctx.tree, run, cmd, "--no-log-init", shell::InsertAt::AfterProgram,
          fmt::format("useradd -u {} without --no-log-init: lastlog and faillog grow to the size of the UID",
                      uid->value),
          "add --no-log-init to useradd", "useradd --no-log-init ..."));
    }
  }
  builtin::conclude(out, any, "useradd with a large UID uses --no-log-init");
}

}  // namespace

const Rule& useradd_no_log_init() {
  static const Rule r{"useradd-no-log-init", "useradd with a UID of 6+ digits without -l (--no-log-init)",
                      "adds --no-log-init after useradd", "DL3046", RuleKind::Builtin, FixSafety::Safe, 2, &check};
  return r;
}

}  // namespace dockmend::transforms::rules
