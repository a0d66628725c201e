// The image model: which stage ships, platform evidence, RUN shells and spans,
// and the image state after instructions.
#include <gtest/gtest.h>

#include "built.hpp"
#include "model/model.hpp"

using namespace dockmend;
using model::Model;
using test::Built;

TEST(ModelShipped, LastStageThatOnlyTestsDoesNotShip) {
  Built b("FROM python:3.12 AS runtime\nCMD [\"app\"]\nFROM runtime AS test\nRUN pytest\n");
  EXPECT_EQ(b.model.shipped(), 0);
  EXPECT_TRUE(b.model.stages()[1].tests_only);
  EXPECT_FALSE(b.model.stages()[1].ships);
}

TEST(ModelShipped, TargetThenPolicyRuntimeThenLast) {
  const std::string text = "FROM alpine AS base\nFROM base AS runtime\nFROM runtime AS debug\nRUN apk add gdb\n";
  EXPECT_EQ(Built(text).model.shipped(), 2);  // debug builds on runtime but runs no tests: it ships
  model::BuildOptions policy_stages;
  policy_stages.stages = {"base", "runtime"};
  EXPECT_EQ(Built(text, policy_stages).model.shipped(), 1);
  model::BuildOptions target;
  target.target = "BASE";
  target.stages = {"base", "runtime"};
  const Built t(text, target);
  EXPECT_EQ(t.model.shipped(), 0);
  EXPECT_EQ(t.model.shipped_reason(), "target");
  EXPECT_FALSE(t.model.stages()[1].ships);
}

TEST(ModelShipped, BuilderOnlyCopiedFromDoesNotShip) {
  Built b("FROM golang:1.22 AS build\nRUN go build -o /app\nFROM gcr.io/distroless/static\nCOPY --from=build /app /app\n");
  EXPECT_TRUE(b.model.stages()[0].copied_from);
  EXPECT_FALSE(b.model.stages()[0].ships);
  EXPECT_EQ(b.model.stages()[1].copies_from, std::vector<std::int32_t>{0});
  EXPECT_EQ(b.model.stages()[1].platform_facts.distro.value, model::Distro::Distroless);
}

TEST(ModelPlatform, EvidenceAndWindows) {
  Built b("ARG BASE=mcr.microsoft.com/windows/nanoserver:ltsc2022\nFROM ${BASE}\nFROM python:3.12\n"
          "FROM myorg/custom\nFROM myorg/custom\nRUN microdnf install -y git\n");
  const auto& s = b.model.stages();
  EXPECT_EQ(s[0].platform_facts.os.value, model::OsFamily::Windows);
  EXPECT_EQ(s[0].platform_facts.os.evidence, model::Evidence::ImageName);
  EXPECT_EQ(s[1].platform_facts.package_manager.value, model::PackageManager::Apt);
  EXPECT_EQ(s[1].platform_facts.package_manager.evidence, model::Evidence::Guessed);
  // An image we do not know is not guessed to be Debian.
  EXPECT_EQ(s[2].platform_facts.package_manager.value, model::PackageManager::Unknown);
  EXPECT_EQ(s[3].platform_facts.package_manager.value, model::PackageManager::Microdnf);
  EXPECT_EQ(s[3].platform_facts.package_manager.evidence, model::Evidence::PackageCommand);
}

TEST(ModelRuns, ShellsAndHeredocScripts) {
  Built b("FROM debian:12\nRUN bash -e <<EOF\napt-get update\nEOF\nRUN python3 <<EOF\nprint(1)\nEOF\n"
          "RUN [\"echo\", \"x\"]\nSHELL [\"powershell\", \"-Command\"]\nRUN Write-Host hi\n");
  const auto& r = b.model.runs();
  ASSERT_EQ(r.size(), 4u);
  EXPECT_TRUE(r[0].parsed);
  EXPECT_TRUE(r[0].heredoc);
  EXPECT_EQ(r[0].shell_program, "bash");
  ASSERT_EQ(r[0].script.commands.size(), 1u);
  // The command's span is in the heredoc body: source coordinates.
  const auto at = r[0].source(b.tree, r[0].script.commands[0].words[0].span);
  EXPECT_EQ(b.tree.text(at), "apt-get");
  EXPECT_EQ(r[1].shell, model::ShellKind::Other);
  EXPECT_FALSE(r[1].parsed);
  EXPECT_EQ(r[2].shell, model::ShellKind::Exec);
  EXPECT_EQ(r[3].shell, model::ShellKind::PowerShell);
}

