#include "transforms/severity.hpp"

#include <string_view>

namespace dockmend::transforms {

using policy::Severity;

namespace {

struct HadolintDefault {
  std::string_view code;
  Severity severity;
};

// hadolint's "Default Severity" column (README.md, Rules), for the codes
// dockmend's rules answer to. DL3005 (apt-get upgrade) is no longer in
// hadolint's table: dockmend reports it as a warning.
constexpr HadolintDefault k_hadolint[] = {
    {"DL3000", Severity::Error},   {"DL3002", Severity::Warning}, {"DL3003", Severity::Warning},
    {"DL3004", Severity::Error},   {"DL3005", Severity::Warning},   {"DL3006", Severity::Warning},
    {"DL3007", Severity::Warning}, {"DL3008", Severity::Warning}, {"DL3009", Severity::Info},
    {"DL3013", Severity::Warning}, {"DL3014", Severity::Warning}, {"DL3015", Severity::Info},
    {"DL3016", Severity::Warning}, {"DL3018", Severity::Warning}, {"DL3019", Severity::Info},
    {"DL3020", Severity::Error},   {"DL3025", Severity::Warning}, {"DL3026", Severity::Error},
    {"DL3027", Severity::Warning}, {"DL3028", Severity::Warning}, {"DL3029", Severity::Warning},
    {"DL3030", Severity::Warning}, {"DL3032", Severity::Warning}, {"DL3033", Severity::Warning},
    {"DL3034", Severity::Warning}, {"DL3035", Severity::Warning}, {"DL3036", Severity::Warning},
    {"DL3037", Severity::Warning}, {"DL3038", Severity::Warning}, {"DL3040", Severity::Warning},
    {"DL3041", Severity::Warning}, {"DL3042", Severity::Warning}, {"DL3046", Severity::Warning},
    {"DL3047", Severity::Info},    {"DL3048", Severity::Style},   {"DL3059", Severity::Info},
    {"DL3060", Severity::Info},    {"DL4000", Severity::Error},   {"DL4001", Severity::Warning},
    {"DL4003", Severity::Warning}, {"DL4004", Severity::Error},   {"DL4005", Severity::Warning},
    {"DL4006", Severity::Warning},
};

// Calls `f` with each name of the rule: its id, then its aliases.
template <class F>
void for_each_name(const Rule& rule, F f) {
  f(rule.id);
  std::string_view a = rule.aliases;
  while (!a.empty()) {
    const auto comma = a.find(',');
    std::string_view item = a.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) f(item);
    if (comma == std::string_view::npos) break;
    a.remove_prefix(comma + 1);
  }
}

std::optional<Severity> setting(const std::vector<policy::RuleSetting>& rules, const Rule& rule) {
  std::optional<Severity> out;
  for_each_name(rule, [&](std::string_view name) {
    if (out) return;
    for (const auto& r : rules)
      if (r.id == name && r.severity) {
        out = r.severity;
        return;
      }
  });
  return out;
}

}  // namespace

Severity default_severity(const Rule& rule) {
  if (rule.kind == RuleKind::Policy)
    return rule.priority <= 1 ? Severity::Error : rule.priority == 2 ? Severity::Warning : Severity::Info;
  std::optional<Severity> out;
  for_each_name(rule, [&](std::string_view name) {
    if (out) return;
    for (const auto& h : k_hadolint)
      if (h.code == name) out = h.severity;
  });
  return out.value_or(Severity::Warning);
}

Severity rule_severity(const Rule& rule, const policy::Policy& policy, const policy::Service* service) {
  if (service)
    if (auto s = setting(service->rules, rule)) return *s;
  if (auto s = setting(policy.rules, rule)) return *s;
  return default_severity(rule);
}

}  // namespace dockmend::transforms
