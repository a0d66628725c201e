#include "policy/policy.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace dockmend::policy;

namespace {

const char* const k_path = "proj/dockmend.yaml";

std::vector<std::string> errors_of(std::string_view yaml) {
  const PolicyResult result = load_policy(yaml, k_path);
  std::vector<std::string> out;
  for (const Error& e : result.errors()) out.push_back(e.to_string());
  return out;
}

// The one error a policy must produce, or a description of what it produced instead.
std::string error_of(std::string_view yaml) {
  const std::vector<std::string> errors = errors_of(yaml);
  if (errors.size() == 1) return errors[0];
  std::string all = std::to_string(errors.size()) + " errors:";
  for (const std::string& e : errors) all += "\n  " + e;
  return all;
}

Policy must_load(std::string_view yaml) {
  PolicyResult result = load_policy(yaml, k_path);
  for (const Error& e : result.errors()) ADD_FAILURE() << e.to_string();
  if (!result.ok()) return {};
  return std::move(result).policy();
}

// A temporary directory tree, removed when the test ends.
class TempDir {
 public:
  TempDir() {
    std::random_device random;
    path_ = fs::temp_directory_path() / ("dockmend-policy-test-" + std::to_string(random()));
    fs::create_directories(path_);
    path_ = fs::canonical(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const fs::path& path() const { return path_; }
  fs::path write(const fs::path& relative, const std::string& text) const {
    const fs::path file = path_ / relative;
    fs::create_directories(file.parent_path());
    std::ofstream(file) << text;
    return file;
  }

 private:
  fs::path path_;
};

// --- the Phase 4 example ------------------------------------------------------------

TEST(Example, LoadsWithEveryValue) {
  const fs::path file = fs::path(DOCKMEND_SOURCE_DIR) / "examples/phase4/dockmend.yaml";
  const PolicyResult result = load_policy_file(file);
  for (const Error& e : result.errors()) ADD_FAILURE() << e.to_string();
  ASSERT_TRUE(result.ok());
  const Policy& p = result.policy();

  EXPECT_EQ(p.path, file.string());
  EXPECT_EQ(p.directory, file.parent_path());
  EXPECT_EQ(p.version, 1);
  EXPECT_FALSE(p.extends_default);
  EXPECT_TRUE(p.rules.empty());
  EXPECT_TRUE(p.rule_ids.empty());
  EXPECT_EQ(p.defaults_mark, (Mark{5, 1}));

  const Settings& d = p.defaults;
  ASSERT_TRUE(d.base_image);
  EXPECT_EQ(d.base_image->registry, "ghcr.io/haymayndzultra");
  EXPECT_EQ(d.base_image->families, (std::vector<std::string>{"family-llm-cu121", "family-torch-cu121"}));
  EXPECT_EQ(d.base_image->ref, "plan.md:5");
  EXPECT_EQ(d.base_image->mark, (Mark{6, 3}));
  EXPECT_FALSE(d.base_image->disabled);

  ASSERT_TRUE(d.stages);
  EXPECT_EQ(d.stages->names, (std::vector<std::string>{"builder", "runtime"}));
  EXPECT_EQ(d.stages->ref, "");
  EXPECT_EQ(d.stages->mark, (Mark{10, 3}));

  ASSERT_TRUE(d.user);
  EXPECT_EQ(d.user->name, "appuser");
  EXPECT_EQ(d.user->uid, 10001);
  EXPECT_EQ(d.user->gid, 10001);
  EXPECT_EQ(d.user->ref, "plan.md:8");
  EXPECT_EQ(d.user->mark, (Mark{11, 3}));

  ASSERT_TRUE(d.init);
  EXPECT_EQ(d.init->tini, "/usr/bin/tini");
  EXPECT_EQ(d.init->ref, "plan.md:9");
  EXPECT_EQ(d.init->mark, (Mark{16, 3}));

  ASSERT_TRUE(d.pip);
  EXPECT_EQ(d.pip->require_hashes, true);
  EXPECT_EQ(d.pip->ref, "plan.md:10");

  ASSERT_TRUE(d.venv);
  EXPECT_EQ(d.venv->allowed, false);
  EXPECT_EQ(d.venv->ref, "plan.md:11");

  ASSERT_TRUE(d.machine);
  EXPECT_EQ(d.machine->arg, "MACHINE");
  EXPECT_EQ(d.machine->default_profile, "mainpc");
  EXPECT_EQ(d.machine->profiles, "config/machine-profiles");
  EXPECT_EQ(d.machine->profile_source, "model_ops_coordinator/config/machine-profiles");
  EXPECT_EQ(d.machine->ref, "plan.md:12");
  EXPECT_EQ(d.machine->mark, (Mark{25, 3}));
  EXPECT_TRUE(fs::is_directory(resolve(p, *d.machine->profile_source)));

  ASSERT_TRUE(d.env);
  EXPECT_EQ(d.env->ref, "");
  ASSERT_EQ(d.env->vars.size(), 1u);
  const EnvVar* arch = d.env->find("TORCH_CUDA_ARCH_LIST");
  ASSERT_NE(arch, nullptr);
  EXPECT_EQ(arch->value, "8.9;8.6");
  EXPECT_EQ(arch->ref, "plan.md:14");
  EXPECT_EQ(arch->mark, (Mark{32, 5}));
  EXPECT_EQ(d.env->find("PATH"), nullptr);

  ASSERT_TRUE(d.health);
  EXPECT_EQ(d.health->path, "/health");
  ASSERT_TRUE(d.health->body);
  EXPECT_EQ(d.health->body->json, R"({"status": "ok"})");
  ASSERT_EQ(d.health->body->fields.size(), 1u);
  EXPECT_EQ(d.health->body->fields[0].key, "status");
  EXPECT_EQ(d.health->body->fields[0].value, "ok");
  EXPECT_EQ(d.health->body->fields[0].json, R"("ok")");
  EXPECT_EQ(d.health->body->mark, (Mark{37, 11}));
  EXPECT_EQ(d.health->probe, "curl -fsS http://localhost:${HEALTH_PORT}/health || exit 1");
  EXPECT_EQ(d.health->ref, "plan.md:16");
  EXPECT_EQ(d.health->mark, (Mark{35, 3}));

  struct Expected {
    const char* name;
    const char* dockerfile;
    const char* family;
    int port;
    int health_port;
    const char* ref;
    int line;
  };
  const Expected expected[] = {
      {"model_ops_coordinator", "model_ops_coordinator/Dockerfile", "family-llm-cu121", 7212, 8212,
       "plan.md:23", 42},
      {"affective_processing_center", "affective_processing_center/Dockerfile", "family-torch-cu121", 5560,
       6560, "plan.md:24", 48},
      {"real_time_audio_pipeline", "real_time_audio_pipeline/Dockerfile", "family-torch-cu121", 5557, 6557,
       "plan.md:25", 54},
  };
  ASSERT_EQ(p.services.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    SCOPED_TRACE(expected[i].name);
    const Service& s = p.services[i];
    EXPECT_EQ(s.name, expected[i].name);
    EXPECT_EQ(s.mark, (Mark{expected[i].line, 3}));
    EXPECT_EQ(s.dockerfile, expected[i].dockerfile);
    EXPECT_EQ(s.dockerfile_mark, (Mark{expected[i].line + 1, 17}));
    EXPECT_EQ(s.family, expected[i].family);
    ASSERT_TRUE(s.ports);
    ASSERT_EQ(s.ports->size(), 1u);
    EXPECT_EQ((*s.ports)[0].number, expected[i].port);
    EXPECT_EQ((*s.ports)[0].protocol, "tcp");
    EXPECT_EQ((*s.ports)[0].mark, (Mark{expected[i].line + 3, 13}));
    EXPECT_EQ(s.health_port, expected[i].health_port);
    EXPECT_EQ(s.health_port_mark, (Mark{expected[i].line + 4, 18}));
    EXPECT_EQ(s.ref, expected[i].ref);
    EXPECT_TRUE(s.rules.empty());
    EXPECT_TRUE(fs::is_regular_file(resolve(p, s.dockerfile)));
    EXPECT_EQ(service_for(p, expected[i].dockerfile), &s);
    EXPECT_EQ(find_service(p, expected[i].name), &s);

    // No overrides: the effective settings are the defaults.
    const Settings eff = effective_settings(p, s);
    ASSERT_TRUE(eff.user);
    EXPECT_EQ(eff.user->name, "appuser");
    EXPECT_EQ(eff.user->mark, (Mark{11, 3}));
    ASSERT_TRUE(eff.health && eff.health->body);
    EXPECT_EQ(eff.health->body->json, R"({"status": "ok"})");
  }
}

// --- what loads -----------------------------------------------------------------------

TEST(Load, MinimalPolicies) {
  Policy p = must_load("version: 1\n");
  EXPECT_TRUE(p.services.empty());
  EXPECT_FALSE(p.defaults.user);
  EXPECT_EQ(p.directory, fs::path("proj"));

  p = must_load("services:\n  a:\n    dockerfile: Dockerfile\n");  // version is optional
  ASSERT_EQ(p.services.size(), 1u);
  EXPECT_FALSE(p.services[0].ports);  // absent: not checked
  EXPECT_FALSE(p.services[0].health_port);

  p = must_load("defaults:\nservices:\nrules:\n");  // empty sections are empty
  EXPECT_TRUE(p.services.empty());

  p = must_load("services:\n  a:\n    dockerfile: a/Dockerfile\n    ports: []\n");
  ASSERT_TRUE(p.services[0].ports);
  EXPECT_TRUE(p.services[0].ports->empty());  // present and empty: expose nothing

  PolicyResult bare = load_policy("version: 1\n", "dockmend.yaml");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare.policy().directory, fs::path(""));
}

TEST(Load, PortsKeepTheirProtocol) {
  const Policy p = must_load(R"(services:
  a:
    dockerfile: a/Dockerfile
    ports: [8080, "8081/udp", 8082/TCP, "9000/sctp", "443"]
    health_port: 8080
)");
  const std::vector<Port>& ports = *p.services[0].ports;
  ASSERT_EQ(ports.size(), 5u);
  EXPECT_EQ(ports[0].number, 8080);
  EXPECT_EQ(ports[0].protocol, "tcp");
  EXPECT_EQ(ports[1].number, 8081);
  EXPECT_EQ(ports[1].protocol, "udp");
  EXPECT_EQ(ports[2].protocol, "tcp");
  EXPECT_EQ(ports[3].protocol, "sctp");
  EXPECT_EQ(ports[4].number, 443);
  EXPECT_EQ(ports[1].mark, (Mark{4, 19}));
  EXPECT_EQ(p.services[0].health_port, 8080);  // the same as a service port is fine
}

TEST(Load, PortBoundaries) {
  const Policy p = must_load("services:\n  a:\n    dockerfile: D\n    ports: [1, 65535]\n");
  EXPECT_EQ((*p.services[0].ports)[0].number, 1);
  EXPECT_EQ((*p.services[0].ports)[1].number, 65535);
}

TEST(Load, DockerfilePathsAreNormalised) {
  const Policy p = must_load(R"(services:
  a:
    dockerfile: ./a//b/../Dockerfile
  b:
    dockerfile: b/Dockerfile.prod
defaults:
  machine:
    profile_source: ./shared//profiles/
)");
  EXPECT_EQ(p.services[0].dockerfile, "a/Dockerfile");
  EXPECT_EQ(p.services[1].dockerfile, "b/Dockerfile.prod");
  EXPECT_EQ(p.defaults.machine->profile_source, "shared/profiles/");
}

TEST(Load, StagesMayCarryARef) {
  const Policy p = must_load("defaults:\n  stages:\n    names: [build, run]\n    ref: plan.md:3\n");
  ASSERT_TRUE(p.defaults.stages);
  EXPECT_EQ(p.defaults.stages->names, (std::vector<std::string>{"build", "run"}));
  EXPECT_EQ(p.defaults.stages->ref, "plan.md:3");
}

TEST(Load, EnvForms) {
  const Policy p = must_load(R"(defaults:
  env:
    ref: plan.md:14
    A: {value: "1", ref: plan.md:15}
    B: plain
    C: 8.9
    ref2: {value: x}
    EMPTY: ""
)");
  const Env& env = *p.defaults.env;
  EXPECT_EQ(env.ref, "plan.md:14");
  ASSERT_EQ(env.vars.size(), 5u);
  EXPECT_EQ(env.find("A")->value, "1");
  EXPECT_EQ(env.find("A")->ref, "plan.md:15");
  EXPECT_EQ(env.find("B")->value, "plain");
  EXPECT_EQ(env.find("B")->ref, "");
  EXPECT_EQ(env.find("C")->value, "8.9");  // as written, not as a float
  EXPECT_EQ(env.find("ref2")->value, "x");
  EXPECT_EQ(env.find("EMPTY")->value, "");
  EXPECT_EQ(env.find("B")->mark, (Mark{5, 5}));
}

TEST(Load, AVariableNamedRefNeedsTheMappingForm) {
  const Policy p = must_load("defaults:\n  env:\n    ref: {value: r}\n");
  ASSERT_EQ(p.defaults.env->vars.size(), 1u);
  EXPECT_EQ(p.defaults.env->vars[0].name, "ref");
  EXPECT_EQ(p.defaults.env->ref, "");
}

TEST(Load, HealthBodyBecomesCanonicalJson) {
  const Policy p = must_load(R"(defaults:
  health:
    body:
      status: ok
      code: 200
      ratio: -0.5e3
      ready: true
      quoted: "1"
      single: 'yes'
      nothing: ~
      octal: 0o17
      text: "say \"hi\"\tnow"
      nested: {list: [1, two, {deep: false}], empty: {}}
)");
  const HealthBody& body = *p.defaults.health->body;
  EXPECT_EQ(body.json, R"({"status": "ok", "code": 200, "ratio": -0.5e3, "ready": true, "quoted": "1", )"
                       R"("single": "yes", "nothing": null, "octal": "0o17", "text": "say \"hi\"\tnow", )"
                       R"("nested": {"list": [1, "two", {"deep": false}], "empty": {}}})");
  ASSERT_EQ(body.fields.size(), 10u);
  EXPECT_EQ(body.fields[1].key, "code");
  EXPECT_EQ(body.fields[1].value, "200");
  EXPECT_EQ(body.fields[1].json, "200");
  EXPECT_EQ(body.fields[4].value, "1");
  EXPECT_EQ(body.fields[4].json, R"("1")");
  EXPECT_EQ(body.fields[6].value, "");
  EXPECT_EQ(body.fields[6].json, "null");
  EXPECT_EQ(body.fields[9].key, "nested");
  EXPECT_EQ(body.fields[9].value, R"({"list": [1, "two", {"deep": false}], "empty": {}})");
  EXPECT_EQ(body.mark, (Mark{4, 7}));
}

TEST(Load, HealthBodyFollowsAliases) {
  const Policy p = must_load(
      "defaults:\n  health:\n    body: {status: &s ok, list: &l [1], again: *s, "
      "more: *l}\n");
  EXPECT_EQ(p.defaults.health->body->json, R"({"status": "ok", "list": [1], "again": "ok", "more": [1]})");
}

TEST(Load, SectionsCanBeSwitchedOff) {
  const Policy p = must_load(R"(defaults:
  user: {name: app}
  venv: off
services:
  a:
    dockerfile: a/Dockerfile
    user: off
    pip: false
)");
  EXPECT_FALSE(p.defaults.venv);  // off under defaults: as if absent
  const Service& a = p.services[0];
  ASSERT_TRUE(a.overrides.user);
  EXPECT_TRUE(a.overrides.user->disabled);
  const Settings eff = effective_settings(p, a);
  EXPECT_FALSE(eff.user);
  EXPECT_FALSE(eff.pip);
  EXPECT_FALSE(eff.venv);
}

// --- rules ------------------------------------------------------------------------------

TEST(Rules, SettingsAndMentions) {
  const Policy p = must_load(R"(extends: default
rules:
  apt-no-install-recommends: off
  exec-form: on
  maintainer: false
  pin-versions: true
services:
  a:
    dockerfile: a/Dockerfile
    rules: {exec-form: off, maintainer: yes}
  b:
    dockerfile: b/Dockerfile
)");
  EXPECT_TRUE(p.extends_default);
  ASSERT_EQ(p.rules.size(), 4u);
  EXPECT_EQ(p.rules[0].id, "apt-no-install-recommends");
  EXPECT_FALSE(p.rules[0].enabled);
  EXPECT_EQ(p.rules[0].mark, (Mark{3, 3}));
  EXPECT_TRUE(p.rules[1].enabled);

  ASSERT_EQ(p.rule_ids.size(), 6u);
  EXPECT_EQ(p.rule_ids[3].id, "pin-versions");
  EXPECT_EQ(p.rule_ids[3].mark, (Mark{6, 3}));
  EXPECT_EQ(p.rule_ids[4].id, "exec-form");
  EXPECT_EQ(p.rule_ids[4].mark, (Mark{10, 13}));
  EXPECT_EQ(p.rule_ids[5].id, "maintainer");

  const Service* a = find_service(p, "a");
  const Service* b = find_service(p, "b");
  EXPECT_EQ(rule_setting(p, nullptr, "exec-form"), true);
  EXPECT_EQ(rule_setting(p, a, "exec-form"), false);
  EXPECT_EQ(rule_setting(p, b, "exec-form"), true);
  EXPECT_EQ(rule_setting(p, a, "maintainer"), true);
  EXPECT_EQ(rule_setting(p, b, "maintainer"), false);
  EXPECT_EQ(rule_setting(p, a, "unmentioned"), std::nullopt);
  EXPECT_TRUE(rule_enabled(p, a, "unmentioned"));  // extends: default
  EXPECT_FALSE(rule_enabled(p, a, "apt-no-install-recommends"));
}

TEST(Rules, UnsafeFixesIsABooleanAtTheTopLevel) {
  EXPECT_FALSE(load_policy("version: 1\n", "p.yaml").policy().unsafe_fixes);
  EXPECT_TRUE(load_policy("unsafe-fixes: true\n", "p.yaml").policy().unsafe_fixes);
  const auto bad = load_policy("unsafe-fixes: maybe\n", "p.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.errors().front().to_string(), "p.yaml:1:15: unsafe-fixes: expected true or false, got 'maybe'");
}

TEST(Rules, WithoutExtendsUnmentionedRulesAreOff) {
  const Policy p = must_load("rules: {exec-form: on}\n");
  EXPECT_FALSE(p.extends_default);
  EXPECT_TRUE(rule_enabled(p, nullptr, "exec-form"));
  EXPECT_FALSE(rule_enabled(p, nullptr, "maintainer"));
}

// --- merging ----------------------------------------------------------------------------

TEST(Merge, OverridesMergeFieldByField) {
  const Policy p = must_load(R"(defaults:
  base_image: {registry: ghcr.io/org, families: [f1, f2], ref: plan.md:5}
  stages: [builder, runtime]
  user: {name: appuser, uid: 10001, gid: 10001, ref: plan.md:8}
  machine: {arg: MACHINE, default: mainpc}
  env:
    A: {value: "1", ref: plan.md:1}
    B: "2"
  health: {path: /health, body: {status: ok}, probe: curl x}
services:
  rtap:
    dockerfile: rtap/Dockerfile
    family: f3
    base_image: {families: [f3]}
    stages: [runtime]
    user: {name: rtap}
    machine: {default: pc2, ref: plan.md:99}
    init: {tini: /sbin/tini}
    env: {B: "3", C: "4"}
    health: {body: {ok: true}}
  plain:
    dockerfile: plain/Dockerfile
)");
  const Service& rtap = *find_service(p, "rtap");
  const Settings eff = effective_settings(p, rtap);

  EXPECT_EQ(eff.base_image->registry, "ghcr.io/org");
  EXPECT_EQ(eff.base_image->families, (std::vector<std::string>{"f3"}));  // lists replace
  EXPECT_EQ(eff.base_image->ref, "plan.md:5");                            // kept: no ref given
  EXPECT_EQ(eff.base_image->mark, (Mark{14, 5}));                         // the override's key
  EXPECT_EQ(eff.stages->names, (std::vector<std::string>{"runtime"}));

  EXPECT_EQ(eff.user->name, "rtap");
  EXPECT_EQ(eff.user->uid, 10001);
  EXPECT_EQ(eff.user->gid, 10001);
  EXPECT_EQ(eff.user->ref, "plan.md:8");

  EXPECT_EQ(eff.machine->arg, "MACHINE");
  EXPECT_EQ(eff.machine->default_profile, "pc2");
  EXPECT_EQ(eff.machine->ref, "plan.md:99");

  ASSERT_TRUE(eff.init);  // only in the service
  EXPECT_EQ(eff.init->tini, "/sbin/tini");
  EXPECT_FALSE(eff.pip);  // nowhere

  ASSERT_EQ(eff.env->vars.size(), 3u);
  EXPECT_EQ(eff.env->vars[0].name, "A");
  EXPECT_EQ(eff.env->vars[0].ref, "plan.md:1");
  EXPECT_EQ(eff.env->vars[1].name, "B");
  EXPECT_EQ(eff.env->vars[1].value, "3");
  EXPECT_EQ(eff.env->vars[2].name, "C");

  EXPECT_EQ(eff.health->path, "/health");
  EXPECT_EQ(eff.health->probe, "curl x");
  EXPECT_EQ(eff.health->body->json, R"({"ok": true})");  // the body replaces

  // The defaults are untouched and other services see them as they are.
  const Settings plain = effective_settings(p, *find_service(p, "plain"));
  EXPECT_EQ(plain.user->name, "appuser");
  EXPECT_EQ(plain.env->vars.size(), 2u);
  EXPECT_EQ(p.defaults.user->name, "appuser");
}

// --- service lookup -------------------------------------------------------------------

TEST(ServiceFor, NormalisesThePath) {
  const Policy p = must_load(
      "services:\n  a:\n    dockerfile: svc/a/Dockerfile\n"
      "  b:\n    dockerfile: ./svc//b/Dockerfile\n");
  const Service* a = &p.services[0];
  const Service* b = &p.services[1];
  EXPECT_EQ(service_for(p, "svc/a/Dockerfile"), a);
  EXPECT_EQ(service_for(p, "./svc/a/Dockerfile"), a);
  EXPECT_EQ(service_for(p, "svc//a///Dockerfile"), a);
  EXPECT_EQ(service_for(p, "./svc/./a/Dockerfile"), a);
  EXPECT_EQ(service_for(p, "svc/b/Dockerfile"), b);
  EXPECT_EQ(service_for(p, "svc/a/../b/Dockerfile"), b);
  EXPECT_EQ(service_for(p, "svc/c/Dockerfile"), nullptr);
  EXPECT_EQ(service_for(p, "svc/a"), nullptr);
  EXPECT_EQ(service_for(p, ""), nullptr);
  EXPECT_EQ(find_service(p, "c"), nullptr);
}

// --- errors ---------------------------------------------------------------------------

TEST(Errors, EmptyFile) {
  EXPECT_EQ(error_of(""), "proj/dockmend.yaml:1:1: the policy file is empty");
  EXPECT_EQ(error_of("# nothing yet\n\n"), "proj/dockmend.yaml:1:1: the policy file is empty");
  EXPECT_EQ(error_of("---\n"), "proj/dockmend.yaml:1:1: the policy file is empty");
}

TEST(Errors, NotAMapping) {
  EXPECT_EQ(error_of("- a\n- b\n"), "proj/dockmend.yaml:1:1: the policy must be a mapping, got a list");
  EXPECT_EQ(error_of("\n  just text\n"),
            "proj/dockmend.yaml:2:3: the policy must be a mapping, got 'just text'");
}

TEST(Errors, YamlSyntax) {
  EXPECT_EQ(error_of("version: 1\nservices: [a, b\nrules: {}\n"),
            "proj/dockmend.yaml:3:6: YAML syntax error: end of sequence flow not found");
  EXPECT_EQ(error_of("version: 1\nfoo: bar: baz\n"),
            "proj/dockmend.yaml:2:9: YAML syntax error: illegal map value");
  EXPECT_EQ(error_of("version: 1\ndefaults: *nowhere\n"),
            "proj/dockmend.yaml:2:11: YAML syntax error: the referenced anchor is not defined");
}

TEST(Errors, MoreThanOneDocument) {
  EXPECT_EQ(error_of("version: 1\n---\nversion: 1\n"),
            "proj/dockmend.yaml:3:1: the policy file must hold a single YAML document");
}

TEST(Errors, Version) {
  EXPECT_EQ(error_of("version: 2\n"), "proj/dockmend.yaml:1:10: version: expected 1, got '2'");
  EXPECT_EQ(error_of("version: one\n"), "proj/dockmend.yaml:1:10: version: expected 1, got 'one'");
  EXPECT_EQ(error_of("version: [1]\n"), "proj/dockmend.yaml:1:10: version: expected 1, got a list");
  EXPECT_EQ(error_of("version:\n"), "proj/dockmend.yaml:1:1: version: expected 1, got nothing");
}

TEST(Errors, Extends) {
  EXPECT_EQ(error_of("extends: {a: 1}\n"),
            "proj/dockmend.yaml:1:10: extends: expected 'default' or the path of a policy file, got a mapping");
  EXPECT_EQ(error_of("extends: [default, [x]]\n"),
            "proj/dockmend.yaml:1:20: extends[1]: expected 'default' or the path of a policy file, got a list");
  EXPECT_EQ(error_of("exclude: [{a: 1}]\n"), "proj/dockmend.yaml:1:11: exclude[0]: expected a glob, got a mapping");
  EXPECT_EQ(error_of("fail_on: fatal\n"),
            "proj/dockmend.yaml:1:10: fail_on: expected error, warning, info, style or none, got 'fatal'");
}

// `extends:` names `default` and policy files (kept for the CLI to load),
// `exclude:` globs, `fail_on:` a severity or none.
TEST(Policy, ExtendsExcludeFailOn) {
  auto r = load_policy("extends: [default, ../org/dockmend.yaml]\nexclude: templates/\nfail_on: Warning\n",
                       "proj/dockmend.yaml");
  ASSERT_TRUE(r.ok()) << r.errors().front().to_string();
  const Policy& p = r.policy();
  EXPECT_TRUE(p.extends_default);
  ASSERT_EQ(p.extends.size(), 1u);
  EXPECT_EQ(p.extends[0].path, "../org/dockmend.yaml");
  EXPECT_EQ(p.extends[0].mark, (Mark{1, 20}));
  ASSERT_EQ(p.exclude.size(), 1u);
  EXPECT_EQ(p.exclude[0].glob, "templates/");
  EXPECT_EQ(p.fail_on, Severity::Warning);
  EXPECT_FALSE(p.fail_on_none);
  EXPECT_TRUE(load_policy("fail_on: none\n", "p.yaml").policy().fail_on_none);
}

// A rule's value may be a severity, which also switches it on.
TEST(Policy, RuleSeverities) {
  auto r = load_policy("rules:\n  exec-form: error\n  DL3008: Style\n  maintainer: off\n", "p.yaml");
  ASSERT_TRUE(r.ok());
  const auto& rules = r.policy().rules;
  ASSERT_EQ(rules.size(), 3u);
  EXPECT_TRUE(rules[0].enabled);
  EXPECT_EQ(rules[0].severity, Severity::Error);
  EXPECT_EQ(rules[1].severity, Severity::Style);
  EXPECT_FALSE(rules[2].enabled);
  EXPECT_FALSE(rules[2].severity);
}

TEST(Errors, UnknownKeysSuggestTheNearest) {
  EXPECT_EQ(error_of("versoin: 1\n"),
            "proj/dockmend.yaml:1:1: unknown key 'versoin' (did you mean 'version'?)");
  EXPECT_EQ(error_of("version: 1\nServices: {}\n"),
            "proj/dockmend.yaml:2:1: unknown key 'Services' (did you mean 'services'?)");
  EXPECT_EQ(error_of("defaults:\n  helth: {path: /h}\n"),
            "proj/dockmend.yaml:2:3: defaults: unknown key 'helth' (did you mean 'health'?)");
  EXPECT_EQ(error_of("defaults:\n  user:\n    nmae: app\n"),
            "proj/dockmend.yaml:3:5: defaults.user: unknown key 'nmae' (did you mean 'name'?)");
  EXPECT_EQ(error_of("defaults:\n  user:\n    rfe: plan.md:1\n"),
            "proj/dockmend.yaml:3:5: defaults.user: unknown key 'rfe' (did you mean 'ref'?)");
  EXPECT_EQ(error_of("defaults:\n  pip: {require_hash: true}\n"),
            "proj/dockmend.yaml:2:9: defaults.pip: unknown key 'require_hash' (did you mean "
            "'require_hashes'?)");
  EXPECT_EQ(error_of("services:\n  a:\n    dockerfile: D\n    prots: [80]\n"),
            "proj/dockmend.yaml:4:5: services.a: unknown key 'prots' (did you mean 'ports'?)");
  EXPECT_EQ(error_of("services:\n  a:\n    dockerfile: D\n    healthport: 80\n"),
            "proj/dockmend.yaml:4:5: services.a: unknown key 'healthport' (did you mean "
            "'health_port'?)");
  EXPECT_EQ(error_of("defaults:\n  env:\n    X: {value: 1, rfe: a}\n"),
            "proj/dockmend.yaml:3:19: defaults.env.X: unknown key 'rfe' (did you mean 'ref'?)");
  // A misspelt required key also leaves it missing.
  EXPECT_EQ(errors_of("defaults:\n  env:\n    X: {valeu: 1}\n"),
            (std::vector<std::string>{
                "proj/dockmend.yaml:3:5: defaults.env.X: missing required key 'value'",
                "proj/dockmend.yaml:3:9: defaults.env.X: unknown key 'valeu' (did you mean 'value'?)"}));
}

TEST(Errors, UnknownKeysWithoutANearMiss) {
  EXPECT_EQ(error_of("version: 1\ncolour: blue\n"),
            "proj/dockmend.yaml:2:1: unknown key 'colour' (expected one of: version, extends, "
            "exclude, fail_on, defaults, services, rules, unsafe-fixes)");
  EXPECT_EQ(error_of("defaults:\n  init: {path: /tini}\n"),
            "proj/dockmend.yaml:2:10: defaults.init: unknown key 'path' (expected one of: tini, download, ref)");
}

TEST(Errors, KeysInTheWrongPlace) {
  EXPECT_EQ(error_of("user: {name: app}\n"),
            "proj/dockmend.yaml:1:1: unknown key 'user' (it belongs under defaults or a service)");
  EXPECT_EQ(error_of("ports: [80]\n"),
            "proj/dockmend.yaml:1:1: unknown key 'ports' (it belongs under a service)");
  EXPECT_EQ(error_of("defaults:\n  target: runtime\n"),
            "proj/dockmend.yaml:2:3: defaults: unknown key 'target' (it belongs in a service)");
  EXPECT_EQ(error_of("defaults:\n  rules: {exec-form: on}\n"),
            "proj/dockmend.yaml:2:3: defaults: unknown key 'rules' (it belongs at the top level or in a "
            "service)");
  EXPECT_EQ(error_of("services:\n  a:\n    <<: {dockerfile: D}\n    dockerfile: D\n"),
            "proj/dockmend.yaml:3:5: services.a: unknown key '<<' (YAML merge keys are not supported: put "
            "shared values under defaults)");
}

TEST(Errors, WrongTypes) {
  EXPECT_EQ(error_of("defaults:\n  base_image:\n    families: family-llm-cu121\n"),
            "proj/dockmend.yaml:3:15: defaults.base_image.families: expected a list, got "
            "'family-llm-cu121'");
  EXPECT_EQ(error_of("defaults:\n  base_image:\n    families: [a, {b: c}]\n"),
            "proj/dockmend.yaml:3:19: defaults.base_image.families[1]: expected a string, got a mapping");
  EXPECT_EQ(error_of("defaults:\n  base_image:\n    registry: {a: b}\n"),
            "proj/dockmend.yaml:3:15: defaults.base_image.registry: expected a string, got a mapping");
  EXPECT_EQ(error_of("defaults:\n  base_image:\n    registry: []\n"),
            "proj/dockmend.yaml:3:15: defaults.base_image.registry: expected at least one registry, got an empty list");
  EXPECT_EQ(error_of("defaults:\n  ports: 9090\n"),
            "proj/dockmend.yaml:2:10: defaults.ports: expected a list, got '9090'");
  EXPECT_EQ(error_of("services:\n  a:\n    dockerfile: a/Dockerfile\n    target: [x]\n"),
            "proj/dockmend.yaml:4:13: services.a.target: expected a string, got a list");
  EXPECT_EQ(error_of("services:\n  a:\n    dockerfile: a/Dockerfile\n    context: ../x\n"),
            "proj/dockmend.yaml:4:14: services.a.context: '../x' leaves the policy's directory");
  EXPECT_EQ(error_of("defaults:\n  init:\n    download: {url: http://x/tini, sha256: 00}\n"),
            "2 errors:\n  proj/dockmend.yaml:3:21: defaults.init.download.url: 'http://x/tini' is not an https:// URL"
            "\n  proj/dockmend.yaml:3:44: defaults.init.download.sha256: '00' is not a SHA-256 (64 hex digits)");
  EXPECT_EQ(error_of("defaults:\n  init:\n    download: {url: https://x/tini}\n"),
            "proj/dockmend.yaml:3:5: defaults.init.download: missing required key 'sha256'");
  EXPECT_EQ(error_of("defaults:\n  stages: builder\n"),
            "proj/dockmend.yaml:2:11: defaults.stages: expected a mapping (or off), got 'builder'");
  EXPECT_EQ(error_of("defaults:\n  user: [appuser]\n"),
            "proj/dockmend.yaml:2:9: defaults.user: expected a mapping (or off), got a list");
  EXPECT_EQ(error_of("defaults:\n  user:\n"),
            "proj/dockmend.yaml:2:3: defaults.user: expected a mapping (or off), got nothing");
  EXPECT_EQ(error_of("defaults: [user]\n"),
            "proj/dockmend.yaml:1:11: defaults: expected a mapping, got a list");
  EXPECT_EQ(error_of("services: [a]\n"), "proj/dockmend.yaml:1:11: services: expected a mapping, got a list");
  EXPECT_EQ(error_of("services:\n  a: a/Dockerfile\n"),
            "proj/dockmend.yaml:2:6: services.a: expected a mapping, got 'a/Dockerfile'");
  EXPECT_EQ(error_of("defaults:\n  pip: {require_hashes: maybe}\n"),
            "proj/dockmend.yaml:2:25: defaults.pip.require_hashes: expected true or false, got 'maybe'");
  EXPECT_EQ(error_of("defaults:\n  user: {uid: appuser}\n"),
            "proj/dockmend.yaml:2:15: defaults.user.uid: expected an integer from 0 to 4294967294, "
            "got 'appuser'");
  EXPECT_EQ(error_of("defaults:\n  user: {gid: -1}\n"),
            "proj/dockmend.yaml:2:15: defaults.user.gid: expected an integer from 0 to 4294967294, "
            "got '-1'");
  EXPECT_EQ(error_of("defaults:\n  user: {uid: 4294967295}\n"),
            "proj/dockmend.yaml:2:15: defaults.user.uid: expected an integer from 0 to 4294967294, "
            "got '4294967295'");
  EXPECT_EQ(error_of("defaults:\n  machine: {arg: MY ARG}\n"),
            "proj/dockmend.yaml:2:18: defaults.machine.arg: 'MY ARG' is not a valid variable name");
  EXPECT_EQ(error_of("defaults:\n  health: {body: ok}\n"),
            "proj/dockmend.yaml:2:18: defaults.health.body: expected a mapping, got 'ok'");
  EXPECT_EQ(error_of("defaults:\n  health: {path: health}\n"),
            "proj/dockmend.yaml:2:18: defaults.health.path: 'health' must start with '/'");
  EXPECT_EQ(error_of("defaults:\n  stages: {ref: x}\n"),
            "proj/dockmend.yaml:2:3: defaults.stages: missing required key 'names'");
}

TEST(Errors, Env) {
  EXPECT_EQ(error_of("defaults:\n  env: [A]\n"),
            "proj/dockmend.yaml:2:8: defaults.env: expected a mapping (or off), got a list");
  EXPECT_EQ(error_of("defaults:\n  env:\n    BAD-NAME: x\n"),
            "proj/dockmend.yaml:3:5: defaults.env: 'BAD-NAME' is not a valid variable name");
  EXPECT_EQ(error_of("defaults:\n  env:\n    A: {ref: plan.md:1}\n"),
            "proj/dockmend.yaml:3:5: defaults.env.A: missing required key 'value'");
  EXPECT_EQ(error_of("defaults:\n  env:\n    A: [1]\n"),
            "proj/dockmend.yaml:3:8: defaults.env.A: expected a value or a mapping with 'value', got a list");
  EXPECT_EQ(error_of("defaults:\n  env:\n    A: 1\n    A: 2\n"),
            "proj/dockmend.yaml:4:5: defaults.env: duplicate variable 'A' (first at line 3)");
}

TEST(Errors, Rules) {
  EXPECT_EQ(error_of("rules: [exec-form]\n"),
            "proj/dockmend.yaml:1:8: rules: expected a mapping of rule ids to on or off, got a list");
  EXPECT_EQ(error_of("rules:\n  exec-form: sometimes\n"),
            "proj/dockmend.yaml:2:14: rules.exec-form: expected on, off, a severity (error, warning, info, "
            "style) or a mapping of options, got 'sometimes'");
  EXPECT_EQ(error_of("rules:\n  exec-form: on\n  exec-form: off\n"),
            "proj/dockmend.yaml:3:3: rules: duplicate rule 'exec-form' (first at line 2)");
  EXPECT_EQ(error_of("services:\n  a:\n    dockerfile: D\n    rules: {x: 1}\n"),
            "proj/dockmend.yaml:4:16: services.a.rules.x: expected on, off, a severity (error, warning, info, "
            "style) or a mapping of options, got '1'");
  // The mapping form: options and a severity, keys checked with a did-you-mean.
  EXPECT_EQ(error_of("rules:\n  trusted-registries: {severty: info}\n"),
            "proj/dockmend.yaml:2:24: rules.trusted-registries: unknown key 'severty' (did you mean 'severity'?)");
  EXPECT_EQ(error_of("rules:\n  trusted-registries: {regs: [a.io]}\n"),
            "proj/dockmend.yaml:2:24: rules.trusted-registries: unknown key 'regs' (expected one of: severity, "
            "registries)");
}

TEST(Rules, MappingFormSwitchesOnWithOptions) {
  auto res = load_policy(
      "version: 1\nrules:\n  trusted-registries: {registries: [Docker.io, \"*.gcr.io\"], severity: info}\n"
      "  DL3008: {severity: error}\n",
      "p.yaml");
  ASSERT_TRUE(res.ok()) << res.errors().front().to_string();
  const auto& rules = res.policy().rules;
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_TRUE(rules[0].enabled);
  EXPECT_EQ(rules[0].severity, Severity::Info);
  ASSERT_NE(rules[0].option("registries"), nullptr);
  EXPECT_EQ(rules[0].option("registries")->values, (std::vector<std::string>{"docker.io", "*.gcr.io"}));
  EXPECT_EQ(rules[1].severity, Severity::Error);
  EXPECT_TRUE(rules[1].options.empty());
  EXPECT_EQ(rule_option(res.policy(), nullptr, "trusted-registries", "registries"),
            rules[0].option("registries"));
  EXPECT_EQ(rule_option(res.policy(), nullptr, "DL3008", "registries"), nullptr);
}

TEST(Errors, MissingDockerfile) {
  EXPECT_EQ(error_of("services:\n  a:\n    ports: [80]\n"),
            "proj/dockmend.yaml:2:3: services.a: missing required key 'dockerfile'");
  EXPECT_EQ(error_of("services:\n  a: {}\n"),
            "proj/dockmend.yaml:2:3: services.a: missing required key 'dockerfile'");
}

TEST(Errors, DuplicateServiceName) {
  EXPECT_EQ(error_of("services:\n  a:\n    dockerfile: a/Dockerfile\n  b:\n    dockerfile: b/Dockerfile\n"
                     "  a:\n    dockerfile: c/Dockerfile\n"),
            "proj/dockmend.yaml:6:3: services: duplicate service 'a' (first at line 2)");
}

TEST(Errors, DuplicateKeys) {
  EXPECT_EQ(error_of("version: 1\nversion: 1\n"),
            "proj/dockmend.yaml:2:1: duplicate key 'version' (first at line 1)");
  EXPECT_EQ(error_of("defaults:\n  user: {name: a, name: b}\n"),
            "proj/dockmend.yaml:2:19: defaults.user: duplicate key 'name' (first at line 2)");
  EXPECT_EQ(error_of("defaults:\n  health:\n    body: {a: 1, a: 2}\n"),
            "proj/dockmend.yaml:3:18: defaults.health.body: duplicate key 'a' (first at line 3)");
}

TEST(Errors, NonScalarKey) {
  EXPECT_EQ(error_of("version: 1\n[a, b]: c\n"), "proj/dockmend.yaml:2:1: expected a key name, got a list");
}

TEST(Errors, Ports) {
  const std::string head = "services:\n  a:\n    dockerfile: D\n";
  EXPECT_EQ(error_of(head + "    ports: [70000]\n"),
            "proj/dockmend.yaml:4:13: services.a.ports[0]: port 70000 is outside 1-65535");
  EXPECT_EQ(error_of(head + "    ports: [80, 0]\n"),
            "proj/dockmend.yaml:4:17: services.a.ports[1]: port 0 is outside 1-65535");
  EXPECT_EQ(error_of(head + "    ports: [-5]\n"),
            "proj/dockmend.yaml:4:13: services.a.ports[0]: port -5 is outside 1-65535");
  EXPECT_EQ(error_of(head + "    ports: [99999999999999999999]\n"),
            "proj/dockmend.yaml:4:13: services.a.ports[0]: port 99999999999999999999 is outside 1-65535");
  EXPECT_EQ(error_of(head + "    ports: [http]\n"),
            "proj/dockmend.yaml:4:13: services.a.ports[0]: port 'http' is not an integer");
  EXPECT_EQ(error_of(head + "    ports: [80.5]\n"),
            "proj/dockmend.yaml:4:13: services.a.ports[0]: port '80.5' is not an integer");
  EXPECT_EQ(error_of(head + "    ports: [\"8000-8010\"]\n"),
            "proj/dockmend.yaml:4:13: services.a.ports[0]: port '8000-8010' is not an integer");
  EXPECT_EQ(error_of(head + "    ports: [\"8080/quic\"]\n"),
            "proj/dockmend.yaml:4:13: services.a.ports[0]: port '8080/quic' has unknown protocol 'quic' "
            "(expected tcp, udp or sctp)");
  EXPECT_EQ(error_of(head + "    ports: [\"70000/udp\"]\n"),
            "proj/dockmend.yaml:4:13: services.a.ports[0]: port 70000 is outside 1-65535");
  EXPECT_EQ(error_of(head + "    ports: 8080\n"),
            "proj/dockmend.yaml:4:12: services.a.ports: expected a list, got '8080'");
  EXPECT_EQ(error_of(head + "    ports: [[80]]\n"),
            "proj/dockmend.yaml:4:13: services.a.ports[0]: expected a port number, got a list");
  EXPECT_EQ(error_of(head + "    health_port: 65536\n"),
            "proj/dockmend.yaml:4:18: services.a.health_port: port 65536 is outside 1-65535");
  EXPECT_EQ(error_of(head + "    health_port: 8080/tcp\n"),
            "proj/dockmend.yaml:4:18: services.a.health_port: port '8080/tcp' is not an integer");
  EXPECT_EQ(error_of(head + "    health_port: [8080]\n"),
            "proj/dockmend.yaml:4:18: services.a.health_port: expected a port number, got a list");
  EXPECT_EQ(error_of(head + "    health_port:\n"),
            "proj/dockmend.yaml:4:5: services.a.health_port: expected a port number, got nothing");
}

TEST(Errors, PathsMustStayInsideThePolicyDirectory) {
  EXPECT_EQ(error_of("services:\n  a:\n    dockerfile: /srv/a/Dockerfile\n"),
            "proj/dockmend.yaml:3:17: services.a.dockerfile: '/srv/a/Dockerfile' is absolute; paths are "
            "relative to the policy's directory");
  EXPECT_EQ(error_of("services:\n  a:\n    dockerfile: ../other/Dockerfile\n"),
            "proj/dockmend.yaml:3:17: services.a.dockerfile: '../other/Dockerfile' leaves the policy's "
            "directory");
  EXPECT_EQ(error_of("services:\n  a:\n    dockerfile: a/../../Dockerfile\n"),
            "proj/dockmend.yaml:3:17: services.a.dockerfile: 'a/../../Dockerfile' leaves the policy's "
            "directory");
  EXPECT_EQ(error_of("services:\n  a:\n    dockerfile: ''\n"),
            "proj/dockmend.yaml:3:17: services.a.dockerfile: expected a path, got an empty string");
  EXPECT_EQ(error_of("services:\n  a:\n    dockerfile: a/..\n"),
            "proj/dockmend.yaml:3:17: services.a.dockerfile: 'a/..' does not name a file");
  EXPECT_EQ(error_of("defaults:\n  machine:\n    profile_source: /etc/profiles\n"),
            "proj/dockmend.yaml:3:21: defaults.machine.profile_source: '/etc/profiles' is absolute; "
            "paths are relative to the policy's directory");
  EXPECT_EQ(error_of("services:\n  a:\n    dockerfile: a/Dockerfile\n    machine:\n"
                     "      profile_source: ../profiles\n"),
            "proj/dockmend.yaml:5:23: services.a.machine.profile_source: '../profiles' leaves the "
            "policy's directory");
  // machine.profiles is relative to each service's directory: it may climb
  // (a folder beside the services), but it is never absolute or empty.
  EXPECT_EQ(error_of("defaults:\n  machine:\n    profiles: /etc\n"),
            "proj/dockmend.yaml:3:15: defaults.machine.profiles: '/etc' is absolute; this path is relative "
            "to each service's directory");
  EXPECT_EQ(error_of("defaults:\n  machine:\n    profiles: ''\n"),
            "proj/dockmend.yaml:3:15: defaults.machine.profiles: expected a path, got an empty string");
  must_load("defaults:\n  machine:\n    profiles: ../common/machine-profiles\n");
}

TEST(Errors, CrossChecks) {
  EXPECT_EQ(
      error_of("services:\n  a:\n    dockerfile: x/Dockerfile\n  b:\n    dockerfile: ./x//Dockerfile\n"),
      "proj/dockmend.yaml:5:17: services.b.dockerfile: 'x/Dockerfile' is already the dockerfile of "
      "service 'a'");
  EXPECT_EQ(error_of("defaults:\n  base_image: {families: [f1, f2]}\n"
                     "services:\n  a:\n    dockerfile: D\n    family: f3\n"),
            "proj/dockmend.yaml:6:13: services.a.family: 'f3' is not one of base_image.families (f1, f2)");
  // A service that brings its own families is checked against them.
  must_load(
      "defaults:\n  base_image: {families: [f1]}\n"
      "services:\n  a:\n    dockerfile: D\n    family: f3\n    base_image: {families: [f3]}\n");
}

TEST(Errors, RecursiveAliasInTheBody) {
  EXPECT_EQ(error_of("defaults:\n  health:\n    body: &b {status: ok, again: *b}\n"),
            "proj/dockmend.yaml:3:11: defaults.health.body.again: refers to itself (a recursive alias)");
}

TEST(Errors, AreAllReportedInFileOrder) {
  const std::vector<std::string> errors = errors_of(R"(version: 3
services:
  a:
    ports: [0]
defaults:
  user: {uid: x}
colour: red
)");
  EXPECT_EQ(errors, (std::vector<std::string>{
                        "proj/dockmend.yaml:1:10: version: expected 1, got '3'",
                        "proj/dockmend.yaml:3:3: services.a: missing required key 'dockerfile'",
                        "proj/dockmend.yaml:4:13: services.a.ports[0]: port 0 is outside 1-65535",
                        "proj/dockmend.yaml:6:15: defaults.user.uid: expected an integer from 0 to "
                        "4294967294, got 'x'",
                        "proj/dockmend.yaml:7:1: unknown key 'colour' (expected one of: version, "
                        "extends, exclude, fail_on, defaults, services, rules, unsafe-fixes)",
                    }));
}

TEST(Errors, NeverThrow) {
  const char* const inputs[] = {
      "{",
      "[",
      "]",
      "\t",
      "%YAML 9.9\n---\na: 1\n",
      "!!binary AAAA\n",
      "a: !!int x\n",
      "? ? ?\n",
      "services: {a: {dockerfile: &d D, family: *d}}\n",
      "defaults: {health: {body: {? [a]: b}}}\n",
      "\xff\xfe",
      "version: 1\n\0hidden",
  };
  for (const char* input : inputs) {
    SCOPED_TRACE(input);
    EXPECT_NO_THROW({
      const PolicyResult result = load_policy(input, k_path);
      for (const Error& e : result.errors()) EXPECT_FALSE(e.message.empty());
    });
  }
}

TEST(Result, HoldsEitherAPolicyOrErrors) {
  PolicyResult good = load_policy("version: 1\n", k_path);
  EXPECT_TRUE(good.ok());
  EXPECT_TRUE(static_cast<bool>(good));
  EXPECT_TRUE(good.errors().empty());
  const Policy moved = std::move(good).policy();
  EXPECT_EQ(moved.path, k_path);

  const PolicyResult bad = load_policy("version: 2\n", k_path);
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.errors().size(), 1u);
  EXPECT_EQ(bad.errors()[0].path, k_path);
  EXPECT_EQ(bad.errors()[0].mark, (Mark{1, 10}));
  EXPECT_EQ(bad.errors()[0].message, "version: expected 1, got '2'");
  EXPECT_THROW(bad.policy(), std::bad_variant_access);
}

TEST(Errors, WithoutAMarkThereIsNoLineAndColumn) {
  const Error e{"dockmend.yaml", {}, "cannot read"};
  EXPECT_EQ(e.to_string(), "dockmend.yaml: cannot read");
}

TEST(LoadFile, MissingFile) {
  TempDir dir;
  const PolicyResult result = load_policy_file(dir.path() / "dockmend.yaml");
  ASSERT_FALSE(result.ok());
  ASSERT_EQ(result.errors().size(), 1u);
  EXPECT_EQ(result.errors()[0].to_string(), (dir.path() / "dockmend.yaml").string() +
                                                ": cannot read the policy file: No such file or directory");
}

TEST(LoadFile, ReadsAndResolvesAgainstItsDirectory) {
  TempDir dir;
  const fs::path file = dir.write("repo/dockmend.yaml", "services:\n  a:\n    dockerfile: a/Dockerfile\n");
  const PolicyResult result = load_policy_file(file);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.policy().directory, dir.path() / "repo");
  EXPECT_EQ(resolve(result.policy(), result.policy().services[0].dockerfile),
            dir.path() / "repo/a/Dockerfile");
}

