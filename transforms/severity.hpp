// How serious each rule's findings are by default, and as the policy sets it.
// (Kept apart from the rule registry; it can move into the rule spec later.)
#pragma once
#include "policy/policy.hpp"
#include "policy/severity.hpp"
#include "transforms/rule.hpp"

namespace dockmend::transforms {

// A built-in rule with a hadolint alias takes hadolint's default severity for
// that code (hadolint's README table); other built-in rules (buildkit's checks
// and the binnacle-style ones, which buildkit and hadolint report as warnings)
// are warnings. Policy rules follow their priority: 1 error, 2 warning, 3 info.
policy::Severity default_severity(const Rule& rule);

// The severity set in the policy's `rules:` (the service's first, by id or
// alias), else default_severity().
policy::Severity rule_severity(const Rule& rule, const policy::Policy& policy, const policy::Service* service);

}  // namespace dockmend::transforms
