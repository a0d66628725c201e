// `check --write-baseline FILE` records today's findings; `check --baseline
// FILE` then reports only new ones, whatever else changes in the files.
#include "cli_test_support.hpp"

namespace dockmend::clitest {
namespace {

TEST(Baseline, OnlyNewFindingsAreReported) {
  TempRepo t;
  t.write(".git/HEAD", "ref: refs/heads/main\n");
  t.write("a/Dockerfile", "FROM debian:12\nRUN cd /tmp && make\nRUN cd /src && make\nUSER app\n");
  t.write("b/Dockerfile", "FROM debian:12\nRUN cd /tmp && make\nUSER app\n");
  const std::vector<std::string> base{"check", "-q", "--no-policy", "--select", "cd-in-run"};
  auto args = [&](std::vector<std::string> more) {
    std::vector<std::string> a = base;
    a.insert(a.end(), more.begin(), more.end());
    return a;
  };
  auto w = run_in(t / "a", args({"--write-baseline", (t / "known.txt").string(), t.path().string()}));
  EXPECT_EQ(w.code, 0) << w;
  EXPECT_EQ(w.out, "");
  const std::string text = t.read("known.txt");
  EXPECT_EQ(text.rfind("# dockmend baseline 1:", 0), 0u) << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 4) << text;
  EXPECT_TRUE(contains(text, "cd-in-run\ta/Dockerfile\t")) << "root-relative paths: " << text;

  auto r = run_in(t.path(), args({"--baseline", "known.txt"}));
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_EQ(r.out, "");
  // Lines added above, an instruction re-wrapped and re-indented: nothing new.
  t.write("a/Dockerfile",
          "# header\nFROM debian:12\n\nARG X=1\nRUN cd /tmp \\\n    &&   make\nRUN cd /src && make\nUSER app\n");
  r = run_in(t.path(), args({"--baseline", "known.txt"}));
  EXPECT_EQ(r.out, "") << r;
  EXPECT_EQ(r.code, 0);
  // A second identical instruction is a new occurrence; a changed one is new.
  t.write("b/Dockerfile", "FROM debian:12\nRUN cd /tmp && make\nRUN cd /tmp && make\nRUN cd /opt && make\nUSER app\n");
  r = run_in(t.path(), args({"--baseline", "known.txt"}));
  EXPECT_EQ(r.out,
            "b/Dockerfile:3:5: cd-in-run: cd in RUN: use WORKDIR to change the directory\n"
            "b/Dockerfile:4:5: cd-in-run: cd in RUN: use WORKDIR to change the directory\n")
      << r;
  EXPECT_EQ(r.code, 1);
  // The summary counts only what is reported.
  r = run_in(t.path(), {"check", "--no-policy", "--select", "cd-in-run", "--baseline", "known.txt"});
  EXPECT_TRUE(contains(r.err, ", 2 findings, 0 errors\ndockmend: by rule: cd-in-run 2\n")) << r.err;
}

TEST(Baseline, BadFileIsAnError) {
  TempRepo t;
  t.write("Dockerfile", "FROM x\n");
  t.write("b.txt", "rule path\n");
  auto r = run_in(t.path(), {"check", "--baseline", "b.txt"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "dockmend: error: b.txt:1:1: not a dockmend baseline (write one with --write-baseline)\n");
  r = run_in(t.path(), {"check", "--baseline", "missing.txt"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "missing.txt")) << r.err;
}

}  // namespace
}  // namespace dockmend::clitest