TEST(Load, SchemaAdditions) {
  const std::string sum(64, 'a');
  const Policy p = must_load(
      "defaults:\n  ports: [9090]\n  base_image:\n    registry: [ghcr.io/org, registry.example.com/mirror]\n"
      "  init:\n    tini: /usr/bin/tini\n    download: {url: https://example.com/tini, sha256: " + sum + "}\n"
      "services:\n  api:\n    dockerfile: services/api/Containerfile\n    context: .\n    target: runtime\n"
      "    ports: [8000, 9090]\n  worker:\n    dockerfile: w/Dockerfile\n    ports: [7000]\n"
      "  batch:\n    dockerfile: b/Dockerfile\n");
  ASSERT_EQ(p.services.size(), 3u);
  EXPECT_EQ(p.services[0].target, "runtime");
  EXPECT_EQ(p.services[0].context, "");
  EXPECT_EQ(service_context(p.services[0]), "");
  EXPECT_EQ(service_context(p.services[1]), "w");
  ASSERT_TRUE(p.defaults.base_image);
  EXPECT_EQ(p.defaults.base_image->registry, "ghcr.io/org");
  EXPECT_EQ(p.defaults.base_image->registries.size(), 2u);
  ASSERT_TRUE(p.defaults.init && p.defaults.init->download);
  EXPECT_EQ(p.defaults.init->download->sha256, sum);
  // Shared ports join each service's list once; a service without ports is not checked.
  auto api = service_ports(p, p.services[0]);
  ASSERT_TRUE(api);
  EXPECT_EQ(api->size(), 2u);
  auto worker = service_ports(p, p.services[1]);
  ASSERT_TRUE(worker);
  ASSERT_EQ(worker->size(), 2u);
  EXPECT_EQ((*worker)[1].number, 9090);
  EXPECT_FALSE(service_ports(p, p.services[2]));
}

