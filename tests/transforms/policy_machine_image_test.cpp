// machine-arg, machine-profile, cuda-arch, base-image and health-endpoint.
#include "policy_test_support.hpp"

using namespace dockmend;
using test::MemFiles;
using test::run_policy;

namespace {

const char* const k_policy = R"(version: 1
defaults:
  base_image: {registry: ghcr.io/acme, families: [family-llm, family-torch], ref: plan.md:5}
  stages: [builder, runtime]
  machine: {arg: MACHINE, default: mainpc, profiles: config/machine-profiles, profile_source: shared/profiles, ref: plan.md:12}
  env:
    TORCH_CUDA_ARCH_LIST: {value: "8.9;8.6", ref: plan.md:14}
  health: {path: /health, body: {status: ok}}
services:
  svc:
    dockerfile: svc/Dockerfile
    family: family-torch
)";

MemFiles repo() {
  return MemFiles{{"shared/profiles/mainpc.yaml", "gpu: a\n"}, {"shared/profiles/pc2.yaml", "gpu: b\n"}};
}

test::PolicyRun run(const std::string& rule, const std::string& text, const MemFiles& files = repo()) {
  const auto pol = test::load(k_policy);
  return run_policy(pol, "svc/Dockerfile", text, files, {rule});
}

}  // namespace

TEST(PolicyMachine, ArgIsDeclaredWhereItIsUsed) {
  EXPECT_EQ(run("machine-arg",
                "FROM x AS builder\nARG PY=3\nRUN echo ${MACHINE}\nFROM x AS tools\nRUN true\nFROM x AS runtime\nCMD [\"a\"]\n")
                .fixed(),
            "FROM x AS builder\nARG PY=3\nARG MACHINE=mainpc\nRUN echo ${MACHINE}\nFROM x AS tools\nRUN true\n"
            "FROM x AS runtime\nARG MACHINE=mainpc\nCMD [\"a\"]\n");
  // A wrong default is corrected; a global default re-declared in the stage counts.
  EXPECT_EQ(run("machine-arg", "FROM x\nARG MACHINE=\"pc2\"\n").fixed(), "FROM x\nARG MACHINE=mainpc\n");
  EXPECT_TRUE(run("machine-arg", "ARG MACHINE=mainpc\nFROM x\nARG MACHINE\n").of("machine-arg").empty());
  // Used before its ARG: reported.
  const auto r = run("machine-arg", "FROM x\nRUN echo $MACHINE\nARG MACHINE=mainpc\n");
  ASSERT_EQ(r.of("machine-arg").size(), 1u);
  EXPECT_FALSE(r.of("machine-arg")[0]->fix);
}

TEST(PolicyMachine, ProfileComesFromTheBuildContext) {
  auto files = repo();
  files.put("svc/config/machine-profiles/mainpc.yaml", "gpu: a\n");
  files.put("svc/config/machine-profiles/pc2.yaml", "gpu: b\n");
  EXPECT_EQ(run("machine-profile", "FROM x\nARG MACHINE=mainpc\nCOPY ../shared/profiles/mainpc.yaml /etc/profile.yaml\n", files).fixed(),
            "FROM x\nARG MACHINE=mainpc\nCOPY config/machine-profiles/${MACHINE}.yaml /etc/profile.yaml\n");
  EXPECT_EQ(run("machine-profile", "FROM x\nARG MACHINE=mainpc\nCOPY [\"config/machine-profiles/pc2.yaml\", \"/p.yaml\"]\n", files).fixed(),
            "FROM x\nARG MACHINE=mainpc\nCOPY [\"config/machine-profiles/${MACHINE}.yaml\", \"/p.yaml\"]\n");
  // Missing: copied after the last COPY, relative to the WORKDIR.
  EXPECT_EQ(run("machine-profile", "FROM x\nWORKDIR /app\nCOPY . .\nUSER app\nCMD [\"a\"]\n", files).fixed(),
            "FROM x\nWORKDIR /app\nCOPY . .\nCOPY config/machine-profiles/${MACHINE}.yaml config/machine-profile.yaml\nUSER app\nCMD [\"a\"]\n");
  EXPECT_TRUE(run("machine-profile", "FROM x\nCOPY config/machine-profiles/$MACHINE.yaml /p\n", files).of("machine-profile").empty());
}

