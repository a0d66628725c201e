// The policy file (dockmend.yaml): what the Dockerfiles of a project must look like.
//
// load_policy() parses and validates the YAML into plain structs; every problem it
// finds comes back as an Error that cites path:line:col, never as an exception.
// docs/policy.md documents every key.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "policy/severity.hpp"

namespace dockmend::policy {

inline constexpr std::string_view k_policy_file_name = "dockmend.yaml";
inline constexpr int k_policy_version = 1;

// A place in the policy file, 1-based. line == 0 means "no place" (e.g. an I/O error).
struct Mark {
  int line = 0;
  int col = 0;

  friend bool operator==(const Mark& a, const Mark& b) { return a.line == b.line && a.col == b.col; }
  friend bool operator!=(const Mark& a, const Mark& b) { return !(a == b); }
};

struct Error {
  std::string path;  // the policy file, as given to load_policy
  Mark mark;
  std::string message;

  // "path:line:col: message" ("path: message" when there is no mark).
  std::string to_string() const;
};

// --- The sections of `defaults` (and of per-service overrides) ----------------------
// A section that is absent switches its rule off. Within a section every field is
// optional too: an absent field is simply not checked.

struct Section {
  std::string ref;        // where the rule comes from, e.g. "plan.md:8"; empty if none
  Mark mark;              // the section's key
  bool disabled = false;  // written as `off`; only ever set in Service::overrides
};

struct BaseImage : Section {
  std::optional<std::string> registry;               // e.g. "ghcr.io/org": the first of registries
  std::vector<std::string> registries;               // every allowed registry (`registry: [a, b]`); a fix uses the first
  std::optional<std::vector<std::string>> families;  // allowed image names under registry
};

struct Stages : Section {
  std::vector<std::string> names;  // the build stages, in order
};

struct User : Section {
  std::optional<std::string> name;
  std::optional<std::int64_t> uid;
  std::optional<std::int64_t> gid;
};

// Where tini comes from on a distribution whose package repositories have none
// (RHEL/UBI): a release binary fetched by `ADD --checksum --chmod=0755`.
struct TiniDownload {
  std::string url;
  std::string sha256;  // 64 lowercase hex digits
  Mark mark;
};

struct Init : Section {
  std::optional<std::string> tini;  // path of tini inside the image
  std::optional<TiniDownload> download;
};

struct Pip : Section {
  std::optional<bool> require_hashes;
};

struct Venv : Section {
  std::optional<bool> allowed;
};

struct Machine : Section {
  std::optional<std::string> arg;              // build ARG naming the machine, e.g. MACHINE
  std::optional<std::string> default_profile;  // YAML key `default`
  std::optional<std::string> profiles;         // profile dir, relative to each service dir
  std::optional<std::string> profile_source;   // normalised, relative to the policy's dir
};

struct EnvVar {
  std::string name;
  std::string value;
  std::string ref;
  Mark mark;  // the variable's key
};

struct Env : Section {
  std::vector<EnvVar> vars;  // in file order, names unique

