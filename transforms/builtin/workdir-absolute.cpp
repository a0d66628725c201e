// WORKDIR with a relative path depends on every WORKDIR before it (and on the
// base image's): say where you are.
#include <fmt/format.h>

#include "transforms/findings.hpp"
#include "transforms/rule.hpp"

namespace dockmend::transforms::rules {
namespace {

void check(const Context& ctx, Outcome& out) {
  bool any = false;
  for (const auto& inst : ctx.tree.instructions) {
    if (!inst.is("workdir") || inst.values.empty()) continue;
    any = true;
    std::string p(inst.values[0].text);
    if (p.size() >= 2 && (p.front() == '"' || p.front() == '\'') && p.back() == p.front()) p = p.substr(1, p.size() - 2);
    const bool windows = p.size() >= 2 && p[1] == ':';
    if (p.empty() || p[0] == '/' || p[0] == '$' || p[0] == '\\' || windows) continue;
    Finding f;
    f.message = fmt::format("WORKDIR {} is relative: use an absolute path", p);
    f.at = inst.value_source(0);
    f.current = p;
    f.expected = "/" + p;
    out.findings.push_back(std::move(f));
  }
  conclude(out, any, "WORKDIR paths are absolute");
}

}  // namespace

const RuleRegistration k_workdir_absolute{RuleSpec("workdir-absolute")
    .example("FROM debian:12\nWORKDIR app\n",
             "FROM debian:12\nWORKDIR app\n",
             "FROM debian:12\nWORKDIR /app\n")
    .aliases("DL3000, WorkdirRelativePath")
    .safety(FixSafety::ReportOnly)
    .priority(3)
    .order(80)
    .summary("WORKDIR with a relative path")
    .check(&check)};

}  // namespace dockmend::transforms::rules