TEST(PolicyMachine, ProfileFilesAreCopiedIntoTheServiceDirectory) {
  auto files = repo();
  files.put("svc/config/machine-profiles/mainpc.yaml", "gpu: a\n");
  const auto r = run("machine-profile", "FROM x\nCOPY config/machine-profiles/${MACHINE}.yaml /p\n", files);
  ASSERT_EQ(r.report.new_files.size(), 1u);
  EXPECT_EQ(r.report.new_files[0].path, "svc/config/machine-profiles/pc2.yaml");
  EXPECT_EQ(r.report.new_files[0].content, "gpu: b\n");
  ASSERT_EQ(r.of("machine-profile").size(), 1u);
  EXPECT_EQ(r.of("machine-profile")[0]->current, "missing: pc2.yaml");
  EXPECT_TRUE(r.of("machine-profile")[0]->fix);
}

TEST(PolicyCudaArch, SetInEveryFamilyStage) {
  EXPECT_EQ(run("cuda-arch",
                "ARG BASE=ghcr.io/acme/family-torch:1\nFROM ${BASE} AS builder\nARG X\nRUN make\n"
                "FROM builder AS runtime\nCMD [\"a\"]\nFROM debian AS tools\nRUN true\n")
                .fixed(),
            "ARG BASE=ghcr.io/acme/family-torch:1\nFROM ${BASE} AS builder\nARG X\nENV TORCH_CUDA_ARCH_LIST=\"8.9;8.6\"\nRUN make\n"
            "FROM builder AS runtime\nCMD [\"a\"]\nFROM debian AS tools\nRUN true\n");
  EXPECT_EQ(run("cuda-arch", "FROM ghcr.io/acme/family-llm:2\nENV A=1 TORCH_CUDA_ARCH_LIST='8.0' B=2\n").fixed(),
            "FROM ghcr.io/acme/family-llm:2\nENV A=1 TORCH_CUDA_ARCH_LIST='8.9;8.6' B=2\n");
  EXPECT_FALSE(run("cuda-arch", "FROM debian\n").applicable("cuda-arch"));
}

TEST(PolicyCudaArch, ValuesThroughArgs) {
  // ENV X=${X} fed by an ARG: the ARG's default is fixed, the ENV keeps the variable.
  EXPECT_EQ(run("cuda-arch", "FROM ghcr.io/acme/family-llm:2\nARG TORCH_CUDA_ARCH_LIST=8.0\n"
                             "ENV TORCH_CUDA_ARCH_LIST=${TORCH_CUDA_ARCH_LIST}\n").fixed(),
            "FROM ghcr.io/acme/family-llm:2\nARG TORCH_CUDA_ARCH_LIST=\"8.9;8.6\"\n"
            "ENV TORCH_CUDA_ARCH_LIST=${TORCH_CUDA_ARCH_LIST}\n");
  // `ARG X` without a default in the stage takes the global default: fixed there.
  EXPECT_EQ(run("cuda-arch", "ARG TORCH_CUDA_ARCH_LIST=8.0\nFROM ghcr.io/acme/family-llm:2\nARG TORCH_CUDA_ARCH_LIST\n"
                             "ENV TORCH_CUDA_ARCH_LIST=$TORCH_CUDA_ARCH_LIST\n").fixed(),
            "ARG TORCH_CUDA_ARCH_LIST=\"8.9;8.6\"\nFROM ghcr.io/acme/family-llm:2\nARG TORCH_CUDA_ARCH_LIST\n"
            "ENV TORCH_CUDA_ARCH_LIST=$TORCH_CUDA_ARCH_LIST\n");
  // A global ARG the stage does not declare is empty there: a finding, and the declaration.
  const auto r = run("cuda-arch", "ARG TORCH_CUDA_ARCH_LIST=\"8.9;8.6\"\nFROM ghcr.io/acme/family-llm:2\n"
                                  "ENV TORCH_CUDA_ARCH_LIST=${TORCH_CUDA_ARCH_LIST}\n");
  ASSERT_EQ(r.of("cuda-arch").size(), 1u);
  EXPECT_EQ(r.fixed(), "ARG TORCH_CUDA_ARCH_LIST=\"8.9;8.6\"\nFROM ghcr.io/acme/family-llm:2\nARG TORCH_CUDA_ARCH_LIST\n"
                       "ENV TORCH_CUDA_ARCH_LIST=${TORCH_CUDA_ARCH_LIST}\n");
  EXPECT_TRUE(run("cuda-arch", "FROM ghcr.io/acme/family-llm:2\nARG TORCH_CUDA_ARCH_LIST=\"8.9;8.6\"\n"
                               "ENV TORCH_CUDA_ARCH_LIST=${TORCH_CUDA_ARCH_LIST}\n").of("cuda-arch").empty());
}

