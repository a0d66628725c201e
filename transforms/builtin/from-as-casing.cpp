// from-as-casing: FROM ... AS with AS in the case of FROM (buildkit's FromAsCasing).
#include <fmt/format.h>

#include "transforms/findings.hpp"
#include "edit/builders.hpp"
#include "transforms/rule.hpp"

namespace dockmend::transforms::rules {
namespace {

bool all_upper(std::string_view s) {
  bool letter = false;
  for (char c : s) {
    if (c >= 'a' && c <= 'z') return false;
    if (c >= 'A' && c <= 'Z') letter = true;
  }
  return letter;
}
bool all_lower(std::string_view s) {
  bool letter = false;
  for (char c : s) {
    if (c >= 'A' && c <= 'Z') return false;
    if (c >= 'a' && c <= 'z') letter = true;
  }
  return letter;
}

void check_as(const Context& ctx, Outcome& out) {
  const auto& tree = ctx.tree;
  bool any = false;
  for (const auto& inst : tree.instructions) {
    if (!inst.is("from") || inst.values.size() != 3) continue;
    any = true;
    const std::string_view kw = tree.text(inst.keyword_span);
    const std::string_view as = inst.values[1].text;
    const bool mismatch = (all_upper(kw) && !all_upper(as)) || (all_lower(kw) && !all_lower(as));
    if (!mismatch) continue;
    Finding f;
    const std::string want = edit::same_case(kw, "as");
    f.message = fmt::format("'{}' does not match the case of '{}': write {}", as, kw, want);
    f.at = inst.value_source(1);
    f.current = as;
    f.expected = want;
    edit::Fix fix;
    fix.reason = fmt::format("{} -> {}", as, want);
    fix.edits.push_back({inst.value_source(1), want});
    f.fix = std::move(fix);
    out.findings.push_back(std::move(f));
  }
  conclude(out, any, "AS matches the case of FROM");
}

}  // namespace

const RuleRegistration k_from_as_casing{RuleSpec("from-as-casing")
    .example("FROM debian:12 as build\nFROM build\n",
             "FROM debian:12 AS build\nFROM build\n",
             "FROM debian:12 AS build\nFROM build\n")
    .aliases("FromAsCasing")
    .safety(FixSafety::Safe)
    .priority(3)
    .order(50)
    .summary("FROM ... AS with AS in another case than FROM")
    .fix("writes AS in the case of FROM")
    .check(&check_as)};

}  // namespace dockmend::transforms::rules