  const EnvVar* find(std::string_view name) const;
};

struct BodyField {
  std::string key;
  std::string value;  // a scalar as written; a list or mapping as canonical JSON
  std::string json;   // the value as canonical JSON ("ok" -> "\"ok\"")
};

struct HealthBody {
  std::string json;               // canonical JSON, keys in file order: {"status": "ok"}
  std::vector<BodyField> fields;  // the top-level key/value pairs, in file order
  Mark mark;
};

struct Health : Section {
  std::optional<std::string> path;  // e.g. /health
  std::optional<HealthBody> body;
  std::optional<std::string> probe;  // HEALTHCHECK command; ${HEALTH_PORT} is the service's
};

// Every section; used for `defaults`, for each service's overrides and for the merge.
struct Settings {
  std::optional<BaseImage> base_image;
  std::optional<Stages> stages;
  std::optional<User> user;
  std::optional<Init> init;
  std::optional<Pip> pip;
  std::optional<Venv> venv;
  std::optional<Machine> machine;
  std::optional<Env> env;
  std::optional<Health> health;
};

// --- Rules, services, the policy ----------------------------------------------------

// An option of a built-in rule, given in the mapping form of its setting:
//   rules: {trusted-registries: {registries: [docker.io, "*.gcr.io"], severity: error}}
// The loader knows the option keys (k_rule_option_keys); which rule takes
// which is the rule's own declaration (the CLI checks it, as it checks ids).
struct RuleOption {
  std::string key;                  // "registries"
  std::vector<std::string> values;  // a list of strings (one string is a list of one)
  Mark mark;                        // the option's key
};

// The keys a rule's mapping form may hold besides `severity`.
inline constexpr std::string_view k_rule_option_keys[] = {"registries"};

// What is wrong with a registry pattern of `registries` ("" when nothing): a host
// name with an optional port, `*` alone, or one `*` at its start or end, as
// hadolint's trustedRegistries has them.
std::string_view registry_pattern_problem(std::string_view pattern);

struct RuleSetting {
  std::string id;  // not checked here: the caller knows the rule ids
  bool enabled = true;
  Mark mark;  // the id's key
  std::optional<Severity> severity;  // written as `id: error` (which also switches it on)
  std::vector<RuleOption> options;   // the mapping form's options (which also switches it on)

  const RuleOption* option(std::string_view key) const;
};

struct RuleMention {
  std::string id;
  Mark mark;
};

struct Port {
  int number = 0;
  std::string protocol = "tcp";  // tcp, udp or sctp
  Mark mark;
};

struct Service {
  std::string name;
  Mark mark;  // the service's key
  std::string ref;
  std::string dockerfile;  // normalised, relative to the policy's directory
  Mark dockerfile_mark;
  std::optional<std::string> family;
  Mark family_mark;
  std::optional<std::vector<Port>> ports;  // absent: not checked; empty: expose nothing
  Mark ports_mark;
  std::optional<int> health_port;
  Mark health_port_mark;
  std::optional<std::string> target;  // the stage that ships (`docker build --target`), by name
  Mark target_mark;
  std::optional<std::string> context;  // the build context, normalised, relative to the policy's directory
  Mark context_mark;
  std::string context_from;            // where context/dockerfile came from when not the policy ("compose.yaml")
  Settings overrides;              // merged over Policy::defaults by effective_settings
  std::vector<RuleSetting> rules;  // override Policy::rules for this service
};

struct PolicyLink {
  std::string path;
  Mark mark;
};

struct ExcludeGlob {
  std::string glob;
  std::string base;
  Mark mark;
};

struct Policy {
  std::string path;                 // as given to load_policy
  std::filesystem::path directory;  // path's parent ("" = the current directory)
  int version = k_policy_version;
  bool extends_default = false;  // `extends: default`: built-in rules are on unless switched off
  bool unsafe_fixes = false;     // `unsafe-fixes: true`: diff/fix apply built-in rules' unsafe fixes too
  Settings defaults;
  Mark defaults_mark;
  Settings defaults_off;  // the sections written `off` under defaults (only their `disabled` mark)
  std::optional<std::vector<Port>> default_ports;  // `defaults.ports`: exposed by every service that lists ports
  std::vector<Service> services;      // in file order, names and dockerfiles unique
  std::vector<RuleSetting> rules;     // the top-level `rules:` map
  std::vector<RuleMention> rule_ids;  // every rule id mentioned (global, then per service)
  // `extends:` entries other than `default`: policy files this one inherits from,
  // as written (relative to this policy's directory, or absolute); see compose.hpp.
  std::vector<PolicyLink> extends;
  // `exclude:` globs: Dockerfiles this policy does not check. `base` is the
  // directory (relative to the repository root, "" for the root) the globs are
  // relative to; load_policy leaves it empty and compose::rebase() sets it.
  std::vector<ExcludeGlob> exclude;
  // `fail_on: SEVERITY` (or `none`): the least severe finding that makes
  // `check` exit 1; --fail-on overrides it. Unset: any finding.
  std::optional<Severity> fail_on;
  bool fail_on_none = false;  // `fail_on: none`: findings never make `check` fail
};

// Either a Policy or the (non-empty) list of errors that kept it from loading.
class PolicyResult {
 public:
  PolicyResult(Policy policy) : value_(std::move(policy)) {}              // NOLINT: implicit on purpose
  PolicyResult(std::vector<Error> errors) : value_(std::move(errors)) {}  // NOLINT

