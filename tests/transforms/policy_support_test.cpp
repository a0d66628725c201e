// The helpers the policy passes share: variables, ENV entries, stages,
// command removal, package managers, image references.
#include <gtest/gtest.h>

#include "edit/edit.hpp"
#include "transforms/policy_support.hpp"

using namespace dockmend;
using namespace dockmend::transforms::support;

namespace {

std::string apply_edits(std::string_view text, const std::vector<edit::Edit>& edits) {
  edit::EditSet set;
  edit::Fix fix;
  fix.rule = "t";
  fix.edits = edits;
  EXPECT_TRUE(set.add(fix));
  return set.apply(text);
}

// Removes the commands at `indexes` of the first RUN.
std::string remove(const std::string& text, const std::vector<std::size_t>& indexes, bool* everything = nullptr) {
  const auto tree = syntax::parse(text);
  std::uint32_t run = 0;
  while (!tree.instructions[run].is("run")) ++run;
  const auto texts = shell_texts(tree, run);
  const auto& sh = texts.back();
  auto r = remove_commands(tree, sh, indexes);
  if (!r) return "<refused>";
  if (everything) *everything = r->everything;
  return apply_edits(text, r->edits);
}

}  // namespace

TEST(PolicySupport, ExpandsVariablesAsBuildkitDoes) {
  const Vars v{{"A", "1"}, {"EMPTY", ""}};
  EXPECT_EQ(expand("x$A-${A}", v), "x1-1");
  EXPECT_EQ(expand("${B:-d}/${EMPTY:-e}/${EMPTY-f}", v), "d/e/");
  EXPECT_EQ(expand("${A:+set}${B:+unset}", v), "set");
  EXPECT_EQ(expand("\\$A", v), "$A");
  EXPECT_FALSE(expand("$B", v));
  EXPECT_FALSE(expand("${B}", v));
  EXPECT_TRUE(references("a ${MACHINE}.yaml", "MACHINE"));
  EXPECT_TRUE(references("$MACHINE", "MACHINE"));
  EXPECT_FALSE(references("$MACHINES", "MACHINE"));
  EXPECT_FALSE(references("\\$MACHINE", "MACHINE"));
}

TEST(PolicySupport, UnquotesLikeTheShellLexer) {
  EXPECT_EQ(unquote("\"8.9;8.6\""), "8.9;8.6");
  EXPECT_EQ(unquote("'a b'c"), "a bc");
  EXPECT_EQ(unquote("a\\ b"), "a b");
  EXPECT_EQ(unquote("\"/opt/venv/bin:$PATH\""), "/opt/venv/bin:$PATH");
}

TEST(PolicySupport, EnvEntriesInBothForms) {
  const auto tree = syntax::parse("FROM a\nENV A=1 B=\"x y\" \\\n    C=3\nENV LEGACY some value\n");
  const auto e = env_entries(tree.instructions[1]);
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[1].name, "B");
  EXPECT_EQ(e[1].value, "x y");
  EXPECT_EQ(e[1].raw, "\"x y\"");
  EXPECT_FALSE(e[0].legacy);
  const auto l = env_entries(tree.instructions[2]);
  ASSERT_EQ(l.size(), 1u);
  EXPECT_TRUE(l[0].legacy);
  EXPECT_EQ(l[0].value, "some value");
}

TEST(PolicySupport, StagesChainsTailsAndHeaders) {
  const auto tree = syntax::parse(
      "ARG BASE=python:3.12\nFROM ${BASE} AS builder\nARG X\nARG Y=1\nRUN a\n"
      "FROM builder AS runtime\nENV P=1\nCOPY . .\nUSER app\nEXPOSE 80\nCMD [\"x\"]\n");
  StageSet st(tree);
  ASSERT_EQ(st.list.size(), 2u);
  EXPECT_EQ(st.chain(1), (std::vector<int>{0, 1}));
  EXPECT_EQ(st.resolved_base(0), "python:3.12");
  EXPECT_EQ(st.header_end(0), 3u);                    // FROM, ARG X, ARG Y
  EXPECT_EQ(st.tail_start(1), 8u);                    // USER, EXPOSE, CMD follow the COPY
  EXPECT_EQ(st.last_in_chain(1, "run"), 4);           // inherited from builder
  EXPECT_EQ(st.stage_named("BUILDER"), 0);
  EXPECT_EQ(st.vars_at(1, 7).at("P"), "1");
  EXPECT_EQ(st.vars_at(0, 4).count("X"), 0u);         // declared without a value, no global
  EXPECT_EQ(st.vars_at(0, 4).at("Y"), "1");
}

