// The CLI modes end to end: exit codes, output shapes, stdin, rule selection,
// inline pragmas, and that the diff is a patch git and patch accept.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sstream>

#include "../test_support.hpp"
#include "cli/cli.hpp"

namespace fs = std::filesystem;
using dockmend::test::read_bytes;
using dockmend::test::write_bytes;

namespace {

struct Out {
  int code;
  std::string out, err;
};

Out dm(std::vector<std::string> args, const std::string& input = "") {
  std::istringstream in(input);
  std::ostringstream out, err;
  dockmend::cli::Streams st{in, out, err, false, false};
  args.insert(args.begin() + (args.empty() ? 0 : 1), "--color=never");
  int code = dockmend::cli::run(args, st);
  return {code, out.str(), err.str()};
}

int sh(const std::string& cmd) {
  int s = std::system(cmd.c_str());
  return WIFEXITED(s) ? WEXITSTATUS(s) : 128;
}

class Modes : public ::testing::Test {
 protected:
  fs::path dir;
  fs::path saved;
  void SetUp() override {
    saved = fs::current_path();
    dir = fs::temp_directory_path() /
          ("dockmend-modes-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir / "svc");
    fs::current_path(dir);
  }
  void TearDown() override {
    fs::current_path(saved);
    fs::remove_all(dir);
  }
};

const std::string k_crlf = "FROM x\r\nMAINTAINER Jo <j@x.org>\r\nUSER app\r\nRUN a";

}  // namespace

TEST_F(Modes, CheckDiffFixExitCodes) {
  write_bytes("svc/Dockerfile", k_crlf);
  auto check = dm({"check"});
  EXPECT_EQ(check.code, 1);
  EXPECT_EQ(check.out, "svc/Dockerfile:2:1: maintainer: MAINTAINER is deprecated; use LABEL maintainer=...\n");
  auto diff = dm({"diff"});
  EXPECT_EQ(diff.code, 1);
  EXPECT_EQ(diff.out,
            "--- a/svc/Dockerfile\n+++ b/svc/Dockerfile\n@@ -1,4 +1,4 @@\n FROM x\r\n-MAINTAINER Jo <j@x.org>\r\n"
            "+LABEL maintainer=\"Jo <j@x.org>\"\r\n USER app\r\n RUN a\n\\ No newline at end of file\n");
  EXPECT_EQ(read_bytes("svc/Dockerfile"), k_crlf) << "diff must not write";
  auto fix = dm({"fix"});
  EXPECT_EQ(fix.code, 0) << fix.err;
  EXPECT_EQ(fix.out, "");
  EXPECT_EQ(read_bytes("svc/Dockerfile"), "FROM x\r\nLABEL maintainer=\"Jo <j@x.org>\"\r\nUSER app\r\nRUN a");
  EXPECT_EQ(dm({"diff"}).code, 0);
  EXPECT_EQ(dm({"diff"}).out, "");
  EXPECT_EQ(dm({"check"}).code, 0);
  EXPECT_EQ(dm({"check"}).out, "");
  EXPECT_EQ(dm({"fix"}).code, 0);
}

TEST_F(Modes, FixWritesOnlyChangedFilesAndKeepsMode) {
  write_bytes("svc/Dockerfile", k_crlf);
  write_bytes("Dockerfile", "FROM y\n");
  ::chmod("svc/Dockerfile", 0640);
  struct stat before {};
  ::stat("Dockerfile", &before);
  ::sleep(0);
  EXPECT_EQ(dm({"fix"}).code, 0);
  struct stat after {};
  ::stat("Dockerfile", &after);
  EXPECT_EQ(before.st_ino, after.st_ino) << "an unchanged file must not be rewritten";
  struct stat fixed {};
  ::stat("svc/Dockerfile", &fixed);
  EXPECT_EQ(fixed.st_mode & 0777, 0640u);
}

TEST_F(Modes, PatchIsAcceptedByGitApplyAndPatch) {
  write_bytes("svc/Dockerfile", k_crlf);
  write_bytes("svc/Dockerfile.dev", "FROM x\n# keep\nMAINTAINER a\n\nMAINTAINER b\n");
  auto diff = dm({"diff"});
  ASSERT_EQ(diff.code, 1);
  write_bytes("p.diff", diff.out);
  ASSERT_EQ(sh("git init -q . && git apply --check p.diff"), 0);
  ASSERT_EQ(sh("patch -p1 --dry-run -s < p.diff >/dev/null"), 0);
  ASSERT_EQ(sh("patch -p1 -s < p.diff >/dev/null"), 0);
  EXPECT_EQ(dm({"diff"}).out, "") << "patching gives what fix gives";
}

TEST_F(Modes, StdinReadsAndFixWritesToStdout) {
  auto fix = dm({"fix", "-"}, "FROM x\nMAINTAINER me\nUSER app\n");
  EXPECT_EQ(fix.code, 0);
  EXPECT_EQ(fix.out, "FROM x\nLABEL maintainer=\"me\"\nUSER app\n");
  auto check = dm({"check", "--stdin-filename", "svc/Dockerfile", "-"}, "FROM x\nMAINTAINER me\nUSER app\n");
  EXPECT_EQ(check.code, 1);
  EXPECT_EQ(check.out.rfind("svc/Dockerfile:2:1: maintainer:", 0), 0u) << check.out;
}

TEST_F(Modes, SelectIgnoreAndPragmas) {
  write_bytes("Dockerfile", "FROM x\nMAINTAINER me\nUSER app\n");
  EXPECT_EQ(dm({"check", "--ignore", "maintainer"}).code, 0);
  EXPECT_EQ(dm({"check", "--ignore", "DL4000"}).code, 0);
  EXPECT_EQ(dm({"check", "--select", "DL4000"}).code, 1);
  auto bad = dm({"check", "--select", "no-such-rule"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_EQ(bad.err, "dockmend: error: --select: unknown rule 'no-such-rule'\n");
  write_bytes("Dockerfile", "FROM x\n# dockmend: ignore=maintainer\nMAINTAINER me\nMAINTAINER you\nUSER app\n");
  auto c = dm({"check"});
  EXPECT_EQ(c.out, "Dockerfile:4:1: maintainer: MAINTAINER is deprecated; use LABEL maintainer=...\n");
  write_bytes("Dockerfile", "# dockmend: ignore-file\nFROM x\nMAINTAINER me\n");
  EXPECT_EQ(dm({"check"}).code, 0);
  EXPECT_EQ(dm({"diff"}).out, "");
}

// An instruction pragma covers the instruction right below its comment block
// (every rule, or the listed ones, by id or alias, on any of its lines); a
// blank line detaches it. A file pragma with a list covers only those rules.
TEST_F(Modes, PragmaScopes) {
  write_bytes("Dockerfile",
              "FROM x\n# dockmend: ignore\nMAINTAINER me\n# dockmend: ignore=maintainer\n\nMAINTAINER you\n"
              "  # dockmend: ignore=DL4000\nMAINTAINER \\\n  them\nMAINTAINER us\nUSER app\n");
  auto c = dm({"check", "-q", "--no-policy"});
  EXPECT_EQ(c.out,
            "Dockerfile:6:1: maintainer: MAINTAINER is deprecated; use LABEL maintainer=...\n"
            "Dockerfile:10:1: maintainer: MAINTAINER is deprecated; use LABEL maintainer=...\n");
  write_bytes("Dockerfile", "# dockmend: ignore-file=maintainer\nFROM x\nMAINTAINER me\nRUN cd /tmp\nUSER app\n");
  c = dm({"check", "-q", "--no-policy"});
  EXPECT_EQ(c.out, "Dockerfile:4:5: cd-in-run: cd in RUN: use WORKDIR to change the directory\n");
}

TEST_F(Modes, UnparsableFileIsAnErrorAndUntouched) {
  const std::string bad = "FROM x\nCMD [\"a\", 1]\nMAINTAINER me\n";
  write_bytes("Dockerfile", bad);
  for (const char* mode : {"check", "diff", "fix"}) {
    auto r = dm({mode});
    EXPECT_EQ(r.code, 2) << mode;
    EXPECT_NE(r.err.find("dockmend: error: Dockerfile:2:5: when using JSON array syntax"), std::string::npos) << r.err;
  }
  EXPECT_EQ(read_bytes("Dockerfile"), bad);
}

TEST_F(Modes, OutputIsTheSameForAnyJobCount) {
  for (int i = 0; i < 40; ++i) {
    fs::create_directories("d" + std::to_string(i));
    write_bytes("d" + std::to_string(i) + "/Dockerfile", "FROM x\nMAINTAINER m" + std::to_string(i) + "\n");
  }
  auto one = dm({"diff", "--jobs", "1"});
  auto many = dm({"diff", "--jobs", "8"});
  EXPECT_EQ(one.code, 1);
  EXPECT_EQ(one.out, many.out);
  EXPECT_EQ(dm({"check", "--jobs", "3"}).out, dm({"check", "--jobs", "1"}).out);
}

// Each command's help: its usage, then one "options:" list holding the common
// options and its own (not a heading per group).
TEST_F(Modes, HelpListsEachCommandsOptionsOnce) {
  const std::vector<std::pair<std::string, std::string>> own = {
      {"check", "--format arg (=text)"}, {"diff", "-U [ --unified ] arg (=3)"}, {"fix", "--show-diff"},
      {"audit", "--fail-under arg"},     {"dump", "--format arg (=buildkit)"}, {"policy", "--default"}};
  for (const auto& [command, option] : own) {
    auto run = [](std::vector<std::string> args) {  // as typed: no --color added
      std::istringstream in;
      std::ostringstream out, err;
      dockmend::cli::Streams st{in, out, err, false, false};
      const int code = dockmend::cli::run(args, st);
      return Out{code, out.str(), err.str()};
    };
    for (const auto& r : {run({command, "--help"}), run({"help", command})}) {
      EXPECT_EQ(r.code, 0) << command;
      EXPECT_EQ(r.out.rfind("usage: dockmend " + command, 0), 0u) << r.out;
      const auto heading = r.out.find("\noptions:\n");
      ASSERT_NE(heading, std::string::npos) << r.out;
      EXPECT_EQ(r.out.find("options:", heading + 2), std::string::npos) << r.out;
      EXPECT_NE(r.out.find(option, heading), std::string::npos) << r.out;
      EXPECT_EQ(r.out.find("--policy arg") != std::string::npos, command != "dump") << r.out;
      EXPECT_EQ(r.out.find("\n\n", heading), std::string::npos) << "a blank line inside the list:\n" << r.out;
    }
  }
}

TEST_F(Modes, UsageErrors) {
  auto r = dm({"frobnicate"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "dockmend: error: unknown command 'frobnicate' (see dockmend --help)\n");
  EXPECT_EQ(dm({"diff", "--jobs", "0"}).code, 2);
  EXPECT_EQ(dm({"diff", "--color", "sometimes"}).code, 2);
  EXPECT_EQ(dm({"diff", "--no-such-flag"}).code, 2);
  auto missing = dm({"check", "nope/Dockerfile"});
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.err.find("nope/Dockerfile"), std::string::npos) << missing.err;
}
