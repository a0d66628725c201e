// Rebasing a policy into repository-root coordinates and merging a policy over
// the one it extends (policy/compose.hpp).
#include "policy/compose.hpp"

#include <gtest/gtest.h>

using namespace dockmend::policy;

namespace {

Policy load(const std::string& yaml) {
  auto r = load_policy(yaml, "p/dockmend.yaml");
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.errors().front().to_string());
  return r.ok() ? r.policy() : Policy{};
}

TEST(Rebase, PrefixesThePathsOfThePolicy) {
  Policy p = load(
      "exclude: [fixtures/]\ndefaults:\n  machine: {arg: M, profiles: profiles, profile_source: common/profiles}\n"
      "services:\n  api:\n    dockerfile: ./api//Dockerfile\n    machine: {profile_source: api/p}\n");
  rebase(p, "team/x");
  EXPECT_EQ(p.services[0].dockerfile, "team/x/api/Dockerfile");
  EXPECT_EQ(*p.defaults.machine->profile_source, "team/x/common/profiles");
  EXPECT_EQ(*p.defaults.machine->profiles, "profiles") << "relative to each service's directory: unchanged";
  EXPECT_EQ(*p.services[0].overrides.machine->profile_source, "team/x/api/p");
  EXPECT_EQ(p.exclude[0].base, "team/x");
  EXPECT_NE(service_for(p, "team/x/api/Dockerfile"), nullptr);
  Policy root = load("services:\n  a:\n    dockerfile: a/Dockerfile\n");
  rebase(root, "");
  EXPECT_EQ(root.services[0].dockerfile, "a/Dockerfile");
}

TEST(Inherit, ChildOverParent) {
  Policy parent = load(
      "extends: default\nfail_on: error\nexclude: [t/]\ndefaults:\n  user: {name: app, uid: 10001, gid: 10001}\n"
      "  init: {tini: /usr/bin/tini}\nservices:\n  a:\n    dockerfile: a/Dockerfile\n  b:\n"
      "    dockerfile: b/Dockerfile\nrules: {maintainer: off, exec-form: error}\n");
  Policy child = load(
      "defaults:\n  user: {name: svc}\nservices:\n  a:\n    dockerfile: a2/Dockerfile\n  c:\n"
      "    dockerfile: b/Dockerfile\nrules: {maintainer: on}\n");
  const Policy m = inherit(child, parent);
  EXPECT_TRUE(m.extends_default);
  EXPECT_EQ(m.fail_on, Severity::Error);
  ASSERT_TRUE(m.defaults.user);
  EXPECT_EQ(*m.defaults.user->name, "svc");
  EXPECT_EQ(*m.defaults.user->uid, 10001);
  ASSERT_TRUE(m.defaults.init);
  EXPECT_EQ(*m.defaults.init->tini, "/usr/bin/tini");
  // a is replaced by name, b by its Dockerfile (c names it): the child's two remain.
  ASSERT_EQ(m.services.size(), 2u);
  EXPECT_EQ(m.services[0].name, "a");
  EXPECT_EQ(m.services[0].dockerfile, "a2/Dockerfile");
  EXPECT_EQ(m.services[1].name, "c");
  EXPECT_EQ(rule_setting(m, nullptr, "maintainer"), true) << "the child's setting wins";
  EXPECT_EQ(rule_setting(m, nullptr, "exec-form"), true);
  EXPECT_EQ(m.exclude.size(), 1u);
  EXPECT_EQ(m.path, "p/dockmend.yaml");
  // `off` in the child's defaults removes the parent's section.
  const Policy m2 = inherit(load("defaults:\n  init: off\n"), parent);
  EXPECT_FALSE(m2.defaults.init);
  EXPECT_TRUE(m2.defaults.user);
}

}  // namespace
