// Every rule's own examples (RuleSpec::example): its bad input gives at least
// one finding of that rule, fixing it with that rule alone gives the fixed
// text (the bad text itself for report-only rules), and its good input gives no
// finding of it. One parameterised test over the registry, so a rule without
// examples stands out, and switching any rule's check off fails its case.
#include <gtest/gtest.h>

#include <algorithm>

#include "builtin_test_support.hpp"
#include "policy_test_support.hpp"
#include "transforms/rule.hpp"

using namespace dockmend;

namespace {

std::vector<std::string> rule_ids() {
  std::vector<std::string> ids;
  for (const auto* r : transforms::all_rules()) ids.emplace_back(r->id);
  return ids;
}

}  // namespace

class RuleExamples : public ::testing::TestWithParam<std::string> {};

TEST_P(RuleExamples, BadFixedGood) {
  const transforms::Rule* rule = transforms::find_rule(GetParam());
  ASSERT_NE(rule, nullptr);
  const std::string id(rule->id);
  ASSERT_FALSE(rule->example_bad.empty()) << id << " has no examples (RuleSpec::example)";
  ASSERT_FALSE(rule->example_good.empty()) << id;
  const std::string bad(rule->example_bad), fixed(rule->example_fixed), good(rule->example_good);

  // The rule switched on (wget-progress is off by default) and its fix applied
  // whatever its class (as with --unsafe-fixes): the example shows the fix.
  policy::Policy pol = test::default_policy();
  if (!rule->example_policy.empty()) {
    // A policy rule's section (and the service, for ports) as a dockmend.yaml beside the Dockerfile.
    auto res = policy::load_policy(rule->example_policy, "dockmend.yaml");
    ASSERT_TRUE(res.ok()) << id << ": its example_policy does not load: " << res.errors().front().to_string();
    pol = std::move(res).policy();
  } else {
    // Policy rules check nothing without their section of the policy.
    ASSERT_NE(rule->kind, transforms::RuleKind::Policy) << id << " is a policy rule: its examples need example_policy";
  }
  if (rule->example_setting.empty()) {
    policy::RuleSetting on;
    on.id = id;
    pol.rules.push_back(on);
  } else {
    // A rule that needs options (trusted-registries' list) gets them as a policy writes them.
    auto res = policy::load_policy("rules:\n  " + id + ": " + std::string(rule->example_setting) + "\n", "example.yaml");
    ASSERT_TRUE(res.ok()) << id << ": its example_setting does not load: " << res.errors().front().to_string();
    pol.rules = res.policy().rules;
  }
  // The build context its examples read (profiles, sources), beside the Dockerfile.
  test::MemFiles files;
  for (const auto& [path, content] : rule->example_files) files.put(std::string(path), std::string(content));
  auto run = [&](const std::string& text) { return test::run_rules(text, {id}, pol, "Dockerfile", true, &files); };
  const auto on_bad = run(bad);
  if (rule->kind == transforms::RuleKind::Policy) {
    EXPECT_EQ(test::run_rules(bad, {id}, test::default_policy(), "Dockerfile", true).count(id), 0u)
        << id << ": its bad example is bad only under its example_policy";
  }
  EXPECT_GE(on_bad.count(id), 1u) << id << " finds nothing in its bad example:\n" << bad;
  EXPECT_EQ(on_bad.fixed, fixed) << id << ": fixing its bad example";
  if (rule->safety == transforms::FixSafety::ReportOnly) EXPECT_EQ(fixed, bad) << id << " is report-only";
  else EXPECT_NE(fixed, bad) << id << " has a fix: its example should show it";

  const auto on_good = run(good);
  EXPECT_EQ(on_good.count(id), 0u) << id << " finds something in its good example:\n" << good;
  EXPECT_EQ(on_good.fixed, good) << id << " changes its good example";
  // The fixed text is clean too, as far as this rule goes.
  EXPECT_EQ(run(fixed).fixed, fixed) << id;
}

INSTANTIATE_TEST_SUITE_P(Registry, RuleExamples, ::testing::ValuesIn(rule_ids()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string n = info.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });
