// stage-name-casing: stage names in lower case (buildkit lower-cases them anyway,
// so references keep working).
#include <fmt/format.h>

#include "model/text.hpp"
#include "transforms/findings.hpp"
#include "transforms/rule.hpp"

namespace dockmend::transforms::rules {
namespace {

void check_stage_names(const Context& ctx, Outcome& out) {
  const auto& tree = ctx.tree;
  bool any = false;
  for (std::size_t i = 0; i < tree.instructions.size(); ++i) {
    const auto& inst = tree.instructions[i];
    if (!inst.is("from") || inst.values.size() != 3) continue;
    any = true;
    const std::string_view name = inst.values[2].text;
    const std::string low = model::lower(name);
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
      if (r.is("from") && !r.values.empty() && model::lower(r.values[0].text) == low &&
          r.values[0].text != low) {
        const auto src = r.value_source(0);
        if (tree.text(src) == r.values[0].text) fix.edits.push_back({src, low});
      }
      if (r.is("copy")) {
        for (const auto& fl : r.flags) {
          if (fl.name != "from" || model::lower(fl.value) != low || fl.value == low) continue;
          const auto src = r.logical.to_source(fl.logical);
          if (tree.text(src) == fmt::format("--from={}", fl.value)) fix.edits.push_back({src, "--from=" + low});
        }
      }
    }
    f.fix = std::move(fix);
    out.findings.push_back(std::move(f));
  }
  conclude(out, any, "stage names are lower case");
}

}  // namespace

const RuleRegistration k_stage_name_casing{RuleSpec("stage-name-casing")
    .example("FROM debian:12 AS Build\nFROM Build\n",
             "FROM debian:12 AS build\nFROM build\n",
             "FROM debian:12 AS build\nFROM build\n")
    .aliases("StageNameCasing")
    .safety(FixSafety::Safe)
    .priority(3)
    .order(60)
    .summary("stage name with upper-case letters")
    .fix("lower-cases the name and the FROM / COPY --from references to it")
    .check(&check_stage_names)};

}  // namespace dockmend::transforms::rules
