// How serious a finding is: hadolint's four levels, most severe last so that
// `a >= b` reads "at least as severe". A rule has a default severity
// (transforms/severity.hpp); the policy's `rules:` section may override it.
#pragma once
#include <optional>
#include <string_view>

namespace dockmend::policy {

enum class Severity { Style = 0, Info = 1, Warning = 2, Error = 3 };

// "error", "warning", "info", "style".
std::string_view severity_name(Severity s);
// The inverse of severity_name, also accepting hadolint's spellings in any case
// ("Warning", "INFO"); nullopt for anything else.
std::optional<Severity> parse_severity(std::string_view text);

}  // namespace dockmend::policy
