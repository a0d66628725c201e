#include "transforms/engine.hpp"
#include "transforms/rules.hpp"

namespace dockmend::transforms {

const std::vector<const Rule*>& all_rules() {
  static const std::vector<const Rule*> k_rules = [] {
    std::vector<const Rule*> all = policy_rules();
    const auto& b = builtin_rules();
    all.insert(all.end(), b.begin(), b.end());
    return all;
  }();
  return k_rules;
}

const Rule* find_rule(std::string_view name) {
  for (const Rule* r : all_rules()) {
    Selection s;
    s.select.emplace_back(name);
    if (name != "ALL" && s.allows(*r)) return r;
  }
  return nullptr;
}

}  // namespace dockmend::transforms
