// action.yml, the GitHub Action: its inputs, its steps' shell scripts (run here
// with a stand-in `docker` that runs the built dockmend where the container
// would), the SARIF upload, and the options it passes existing in dockmend.
#include <gtest/gtest.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <map>

#include "release_support.hpp"

namespace fs = std::filesystem;
using namespace dockmend;

namespace {

YAML::Node action() { return YAML::LoadFile((test::source_dir() / "action.yml").string()); }

YAML::Node step(const YAML::Node& a, const std::string& id) {
  for (const auto& s : a["runs"]["steps"])
    if (s["id"] && s["id"].as<std::string>() == id) return s;
  return YAML::Node();
}

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "dockmend-action-XXXXXX").string();
    path = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

struct StepRun {
  int status = -1;
  std::string stdout_text;
  std::map<std::string, std::string> outputs;  // what the step wrote to $GITHUB_OUTPUT
  std::string docker_args;                     // what it passed to `docker run`, one a line
};

// Runs the "run" step's script as the runner would (bash, env from its inputs),
// with `docker` a stand-in that records its arguments and runs the built
// dockmend in the --workdir, as the image's ENTRYPOINT would.
StepRun run_step(const std::map<std::string, std::string>& inputs, const fs::path& workspace) {
  TempDir tmp;
  const fs::path shim = tmp.path / "docker";
  test::write_bytes(shim,
                    "#!/usr/bin/env bash\n"
                    "printf '%s\\n' \"$@\" > \"$DOCKER_ARGS_FILE\"\n"
                    "[ \"$1\" = run ] || exit 125; shift\n"
                    "while [ $# -gt 0 ]; do\n"
                    "  case $1 in\n"
                    "    --rm) shift ;;\n"
                    "    --user|--env|--volume) shift 2 ;;\n"
                    "    --workdir) cd \"$2\"; shift 2 ;;\n"
                    "    -*) echo \"docker stand-in: unexpected $1\" >&2; exit 125 ;;\n"
                    "    *) shift; break ;;\n"  // the image
                    "  esac\n"
                    "done\n"
                    "exec \"$DOCKMEND_BINARY\" \"$@\"\n");
  fs::permissions(shim, fs::perms::owner_all);
  const YAML::Node a = action();
  const YAML::Node s = step(a, "run");
  std::string env = "PATH=" + test::quoted(tmp.path.string()) + ":\"$PATH\" GITHUB_WORKSPACE=" +
                    test::quoted(workspace.string()) + " GITHUB_OUTPUT=" + test::quoted((tmp.path / "out").string()) +
                    " DOCKER_ARGS_FILE=" + test::quoted((tmp.path / "args").string()) +
                    " DOCKMEND_BINARY=" + test::quoted(DOCKMEND_BINARY) + " DOCKMEND_IMAGE=dockmend-action:local";
  for (const auto& kv : s["env"]) {
    const std::string var = kv.first.as<std::string>();
    const std::string expr = kv.second.as<std::string>();  // ${{ inputs.NAME }}
    const auto b = expr.find("inputs.");
    if (b == std::string::npos) continue;
    const std::string input = expr.substr(b + 7, expr.find(' ', b) - b - 7);
    std::string value = a["inputs"][input]["default"].as<std::string>();
    if (inputs.count(input)) value = inputs.at(input);
    env += " " + var + "=" + test::quoted(value);
  }
  test::write_bytes(tmp.path / "step.sh", s["run"].as<std::string>());
  StepRun r;
  const auto res = test::run_capture("cd " + test::quoted(workspace.string()) + " && env " + env + " bash " +
                                     test::quoted((tmp.path / "step.sh").string()) + " 2>/dev/null");
  r.status = res.status;
  r.stdout_text = res.out;
  std::istringstream out(test::read_bytes(tmp.path / "out"));
  for (std::string line; std::getline(out, line);)
    if (auto eq = line.find('='); eq != std::string::npos) r.outputs[line.substr(0, eq)] = line.substr(eq + 1);
  r.docker_args = test::read_bytes(tmp.path / "args");
  return r;
}

}  // namespace

TEST(Action, InputsOutputsAndSteps) {
  const YAML::Node a = action();
  for (const char* in : {"command", "paths", "policy", "format", "fail-under", "unsafe-fixes", "upload-sarif",
                         "sarif-file", "args", "image"}) {
    ASSERT_TRUE(a["inputs"][in]) << in;
    EXPECT_TRUE(a["inputs"][in]["description"]) << in;
    EXPECT_TRUE(a["inputs"][in]["default"]) << in;
  }
  EXPECT_EQ(a["inputs"]["command"]["default"].as<std::string>(), "check");
  EXPECT_EQ(a["runs"]["using"].as<std::string>(), "composite");
  EXPECT_TRUE(a["outputs"]["exit-code"]);
  std::size_t scripts = 0;
  bool upload = false;
  for (const auto& s : a["runs"]["steps"]) {
    if (s["run"]) {
      EXPECT_EQ(s["shell"].as<std::string>(), "bash");
      // No input is pasted into a script (script injection): they come in through env.
      EXPECT_EQ(s["run"].as<std::string>().find("${{"), std::string::npos) << s["run"].as<std::string>();
      const fs::path f = fs::temp_directory_path() / ("dockmend-action-step-" + std::to_string(::getpid()));
      test::write_bytes(f, s["run"].as<std::string>());
      EXPECT_EQ(test::shell("bash -n " + test::quoted(f.string())), 0) << s["run"].as<std::string>();
      fs::remove(f);
      ++scripts;
    }
    if (s["uses"]) {
      EXPECT_EQ(s["uses"].as<std::string>(), "github/codeql-action/upload-sarif@v3");
      const std::string cond = s["if"].as<std::string>();
      EXPECT_NE(cond.find("always()"), std::string::npos) << "uploads even when dockmend found something";
      EXPECT_NE(cond.find("inputs.upload-sarif == 'true'"), std::string::npos);
      EXPECT_EQ(s["with"]["sarif_file"].as<std::string>(), "${{ steps.run.outputs.sarif-file }}");
      upload = true;
    }
  }
  EXPECT_EQ(scripts, 3u);
  EXPECT_TRUE(upload);
  // The image it builds by default is the repository's Dockerfile.
  EXPECT_NE(step(a, "image")["run"].as<std::string>().find("docker build"), std::string::npos);
  EXPECT_TRUE(fs::exists(test::source_dir() / "Dockerfile"));
}

