#include "transforms/rules.hpp"

namespace dockmend::transforms {

const std::vector<const Rule*>& builtin_rules() {
  static const std::vector<const Rule*> k_rules = {
      &rules::maintainer(),
  };
  return k_rules;
}

}  // namespace dockmend::transforms