  bool ok() const noexcept { return value_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }
  // Precondition: ok() (otherwise std::bad_variant_access).
  const Policy& policy() const& { return std::get<Policy>(value_); }
  Policy policy() && { return std::get<Policy>(std::move(value_)); }  // by value: no dangling
  // Empty when ok(); sorted by line, then column.
  const std::vector<Error>& errors() const;

 private:
  std::variant<Policy, std::vector<Error>> value_;
};

// A compose file beside the policy (compose.yaml, compose.yml, docker-compose.yaml,
// docker-compose.yml: the first that exists, as `docker compose` picks it).
struct ComposeText {
  std::string text;
  std::string path;  // for errors, and its directory is the policy's
};
inline constexpr std::string_view k_compose_file_names[] = {"compose.yaml", "compose.yml", "docker-compose.yaml",
                                                           "docker-compose.yml"};

// Parses and validates a policy. `path` is used in errors and to locate the policy's
// directory; nothing is read from disk. Never throws (beyond std::bad_alloc).
// With `compose`, each service named in both takes build.context and
// build.dockerfile from the compose file where the policy does not say them; a
// service may then leave out `dockerfile`.
PolicyResult load_policy(std::string_view yaml_text, std::string path, const ComposeText* compose = nullptr);

// The compose file beside the policy at `policy_path`, read; nullopt when there is none.
std::optional<ComposeText> find_compose_file(const std::filesystem::path& policy_path);

// Reads `path` and loads it, with the compose file beside it when there is one;
// an unreadable file is an error without a mark.
PolicyResult load_policy_file(const std::filesystem::path& path);

// The nearest dockmend.yaml in start_dir or its parents, as git finds .git; the
// result is absolute. A start_dir that names a file starts from the file's directory.
std::optional<std::filesystem::path> find_policy_file(const std::filesystem::path& start_dir);

// The service whose dockerfile is `dockerfile` (relative to the policy's directory;
// "./" and repeated slashes do not matter), or nullptr.
const Service* service_for(const Policy& policy, std::string_view dockerfile);
const Service* find_service(const Policy& policy, std::string_view name);

// The defaults with the service's overrides merged over them, field by field
// (lists and the health body replace; env merges by variable name; `off` removes).
Settings effective_settings(const Policy& policy, const Service& service);

// The ports a service must expose: its own list, then the shared `defaults.ports`
// it does not list; nullopt when the service lists none (ports are not checked).
std::optional<std::vector<Port>> service_ports(const Policy& policy, const Service& service);

// The service's build context relative to the policy's directory: `context`, else
// the dockerfile's directory ("" = the policy's directory).
std::string service_context(const Service& service);

// How the policy sets a rule: the service's setting, else the global one, else none.
std::optional<bool> rule_setting(const Policy& policy, const Service* service, std::string_view rule_id);
// rule_setting(), defaulting to whether the policy extends the built-in default.
bool rule_enabled(const Policy& policy, const Service* service, std::string_view rule_id);
// Option `key` of a rule as the policy sets it for `service`: the service's
// setting that gives it, else the top-level one (the first that gives it: a
// policy's own settings come before those it extends); null when none does.
const RuleOption* rule_option(const Policy& policy, const Service* service, std::string_view rule_id,
                              std::string_view key);

// A path relative to the policy's directory (a dockerfile, profile_source) on disk.
std::filesystem::path resolve(const Policy& policy, std::string_view relative);

}  // namespace dockmend::policy