TEST(LoadFile, ReadsTheComposeFileBesideThePolicy) {
  TempDir dir;
  dir.write("repo/compose.yaml",
            "services:\n  api:\n    build:\n      context: .\n      dockerfile: services/api/api.Dockerfile\n"
            "  web:\n    build: web\n  db:\n    image: postgres\n  remote:\n    build: https://github.com/x/y.git\n");
  const fs::path file = dir.write("repo/dockmend.yaml",
                                  "services:\n  api: {ports: [8000]}\n  web: {ports: [80]}\n"
                                  "  own:\n    dockerfile: own/Dockerfile.cuda\n");
  const PolicyResult result = load_policy_file(file);
  for (const Error& e : result.errors()) ADD_FAILURE() << e.to_string();
  ASSERT_TRUE(result.ok());
  const Policy& p = result.policy();
  EXPECT_EQ(p.services[0].dockerfile, "services/api/api.Dockerfile");
  EXPECT_EQ(service_context(p.services[0]), "");
  EXPECT_EQ(p.services[0].context_from, "compose.yaml");
  EXPECT_EQ(p.services[1].dockerfile, "web/Dockerfile");
  EXPECT_EQ(service_context(p.services[1]), "web");
  EXPECT_EQ(p.services[2].dockerfile, "own/Dockerfile.cuda");
  EXPECT_EQ(service_context(p.services[2]), "own");
}

