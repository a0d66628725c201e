// ports and healthcheck: what the runtime stage exposes and probes.
#include "policy_test_support.hpp"

using namespace dockmend;
using test::MemFiles;
using test::run_policy;

namespace {

const char* const k_policy = R"(version: 1
defaults:
  health: {path: /health, probe: "curl -fsS http://localhost:${HEALTH_PORT}/health || exit 1", ref: plan.md:16}
services:
  api:
    dockerfile: Dockerfile
    ports: [8080]
    health_port: 8081
    ref: plan.md:3
)";

test::PolicyRun ports(const std::string& text, const char* policy = k_policy) {
  static MemFiles files;
  const auto pol = test::load(policy);
  return run_policy(pol, "Dockerfile", text, files, {"ports"});
}

test::PolicyRun health(const std::string& text, const MemFiles& files = MemFiles()) {
  const auto pol = test::load(k_policy);
  return run_policy(pol, "Dockerfile", text, files, {"healthcheck"});
}

}  // namespace

TEST(PolicyPorts, RewritesTheExposeInPlace) {
  const auto r = ports("FROM a AS build\nEXPOSE 9999\nFROM b\nEXPOSE 80 8080 443\nCMD [\"x\"]\n");
  // In place: 8080 stays where it is, 80's place goes to the missing 8081, 443 goes.
  EXPECT_EQ(r.fixed(), "FROM a AS build\nEXPOSE 9999\nFROM b\nEXPOSE 8081 8080\nCMD [\"x\"]\n");
  ASSERT_EQ(r.of("ports").size(), 1u);
  EXPECT_EQ(r.of("ports")[0]->current, "80, 8080, 443");
  EXPECT_EQ(r.of("ports")[0]->expected, "8080, 8081");
  EXPECT_EQ(r.of("ports")[0]->ref, "plan.md:3");
}

TEST(PolicyPorts, OneExposeKeepsSuffixesAndVariables) {
  const auto r = ports("FROM b\nENV PORT=8080\nEXPOSE ${PORT}/tcp\n# admin\nEXPOSE 9000/tcp \\\n  9001/tcp\nCMD [\"x\"]\n");
  EXPECT_EQ(r.fixed(), "FROM b\nENV PORT=8080\nEXPOSE ${PORT}/tcp 8081/tcp\nCMD [\"x\"]\n");
}

TEST(PolicyPorts, AddsExposeBeforeTheRunBlock) {
  const auto r = ports("FROM b\nRUN x\nHEALTHCHECK CMD true\nCMD [\"x\"]\n");
  EXPECT_EQ(r.fixed(), "FROM b\nRUN x\nEXPOSE 8080 8081\nHEALTHCHECK CMD true\nCMD [\"x\"]\n");
}

TEST(PolicyPorts, UdpPortsAndHealthPortEqualToAServicePort) {
  const char* policy = "version: 1\nservices:\n  dns:\n    dockerfile: Dockerfile\n    ports: [53, \"53/udp\"]\n    health_port: 53\n";
  const auto r = ports("FROM b\nEXPOSE 53/udp\n", policy);
  EXPECT_EQ(r.fixed(), "FROM b\nEXPOSE 53/udp 53\n");
  EXPECT_TRUE(ports("FROM b\nEXPOSE 53/udp 53\n", policy).of("ports").empty());
}

TEST(PolicyPorts, PortVariablesFollowWhenCertain) {
  const auto r = ports(
      "FROM b\nENV APP_PORT=5000 \\\n    HEALTH_PORT=\"5001\" \\\n    OTHER=5000\nEXPOSE 5000 5001\n");
  EXPECT_EQ(r.fixed(), "FROM b\nENV APP_PORT=8080 \\\n    HEALTH_PORT=\"8081\" \\\n    OTHER=5000\nEXPOSE 8080 8081\n");
  // Two variables could take the one service port: both reported, neither changed.
  const auto a = ports("FROM b\nENV GRPC_PORT=5000 HTTP_PORT=5002\nEXPOSE 5000 5002\n");
  EXPECT_EQ(a.fixed(), "FROM b\nENV GRPC_PORT=5000 HTTP_PORT=5002\nEXPOSE 8080 8081\n");
  std::size_t reported = 0;
  for (const auto* f : a.of("ports")) reported += f->message.find("no single new port fits") != std::string::npos;
  EXPECT_EQ(reported, 2u);
}