TEST(ModelRuns, ContinuationSpansMapToSource) {
  Built b("FROM debian:12\nRUN apt-get update \\\n    && apt-get install -y curl\n");
  const auto& run = b.model.runs().at(0);
  const auto& install = run.script.commands.at(1);
  EXPECT_EQ(b.tree.text(run.source(b.tree, install.words[0].span)), "apt-get");
  EXPECT_EQ(b.tree.position(run.source(b.tree, install.words[0].span).begin).first, 3u);
}

TEST(ModelState, ArgEnvUserWorkdirAcrossStages) {
  Built b("ARG PORT=8000\nFROM alpine AS base\nARG PORT\nENV PORT=${PORT} MODE=${MODE:-prod}\nWORKDIR /srv\n"
          "WORKDIR app\nUSER 1000:1000\nEXPOSE ${PORT}/udp\nFROM base\nARG TOKEN\n");
  const auto& st = b.model.final_state(1);
  EXPECT_EQ(st.vars.at("PORT").value, "8000");
  EXPECT_TRUE(st.vars.at("PORT").from_env);
  EXPECT_EQ(st.vars.at("MODE").value, "prod");
  EXPECT_FALSE(st.vars.at("TOKEN").known);
  EXPECT_EQ(st.workdir.value, "/srv/app");
  EXPECT_EQ(st.user.value, "1000:1000");
  ASSERT_EQ(st.ports.size(), 1u);
  EXPECT_EQ(*st.ports[0].number, 8000);
  EXPECT_EQ(st.ports[0].protocol, "udp");
  // Before the USER line the stage still runs as root.
  EXPECT_FALSE(b.model.state_before(6).user.set());
}

TEST(ModelState, EntrypointDropsAnInheritedCmdAndFindsInit) {
  Built b("FROM alpine AS a\nCMD [\"sh\"]\nFROM a\nENTRYPOINT [\"/sbin/tini\", \"-s\", \"-e\", \"143\", \"--\", \"app\"]\n"
          "HEALTHCHECK --interval=5s CMD wget -qO- http://localhost:9000/ready || exit 1\n");
  const auto& st = b.model.final_state(1);
  EXPECT_TRUE(st.process.cmd.empty());
  EXPECT_EQ(st.process.init, model::Init::Tini);
  EXPECT_EQ(st.process.init_options, (std::vector<std::string>{"-s", "-e", "143"}));
  EXPECT_EQ(st.process.program, "app");
  ASSERT_TRUE(st.healthcheck);
  EXPECT_EQ(st.healthcheck->tool, "wget");
  EXPECT_EQ(*st.healthcheck->port, 9000);
  EXPECT_EQ(st.healthcheck->path, "/ready");
}

TEST(ModelStages, ChainsTailsHeadersAndStateAtAPoint) {
  Built b("ARG BASE=python:3.12\nFROM ${BASE} AS builder\nARG X\nARG Y=1\nRUN a\n"
          "FROM builder AS runtime\nENV P=1\nWORKDIR /app\nCOPY . .\nUSER app\nEXPOSE 80\nCMD [\"x\"]\n");
  const Model& m = b.model;
  ASSERT_EQ(m.stages().size(), 2u);
  EXPECT_EQ(m.chain(1), (std::vector<std::int32_t>{0, 1}));
  EXPECT_EQ(m.stages()[0].base_image, "python:3.12");
  EXPECT_EQ(m.instructions(0), (std::vector<std::uint32_t>{1, 2, 3, 4}));
  EXPECT_EQ(m.chain_instructions(1).size(), 11u);
  EXPECT_EQ(m.header_end(0), 3u);           // FROM, ARG X, ARG Y
  EXPECT_EQ(m.tail_start(1), 9u);           // USER, EXPOSE, CMD follow the COPY
  EXPECT_EQ(m.last_in_chain(1, "run"), 4);  // inherited from builder
  EXPECT_EQ(m.last_in_chain(0, "user"), -1);
  EXPECT_EQ(m.stage_named("BUILDER"), 0);
  EXPECT_EQ(m.state_before(8).vars.at("P").value, "1");
  EXPECT_FALSE(m.state_before(4).vars.at("X").known);  // declared without a value, no global
  EXPECT_EQ(m.state_before(4).vars.at("Y").value, "1");
  // At the stage's end: after its last instruction, not the next stage's.
  EXPECT_EQ(m.state_at(1, m.stages()[1].end).workdir.value, "/app");
  EXPECT_EQ(m.state_at(1, 7).workdir.value, "");
  EXPECT_EQ(m.state_at(1, 8).workdir.value, "/app");
}
