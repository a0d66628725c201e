// The shared machinery of the built-in rules: what a file's stages and RUN
// scripts are, and where flags and cleanup commands go.
#include <gtest/gtest.h>

#include "builtin_test_support.hpp"
#include "transforms/builtin_support.hpp"
#include "transforms/rule.hpp"

using namespace dockmend;
using transforms::builtin::Distro;

namespace {
const transforms::builtin::FileFacts& facts_of(const syntax::Tree& t) { return transforms::builtin::facts(t); }
}  // namespace

TEST(BuiltinFacts, StagesShippedAndDistro) {
  const std::string src =
      "FROM golang:1.22 AS build\nRUN go build\n"
      "FROM alpine:3.19 AS base\nRUN apk add --no-cache ca-certificates\n"
      "FROM base\nCOPY --from=build /app /app\n";
  const auto t = syntax::parse(src);
  const auto& ff = facts_of(t);
  ASSERT_EQ(ff.stages.size(), 3u);
  EXPECT_FALSE(ff.stages[0].shipped);  // only copied from
  EXPECT_TRUE(ff.stages[1].shipped);   // the final stage is built on it
  EXPECT_TRUE(ff.stages[2].shipped);
  EXPECT_EQ(ff.stages[0].distro, Distro::Debian);  // official golang image
  EXPECT_EQ(ff.stages[1].distro, Distro::Alpine);
  EXPECT_EQ(ff.stages[2].distro, Distro::Alpine);  // inherited
  EXPECT_EQ(ff.runs.size(), 2u);
}

TEST(BuiltinFacts, DistroFromPackageManagerBeatsName) {
  const auto t = syntax::parse("FROM myorg/base:1\nRUN microdnf install -y tar\n");
  EXPECT_EQ(facts_of(t).stages[0].distro, Distro::Rhel);
  const auto u = syntax::parse("FROM myorg/base:1\nRUN echo hi\n");
  EXPECT_EQ(facts_of(u).stages[0].distro, Distro::Unknown);
}

TEST(BuiltinFacts, WindowsAndNonPosixShellsHaveNoScripts) {
  const auto t = syntax::parse("FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nRUN dir | more\n");
  EXPECT_TRUE(facts_of(t).runs.empty());
  const auto u = syntax::parse("FROM debian\nRUN a | b\nSHELL [\"pwsh\", \"-c\"]\nRUN c | d\nSHELL [\"/bin/sh\", \"-c\"]\nRUN e\n");
  const auto& ff = facts_of(u);
  ASSERT_EQ(ff.runs.size(), 2u);
  EXPECT_EQ(ff.runs[0].text, "a | b");
  EXPECT_EQ(ff.runs[1].text, "e");
}

TEST(BuiltinFacts, HeredocScriptIsTheBody) {
  const std::string src = "FROM debian\nRUN <<EOF\napt-get install -y x\nEOF\nRUN <<EOF\n#!/usr/bin/env python3\nprint(1)\nEOF\n";
  const auto t = syntax::parse(src);
  const auto& ff = facts_of(t);
  ASSERT_EQ(ff.runs.size(), 1u);  // the python body is not shell
  EXPECT_TRUE(ff.runs[0].heredoc);
  EXPECT_EQ(ff.runs[0].text, "apt-get install -y x\n");
  const auto span = transforms::builtin::source_span(t, ff.runs[0], ff.runs[0].script.commands[0].words[0].span);
  EXPECT_EQ(t.text(span), "apt-get");
}

TEST(BuiltinFacts, CacheIsPerContent) {
  const auto a = syntax::parse("FROM debian\nRUN a\n");
  const auto b = syntax::parse("FROM debian\nRUN b\nRUN c\n");
  EXPECT_EQ(facts_of(a).runs.size(), 1u);
  EXPECT_EQ(facts_of(b).runs.size(), 2u);
  EXPECT_EQ(facts_of(a).runs.size(), 1u);
}