TEST(PolicyPorts, NotApplicableWithoutAService) {
  static MemFiles files;
  const auto pol = test::load(k_policy);
  const auto r = run_policy(pol, "other/Dockerfile", "FROM b\nEXPOSE 1\n", files, {"ports"});
  EXPECT_TRUE(r.report.findings.empty());
  EXPECT_FALSE(r.applicable("ports"));
}

TEST(PolicyHealthcheck, RewritesThePortOnly) {
  const auto r = health("FROM b\nHEALTHCHECK --interval=5s \\\n  CMD [\"curl\", \"-f\", \"http://127.0.0.1:8000/health\"]\n");
  EXPECT_EQ(r.fixed(), "FROM b\nHEALTHCHECK --interval=5s \\\n  CMD [\"curl\", \"-f\", \"http://127.0.0.1:8081/health\"]\n");
  const auto n = health("FROM b\nHEALTHCHECK CMD nc -z localhost 9000 || exit 1\n");
  EXPECT_EQ(n.fixed(), "FROM b\nHEALTHCHECK CMD nc -z localhost 8081 || exit 1\n");
  // python:3.12 (buildpack-deps) has wget and curl: nothing to install.
  EXPECT_TRUE(health("FROM python:3.12\nHEALTHCHECK CMD wget -qO- http://localhost:8081/health\n").of("healthcheck").empty());
}

TEST(PolicyHealthcheck, AScriptWithoutAPortGetsTheProbeKeepingOptions) {
  MemFiles files{{"check.sh", "#!/bin/sh\ncurl -f http://localhost:7000/ready\n"}};
  const auto r = health("FROM b\nCOPY check.sh /usr/local/bin/\nHEALTHCHECK --interval=15s --retries=2 CMD [\"/usr/local/bin/check.sh\"]\n", files);
  EXPECT_EQ(r.fixed(), "FROM b\nCOPY check.sh /usr/local/bin/\n"
                       "HEALTHCHECK --interval=15s --retries=2 CMD curl -fsS http://localhost:8081/health || exit 1\n");
  ASSERT_EQ(r.of("healthcheck").size(), 1u);
  EXPECT_NE(r.of("healthcheck")[0]->current.find("probes port 7000 in check.sh"), std::string::npos);
  // A script that already probes the health port is fine.
  MemFiles good{{"check.sh", "curl -f http://localhost:8081/health\n"}};
  EXPECT_TRUE(health("FROM b\nCOPY check.sh /usr/local/bin/\nHEALTHCHECK CMD /usr/local/bin/check.sh\n", good).of("healthcheck").empty());
}

TEST(PolicyHealthcheck, MissingOrNone) {
  EXPECT_EQ(health("FROM b\nUSER app\nENTRYPOINT [\"/usr/bin/tini\", \"--\"]\nCMD [\"x\"]\n").fixed(),
            "FROM b\nUSER app\nHEALTHCHECK CMD curl -fsS http://localhost:8081/health || exit 1\n"
            "ENTRYPOINT [\"/usr/bin/tini\", \"--\"]\nCMD [\"x\"]\n");
  EXPECT_EQ(health("from b\nhealthcheck none\n").fixed(),
            "from b\nhealthcheck cmd curl -fsS http://localhost:8081/health || exit 1\n");
}

