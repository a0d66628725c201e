// tini and user: PID 1 and the account the runtime stage runs as.
#include "policy_test_support.hpp"

using namespace dockmend;
using test::MemFiles;
using test::run_policy;

namespace {

const char* const k_policy = R"(version: 1
defaults:
  user: {name: appuser, uid: 10001, gid: 10001, ref: plan.md:8}
  init: {tini: /usr/bin/tini, ref: plan.md:9}
services:
  app: {dockerfile: Dockerfile}
)";

test::PolicyRun run(const std::string& rule, const std::string& text, const char* policy = k_policy) {
  static MemFiles files;
  const auto pol = test::load(policy);
  return run_policy(pol, "Dockerfile", text, files, {rule});
}

}  // namespace

TEST(PolicyTini, PutsTiniBeforeTheEntrypointKeepingItsLayout) {
  const auto r = run("tini", "FROM debian\nRUN apt-get install -y tini\nENTRYPOINT [ \\\n  \"/entry.sh\", \\\n  \"serve\" ]\n");
  EXPECT_EQ(r.fixed(), "FROM debian\nRUN apt-get install -y tini\nENTRYPOINT [ \\\n  \"/usr/bin/tini\", \"--\", \"/entry.sh\", \\\n  \"serve\" ]\n");
  EXPECT_EQ(r.of("tini")[0]->current, "ENTRYPOINT [   \"/entry.sh\",   \"serve\" ]");
  EXPECT_TRUE(run("tini", "FROM debian\nRUN apt-get install -y tini\nENTRYPOINT [\"tini\", \"-g\", \"--\", \"x\"]\n").of("tini").empty());
}

TEST(PolicyTini, ShellFormEntrypoints) {
  // Plain words: exec form, no shell.
  EXPECT_EQ(run("tini", "FROM debian\nRUN apt-get install tini\nENTRYPOINT exec gunicorn -b :80 'app:create()'\n").fixed(),
            "FROM debian\nRUN apt-get install tini\nENTRYPOINT [\"/usr/bin/tini\", \"--\", \"gunicorn\", \"-b\", \":80\", \"app:create()\"]\n");
  // Expansions need the shell (the SHELL instruction's, when set).
  EXPECT_EQ(run("tini", "FROM debian\nRUN apt-get install tini\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nENTRYPOINT app --home $HOME\n").fixed(),
            "FROM debian\nRUN apt-get install tini\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\n"
            "ENTRYPOINT [\"/usr/bin/tini\", \"--\", \"/bin/bash\", \"-o\", \"pipefail\", \"-c\", \"app --home $HOME\"]\n");
  // With a CMD, a shell keeps the CMD ignored, as the shell form did.
  EXPECT_EQ(run("tini", "FROM debian\nRUN apt-get install tini\nENTRYPOINT app\nCMD [\"--x\"]\n").fixed(),
            "FROM debian\nRUN apt-get install tini\nENTRYPOINT [\"/usr/bin/tini\", \"--\", \"/bin/sh\", \"-c\", \"app\"]\nCMD [\"--x\"]\n");
}

TEST(PolicyTini, MissingEntrypoint) {
  EXPECT_EQ(run("tini", "FROM debian\nRUN apt-get install tini\nCMD [\"app\"]\n").fixed(),
            "FROM debian\nRUN apt-get install tini\nENTRYPOINT [\"/usr/bin/tini\", \"--\"]\nCMD [\"app\"]\n");
  // No CMD in the stage: an ENTRYPOINT would reset the base image's CMD, so only a report.
  const auto r = run("tini", "FROM debian\nRUN apt-get install tini\n");
  EXPECT_EQ(r.fixed(), "FROM debian\nRUN apt-get install tini\n");
  ASSERT_EQ(r.of("tini").size(), 1u);
  EXPECT_FALSE(r.of("tini")[0]->fix);
}

