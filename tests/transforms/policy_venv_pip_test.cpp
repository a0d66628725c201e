// venv and pip-hashes: virtual environments go, packages still arrive, and
// requirements install with hashes.
#include "policy_test_support.hpp"

using namespace dockmend;
using test::MemFiles;
using test::run_policy;

namespace {

const char* const k_policy = R"(version: 1
defaults:
  venv: {allowed: false, ref: plan.md:11}
  pip: {require_hashes: true, ref: plan.md:10}
services:
  app: {dockerfile: svc/Dockerfile}
)";

test::PolicyRun run(const std::string& rule, const std::string& text, const MemFiles& files = MemFiles()) {
  const auto pol = test::load(k_policy);
  return run_policy(pol, "svc/Dockerfile", text, files, {rule});
}

}  // namespace

TEST(PolicyVenv, SingleStage) {
  const auto r = run("venv",
                     "FROM python:3.12\n"
                     "# the virtualenv\n"
                     "RUN python3 -m venv /opt/venv\n"
                     "ENV VIRTUAL_ENV=/opt/venv PATH=\"/opt/venv/bin:$PATH\" LANG=C.UTF-8\n"
                     "RUN . /opt/venv/bin/activate && pip install flask\n"
                     "CMD [\"/opt/venv/bin/flask\", \"run\"]\n");
  EXPECT_EQ(r.fixed(),
            "FROM python:3.12\n"
            "ENV LANG=C.UTF-8\n"
            "RUN pip install flask\n"
            "CMD [\"flask\", \"run\"]\n");
  ASSERT_EQ(r.of("venv").size(), 1u);
  EXPECT_EQ(r.of("venv")[0]->message, "virtual environment /opt/venv");
}

TEST(PolicyVenv, MultiStagePackagesStillReachTheRuntime) {
  const auto r = run("venv",
                     "FROM python:3.12 AS build\n"
                     "WORKDIR /src\n"
                     "RUN python -m venv .venv\n"
                     "RUN .venv/bin/pip install -U pip && .venv/bin/pip install --no-cache-dir .\n"
                     "FROM python:3.12-slim\n"
                     "COPY --from=build --chown=app /src/.venv /src/.venv\n"
                     "ENV PATH=/src/.venv/bin:/usr/local/bin:$PATH\n"
                     "CMD [\"app\"]\n");
  EXPECT_EQ(r.fixed(),
            "FROM python:3.12 AS build\n"
            "WORKDIR /src\n"
            "RUN pip install -U pip && pip install --prefix=/install --no-cache-dir .\n"
            "FROM python:3.12-slim\n"
            "COPY --from=build --chown=app /install /usr/local\n"
            "ENV PATH=/usr/local/bin:$PATH\n"
            "CMD [\"app\"]\n");
  // The runtime already takes /install: the venv copy just goes.
  EXPECT_EQ(run("venv",
                "FROM python:3.12 AS b\nRUN python -m venv /v && /v/bin/pip install --prefix=/install x\n"
                "FROM python:3.12-slim\nCOPY --from=b /install /usr/local\nCOPY --from=b /v /v\n")
                .fixed(),
            "FROM python:3.12 AS b\nRUN pip install --prefix=/install x\n"
            "FROM python:3.12-slim\nCOPY --from=b /install /usr/local\n");
}

TEST(PolicyVenv, ReportsWhatItCannotRedoSafely) {
  // Packages arrive through uv: a person decides.
  auto r = run("venv", "FROM python:3.12\nRUN python -m venv /venv\nRUN uv sync\nENV PATH=/venv/bin:$PATH\n");
  ASSERT_EQ(r.of("venv").size(), 1u);
  EXPECT_FALSE(r.of("venv")[0]->fix);
  EXPECT_NE(r.of("venv")[0]->message.find("through uv"), std::string::npos);
  // A mention the edits do not cover (inside bash -c).
  r = run("venv", "FROM python:3.12\nRUN virtualenv /venv\nRUN bash -c \"source /venv/bin/activate && pytest\"\n");
  EXPECT_FALSE(r.of("venv")[0]->fix);
  // Copied from another image: where its packages come from is unknown.
  r = run("venv", "FROM python:3.12\nCOPY --from=ghcr.io/acme/deps:1 /opt/venv /opt/venv\nENV PATH=/opt/venv/bin:$PATH\n");
  EXPECT_FALSE(r.of("venv")[0]->fix);
  EXPECT_TRUE(run("venv", "FROM python:3.12\nRUN pip install virtualenv\n").of("venv").empty());
}

