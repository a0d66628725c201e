// npm-cache-clean: npm's download cache, never reused in an image, cleaned in the
// RUN that fills it.
#include <fmt/format.h>

#include "transforms/builtin/package_cache.hpp"

namespace dockmend::transforms::rules {
namespace {

using namespace package_cache;

void check_npm(const Context& ctx, Outcome& out) {
  check_clean(ctx, out, npm_installs, "npm", "npm cache clean --force", {"/.npm", ".npm/_cacache"},
              {"/root/.npm", "/home/node/.npm"}, {"--cache"});
}

}  // namespace

const RuleRegistration k_npm_cache_clean{RuleSpec("npm-cache-clean")
    .aliases("npmCacheCleanAfterInstall")
    .safety(FixSafety::Safe)
    .priority(2)
    .order(210)
    .summary("npm install without npm cache clean --force in the same RUN")
    .fix("appends && npm cache clean --force to the RUN")
    .check(&check_npm)};

}  // namespace dockmend::transforms::rules
