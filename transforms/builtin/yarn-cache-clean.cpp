// yarn-cache-clean: yarn's download cache cleaned in the RUN that fills it.
#include <fmt/format.h>

#include "transforms/builtin/package_cache.hpp"

namespace dockmend::transforms::rules {
namespace {

using namespace package_cache;

void check_yarn(const Context& ctx, Outcome& out) {
  check_clean(ctx, out, yarn_installs, "yarn", "yarn cache clean", {"/.cache/yarn", "/.yarn-cache", ".yarn/cache"},
              {"/usr/local/share/.cache/yarn", "/root/.cache/yarn", "/home/node/.cache/yarn", "/root/.yarn"},
              {"--cache-folder"});
}

}  // namespace

const RuleRegistration k_yarn_cache_clean{RuleSpec("yarn-cache-clean")
    .aliases("DL3060, yarnCacheCleanAfterInstall")
    .safety(FixSafety::Safe)
    .priority(2)
    .order(230)
    .summary("yarn install without yarn cache clean in the same RUN")
    .fix("appends && yarn cache clean to the RUN")
    .check(&check_yarn)};

}  // namespace dockmend::transforms::rules