TEST(PolicyPipHashes, AddsRequireHashesBeforeTheRequirements) {
  EXPECT_EQ(run("pip-hashes", "FROM p\nRUN pip3 install --user -r req.txt\n").fixed(),
            "FROM p\nRUN pip3 install --user --require-hashes -r req.txt\n");
  EXPECT_EQ(run("pip-hashes", "FROM p\nRUN python3.11 -m pip install --requirement=req.txt && uv pip install -r dev.txt\n").fixed(),
            "FROM p\nRUN python3.11 -m pip install --require-hashes --requirement=req.txt && uv pip install --require-hashes -r dev.txt\n");
  // Already required: on the command line, in the environment, or in the file itself.
  EXPECT_TRUE(run("pip-hashes", "FROM p\nRUN pip install --require-hashes -r r.txt\n").of("pip-hashes").empty());
  EXPECT_TRUE(run("pip-hashes", "FROM p\nENV PIP_REQUIRE_HASHES=1\nRUN pip install -r r.txt\n").of("pip-hashes").empty());
  MemFiles files{{"svc/r.txt", "--require-hashes\nx==1 --hash=sha256:00\n"}};
  EXPECT_TRUE(run("pip-hashes", "FROM p\nCOPY r.txt .\nRUN pip install -r r.txt\n", files).of("pip-hashes").empty());
  // No `-r`: nothing to check.
  const auto r = run("pip-hashes", "FROM p\nRUN pip install flask\n");
  EXPECT_FALSE(r.applicable("pip-hashes"));
}

TEST(PolicyPipHashes, ReportsRequirementsWithoutHashes) {
  MemFiles files{{"svc/reqs/base.txt",
                  "# pinned\n--index-url https://pypi.org/simple\n"
                  "a==1 \\\n    --hash=sha256:aa\n"
                  "b==2  # no hash\n"
                  "c==3 ; python_version < \"3.12\" \\\n    --hash=sha256:cc\n"
                  "d[extra]==4\n"}};
  const auto r = run("pip-hashes", "FROM p\nWORKDIR /w\nCOPY reqs/ ./reqs/\nRUN pip install --require-hashes -r reqs/base.txt\n", files);
  ASSERT_EQ(r.of("pip-hashes").size(), 1u);
  const auto& f = *r.of("pip-hashes")[0];
  EXPECT_EQ(f.file, "svc/reqs/base.txt");
  EXPECT_EQ(f.file_line, 5u);
  EXPECT_EQ(f.current, "b==2, d[extra]==4");
  EXPECT_FALSE(f.fix);
}

// Relied on: poetry export writes hashes unless --without-hashes; uv export unless --no-hashes;
// pip-compile only with --generate-hashes (pip-tools, uv and poetry-plugin-export documentation).
TEST(PolicyPipHashes, GeneratedRequirementFilesGetTheirHashes) {
  EXPECT_EQ(run("pip-hashes", "FROM p\nWORKDIR /app\nRUN poetry export -f requirements.txt --output requirements.txt --without-hashes\n"
                              "RUN pip install -r requirements.txt\n").fixed(),
            "FROM p\nWORKDIR /app\nRUN poetry export -f requirements.txt --output requirements.txt\n"
            "RUN pip install --require-hashes -r requirements.txt\n");
  EXPECT_EQ(run("pip-hashes", "FROM p\nRUN pip-compile -o /tmp/req.txt requirements.in && pip install -r /tmp/req.txt\n").fixed(),
            "FROM p\nRUN pip-compile --generate-hashes -o /tmp/req.txt requirements.in && pip install --require-hashes -r /tmp/req.txt\n");
  // uv export writes hashes by default: only the install needs the flag.
  EXPECT_EQ(run("pip-hashes", "FROM p\nRUN uv export --frozen > req.txt && uv pip install --system -r req.txt\n").fixed(),
            "FROM p\nRUN uv export --frozen > req.txt && uv pip install --system --require-hashes -r req.txt\n");
  // The flag is there, but the generated file has no hashes: the generator is fixed.
  EXPECT_EQ(run("pip-hashes", "FROM p\nRUN uv export --no-hashes -o r.txt && pip install --require-hashes -r r.txt\n").fixed(),
            "FROM p\nRUN uv export -o r.txt && pip install --require-hashes -r r.txt\n");
}

TEST(PolicyPipHashes, WheelsBuiltInTheBuild) {
  // `pip wheel` downloads (and there takes --require-hashes); the --no-index install reads its wheels.
  EXPECT_EQ(run("pip-hashes", "FROM p AS b\nRUN pip wheel -r r.txt -w /wheels\nFROM p\nCOPY --from=b /wheels /wheels\n"
                              "RUN pip install --no-index --find-links=/wheels -r r.txt\n").fixed(),
            "FROM p AS b\nRUN pip wheel --require-hashes -r r.txt -w /wheels\nFROM p\nCOPY --from=b /wheels /wheels\n"
            "RUN pip install --no-index --find-links=/wheels -r r.txt\n");
}
