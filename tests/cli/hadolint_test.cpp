// Coming from hadolint: its inline pragmas, its .hadolint.yaml, severities per
// rule and --fail-on, and `dockmend policy --from-hadolint`. What hadolint does
// is from its README ("Inline ignores", "Global ignores", "Configure", the
// rules table's Default Severity column).
#include "cli_test_support.hpp"

namespace dockmend::clitest {
namespace {

const char* const k_apt = "FROM debian:12\nRUN apt-get update && apt-get install -y curl\n";

TEST(HadolintPragmas, IgnoreTheNextInstruction) {
  TempRepo t;
  // DL3008 is apt-pin, DL3015 apt-no-install-recommends; a remark after a second '#'.
  t.write("Dockerfile",
          "FROM debian:12\n# hadolint ignore=DL3008,DL3015 # we accept these\n"
          "RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n"
          "RUN apt-get update && apt-get install -y git && rm -rf /var/lib/apt/lists/*\nUSER app\n");
  auto r = run_in(t.path(), {"check", "-q", "--no-policy"});
  EXPECT_EQ(r.out,
            "Dockerfile:4:23: apt-no-install-recommends: apt-get install without --no-install-recommends: "
            "recommended packages bloat the image [unsafe fix: --unsafe-fixes]\n"
            "Dockerfile:4:23: apt-pin: unpinned apt packages: git\n")
      << r;
}

TEST(HadolintPragmas, GlobalIgnoreCoversTheFile) {
  TempRepo t;
  t.write("Dockerfile", std::string("# hadolint global ignore=DL3008\n") + k_apt + "USER app\n");
  auto r = run_in(t.path(), {"check", "-q", "--no-policy", "--select", "apt-pin,apt-lists-cleanup"});
  EXPECT_EQ(r.out,
            "Dockerfile:3:5: apt-lists-cleanup: apt-get update leaves the package lists in the layer: remove "
            "/var/lib/apt/lists/* in the same RUN\n")
      << r;
  // Not a pragma: hadolint needs `ignore=` and at least one code.
  t.write("Dockerfile", std::string("# hadolint ignore\n# hadolintignore=DL3008\n") + k_apt + "USER app\n");
  r = run_in(t.path(), {"check", "-q", "--no-policy", "--select", "apt-pin"});
  EXPECT_EQ(r.out, "Dockerfile:4:23: apt-pin: unpinned apt packages: curl\n") << r;
}

TEST(HadolintConfig, ReadWhenThereIsNoDockmendYaml) {
  TempRepo t;
  t.write(".git/HEAD", "ref: refs/heads/main\n");
  t.write(".hadolint.yaml",
          "ignored: [DL3008]\noverride:\n  error: [DL3015]\n  style: [DL3009]\nfailure-threshold: error\n"
          "trustedRegistries: [docker.io]\nformat: json\n");
  t.write("svc/Dockerfile", std::string(k_apt) + "USER app\n");
  auto r = run_in(t / "svc", {"check", "-q"});
  // apt-pin ignored; DL3015 is an error, so with failure-threshold error it fails.
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_FALSE(contains(r.out, "apt-pin")) << r.out;
  EXPECT_TRUE(contains(r.out, "apt-no-install-recommends")) << r.out;
  // Only the style finding (DL3009): below the threshold, exit 0.
  t.write("svc/Dockerfile",
          "FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl\nUSER app\n");
  r = run_in(t / "svc", {"check", "-q", "--select", "apt-lists-cleanup"});
  EXPECT_TRUE(contains(r.out, "apt-lists-cleanup")) << r;
  EXPECT_EQ(r.code, 0) << r;
  // --fail-on overrides the configuration.
  r = run_in(t / "svc", {"check", "-q", "--select", "apt-lists-cleanup", "--fail-on", "style"});
  EXPECT_EQ(r.code, 1) << r;
  // A dockmend.yaml wins over .hadolint.yaml.
  t.write("dockmend.yaml", "version: 1\nrules: {apt-pin: on}\n");
  r = run_in(t / "svc", {"check", "-q"});
  EXPECT_EQ(r.out, "svc/Dockerfile:2:23: apt-pin: unpinned apt packages: curl\n") << r;
}

TEST(HadolintConfig, FromHadolintWritesTheEquivalentPolicy) {
  TempRepo t;
  t.write(".hadolint.yml",
          "ignored:\n  - DL3008\n  - SC2086\noverride:\n  warning: [DL3015]\n  info: [DL4006]\n"
          "failure-threshold: warning\ntrustedRegistries: my-company.com:5000\nno-color: true\n");
  auto r = run_in(t.path(), {"policy", "--from-hadolint"});
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_EQ(r.out,
            "# Converted from .hadolint.yml by `dockmend policy --from-hadolint`.\n"
            "# SC2086: dockmend has no rule for it\n"
            "# no-color: not carried over (hadolint's own output setting)\n"
            "version: 1\nextends: default\nfail_on: warning\nrules:\n"
            "  apt-no-install-recommends: warning\n  pipefail: info\n  apt-pin: off\n"
            "  trusted-registries: {registries: [\"my-company.com:5000\"]}\n");
  // What it writes is a policy dockmend loads, with those severities.
  t.write("dockmend.yaml", r.out);
  auto p = run_in(t.path(), {"policy"});
  EXPECT_TRUE(contains(p.out, "fail_on: warning\n")) << p;
  EXPECT_TRUE(contains(p.out, "  pipefail: on (info)\n")) << p.out;
  EXPECT_TRUE(contains(p.out, "  apt-pin: off\n")) << p.out;
  EXPECT_TRUE(contains(p.out, "  apt-no-install-recommends: on (warning)\n")) << p.out;
  EXPECT_TRUE(contains(p.out, "  trusted-registries: on (error, registries: [my-company.com:5000])\n")) << p.out;
  // Bad input names the file, line and column.
  t.write("bad.yaml", "override:\n  fatal: [DL3008]\n");
  r = run_in(t.path(), {"policy", "--from-hadolint", "bad.yaml"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "dockmend: error: bad.yaml:2:3: override: unknown level 'fatal' (expected error, warning, info or style)\n");
}

TEST(HadolintConfig, TrustedRegistriesBecomeDL3026sList) {
  TempRepo t;
  t.write(".git/HEAD", "ref: refs/heads/main\n");
  // hadolint's README example, with an override of DL3026's severity.
  t.write(".hadolint.yaml",
          "override:\n  warning: [DL3026]\ntrustedRegistries:\n  - docker.io\n  - my-company.com:5000\n"
          "  - \"*.gcr.io\"\n");
  auto r = run_in(t.path(), {"policy", "--from-hadolint"});
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_TRUE(contains(r.out, "rules:\n  trusted-registries: {registries: [\"docker.io\", \"my-company.com:5000\", "
                              "\"*.gcr.io\"], severity: warning}\n"))
      << r.out;
  // Read in place of a dockmend.yaml, it checks the images.
  t.write("Dockerfile",
          "FROM ubuntu:24.04 AS a\nFROM mirror.gcr.io/library/busybox AS b\nFROM quay.io/org/app:1\nUSER app\n");
  r = run_in(t.path(), {"check", "-q", "--select", "DL3026"});
  EXPECT_EQ(r.out,
            "Dockerfile:3:6: trusted-registries: FROM quay.io/org/app:1: quay.io is not an allowed registry "
            "(docker.io, my-company.com:5000, *.gcr.io)\n")
      << r;
  EXPECT_EQ(r.code, 1) << r;
  // An ignored DL3026 stays off, and says why its list is not carried over.
  t.write(".hadolint.yaml", "ignored: [DL3026]\ntrustedRegistries: [docker.io]\n");
  r = run_in(t.path(), {"policy", "--from-hadolint"});
  EXPECT_TRUE(contains(r.out, "# trustedRegistries (docker.io): not carried over, DL3026 is ignored\n")) << r.out;
  EXPECT_TRUE(contains(r.out, "  trusted-registries: off\n")) << r.out;
  // A pattern dockmend cannot take is an error at its place in the hadolint file.
  t.write(".hadolint.yaml", "trustedRegistries:\n  - docker.io\n  - ghcr.io/org\n");
  r = run_in(t.path(), {"policy", "--from-hadolint"});
  EXPECT_EQ(r.code, 2) << r;
  EXPECT_TRUE(contains(r.err, ".hadolint.yaml:3:5: trustedRegistries: 'ghcr.io/org': a registry is a host name")) << r.err;
}

TEST(RuleOptions, OnlyForARuleThatTakesThem) {
  TempRepo t;
  t.write("Dockerfile", "FROM debian:12\nUSER app\n");
  t.write("dockmend.yaml", "version: 1\nrules:\n  exec-form: {registries: [docker.io]}\n");
  auto r = run_in(t.path(), {"check"});
  EXPECT_EQ(r.code, 2) << r;
  EXPECT_TRUE(contains(r.err, "dockmend.yaml:3:15: rule 'exec-form' takes no option 'registries' (only severity)"))
      << r.err;
  // The mapping form with only a severity is fine for any rule.
  t.write("dockmend.yaml", "version: 1\nrules:\n  exec-form: {severity: info}\n");
  r = run_in(t.path(), {"check", "-q"});
  EXPECT_EQ(r.code, 0) << r;
}

TEST(Severity, DefaultsOverridesAndFailOn) {
  TempRepo t;
  t.write("Dockerfile", "FROM debian:12\nMAINTAINER me\nRUN cd /tmp\nUSER app\n");
  // maintainer is DL4000 (error), cd-in-run DL3003 (warning).
  auto r = run_in(t.path(), {"check", "-q", "--no-policy", "--select", "maintainer,cd-in-run", "--fail-on", "error"});
  EXPECT_EQ(r.code, 1) << r;
  r = run_in(t.path(), {"check", "-q", "--no-policy", "--select", "cd-in-run", "--fail-on", "error"});
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_EQ(r.out, "Dockerfile:3:5: cd-in-run: cd in RUN: use WORKDIR to change the directory\n") << "still printed";
  r = run_in(t.path(), {"check", "-q", "--no-policy", "--select", "cd-in-run", "--fail-on", "warning"});
  EXPECT_EQ(r.code, 1) << r;
  r = run_in(t.path(), {"check", "-q", "--no-policy", "--fail-on", "none"});
  EXPECT_EQ(r.code, 0) << r;
  // The policy raises cd-in-run to an error (by its hadolint name).
  t.write("dockmend.yaml", "version: 1\nrules: {DL3003: error}\n");
  r = run_in(t.path(), {"check", "-q", "--fail-on", "error"});
  EXPECT_EQ(r.code, 1) << r;
  r = run_in(t.path(), {"check", "--fail-on", "fatal"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "dockmend: error: --fail-on takes error, warning, info, style or none, not 'fatal'\n");
  t.write("dockmend.yaml", "version: 1\nrules: {cd-in-run: loud}\n");
  r = run_in(t.path(), {"check"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "dockmend.yaml:2:20: rules.cd-in-run: expected on, off, a severity (error, warning, "
                              "info, style) or a mapping of options, got 'loud'")) << r.err;
}

}  // namespace
}  // namespace dockmend::clitest
