// transforms::prepare() works out once per run what run_rules() otherwise
// works out per file (each service's settings and enabled rules): a prepared
// and an unprepared configuration must give the same reports.
#include <gtest/gtest.h>

#include <filesystem>

#include "../test_support.hpp"
#include "policy_test_support.hpp"
#include "transforms/engine.hpp"

namespace dockmend {
namespace {

namespace fs = std::filesystem;

std::string summary(const transforms::FileReport& r) {
  std::string s = r.fixed + "\n--\n";
  for (const auto& f : r.findings)
    s += f.rule + ":" + std::to_string(f.line) + ":" + std::to_string(f.column) + ": " + f.message + "\n";
  s += "--\n";
  for (const auto& rr : r.rules) {
    s += std::string(rr.rule->id) + (rr.applicable ? " applies" : " n/a") + " " + std::to_string(rr.findings);
    for (const auto& c : rr.correct) s += " [" + c + "]";
    s += "\n";
  }
  return s;
}

// golden/phase4: three services with their own settings, and files of none.
struct Phase4 {
  test::MemFiles files;
  std::vector<std::string> dockerfiles;
  Phase4() {
    const fs::path root = test::source_dir() / "golden" / "phase4";
    for (const auto& e : fs::recursive_directory_iterator(root)) {
      if (!e.is_regular_file()) continue;
      const std::string rel = e.path().lexically_relative(root).generic_string();
      files.put(rel, test::read_bytes(e.path()));
      if (e.path().filename() == "Dockerfile") dockerfiles.push_back(rel);
    }
    std::sort(dockerfiles.begin(), dockerfiles.end());
  }
};

// The policy with `extends: default` and a built-in rule switched off.
std::string extended(std::string yaml) {
  return yaml + "\nextends: default\nrules:\n  apt-get-yes: off\n";
}

void expect_same_reports(const policy::Policy& pol, const Phase4& repo, transforms::Selection selection) {
  transforms::EngineConfig plain;
  plain.policy = &pol;
  plain.files = &repo.files;
  plain.selection = std::move(selection);
  transforms::EngineConfig prepared = plain;
  transforms::prepare(prepared);
  ASSERT_TRUE(prepared.plan);
  EXPECT_EQ(prepared.plan->services.size(), pol.services.size() + 1);
  std::vector<std::string> paths = repo.dockerfiles;
  paths.push_back("elsewhere/Dockerfile");  // a file of no service
  std::size_t findings = 0;
  for (const auto& path : paths) {
    const auto text = repo.files.read(path).value_or("FROM debian:12\nRUN apt-get install curl\n");
    const auto a = transforms::process_file(path, text, plain, true);
    const auto b = transforms::process_file(path, text, prepared, true);
    EXPECT_EQ(summary(a), summary(b)) << path;
    findings += a.findings.size();
  }
  EXPECT_GT(findings, 0u);  // the comparison is about something
}

TEST(EnginePlan, PreparedRunsGiveTheSameReports) {
  const Phase4 repo;
  ASSERT_EQ(repo.dockerfiles.size(), 3u);
  const policy::Policy pol = test::load(*repo.files.read("dockmend.yaml"));
  ASSERT_EQ(pol.services.size(), 3u);
  expect_same_reports(pol, repo, {});
  expect_same_reports(pol, repo, {{"tini", "user", "DL3008"}, {}});
  expect_same_reports(pol, repo, {{}, {"ports", "apt-get-yes"}});
  // The built-in rules too, switched on and off per rule.
  expect_same_reports(test::load(extended(*repo.files.read("dockmend.yaml"))), repo, {});
}

// Without collecting what is correct (check's text output), the findings and
// the fixes are the same; only the audit's "what is correct" strings go.
TEST(EnginePlan, NotCollectingCorrectChangesNoFinding) {
  const Phase4 repo;
  const policy::Policy pol = test::load(extended(*repo.files.read("dockmend.yaml")));
  transforms::EngineConfig full;
  full.policy = &pol;
  full.files = &repo.files;
  transforms::prepare(full);
  transforms::EngineConfig lean = full;
  lean.collect_correct = false;
  std::size_t correct_full = 0, correct_lean = 0;
  for (const auto& path : repo.dockerfiles) {
    const std::string text = *repo.files.read(path);
    const auto a = transforms::process_file(path, text, full, true);
    const auto b = transforms::process_file(path, text, lean, true);
    EXPECT_EQ(a.fixed, b.fixed) << path;
    ASSERT_EQ(a.findings.size(), b.findings.size()) << path;
    for (std::size_t i = 0; i < a.findings.size(); ++i) {
      EXPECT_EQ(a.findings[i].rule, b.findings[i].rule);
      EXPECT_EQ(a.findings[i].message, b.findings[i].message);
      EXPECT_EQ(a.findings[i].line, b.findings[i].line);
    }
    ASSERT_EQ(a.rules.size(), b.rules.size()) << path;
    for (std::size_t i = 0; i < a.rules.size(); ++i) {
      EXPECT_EQ(a.rules[i].rule, b.rules[i].rule);
      EXPECT_EQ(a.rules[i].applicable, b.rules[i].applicable);
      EXPECT_EQ(a.rules[i].findings, b.rules[i].findings);
      correct_full += a.rules[i].correct.size();
      correct_lean += b.rules[i].correct.size();
    }
  }
  EXPECT_GT(correct_full, 0u);
  EXPECT_LT(correct_lean, correct_full);
}

TEST(EnginePlan, PreparedPlanFollowsThePolicyAndSelection) {
  const Phase4 repo;
  const policy::Policy pol = test::load(*repo.files.read("dockmend.yaml"));
  transforms::EngineConfig cfg;
  cfg.policy = &pol;
  cfg.files = &repo.files;
  cfg.selection.select = {"ports"};
  transforms::prepare(cfg);
  for (const auto& sp : cfg.plan->services) {
    ASSERT_EQ(sp.rules.size(), 1u);
    EXPECT_EQ(sp.rules.front()->id, "ports");
  }
  // A plan made for another policy is not used: the file is worked out afresh.
  const policy::Policy other = test::load("version: 1\nextends: default\n");
  transforms::EngineConfig mixed = cfg;
  mixed.policy = &other;
  mixed.selection = {};
  const auto r = transforms::process_file("svc/Dockerfile", "FROM debian\nRUN apt-get install curl\n", mixed, false);
  bool other_rules = false;
  for (const auto& f : r.findings) other_rules = other_rules || f.rule != "ports";
  EXPECT_TRUE(other_rules);
}

}  // namespace
}  // namespace dockmend