TEST(PolicyBaseImage, ResolvesArgsAndReportsOnly) {
  auto r = run("base-image", "ARG B=docker.io/library/python:3.12\nFROM $B AS builder\nFROM ghcr.io/acme/family-torch:1 AS runtime\n");
  ASSERT_EQ(r.of("base-image").size(), 1u);
  EXPECT_EQ(r.of("base-image")[0]->current, "$B (= docker.io/library/python:3.12)");
  EXPECT_EQ(r.of("base-image")[0]->expected, "ghcr.io/acme/family-torch:3.12");
  EXPECT_FALSE(r.of("base-image")[0]->fix);
  // An unnamed stage is named as `stages` says; other names are reported.
  EXPECT_EQ(run("base-image", "FROM ghcr.io/acme/family-torch:1 AS builder\nFROM ghcr.io/acme/family-torch:1\n").fixed(),
            "FROM ghcr.io/acme/family-torch:1 AS builder\nFROM ghcr.io/acme/family-torch:1 AS runtime\n");
  r = run("base-image", "FROM ghcr.io/acme/family-torch:1 AS build\nFROM ghcr.io/acme/family-torch:1 AS runtime\n");
  ASSERT_EQ(r.of("base-image").size(), 1u);
  EXPECT_FALSE(r.of("base-image")[0]->fix);
}

TEST(PolicyHealthEndpoint, FindsRoutesInCommonFrameworks) {
  auto with = [](const std::string& path, const std::string& code) {
    auto files = repo();
    files.put(path, code);
    return run("health-endpoint", "FROM x\n", files);
  };
  // FastAPI, multi-line dict.
  EXPECT_TRUE(with("svc/app/main.py", "@router.get('/health')\nasync def h():\n    return {\n        'status': 'ok'\n    }\n")
                  .of("health-endpoint").empty());
  // Flask, jsonify with keywords.
  EXPECT_TRUE(with("svc/app.py", "@app.route(\"/health\", methods=[\"GET\"])\ndef health():\n    return jsonify(status=\"ok\")\n")
                  .of("health-endpoint").empty());
  // aiohttp registration.
  EXPECT_TRUE(with("svc/s.py", "async def hc(r):\n    return web.json_response({\"status\": \"ok\"})\napp.router.add_get('/health', hc)\n")
                  .of("health-endpoint").empty());
  // Another body.
  auto r = with("svc/a.py", "@app.get('/health')\ndef h():\n    return {'status': 'healthy'}\n");
  ASSERT_EQ(r.of("health-endpoint").size(), 1u);
  EXPECT_EQ(r.of("health-endpoint")[0]->current, "/health returns {\"status\": \"healthy\"} in svc/a.py:1");
  // Another path.
  r = with("svc/a.py", "@app.get('/healthz')\ndef h():\n    return {'status': 'ok'}\n");
  EXPECT_NE(r.of("health-endpoint")[0]->message.find("another path"), std::string::npos);
  EXPECT_EQ(r.of("health-endpoint")[0]->file, "svc/a.py");
  // Nothing.
  r = with("svc/a.py", "print('hi')\n");
  EXPECT_NE(r.of("health-endpoint")[0]->message.find("❓"), std::string::npos);
  EXPECT_NE(r.of("health-endpoint")[0]->message.find("looked at 1 Python file under svc/"), std::string::npos);
}
