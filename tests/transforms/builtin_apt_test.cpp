// apt, apk, yum/dnf, zypper, pip, npm, yarn, gem: flags on the right command,
// cleanups in the right RUN, and the cases where nothing may change.
#include <gtest/gtest.h>

#include "builtin_test_support.hpp"

using namespace dockmend;
using test::fix_with;
using test::run_rules;

namespace {
std::string df(const std::string& body) { return "FROM debian:bookworm\n" + body + "\nUSER x\n"; }
}  // namespace

TEST(BuiltinApt, YesGoesAfterTheSubcommandOfTheRightCommand) {
  EXPECT_EQ(fix_with("apt-get-yes", df("RUN sudo apt-get -q -o Dpkg::Use-Pty=0 install curl && echo install")),
            df("RUN sudo apt-get -q -o Dpkg::Use-Pty=0 install -y curl && echo install"));
  EXPECT_EQ(fix_with("apt-get-yes", df("RUN DEBIAN_FRONTEND=noninteractive apt-get purge x")),
            df("RUN DEBIAN_FRONTEND=noninteractive apt-get purge -y x"));
  EXPECT_EQ(fix_with("apt-get-yes", df("RUN apt-get install curl -y")), df("RUN apt-get install curl -y"));
}

TEST(BuiltinApt, YesAlreadyImplied) {
  for (const std::string run : {"RUN apt-get -qq install curl", "RUN apt-get -q=2 install curl",
                                "RUN yes | apt-get install curl", "RUN apt-get install $APT_OPTS curl",
                                "RUN apt-get -o APT::Get::Assume-Yes=true install curl", "RUN apt-get update",
                                "RUN apt-get --assume-yes install curl", "RUN apt-get -yq install curl"})
    EXPECT_EQ(run_rules(df(run), {"apt-get-yes"}).count("apt-get-yes"), 0u) << run;
}

TEST(BuiltinApt, NoInstallRecommendsAfterYes) {
  const auto sel = std::vector<std::string>{"apt-get-yes", "apt-no-install-recommends"};
  EXPECT_EQ(run_rules(df("RUN apt-get install curl"), sel, test::default_policy(), "Dockerfile", true).fixed,
            df("RUN apt-get install -y --no-install-recommends curl"));
  // Without recommends the image may lack what it needs at run time: an unsafe
  // fix, applied only when asked (--unsafe-fixes).
  EXPECT_EQ(run_rules(df("RUN apt-get install curl"), sel).fixed, df("RUN apt-get install -y curl"));
  EXPECT_EQ(fix_with("apt-no-install-recommends", df("RUN apt-get install -o APT::Install-Recommends=false x")),
            df("RUN apt-get install -o APT::Install-Recommends=false x"));
}

TEST(BuiltinApt, ListsKeptWhenALaterRunReadsThem) {
  const std::string src = df("RUN apt-get update && apt-get install -y x\nRUN apt-get install -y y");
  const auto r = run_rules(src, {"apt-lists-cleanup"});
  EXPECT_EQ(r.count("apt-lists-cleanup"), 1u);
  EXPECT_FALSE(r.has_fix("apt-lists-cleanup"));
  EXPECT_EQ(r.fixed, src);
}

TEST(BuiltinApt, ListsIgnoredInBuilderStagesAndCacheMounts) {
  const std::string builder = "FROM debian AS b\nRUN apt-get update && apt-get install -y gcc\nFROM scratch\nCOPY --from=b /x /x\n";
  EXPECT_EQ(run_rules(builder, {"apt-lists-cleanup"}).count("apt-lists-cleanup"), 0u);
  const std::string mount = df("RUN --mount=type=cache,target=/var/lib/apt/lists apt-get update && apt-get install -y x");
  EXPECT_EQ(run_rules(mount, {"apt-lists-cleanup"}).count("apt-lists-cleanup"), 0u);
}

TEST(BuiltinApt, UpdateBeforeInstall) {
  EXPECT_EQ(fix_with("apt-update-install", df("RUN apt-get install -y x")),
            df("RUN apt-get update && apt-get install -y x"));
  // Wrapped or piped commands are reported, not rewritten.
  const auto r = run_rules(df("RUN yes | apt-get install x"), {"apt-update-install"});
  EXPECT_EQ(r.count("apt-update-install"), 1u);
  EXPECT_FALSE(r.has_fix("apt-update-install"));
}

TEST(BuiltinApt, AptBecomesAptGetOnlyWhereMeaningIsTheSame) {
  EXPECT_EQ(fix_with("apt-get-not-apt", df("RUN apt install -y x && apt list --installed")),
            df("RUN apt-get install -y x && apt list --installed"));
}

