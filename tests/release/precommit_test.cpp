// The pre-commit docs work as written: docs/examples/pre-commit-config.yaml,
// with `repo` and `rev` pointing at this checkout's HEAD commit, run by the real
// pre-commit (Debian's package) on a repository: the fixer changes the file and
// stops the commit, the check then passes, and a second run passes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <regex>

#include "release_support.hpp"

namespace fs = std::filesystem;
using namespace dockmend;

TEST(HeavyPreCommit, ExampleConfigRunsTheSystemHooks) {
  if (!test::has_tool("pre-commit") || !test::has_tool("git"))
    GTEST_SKIP() << "pre-commit (Debian's pre-commit package) or git not found";
  const auto head = test::run_capture("git -C " + test::quoted(test::source_dir().string()) + " rev-parse HEAD 2>/dev/null");
  if (head.status != 0) GTEST_SKIP() << "the source tree is not a git checkout: no commit for pre-commit to clone";
  const std::string rev = head.out.substr(0, head.out.find('\n'));

  std::string tmpl = (fs::temp_directory_path() / "dockmend-precommit-XXXXXX").string();
  const fs::path dir = ::mkdtemp(tmpl.data());
  const fs::path repo = dir / "repo";
  fs::create_directories(repo / "svc");
  // The example as the docs give it, but for where dockmend's repository is.
  std::string config = test::read_bytes(test::source_dir() / "docs/examples/pre-commit-config.yaml");
  config = std::regex_replace(config, std::regex("repo: https://github.com/your-org/dockmend"),
                              "repo: " + test::source_dir().string());
  config = std::regex_replace(config, std::regex("rev: v[0-9.]+"), "rev: " + rev);
  test::write_bytes(repo / ".pre-commit-config.yaml", config);
  const fs::path df = repo / "svc" / "Dockerfile";
  test::write_bytes(df, "FROM alpine:3.19\nMAINTAINER ops@example.com\nUSER 1000\nCMD [\"true\"]\n");
  ASSERT_EQ(test::shell("cd " + test::quoted(repo.string()) + " && git init -q && git add -A"), 0);

  const std::string run = "cd " + test::quoted(repo.string()) + " && PATH=" +
                          test::quoted(fs::path(DOCKMEND_BINARY).parent_path().string()) + ":\"$PATH\" PRE_COMMIT_HOME=" +
                          test::quoted((dir / "home").string()) + " pre-commit run --all-files 2>&1";
  auto r = test::run_capture(run);
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("files were modified by this hook"), std::string::npos) << r.out;
  EXPECT_EQ(test::read_bytes(df).find("MAINTAINER"), std::string::npos);
  ASSERT_EQ(test::shell("cd " + test::quoted(repo.string()) + " && git add -A"), 0);
  r = test::run_capture(run);
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("dockmend check"), std::string::npos) << r.out;
  std::error_code ec;
  fs::remove_all(dir, ec);
}
