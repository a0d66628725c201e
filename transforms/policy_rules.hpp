// Accessors of the policy rules (one transforms/<rule>.cpp each).
#pragma once
#include "transforms/rule.hpp"

namespace dockmend::transforms::rules {
}  // namespace dockmend::transforms::rules