TEST(BuiltinPackages, ApkYumZypper) {
  EXPECT_EQ(fix_with("apk-no-cache", "FROM alpine\nRUN apk -U add curl\n"), "FROM alpine\nRUN apk -U add --no-cache curl\n");
  EXPECT_EQ(fix_with("yum-yes", "FROM centos:7\nRUN yum -q install httpd\n"), "FROM centos:7\nRUN yum -q install -y httpd\n");
  EXPECT_EQ(fix_with("yum-clean", "FROM fedora:39\nRUN dnf install -y git\n"),
            "FROM fedora:39\nRUN dnf install -y git && dnf clean all\n");
  EXPECT_EQ(run_rules("FROM fedora:39\nRUN dnf install -y git && rm -rf /var/cache/dnf\n", {"yum-clean"}).count("yum-clean"), 0u);
  EXPECT_EQ(fix_with("zypper-yes", "FROM opensuse/leap\nRUN zypper -n install x && zypper in y\n"),
            "FROM opensuse/leap\nRUN zypper -n install x && zypper in -y y\n");
}

TEST(BuiltinPackages, PipNpmYarnGem) {
  EXPECT_EQ(fix_with("pip-no-cache-dir", "FROM python:3\nRUN python -m pip install -U pip\n"),
            "FROM python:3\nRUN python -m pip install --no-cache-dir -U pip\n");
  EXPECT_EQ(run_rules("FROM python:3\nRUN PIP_NO_CACHE_DIR=1 pip install x\n", {"pip-no-cache-dir"}).count("pip-no-cache-dir"), 0u);
  EXPECT_EQ(run_rules("FROM python:3\nRUN --mount=type=cache,target=/root/.cache pip install x\n", {"pip-no-cache-dir"})
                .count("pip-no-cache-dir"),
            0u);
  EXPECT_EQ(fix_with("npm-cache-clean", "FROM node:20\nRUN npm install -g x\n"),
            "FROM node:20\nRUN npm install -g x && npm cache clean --force\n");
  EXPECT_EQ(fix_with("yarn-cache-clean", "FROM node:20\nRUN yarn\n"), "FROM node:20\nRUN yarn && yarn cache clean\n");
  EXPECT_EQ(fix_with("gem-no-document", "FROM ruby:3\nRUN gem install rails\n"),
            "FROM ruby:3\nRUN gem install --no-document rails\n");
  EXPECT_EQ(run_rules("FROM ruby:3\nRUN echo 'gem: --no-document' > ~/.gemrc && gem install rails\n", {"gem-no-document"})
                .count("gem-no-document"),
            0u);
}

TEST(BuiltinApt, YesOnlyWhereAptGetWouldAsk) {
  // apt-get(8): -s/--simulate (--just-print, --dry-run, --recon, --no-act) and
  // --print-uris act on nothing; `source` and `download` fetch files without asking.
  for (const std::string run : {"RUN apt-get install -s curl", "RUN apt-get --simulate upgrade",
                                "RUN apt-get install --dry-run curl", "RUN apt-get --print-uris install curl",
                                "RUN apt-get source hello", "RUN apt-get download hello"})
    EXPECT_EQ(run_rules(df(run), {"apt-get-yes"}).count("apt-get-yes"), 0u) << run;
  for (const std::string run : {"RUN apt-get install curl", "RUN apt-get purge curl", "RUN apt-get build-dep hello"})
    EXPECT_EQ(run_rules(df(run), {"apt-get-yes"}).count("apt-get-yes"), 1u) << run;
}

TEST(BuiltinApt, UpdateNotNeededForLocalDebs) {
  EXPECT_EQ(run_rules(df("RUN apt-get install -y ./pkg.deb"), {"apt-update-install"}).count("apt-update-install"), 0u);
  EXPECT_EQ(run_rules(df("RUN apt-get install -y /tmp/a.deb /tmp/b.deb"), {"apt-update-install"}).count("apt-update-install"), 0u);
  // A package by name still needs the lists.
  EXPECT_EQ(run_rules(df("RUN apt-get install -y ./pkg.deb curl"), {"apt-update-install"}).count("apt-update-install"), 1u);
}

// apt 2.7.8 added `apt-get dist-clean`, which removes the package lists as well
// as the archives (apt-get(8) in Debian trixie); docker-library's trixie images
// end their RUNs with it instead of rm -rf /var/lib/apt/lists/*.
TEST(BuiltinApt, DistCleanRemovesTheLists) {
  const std::string src = "FROM debian:trixie\nRUN apt-get update && apt-get install -y x && apt-get dist-clean\n";
  EXPECT_EQ(run_rules(src, {"apt-lists-cleanup"}).count("apt-lists-cleanup"), 0u);
  const std::string plain = "FROM debian:trixie\nRUN apt-get update && apt-get install -y x && apt-get clean\n";
  EXPECT_EQ(run_rules(plain, {"apt-lists-cleanup"}).count("apt-lists-cleanup"), 1u);
}