TEST(PolicyHealthcheck, AVariablePortIsReportedNotRewritten) {
  const auto r = health("FROM python:3.12\nENV HP=9000\nHEALTHCHECK CMD curl -f http://localhost:${HP}/health\n");
  EXPECT_EQ(r.fixed(), "FROM python:3.12\nENV HP=9000\nHEALTHCHECK CMD curl -f http://localhost:${HP}/health\n");
  ASSERT_EQ(r.of("healthcheck").size(), 1u);
  EXPECT_FALSE(r.of("healthcheck")[0]->fix);
  EXPECT_TRUE(health("FROM python:3.12\nENV HP=8081\nHEALTHCHECK CMD curl -f http://localhost:$HP/health\n").of("healthcheck").empty());
}

TEST(PolicyHealthcheck, ThePathIsHealthPath) {
  // curl, wget, python urllib, exec form: the URL's path is read and rewritten in place.
  EXPECT_EQ(health("FROM b\nHEALTHCHECK CMD curl -fsS --max-time 2 http://localhost:8081/healthz || exit 1\n").fixed(),
            "FROM b\nHEALTHCHECK CMD curl -fsS --max-time 2 http://localhost:8081/health || exit 1\n");
  EXPECT_EQ(health("FROM b\nHEALTHCHECK CMD [\"wget\", \"-q\", \"-O-\", \"http://127.0.0.1:8081/\"]\n").fixed(),
            "FROM b\nHEALTHCHECK CMD [\"wget\", \"-q\", \"-O-\", \"http://127.0.0.1:8081/health\"]\n");
  EXPECT_EQ(health("FROM b\nHEALTHCHECK CMD python -c \"import urllib.request as u; u.urlopen('http://localhost:8000/ping?x=1')\"\n").fixed(),
            "FROM b\nHEALTHCHECK CMD python -c \"import urllib.request as u; u.urlopen('http://localhost:8081/health?x=1')\"\n");
  EXPECT_EQ(health("FROM b\nHEALTHCHECK CMD curl -f http://localhost:8081\n").fixed(),
            "FROM b\nHEALTHCHECK CMD curl -f http://localhost:8081/health\n");
  EXPECT_TRUE(health("FROM python:3.12\nHEALTHCHECK CMD curl -f http://localhost:8081/health?verbose=1\n").of("healthcheck").empty());
}

TEST(PolicyHealthcheck, TheProbesProgramMustBeInTheImage) {
  // An existing probe is no proof: -slim has no curl, installed the image's way.
  const auto slim = health("FROM python:3.12-slim\nHEALTHCHECK CMD curl -f http://localhost:8081/health\n");
  EXPECT_EQ(slim.fixed(), "FROM python:3.12-slim\n"
                          "RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n"
                          "HEALTHCHECK CMD curl -f http://localhost:8081/health\n");
  // Alpine: busybox has wget, not curl.
  EXPECT_TRUE(health("FROM alpine:3.20\nHEALTHCHECK CMD wget -q -O- http://localhost:8081/health\n").of("healthcheck").empty());
  EXPECT_EQ(health("FROM alpine:3.20\nHEALTHCHECK CMD curl -f http://localhost:8081/health\n").fixed(),
            "FROM alpine:3.20\nRUN apk add --no-cache curl\nHEALTHCHECK CMD curl -f http://localhost:8081/health\n");
  // Installed by the stage it builds on, or run by a RUN there: present.
  EXPECT_TRUE(health("FROM debian:12 AS base\nRUN apt-get update && apt-get install -y curl\nFROM base\n"
                     "HEALTHCHECK CMD curl -f http://localhost:8081/health\n").of("healthcheck").empty());
  EXPECT_TRUE(health("FROM debian:12\nRUN curl -fsSLo /x https://example.com/x\n"
                     "HEALTHCHECK CMD curl -f http://localhost:8081/health\n").of("healthcheck").empty());
  // Every python image has python; Debian has no python at all.
  EXPECT_TRUE(health("FROM python:3.12-slim\nHEALTHCHECK CMD [\"python\", \"-c\", \"import urllib.request as u; "
                     "u.urlopen('http://localhost:8081/health')\"]\n").of("healthcheck").empty());
  const auto deb = health("FROM debian:12\nHEALTHCHECK CMD python3 -c \"import urllib.request as u; "
                          "u.urlopen('http://localhost:8081/health')\"\n");
  ASSERT_EQ(deb.of("healthcheck").size(), 1u);
  EXPECT_FALSE(deb.of("healthcheck")[0]->fix);
  // The policy's probe needs a program the image certainly lacks and the fix cannot
  // install (no RUN under a pwsh SHELL; python is never installed for a probe): no
  // HEALTHCHECK that would leave the container unhealthy for ever.
  const std::string pwsh = "FROM python:3.12-slim\nSHELL [\"pwsh\", \"-Command\"]\nRUN Write-Host hi\nCMD [\"x\"]\n";
  const auto none = health(pwsh);
  EXPECT_EQ(none.fixed(), pwsh);
  ASSERT_EQ(none.of("healthcheck").size(), 1u);
  EXPECT_NE(none.of("healthcheck")[0]->message.find("no fix: the probe runs curl"), std::string::npos);
  // An image whose contents are not known: undecided, not passed.
  const auto unknown = health("FROM b\nHEALTHCHECK CMD wget -qO- http://localhost:8081/health\n");
  ASSERT_EQ(unknown.of("healthcheck").size(), 1u);
  EXPECT_EQ(unknown.of("healthcheck")[0]->message.rfind("\u2753", 0), 0u);
}

