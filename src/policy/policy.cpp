#include "policy/policy.hpp"

#include "io/read_file.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <system_error>
#include <tuple>
#include <utility>

namespace dockmend::policy {
namespace {

using Node = YAML::Node;
using Keys = std::vector<std::string_view>;

constexpr std::int64_t k_max_id = 4294967294;  // (uid_t)-1 means "no change" to chown
const Keys k_top_keys = {"version", "extends", "exclude", "fail_on", "defaults", "services", "rules", "unsafe-fixes"};
const Keys k_section_keys = {"base_image", "stages",  "user", "init",  "pip",
                             "venv",       "machine", "env",  "health"};
const Keys k_service_only_keys = {"dockerfile", "family", "ports", "health_port", "ref", "rules", "target", "context"};

Mark mark_of(const YAML::Mark& m) {
  if (m.line < 0 || m.column < 0) return {};
  return {m.line + 1, m.column + 1};
}

Mark mark_of(const Node& node) { return mark_of(node.Mark()); }

bool contains(const Keys& keys, std::string_view key) {
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

std::string join(const std::string& where, std::string_view key) {
  return where.empty() ? std::string(key) : fmt::format("{}.{}", where, key);
}

std::string describe(const Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      return fmt::format("'{}'", node.Scalar());
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    default:
      return "nothing";
  }
}

// One key/value pair of a mapping, in file order.
struct Entry {
  std::string key;
  Mark key_mark;
  Node value;

  // yaml-cpp marks an empty value at the token after it (often on the next line),
  // so errors about an empty value point at its key instead.
  Mark value_mark() const { return value.IsNull() ? key_mark : mark_of(value); }
};

// Optimal string alignment distance: a transposition ("prots") counts as one typo.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::optional<std::string_view> nearest(std::string_view key, const Keys& known) {
  std::optional<std::string_view> best;
  std::size_t best_distance = 0;
  for (std::string_view candidate : known) {
    const std::size_t distance = edit_distance(lower(key), candidate);
    // A third of the word may be wrong; more than that is a different word.
    const std::size_t allowed = std::max<std::size_t>(1, candidate.size() / 3);
    if (distance <= allowed && (!best || distance < best_distance)) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

bool is_name(std::string_view s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isalnum(c) || c == '_'; });
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

std::optional<bool> parse_bool(std::string_view s) {
  static const Keys k_true = {"true", "True", "TRUE", "on", "On", "ON", "yes", "Yes", "YES"};
  static const Keys k_false = {"false", "False", "FALSE", "off", "Off", "OFF", "no", "No", "NO"};
  if (contains(k_true, s)) return true;
  if (contains(k_false, s)) return false;
  return std::nullopt;
}

bool is_off(const Node& node) {
  return node.IsScalar() && node.Tag() == "?" && parse_bool(node.Scalar()) == false;
}

// --- canonical JSON for the health body ---------------------------------------------

std::string json_quote(std::string_view s) {
  std::string out = "\"";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20)
          out += fmt::format("\\u{:04x}", c);
        else
          out += ch;
    }
  }
  return out + "\"";
}

