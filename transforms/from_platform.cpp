// FROM --platform with a constant pins the image to one platform, so a
// multi-platform build silently builds (or emulates) the wrong one.
#include <fmt/format.h>

#include "transforms/builtin_support.hpp"
#include "transforms/rules.hpp"

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
  builtin::conclude(out, any, "FROM does not pin a constant platform");
}

}  // namespace

const Rule& from_platform() {
  static const Rule r{"from-platform", "FROM --platform with a constant value", "",
                      "DL3029, FromPlatformFlagConstDisallowed", RuleKind::Builtin, FixSafety::ReportOnly, 3, &check};
  return r;
}

}  // namespace dockmend::transforms::rules
