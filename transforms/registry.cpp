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
  // Every name a rule answers to (id, aliases), sorted, each with the first rule
  // in `all` that has it: find_rule() is a binary search, not a walk over every
  // rule's names (reports look a rule up per finding, and sort by it).
  std::vector<std::pair<std::string_view, const Rule*>> names;
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
    for (const Rule* r : l.all) {
      l.names.emplace_back(r->id, r);
      for (std::string_view a = r->aliases; !a.empty();) {
        const auto comma = a.find(',');
        std::string_view item = a.substr(0, comma);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
        if (!item.empty()) l.names.emplace_back(item, r);
        if (comma == std::string_view::npos) break;
        a.remove_prefix(comma + 1);
      }
    }
    // Stable: of two rules with one name, the one listed first keeps it.
    std::stable_sort(l.names.begin(), l.names.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
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
  const auto& names = lists().names;
  const auto it = std::lower_bound(names.begin(), names.end(), name,
                                   [](const auto& entry, std::string_view n) { return entry.first < n; });
  return it != names.end() && it->first == name ? it->second : nullptr;
}

}  // namespace dockmend::transforms