// Appending a cleanup goes to the end of the RUN's shell text, in the file's layout.
TEST(BuiltinAppend, PlacesAndRefusals) {
  auto fixed = [](const std::string& run) {
    return test::fix_with("apt-lists-cleanup", "FROM debian\nRUN " + run + "\nUSER x\n");
  };
  EXPECT_EQ(fixed("apt-get update && apt-get install -y x"),
            "FROM debian\nRUN apt-get update && apt-get install -y x && rm -rf /var/lib/apt/lists/*\nUSER x\n");
  // Before a trailing `;`, not inside `-exec ... \;`.
  EXPECT_EQ(fixed("apt-get update && apt-get install -y x;"),
            "FROM debian\nRUN apt-get update && apt-get install -y x && rm -rf /var/lib/apt/lists/*;\nUSER x\n");
  EXPECT_EQ(fixed("apt-get update && apt-get install -y x && find / -name y -exec rm {} \\;"),
            "FROM debian\nRUN apt-get update && apt-get install -y x && find / -name y -exec rm {} \\; && rm -rf "
            "/var/lib/apt/lists/*\nUSER x\n");
  // A trailing comment, a background job or an exit: left alone.
  for (const std::string run : {"apt-get update && apt-get install -y x # done", "apt-get update && apt-get install -y x &",
                                "apt-get update && apt-get install -y x; exit 0"})
    EXPECT_EQ(fixed(run), "FROM debian\nRUN " + run + "\nUSER x\n") << run;
}

TEST(BuiltinAppend, ContinuationAndCrlfLayoutKept) {
  const std::string src = "FROM debian\r\nRUN apt-get update \\\r\n  # why\r\n  && apt-get install -y x\r\nUSER x\r\n";
  EXPECT_EQ(test::fix_with("apt-lists-cleanup", src),
            "FROM debian\r\nRUN apt-get update \\\r\n  # why\r\n  && apt-get install -y x && rm -rf "
            "/var/lib/apt/lists/*\r\nUSER x\r\n");
}

TEST(BuiltinFlags, FlagGoesBeforeTheContinuation) {
  // `install` ends its line: the flag lands on that line, before the backslash.
  const std::string src = "FROM debian\nRUN apt-get install\\\n  curl\nUSER x\n";
  EXPECT_EQ(test::fix_with("apt-get-yes", src), "FROM debian\nRUN apt-get install -y\\\n  curl\nUSER x\n");
}

TEST(BuiltinFlags, BacktickEscapeFile) {
  const std::string src = "# escape=`\nFROM debian\nRUN apt-get update && `\n    apt-get install curl\nUSER x\n";
  EXPECT_EQ(test::fix_with("apt-get-yes", src),
            "# escape=`\nFROM debian\nRUN apt-get update && `\n    apt-get install -y curl\nUSER x\n");
}

TEST(BuiltinRegistry, IdsAliasesAndSafety) {
  std::set<std::string> ids;
  for (const auto* r : transforms::builtin_rules()) {
    const std::string id(r->id);
    EXPECT_TRUE(ids.insert(id).second) << "duplicate id " << id;
    for (char c : id) EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') << id;
    EXPECT_EQ(r->kind, transforms::RuleKind::Builtin) << id;
    EXPECT_FALSE(r->aliases.empty()) << id << " has no hadolint/buildkit/Parfum name";
    EXPECT_EQ(r->fix.empty(), r->safety == transforms::FixSafety::ReportOnly) << id;
    EXPECT_NE(r->check, nullptr) << id;
  }
  EXPECT_GE(ids.size(), 40u);
  for (const char* alias : {"DL3014", "DL3015", "DL3009", "DL3025", "JSONArgsRecommended", "DL3020", "DL4006",
                            "DL3002", "LegacyKeyValueFormat", "FromAsCasing", "StageNameCasing", "DL3042", "DL3019"}) {
    const auto* r = transforms::find_rule(alias);
    ASSERT_NE(r, nullptr) << alias;
    EXPECT_EQ(r->kind, transforms::RuleKind::Builtin) << alias;
  }
}

TEST(BuiltinRegistry, OffUnlessTheDefaultIsExtended) {
  policy::Policy plain;  // a dockmend.yaml without `extends: default`
  const auto r = test::run_rules("FROM debian\nRUN apt-get install curl\n", {}, plain);
  EXPECT_TRUE(r.findings.empty());
  EXPECT_EQ(r.fixed, "FROM debian\nRUN apt-get install curl\n");
}
