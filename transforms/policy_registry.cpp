#include "transforms/policy_rules.hpp"
#include "transforms/rules.hpp"

namespace dockmend::transforms {

const std::vector<const Rule*>& policy_rules() {
  static const std::vector<const Rule*> k_rules = {
  };
  return k_rules;
}

}  // namespace dockmend::transforms