// JSON's own number grammar: what both YAML (core schema) and JSON read as a number.
bool is_json_number(std::string_view s) {
  std::size_t i = 0;
  auto digits = [&] {
    const std::size_t start = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    return i > start;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && s[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == s.size();
}

std::string scalar_json(const Node& node) {
  if (node.IsNull()) return "null";
  const std::string& text = node.Scalar();
  // Only plain scalars are typed; quoted ones ("ok", '1') stay strings.
  if (node.Tag() == "?") {
    if (text == "true" || text == "True" || text == "TRUE") return "true";
    if (text == "false" || text == "False" || text == "FALSE") return "false";
    if (text == "null" || text == "Null" || text == "NULL" || text == "~") return "null";
    if (is_json_number(text)) return text;
  }
  return json_quote(text);
}

// --- the loader ---------------------------------------------------------------------

class Loader {
 public:
  explicit Loader(std::string path) : path_(std::move(path)) {}

  std::vector<Error> take_errors() { return std::move(errors_); }

  void error(Mark mark, const std::string& where, std::string_view message) {
    errors_.push_back(
        {path_, mark, where.empty() ? std::string(message) : fmt::format("{}: {}", where, message)});
  }

  Policy load_root(const Node& root, const ComposeText* compose) {
    Policy policy;
    policy.path = path_;
    policy.directory = std::filesystem::path(path_).parent_path();
    for (const Entry& e : entries(root, "", "key")) {
      if (e.key == "version") {
        parse_version(e, policy);
      } else if (e.key == "extends") {
        parse_extends(e, policy);
      } else if (e.key == "exclude") {
        parse_exclude(e, policy);
      } else if (e.key == "fail_on") {
        if (e.value.IsScalar() && lower(e.value.Scalar()) == "none")
          policy.fail_on_none = true;
        else if (e.value.IsScalar() && parse_severity(e.value.Scalar()))
          policy.fail_on = parse_severity(e.value.Scalar());
        else
          error(e.value_mark(), "fail_on",
                fmt::format("expected error, warning, info, style or none, got {}", describe(e.value)));
      } else if (e.key == "unsafe-fixes") {
        policy.unsafe_fixes = boolean(e, "").value_or(false);
      } else if (e.key == "defaults") {
        policy.defaults_mark = e.key_mark;
        parse_defaults(e, policy);
      } else if (e.key == "services") {
        parse_services(e, policy);
      } else if (e.key == "rules") {
        parse_rules(e, "", policy.rules);
      } else if (contains(k_section_keys, e.key) || contains(k_service_only_keys, e.key)) {
        error(e.key_mark, "",
              fmt::format("unknown key '{}' (it belongs under {})", e.key,
                          contains(k_section_keys, e.key) ? "defaults or a service" : "a service"));
      } else {
        unknown_key(e, "", k_top_keys);
      }
    }
    for (const RuleSetting& rule : policy.rules) policy.rule_ids.push_back({rule.id, rule.mark});
    for (const Service& service : policy.services)
      for (const RuleSetting& rule : service.rules) policy.rule_ids.push_back({rule.id, rule.mark});
    if (compose) apply_compose(*compose, policy);
    for (const Service& service : policy.services)
      if (service.dockerfile.empty() && service.dockerfile_mark.line == 0)
        error(service.mark, join("services", service.name),
              compose ? fmt::format("missing required key 'dockerfile' ({} gives no build for it)",
                                    std::filesystem::path(compose->path).filename().generic_string())
                      : std::string("missing required key 'dockerfile'"));
    check_services(policy);
    return policy;
  }

 private:
  // The pairs of a mapping in file order. yaml-cpp keeps every duplicate key but
  // lookups find only one of them, so duplicates are reported here and dropped.
  std::vector<Entry> entries(const Node& map, const std::string& where, std::string_view noun) {
    std::vector<Entry> out;
    for (auto it = map.begin(); it != map.end(); ++it) {
      const Node key = it->first;
      if (!key.IsScalar()) {
        error(mark_of(key), where, fmt::format("expected a {} name, got {}", noun, describe(key)));
        continue;
      }
      Entry entry{key.Scalar(), mark_of(key), it->second};
      const auto first =
          std::find_if(out.begin(), out.end(), [&](const Entry& e) { return e.key == entry.key; });
      if (first != out.end()) {
        error(entry.key_mark, where,
              fmt::format("duplicate {} '{}' (first at line {})", noun, entry.key, first->key_mark.line));
        continue;
      }
      out.push_back(std::move(entry));
    }
    return out;
  }

  void unknown_key(const Entry& e, const std::string& where, const Keys& known) {
    std::string hint;
    if (e.key == "<<") {
      // yaml-cpp 0.7 reads the YAML 1.1 merge key as an ordinary key.
      hint = " (YAML merge keys are not supported: put shared values under defaults)";
    } else if (auto near = nearest(e.key, known)) {
      hint = fmt::format(" (did you mean '{}'?)", *near);
    } else {
      hint = fmt::format(" (expected one of: {})", fmt::join(known, ", "));
    }
    error(e.key_mark, where, fmt::format("unknown key '{}'{}", e.key, hint));
  }

  bool expect_map(const Entry& e, const std::string& here, bool allow_off = false) {
    if (e.value.IsMap()) return true;
    error(e.value_mark(), here,
          fmt::format("expected a mapping{}, got {}", allow_off ? " (or off)" : "", describe(e.value)));
    return false;
  }

  // --- scalars ---

  std::optional<std::string> text(const Entry& e, const std::string& parent) {
    if (e.value.IsScalar()) return e.value.Scalar();
    error(e.value_mark(), join(parent, e.key), fmt::format("expected a string, got {}", describe(e.value)));
    return std::nullopt;
  }

  std::optional<std::vector<std::string>> text_list(const Entry& e, const std::string& parent) {
    return text_list_at(e, join(parent, e.key));
  }

  std::optional<std::vector<std::string>> text_list_at(const Entry& e, const std::string& here) {
    if (!e.value.IsSequence()) {
      error(e.value_mark(), here, fmt::format("expected a list, got {}", describe(e.value)));
      return std::nullopt;
    }
    std::vector<std::string> out;
    std::size_t index = 0;
    for (const Node& item : e.value) {
      if (item.IsScalar())
        out.push_back(item.Scalar());
      else
        error(mark_of(item), fmt::format("{}[{}]", here, index),
              fmt::format("expected a string, got {}", describe(item)));
      ++index;
    }
    return out;
  }

  std::optional<bool> boolean(const Entry& e, const std::string& parent) {
    if (e.value.IsScalar())
      if (auto b = parse_bool(e.value.Scalar())) return b;
    error(e.value_mark(), join(parent, e.key),
          fmt::format("expected true or false, got {}", describe(e.value)));
    return std::nullopt;
  }

  std::optional<std::int64_t> id_number(const Entry& e, const std::string& parent) {
    if (e.value.IsScalar() && all_digits(e.value.Scalar()) && e.value.Scalar().size() <= 10) {
      const std::int64_t n = std::stoll(e.value.Scalar());
      if (n <= k_max_id) return n;
    }
    error(e.value_mark(), join(parent, e.key),
          fmt::format("expected an integer from 0 to {}, got {}", k_max_id, describe(e.value)));
    return std::nullopt;
  }

  std::optional<std::string> variable_name(const Entry& e, const std::string& parent) {
    auto name = text(e, parent);
    if (name && !is_name(*name)) {
      error(e.value_mark(), join(parent, e.key), fmt::format("'{}' is not a valid variable name", *name));
      return std::nullopt;
    }
    return name;
  }

  // A path that must stay inside the policy's directory; returned normalised.
  std::optional<std::string> relative_path(const Entry& e, const std::string& parent) {
    const std::string here = join(parent, e.key);
    auto raw = text(e, parent);
    if (!raw) return std::nullopt;
    const std::filesystem::path path(*raw);
    if (raw->empty()) {
      error(e.value_mark(), here, "expected a path, got an empty string");
    } else if (path.has_root_path()) {
      error(e.value_mark(), here,
            fmt::format("'{}' is absolute; paths are relative to the policy's directory", *raw));
    } else {
      const std::filesystem::path normal = path.lexically_normal();
      if (!normal.empty() && *normal.begin() == "..")
        error(e.value_mark(), here, fmt::format("'{}' leaves the policy's directory", *raw));
      else
        return normal.generic_string();
    }
    return std::nullopt;
  }

  // A path relative to each service's directory (machine.profiles): not
  // empty, not absolute. It may climb with ".." (a sibling folder of the
  // services); where it would leave the repository depends on the service,
  // and the repository view refuses such a path when it is used.
  std::optional<std::string> service_relative_path(const Entry& e, const std::string& parent) {
    const std::string here = join(parent, e.key);
    auto raw = text(e, parent);
    if (!raw) return std::nullopt;
    if (raw->empty()) {
      error(e.value_mark(), here, "expected a path, got an empty string");
      return std::nullopt;
    }
    if (std::filesystem::path(*raw).has_root_path()) {
      error(e.value_mark(), here,
            fmt::format("'{}' is absolute; this path is relative to each service's directory", *raw));
      return std::nullopt;
    }
    return raw;
  }

  // A port: "8080" or, when allowed, "8080/udp".
  std::optional<Port> port(const Node& node, const std::string& here, bool allow_protocol) {
    if (!node.IsScalar()) {
      error(mark_of(node), here, fmt::format("expected a port number, got {}", describe(node)));
      return std::nullopt;
    }
    const std::string& raw = node.Scalar();
    std::string_view number = raw;
    std::string protocol = "tcp";
    const std::size_t slash = raw.find('/');
    if (allow_protocol && slash != std::string::npos) {
      number = std::string_view(raw).substr(0, slash);
      protocol = lower(std::string_view(raw).substr(slash + 1));
      if (protocol != "tcp" && protocol != "udp" && protocol != "sctp") {
        error(mark_of(node), here,
              fmt::format("port '{}' has unknown protocol '{}' (expected tcp, udp or sctp)", raw,
                          std::string_view(raw).substr(slash + 1)));
        return std::nullopt;
      }
    }
    const bool negative = !number.empty() && number[0] == '-';
    if (!all_digits(negative ? number.substr(1) : number)) {
      error(mark_of(node), here, fmt::format("port '{}' is not an integer", raw));
      return std::nullopt;
    }
    const int value = negative || number.size() > 5 ? 0 : std::stoi(std::string(number));
    if (value < 1 || value > 65535) {
      error(mark_of(node), here, fmt::format("port {} is outside 1-65535", number));
      return std::nullopt;
    }
    return Port{value, protocol, mark_of(node)};
  }

  std::optional<std::vector<Port>> port_list(const Entry& e, const std::string& parent) {
    const std::string here = join(parent, e.key);
    if (!e.value.IsSequence()) {
      error(e.value_mark(), here, fmt::format("expected a list, got {}", describe(e.value)));
      return std::nullopt;
    }
    std::vector<Port> ports;
    std::size_t index = 0;
    for (const Node& item : e.value) {
      if (auto p = port(item, fmt::format("{}[{}]", here, index++), true)) ports.push_back(*p);
    }
    return ports;
  }

  // --- top-level keys ---

  void parse_version(const Entry& e, Policy& policy) {
    if (e.value.IsScalar() && e.value.Scalar() == std::to_string(k_policy_version)) {
      policy.version = k_policy_version;
      return;
    }
    error(e.value_mark(), "version", fmt::format("expected {}, got {}", k_policy_version, describe(e.value)));
  }

  // `extends: default`, `extends: ../dockmend.yaml`, or a list of those.
  void parse_extends(const Entry& e, Policy& policy) {
    auto one = [&](const Node& item, const std::string& here) {
      if (!item.IsScalar() || item.Scalar().empty()) {
        error(mark_of(item), here,
              fmt::format("expected 'default' or the path of a policy file, got {}", describe(item)));
      } else if (item.Scalar() == "default") {
        policy.extends_default = true;
      } else {
        policy.extends.push_back({item.Scalar(), mark_of(item)});
      }
    };
    if (!e.value.IsSequence()) return one(e.value, "extends");
    std::size_t index = 0;
    for (const Node& item : e.value) one(item, fmt::format("extends[{}]", index++));
  }

  // `exclude: [glob, ...]` (a single string is one glob).
  void parse_exclude(const Entry& e, Policy& policy) {
    auto one = [&](const Node& item, const std::string& here) {
      if (!item.IsScalar() || item.Scalar().empty())
        error(mark_of(item), here, fmt::format("expected a glob, got {}", describe(item)));
      else
        policy.exclude.push_back({item.Scalar(), "", mark_of(item)});
    };
    if (e.value.IsNull()) return;
    if (!e.value.IsSequence()) return one(e.value, "exclude");
    std::size_t index = 0;
    for (const Node& item : e.value) one(item, fmt::format("exclude[{}]", index++));
  }

  void parse_defaults(const Entry& e, Policy& policy) {
    Settings& defaults = policy.defaults;
    Settings& off = policy.defaults_off;
    if (e.value.IsNull()) return;  // `defaults:` with nothing under it
    if (!expect_map(e, "defaults")) return;
    for (const Entry& f : entries(e.value, "defaults", "key")) {
      if (parse_setting(f, "defaults", defaults)) continue;
      if (f.key == "ports") {
        // Shared ports (a metrics port every service exposes).
        policy.default_ports = port_list(f, "defaults");
        continue;
      }
      if (contains(k_service_only_keys, f.key))
        error(f.key_mark, "defaults",
              fmt::format("unknown key '{}' (it belongs {})", f.key,
                          f.key == "rules" ? "at the top level or in a service" : "in a service"));
      else
      {
        Keys keys = k_section_keys;
        keys.push_back("ports");
        unknown_key(f, "defaults", keys);
      }
    }
    // `off` under defaults is the same as leaving the section out; it is kept
    // aside for a policy that extends another (compose.hpp), where it removes
    // the parent's section.
    auto drop_off = [](auto& section, auto& kept) {
      if (section && section->disabled) {
        kept = section;
        section.reset();
      }
    };
    drop_off(defaults.base_image, off.base_image);
    drop_off(defaults.stages, off.stages);
    drop_off(defaults.user, off.user);
    drop_off(defaults.init, off.init);
    drop_off(defaults.pip, off.pip);
    drop_off(defaults.venv, off.venv);
    drop_off(defaults.machine, off.machine);
    drop_off(defaults.env, off.env);
    drop_off(defaults.health, off.health);
  }

  void parse_rules(const Entry& e, const std::string& parent, std::vector<RuleSetting>& rules) {
    const std::string here = join(parent, e.key);
    if (e.value.IsNull()) return;
    if (!e.value.IsMap()) {
      error(e.value_mark(), here,
            fmt::format("expected a mapping of rule ids to on or off, got {}", describe(e.value)));
      return;
    }
    for (const Entry& r : entries(e.value, here, "rule")) {
      std::optional<bool> enabled;
      std::optional<Severity> severity;
      if (r.value.IsMap()) {
        // The mapping form: a rule's options (and its severity); it switches the rule on.
        if (auto setting = rule_options(r, join(here, r.key))) rules.push_back(std::move(*setting));
        continue;
      }
      if (r.value.IsScalar()) {
        enabled = parse_bool(r.value.Scalar());
        // A severity switches the rule on and sets how serious its findings are.
        if (!enabled && (severity = parse_severity(r.value.Scalar()))) enabled = true;
      }
      if (!enabled) {
        error(r.value_mark(), join(here, r.key),
              fmt::format("expected on, off, a severity (error, warning, info, style) or a mapping of "
                          "options, got {}",
                          describe(r.value)));
        continue;
      }
      rules.push_back({r.key, *enabled, r.key_mark, severity, {}});
    }
  }

  // `id: {severity: error, registries: [...]}`.
  std::optional<RuleSetting> rule_options(const Entry& r, const std::string& here) {
    RuleSetting setting{r.key, true, r.key_mark, std::nullopt, {}};
    bool ok = true;
    for (const Entry& o : entries(r.value, here, "key")) {
      const std::string at = join(here, o.key);
      if (o.key == "severity") {
        setting.severity = o.value.IsScalar() ? parse_severity(o.value.Scalar()) : std::nullopt;
        if (!setting.severity) {
          error(o.value_mark(), at,
                fmt::format("expected error, warning, info or style, got {}", describe(o.value)));
          ok = false;
        }
        continue;
      }
      if (std::find(std::begin(k_rule_option_keys), std::end(k_rule_option_keys), o.key) ==
          std::end(k_rule_option_keys)) {
        Keys keys = {"severity"};
        keys.insert(keys.end(), std::begin(k_rule_option_keys), std::end(k_rule_option_keys));
        unknown_key(o, here, keys);
        ok = false;
        continue;
      }
      RuleOption option{o.key, {}, o.key_mark};
      if (o.value.IsNull()) {
        // `registries:` with nothing: no list given.
      } else if (o.value.IsScalar()) {
        option.values.push_back(o.value.Scalar());
      } else if (auto list = text_list_at(o, at)) {
        option.values = std::move(*list);
      } else {
        ok = false;
        continue;
      }
      if (o.key == "registries") ok = registry_patterns(o, at, option.values) && ok;
      setting.options.push_back(std::move(option));
    }
    if (!ok) return std::nullopt;
    return setting;
  }

  // Registry patterns as hadolint's trustedRegistries takes them: a host name
  // with an optional port (`registry.example.com:5000`), `*` alone (any), or one
  // `*` at the start (`*.gcr.io`) or the end (`docker.*`).
  bool registry_patterns(const Entry& o, const std::string& at, std::vector<std::string>& values) {
    bool ok = true;
    std::size_t index = 0;
    const bool list = o.value.IsSequence();
    for (std::string& v : values) {
      const Mark mark = list ? mark_of(o.value[index]) : o.value_mark();
      const std::string where = list ? fmt::format("{}[{}]", at, index) : at;
      ++index;
      const std::string written = v;
      v = lower(v);  // host names are not case-sensitive
      const std::string_view problem = registry_pattern_problem(v);
      if (problem.empty()) continue;
      error(mark, where, fmt::format("'{}': {}", written, problem));
      ok = false;
    }
    return ok;
  }

  void parse_services(const Entry& e, Policy& policy) {
    if (e.value.IsNull()) return;
    if (!expect_map(e, "services")) return;
    for (const Entry& s : entries(e.value, "services", "service")) {
      if (auto service = parse_service(s)) policy.services.push_back(std::move(*service));
    }
  }

  std::optional<Service> parse_service(const Entry& e) {
    const std::string here = join("services", e.key);
    if (!expect_map(e, here)) return std::nullopt;
    Service service;
    service.name = e.key;
    service.mark = e.key_mark;
    bool has_dockerfile = false;
    for (const Entry& f : entries(e.value, here, "key")) {
      if (f.key == "dockerfile") {
        has_dockerfile = true;
        service.dockerfile_mark = f.value_mark();
        if (auto path = relative_path(f, here)) {
          if (*path == ".")
            error(f.value_mark(), join(here, f.key),
                  fmt::format("'{}' does not name a file", f.value.Scalar()));
          else
            service.dockerfile = *path;
        }
      } else if (f.key == "family") {
        service.family = text(f, here);
        service.family_mark = f.value_mark();
      } else if (f.key == "ports") {
        service.ports_mark = f.key_mark;
        if (auto ports = port_list(f, here)) service.ports = std::move(*ports);
      } else if (f.key == "target") {
        service.target_mark = f.value_mark();
        service.target = text(f, here);
        if (service.target && service.target->empty()) {
          error(f.value_mark(), join(here, f.key), "expected a stage name, got an empty string");
          service.target.reset();
        }
      } else if (f.key == "context") {
        service.context_mark = f.value_mark();
        if (auto path = relative_path(f, here)) service.context = *path == "." ? std::string() : *path;
      } else if (f.key == "health_port") {
        service.health_port_mark = f.value_mark();
        if (f.value.IsNull()) {
          error(f.key_mark, join(here, f.key), "expected a port number, got nothing");
        } else if (auto p = port(f.value, join(here, f.key), false)) {
          service.health_port = p->number;
        }
      } else if (f.key == "ref") {
        if (auto ref = text(f, here)) service.ref = *ref;
      } else if (f.key == "rules") {
        parse_rules(f, here, service.rules);
      } else if (!parse_setting(f, here, service.overrides)) {
        static const Keys k_service_keys = {"dockerfile", "family",     "ports",  "health_port", "ref",
                                            "rules",      "target",     "context", "base_image", "stages",
                                            "user",       "init",       "pip",    "venv",        "machine",
                                            "env",        "health"};
        unknown_key(f, here, k_service_keys);
      }
    }
    // A compose file may still give it (load_root checks once compose is read).
    (void)has_dockerfile;
    return service;
  }

  // --- sections ---

  // Parses `e` into its section of `settings`; false when e is not a section key.
  bool parse_setting(const Entry& e, const std::string& parent, Settings& settings) {
    const std::string here = join(parent, e.key);
    if (e.key == "base_image") {
      settings.base_image =
          section<BaseImage>(e, here, {"registry", "families"}, [&](BaseImage& s, const Entry& f) {
            if (f.key == "registry") {
              // One registry, or a list of the allowed ones (a fix moves to the first).
              if (f.value.IsSequence()) {
                if (auto list = text_list(f, here)) s.registries = *list;
                if (s.registries.empty())
                  error(f.value_mark(), join(here, f.key), "expected at least one registry, got an empty list");
              } else if (auto r = text(f, here)) {
                s.registries = {*r};
              }
              if (!s.registries.empty()) s.registry = s.registries.front();
            } else if (f.key == "families")
              s.families = text_list(f, here);
            else
              return false;
            return true;
          });
    } else if (e.key == "stages") {
      settings.stages = parse_stages(e, here);
    } else if (e.key == "user") {
      settings.user = section<User>(e, here, {"name", "uid", "gid"}, [&](User& s, const Entry& f) {
        if (f.key == "name")
          s.name = text(f, here);
        else if (f.key == "uid")
          s.uid = id_number(f, here);
        else if (f.key == "gid")
          s.gid = id_number(f, here);
        else
          return false;
        return true;
      });
    } else if (e.key == "init") {
      settings.init = section<Init>(e, here, {"tini", "download"}, [&](Init& s, const Entry& f) {
        if (f.key == "tini") {
          s.tini = text(f, here);
          if (s.tini && (s.tini->empty() || s.tini->front() != '/'))
            error(f.value_mark(), join(here, f.key), fmt::format("'{}' must be an absolute path", *s.tini));
        } else if (f.key == "download") {
          s.download = tini_download(f, here);
        } else {
          return false;
        }
        return true;
      });
    } else if (e.key == "pip") {
      settings.pip = section<Pip>(e, here, {"require_hashes"}, [&](Pip& s, const Entry& f) {
        if (f.key != "require_hashes") return false;
        s.require_hashes = boolean(f, here);
        return true;
      });
    } else if (e.key == "venv") {
      settings.venv = section<Venv>(e, here, {"allowed"}, [&](Venv& s, const Entry& f) {
        if (f.key != "allowed") return false;
        s.allowed = boolean(f, here);
        return true;
      });
    } else if (e.key == "machine") {
      settings.machine = section<Machine>(e, here, {"arg", "default", "profiles", "profile_source"},
                                          [&](Machine& s, const Entry& f) {
                                            if (f.key == "arg")
                                              s.arg = variable_name(f, here);
                                            else if (f.key == "default")
                                              s.default_profile = text(f, here);
                                            else if (f.key == "profiles")
                                              s.profiles = service_relative_path(f, here);
                                            else if (f.key == "profile_source")
                                              s.profile_source = relative_path(f, here);
                                            else
                                              return false;
                                            return true;
                                          });
    } else if (e.key == "env") {
      settings.env = parse_env(e, here);
    } else if (e.key == "health") {
      settings.health = section<Health>(e, here, {"path", "body", "probe"}, [&](Health& s, const Entry& f) {
        if (f.key == "path") {
          s.path = text(f, here);
          if (s.path && (s.path->empty() || s.path->front() != '/'))
            error(f.value_mark(), join(here, f.key), fmt::format("'{}' must start with '/'", *s.path));
        } else if (f.key == "body") {
          s.body = health_body(f, here);
        } else if (f.key == "probe") {
          s.probe = text(f, here);
        } else {
          return false;
        }
        return true;
      });
    } else {
      return false;
    }
    return true;
  }

  // The common shape of a section: `off`, or a mapping of its keys plus `ref`.
  template <class T, class Field>
  std::optional<T> section(const Entry& e, const std::string& here, Keys keys, Field field) {
    T out;
    out.mark = e.key_mark;
    if (is_off(e.value)) {
      out.disabled = true;
      return out;
    }
    if (!expect_map(e, here, true)) return std::nullopt;
    for (const Entry& f : entries(e.value, here, "key")) {
      if (f.key == "ref") {
        if (auto ref = text(f, here)) out.ref = *ref;
      } else if (!field(out, f)) {
        keys.push_back("ref");
        unknown_key(f, here, keys);
        keys.pop_back();
      }
    }
    return out;
  }

  // `download: {url: https://..., sha256: <64 hex digits>}`.
  std::optional<TiniDownload> tini_download(const Entry& e, const std::string& parent) {
    const std::string here = join(parent, e.key);
    if (!expect_map(e, here)) return std::nullopt;
    TiniDownload d;
    d.mark = e.key_mark;
    bool ok = true;
    for (const Entry& f : entries(e.value, here, "key")) {
      if (f.key == "url") {
        auto url = text(f, here);
        if (url && url->rfind("https://", 0) != 0) {
          error(f.value_mark(), join(here, f.key), fmt::format("'{}' is not an https:// URL", *url));
          ok = false;
        } else if (url) {
          d.url = *url;
        }
      } else if (f.key == "sha256") {
        auto sum = text(f, here);
        const bool hex = sum && sum->size() == 64 && std::all_of(sum->begin(), sum->end(), [](unsigned char c) {
                           return std::isdigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
                         });
        if (sum && !hex) {
          error(f.value_mark(), join(here, f.key), fmt::format("'{}' is not a SHA-256 (64 hex digits)", *sum));
          ok = false;
        } else if (sum) {
          d.sha256 = lower(*sum);
        }
      } else {
        unknown_key(f, here, {"url", "sha256"});
      }
    }
    if (d.url.empty() && ok) {
      error(e.key_mark, here, "missing required key 'url'");
      ok = false;
    }
    if (d.sha256.empty() && ok) {
      error(e.key_mark, here, "missing required key 'sha256'");
      ok = false;
    }
    if (!ok) return std::nullopt;
    return d;
  }

  // `stages: [a, b]`, or `stages: {names: [a, b], ref: ...}` to carry a ref.
  std::optional<Stages> parse_stages(const Entry& e, const std::string& here) {
    if (e.value.IsSequence()) {
      Stages out;
      out.mark = e.key_mark;
      if (auto names = text_list_at(e, here)) out.names = *names;
      return out;
    }
    bool has_names = false;
    auto out = section<Stages>(e, here, {"names"}, [&](Stages& s, const Entry& f) {
      if (f.key != "names") return false;
      has_names = true;
      if (auto names = text_list(f, here)) s.names = *names;
      return true;
    });
    if (out && !out->disabled && !has_names) error(e.key_mark, here, "missing required key 'names'");
    return out;
  }

  // `env: {NAME: {value: v, ref: r}}` or `env: {NAME: v}`; a scalar `ref` is the
  // section's own ref (a variable literally named ref needs the mapping form).
  std::optional<Env> parse_env(const Entry& e, const std::string& here) {
    Env out;
    out.mark = e.key_mark;
    if (is_off(e.value)) {
      out.disabled = true;
      return out;
    }
    if (!expect_map(e, here, true)) return std::nullopt;
    for (const Entry& v : entries(e.value, here, "variable")) {
      const std::string var_here = join(here, v.key);
      if (v.key == "ref" && v.value.IsScalar()) {
        out.ref = v.value.Scalar();
        continue;
      }
      if (!is_name(v.key)) {
        error(v.key_mark, here, fmt::format("'{}' is not a valid variable name", v.key));
        continue;
      }
      EnvVar var{v.key, "", "", v.key_mark};
      if (v.value.IsScalar()) {
        var.value = v.value.Scalar();
      } else if (v.value.IsMap()) {
        bool has_value = false;
        for (const Entry& f : entries(v.value, var_here, "key")) {
          if (f.key == "value") {
            has_value = true;
            if (auto value = text(f, var_here)) var.value = *value;
          } else if (f.key == "ref") {
            if (auto ref = text(f, var_here)) var.ref = *ref;
          } else {
            unknown_key(f, var_here, {"value", "ref"});
          }
        }
        if (!has_value) {
          error(v.key_mark, var_here, "missing required key 'value'");
          continue;
        }
      } else {
        error(v.value_mark(), var_here,
              fmt::format("expected a value or a mapping with 'value', got {}", describe(v.value)));
        continue;
      }
      out.vars.push_back(std::move(var));
    }
    return out;
  }

  std::optional<HealthBody> health_body(const Entry& e, const std::string& parent) {
    const std::string here = join(parent, e.key);
    if (!expect_map(e, here)) return std::nullopt;
    HealthBody body;
    body.mark = mark_of(e.value);
    body.json = to_json(e.value, here);
    for (const Entry& f : entries_quiet(e.value)) {
      const std::string json = to_json(f.value, join(here, f.key), false);
      body.fields.push_back({f.key,
                             f.value.IsScalar() ? f.value.Scalar()
                             : f.value.IsNull() ? ""
                                                : json,
                             json});
    }
    return body;
  }

  // entries() without reporting again what to_json() already reported.
  static std::vector<Entry> entries_quiet(const Node& map) {
    std::vector<Entry> out;
    for (auto it = map.begin(); it != map.end(); ++it) {
      if (!it->first.IsScalar()) continue;
      Entry entry{it->first.Scalar(), mark_of(it->first), it->second};
      if (std::none_of(out.begin(), out.end(), [&](const Entry& x) { return x.key == entry.key; }))
        out.push_back(std::move(entry));
    }
    return out;
  }

  std::string to_json(const Node& node, const std::string& here, bool report = true) {
    std::vector<Node> ancestors;
    return to_json(node, here, report, ancestors);
  }

  std::string to_json(const Node& node, const std::string& here, bool report, std::vector<Node>& ancestors) {
    // An alias may name its own ancestor (`body: &a {x: *a}`) and yaml-cpp then builds
    // a cycle, which a plain walk would follow forever.
    if (std::any_of(ancestors.begin(), ancestors.end(), [&](const Node& a) { return a.is(node); })) {
      if (report) error(mark_of(node), here, "refers to itself (a recursive alias)");
      return "null";
    }
    if (!node.IsMap() && !node.IsSequence()) return scalar_json(node);
    ancestors.push_back(node);
    std::vector<std::string> parts;
    if (node.IsMap()) {
      const std::vector<Entry> pairs = report ? entries(node, here, "key") : entries_quiet(node);
      for (const Entry& f : pairs)
        parts.push_back(
            fmt::format("{}: {}", json_quote(f.key), to_json(f.value, join(here, f.key), report, ancestors)));
    } else {
      std::size_t index = 0;
      for (const Node& item : node)
        parts.push_back(to_json(item, fmt::format("{}[{}]", here, index++), report, ancestors));
    }
    ancestors.pop_back();
    const std::string inside = fmt::format("{}", fmt::join(parts, ", "));
    return node.IsMap() ? "{" + inside + "}" : "[" + inside + "]";
  }

  // --- the compose file beside the policy ---

  // services.<name>.build: "dir", or {context: dir, dockerfile: name}. Only what
  // the policy does not say is taken; the rest of the compose file is not ours.
  void apply_compose(const ComposeText& compose, Policy& policy) {
    const std::string name = std::filesystem::path(compose.path).filename().generic_string();
    Node root;
    try {
      root = YAML::Load(compose.text);
    } catch (const YAML::Exception& e) {
      errors_.push_back({compose.path, mark_of(e.mark), fmt::format("YAML syntax error: {}", e.msg)});
      return;
    }
    if (!root.IsMap() || !root["services"] || !root["services"].IsMap()) return;
    const Node services = root["services"];
    for (Service& service : policy.services) {
      const Node entry = services[service.name];
      if (!entry || !entry.IsMap() || !entry["build"]) continue;
      const Node build = entry["build"];
      std::string context = ".";
      std::string dockerfile = "Dockerfile";
      Mark mark = mark_of(build);
      if (build.IsScalar()) {
        context = build.Scalar();
      } else if (build.IsMap()) {
        if (build["context"] && build["context"].IsScalar()) {
          context = build["context"].Scalar();
          mark = mark_of(build["context"]);
        }
        if (build["dockerfile"] && build["dockerfile"].IsScalar()) dockerfile = build["dockerfile"].Scalar();
      } else {
        continue;
      }
      // A remote context (git URL, tarball) has nothing in this repository.
      if (context.find("://") != std::string::npos || context.rfind("git@", 0) == 0) continue;
      const std::filesystem::path ctx_path = std::filesystem::path(context).lexically_normal();
      if (ctx_path.has_root_path() || (!ctx_path.empty() && *ctx_path.begin() == "..")) {
        errors_.push_back({compose.path, mark,
                           fmt::format("services.{}.build.context: '{}' leaves the policy's directory", service.name,
                                       context)});
        continue;
      }
      std::string ctx = ctx_path.generic_string();
      if (ctx == ".") ctx.clear();
      if (!service.context) {
        service.context = ctx;
        service.context_from = name;
      }
      if (service.dockerfile.empty() && service.dockerfile_mark.line == 0 &&
          !std::filesystem::path(dockerfile).has_root_path()) {
        service.dockerfile = (std::filesystem::path(*service.context) / dockerfile).lexically_normal().generic_string();
        service.context_from = name;
      }
    }
  }

  // --- checks across services ---

  void check_services(const Policy& policy) {
    for (auto it = policy.services.begin(); it != policy.services.end(); ++it) {
      const Service& service = *it;
      const std::string here = join("services", service.name);
      if (!service.dockerfile.empty()) {
        const auto first = std::find_if(policy.services.begin(), it, [&](const Service& other) {
          return other.dockerfile == service.dockerfile;
        });
        if (first != it)
          error(
              service.dockerfile_mark, join(here, "dockerfile"),
              fmt::format("'{}' is already the dockerfile of service '{}'", service.dockerfile, first->name));
      }
      if (service.family) {
        const Settings settings = effective_settings(policy, service);
        if (settings.base_image && settings.base_image->families) {
          const auto& families = *settings.base_image->families;
          if (std::find(families.begin(), families.end(), *service.family) == families.end())
            error(service.family_mark, join(here, "family"),
                  fmt::format("'{}' is not one of base_image.families ({})", *service.family,
                              fmt::join(families, ", ")));
        }
      }
    }
  }

  std::string path_;
  std::vector<Error> errors_;
};

// --- merging ------------------------------------------------------------------------

template <class T>
void take(std::optional<T>& into, const std::optional<T>& from) {
  if (from) into = from;
}

template <class T, class Fields>
std::optional<T> merge(const std::optional<T>& base, const std::optional<T>& over, Fields fields) {
  if (!over) return base;
  if (over->disabled) return std::nullopt;
  if (!base) return over;
  T out = *base;
  out.mark = over->mark;
  if (!over->ref.empty()) out.ref = over->ref;
  fields(out, *over);
  return out;
}

std::string normalise(std::string_view path) {
  return std::filesystem::path(std::string(path)).lexically_normal().generic_string();
}

}  // namespace

std::string Error::to_string() const {
  if (mark.line == 0) return fmt::format("{}: {}", path, message);
  return fmt::format("{}:{}:{}: {}", path, mark.line, mark.col, message);
}

const EnvVar* Env::find(std::string_view name) const {
  const auto it = std::find_if(vars.begin(), vars.end(), [&](const EnvVar& v) { return v.name == name; });
  return it == vars.end() ? nullptr : &*it;
}

const std::vector<Error>& PolicyResult::errors() const {
  static const std::vector<Error> k_none;
  const auto* errors = std::get_if<std::vector<Error>>(&value_);
  return errors ? *errors : k_none;
}

PolicyResult load_policy(std::string_view yaml_text, std::string path, const ComposeText* compose) {
  Loader loader(path);
  std::optional<Policy> policy;
  try {
    const std::vector<Node> documents = YAML::LoadAll(std::string(yaml_text));
    if (documents.empty() || documents[0].IsNull()) {
      loader.error({1, 1}, "", "the policy file is empty");
    } else if (!documents[0].IsMap()) {
      loader.error(mark_of(documents[0]), "",
                   fmt::format("the policy must be a mapping, got {}", describe(documents[0])));
    } else {
      if (documents.size() > 1)
        loader.error(mark_of(documents[1]), "", "the policy file must hold a single YAML document");
      policy = loader.load_root(documents[0], compose);
    }
  } catch (const YAML::Exception& e) {
    // ParserException and the rest (e.g. an undefined alias) carry the offending mark.
    loader.error(mark_of(e.mark), "", fmt::format("YAML syntax error: {}", e.msg));
  } catch (const std::exception& e) {
    loader.error({}, "", fmt::format("cannot load the policy: {}", e.what()));
  }
  std::vector<Error> errors = loader.take_errors();
  if (errors.empty() && policy) return PolicyResult(std::move(*policy));
  std::stable_sort(errors.begin(), errors.end(), [](const Error& a, const Error& b) {
    return std::tie(a.mark.line, a.mark.col) < std::tie(b.mark.line, b.mark.col);
  });
  return PolicyResult(std::move(errors));
}

PolicyResult load_policy_file(const std::filesystem::path& path) {
  // io::read_file's checks: a regular file (not a directory, nor a FIFO, which
  // would block), within the 16 MiB the CLI allows a policy as well.
  io::ReadOptions options;
  options.max_bytes = 16ULL * 1024 * 1024;
  options.stamp = false;
  io::ReadResult r = io::read_file(path.string(), options);
  if (!r.ok()) {
    // "cannot read '<path>': <why>" without the path, which the error names.
    std::string why = r.error->message;
    const std::string prefix = fmt::format("cannot read '{}': ", path.string());
    if (why.rfind(prefix, 0) == 0) why.erase(0, prefix.size());
    return PolicyResult(std::vector<Error>{{path.string(), {}, fmt::format("cannot read the policy file: {}", why)}});
  }
  const auto compose = find_compose_file(path);
  return load_policy(r.bytes, path.string(), compose ? &*compose : nullptr);
}

std::optional<ComposeText> find_compose_file(const std::filesystem::path& policy_path) {
  for (std::string_view name : k_compose_file_names) {
    const std::filesystem::path compose_path = policy_path.parent_path() / std::string(name);
    std::error_code ec;
    if (!std::filesystem::is_regular_file(compose_path, ec)) continue;
    io::ReadOptions options;
    options.max_bytes = 16ULL * 1024 * 1024;
    options.stamp = false;
    io::ReadResult r = io::read_file(compose_path.string(), options);
    if (!r.ok()) return std::nullopt;
    return ComposeText{std::move(r.bytes), compose_path.string()};
  }
  return std::nullopt;
}

std::optional<std::filesystem::path> find_policy_file(const std::filesystem::path& start_dir) {
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::absolute(start_dir, ec);
  if (ec) return std::nullopt;
  dir = dir.lexically_normal();
  // "/a/b/" has an empty filename and parent_path "/a/b": drop the slash so climbing works.
  if (!dir.has_filename() && dir.has_relative_path()) dir = dir.parent_path();
  if (std::filesystem::is_regular_file(dir, ec)) dir = dir.parent_path();
  for (;;) {
    std::filesystem::path candidate = dir / k_policy_file_name;
    if (std::filesystem::is_regular_file(candidate, ec)) return candidate;
    std::filesystem::path parent = dir.parent_path();
    if (parent.empty() || parent == dir) return std::nullopt;
    dir = std::move(parent);
  }
}

const Service* service_for(const Policy& policy, std::string_view dockerfile) {
  if (policy.services.empty()) return nullptr;
  const std::string wanted = normalise(dockerfile);
  for (const Service& service : policy.services)
    if (service.dockerfile == wanted) return &service;
  return nullptr;
}

const Service* find_service(const Policy& policy, std::string_view name) {
  for (const Service& service : policy.services)
    if (service.name == name) return &service;
  return nullptr;
}

Settings effective_settings(const Policy& policy, const Service& service) {
  const Settings& base = policy.defaults;
  const Settings& over = service.overrides;
  Settings out;
  out.base_image = merge(base.base_image, over.base_image, [](BaseImage& o, const BaseImage& s) {
    take(o.registry, s.registry);
    if (!s.registries.empty()) o.registries = s.registries;
    take(o.families, s.families);
  });
  out.stages = merge(base.stages, over.stages, [](Stages& o, const Stages& s) { o.names = s.names; });
  out.user = merge(base.user, over.user, [](User& o, const User& s) {
    take(o.name, s.name);
    take(o.uid, s.uid);
    take(o.gid, s.gid);
  });
  out.init = merge(base.init, over.init, [](Init& o, const Init& s) {
    take(o.tini, s.tini);
    take(o.download, s.download);
  });
  out.pip = merge(base.pip, over.pip, [](Pip& o, const Pip& s) { take(o.require_hashes, s.require_hashes); });
  out.venv = merge(base.venv, over.venv, [](Venv& o, const Venv& s) { take(o.allowed, s.allowed); });
  out.machine = merge(base.machine, over.machine, [](Machine& o, const Machine& s) {
    take(o.arg, s.arg);
    take(o.default_profile, s.default_profile);
    take(o.profiles, s.profiles);
    take(o.profile_source, s.profile_source);
  });
  out.env = merge(base.env, over.env, [](Env& o, const Env& s) {
    for (const EnvVar& var : s.vars) {
      const auto it =
          std::find_if(o.vars.begin(), o.vars.end(), [&](const EnvVar& v) { return v.name == var.name; });
      if (it != o.vars.end())
        *it = var;
      else
        o.vars.push_back(var);
    }
  });
  out.health = merge(base.health, over.health, [](Health& o, const Health& s) {
    take(o.path, s.path);
    take(o.body, s.body);
    take(o.probe, s.probe);
  });
  return out;
}

std::optional<std::vector<Port>> service_ports(const Policy& policy, const Service& service) {
  if (!service.ports) return std::nullopt;
  std::vector<Port> out = *service.ports;
  if (policy.default_ports)
    for (const Port& p : *policy.default_ports)
      if (std::none_of(out.begin(), out.end(),
                       [&](const Port& q) { return q.number == p.number && q.protocol == p.protocol; }))
        out.push_back(p);
  return out;
}

std::string service_context(const Service& service) {
  if (service.context) return *service.context;
  const auto slash = service.dockerfile.rfind('/');
  return slash == std::string::npos ? std::string() : service.dockerfile.substr(0, slash);
}

std::optional<bool> rule_setting(const Policy& policy, const Service* service, std::string_view rule_id) {
  auto find = [&](const std::vector<RuleSetting>& rules) -> std::optional<bool> {
    for (const RuleSetting& rule : rules)
      if (rule.id == rule_id) return rule.enabled;
    return std::nullopt;
  };
  if (service)
    if (auto setting = find(service->rules)) return setting;
  return find(policy.rules);
}

bool rule_enabled(const Policy& policy, const Service* service, std::string_view rule_id) {
  return rule_setting(policy, service, rule_id).value_or(policy.extends_default);
}

std::string_view registry_pattern_problem(std::string_view v) {
  const auto star = v.find('*');
  if (v.empty()) return "an empty registry";
  if (v.find('/') != std::string_view::npos)
    return "a registry is a host name (and port), without a path: base_image.registry pins a namespace";
  if (star != std::string_view::npos && v.find('*', star + 1) != std::string_view::npos) return "'*' may appear once";
  if (star != std::string_view::npos && v != "*" && star != 0 && star + 1 != v.size())
    return "'*' may only be the whole pattern, its start (*.gcr.io) or its end (registry.*)";
  if (v.find_first_of(" \t\"'") != std::string_view::npos) return "a registry has no spaces or quotes";
  return {};
}

const RuleOption* RuleSetting::option(std::string_view key) const {
  for (const RuleOption& o : options)
    if (o.key == key) return &o;
  return nullptr;
}

const RuleOption* rule_option(const Policy& policy, const Service* service, std::string_view rule_id,
                              std::string_view key) {
  auto find = [&](const std::vector<RuleSetting>& rules) -> const RuleOption* {
    for (const RuleSetting& rule : rules)
      if (rule.id == rule_id)
        if (const RuleOption* o = rule.option(key)) return o;
    return nullptr;
  };
  if (service)
    if (const RuleOption* o = find(service->rules)) return o;
  return find(policy.rules);
}

std::filesystem::path resolve(const Policy& policy, std::string_view relative) {
  return (policy.directory / std::string(relative)).lexically_normal();
}

}  // namespace dockmend::policy
