// Microsoft's SARIF validator with GitHub's rules (what code scanning's upload
// checks), on dockmend's SARIF: the bundled example (check and audit), a
// repository with files that cannot be checked and non-ASCII text, and a run cut
// at 25,000 results. It must report no errors.
//
// The validator is `@microsoft/sarif-multitool` from npm
// (`npm install -g @microsoft/sarif-multitool`, or DOCKMEND_SARIF_MULTITOOL=path
// to its `sarif-multitool` wrapper or its `Sarif.Multitool` binary). Without it
// the test skips and says so.
#include <gtest/gtest.h>

#include <cstdlib>

#include "report_test_support.hpp"

namespace fs = std::filesystem;
using namespace dockmend::test;

namespace {

// The command that runs the validator, or "" with the reason in `why`.
std::string find_validator(std::string& why) {
  if (const char* env = std::getenv("DOCKMEND_SARIF_MULTITOOL"); env && *env) return std::string("'") + env + "'";
  if (std::system("command -v sarif-multitool >/dev/null 2>&1") == 0) return "sarif-multitool";
  if (std::system("command -v npx >/dev/null 2>&1") != 0) {
    why = "npm (npx) is not installed, nor sarif-multitool";
    return "";
  }
  if (std::system("npx --no-install @microsoft/sarif-multitool --version >/dev/null 2>&1") == 0)
    return "npx --no-install @microsoft/sarif-multitool";
  why = "@microsoft/sarif-multitool is not installed (npm install -g @microsoft/sarif-multitool, or set "
        "DOCKMEND_SARIF_MULTITOOL)";
  return "";
}

struct Verdict {
  int code = -1;
  std::vector<std::string> errors, warnings;
  std::string log;
};

// One run of the validator over every file (it starts slowly).
Verdict validate(const std::string& tool, const std::vector<fs::path>& files, const fs::path& dir) {
  const fs::path out = dir / "validation.sarif";
  std::string inputs;
  for (const auto& f : files) inputs += " '" + f.string() + "'";
  // The npm wrapper hands its arguments to a shell: the rule kinds are quoted
  // twice so that the ";" reaches the tool (the native binary takes the quotes).
  const std::string cmd = tool + " validate --rule-kind '\"Gh;Sarif\"' --max-file-size-in-kb 1000000" + inputs + " -o '" +
                          out.string() +
                          "' > '" + (dir / "validator.log").string() + "' 2>&1";
  Verdict v;
  const int status = std::system(cmd.c_str());
  v.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  v.log = read_bytes(dir / "validator.log");
  const auto log = parse_json(read_bytes(out));
  if (!log) {
    v.errors.push_back("the validator wrote no log: " + v.log.substr(0, 2000));
    return v;
  }
  for (const auto& run : (*log)["runs"].array()) {
    // The validator's own trouble (a file too large to look at, say) is not a pass.
    for (const auto& inv : run["invocations"].array()) {
      if (const auto* ok = std::get_if<bool>(&inv["executionSuccessful"].v); !ok || !*ok)
        v.errors.push_back("the validator did not run to the end");
      for (const char* kind : {"toolConfigurationNotifications", "toolExecutionNotifications"})
        for (const auto& n : inv[kind].array())
          if (n["level"].str() == "error") v.errors.push_back(n["descriptor"]["id"].str() + ": " + n["message"]["text"].str());
    }
    for (const auto& r : run["results"].array()) {
      const std::string text = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].str() + ": " +
                               r["ruleId"].str() + ": " + r["message"]["text"].str() + " " +
                               r["message"]["arguments"][0].str() + " " + r["message"]["arguments"][1].str();
      const std::string level = r["level"].str().empty() ? "warning" : r["level"].str();
      if (level == "error") v.errors.push_back(text);
      else if (level == "warning") v.warnings.push_back(text);
    }
  }
  if (!v.errors.empty()) return v;
  if ((*log)["runs"].array().empty()) v.errors.push_back("the validator's log has no run");
  const std::string done = "Done. " + std::to_string(files.size()) + " files scanned.";
  if (v.log.find(done) == std::string::npos) v.errors.push_back("the validator did not say '" + done + "'");
  return v;
}

TEST(SarifValidator, GitHubRulesFindNoErrors) {
  std::string why;
  const std::string tool = find_validator(why);
  if (tool.empty()) GTEST_SKIP() << "SARIF validator not run: " << why;

  TempDir work;
  std::vector<fs::path> files;
  auto keep = [&](const std::string& name, const CliRun& r) {
    ASSERT_TRUE(parse_json(r.out)) << name << "\n" << r;
    files.push_back(work.write(name, r.out));
  };
  const fs::path example = source_dir() / "examples" / "phase4";
  keep("check.sarif", run_dockmend(example, "check --format sarif -q"));
  keep("audit.sarif", run_dockmend(example, "audit --format sarif -q"));

  TempDir repo;
  repo.write("Dockerfile", "FROM debian:12\r\nMAINTAINER Zoë <z@example.com>\r\nRUN echo \"→\" && apt-get install curl\r\nCMD echo hi\r\n");
  repo.write("bin/Dockerfile", std::string("FROM a\n\0", 8));
  repo.write("open/Dockerfile", "FROM alpine\nCOPY <<EOF /x\nnever ends\n");
  keep("problems.sarif", run_dockmend(repo.path, "check --no-policy --format sarif -q . missing"));
  keep("shard.sarif", run_dockmend(repo.path, "check --no-policy --format sarif -q --shard 1/2 ."));
  keep("clean.sarif", run_dockmend(repo.path, "check --no-policy --select ALL --ignore ALL --format sarif -q Dockerfile"));

  // A run cut short, with its notification. (Cut at 40 to keep the validator
  // quick: on the 25,000 results of the default cut, 26 MB, it also finds no
  // error but takes minutes.)
  TempDir big;
  std::string body = "FROM alpine\nUSER app\n";
  for (int i = 0; i < 50; ++i) body += "MAINTAINER m" + std::to_string(i) + "\n";
  big.write("Dockerfile", body + "CMD echo hi\n");
  const CliRun cut = run_dockmend(big.path, "check --no-policy --select maintainer,exec-form --format sarif --sarif-max-results 40 -q .");
  EXPECT_NE(cut.out.find("11 are left out"), std::string::npos) << cut;
  keep("cut.sarif", cut);

  const Verdict v = validate(tool, files, work.path);
  std::string all;
  for (const auto& e : v.errors) all += "  " + e + "\n";
  EXPECT_TRUE(v.errors.empty()) << "the validator reports errors:\n" << all << v.log.substr(0, 3000);
  for (const auto& w : v.warnings) std::cout << "warning: " << w << "\n";
}

}  // namespace
