// apk add --no-cache: Alpine's package index and downloads stay out of the layer.
#include <fmt/format.h>

#include "transforms/builtin_support.hpp"
#include "transforms/rules.hpp"

namespace dockmend::transforms::rules {
namespace {

void check(const Context& ctx, Outcome& out) {
  const auto& ff = builtin::facts(ctx.tree);
  bool any = false;
  for (const auto& run : ff.runs) {
    const auto& inst = ctx.tree.instructions[run.index];
    for (const auto& cmd : run.script.commands) {
      if (!builtin::runs(cmd, "apk") || builtin::subcommand_of(cmd) != "add") continue;
      any = true;
      if (shell::has_option(cmd, {"--no-cache", "--cache-dir"}) || builtin::options_may_hide(cmd)) continue;
      // A cache mount keeps the cache out of the layer already (and is there to be used).
      if (builtin::has_cache_mount(inst, "/var/cache/apk") || builtin::has_cache_mount(inst, "/etc/apk/cache"))
        continue;
      out.findings.push_back(builtin::flag_finding(
          ctx.tree, run, cmd, "--no-cache", shell::InsertAt::AfterSubcommand,
          "apk add without --no-cache: the package index stays in the layer", "add --no-cache after apk add",
          "apk add --no-cache ..."));
    }
  }
  builtin::conclude(out, any, "apk add uses --no-cache");
}

}  // namespace

const Rule& apk_no_cache() {
  static const Rule r{"apk-no-cache", "apk add without --no-cache", "adds --no-cache after apk add",
                      "DL3019, apkAddUseNoCache", RuleKind::Builtin, FixSafety::Safe, 2, &check};
  return r;
}

}  // namespace dockmend::transforms::rules
