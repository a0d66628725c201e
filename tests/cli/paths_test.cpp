// Paths in every output are relative to the repository root (git's top level,
// else the directory searched), wherever the policy is and wherever dockmend
// runs from; each Dockerfile follows the nearest dockmend.yaml above it inside
// the repository; `extends:` and `exclude:`.
#include <set>

#include "cli_test_support.hpp"

namespace dockmend::clitest {
namespace {

int sh(const std::string& command) {
  const std::string full =
      "export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null; (" + command + ") >/dev/null 2>&1";
  const int status = std::system(full.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

// A service that exposes the wrong port and runs apt-get without -y: the ports
// rule (policy) and apt-get-yes (built-in, safe fix) both have something to fix.
const char* const k_dockerfile = "FROM debian:12\nRUN apt-get install curl\nEXPOSE 9000\nUSER app\n";
const char* const k_org_policy =
    "version: 1\nextends: default\nservices:\n  api:\n    dockerfile: pc/api/Dockerfile\n    ports: [8080]\n";

// An organisation policy outside the repository: its paths are read as
// relative to the repository root, and the diff applies at that root.
TEST(Paths, OrganisationPolicyOutsideTheRepository) {
  TempRepo t;
  t.write("org/dockmend.yaml",
          "version: 1\nextends: default\nservices:\n  api:\n    dockerfile: api/Dockerfile\n    ports: [8080]\n");
  t.write("pc/api/Dockerfile", k_dockerfile);
  ASSERT_EQ(sh("cd " + q(t / "pc") + " && git init -q . && git add -A"), 0);

  for (const std::string& where : {std::string("pc"), std::string("pc/api")}) {
    SCOPED_TRACE(where);
    const std::string policy = where == "pc" ? "../org/dockmend.yaml" : "../../org/dockmend.yaml";
    auto diff = run_in(t / where, {"diff", "--policy", policy, "--quiet"});
    ASSERT_EQ(diff.code, 1) << diff;
    EXPECT_TRUE(contains(diff.out, "--- a/api/Dockerfile\n+++ b/api/Dockerfile\n")) << diff.out;
    EXPECT_FALSE(contains(diff.out, "..")) << diff.out;
    // The service was recognised: its port is fixed, not just the built-in rules.
    EXPECT_TRUE(contains(diff.out, "+EXPOSE 8080")) << diff.out;
    auto check = run_in(t / where, {"check", "--policy", policy, "--quiet", "."});
    EXPECT_TRUE(contains(check.out, "api/Dockerfile:3:1: ports:")) << check;
    t.write("p.diff", diff.out);
    EXPECT_EQ(sh("cd " + q(t / "pc") + " && git apply --check " + q(t / "p.diff")), 0) << diff.out;
  }
  // Applied at the root, the patch gives what fix gives.
  ASSERT_EQ(sh("cd " + q(t / "pc") + " && git apply " + q(t / "p.diff")), 0);
  EXPECT_EQ(run_in(t / "pc", {"diff", "--policy", "../org/dockmend.yaml", "--quiet"}).out, "");
}

// From a subdirectory, with the policy at the top: paths still start at the root.
TEST(Paths, FromASubdirectoryOfAGitRepository) {
  TempRepo t;
  t.write("dockmend.yaml", k_org_policy);
  t.write("pc/api/Dockerfile", k_dockerfile);
  ASSERT_EQ(sh("cd " + q(t.path()) + " && git init -q . && git add -A"), 0);
  for (const std::string& args : {std::string("."), std::string("api/Dockerfile"), std::string("")}) {
    SCOPED_TRACE(args);
    std::vector<std::string> argv{"diff", "--quiet"};
    if (!args.empty()) argv.push_back(args);
    auto diff = run_in(t / "pc", argv);
    ASSERT_EQ(diff.code, 1) << diff;
    EXPECT_TRUE(contains(diff.out, "--- a/pc/api/Dockerfile\n")) << diff.out;
    EXPECT_TRUE(contains(diff.out, "+EXPOSE 8080")) << diff.out;
    t.write("p.diff", diff.out);
    EXPECT_EQ(sh("cd " + q(t.path()) + " && git apply --check p.diff"), 0) << diff.out;
  }
  // Run from outside the repository altogether.
  auto out = run_in(t.path().parent_path(), {"check", "--quiet", (t / "pc").string()});
  EXPECT_TRUE(contains(out.out, "\npc/api/Dockerfile:3:1: ports:") || out.out.rfind("pc/api/Dockerfile:", 0) == 0)
      << out;
}

// The shard of a file follows from its root-relative path: two checkouts in
// different places, run from different directories, split the files alike.
TEST(Paths, ShardsDoNotDependOnTheCheckout) {
  TempRepo a, b;
  for (const TempRepo* t : {&a, &b}) {
    t->write("deep/er/place/repo/.git/HEAD", "ref: refs/heads/main\n");
    for (int i = 0; i < 12; ++i) t->write("deep/er/place/repo/s" + std::to_string(i) + "/Dockerfile", "FROM x\nMAINTAINER m\n");
  }
  std::set<std::string> seen_a, seen_b;
  for (int k = 1; k <= 3; ++k) {
    const std::string shard = std::to_string(k) + "/3";
    auto ra = run_in(a / "deep/er/place/repo", {"check", "--no-policy", "--select", "maintainer", "--shard", shard, "-q"});
    auto rb = run_in(b / "deep", {"check", "--no-policy", "--select", "maintainer", "--shard", shard, "-q", "er/place/repo/s0/..",
                                  });
    EXPECT_EQ(ra.out, rb.out) << shard;
    for (const auto* r : {&ra}) {
      std::istringstream lines(r->out);
      for (std::string l; std::getline(lines, l);) {
        const std::string path = l.substr(0, l.find(':'));
        EXPECT_EQ(path.substr(path.size() - 11), "/Dockerfile");
        EXPECT_EQ(path[0], 's') << "root-relative: " << l;
        EXPECT_TRUE(io::in_shard(path, k - 1, 3)) << l;
        seen_a.insert(path);
      }
    }
  }
  EXPECT_EQ(seen_a.size(), 12u) << "every file in exactly one shard";
}

// Nested policies: the nearest dockmend.yaml at or above each Dockerfile
// governs it, wherever dockmend is started; a nested one is used alone unless
// it extends its parent.
TEST(NestedPolicies, NearestPolicyGovernsEachDockerfile) {
  TempRepo t;
  t.write(".git/HEAD", "ref: refs/heads/main\n");
  t.write("dockmend.yaml", "version: 1\nrules: {maintainer: on}\n");
  t.write("Dockerfile", "FROM x\nMAINTAINER m\nRUN cd /tmp\n");
  t.write("legacy/dockmend.yaml", "version: 1\nrules: {cd-in-run: on}\n");
  t.write("legacy/Dockerfile", "FROM x\nMAINTAINER m\nRUN cd /tmp\n");
  t.write("team/dockmend.yaml", "version: 1\nextends: ../dockmend.yaml\nrules: {cd-in-run: on}\n");
  t.write("team/svc/Dockerfile", "FROM x\nMAINTAINER m\nRUN cd /tmp\n");
  const std::string want =
      "Dockerfile:2:1: maintainer: MAINTAINER is deprecated";
  for (const std::string& from : {std::string("."), std::string("legacy"), std::string("team/svc")}) {
    SCOPED_TRACE(from);
    auto r = run_in(t / from, {"check", "-q", t.path().string()});
    EXPECT_EQ(r.code, 1) << r;
    // The root's policy: maintainer only.
    EXPECT_TRUE(contains(r.out, "\nDockerfile:2:1: maintainer:") || r.out.rfind("Dockerfile:2:1: maintainer:", 0) == 0) << r.out;
    EXPECT_FALSE(contains(r.out, "\nDockerfile:3:5: cd-in-run") || r.out.rfind("Dockerfile:3:5: cd-in-run", 0) == 0) << r.out;
    // legacy: its own policy only (no extends): cd-in-run, not maintainer.
    EXPECT_TRUE(contains(r.out, "legacy/Dockerfile:3:5: cd-in-run:")) << r.out;
    EXPECT_FALSE(contains(r.out, "legacy/Dockerfile:2:1: maintainer:")) << r.out;
    // team extends the root's: both.
    EXPECT_TRUE(contains(r.out, "team/svc/Dockerfile:2:1: maintainer:")) << r.out;
    EXPECT_TRUE(contains(r.out, "team/svc/Dockerfile:3:5: cd-in-run:")) << r.out;
  }
  // Without PATH from inside a nested project: that project is searched.
  auto r = run_in(t / "legacy", {"check", "-q"});
  EXPECT_EQ(r.out.rfind("legacy/Dockerfile:3:5: cd-in-run:", 0), 0u) << r;
  // `dockmend policy` says which policy governs a directory.
  auto p = run_in(t / "team/svc", {"policy"});
  EXPECT_TRUE(contains(p.out, "policy: " + (t / "team/dockmend.yaml").string())) << p;
  EXPECT_TRUE(contains(p.out, "  maintainer: on")) << p.out;
  EXPECT_TRUE(contains(p.out, "  cd-in-run: on")) << p.out;
}

// A nested policy's services are relative to its own directory, and extends
// brings the parent's sections (merged key by key) and services.
TEST(NestedPolicies, ServicesAndSectionsFromTheParent) {
  TempRepo t;
  t.write(".git/HEAD", "ref: refs/heads/main\n");
  t.write("dockmend.yaml",
          "version: 1\ndefaults:\n  user: {name: app, uid: 10001}\nservices:\n  top:\n    dockerfile: top/Dockerfile\n"
          "    ports: [80]\n");
  t.write("team/dockmend.yaml",
          "version: 1\nextends: ../dockmend.yaml\ndefaults:\n  user: {name: svc}\nservices:\n  api:\n"
          "    dockerfile: api/Dockerfile\n    ports: [8080]\n");
  // team's user: name svc (its own) and uid 10001 (the parent's): the name
  // is right, the UID is not.
  t.write("team/api/Dockerfile", "FROM debian:12\nEXPOSE 9000\nRUN useradd -u 20002 svc\nUSER svc\n");
  t.write("top/Dockerfile", "FROM debian:12\nEXPOSE 81\nRUN useradd -u 10001 app\nUSER app\n");
  auto r = run_in(t.path(), {"check", "-q", "--select", "ports,user"});
  EXPECT_EQ(r.out,
            "team/api/Dockerfile:2:1: ports: exposed ports are not the service's ports\n"
            "team/api/Dockerfile:4:1: user: the runtime user is not svc (10001): UID 20002\n"
            "top/Dockerfile:2:1: ports: exposed ports are not the service's ports\n")
      << r;
}

// Standard input and `fix` follow the same policy as the file would.
TEST(NestedPolicies, StdinAndFixFollowTheNestedPolicy) {
  TempRepo t;
  t.write(".git/HEAD", "ref: refs/heads/main\n");
  t.write("dockmend.yaml", "version: 1\nrules: {cd-in-run: on}\n");
  t.write("legacy/dockmend.yaml", "version: 1\nrules: {maintainer: on}\n");
  const std::string text = "FROM x\nMAINTAINER m\nRUN cd /tmp\n";
  auto r = run_in(t.path(), {"check", "-q", "--stdin-filename", "legacy/Dockerfile", "-"}, text);
  EXPECT_EQ(r.out, "legacy/Dockerfile:2:1: maintainer: MAINTAINER is deprecated; use LABEL maintainer=...\n") << r;
  r = run_in(t / "legacy", {"check", "-q", "--stdin-filename", "Dockerfile", "-"}, text);
  EXPECT_EQ(r.out, "legacy/Dockerfile:2:1: maintainer: MAINTAINER is deprecated; use LABEL maintainer=...\n") << r;
  t.write("legacy/Dockerfile", text);
  t.write("Dockerfile", text);
  r = run_in(t.path(), {"fix", "-q"});
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_EQ(t.read("legacy/Dockerfile"), "FROM x\nLABEL maintainer=\"m\"\nRUN cd /tmp\n");
  EXPECT_EQ(t.read("Dockerfile"), text) << "cd-in-run has no fix; maintainer is off at the root";
}

TEST(NestedPolicies, ExtendsCycleAndMissingFileAreErrors) {
  TempRepo t;
  t.write("a/dockmend.yaml", "version: 1\nextends: ../b/dockmend.yaml\n");
  t.write("b/dockmend.yaml", "version: 1\nextends: [default, ../a/dockmend.yaml]\n");
  t.write("a/Dockerfile", "FROM x\n");
  auto r = run_in(t / "a", {"check"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "extends itself")) << r.err;
  t.write("a/dockmend.yaml", "version: 1\nextends: ../nowhere.yaml\n");
  r = run_in(t / "a", {"check"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "dockmend.yaml:2:10: extends: '../nowhere.yaml' is not a policy file")) << r.err;
}

// `exclude:` in the policy skips templates and fixtures, relative to the
// policy's directory, for files found and files named alike.
TEST(Exclude, PolicyGlobs) {
  TempRepo t;
  t.write(".git/HEAD", "ref: refs/heads/main\n");
  t.write("dockmend.yaml", "version: 1\nexclude: [templates/, '*.tmpl.Dockerfile']\nrules: {maintainer: on}\n");
  t.write("Dockerfile", "FROM x\nMAINTAINER m\n");
  t.write("templates/Dockerfile", "FROM {{ base }}\nMAINTAINER m\n");
  t.write("sub/templates/x/Dockerfile", "FROM x\nMAINTAINER m\n");
  t.write("sub/a.tmpl.Dockerfile", "FROM x\nMAINTAINER m\n");
  t.write("sub/b.Dockerfile", "FROM x\nMAINTAINER m\n");
  t.write("svc/dockmend.yaml", "version: 1\nextends: ../dockmend.yaml\nexclude: [fixtures]\n");
  t.write("svc/fixtures/Dockerfile", "FROM x\nMAINTAINER m\n");
  t.write("fixtures/Dockerfile", "FROM x\nMAINTAINER m\n");
  auto r = run_in(t.path(), {"check", "-q"});
  EXPECT_EQ(r.out,
            "Dockerfile:2:1: maintainer: MAINTAINER is deprecated; use LABEL maintainer=...\n"
            "fixtures/Dockerfile:2:1: maintainer: MAINTAINER is deprecated; use LABEL maintainer=...\n"
            "sub/b.Dockerfile:2:1: maintainer: MAINTAINER is deprecated; use LABEL maintainer=...\n")
      << r;
  r = run_in(t.path(), {"check", "-q", "templates/Dockerfile"});
  EXPECT_EQ(r.out, "") << r;
  EXPECT_EQ(r.code, 0);
}

}  // namespace
}  // namespace dockmend::clitest
