// Hostile Dockerfiles: binary files, NUL bytes, invalid UTF-8, huge files, huge
// lines, endless continuations, thousands of heredocs. For each, the exit code,
// the message (file, and line:col where there is one) and that no file was
// touched, or that exactly the intended change was made and every other byte kept.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>

#include "../fuzz/fuzz_support.hpp"
#include "cli_test_support.hpp"

using namespace dockmend;
using namespace dockmend::clitest;
using namespace std::string_literals;

namespace {

const std::string k_maintainer = "MAINTAINER Jo <j@x.org>\n";
const std::string k_label = "LABEL maintainer=\"Jo <j@x.org>\"\n";

std::string replace_once(std::string s, const std::string& from, const std::string& to) {
  const auto at = s.find(from);
  if (at == std::string::npos) throw std::runtime_error("replace_once: not found");
  return s.replace(at, from.size(), to);
}

// A repository with one good file beside the bad one: a bad file must not keep
// the others from being fixed.
void add_good_file(const TempRepo& repo) { repo.write("good/Dockerfile", "FROM alpine\n" + k_maintainer); }
void expect_good_file_fixed(const TempRepo& repo) {
  EXPECT_EQ(repo.read("good/Dockerfile"), "FROM alpine\n" + k_label);
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

TEST(BadInput, NulByteIsRefusedWithItsPlaceAndNothingIsWritten) {
  TempRepo repo;
  repo.write("bad/Dockerfile", "FROM alpine\n" + k_maintainer + "RUN echo a\0b\n"s);
  const Snapshot before = snapshot(repo.path());
  for (const std::string cmd : {"check", "diff", "fix", "audit"}) {
    const Result r = run_in(repo.path(), {cmd, "--no-policy", "--select=maintainer", "--jobs=1"});
    EXPECT_EQ(r.code, 2) << cmd << "\n" << r;
    EXPECT_TRUE(contains(r.err, "dockmend: error: bad/Dockerfile:3:11: not a Dockerfile: binary content (NUL byte)\n"))
        << cmd << "\n" << r;
    if (cmd != "audit") {
      EXPECT_EQ(r.out, "") << cmd;
    }
    EXPECT_EQ(changes(before, snapshot(repo.path())), "") << cmd;
  }
}

TEST(BadInput, BinaryFilesNamedLikeDockerfilesAreRefusedOthersStillFixed) {
  TempRepo repo;
  // An ELF header and a PNG header under Dockerfile names.
  repo.write("elf/Dockerfile", std::string("\x7f" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0", 20));
  repo.write("png/app.Dockerfile", std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16));
  add_good_file(repo);
  const Snapshot before = snapshot(repo.path());
  const Result r = run_binary(repo.path(), {"fix", "--no-policy", "--select=maintainer"});
  EXPECT_EQ(r.code, 2) << r;
  EXPECT_TRUE(contains(r.err, "dockmend: error: elf/Dockerfile:1:8: not a Dockerfile: binary content (NUL byte)\n")) << r;
  EXPECT_TRUE(contains(r.err, "dockmend: error: png/app.Dockerfile:3:1: not a Dockerfile: binary content (NUL byte)\n"))
      << r;
  EXPECT_TRUE(contains(r.err, "3 files scanned, 1 changed, 1 finding, 2 errors\ndockmend: by rule: maintainer 1\n")) << r;
  expect_good_file_fixed(repo);
  const std::string diff = changes(before, snapshot(repo.path()));
  EXPECT_EQ(diff, "modified: good/Dockerfile\n");
}

TEST(BadInput, NulByteLateInTheFileIsTextAsForGitAndKeptByteForByte) {
  // Like git, only the first 8000 bytes decide whether a file is binary; a later
  // NUL (in a comment here) is text, and a fix elsewhere keeps it.
  TempRepo repo;
  const std::string original =
      "FROM alpine\n" + k_maintainer + "# " + std::string(9000, 'x') + std::string("\0\0", 2) + " tail\nRUN true\n";
  repo.write("Dockerfile", original);
  const Result r = run_in(repo.path(), {"fix", "--no-policy", "--select=maintainer", "--jobs=1"});
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_EQ(repo.read("Dockerfile"), replace_once(original, k_maintainer, k_label));
}

TEST(BadInput, InvalidUtf8IsKeptByteForByteAndReportsStayValidJson) {
  // buildkit accepts any bytes (Latin-1 comments are common): so does dockmend,
  // and it neither "repairs" them in the file nor lets them break JSON or SARIF.
  TempRepo repo;
  const std::string dir = "caf\xe9";
  const std::string original = "FROM alpine\n# r\xe9sum\xe9 \xff\xfe\xc0\xaf\xed\xa0\x80\nMAINTAINER J\xf6rg <j@x>\n";
  repo.write(dir + "/Dockerfile", original);
  for (const auto& args : std::vector<std::vector<std::string>>{{"check", "--format=json"},
                                                                 {"check", "--format=sarif"},
                                                                 {"audit", "--format=json"},
                                                                 {"audit", "--format=sarif"}}) {
    std::vector<std::string> a = args;
    a.insert(a.end(), {"--no-policy", "--select=maintainer", "--jobs=1"});
    const Result r = run_in(repo.path(), a);
    EXPECT_NE(r.code, 2) << r;
    EXPECT_EQ(fuzz::JsonChecker(r.out).check(), std::string_view::npos) << args[0] << " " << args[1] << "\n" << r.out;
  }
  const Result check = run_in(repo.path(), {"check", "--no-policy", "--select=maintainer", "--jobs=1"});
  EXPECT_EQ(check.code, 1) << check;
  EXPECT_EQ(check.out, dir + "/Dockerfile:3:1: maintainer: MAINTAINER is deprecated; use LABEL maintainer=...\n");
  const Result fix = run_in(repo.path(), {"fix", "--no-policy", "--select=maintainer", "--jobs=1"});
  EXPECT_EQ(fix.code, 0) << fix;
  EXPECT_EQ(repo.read(dir + "/Dockerfile"),
            "FROM alpine\n# r\xe9sum\xe9 \xff\xfe\xc0\xaf\xed\xa0\x80\nLABEL maintainer=\"J\xf6rg <j@x>\"\n");
}

TEST(BadInput, EmptyFileAndCommentOnlyFileAreErrorsWithPlace) {
  TempRepo repo;
  repo.write("empty/Dockerfile", "");
  repo.write("comments/Dockerfile", "# nothing here\n\n# still nothing\n");
  add_good_file(repo);
  const Snapshot before = snapshot(repo.path());
  const Result r = run_in(repo.path(), {"fix", "--no-policy", "--select=maintainer", "--jobs=1"});
  EXPECT_EQ(r.code, 2) << r;
  EXPECT_TRUE(contains(r.err, "dockmend: error: empty/Dockerfile:1:1: file with no instructions\n")) << r;
  EXPECT_TRUE(contains(r.err, "dockmend: error: comments/Dockerfile:3:17: file with no instructions\n")) << r;
  expect_good_file_fixed(repo);
  EXPECT_EQ(changes(before, snapshot(repo.path())), "modified: good/Dockerfile\n");
}

TEST(BadInput, DirectoryFifoAndDeviceGivenAsFilesAreRefusedWithoutHanging) {
  TempRepo repo;
  ASSERT_EQ(::mkfifo((repo / "Dockerfile.fifo").c_str(), 0644), 0);
  const Snapshot before = snapshot(repo.path());
  // A FIFO nobody writes to would block a plain open(): the run must not hang.
  const auto start = std::chrono::steady_clock::now();
  const Result r = run_binary(repo.path(), {"fix", "--no-policy", "--select=maintainer", "Dockerfile.fifo", "/dev/null"});
  EXPECT_LT(seconds_since(start), 30.0);
  EXPECT_EQ(r.code, 2) << r;
  EXPECT_TRUE(contains(r.err, "dockmend: error: cannot read 'Dockerfile.fifo': not a regular file\n")) << r;
  EXPECT_TRUE(contains(r.err, "dockmend: error: cannot read '/dev/null': not a regular file\n")) << r;
  EXPECT_EQ(changes(before, snapshot(repo.path())), "");
  // Found by walking the tree, a FIFO is not a Dockerfile candidate at all.
  const Result walk = run_binary(repo.path(), {"check", "--no-policy", "--select=maintainer"});
  EXPECT_EQ(walk.code, 0) << walk;
}

TEST(BadInput, MissingPathIsAnErrorNamingIt) {
  TempRepo repo;
  add_good_file(repo);
  const Result r = run_in(repo.path(), {"fix", "--no-policy", "--select=maintainer", "--jobs=1", "good", "no/such/Dockerfile"});
  EXPECT_EQ(r.code, 2) << r;
  EXPECT_TRUE(contains(r.err, "dockmend: error: cannot access 'no/such/Dockerfile': No such file or directory\n")) << r;
  expect_good_file_fixed(repo);
}

TEST(HeavyInput, HundredMegabyteFileIsRefusedByNameOthersStillFixed) {
  TempRepo repo;
  {
    // Real bytes, not a sparse file: a line-based Dockerfile of 100 MiB.
    std::string chunk = "FROM alpine\n" + k_maintainer;
    while (chunk.size() < (1u << 20)) chunk += "RUN echo 0123456789abcdef0123456789abcdef\n";
    chunk.resize(1u << 20);
    chunk.back() = '\n';
    std::string big;
    big.reserve(100u << 20);
    for (int i = 0; i < 100; ++i) big += chunk;
    repo.write("big/Dockerfile", big);
  }
  add_good_file(repo);
  const Snapshot before = snapshot(repo.path());
  const Result r = run_binary(repo.path(), {"fix", "--no-policy", "--select=maintainer"});
  EXPECT_EQ(r.code, 2) << r;
  EXPECT_TRUE(contains(r.err,
                       "dockmend: error: cannot read 'big/Dockerfile': file is larger than the 64 MiB limit "
                       "(104857600 bytes)\n"))
      << r;
  expect_good_file_fixed(repo);
  EXPECT_EQ(changes(before, snapshot(repo.path())), "modified: good/Dockerfile\n");
}

TEST(HeavyInput, StandardInputOverTheLimitIsRefused) {
  TempRepo repo;
  const std::string big = "FROM alpine\n" + std::string(65u << 20, '#') + "\n";
  const Result r = run_in(repo.path(), {"check", "--no-policy", "--select=maintainer", "-"}, big);
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_EQ(r.err, "dockmend: error: standard input is larger than the 64 MiB limit\n");
  EXPECT_EQ(r.out, "");
}

TEST(HeavyInput, DumpRefusesAFileItsOffsetsCannotAddress) {
  // 5 GiB, sparse: offsets are 32-bit, so dump must refuse rather than wrap.
  TempRepo repo;
  const std::string path = (repo / "Dockerfile").string();
  const int fd = ::open(path.c_str(), O_CREAT | O_WRONLY, 0644);
  ASSERT_GE(fd, 0);
  const bool sized = ::ftruncate(fd, 5LL << 30) == 0;
  ::close(fd);
  if (!sized) GTEST_SKIP() << "this filesystem cannot hold a sparse 5 GiB file";
  const Result r = run_in(repo.path(), {"dump", "Dockerfile"});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_TRUE(contains(r.err, "dockmend: error: cannot read 'Dockerfile': file is larger than the")) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST(HeavyInput, MillionLinesAreFixedExactlyWhereAsked) {
  TempRepo repo;
  std::string original = "FROM alpine\n";
  original.reserve(12u << 20);
  for (int i = 0; i < 500000; ++i) original += "RUN echo " + std::to_string(i) + "\n";
  original += k_maintainer;
  for (int i = 0; i < 499998; ++i) original += (i % 2 ? "# c\n" : "\n");
  repo.write("Dockerfile", original);
  const auto start = std::chrono::steady_clock::now();
  const Result diff = run_binary(repo.path(), {"diff", "--no-policy", "--select=maintainer"});
  EXPECT_EQ(diff.code, 1) << diff.err;
  EXPECT_TRUE(contains(diff.out, "@@ -499999,7 +499999,7 @@\n")) << diff.out.substr(0, 400);
  EXPECT_TRUE(contains(diff.out, "\n-" + k_maintainer + "+" + k_label)) << diff.out.substr(0, 400);
  const Result fix = run_binary(repo.path(), {"fix", "--no-policy", "--select=maintainer"});
  EXPECT_EQ(fix.code, 0) << fix;
  EXPECT_EQ(repo.read("Dockerfile"), replace_once(original, k_maintainer, k_label));
  // Generous: a minute under sanitizers, a few seconds in Release.
  EXPECT_LT(seconds_since(start), k_sanitized ? 240.0 : 60.0);
}

TEST(HeavyInput, TenMegabyteLineIsRefusedWithItsLineLikeBuildkit) {
  TempRepo repo;
  repo.write("long/Dockerfile", "FROM alpine\n" + k_maintainer + "RUN echo " + std::string(10u << 20, 'a') + "\n");
  add_good_file(repo);
  const Snapshot before = snapshot(repo.path());
  const Result r = run_binary(repo.path(), {"fix", "--no-policy", "--select=maintainer"});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_TRUE(contains(r.err, "dockmend: error: long/Dockerfile:3:1: dockerfile line greater than max allowed size "
                              "of 65535\n"))
      << r.err;
  expect_good_file_fixed(repo);
  EXPECT_EQ(changes(before, snapshot(repo.path())), "modified: good/Dockerfile\n");
}

TEST(HeavyInput, LongLinesUnderBuildkitsLimitAreFine) {
  TempRepo repo;
  const std::string original = "FROM alpine\n" + k_maintainer + "RUN echo " + std::string(65000, 'a') + "\n";
  repo.write("Dockerfile", original);
  const Result r = run_in(repo.path(), {"fix", "--no-policy", "--select=maintainer", "--jobs=1"});
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_EQ(repo.read("Dockerfile"), replace_once(original, k_maintainer, k_label));
}

TEST(HeavyInput, HundredThousandContinuationLinesWithCommentsInside) {
  TempRepo repo;
  for (const std::string nl : {"\n", "\r\n"}) {
    std::string original = "FROM alpine" + nl + "RUN set -e \\" + nl;
    for (int i = 0; i < 100000; ++i) {
      original += "  && echo " + std::to_string(i) + " \\" + nl;
      if (i % 10 == 0) original += "# a comment inside the continuation" + nl;
      if (i % 17 == 0) original += nl;  // an empty continuation line
    }
    original += "  && true" + nl + "MAINTAINER Jo <j@x.org>" + nl + "RUN " + std::string(1000, '\\') + nl + "CMD x" + nl;
    repo.write("Dockerfile", original);
    const auto start = std::chrono::steady_clock::now();
    const Result r = run_binary(repo.path(), {"fix", "--no-policy", "--select=maintainer"});
    EXPECT_EQ(r.code, 0) << r;
    EXPECT_EQ(repo.read("Dockerfile"),
              replace_once(original, "MAINTAINER Jo <j@x.org>" + nl, "LABEL maintainer=\"Jo <j@x.org>\"" + nl));
    EXPECT_LT(seconds_since(start), k_sanitized ? 120.0 : 30.0);
  }
}

TEST(HeavyInput, ThousandsOfHeredocs) {
  TempRepo repo;
  // Thousands of heredoc instructions, and one RUN with two thousand heredocs.
  std::string original = "# syntax=docker/dockerfile:1\nFROM alpine\n";
  for (int i = 0; i < 5000; ++i)
    original += "RUN <<EOF" + std::to_string(i) + "\necho " + std::to_string(i) + "\nMAINTAINER not an instruction\nEOF" +
                std::to_string(i) + "\n";
  original += "RUN cat";
  for (int i = 0; i < 2000; ++i) original += " <<H" + std::to_string(i);
  original += "\n";
  for (int i = 0; i < 2000; ++i) original += "body " + std::to_string(i) + "\nH" + std::to_string(i) + "\n";
  original += k_maintainer;
  repo.write("Dockerfile", original);
  // buildkit rejects a heredoc that never ends: so does dockmend, saying where.
  repo.write("open/Dockerfile", "FROM alpine\n" + k_maintainer + "COPY <<EOF /x\n" + std::string(100000, 'y') + "\n");
  const Snapshot before = snapshot(repo.path());
  const auto start = std::chrono::steady_clock::now();
  const Result r = run_binary(repo.path(), {"fix", "--no-policy", "--select=maintainer"});
  EXPECT_EQ(r.code, 2) << r;
  EXPECT_TRUE(contains(r.err, "dockmend: error: open/Dockerfile:3:1: unterminated heredoc\n")) << r;
  // Only the real MAINTAINER instruction changes, not the heredoc lines that look like one.
  EXPECT_EQ(repo.read("Dockerfile"), replace_once(original, "\n" + k_maintainer, "\n" + k_label));
  EXPECT_EQ(changes(before, snapshot(repo.path())), "modified: Dockerfile\n");
  EXPECT_LT(seconds_since(start), k_sanitized ? 120.0 : 30.0);
}