TEST(PolicyTini, InstallsWithThePackageManagerInUse) {
  // Into the stage's own install command.
  EXPECT_EQ(run("tini", "FROM debian\nRUN apt-get update && apt-get install -y curl \\\n    git && rm -rf /var/lib/apt/lists/*\nENTRYPOINT [\"/usr/bin/tini\", \"--\"]\nCMD [\"x\"]\n").fixed(),
            "FROM debian\nRUN apt-get update && apt-get install -y curl \\\n    git tini && rm -rf /var/lib/apt/lists/*\nENTRYPOINT [\"/usr/bin/tini\", \"--\"]\nCMD [\"x\"]\n");
  // A new RUN before the first switch away from root; Alpine's tini is /sbin/tini.
  EXPECT_EQ(run("tini", "FROM alpine:3\nRUN apk add --no-cache py3-pip && echo ok\nUSER nobody\nRUN echo hi\nCMD [\"x\"]\n").fixed(),
            "FROM alpine:3\nRUN apk add --no-cache py3-pip tini && echo ok\nUSER nobody\nRUN echo hi\n"
            "ENTRYPOINT [\"/sbin/tini\", \"--\"]\nCMD [\"x\"]\n");
  EXPECT_EQ(run("tini", "FROM fedora:40 AS b\nRUN dnf -y install gcc\nFROM fedora:40\nCOPY --from=b /x /x\nUSER 1000\nCMD [\"x\"]\n").fixed(),
            "FROM fedora:40 AS b\nRUN dnf -y install gcc\nFROM fedora:40\nCOPY --from=b /x /x\n"
            "RUN dnf install -y tini && dnf clean all\nUSER 1000\nENTRYPOINT [\"/usr/bin/tini\", \"--\"]\nCMD [\"x\"]\n");
  // No package manager: report only.
  const auto d = run("tini", "FROM gcr.io/distroless/static\nENTRYPOINT [\"/usr/bin/tini\", \"--\", \"/app\"]\n");
  ASSERT_EQ(d.of("tini").size(), 1u);
  EXPECT_FALSE(d.of("tini")[0]->fix);
}

// Relied on: Debian/Ubuntu's tini package ships /usr/bin/tini, Alpine's (community) /sbin/tini;
// RHEL/UBI base repositories have no tini (EPEL has it); Fedora packages it.
TEST(PolicyTini, NeverNestsAndReadsTheShellForm) {
  // `ENTRYPOINT tini -- prog`: tini is there already, under /bin/sh; exec form, no second tini.
  EXPECT_EQ(run("tini", "FROM debian\nRUN apt-get install -y tini\nENTRYPOINT tini -g -- python app.py\n").fixed(),
            "FROM debian\nRUN apt-get install -y tini\nENTRYPOINT [\"/usr/bin/tini\", \"-g\", \"--\", \"python\", \"app.py\"]\n");
  // With a CMD, which the shell form ignored: it stays ignored through a shell.
  EXPECT_EQ(run("tini", "FROM debian\nRUN apt-get install -y tini\nENTRYPOINT tini -- python app.py\nCMD [\"x\"]\n").fixed(),
            "FROM debian\nRUN apt-get install -y tini\n"
            "ENTRYPOINT [\"/usr/bin/tini\", \"--\", \"/bin/sh\", \"-c\", \"python app.py\"]\nCMD [\"x\"]\n");
  // tini named at a path the distribution does not use: moved to where the package put it.
  EXPECT_EQ(run("tini", "FROM alpine:3.20\nRUN apk add --no-cache tini\nENTRYPOINT [\"/usr/bin/tini\", \"-g\", \"--\", \"x\"]\n").fixed(),
            "FROM alpine:3.20\nRUN apk add --no-cache tini\nENTRYPOINT [\"/sbin/tini\", \"-g\", \"--\", \"x\"]\n");
}

