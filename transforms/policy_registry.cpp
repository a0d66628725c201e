#include "transforms/policy_rules.hpp"
#include "transforms/rules.hpp"

namespace dockmend::transforms {

// In the order audits list them: priority 1 first, as the hand audit groups them.
const std::vector<const Rule*>& policy_rules() {
  static const std::vector<const Rule*> k_rules = {
      &rules::ports(),       &rules::healthcheck(),     &rules::tini(),       &rules::user(),
      &rules::venv(),        &rules::machine_arg(),     &rules::machine_profile(), &rules::pip_hashes(),
      &rules::cuda_arch(),   &rules::base_image(),      &rules::health_endpoint(),
  };
  return k_rules;
}

}  // namespace dockmend::transforms
