#include "policy/hadolint.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>

namespace dockmend::policy {

namespace {

Mark mark_of(const YAML::Node& n) {
  const YAML::Mark m = n.Mark();
  if (m.line < 0 || m.column < 0) return {};
  return {m.line + 1, m.column + 1};
}

// A scalar or a list of scalars (hadolint accepts both for trustedRegistries).
std::vector<std::string> strings(const YAML::Node& n, const std::string& key, const std::string& path,
                                 std::vector<Error>& errors) {
  std::vector<std::string> out;
  if (n.IsNull()) return out;
  if (n.IsScalar()) return {n.Scalar()};
  if (!n.IsSequence()) {
    errors.push_back({path, mark_of(n), fmt::format("{}: expected a list of rule codes", key)});
    return out;
  }
  for (const auto& item : n) {
    if (item.IsScalar())
      out.push_back(item.Scalar());
    else
      errors.push_back({path, mark_of(item), fmt::format("{}: expected a string", key)});
  }
  return out;
}

}  // namespace

HadolintConversion from_hadolint(std::string_view yaml_text, const std::string& path,
                                 const std::function<std::optional<std::string>(std::string_view)>& rule_id) {
  HadolintConversion out;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    out.errors.push_back({path, {e.mark.line + 1, e.mark.column + 1}, fmt::format("YAML syntax error: {}", e.msg)});
    return out;
  }
  if (!root.IsNull() && !root.IsMap()) {
    out.errors.push_back({path, mark_of(root), "a hadolint configuration must be a mapping"});
    return out;
  }
  std::vector<std::string> notes;
  // rule id -> value ("off" or a severity), in the order first met.
  std::vector<std::pair<std::string, std::string>> rules;
  auto set_rule = [&](const std::string& code, const std::string& value, bool replace) {
    const auto id = rule_id(code);
    if (!id) {
      notes.push_back(fmt::format("{}: dockmend has no rule for it", code));
      return;
    }
    for (auto& r : rules)
      if (r.first == *id) {
        if (replace) r.second = value;
        return;
      }
    rules.emplace_back(*id, value);
  };
  std::optional<std::string> fail_on;
  std::vector<std::string> registries;  // trustedRegistries
  if (root.IsMap()) {
    // Severity overrides first, then `ignored`, which wins (an ignored rule never reports).
    if (const auto o = root["override"]) {
      if (!o.IsMap() && !o.IsNull()) {
        out.errors.push_back({path, mark_of(o), "override: expected a mapping of levels to rule codes"});
      } else if (o.IsMap()) {
        for (const auto& kv : o) {
          const std::string level = kv.first.as<std::string>("");
          if (!parse_severity(level)) {
            out.errors.push_back({path, mark_of(kv.first),
                                  fmt::format("override: unknown level '{}' (expected error, warning, info or style)", level)});
            continue;
          }
          for (const auto& code : strings(kv.second, "override." + level, path, out.errors))
            set_rule(code, std::string(severity_name(*parse_severity(level))), true);
        }
      }
    }
    if (const auto ig = root["ignored"])
      for (const auto& code : strings(ig, "ignored", path, out.errors)) set_rule(code, "off", true);
    if (const auto t = root["failure-threshold"]) {
      const std::string v = t.IsScalar() ? t.Scalar() : "";
      if (parse_severity(v)) fail_on = std::string(severity_name(*parse_severity(v)));
      else if (v == "none" || v == "ignore") fail_on = "none";
      else
        out.errors.push_back({path, mark_of(t),
                              fmt::format("failure-threshold: expected error, warning, info, style, ignore or none")});
    }
    if (const auto tr = root["trustedRegistries"]) {
      const auto regs = strings(tr, "trustedRegistries", path, out.errors);
      // Checked here, where the marks are the hadolint file's own.
      std::size_t index = 0;
      for (const auto& r : regs) {
        const YAML::Node item = tr.IsSequence() ? tr[index] : tr;
        ++index;
        const auto problem = registry_pattern_problem(r);
        if (!problem.empty())
          out.errors.push_back({path, mark_of(item), fmt::format("trustedRegistries: '{}': {}", r, problem)});
      }
      if (!regs.empty()) registries = regs;
    }
    for (const auto& kv : root) {
      const std::string key = kv.first.as<std::string>("");
      if (key == "override" || key == "ignored" || key == "failure-threshold" || key == "trustedRegistries") continue;
      notes.push_back(fmt::format("{}: not carried over (hadolint's own {})", key,
                                  key == "format" || key == "no-color" || key == "no-fail" ? "output setting"
                                                                                           : "setting"));
    }
  }
  // trustedRegistries is DL3026's list: `rules: {trusted-registries: {registries: [...]}}`,
  // with the severity an `override` gives it; an `ignored` DL3026 stays off.
  if (!registries.empty()) {
    const auto id = rule_id("DL3026");
    auto it = std::find_if(rules.begin(), rules.end(), [&](const auto& r) { return id && r.first == *id; });
    if (!id) {
      notes.push_back(fmt::format("trustedRegistries ({}): dockmend has no rule for DL3026", fmt::join(registries, ", ")));
    } else if (it != rules.end() && it->second == "off") {
      notes.push_back(fmt::format("trustedRegistries ({}): not carried over, DL3026 is ignored", fmt::join(registries, ", ")));
    } else {
      std::vector<std::string> quoted;
      for (const auto& r : registries) quoted.push_back(fmt::format("\"{}\"", r));  // `*` starts a YAML alias
      std::string value = fmt::format("{{registries: [{}]", fmt::join(quoted, ", "));
      if (it != rules.end()) value += fmt::format(", severity: {}", it->second);
      value += "}";
      if (it != rules.end()) it->second = value;
      else rules.emplace_back(*id, value);
    }
  }
  std::string y = fmt::format("# Converted from {} by `dockmend policy --from-hadolint`.\n", path);
  for (const auto& n : notes) y += "# " + n + "\n";
  y += "version: 1\nextends: default\n";
  if (fail_on) y += fmt::format("fail_on: {}\n", *fail_on);
  if (!rules.empty()) {
    y += "rules:\n";
    for (const auto& [id, value] : rules) y += fmt::format("  {}: {}\n", id, value);
  }
  out.yaml = std::move(y);
  return out;
}

}  // namespace dockmend::policy