TEST(Action, RunStepRunsDockmendWithTheInputs) {
  if (!test::has_tool("bash")) GTEST_SKIP() << "bash not found";
  TempDir ws;
  fs::create_directories(ws.path / "svc");
  test::write_bytes(ws.path / "svc" / "Dockerfile", "FROM alpine:3.19\nMAINTAINER ops@example.com\nCMD [\"true\"]\n");
  test::write_bytes(ws.path / "clean.Dockerfile", "FROM scratch\n");

  // check, the default: findings on stdout, exit code 1 as an output, the step itself succeeds.
  auto r = run_step({}, ws.path);
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.outputs["exit-code"], "1");
  EXPECT_NE(r.stdout_text.find("svc/Dockerfile:2:1: maintainer"), std::string::npos) << r.stdout_text;
  EXPECT_NE(r.docker_args.find("--workdir\n" + ws.path.string() + "\n"), std::string::npos) << r.docker_args;
  EXPECT_NE(r.docker_args.find("--user\n"), std::string::npos);

  // paths and args, split on blanks; a clean file: exit 0.
  r = run_step({{"paths", "clean.Dockerfile"}, {"args", "--select maintainer"}}, ws.path);
  EXPECT_EQ(r.outputs["exit-code"], "0") << r.docker_args;
  EXPECT_NE(r.docker_args.find("check\n--select\nmaintainer\nclean.Dockerfile\n"), std::string::npos) << r.docker_args;

  // format sarif: the report goes to the sarif-file, named as an output for the upload step.
  r = run_step({{"format", "sarif"}, {"paths", "svc"}}, ws.path);
  EXPECT_EQ(r.outputs["exit-code"], "1");
  EXPECT_EQ(r.outputs["sarif-file"], "dockmend.sarif");
  const YAML::Node sarif = YAML::LoadFile((ws.path / "dockmend.sarif").string());
  EXPECT_EQ(sarif["version"].as<std::string>(), "2.1.0");
  EXPECT_EQ(r.stdout_text, "");

  // audit with fail-under.
  r = run_step({{"command", "audit"}, {"fail-under", "100"}, {"paths", "svc"}}, ws.path);
  EXPECT_EQ(r.outputs["exit-code"], "1") << "a score under 100%";
  EXPECT_NE(r.docker_args.find("audit\n--fail-under\n100\n"), std::string::npos) << r.docker_args;

  // fix writes the file, as the runner's user.
  r = run_step({{"command", "fix"}, {"paths", "svc"}}, ws.path);
  EXPECT_EQ(r.outputs["exit-code"], "0");
  EXPECT_EQ(test::read_bytes(ws.path / "svc" / "Dockerfile").find("MAINTAINER"), std::string::npos);

  // A command the action does not run is refused before docker.
  r = run_step({{"command", "dump"}}, ws.path);
  EXPECT_NE(r.status, 0);
  EXPECT_EQ(r.docker_args, "");
}

// Every option the action can pass is one dockmend has.
TEST(Action, OptionsItPassesExist) {
  const std::string script = step(action(), "run")["run"].as<std::string>();
  const std::string help_check = test::run_capture(test::quoted(DOCKMEND_BINARY) + " help check").out;
  const std::string help_audit = test::run_capture(test::quoted(DOCKMEND_BINARY) + " help audit").out;
  const std::string help_fix = test::run_capture(test::quoted(DOCKMEND_BINARY) + " help fix").out;
  EXPECT_NE(script.find("--policy"), std::string::npos);
  EXPECT_NE(help_check.find("--policy"), std::string::npos);
  EXPECT_NE(help_check.find("--format"), std::string::npos);
  EXPECT_NE(help_audit.find("--fail-under"), std::string::npos);
  ASSERT_NE(script.find("--unsafe-fixes"), std::string::npos);
  if (help_fix.find("--unsafe-fixes") == std::string::npos)
    GTEST_SKIP() << "this dockmend has no --unsafe-fixes yet (issue #14): the action's unsafe-fixes input needs it";
  EXPECT_NE(test::run_capture(test::quoted(DOCKMEND_BINARY) + " help diff").out.find("--unsafe-fixes"),
            std::string::npos);
}