TEST(LoadFile, AServiceTheComposeFileDoesNotBuildStillNeedsADockerfile) {
  TempDir dir;
  dir.write("repo/docker-compose.yml", "services:\n  db:\n    image: postgres\n");
  const fs::path file = dir.write("repo/dockmend.yaml", "services:\n  db: {ports: [5432]}\n");
  const PolicyResult result = load_policy_file(file);
  ASSERT_EQ(result.errors().size(), 1u);
  EXPECT_EQ(result.errors()[0].to_string(),
            file.string() + ":2:3: services.db: missing required key 'dockerfile' (docker-compose.yml gives no build for it)");
}

// --- find_policy_file -----------------------------------------------------------------

TEST(FindPolicyFile, FindsTheNearestInStartDirOrItsParents) {
  TempDir dir;
  const fs::path outer = dir.write("repo/dockmend.yaml", "version: 1\n");
  const fs::path inner = dir.write("repo/nested/project/dockmend.yaml", "version: 1\n");
  fs::create_directories(dir.path() / "repo/nested/project/svc/deep");
  fs::create_directories(dir.path() / "repo/other/svc");
  dir.write("repo/other/svc/Dockerfile", "FROM x\n");

  EXPECT_EQ(find_policy_file(dir.path() / "repo"), outer);
  EXPECT_EQ(find_policy_file(dir.path() / "repo/other/svc"), outer);
  EXPECT_EQ(find_policy_file(dir.path() / "repo/other/svc/"), outer);
  EXPECT_EQ(find_policy_file(dir.path() / "repo/other/svc/Dockerfile"), outer);  // a file: its dir
  EXPECT_EQ(find_policy_file(dir.path() / "repo/nested/project"), inner);
  EXPECT_EQ(find_policy_file(dir.path() / "repo/nested/project/svc/deep"), inner);
  EXPECT_EQ(find_policy_file(dir.path() / "repo/nested/project/svc/deep/../.."), inner);
  EXPECT_EQ(find_policy_file(dir.path() / "repo/nested"), outer);
}