TEST(PolicyTini, RhelNeedsADownload) {
  // No tini package in UBI: without init.download, a report, and no ENTRYPOINT naming a missing tini.
  const auto r = run("tini", "FROM registry.access.redhat.com/ubi9/ubi-minimal\nRUN microdnf install -y python3\nCMD [\"x\"]\n");
  EXPECT_EQ(r.fixed(), "FROM registry.access.redhat.com/ubi9/ubi-minimal\nRUN microdnf install -y python3\nCMD [\"x\"]\n");
  ASSERT_EQ(r.of("tini").size(), 2u);
  // A `microdnf install tini` would fail the build: reported.
  const auto p = run("tini", "FROM registry.access.redhat.com/ubi9/ubi\nRUN dnf install -y tini\nENTRYPOINT [\"/usr/bin/tini\", \"--\"]\nCMD [\"x\"]\n");
  ASSERT_EQ(p.of("tini").size(), 1u);
  EXPECT_EQ(p.of("tini")[0]->message, "tini is installed from a package RHEL/UBI repositories do not have (RHEL/UBI base repositories have no "
            "tini: give init.download {url, sha256} in the policy, or enable EPEL)");
  // With init.download: ADD --checksum --chmod, then tini as PID 1.
  const char* const with_download = R"(version: 1
defaults:
  init:
    tini: /usr/local/bin/tini
    download: {url: https://example.com/tini-amd64, sha256: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef}
services:
  app: {dockerfile: Dockerfile}
)";
  EXPECT_EQ(run("tini", "FROM registry.access.redhat.com/ubi9/ubi-minimal\nRUN microdnf install -y python3\nUSER 1001\nCMD [\"x\"]\n",
                with_download).fixed(),
            "FROM registry.access.redhat.com/ubi9/ubi-minimal\nRUN microdnf install -y python3\n"
            "ADD --checksum=sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef --chmod=0755 "
            "https://example.com/tini-amd64 /usr/local/bin/tini\nUSER 1001\n"
            "ENTRYPOINT [\"/usr/local/bin/tini\", \"--\"]\nCMD [\"x\"]\n");
}

TEST(PolicyTini, ReplacesDumbInit) {
  EXPECT_EQ(run("tini", "FROM debian\nRUN apt-get install -y dumb-init tini\nENTRYPOINT [\"/usr/bin/dumb-init\", \"--rewrite\", \"15:2\", \"--\", \"app\"]\n").fixed(),
            "FROM debian\nRUN apt-get install -y dumb-init tini\nENTRYPOINT [\"/usr/bin/tini\", \"--\", \"app\"]\n");
}

TEST(PolicyUser, RenamesTheAccountEverywhere) {
  const std::string before =
      "FROM debian\n"
      "RUN groupadd -g 10001 svc && \\\n    useradd -m -u 10001 -g svc -s /bin/false svc\n"
      "COPY --chown=svc:svc app /home/svc/app\n"
      "RUN chown -R svc /home/svc && chgrp svc /data\n"
      "USER svc:svc\n"
      "CMD [\"x\"]\n";
  const auto r = run("user", before);
  EXPECT_EQ(r.fixed(),
            "FROM debian\n"
            "RUN groupadd -g 10001 appuser && \\\n    useradd -m -u 10001 -g appuser -s /bin/false appuser\n"
            "COPY --chown=appuser:appuser app /home/appuser/app\n"
            "RUN chown -R appuser /home/appuser && chgrp appuser /data\n"
            "USER appuser:appuser\n"
            "CMD [\"x\"]\n");
  ASSERT_EQ(r.of("user").size(), 1u);
  EXPECT_EQ(r.of("user")[0]->current, "svc (10001:10001)");
  EXPECT_EQ(r.of("user")[0]->expected, "appuser (10001:10001)");
}

TEST(PolicyUser, FixesIds) {
  EXPECT_EQ(run("user", "FROM debian\nRUN groupadd --gid=1000 appuser && useradd --uid=1000 --gid appuser appuser\nUSER appuser\n").fixed(),
            "FROM debian\nRUN groupadd --gid=10001 appuser && useradd --uid=10001 --gid appuser appuser\nUSER appuser\n");
  // -g 100 names a group by number: the group with the new GID must exist first, in the same RUN.
  EXPECT_EQ(run("user", "FROM debian\nRUN useradd -g 100 appuser\nUSER appuser\n").fixed(),
            "FROM debian\nRUN groupadd -g 10001 appuser && useradd -u 10001 -g 10001 appuser\nUSER appuser\n");
}

