// apt-upgrade: upgrading in a Dockerfile makes builds unreproducible.
#include <fmt/format.h>

#include "transforms/builtin/apt.hpp"

namespace dockmend::transforms::rules {
namespace {

using namespace apt;

void check_upgrade(const Context& ctx, Outcome& out) {
  bool any = false;
  for_each_apt(ctx.model, [&](const AptCommand& a) {
    any = true;
    if (!one_of(a.sub, {"upgrade", "dist-upgrade", "full-upgrade"})) return;
    out.findings.push_back(command_finding(
        ctx.tree, *a.run, *a.cmd,
        fmt::format("{} {} in a Dockerfile: update the base image instead (builds stop being reproducible)",
                    a.name, a.sub),
        "", {}));
  });
  conclude(out, any, "no apt-get upgrade");
}

}  // namespace

const RuleRegistration k_apt_upgrade{RuleSpec("apt-upgrade")
    .example("FROM debian:12\nRUN apt-get update && apt-get upgrade -y\n",
             "FROM debian:12\nRUN apt-get update && apt-get upgrade -y\n",
             "FROM debian:12\nRUN apt-get update && apt-get install -y curl=7.88.1-10\n")
    .aliases("DL3005")
    .safety(FixSafety::ReportOnly)
    .priority(3)
    .order(140)
    .summary("apt-get upgrade or dist-upgrade in a Dockerfile")
    .check(&check_upgrade)};

}  // namespace dockmend::transforms::rules
