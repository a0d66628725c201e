// What the rules ask the model about RUN scripts (model/commands.hpp) and the
// edits they make in them (model/script_edits.hpp), in source coordinates.
#include <gtest/gtest.h>

#include "built.hpp"
#include "edit/edit.hpp"
#include "model/commands.hpp"
#include "model/model.hpp"
#include "model/script_edits.hpp"

using namespace dockmend;
using model::Model;
using test::Built;

TEST(ModelRunFacts, StagesShipAndDistroIsInherited) {
  Built b("FROM golang:1.22 AS build\nRUN go build\n"
          "FROM alpine:3.19 AS base\nRUN apk add --no-cache ca-certificates\n"
          "FROM base\nCOPY --from=build /app /app\n");
  const auto& s = b.model.stages();
  ASSERT_EQ(s.size(), 3u);
  EXPECT_FALSE(s[0].ships);  // only copied from
  EXPECT_TRUE(s[1].ships);   // the final stage is built on it
  EXPECT_TRUE(s[2].ships);
  EXPECT_EQ(s[0].platform_facts.distro.value, model::Distro::Debian);  // official golang image
  EXPECT_EQ(s[1].platform_facts.distro.value, model::Distro::Alpine);
  EXPECT_EQ(s[2].platform_facts.distro.value, model::Distro::Alpine);  // inherited
  EXPECT_EQ(s[2].platform_facts.distro.evidence, model::Evidence::InRepoBase);
  EXPECT_EQ(b.parsed_runs(), 2u);
}

TEST(ModelRunFacts, PackageCommandBeatsAnUnknownName) {
  EXPECT_EQ(Built("FROM myorg/base:1\nRUN microdnf install -y tar\n").model.stages()[0].platform_facts.distro.value,
            model::Distro::Rhel);
  EXPECT_EQ(Built("FROM myorg/base:1\nRUN echo hi\n").model.stages()[0].platform_facts.distro.value,
            model::Distro::Unknown);
}

TEST(ModelRunFacts, WindowsAndNonPosixShellsHaveNoScripts) {
  EXPECT_EQ(Built("FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nRUN dir | more\n").parsed_runs(), 0u);
  // choco says Windows even under an unknown name: its RUNs are cmd's.
  EXPECT_EQ(Built("FROM myorg/win\nRUN choco install -y git\n").parsed_runs(), 0u);
  Built b("FROM debian\nRUN a | b\nSHELL [\"pwsh\", \"-c\"]\nRUN c | d\nSHELL [\"/bin/sh\", \"-c\"]\nRUN e\n");
  ASSERT_EQ(b.parsed_runs(), 2u);
  EXPECT_EQ(b.model.runs()[0].text, "a | b");
  EXPECT_FALSE(b.model.runs()[1].parsed);
  EXPECT_EQ(b.model.runs()[2].text, "e");
}

TEST(ModelRunFacts, HeredocBodyIsTheScriptUnlessItIsAnotherLanguage) {
  Built b("FROM debian\nRUN <<EOF\napt-get install -y x\nEOF\nRUN <<EOF\n#!/usr/bin/env python3\nprint(1)\nEOF\n");
  ASSERT_EQ(b.parsed_runs(), 1u);
  const auto& run = b.model.runs()[0];
  EXPECT_TRUE(run.heredoc);
  EXPECT_EQ(run.text, "apt-get install -y x\n");
  EXPECT_EQ(b.tree.text(run.source(b.tree, run.script.commands[0].words[0].span)), "apt-get");
}

TEST(ModelCommands, ProgramSubcommandAndOperands) {
  Built b("FROM debian\nRUN sudo apt-get install -y -o Dpkg::Options::=--force-confnew curl -- -weird\n");
  const auto& cmd = b.model.runs()[0].script.commands[0];
  EXPECT_TRUE(model::runs(cmd, "apt-get"));  // through sudo
  EXPECT_FALSE(model::runs(cmd, "apt"));
  EXPECT_EQ(model::subcommand_of(cmd), "install");
  std::vector<std::string> operands;
  for (std::size_t i : model::operands_after_subcommand(cmd)) operands.push_back(cmd.words[i].value);
  EXPECT_EQ(operands, (std::vector<std::string>{"curl", "-weird"}));
  // -y is a flag; -o takes an argument: the run of flags ends at -y.
  ASSERT_TRUE(model::after_leading_flags(cmd));
  EXPECT_EQ(cmd.words[*model::after_leading_flags(cmd)].value, "-y");
  EXPECT_TRUE(model::runs(Built("FROM python\nRUN pip3.11 install x\n").model.runs()[0].script.commands[0], "pip"));
}

TEST(ModelCommands, HiddenOptionsAndPipes) {
  Built b("FROM debian\nRUN apt-get install $APT_OPTS curl && yes | apt-get remove x && echo \"$OPTS\" | cat\n");
  const auto& run = b.model.runs()[0];
  const auto& c = run.script.commands;
  ASSERT_EQ(c.size(), 5u);
  EXPECT_TRUE(model::options_may_hide(c[0]));
  EXPECT_FALSE(model::options_may_hide(c[3]));  // quoted: one word, not options
  EXPECT_TRUE(model::piped_from(run, 2, "yes"));
  EXPECT_FALSE(model::piped_from(run, 0, "yes"));
  EXPECT_FALSE(model::piped_from(run, 4, "yes"));
}

