// `dockmend verify` as a user runs it, where it cannot do its work: no builder
// at all, a base image that cannot be pulled, a Dockerfile feature the builder
// lacks. Each must say so clearly and exit 2, never pass silently. The builder
// here is a stand-in script on PATH that answers as podman 4.3 (buildah 1.28.2,
// Debian bookworm's) does; the real builds are scripts/build-checks.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "../test_support.hpp"

namespace {

namespace fs = std::filesystem;

struct Result {
  int code = -1;
  std::string out, err;
};

class VerifyCli : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string templ = (fs::temp_directory_path() / "dockmend-verify-XXXXXX").string();
    ASSERT_TRUE(::mkdtemp(templ.data()));
    dir = templ;
    fs::create_directories(dir / "bin");
    fs::create_directories(dir / "repo");
    fs::create_directories(dir / "logs");
    write(dir / "repo" / "dockmend.yaml",
          "version: 1\ndefaults:\n  init: {tini: /usr/bin/tini}\nservices:\n  app: {dockerfile: Dockerfile}\n");
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  static void write(const fs::path& p, const std::string& s) {
    std::ofstream f(p, std::ios::binary | std::ios::trunc);
    f << s;
  }
  // A fake `podman` that logs every call and answers `info` as podman 4.3.1 does.
  void fake_podman(const std::string& body) {
    const fs::path p = dir / "bin" / "podman";
    write(p, "#!/bin/sh\necho \"$*\" >> '" + (dir / "calls").string() + "'\n"
             "case \"$1\" in\n"
             "  --version) echo 'podman version 4.3.1' ;;\n"
             "  info) echo '1.28.2' ;;\n" +
                 body + "\n  *) exit 1 ;;\nesac\n");
    ::chmod(p.c_str(), 0755);
  }
  Result verify(const std::string& args) {
    const std::string cmd = "cd '" + (dir / "repo").string() + "' && PATH='" + (dir / "bin").string() + "' '" +
                            DOCKMEND_BINARY + "' verify --log-dir '" + (dir / "logs").string() + "' " + args + " >'" +
                            (dir / "out").string() + "' 2>'" + (dir / "err").string() + "'";
    const int status = std::system(cmd.c_str());
    Result r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = dockmend::test::read_bytes(dir / "out");
    r.err = dockmend::test::read_bytes(dir / "err");
    return r;
  }
  std::string calls() { return dockmend::test::read_bytes(dir / "calls"); }
  // A Dockerfile whose image runs tini as PID 1 (fix leaves it as it is), and a
  // fake podman whose image inspect answers for it, with `more` case branches.
  void fake_tini_image(const std::string& more) {
    fake_podman(
        "  image) if [ \"$2\" = inspect ]; then echo '[{\"ManifestType\": \"x\", \"Config\": {\"User\": \"\","
        " \"Entrypoint\": [\"/usr/bin/tini\", \"--\"], \"Cmd\": [\"serve\"]}}]'; fi; exit 0 ;;\n" +
        more);
    write(dir / "repo" / "Dockerfile",
          "FROM debian:bookworm\n"
          "RUN apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*\n"
          "ENTRYPOINT [\"/usr/bin/tini\", \"--\"]\nCMD [\"serve\"]\n");
  }
  fs::path dir;
};

