// The fleet examples of docs/fleet.md and the pre-commit hooks: each file parses,
// agrees with the others and with dockmend (hook file patterns select exactly
// the names discovery selects, CI matrices and --shard K/N name the same N), and
// the multi-gitter script behaves as multi-gitter needs when run in a repository.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>
#include <regex>
#include <set>

#include "../release/release_support.hpp"
#include "../test_support.hpp"
#include "io/discover.hpp"
#include "syntax/tree.hpp"

namespace fs = std::filesystem;
using namespace dockmend;

namespace {

fs::path examples() { return test::source_dir() / "docs" / "examples"; }

YAML::Node load(const fs::path& p) { return YAML::LoadFile(p.string()); }

bool has_tool(const std::string& name) {
  return std::system(("command -v " + name + " >/dev/null 2>&1").c_str()) == 0;
}

// Runs a shell command line; returns its exit status (-1 when it did not exit).
int shell(const std::string& command) {
  const int rc = std::system(command.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::string quoted(const fs::path& p) { return "'" + p.string() + "'"; }

struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/dockmend-fleet-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

}  // namespace

TEST(FleetExamples, EveryYamlFileParses) {
  std::size_t n = 0;
  for (const auto& e : fs::recursive_directory_iterator(examples())) {
    const auto ext = e.path().extension();
    if (ext != ".yml" && ext != ".yaml") continue;
    EXPECT_NO_THROW(load(e.path())) << e.path();
    ++n;
  }
  EXPECT_NO_THROW(load(test::source_dir() / ".pre-commit-hooks.yaml"));
  EXPECT_GE(n, 5u);
}

TEST(FleetExamples, DocsNameEveryExampleAndEveryNamedExampleExists) {
  const std::string doc = test::read_bytes(test::source_dir() / "docs" / "fleet.md");
  ASSERT_FALSE(doc.empty());
  for (const auto& e : fs::recursive_directory_iterator(examples())) {
    if (!e.is_regular_file()) continue;
    const std::string rel = e.path().lexically_relative(test::source_dir()).generic_string();
    EXPECT_NE(doc.find(rel), std::string::npos) << "docs/fleet.md does not mention " << rel;
  }
  const std::regex named("docs/examples/[A-Za-z0-9_./-]*[A-Za-z0-9_]");
  for (auto it = std::sregex_iterator(doc.begin(), doc.end(), named); it != std::sregex_iterator(); ++it)
    EXPECT_TRUE(fs::exists(test::source_dir() / it->str())) << "docs/fleet.md names a missing " << it->str();
  EXPECT_NE(doc.find(".pre-commit-hooks.yaml"), std::string::npos);
}

TEST(PreCommitHooks, IdsEntriesAndFilePatternsMatchDockmend) {
  const YAML::Node hooks = load(test::source_dir() / ".pre-commit-hooks.yaml");
  ASSERT_TRUE(hooks.IsSequence());
  std::set<std::string> ids;
  // Names in a few places, as pre-commit passes them (paths relative to the repository).
  const std::vector<std::string> names = {
      "Dockerfile", "Containerfile", "dockerfile", "Dockerfile.dev", "Dockerfile.", "Containerfile.prod",
      "api.Dockerfile", ".Dockerfile", "web.dockerfile", "db.containerfile", "Dockerfile.dockerignore",
      "api.Dockerfile.dockerignore", "dockerfile.dev", "DockerFile", "Dockerfile2", "MyDockerfile", "Dockerfiles",
      "x.Containerfile", "notes.txt", "Dockerfile.d.ts", "README.Dockerfile.md"};
  for (const auto& hook : hooks) {
    const std::string id = hook["id"].as<std::string>();
    ids.insert(id);
    const std::string entry = hook["entry"].as<std::string>();
    const std::string language = hook["language"].as<std::string>();
    const std::string verb = id.find("check") != std::string::npos ? "check" : "fix";
    if (language == "system") {
      // The dockmend on PATH.
      EXPECT_EQ(entry.rfind("dockmend " + verb, 0), 0u) << id << ": " << entry;
    } else {
      // The image built from the release pinned, tagged with its version.
      EXPECT_EQ(language, "docker_image") << id;
      EXPECT_EQ(id, "dockmend-" + verb + "-docker");
      EXPECT_EQ(entry.rfind("dockmend:" + test::cmake_project_version() + " " + verb, 0), 0u) << id << ": " << entry;
    }
    // pre-commit applies `files` and `exclude` with Python's re.search; these
    // patterns use nothing whose meaning differs in ECMAScript.
    const std::regex files(hook["files"].as<std::string>());
    const std::regex exclude(hook["exclude"] ? hook["exclude"].as<std::string>() : std::string("(?!)"));
    for (const std::string dir : {"", "svc/", "a/b/.devcontainer/", "Dockerfile.d/"}) {
      for (const auto& name : names) {
        const std::string path = dir + name;
        const bool selected = std::regex_search(path, files) && !std::regex_search(path, exclude);
        EXPECT_EQ(selected, io::is_dockerfile_name(name)) << id << ": " << path;
      }
    }
  }
  EXPECT_EQ(ids, (std::set<std::string>{"dockmend-check", "dockmend-fix", "dockmend-check-docker", "dockmend-fix-docker"}));

  // The example configuration uses those ids.
  const YAML::Node config = load(examples() / "pre-commit-config.yaml");
  std::size_t used = 0;
  for (const auto& repo : config["repos"])
    for (const auto& hook : repo["hooks"]) {
      EXPECT_TRUE(ids.count(hook["id"].as<std::string>())) << hook["id"].as<std::string>();
      ++used;
    }
  EXPECT_EQ(used, 2u);
}

TEST(CiShards, GithubMatrixAndShardCountAgree) {
  const YAML::Node wf = load(examples() / "ci" / "github-actions-shards.yml");
  std::size_t checked = 0;
  for (const auto& job : wf["jobs"]) {
    const YAML::Node shards = job.second["strategy"]["matrix"]["shard"];
    ASSERT_TRUE(shards.IsSequence());
    const std::size_t n = shards.size();
    for (std::size_t k = 0; k < n; ++k) EXPECT_EQ(shards[k].as<std::size_t>(), k + 1) << "shards are 1..N";
    for (const auto& step : job.second["steps"]) {
      if (!step["run"]) continue;
      const std::string run = step["run"].as<std::string>();
      if (run.find("--shard") == std::string::npos) continue;
      EXPECT_NE(run.find("--shard ${{ matrix.shard }}/" + std::to_string(n)), std::string::npos) << run;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 1u);
}

TEST(CiShards, GitlabParallelUsesNodeIndexAndTotal) {
  const YAML::Node ci = load(examples() / "ci" / "gitlab-ci-shards.yml");
  std::size_t checked = 0;
  for (const auto& job : ci) {
    if (!job.second.IsMap() || !job.second["parallel"]) continue;
    EXPECT_GE(job.second["parallel"].as<int>(), 2);
    std::string script;
    for (const auto& line : job.second["script"]) script += line.as<std::string>() + "\n";
    // CI_NODE_INDEX counts from 1, as --shard K/N does.
    EXPECT_NE(script.find("--shard \"$CI_NODE_INDEX/$CI_NODE_TOTAL\""), std::string::npos) << script;
    ++checked;
  }
  EXPECT_EQ(checked, 1u);
}

TEST(SourcegraphBatchSpec, RunsFixAndDescribesTheChangeset) {
  const YAML::Node spec = load(examples() / "sourcegraph" / "dockmend-fix.batch.yaml");
  EXPECT_EQ(spec["version"].as<int>(), 2);
  EXPECT_TRUE(spec["name"] && spec["on"] && spec["on"].IsSequence());
  ASSERT_TRUE(spec["steps"].IsSequence());
  bool fix = false;
  for (const auto& step : spec["steps"]) {
    EXPECT_TRUE(step["container"]) << "every step names its container";
    fix = fix || step["run"].as<std::string>().rfind("dockmend fix", 0) == 0;
  }
  EXPECT_TRUE(fix);
  const YAML::Node t = spec["changesetTemplate"];
  for (const char* key : {"title", "body", "branch"}) EXPECT_TRUE(t[key]) << key;
  EXPECT_TRUE(t["commit"]["message"]);
}

TEST(MultiGitter, ConfigUsesMultiGitterFlagNames) {
  const YAML::Node config = load(examples() / "multi-gitter" / "config.yml");
  // `multi-gitter run` flags a config file may set (their long names).
  const std::set<std::string> flags = {"org", "group", "repo", "user", "topic", "branch", "commit-message", "pr-title",
                                       "pr-body", "reviewers", "assignees", "labels", "concurrent", "skip-pr",
                                       "skip-repo", "dry-run", "fork", "fork-owner", "draft", "base-branch",
                                       "platform", "log-level", "conflict-strategy", "max-reviewers"};
  for (const auto& kv : config) EXPECT_TRUE(flags.count(kv.first.as<std::string>())) << kv.first.as<std::string>();
  EXPECT_TRUE(config["branch"] && config["commit-message"]);
}

TEST(MultiGitter, ScriptExitsZeroAfterFixingAndNonZeroOnlyOnErrors) {
  if (!has_tool("bash") || !has_tool("git")) GTEST_SKIP() << "bash and git are needed";
  const fs::path script = examples() / "multi-gitter" / "dockmend-fix.sh";
  ASSERT_EQ(shell("bash -n " + quoted(script)), 0) << "shell syntax";
  // multi-gitter runs the script with the clone as working directory; dockmend on PATH.
  const std::string path = "PATH=" + quoted(fs::path(DOCKMEND_BINARY).parent_path()) + ":\"$PATH\" ";
  TempDir repo;
  const fs::path df = repo.path / "svc" / "Dockerfile";
  fs::create_directories(df.parent_path());
  test::write_bytes(df, "FROM alpine:3.19\nMAINTAINER ops@example.com\nCMD [\"true\"]\n");
  ASSERT_EQ(shell("git -C " + quoted(repo.path) + " init -q"), 0);
  const std::string run = "cd " + quoted(repo.path) + " && " + path + "DOCKMEND_ORG_POLICY= " + quoted(script) +
                          " >/dev/null 2>&1";

  // An organisation policy that switches the rule off: nothing changes, exit 0.
  const fs::path org = repo.path / ".." / (repo.path.filename().string() + "-org.yaml");
  test::write_bytes(org, "version: 1\nextends: default\nrules:\n  maintainer: off\n");
  EXPECT_EQ(shell("cd " + quoted(repo.path) + " && " + path + "DOCKMEND_ORG_POLICY=" + quoted(fs::absolute(org)) +
                  " " + quoted(script) + " >/dev/null 2>&1"),
            0);
  EXPECT_NE(test::read_bytes(df).find("MAINTAINER"), std::string::npos);
  fs::remove(org);

  // Files changed: exit 0 (multi-gitter then commits and opens a pull request).
  EXPECT_EQ(shell(run), 0);
  const std::string fixed = test::read_bytes(df);
  EXPECT_EQ(fixed.find("MAINTAINER"), std::string::npos) << fixed;
  // Nothing left to change: exit 0 and no change (no pull request).
  EXPECT_EQ(shell(run), 0);
  EXPECT_EQ(test::read_bytes(df), fixed);
  // A file buildkit would reject: an error, so the repository is reported as failed.
  fs::create_directories(repo.path / "bad");
  test::write_bytes(repo.path / "bad" / "Dockerfile", "ENV ONLYNAME\n");
  EXPECT_EQ(shell(run), 2);
}
