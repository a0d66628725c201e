// FROM --platform with a constant pins the image to one platform, so a
// multi-platform build silently builds (or emulates) the wrong one.
#include <fmt/format.h>

#include "transforms/findings.hpp"
#include "transforms/rule.hpp"

namespace dockmend::transforms::rules {
namespace {

void check(const Context& ctx, Outcome& out) {
  bool any = false;
  for (const auto& inst : ctx.tree.instructions) {
    if (!inst.is("from")) continue;
    any = true;
    const auto* p = inst.flag("platform");
    if (!p || p->value.find('$') != std::string::npos) continue;
    Finding f;
    f.message = fmt::format("FROM --platform={} is a constant: use $BUILDPLATFORM / $TARGETPLATFORM or drop it",
                            p->value);
    f.at = inst.logical.to_source(p->logical);
    f.current = p->raw;
    out.findings.push_back(std::move(f));
  }
  conclude(out, any, "FROM does not pin a constant platform");
}

}  // namespace

const RuleRegistration k_from_platform{RuleSpec("from-platform")
    .example("FROM --platform=linux/amd64 debian:12\n",
             "FROM --platform=linux/amd64 debian:12\n",
             "FROM --platform=$BUILDPLATFORM debian:12\n")
    .aliases("DL3029, FromPlatformFlagConstDisallowed")
    .safety(FixSafety::ReportOnly)
    .priority(3)
    .order(70)
    .summary("FROM --platform with a constant value")
    .check(&check)};

}  // namespace dockmend::transforms::rules