TEST_F(VerifyCli, NoBuilderSaysWhatWasTriedAndHowToGetOne) {
  write(dir / "repo" / "Dockerfile", "FROM debian:bookworm\nCMD [\"sleep\", \"1\"]\n");
  const auto r = verify("");
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("no image builder to verify with"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("docker: not installed"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("podman: not installed"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("buildah: not installed"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("scripts/builder-setup"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST_F(VerifyCli, DockerWithoutItsDaemonIsNotABuilder) {
  const fs::path p = dir / "bin" / "docker";
  write(p, "#!/bin/sh\necho 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon "
           "running?' >&2\nexit 1\n");
  ::chmod(p.c_str(), 0755);
  write(dir / "repo" / "Dockerfile", "FROM debian:bookworm\nCMD [\"sleep\", \"1\"]\n");
  const auto r = verify("--builder docker");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("docker: installed, but its daemon does not answer (Cannot connect to the Docker daemon"),
            std::string::npos)
      << r.err;
}

TEST_F(VerifyCli, UnknownBuilderIsAUsageError) {
  write(dir / "repo" / "Dockerfile", "FROM debian:bookworm\n");
  const auto r = verify("--builder kaniko");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--builder takes docker, podman or buildah, not 'kaniko'"), std::string::npos) << r.err;
}

TEST_F(VerifyCli, BaseImageNotInStorageWithPullNever) {
  fake_podman("  image) exit 1 ;;");
  write(dir / "repo" / "Dockerfile", "FROM registry.invalid/team/base:1\nCMD [\"serve\"]\n");
  const auto r = verify("--pull never");
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  EXPECT_NE(r.out.find("Dockerfile: cannot-verify: the base image registry.invalid/team/base:1 is not in local "
                       "storage (and --pull=never)"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(calls().find("build"), std::string::npos) << "nothing is built: " << calls();
}

TEST_F(VerifyCli, BaseImageThatCannotBePulledNamesTheErrorAndTheLog) {
  fake_podman(
      "  image) exit 1 ;;\n"
      "  pull) echo 'Trying to pull registry.invalid/team/base:1...' >&2;"
      " echo 'Error: initializing source docker://registry.invalid/team/base:1: pinging container registry "
      "registry.invalid: Get \"https://registry.invalid/v2/\": dial tcp: lookup registry.invalid: no such host' >&2;"
      " exit 125 ;;");
  write(dir / "repo" / "Dockerfile", "FROM registry.invalid/team/base:1\nCMD [\"serve\"]\n");
  const auto r = verify("");
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  EXPECT_NE(r.out.find("the base image registry.invalid/team/base:1 cannot be pulled: Error: initializing source"),
            std::string::npos)
      << r.out;
  const std::string log = (dir / "logs" / "dockerfile.log").string();
  EXPECT_NE(r.out.find("see " + log), std::string::npos) << r.out;
  EXPECT_NE(dockmend::test::read_bytes(log).find("no such host"), std::string::npos) << "the log has the output";
  EXPECT_NE(calls().find("pull registry.invalid/team/base:1"), std::string::npos) << calls();
  EXPECT_EQ(calls().find("push"), std::string::npos) << calls();
}

TEST_F(VerifyCli, FilesWhosePathsMakeOneNameGetTheirOwnLogs) {
  fake_podman("  image) exit 1 ;;");
  fs::create_directories(dir / "repo" / "a" / "b");
  fs::create_directories(dir / "repo" / "a-b");
  write(dir / "repo" / "dockmend.yaml", "version: 1\ndefaults:\n  init: {tini: /usr/bin/tini}\n");
  write(dir / "repo" / "a" / "b" / "Dockerfile", "FROM registry.invalid/x:1\nCMD [\"a\"]\n");
  write(dir / "repo" / "a-b" / "Dockerfile", "FROM registry.invalid/x:1\nCMD [\"b\"]\n");
  const auto r = verify("--pull never");
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  EXPECT_NE(r.out.find("a-b/Dockerfile: cannot-verify"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("a/b/Dockerfile: cannot-verify"), std::string::npos) << r.out;
  EXPECT_TRUE(fs::exists(dir / "logs" / "a-b-dockerfile.log"));
  EXPECT_TRUE(fs::exists(dir / "logs" / "a-b-dockerfile-2.log"));
}

TEST_F(VerifyCli, FeatureTheBuilderLacksIsSaidBeforeBuilding) {
  fake_podman("  image) exit 0 ;;");
  write(dir / "repo" / "Dockerfile", "FROM debian:bookworm\nRUN <<EOF\necho hi\nEOF\nCMD [\"serve\"]\n");
  const auto r = verify("--format json");
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  EXPECT_NE(r.out.find("\"status\": \"cannot-verify\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("podman (buildah 1.28.2) does not support heredocs (<<EOF) in RUN"), std::string::npos)
      << r.out;
  EXPECT_EQ(calls().find("build"), std::string::npos) << calls();
}

TEST_F(VerifyCli, FileThatFixWouldNotChangeIsNotBuilt) {
  fake_podman("  image) exit 0 ;;");
  write(dir / "repo" / "Dockerfile",
        "FROM debian:bookworm\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*\n"
        "ENTRYPOINT [\"/usr/bin/tini\", \"--\"]\nCMD [\"serve\"]\n");
  const auto r = verify("--pull never");
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("Dockerfile: unchanged"), std::string::npos) << r.out;
  EXPECT_EQ(calls().find("build"), std::string::npos) << calls();
}

TEST_F(VerifyCli, CheckUnchangedBuildsTheFileOnceAndChecksItsImage) {
  fake_tini_image("  build) exit 0 ;;");
  const auto r = verify("--pull never --check-unchanged");
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("check config-entrypoint: ok"), std::string::npos) << r.out;
  const std::string c = calls();
  EXPECT_NE(c.find("dockerfile:original"), std::string::npos) << c;
  EXPECT_EQ(c.find("dockerfile:fixed "), std::string::npos) << "built once: " << c;
}

// --run starts the image and removes its container afterwards. `podman rm -f`
// stops a running container with SIGTERM and waits its 10 s stop timeout
// (podman-rm(1), --time), and a PID 1 that installs no TERM handler never exits
// on it (the kernel drops signals PID 1 does not handle), so each run check
// cost 10 s per image. The container is killed (SIGKILL, docker and podman
// alike) before every removal.
TEST_F(VerifyCli, RunChecksKillTheirContainerBeforeRemovingIt) {
  fake_tini_image(
      "  build|run|kill|rm) exit 0 ;;\n"
      "  inspect) echo true ;;\n"
      "  exec) if [ \"$3\" = id ]; then echo 'uid=0(root) gid=0(root) groups=0(root)'; else printf '/usr/bin/tini\\0--\\0serve\\0'; fi ;;");
  const auto r = verify("--pull never --check-unchanged --run");
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  const std::string c = calls();
  ASSERT_NE(c.find("run -d --name dockmend-verify-run-"), std::string::npos) << c;
  std::istringstream lines(c);
  std::string line, previous;
  int removals = 0;
  while (std::getline(lines, line)) {
    if (line.rfind("rm -f dockmend-verify-run-", 0) == 0) {
      ++removals;
      EXPECT_EQ(previous, "kill " + line.substr(6)) << "killed before it is removed:\n" << c;
    }
    previous = line;
  }
  EXPECT_EQ(removals, 2) << "a stale one before the run, the run's own after it:\n" << c;
}

TEST_F(VerifyCli, FixedBuildFailingWhereTheOriginalBuiltIsExit1) {
  // The fake builds the original (the file in the repository) and fails the
  // fixed one (the copy in the log directory's context), as a real builder
  // would when a fix breaks the build.
  fake_podman(
      "  image) exit 0 ;;\n"
      "  build) for a; do last=$a; done;"
      " case \"$last\" in *.context) echo 'Error: building at STEP \"RUN apt-get install tini\": exit status 100' >&2;"
      " exit 1 ;; esac; exit 0 ;;");
  write(dir / "repo" / "Dockerfile", "FROM debian:bookworm\nCMD [\"serve\"]\n");
  const auto r = verify("--pull never");
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("Dockerfile: fixed-build-failed: the fixed file does not build where the original did: "
                       "Error: building at STEP \"RUN apt-get install tini\": exit status 100"),
            std::string::npos)
      << r.out;
  EXPECT_NE(calls().find("build --format docker --pull=never"), std::string::npos) << calls();
  EXPECT_NE(calls().find("image rm localhost/dockmend-verify/dockerfile:original"), std::string::npos)
      << "the images are removed: " << calls();
}

}  // namespace
