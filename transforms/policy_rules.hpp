// Accessors of the policy rules (one transforms/<rule>.cpp each), listed in
// audit order in policy_registry.cpp. docs/rules-policy.md describes them.
#pragma once
#include "transforms/rule.hpp"

namespace dockmend::transforms::rules {
const Rule& ports();
const Rule& healthcheck();
const Rule& tini();
const Rule& user();
const Rule& venv();
const Rule& machine_arg();
const Rule& machine_profile();
const Rule& pip_hashes();
const Rule& cuda_arch();
const Rule& base_image();
const Rule& health_endpoint();
}  // namespace dockmend::transforms::rules