// What each tool gives is in src/model/accounts.hpp (busybox adduser.c, Debian adduser(8), shadow useradd(8)).
TEST(PolicyUser, RenamesAndRenumbersInEachDialect) {
  // shadow useradd: the private group follows the UID (USERGROUPS_ENAB), so the UID is enough.
  EXPECT_EQ(run("user", "FROM debian\nRUN useradd -u 1000 -m svc\nUSER svc\n").fixed(),
            "FROM debian\nRUN useradd -u 10001 -m appuser\nUSER appuser\n");
  // Debian adduser --system --group: the group has the user's ID.
  EXPECT_EQ(run("user", "FROM debian\nRUN adduser --system --group --uid 1000 svc\nUSER svc\n").fixed(),
            "FROM debian\nRUN adduser --system --group --uid 10001 appuser\nUSER appuser\n");
  // Debian adduser --system alone: nogroup (65534); the user gets its own group.
  EXPECT_EQ(run("user", "FROM debian\nRUN adduser --system --uid 1000 svc\nUSER svc\n").fixed(),
            "FROM debian\nRUN addgroup --system --gid 10001 appuser && adduser --ingroup appuser --system --uid 10001 appuser\n"
            "USER appuser\n");
  // busybox adduser -S: nogroup (65533 on Alpine) and no fixed UID.
  EXPECT_EQ(run("user", "FROM alpine:3.20\nRUN adduser -S svc\nUSER svc\n").fixed(),
            "FROM alpine:3.20\nRUN addgroup -g 10001 -S appuser && adduser -u 10001 -G appuser -S appuser\nUSER appuser\n");
  // busybox adduser -D: a group with GID = UID.
  EXPECT_EQ(run("user", "FROM alpine:3.20\nRUN adduser -D -u 1000 svc\nUSER svc\n").fixed(),
            "FROM alpine:3.20\nRUN adduser -D -u 10001 appuser\nUSER appuser\n");
  // RHEL: useradd with a group the file makes.
  EXPECT_EQ(run("user", "FROM registry.access.redhat.com/ubi9/ubi\nRUN groupadd -r svc && useradd -r -g svc svc\nUSER svc\n").fixed(),
            "FROM registry.access.redhat.com/ubi9/ubi\nRUN groupadd -g 10001 -r appuser && useradd -u 10001 -r -g appuser appuser\n"
            "USER appuser\n");
}

TEST(PolicyUser, NumericUserBecomesThePolicysUser) {
  // USER 1000 names the account by number; it becomes the policy's name, no second account.
  EXPECT_EQ(run("user", "FROM debian\nRUN useradd -u 1000 svc\nUSER 1000\n").fixed(),
            "FROM debian\nRUN useradd -u 10001 appuser\nUSER appuser\n");
  // USER 1001:0 with no account: create the policy's user and run as it.
  EXPECT_EQ(run("user", "FROM debian\nCOPY . /app\nUSER 1001:0\n").fixed(),
            "FROM debian\nCOPY . /app\n"
            "RUN groupadd --gid 10001 appuser && useradd --uid 10001 --gid 10001 --create-home --shell /usr/sbin/nologin appuser\n"
            "USER appuser\n");
}

TEST(PolicyUser, CreatesTheUserAfterTheLastRootStep) {
  EXPECT_EQ(run("user", "FROM debian\nRUN apt-get update\nCOPY . /app\nEXPOSE 80\nCMD [\"x\"]\n").fixed(),
            "FROM debian\nRUN apt-get update\nCOPY . /app\n"
            "RUN groupadd --gid 10001 appuser && useradd --uid 10001 --gid 10001 --create-home --shell /usr/sbin/nologin appuser\n"
            "USER appuser\nEXPOSE 80\nCMD [\"x\"]\n");
  EXPECT_EQ(run("user", "FROM alpine:3.20\nCMD [\"x\"]\nUSER root\n").fixed(),
            "FROM alpine:3.20\n"
            "RUN addgroup -g 10001 appuser && adduser -D -u 10001 -G appuser -s /sbin/nologin appuser\n"
            "CMD [\"x\"]\nUSER appuser\n");
  // USER through a variable that resolves to root: the new USER goes after it.
  EXPECT_EQ(run("user", "FROM debian\nRUN useradd -u 10001 appuser\nARG U=root\nUSER $U\n").fixed(),
            "FROM debian\nRUN useradd -u 10001 appuser\nARG U=root\nUSER $U\nUSER appuser\n");
}

TEST(PolicyUser, WhatOnlyAPersonCanDecide) {
  // A base-image user that files were given to.
  const auto r = run("user", "FROM node:20\nCOPY --chown=node:node . /app\nUSER node\n");
  EXPECT_EQ(r.fixed(), "FROM node:20\nCOPY --chown=node:node . /app\nUSER node\n");
  ASSERT_EQ(r.of("user").size(), 1u);
  EXPECT_FALSE(r.of("user")[0]->fix);
  // No useradd in the image.
  EXPECT_FALSE(run("user", "FROM gcr.io/distroless/static\nCOPY app /app\n").of("user")[0]->fix);
  // Running as the policy's ids is running as the user.
  EXPECT_TRUE(run("user", "FROM scratch\nUSER 10001:10001\n").of("user").empty());
}

// A runtime whose PID 1 a person must set (no ENTRYPOINT and the CMD inherited
// from the base image, php:apache's apache2-foreground) gets no tini install:
// installed alone, tini would only make the image larger.
TEST(PolicyTini, NoInstallWhilePid1IsForAPerson) {
  const auto r = run("tini", "FROM php:7-apache\nRUN apt-get update && apt-get install -y libpq-dev\n");
  EXPECT_EQ(r.fixed(), "FROM php:7-apache\nRUN apt-get update && apt-get install -y libpq-dev\n");
  ASSERT_EQ(r.of("tini").size(), 2u);
  for (const auto* f : r.of("tini")) EXPECT_FALSE(f->fix) << f->message;
  EXPECT_NE(r.of("tini")[1]->message.find("installed once PID 1 can run it"), std::string::npos);
}

// FROM scratch has no package manager, whatever the builder stage installs with
// (dotnet-docker's chiseled runtime-deps: a buildpack-deps stage, then scratch).
TEST(PolicyTini, ScratchRuntimeGetsNoPackageInstall) {
  const auto r = run("tini", "FROM buildpack-deps:noble-curl AS chisel\nRUN apt-get update && apt-get install -y file\n"
                             "FROM scratch\nCOPY --from=chisel /rootfs /\nENTRYPOINT [\"/app\"]\n");
  EXPECT_EQ(r.fixed().find("apt-get install -y --no-install-recommends tini"), std::string::npos) << r.fixed();
  bool said = false;
  for (const auto* f : r.of("tini"))
    if (f->message.find("no package manager in this image") != std::string::npos) said = true;
  EXPECT_TRUE(said);
}

// Running as root, the only account the file creates is taken for the runtime
// user only when the application's files are given to it; another one (vsftpd's
// virtual user, named in its configuration) stays as it is and the policy's
// account is created beside it.
TEST(PolicyUser, OnlyAccountIsRenamedOnlyWhenFilesAreGivenToIt) {
  const auto kept = run("user", "FROM alpine:3.20\nRUN apk add --no-cache vsftpd && adduser -D virtual\n"
                                "CMD [\"vsftpd\"]\n");
  EXPECT_EQ(kept.fixed(),
            "FROM alpine:3.20\nRUN apk add --no-cache vsftpd && adduser -D virtual\n"
            "RUN addgroup -g 10001 appuser && adduser -D -u 10001 -G appuser -s /sbin/nologin appuser\n"
            "USER appuser\nCMD [\"vsftpd\"]\n");
  const auto renamed = run("user", "FROM alpine:3.20\nRUN adduser -D app && chown -R app /srv\nCMD [\"serve\"]\n");
  EXPECT_EQ(renamed.fixed().find("adduser -D app "), std::string::npos) << renamed.fixed();
  EXPECT_NE(renamed.fixed().find("appuser"), std::string::npos) << renamed.fixed();
  EXPECT_EQ(renamed.fixed().find("addgroup -g 10001 appuser && adduser"), std::string::npos)
      << "renamed, not created beside it:\n" << renamed.fixed();
}