TEST(PolicySupport, RemovesCommandsWithTheirOperators) {
  EXPECT_EQ(remove("FROM a\nRUN x && y && z\n", {0}), "FROM a\nRUN y && z\n");
  EXPECT_EQ(remove("FROM a\nRUN x && y && z\n", {1}), "FROM a\nRUN x && z\n");
  EXPECT_EQ(remove("FROM a\nRUN x && y && z\n", {2}), "FROM a\nRUN x && y\n");
  EXPECT_EQ(remove("FROM a\nRUN x; y\n", {0}), "FROM a\nRUN y\n");
  // Continuation lines: the removed line goes whole.
  EXPECT_EQ(remove("FROM a\nRUN x \\\n && y \\\n && z\n", {1}), "FROM a\nRUN x \\\n && z\n");
  EXPECT_EQ(remove("FROM a\nRUN x \\\n && y\n", {1}), "FROM a\nRUN x\n");
  // A comment inside the continuation stays.
  EXPECT_EQ(remove("FROM a\nRUN x \\\n    # note\n && y\n", {0}), "FROM a\nRUN \\\n    # note\n y\n");
  // What would change the meaning of the rest is refused.
  EXPECT_EQ(remove("FROM a\nRUN x || y\n", {1}), "<refused>");
  EXPECT_EQ(remove("FROM a\nRUN x | y\n", {0}), "<refused>");
  EXPECT_EQ(remove("FROM a\nRUN if true; then x; fi\n", {1}), "<refused>");
  bool everything = false;
  remove("FROM a\nRUN x && y\n", {0, 1}, &everything);
  EXPECT_TRUE(everything);
}

TEST(PolicySupport, HeredocScriptsAreShellText) {
  const std::string text = "# syntax=docker/dockerfile:1\nFROM a\nRUN <<EOF\nset -e\nuseradd bob\nEOF\nRUN python3 <<EOF\nprint(1)\nEOF\n";
  const auto tree = syntax::parse(text);
  const auto script = shell_texts(tree, 1);
  ASSERT_EQ(script.size(), 2u);
  EXPECT_TRUE(script[1].heredoc);
  EXPECT_EQ(script[1].script.commands.size(), 2u);
  const auto w = script[1].script.commands[1].words[1].span;
  EXPECT_EQ(tree.text(script[1].to_source(w)), "bob");
  // A heredoc fed to python is data, not shell.
  EXPECT_EQ(shell_texts(tree, 2).size(), 1u);
}

TEST(PolicySupport, PackageManagers) {
  auto pm = [](const std::string& text, bool* guessed = nullptr) {
    const auto tree = syntax::parse(text);
    StageSet st(tree);
    return package_manager(st, st.final_index(), guessed);
  };
  bool guessed = false;
  EXPECT_EQ(pm("FROM x\nRUN apk add curl\n", &guessed), PackageManager::Apk);
  EXPECT_FALSE(guessed);
  EXPECT_EQ(pm("FROM x AS a\nRUN microdnf install y\nFROM x\n"), PackageManager::Microdnf);
  EXPECT_EQ(pm("FROM alpine:3.20\n", &guessed), PackageManager::Apk);
  EXPECT_TRUE(guessed);
  EXPECT_EQ(pm("FROM registry.access.redhat.com/ubi9/ubi-minimal\n"), PackageManager::Microdnf);
  EXPECT_EQ(pm("FROM fedora:40\n"), PackageManager::Dnf);
  EXPECT_EQ(pm("FROM gcr.io/distroless/base\n"), PackageManager::Unknown);
  EXPECT_EQ(pm("FROM ubuntu\n"), PackageManager::Apt);

  const auto tree = syntax::parse("FROM x\nRUN apt-get update && apt-get install -y -o Dpkg::Options=x curl \\\n  git\n");
  const auto texts = shell_texts(tree, 1);
  const auto installs = package_installs(texts);
  ASSERT_EQ(installs.size(), 1u);
  ASSERT_EQ(installs[0].packages.size(), 2u);
  EXPECT_EQ(texts[0].script.commands[installs[0].command].words[installs[0].packages[1]].value, "git");
}

TEST(PolicySupport, ImageReferences) {
  auto r = parse_image("ghcr.io/org/family-torch-cu121:2025@sha256:ab");
  EXPECT_EQ(r.path, "ghcr.io/org");
  EXPECT_EQ(r.name, "family-torch-cu121");
  EXPECT_EQ(r.tag, "2025");
  EXPECT_EQ(r.digest, "sha256:ab");
  r = parse_image("localhost:5000/app");
  EXPECT_EQ(r.path, "localhost:5000");
  EXPECT_EQ(r.name, "app");
  EXPECT_EQ(r.tag, "");
  EXPECT_EQ(parse_image("ubuntu").path, "");
  EXPECT_EQ(canonical_repository(""), "docker.io/library");
  EXPECT_EQ(canonical_repository("nvidia"), "docker.io/nvidia");
  EXPECT_EQ(canonical_repository("index.docker.io/library"), "docker.io/library");
  EXPECT_EQ(canonical_repository("docker.io"), "docker.io/library");
  EXPECT_EQ(canonical_repository("ghcr.io/Org"), "ghcr.io/org");
  EXPECT_EQ(canonical_repository("localhost:5000"), "localhost:5000");
}

TEST(PolicySupport, Paths) {
  EXPECT_EQ(normalize_path("./a//b/"), "a/b");
  EXPECT_EQ(normalize_path("/opt/venv/"), "/opt/venv");
  EXPECT_EQ(transforms::support::basename(std::string_view("/usr/bin/tini")), "tini");
  EXPECT_TRUE(contains_token("apt-get install -y tini curl", "tini"));
  EXPECT_FALSE(contains_token("install tinix", "tini"));
  EXPECT_EQ(parse_port("8080"), 8080);
  EXPECT_FALSE(parse_port("70000"));
  EXPECT_FALSE(parse_port("80a"));
}
