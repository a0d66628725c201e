// trusted-registries, dockmend's hadolint DL3026. What hadolint does is from
// its source, src/Hadolint/Rule/DL3026.hs (master): FROM, COPY --from and RUN
// --mount from= images are checked unless they name an earlier stage or are
// `scratch`; an empty list checks nothing; the pattern `*` allows any
// registry, `*suffix` a registry ending so (`*.random.com` allows
// foo.random.com, not x.com), `prefix*` one starting so, anything else only
// itself; an image without a registry is allowed by `docker.io` or
// `hub.docker.com`. Which registry an image names is decided as docker's
// distribution/reference does (the first path component when it has a `.` or
// `:` or is `localhost`, and index.docker.io normalised to docker.io), so
// `library/ubuntu`, `zemanlx/ubuntu` and `docker.io/...` are all Docker Hub
// (hadolint's own tests, DL3026Spec.hs, allow all three with `docker.io`).
#include <gtest/gtest.h>

#include "builtin_test_support.hpp"
#include "policy/policy.hpp"

using namespace dockmend;

namespace {

const std::string k_id = "trusted-registries";

policy::Policy with(const std::string& setting) {
  auto res = policy::load_policy("version: 1\nextends: default\nrules:\n  " + k_id + ": " + setting + "\n", "p.yaml");
  EXPECT_TRUE(res.ok()) << (res.ok() ? "" : res.errors().front().to_string());
  return res.ok() ? std::move(res).policy() : policy::Policy{};
}

std::vector<std::string> messages(const std::string& text, const policy::Policy& pol) {
  std::vector<std::string> out;
  for (const auto& f : test::run_rules(text, {k_id}, pol).findings) out.push_back(f.message);
  return out;
}

std::size_t count(const std::string& text, const std::string& setting) {
  return test::run_rules(text, {k_id}, with(setting)).count(k_id);
}

}  // namespace

TEST(TrustedRegistries, OffWithoutAList) {
  const std::string text = "FROM random.com/debian\n";
  // The default policy does not run it, and switched on without registries it checks nothing.
  EXPECT_EQ(test::run_rules(text, {k_id}).count(k_id), 0u);
  EXPECT_EQ(count(text, "on"), 0u);
  EXPECT_EQ(count(text, "{registries: []}"), 0u);
  EXPECT_EQ(count(text, "{registries: [docker.io]}"), 1u);
}

TEST(TrustedRegistries, ExactRegistries) {
  EXPECT_EQ(count("FROM random.com/debian\n", "{registries: [x.com, random.com]}"), 0u);
  EXPECT_EQ(count("FROM random.com/debian\n", "{registries: [x.com]}"), 1u);
  // Host names are not case-sensitive; a port is part of the registry.
  EXPECT_EQ(count("FROM Random.COM/debian\n", "{registries: [RANDOM.com]}"), 0u);
  EXPECT_EQ(count("FROM localhost:5000/app\n", "{registries: [\"localhost:5000\"]}"), 0u);
  EXPECT_EQ(count("FROM localhost:5000/app\n", "{registries: [localhost]}"), 1u);
  EXPECT_EQ(count("FROM localhost/app\n", "{registries: [localhost]}"), 0u);
  // One string is a list of one.
  EXPECT_EQ(count("FROM ghcr.io/org/app:1\n", "{registries: ghcr.io}"), 0u);
}

TEST(TrustedRegistries, DockerHubInEveryForm) {
  const std::string hub =
      "FROM ubuntu:18.04 AS a\nFROM library/ubuntu AS b\nFROM zemanlx/ubuntu:18.04 AS c\n"
      "FROM docker.io/zemanlx/ubuntu:18.04 AS d\nFROM index.docker.io/library/ubuntu AS e\n"
      "FROM registry-1.docker.io/library/ubuntu@sha256:" + std::string(64, 'a') + " AS f\n";
  EXPECT_EQ(count(hub, "{registries: [docker.io]}"), 0u);
  EXPECT_EQ(count(hub, "{registries: [hub.docker.com]}"), 0u);
  EXPECT_EQ(count(hub, "{registries: [index.docker.io]}"), 0u);
  EXPECT_EQ(count(hub, "{registries: [\"*\"]}"), 0u);
  EXPECT_EQ(count(hub, "{registries: [ghcr.io]}"), 6u);
  const auto m = messages("FROM ubuntu:24.04\n", with("{registries: [ghcr.io, \"*.gcr.io\"]}"));
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0], "FROM ubuntu:24.04: Docker Hub (docker.io) is not an allowed registry (ghcr.io, *.gcr.io)");
}

TEST(TrustedRegistries, Wildcards) {
  EXPECT_EQ(count("FROM x.com/debian\n", "{registries: [\"*.random.com\"]}"), 1u);
  EXPECT_EQ(count("FROM foo.random.com/debian\n", "{registries: [x.com, \"*.random.com\"]}"), 0u);
  // `*.random.com` ends in ".random.com": random.com itself is not under it (hadolint drops the `*` only).
  EXPECT_EQ(count("FROM random.com/debian\n", "{registries: [\"*.random.com\"]}"), 1u);
  EXPECT_EQ(count("FROM registry.example.com:5000/app\n", "{registries: [\"registry.*\"]}"), 0u);
  EXPECT_EQ(count("FROM mirror.registry.com/app\n", "{registries: [\"registry.*\"]}"), 1u);
  // A Hub image is allowed by a pattern docker.io or hub.docker.com matches.
  EXPECT_EQ(count("FROM ubuntu\n", "{registries: [\"*.io\"]}"), 0u);
  EXPECT_EQ(count("FROM ubuntu\n", "{registries: [\"*.docker.com\"]}"), 0u);
}

