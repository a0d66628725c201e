// hadolint's configuration (.hadolint.yaml) as a dockmend policy.
//
// hadolint's keys (README, "Configure"): `ignored` (rule codes) becomes
// `rules: {id: off}`, `override: {error|warning|info|style: [codes]}` becomes
// `rules: {id: SEVERITY}`, `failure-threshold` becomes `fail_on`, and the
// built-in rules are on (`extends: default`), as hadolint's are.
// `trustedRegistries` becomes the options of DL3026's rule,
// `rules: {trusted-registries: {registries: [...]}}` (a pattern dockmend would
// reject is an error citing the hadolint file). Codes dockmend has no rule for
// and the keys about hadolint's own output (format, no-color, label-schema, ...)
// are kept as comments saying so.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/policy.hpp"

namespace dockmend::policy {

struct HadolintConversion {
  std::string yaml;             // the equivalent dockmend.yaml, comments included
  std::vector<Error> errors;    // the file is not valid YAML, or a key has the wrong type
};

// `rule_id` maps a hadolint code (DL3008) to dockmend's rule id, or nullopt.
HadolintConversion from_hadolint(std::string_view yaml_text, const std::string& path,
                                 const std::function<std::optional<std::string>(std::string_view)>& rule_id);

}  // namespace dockmend::policy