// USER naming an account of a base image the file does not create (apache/spark's
// spark): its files and home are that account's; the switch is for a person.
TEST(PolicyUser, BaseImageAccountIsNotSwitchedAway) {
  const auto r = run("user", "FROM apache/spark:3.5.0\nUSER root\nRUN apt-get update\nUSER spark\n");
  EXPECT_EQ(r.fixed(), "FROM apache/spark:3.5.0\nUSER root\nRUN apt-get update\nUSER spark\n");
  ASSERT_EQ(r.of("user").size(), 1u);
  EXPECT_FALSE(r.of("user")[0]->fix);
  EXPECT_NE(r.of("user")[0]->message.find("an account of the base image"), std::string::npos);
}

// An image others build FROM (ONBUILD triggers) keeps running as root.
TEST(PolicyUser, ImageToBuildFromGetsNoUser) {
  const auto r = run("user", "FROM python:3.12-slim\nONBUILD COPY . /app\nCMD [\"python3\"]\n");
  EXPECT_EQ(r.fixed(), "FROM python:3.12-slim\nONBUILD COPY . /app\nCMD [\"python3\"]\n");
  ASSERT_EQ(r.of("user").size(), 1u);
  EXPECT_FALSE(r.of("user")[0]->fix);
  EXPECT_NE(r.of("user")[0]->message.find("ONBUILD"), std::string::npos);
}

// Azure Linux's (and CBL-Mariner's) base/core has no shadow-utils: dotnet-docker's
// azurelinux Dockerfiles install it before groupadd/useradd. It comes first here too.
TEST(PolicyUser, AzureLinuxGetsShadowUtilsFirst) {
  const auto r = run("user", "FROM mcr.microsoft.com/azurelinux/base/core:3.0\nRUN tdnf install -y ca-certificates\n"
                             "CMD [\"app\"]\n");
  EXPECT_NE(r.fixed().find("RUN tdnf install -y shadow-utils && tdnf clean all && groupadd --gid 10001 appuser && "
                           "useradd --uid 10001"),
            std::string::npos)
      << r.fixed();
}

