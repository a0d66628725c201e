// The rule registry: every rule file adds its Rule with a RuleRegistration at
// static initialisation; the lists are sorted once, on first use (after main()
// starts, when every registration has run).
#include <algorithm>
#include <deque>
#include <stdexcept>

#include "transforms/engine.hpp"

namespace dockmend::transforms {

namespace {

// A deque: registered rules never move, so pointers to them stay valid.
std::deque<Rule>& registered() {
  static std::deque<Rule> k_rules;
  return k_rules;
}

struct Lists {
  std::vector<const Rule*> all, policy, builtin;
};

const Lists& lists() {
  static const Lists k_lists = [] {
    Lists l;
    for (const Rule& r : registered()) l.all.push_back(&r);
    std::sort(l.all.begin(), l.all.end(), [](const Rule* a, const Rule* b) {
      return std::make_tuple(a->kind != RuleKind::Policy, a->order, a->id) <
             std::make_tuple(b->kind != RuleKind::Policy, b->order, b->id);
    });
    for (std::size_t i = 1; i < l.all.size(); ++i)
      if (l.all[i - 1]->id == l.all[i]->id)
        throw std::logic_error("rule registered twice: " + std::string(l.all[i]->id));
    for (const Rule* r : l.all) (r->kind == RuleKind::Policy ? l.policy : l.builtin).push_back(r);
    return l;
  }();
  return k_lists;
}

}  // namespace

RuleRegistration::RuleRegistration(const RuleSpec& spec) { registered().push_back(spec.rule()); }

const char* safety_name(FixSafety safety) {
  switch (safety) {
    case FixSafety::Safe: return "safe";
    case FixSafety::Unsafe: return "unsafe";
    case FixSafety::ReportOnly: return "report-only";
  }
  return "safe";
}

FixSafety fix_safety(const Finding& finding, const Rule& rule) { return finding.safety.value_or(rule.safety); }

const std::vector<const Rule*>& all_rules() { return lists().all; }
const std::vector<const Rule*>& policy_rules() { return lists().policy; }
const std::vector<const Rule*>& builtin_rules() { return lists().builtin; }

const Rule* find_rule(std::string_view name) {
  for (const Rule* r : all_rules()) {
    Selection s;
    s.select.emplace_back(name);
    if (name != "ALL" && s.allows(*r)) return r;
  }
  return nullptr;
}

}  // namespace dockmend::transforms
