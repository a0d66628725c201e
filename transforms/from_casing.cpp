// FROM ... AS name: the AS keyword in the case of FROM, stage names in lower
// case (buildkit lower-cases them anyway, so references keep working).
#include <fmt/format.h>

#include "transforms/builtin_support.hpp"
#include "transforms/rules.hpp"

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
    const std::string want = builtin::same_case(kw, "as");
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
  builtin::conclude(out, any, "AS matches the case of FROM");
}

void check_stage_names(const Context& ctx, Outcome& out) {
  const auto& tree = ctx.tree;
  bool any = false;
  for (std::size_t i = 0; i < tree.instructions.size(); ++i) {
    const auto& inst = tree.instructions[i];
    if (!inst.is("from") || inst.values.size() != 3) continue;
    any = true;
    const std::string_view name = inst.values[2].text;
    const std::string low = builtin::lower(name);
    if (name == low || name.find('$') != std::string::npos) continue;
    Finding f;
    f.message = fmt::format("stage name '{}' should be lower case", name);
    f.at = inst.value_source(2);
    f.current = name;
    f.expected = low;
    edit::Fix fix;
    fix.reason = fmt::format("stage {} -> {} (and its references)", name, low);
    fix.edits.push_back({inst.value_source(2), low});
    // References written with the old spelling follow, so the file stays consistent.
    for (std::size_t k = i + 1; k < tree.instructions.size(); ++k) {
      const auto& r = tree.instructions[k];
      if (r.is("from") && !r.values.empty() && builtin::lower(r.values[0].text) == low &&
          r.values[0].text != low) {
        const auto src = r.value_source(0);
        if (tree.text(src) == r.values[0].text) fix.edits.push_back({src, low});
      }
      if (r.is("copy")) {
        for (const auto& fl : r.flags) {
          if (fl.name != "from" || builtin::lower(fl.value) != low || fl.value == low) continue;
          const auto src = r.logical.to_source(fl.logical);
          if (tree.text(src) == fmt::format("--from={}", fl.value)) fix.edits.push_back({src, "--from=" + low});
        }
      }
    }
    f.fix = std::move(fix);
    out.findings.push_back(std::move(f));
  }
  builtin::conclude(out, any, "stage names are lower case");
}

}  // namespace

const Rule& from_as_casing() {
  static const Rule r{"from-as-casing", "FROM ... AS with AS in another case than FROM",
                      "writes AS in the case of FROM", "FromAsCasing", RuleKind::Builtin, FixSafety::Safe, 3,
                      &check_as};
  return r;
}

const Rule& stage_name_casing() {
  static const Rule r{"stage-name-casing", "stage name with upper-case letters",
                      "lower-cases the name and the FROM / COPY --from references to it", "StageNameCasing",
                      RuleKind::Builtin, FixSafety::Safe, 3, &check_stage_names};
  return r;
}

}  // namespace dockmend::transforms::rules
