// pip install --no-cache-dir: pip's wheel cache is never used again in an image.
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
      auto inv = shell::invocation(cmd);
      if (!inv || !shell::same_program(inv->name, "pip") || builtin::subcommand_of(cmd) != "install") continue;
      any = true;
      if (shell::has_option(cmd, {"--no-cache-dir", "--cache-dir"}) || builtin::options_may_hide(cmd)) continue;
      // PIP_NO_CACHE_DIR in the environment, or a cache mount meant to be reused.
      bool env = false;
      for (const auto& a : cmd.assignments)
        if (builtin::starts_with(a.value, "PIP_NO_CACHE_DIR=")) env = true;
      if (env || builtin::env_set(ctx.tree, ff, run.index, "PIP_NO_CACHE_DIR")) continue;
      if (builtin::has_cache_mount(inst, "/root/.cache/pip") || builtin::has_cache_mount(inst, "/tmp/pip-cache"))
        continue;
      out.findings.push_back(builtin::flag_finding(
          ctx.tree, run, cmd, "--no-cache-dir", shell::InsertAt::AfterSubcommand,
          fmt::format("{} install without --no-cache-dir: the wheel cache stays in the layer", inv->name),
          "add --no-cache-dir after pip install", "pip install --no-cache-dir ..."));
    }
  }
  builtin::conclude(out, any, "pip install uses --no-cache-dir");
}

}  // namespace

const Rule& pip_no_cache_dir() {
  static const Rule r{"pip-no-cache-dir", "pip install without --no-cache-dir", "adds --no-cache-dir after pip install",
                      "DL3042, pipUseNoCacheDir", RuleKind::Builtin, FixSafety::Safe, 2, &check};
  return r;
}

}  // namespace dockmend::transforms::rules
