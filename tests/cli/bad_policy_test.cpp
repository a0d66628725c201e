// Bad policy files, through the command line: every command stops with exit 2
// and a message naming the policy file with line and column, and nothing in the
// repository is touched. (What the policy module says for each mistake is its
// own business and tested there; here: that it reaches the user, and that a bad
// policy never leads to a half-done run.)
#include <gtest/gtest.h>

#include <sys/stat.h>

#include "cli_test_support.hpp"

using namespace dockmend;
using namespace dockmend::clitest;

namespace {

struct PolicyCase {
  const char* name;
  std::string yaml;
  std::string message;  // after "dockmend: error: <policy>:"
};

std::string case_name(const ::testing::TestParamInfo<PolicyCase>& info) { return info.param.name; }

const std::string k_header = "version: 1\n";

std::vector<PolicyCase> cases() {
  return {
      {"WrongTypeInteger", k_header + "defaults:\n  user:\n    uid: abc\n",
       "4:10: defaults.user.uid: expected an integer from 0 to 4294967294, got 'abc'"},
      {"WrongTypeVersion", "version: \"one\"\n", "1:10: version: expected 1, got 'one'"},
      {"WrongTypePorts", k_header + "services:\n  a:\n    dockerfile: svc/Dockerfile\n    ports: [99999, \"x\"]\n",
       "5:13: services.a.ports[0]: port 99999 is outside 1-65535"},
      {"WrongTypeSectionIsList", k_header + "services: [1]\n", "2:11: services: expected a mapping, got a list"},
      {"UnknownKeyTopLevel", k_header + "servicez: {}\n", "2:1: unknown key 'servicez' (did you mean 'services'?)"},
      {"UnknownKeyInSection", k_header + "defaults:\n  colour: red\n",
       "3:3: defaults: unknown key 'colour' (expected one of: base_image, stages, user, init, pip, venv, machine, "
       "env, health, ports)"},
      {"UnknownRule", k_header + "rules:\n  no-such-rule: on\n", "3:3: unknown rule 'no-such-rule' (see dockmend rules)"},
      {"DuplicateServiceName",
       k_header + "services:\n  a:\n    dockerfile: svc/Dockerfile\n  a:\n    dockerfile: other/Dockerfile\n",
       "5:3: services: duplicate service 'a' (first at line 3)"},
      {"DuplicateServiceDockerfile",
       k_header + "services:\n  a:\n    dockerfile: svc/Dockerfile\n  b:\n    dockerfile: ./svc//Dockerfile\n",
       "6:17: services.b.dockerfile: 'svc/Dockerfile' is already the dockerfile of service 'a'"},
      {"DockerfileOutsideRepository", k_header + "services:\n  a:\n    dockerfile: ../outside/Dockerfile\n",
       "4:17: services.a.dockerfile: '../outside/Dockerfile' leaves the policy's directory"},
      {"DockerfileAbsolute", k_header + "services:\n  a:\n    dockerfile: /etc/passwd\n",
       "4:17: services.a.dockerfile: '/etc/passwd' is absolute; paths are relative to the policy's directory"},
      {"ProfileSourceLeavesRepository",
       k_header + "defaults:\n  machine:\n    arg: MACHINE\n    profiles: config\n    profile_source: ../../etc/passwd\n",
       "6:21: defaults.machine.profile_source: '../../etc/passwd' leaves the policy's directory"},
      {"NotAMappingList", "- a\n- b\n", "1:1: the policy must be a mapping, got a list"},
      {"NotAMappingScalar", "hello\n", "1:1: the policy must be a mapping, got 'hello'"},
      {"EmptyFile", "", "1:1: the policy file is empty"},
      {"OnlyComments", "# nothing yet\n", "1:1: the policy file is empty"},
      {"SyntaxError", k_header + "services: [\n", "3:1: YAML syntax error: end of sequence flow not found"},
      // yaml-cpp guards its recursion: deep nesting is an error, not a stack overflow.
      {"DeepNesting", "a: " + std::string(5000, '[') + std::string(5000, ']') + "\n", "1:10004: YAML syntax error"},
      {"NulBytes", k_header + std::string("\0\0\0", 3), "2:3: YAML syntax error"},
  };
}

class BadPolicy : public ::testing::TestWithParam<PolicyCase> {};

}  // namespace

