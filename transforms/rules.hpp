// The rule lists. A new rule is one transforms/<rule>.cpp defining an accessor,
// declared here and listed once in policy_registry.cpp or builtin_registry.cpp.
#pragma once
#include <vector>

#include "transforms/rule.hpp"

namespace dockmend::transforms {
// Rules driven by the policy's values (ports, user, tini, ...), in audit order.
const std::vector<const Rule*>& policy_rules();
// Built-in best-practice rules, which need no per-repository values.
const std::vector<const Rule*>& builtin_rules();
}  // namespace dockmend::transforms

namespace dockmend::transforms::rules {
// Built-in rules.
const Rule& maintainer();
}  // namespace dockmend::transforms::rules