// Where COPY/ADD puts tini, as Docker's COPY reference describes it: a destination
// ending in `/` is a directory and the file keeps its name; so is a directory every
// image has (COPY copies into an existing directory); with several sources the
// destination must be a directory, or buildkit refuses the build. Found by fuzz_fix
// (tests/fuzz/regressions/fix/tini-copy-several-sources): the ENTRYPOINT was given a
// wildcard destination as tini's path, and again on every run.
TEST(PolicyTini, ReadsWhereCopyPutsTini) {
  const std::string entry = "ENTRYPOINT [\"/app/run\"]\n";
  auto fixed = [&](const std::string& copy) { return run("tini", "FROM debian\n" + copy + entry).fixed(); };
  EXPECT_EQ(fixed("COPY --from=tini /tini /usr/local/bin\n"),
            "FROM debian\nCOPY --from=tini /tini /usr/local/bin\nENTRYPOINT [\"/usr/local/bin/tini\", \"--\", \"/app/run\"]\n");
  EXPECT_EQ(fixed("COPY --from=tini /tini-static /opt/bin/\n"),
            "FROM debian\nCOPY --from=tini /tini-static /opt/bin/\nENTRYPOINT [\"/opt/bin/tini-static\", \"--\", \"/app/run\"]\n");
  EXPECT_EQ(fixed("ADD https://github.com/krallin/tini/releases/download/v0.19.0/tini-amd64 /sbin/\n"),
            "FROM debian\nADD https://github.com/krallin/tini/releases/download/v0.19.0/tini-amd64 /sbin/\n"
            "ENTRYPOINT [\"/sbin/tini-amd64\", \"--\", \"/app/run\"]\n");
  // A file named by the destination: the ENTRYPOINT that runs it is tini first already.
  EXPECT_TRUE(run("tini", "FROM debian\nCOPY tini-amd64 /init\nENTRYPOINT [\"/init\", \"--\", \"/app/run\"]\n").of("tini").empty());
  // Where it lands is not known: the ENTRYPOINT is not given a path that is not tini.
  // Where it lands is not known (a wildcard, several sources into a file, a
  // variable, WORKDIR): the ENTRYPOINT is reported, and not pointed at a guess.
  // Nor when the file copied is not tini (a path through a directory named tini),
  // or its path is not UTF-8, which an exec-form ENTRYPOINT cannot name byte for
  // byte (found by fuzz_fix: tests/fuzz/regressions/fix/tini-copy-path-not-utf8).
  for (const char* copy : {"COPY tini curl /var/lib/apt/lists/*\n", "COPY tini rest /opt/x\n", "COPY tini ${BIN}/tini\n",
                           "COPY tini ./\n", "COPY --from=b /usr/bin/tini-x/notes /opt/\n", "COPY tini /opt/caf\xe9/\n"}) {
    const auto r = run("tini", std::string("FROM debian\n") + copy + entry);
    EXPECT_EQ(r.fixed(), std::string("FROM debian\n") + copy + entry) << copy;
    ASSERT_EQ(r.of("tini").size(), 1u) << copy;
    EXPECT_NE(r.of("tini")[0]->message.find("where line 2 copies tini to is not known"), std::string::npos) << copy;
  }
}

// A RUN put in under a SHELL that is not POSIX (pwsh runs on Linux images too)
// would not run useradd or apt-get as written, and the model would not read it
// back, so it was added again on every run (found by fuzz_fix:
// tests/fuzz/regressions/fix/user-create-under-powershell).
TEST(PolicyUser, NoPosixRunUnderAnotherShell) {
  const std::string pwsh = "FROM debian\nSHELL [\"pwsh\", \"-Command\"]\nRUN Write-Host hi\nCMD [\"x\"]\n";
  const auto user = run("user", pwsh);
  EXPECT_EQ(user.fixed(), pwsh);
  ASSERT_EQ(user.of("user").size(), 1u);
  EXPECT_NE(user.of("user")[0]->message.find("not a POSIX shell"), std::string::npos);
  // Nor tini installed, nor PID 1 made a tini that is not there.
  EXPECT_EQ(run("tini", pwsh).fixed(), pwsh);
  // A SHELL back to sh before the insertion point: fixed as usual.
  const std::string back =
      "FROM debian\nSHELL [\"pwsh\", \"-Command\"]\nRUN Write-Host hi\nSHELL [\"/bin/sh\", \"-c\"]\nRUN true\nCMD [\"x\"]\n";
  EXPECT_NE(run("user", back).fixed().find("useradd"), std::string::npos);
}

// The words of a RUN that is not valid shell are not what the shell runs: a
// package appended after an unterminated quote lands inside the quote, and was
// appended again on every run (found by fuzz_fix:
// tests/fuzz/regressions/fix/install-after-unterminated-quote). Such a RUN is
// never edited inside; the finding stays, without a fix.
TEST(PolicyTini, NoEditInsideARunThatIsNotValidShell) {
  const std::string text = "FROM debian\nRUN apt-get install -y python3 \"unclosed\nENTRYPOINT [\"x\"]\n";
  const auto r = run("tini", text);
  EXPECT_EQ(r.fixed().find("\"unclosed tini"), std::string::npos);
  EXPECT_EQ(r.fixed().find("python3 \"unclosed\n"), r.fixed().find("python3"));
  bool said = false;
  for (const auto* f : r.of("tini"))
    if (f->message.find("line 2 is not valid shell") != std::string::npos) said = !f->fix;
  EXPECT_TRUE(said);
  EXPECT_EQ(run("tini", r.fixed()).fixed(), r.fixed());
}
