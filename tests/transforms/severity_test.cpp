// Default severities (hadolint's for its codes, README "Default Severity";
// priority for the plan's rules) and the policy's overrides.
#include "transforms/severity.hpp"

#include <gtest/gtest.h>

namespace dockmend::transforms {
namespace {

using policy::Severity;

const Rule& rule(std::string_view id) {
  const Rule* r = find_rule(id);
  EXPECT_NE(r, nullptr) << id;
  return *r;
}

TEST(Severity, HadolintDefaults) {
  EXPECT_EQ(default_severity(rule("add-to-copy")), Severity::Error);                // DL3020
  EXPECT_EQ(default_severity(rule("maintainer")), Severity::Error);                 // DL4000
  EXPECT_EQ(default_severity(rule("apt-pin")), Severity::Warning);                  // DL3008
  EXPECT_EQ(default_severity(rule("apt-no-install-recommends")), Severity::Info);   // DL3015
  EXPECT_EQ(default_severity(rule("apt-lists-cleanup")), Severity::Info);           // DL3009
  EXPECT_EQ(default_severity(rule("wget-progress")), Severity::Info);               // DL3047
  EXPECT_EQ(default_severity(rule("legacy-key-value")), Severity::Warning) << "buildkit's checks warn";
  EXPECT_EQ(default_severity(rule("ports")), Severity::Error) << "priority 1";
  EXPECT_EQ(default_severity(rule("venv")), Severity::Warning) << "priority 2";
  EXPECT_EQ(default_severity(rule("cuda-arch")), Severity::Info) << "priority 3";
}

TEST(Severity, PolicyOverridesByIdOrAliasServiceFirst) {
  auto r = policy::load_policy(
      "rules: {DL3008: error, maintainer: on}\nservices:\n  a:\n    dockerfile: a/Dockerfile\n"
      "    rules: {apt-pin: style}\n",
      "p.yaml");
  ASSERT_TRUE(r.ok());
  const auto& p = r.policy();
  EXPECT_EQ(rule_severity(rule("apt-pin"), p, nullptr), Severity::Error);
  EXPECT_EQ(rule_severity(rule("apt-pin"), p, &p.services[0]), Severity::Style);
  EXPECT_EQ(rule_severity(rule("maintainer"), p, nullptr), Severity::Error) << "on: the default stays";
}

TEST(Severity, NamesRoundTrip) {
  for (auto s : {Severity::Error, Severity::Warning, Severity::Info, Severity::Style})
    EXPECT_EQ(policy::parse_severity(policy::severity_name(s)), s);
  EXPECT_EQ(policy::parse_severity("WARNING"), Severity::Warning);
  EXPECT_FALSE(policy::parse_severity("fatal"));
  EXPECT_TRUE(Severity::Error > Severity::Warning && Severity::Info > Severity::Style);
}

}  // namespace
}  // namespace dockmend::transforms
