// What a person at a terminal sees: colour when (and only when) it should be,
// a short summary however many rules fire, a word when there is nothing to
// check, one rule on request, and a did-you-mean for a typo.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "report_test_support.hpp"

namespace fs = std::filesystem;
using namespace dockmend::test;

namespace {

const std::string k_file = "FROM debian:12\nMAINTAINER me\nRUN apt-get install curl\nCMD echo hi\n";

bool has_escape(const std::string& s) { return s.find('\x1b') != std::string::npos; }

// Runs the command line under a pseudo-terminal (util-linux `script`), so that
// standard output is a terminal as in a person's shell.
CliRun on_terminal(const fs::path& cwd, const std::string& args, const std::string& env = "") {
  const std::string cmd = "cd '" + cwd.string() + "' && script -qec \"" + env + " '" DOCKMEND_BINARY "' " + args +
                          "\" /dev/null 2>/dev/null";
  CliRun r;
  std::unique_ptr<FILE, int (*)(FILE*)> p(popen(cmd.c_str(), "r"), pclose);
  if (!p) return r;
  char buf[65536];
  for (std::size_t n; (n = fread(buf, 1, sizeof buf, p.get())) > 0;) r.out.append(buf, n);
  const int status = pclose(p.release());
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

TEST(People, ColourOnATerminalOnlyAndNotUnderNoColor) {
  TempDir repo;
  repo.write("Dockerfile", k_file);
  // Piped: plain, unless asked for.
  EXPECT_FALSE(has_escape(run_dockmend(repo.path, "check --no-policy").out));
  const CliRun always = run_dockmend(repo.path, "check --no-policy --color always");
  EXPECT_TRUE(has_escape(always.out)) << always;
  // The coloured line is the plain line with escapes around its parts.
  std::string stripped;
  for (std::size_t i = 0; i < always.out.size(); ++i) {
    if (always.out[i] == '\x1b') {
      while (i < always.out.size() && always.out[i] != 'm') ++i;
      continue;
    }
    stripped += always.out[i];
  }
  EXPECT_EQ(stripped, run_dockmend(repo.path, "check --no-policy").out);
  EXPECT_FALSE(has_escape(run_dockmend(repo.path, "check --no-policy --color never").out));
  // On a terminal: colour by default, none with NO_COLOR or --color never.
  if (std::system("command -v script >/dev/null 2>&1") != 0) GTEST_SKIP() << "util-linux script not installed: no terminal";
  const CliRun tty = on_terminal(repo.path, "check --no-policy");
  EXPECT_TRUE(has_escape(tty.out)) << tty;
  EXPECT_NE(tty.out.find("maintainer"), std::string::npos) << tty;
  EXPECT_FALSE(has_escape(on_terminal(repo.path, "check --no-policy", "NO_COLOR=1").out));
  EXPECT_FALSE(has_escape(on_terminal(repo.path, "check --no-policy --color never").out));
  EXPECT_TRUE(has_escape(on_terminal(repo.path, "check --no-policy --color always", "NO_COLOR=1").out));
  const CliRun bad = run_dockmend(repo.path, "check --color sometimes");
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("--color takes auto, always or never"), std::string::npos) << bad;
}

TEST(People, TheSummaryStaysShortWhateverFires) {
  // Many files, every built-in rule that can fire on them.
  TempDir repo;
  const std::string body =
      "FROM debian\nMAINTAINER me\nADD app.py /app/\nRUN apt install curl && apt-get upgrade && cd /x && sudo ls\n"
      "RUN pip install flask && npm install x && gem install y && curl http://x | sh && wget http://y\n"
      "RUN apk add z && yum install w && zypper install v && useradd bob\nENV a b\nWORKDIR rel\nCMD echo hi\n";
  for (int i = 0; i < 40; ++i) repo.write("s" + std::to_string(i) + "/Dockerfile", body);
  const CliRun r = run_dockmend(repo.path, "check --no-policy .");
  EXPECT_EQ(r.code, 1) << r;
  std::istringstream in(r.err);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  // The counts, the rules that found most, and the unsafe fixes left out.
  ASSERT_EQ(lines.size(), 3u) << r.err;
  EXPECT_EQ(lines[0].rfind("dockmend: 40 files scanned, ", 0), 0u) << lines[0];
  EXPECT_NE(lines[2].find("unsafe fixes not applied"), std::string::npos) << lines[2];
  EXPECT_NE(lines[1].find("dockmend: by rule: "), std::string::npos);
  EXPECT_NE(lines[1].find(" more rules ("), std::string::npos) << lines[1];
  for (const auto& l : lines) EXPECT_LT(l.size(), 160u) << l;
}

TEST(People, NoDockerfilesSaysSo) {
  TempDir repo;
  repo.write("README.md", "nothing here\n");
  const CliRun r = run_dockmend(repo.path, "check --no-policy .");
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_NE(r.err.find("dockmend: warning: no Dockerfiles found in ."), std::string::npos) << r;
  EXPECT_EQ(run_dockmend(repo.path, "check --no-policy -q .").err, "");
  // A shard with nothing in it is a different thing, and says that instead.
  repo.write("Dockerfile", k_file);
  const CliRun s1 = run_dockmend(repo.path, "check --no-policy --shard 1/2 .");
  const CliRun s2 = run_dockmend(repo.path, "check --no-policy --shard 2/2 .");
  const std::string empty = s1.out.empty() ? s1.err : s2.err;
  EXPECT_NE(empty.find("none of the 1 Dockerfiles found falls in shard"), std::string::npos) << s1 << s2;
}

TEST(People, RulesIdShowsOneRule) {
  TempDir dir;
  const CliRun r = run_dockmend(dir.path, "rules DL3008");
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_EQ(r.out.rfind("apt-pin\n", 0), 0u) << r.out;
  for (const char* field : {"kind:", "severity:", "aka:      DL3008", "checks:", "fix:", "safety:", "docs:"})
    EXPECT_NE(r.out.find(field), std::string::npos) << field << "\n" << r.out;
  EXPECT_NE(r.out.find("rules.md#apt-pin"), std::string::npos);
  EXPECT_EQ(r.out.find("exec-form"), std::string::npos) << "one rule, not the list";
  // The list is unchanged (scripts/rules-report reads it).
  const CliRun all = run_dockmend(dir.path, "rules");
  EXPECT_NE(all.out.find("exec-form  [built-in, "), std::string::npos);
  EXPECT_NE(all.out.find("apt-pin  [built-in, "), std::string::npos);
}

TEST(People, TyposGetADidYouMean) {
  TempDir repo;
  repo.write("Dockerfile", k_file);
  struct Case {
    std::string args, says;
  };
  for (const Case& c : std::vector<Case>{
           {"chekc", "unknown command 'chekc' (did you mean 'check'?)"},
           {"audti", "unknown command 'audti' (did you mean 'audit'?)"},
           {"rules apt-pinn", "unknown rule 'apt-pinn' (did you mean 'apt-pin'?)"},
           {"rules dl3008x", "unknown rule 'dl3008x' (did you mean 'DL3008'?)"},
           {"check --select maintaner", "--select: unknown rule 'maintaner' (did you mean 'maintainer'?)"},
           {"check --ignore exec-fomr", "--ignore: unknown rule 'exec-fomr' (did you mean 'exec-form'?)"},
           {"check --formt json", "unrecognised option '--formt' (did you mean '--format'?)"},
           {"check --format sarfi", "--format takes text, json or sarif, not 'sarfi' (did you mean 'sarif'?)"},
           {"audit --format htlm", "not 'htlm' (did you mean 'html'?)"},
       }) {
    const CliRun r = run_dockmend(repo.path, c.args + (c.args.rfind("check", 0) == 0 || c.args.rfind("audit", 0) == 0 ? " --no-policy" : ""));
    EXPECT_EQ(r.code, 2) << c.args << "\n" << r;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << c.args << "\n" << r;
  }
  // Nothing near: no guess.
  const CliRun far = run_dockmend(repo.path, "zebra");
  EXPECT_NE(far.err.find("unknown command 'zebra' (see dockmend --help)"), std::string::npos) << far;
  // A policy naming a mistyped rule.
  repo.write("dockmend.yaml", "extends: default\nrules:\n  maintaner: off\n");
  const CliRun pol = run_dockmend(repo.path, "check");
  EXPECT_EQ(pol.code, 2) << pol;
  EXPECT_NE(pol.err.find("maintaner"), std::string::npos) << pol;
  EXPECT_NE(pol.err.find("did you mean 'maintainer'?"), std::string::npos) << pol;
}

}  // namespace