TEST(FindPolicyFile, RelativeStartIsResolvedFromTheCurrentDirectory) {
  TempDir dir;
  const fs::path file = dir.write("dockmend.yaml", "version: 1\n");
  fs::create_directories(dir.path() / "a/b");
  const fs::path previous = fs::current_path();
  fs::current_path(dir.path() / "a");
  const auto found = find_policy_file("b");
  const auto here = find_policy_file(".");
  fs::current_path(previous);
  EXPECT_EQ(found, file);
  EXPECT_EQ(here, file);
}

TEST(FindPolicyFile, SkipsADirectoryNamedLikeThePolicy) {
  TempDir dir;
  const fs::path file = dir.write("dockmend.yaml", "version: 1\n");
  fs::create_directories(dir.path() / "sub/dockmend.yaml");
  EXPECT_EQ(find_policy_file(dir.path() / "sub"), file);
}

TEST(FindPolicyFile, StopsAtTheRoot) {
  TempDir dir;
  fs::create_directories(dir.path() / "a/b");
  // Only meaningful when no ancestor of the temp dir has a policy of its own.
  for (fs::path p = dir.path();; p = p.parent_path()) {
    if (fs::exists(p / "dockmend.yaml")) GTEST_SKIP() << "an ancestor has a policy: " << p;
    if (p == p.parent_path()) break;
  }
  EXPECT_EQ(find_policy_file(dir.path() / "a/b"), std::nullopt);
  EXPECT_EQ(find_policy_file(dir.path() / "does/not/exist"), std::nullopt);
}

}  // namespace