TEST_P(BadPolicy, EveryCommandStopsWithThePlaceAndTouchesNothing) {
  const PolicyCase& c = GetParam();
  TempRepo repo;
  repo.write("svc/Dockerfile", "FROM alpine\nMAINTAINER Jo\n");
  repo.write("dockmend.yaml", c.yaml);
  const Snapshot before = snapshot(repo.path());
  const std::string policy = (repo / "dockmend.yaml").string();
  for (const std::string cmd : {"check", "diff", "fix", "audit", "policy"}) {
    // Found by looking upwards from a subdirectory: shown as the absolute path found.
    Result r = run_in(repo / "svc", {cmd, "--jobs=1"});
    EXPECT_EQ(r.code, 2) << cmd << "\n" << r;
    EXPECT_EQ(r.out, "") << cmd;
    EXPECT_EQ(r.err.rfind("dockmend: error: " + policy + ":" + c.message, 0), 0u) << cmd << "\n" << r;
    // Named on the command line: shown as given.
    r = run_in(repo.path(), {cmd, "--jobs=1", "--policy", "dockmend.yaml"});
    EXPECT_EQ(r.code, 2) << cmd << "\n" << r;
    EXPECT_EQ(r.out, "") << cmd;
    EXPECT_EQ(r.err.rfind("dockmend: error: dockmend.yaml:" + c.message, 0), 0u) << cmd << "\n" << r;
  }
  EXPECT_EQ(changes(before, snapshot(repo.path())), "");
}

INSTANTIATE_TEST_SUITE_P(Cases, BadPolicy, ::testing::ValuesIn(cases()), case_name);

TEST(BadPolicyFile, DirectoryFifoAndMissingFileAreErrorsNotHangs) {
  TempRepo repo;
  repo.write("svc/Dockerfile", "FROM alpine\nMAINTAINER Jo\n");
  fs::create_directories(repo / "policy-dir");
  ASSERT_EQ(::mkfifo((repo / "policy.fifo").c_str(), 0644), 0);
  const Snapshot before = snapshot(repo.path());
  Result r = run_in(repo.path(), {"fix", "--policy", "policy-dir"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "dockmend: error: cannot read 'policy-dir': Is a directory\n");
  r = run_binary(repo.path(), {"fix", "--policy", "policy.fifo"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "dockmend: error: cannot read 'policy.fifo': not a regular file\n");
  r = run_in(repo.path(), {"fix", "--policy", "missing.yaml"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "dockmend: error: missing.yaml: policy file not found\n");
  EXPECT_EQ(changes(before, snapshot(repo.path())), "");
}

TEST(BadPolicyFile, DockmendYamlThatIsADirectoryIsNotTakenForAPolicy) {
  TempRepo repo;
  repo.write("svc/Dockerfile", "FROM alpine\nMAINTAINER Jo\n");
  fs::create_directories(repo / "dockmend.yaml");
  // Looking upwards only takes files: the built-in default policy applies.
  const Result r = run_in(repo / "svc", {"fix", "--jobs=1", "--select=maintainer"});
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_EQ(repo.read("svc/Dockerfile"), "FROM alpine\nLABEL maintainer=\"Jo\"\n");
}

TEST(BadPolicyFile, UnreadablePolicyNamesTheFileAndTheReason) {
  TempRepo repo;
  repo.write("svc/Dockerfile", "FROM alpine\nMAINTAINER Jo\n");
  repo.write("dockmend.yaml", "version: 1\n");
  const Snapshot before = snapshot(repo.path());
  // Root reads anything: make the read itself fail, through io's seam.
  io::set_read_fault_for_testing([](io::ReadStep step) { return step == io::ReadStep::open ? EACCES : 0; });
  const Result r = run_in(repo.path(), {"fix", "--jobs=1", "--policy", "dockmend.yaml"});
  io::set_read_fault_for_testing({});
  EXPECT_EQ(r.code, 2) << r;
  EXPECT_EQ(r.err, "dockmend: error: cannot read 'dockmend.yaml': Permission denied\n");
  EXPECT_EQ(changes(before, snapshot(repo.path())), "");
}

TEST(BadPolicyFile, PolicyOutsideTheRepositoryIsUsedOnlyWhenNamed) {
  // A policy the user names on the command line may live anywhere; its directory
  // is then the root that rules may read below.
  TempRepo outside;
  TempRepo repo;
  outside.write("dockmend.yaml", "version: 1\nextends: default\n");
  repo.write("Dockerfile", "FROM alpine\nMAINTAINER Jo\n");
  const Result r = run_in(repo.path(), {"fix", "--jobs=1", "--select=maintainer", "--policy", (outside / "dockmend.yaml").string(), "."});
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_EQ(repo.read("Dockerfile"), "FROM alpine\nLABEL maintainer=\"Jo\"\n");
}