TEST(PolicyHealthcheck, AHealthPortVariableTakesTheHealthPort) {
  // The probe keeps the variable; the variable's definition is what changes.
  EXPECT_EQ(health("FROM b\nENV HEALTH_PORT=8080\nHEALTHCHECK CMD curl -f http://localhost:${HEALTH_PORT}/health\n").fixed(),
            "FROM b\nENV HEALTH_PORT=8081\nHEALTHCHECK CMD curl -f http://localhost:${HEALTH_PORT}/health\n");
  EXPECT_EQ(health("ARG APP_HEALTHCHECK_PORT=9000\nFROM b\nARG APP_HEALTHCHECK_PORT\n"
                   "HEALTHCHECK CMD curl -f http://localhost:$APP_HEALTHCHECK_PORT/health\n").fixed(),
            "ARG APP_HEALTHCHECK_PORT=8081\nFROM b\nARG APP_HEALTHCHECK_PORT\n"
            "HEALTHCHECK CMD curl -f http://localhost:$APP_HEALTHCHECK_PORT/health\n");
}

TEST(PolicyHealthcheck, TheShippedStageNotATestStage) {
  EXPECT_EQ(health("FROM b AS runtime\nCMD [\"x\"]\nFROM runtime AS test\nCMD [\"pytest\"]\n").fixed(),
            "FROM b AS runtime\nHEALTHCHECK CMD curl -fsS http://localhost:8081/health || exit 1\nCMD [\"x\"]\n"
            "FROM runtime AS test\nCMD [\"pytest\"]\n");
}

TEST(PolicyPorts, SplitLinesAndSharedPorts) {
  const char* policy = "version: 1\ndefaults:\n  ports: [9090]\nservices:\n  api:\n    dockerfile: Dockerfile\n"
                       "    ports: [8080]\n    health_port: 8081\n";
  // Split EXPOSE lines listing the right ports: no finding, no edit.
  EXPECT_TRUE(ports("FROM b\nEXPOSE 8080\n# health\nEXPOSE 8081\nEXPOSE 9090\n", policy).of("ports").empty());
  // defaults.ports is added; the list keeps its order.
  EXPECT_EQ(ports("FROM b\nEXPOSE 8081 8080\n", policy).fixed(), "FROM b\nEXPOSE 8081 8080 9090\n");
  // EXPOSE ${HEALTH_PORT}: the variable's ENV takes the health port, the word stays.
  EXPECT_EQ(ports("FROM b\nENV PORT=8080 HEALTH_PORT=8080\nEXPOSE ${PORT} ${HEALTH_PORT} 9090\n", policy).fixed(),
            "FROM b\nENV PORT=8080 HEALTH_PORT=8081\nEXPOSE ${PORT} ${HEALTH_PORT} 9090\n");
}
