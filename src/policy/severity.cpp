#include "policy/severity.hpp"

#include <cctype>
#include <string>

namespace dockmend::policy {

std::string_view severity_name(Severity s) {
  switch (s) {
    case Severity::Error: return "error";
    case Severity::Warning: return "warning";
    case Severity::Info: return "info";
    case Severity::Style: return "style";
  }
  return "warning";
}

std::optional<Severity> parse_severity(std::string_view text) {
  std::string low;
  for (char c : text) low += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (low == "error") return Severity::Error;
  if (low == "warning") return Severity::Warning;
  if (low == "info") return Severity::Info;
  if (low == "style") return Severity::Style;
  return std::nullopt;
}

}  // namespace dockmend::policy