TEST(TrustedRegistries, StagesAndScratchAreNoRegistry) {
  const std::string text =
      "FROM random.com/foo AS builder1\nFROM builder1 AS builder2\nFROM scratch\n"
      "COPY --from=builder2 /a /a\nCOPY --from=0 /b /b\nRUN --mount=type=bind,from=builder1,target=/x true\n";
  EXPECT_EQ(count(text, "{registries: [random.com]}"), 0u);
  EXPECT_EQ(count(text, "{registries: [other.com]}"), 1u) << "only random.com/foo";
}

TEST(TrustedRegistries, CopyFromAndMountImages) {
  const std::string text =
      "FROM ghcr.io/org/base:1\nCOPY --from=quay.io/org/tools:1 /bin/t /bin/t\n"
      "RUN --mount=type=cache,target=/c --mount=type=bind,from=nginx:1.27,source=/etc,target=/e true\n";
  const auto m = messages(text, with("{registries: [ghcr.io]}"));
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0], "COPY --from quay.io/org/tools:1: quay.io is not an allowed registry (ghcr.io)");
  EXPECT_EQ(m[1], "RUN --mount from nginx:1.27: Docker Hub (docker.io) is not an allowed registry (ghcr.io)");
}

TEST(TrustedRegistries, BuildArgumentsResolvedByTheModel) {
  const auto pol = with("{registries: [ghcr.io]}");
  // An ARG default is what the build uses unless told otherwise.
  auto m = messages("ARG BASE=quay.io/org/app:1\nFROM ${BASE}\n", pol);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0], "FROM ${BASE} (quay.io/org/app:1): quay.io is not an allowed registry (ghcr.io)");
  EXPECT_TRUE(messages("ARG REG=ghcr.io\nFROM $REG/org/app:1\n", pol).empty());
  // An ARG default naming a stage builds on that stage; one naming scratch is no registry.
  EXPECT_TRUE(messages("FROM ghcr.io/org/app:1 AS build\nARG B=build\nFROM build\n", pol).empty());
  EXPECT_TRUE(messages("ARG B=scratch\nFROM $B\n", pol).empty());
  // Without a default the registry is unknown: said so, not guessed.
  m = messages("ARG BASE\nFROM $BASE\n", pol);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0], "FROM $BASE depends on a build argument without a default: its registry cannot be checked "
                  "against the allowed ones (ghcr.io)");
}

TEST(TrustedRegistries, ReportOnlyAtTheImageWithHadolintsSeverity) {
  const std::string text = "FROM --platform=$BUILDPLATFORM quay.io/org/app:1 AS a\n";
  const auto r = test::run_rules(text, {k_id}, with("{registries: [ghcr.io]}"), "Dockerfile", true);
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_FALSE(r.findings[0].fix) << "dockmend cannot know the mirror";
  EXPECT_EQ(r.fixed, text);
  EXPECT_EQ(r.findings[0].column, 32u) << "points at the image";
  EXPECT_EQ(r.findings[0].severity, policy::Severity::Error) << "DL3026 is an error in hadolint";
  // `severity:` in the mapping sets it; the DL3026 alias names the same rule.
  const auto info = test::run_rules(text, {k_id}, with("{registries: [ghcr.io], severity: info}"));
  ASSERT_EQ(info.findings.size(), 1u);
  EXPECT_EQ(info.findings[0].severity, policy::Severity::Info);
  auto res = policy::load_policy("version: 1\nrules:\n  DL3026: {registries: [quay.io]}\n", "p.yaml");
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(test::run_rules(text, {k_id}, res.policy()).count(k_id), 0u);
}

TEST(TrustedRegistries, AServiceHasItsOwnList) {
  auto res = policy::load_policy(
      "version: 1\nrules:\n  trusted-registries: {registries: [ghcr.io]}\n"
      "services:\n  legacy:\n    dockerfile: legacy/Dockerfile\n"
      "    rules: {trusted-registries: {registries: [quay.io]}}\n",
      "p.yaml");
  ASSERT_TRUE(res.ok()) << res.errors().front().to_string();
  const std::string text = "FROM quay.io/org/app:1\n";
  EXPECT_EQ(test::run_rules(text, {k_id}, res.policy(), "legacy/Dockerfile").count(k_id), 0u);
  EXPECT_EQ(test::run_rules(text, {k_id}, res.policy(), "api/Dockerfile").count(k_id), 1u);
}

TEST(TrustedRegistries, PolicyErrors) {
  auto errors = [](const std::string& setting) {
    auto res = policy::load_policy("version: 1\nrules:\n  trusted-registries: " + setting + "\n", "p.yaml");
    return res.ok() ? std::string() : res.errors().front().to_string();
  };
  EXPECT_EQ(errors("{registres: [ghcr.io]}"),
            "p.yaml:3:24: rules.trusted-registries: unknown key 'registres' (did you mean 'registries'?)");
  EXPECT_EQ(errors("{registries: [ghcr.io], severity: loud}"),
            "p.yaml:3:57: rules.trusted-registries.severity: expected error, warning, info or style, got 'loud'");
  EXPECT_EQ(errors("{registries: [ghcr.io/org]}"),
            "p.yaml:3:37: rules.trusted-registries.registries[0]: 'ghcr.io/org': a registry is a host name (and "
            "port), without a path: base_image.registry pins a namespace");
  EXPECT_EQ(errors("{registries: [\"a*.b.com\"]}"),
            "p.yaml:3:37: rules.trusted-registries.registries[0]: 'a*.b.com': '*' may only be the whole pattern, "
            "its start (*.gcr.io) or its end (registry.*)");
  EXPECT_EQ(errors("{registries: {a: b}}"),
            "p.yaml:3:36: rules.trusted-registries.registries: expected a list, got a mapping");
}