TEST(ModelCommands, CacheMountsCoverTheirSubdirectories) {
  Built b("FROM debian\nRUN --mount=type=cache,target=/var/cache/ --mount=type=bind,target=/src apt-get update\n");
  const auto& inst = b.tree.instructions[1];
  EXPECT_TRUE(model::has_cache_mount(inst, "/var/cache/apt"));
  EXPECT_TRUE(model::has_cache_mount(inst, "/var/cache"));
  EXPECT_FALSE(model::has_cache_mount(inst, "/var/cachet"));
  EXPECT_FALSE(model::has_cache_mount(inst, "/src"));  // a bind mount keeps what is written
}

TEST(ModelCommands, VariablesSetBeforeAnInstruction) {
  Built b("ARG G=1\nFROM python AS a\nENV PIP_NO_CACHE_DIR=1\nFROM a\nARG NOVALUE\nARG WITH=x\nRUN pip install y\n"
          "FROM python\nRUN pip install z\n");
  EXPECT_TRUE(model::var_set(b.model, 6, "PIP_NO_CACHE_DIR"));  // inherited through FROM a
  EXPECT_TRUE(model::var_set(b.model, 6, "WITH"));
  EXPECT_FALSE(model::var_set(b.model, 6, "NOVALUE"));  // the build may leave it unset
  EXPECT_FALSE(model::var_set(b.model, 6, "G"));        // a global ARG not redeclared in the stage
  EXPECT_FALSE(model::var_set(b.model, 8, "PIP_NO_CACHE_DIR"));
}

TEST(ModelScriptEdits, FlagsGoAfterTheirWordOnItsLine) {
  Built b("FROM debian\nRUN apt-get install\\\n  curl\n");
  const auto& run = b.model.runs()[0];
  const auto e = model::insert_flag(b.tree, run, run.script.commands[0], "-y");
  ASSERT_TRUE(e);
  EXPECT_EQ(b.with(*e), "FROM debian\nRUN apt-get install -y\\\n  curl\n");
  const auto p = model::insert_flag(b.tree, run, run.script.commands[0], "-q", shell::InsertAt::AfterProgram);
  EXPECT_EQ(b.with(*p), "FROM debian\nRUN apt-get -q install\\\n  curl\n");
  EXPECT_EQ(b.with(model::insert_after_word(b.tree, run, run.script.commands[0], 2, "x")),
            "FROM debian\nRUN apt-get install\\\n  curl x\n");
}

TEST(ModelScriptEdits, AppendAtTheEndOrRefuse) {
  auto appended = [](const std::string& run) -> std::string {
    Built b("FROM debian\nRUN " + run + "\n");
    const auto e = model::append_command(b.tree, b.model.runs()[0], "rm -f x");
    return e ? b.with(*e) : "refused";
  };
  EXPECT_EQ(appended("a && b"), "FROM debian\nRUN a && b && rm -f x\n");
  EXPECT_EQ(appended("a;"), "FROM debian\nRUN a && rm -f x;\n");
  EXPECT_EQ(appended("find . -exec rm {} \\;"), "FROM debian\nRUN find . -exec rm {} \\; && rm -f x\n");
  EXPECT_EQ(appended("echo a#b"), "FROM debian\nRUN echo a#b && rm -f x\n");  // inside a word: no comment
  // A comment starts after a blank or an operator (`a &# note`: POSIX token rules;
  // found by fuzz_fix, tests/fuzz/regressions/fix/append-after-operator-comment).
  for (const std::string run : {"a # done", "a &", "a; exit 0", "a ||", "a;;", "exec app", "a &# note", "a;# note",
                                "a |# note"})
    EXPECT_EQ(appended(run), "refused") << run;
  // A heredoc inside the RUN is data: nothing is appended after it.
  Built h("FROM debian\nRUN cat <<EOF > /f\nx\nEOF\n");
  EXPECT_FALSE(model::append_command(h.tree, h.model.runs()[0], "rm -f x"));
  // A heredoc that is the script gets the command at its end, inside the body.
  Built s("FROM debian\nRUN <<EOF\napt-get update\nEOF\n");
  const auto e = model::append_command(s.tree, s.model.runs()[0], "rm -f x");
  ASSERT_TRUE(e);
  EXPECT_EQ(s.with(*e), "FROM debian\nRUN <<EOF\napt-get update && rm -f x\nEOF\n");
}

TEST(ModelScriptEdits, AppendAfterACommandKeepsItsSeparator) {
  Built b("FROM debian\nRUN tar xf a.tgz && b; tar xf c.tgz; d && (tar xf e.tgz)\n");
  const auto& run = b.model.runs()[0];
  const auto& c = run.script.commands;
  EXPECT_EQ(b.with(*model::append_after_command(b.tree, run, 0, "rm a.tgz")),
            "FROM debian\nRUN tar xf a.tgz && rm a.tgz && b; tar xf c.tgz; d && (tar xf e.tgz)\n");
  EXPECT_EQ(b.with(*model::append_after_command(b.tree, run, 2, "rm c.tgz")),
            "FROM debian\nRUN tar xf a.tgz && b; tar xf c.tgz; rm c.tgz; d && (tar xf e.tgz)\n");
  ASSERT_EQ(c.size(), 5u);
  EXPECT_FALSE(model::append_after_command(b.tree, run, 4, "rm e.tgz"));  // inside ( ): not at the top level
}
