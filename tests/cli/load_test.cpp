// Under load: `fix` over 20,000 files gives byte-identical files and output
// with --jobs 1, 2 and 8, and its memory does not grow with the number of files
// beyond the list of paths.
#include <gtest/gtest.h>

#include <chrono>

#include "cli_test_support.hpp"

using namespace dockmend;
using namespace dockmend::clitest;

namespace {

constexpr int k_files = 20000;
constexpr int k_per_dir = 100;

std::string path_of(int i) {
  const int k = i % k_per_dir;
  const std::string dir = "team" + std::to_string(i / 2000) + "/svc" + std::to_string(i / k_per_dir) + "/";
  switch (k % 4) {
    case 0: return dir + "Dockerfile." + std::to_string(k);
    case 1: return dir + std::to_string(k) + ".Dockerfile";
    case 2: return dir + "Containerfile." + std::to_string(k);
    default: return dir + "x" + std::to_string(k) + ".dockerfile";
  }
}

// Many shapes, so that every job count meets every kind of file: fixable ones in
// several styles, clean ones, and ones that are errors.
std::string content(int i) {
  const std::string n = std::to_string(i);
  const std::string nl = i % 7 == 0 ? "\r\n" : "\n";
  switch (i % 10) {
    case 0: return "FROM debian:12" + nl + "MAINTAINER Team " + n + nl + "RUN apt-get update && apt-get install -y curl" + nl;
    case 1: return "from alpine:3.19 as build" + nl + "maintainer x" + nl + "run apk add curl" + nl + "cmd echo " + n + nl;
    case 2:
      return "# syntax=docker/dockerfile:1" + nl + "FROM ubuntu:22.04" + nl + "RUN <<EOF" + nl + "apt-get update" + nl +
             "apt-get install -y git" + nl + "EOF" + nl + "WORKDIR app" + nl;
    case 3:
      return "FROM python:3.12-slim" + nl + "RUN pip install flask==3.0.0 \\" + nl + "# a comment inside" + nl +
             "    gunicorn" + nl + "CMD gunicorn app:" + n + nl;
    case 4: return "FROM scratch" + nl + "COPY app /app" + nl + "ENTRYPOINT [\"/app\"]" + nl;  // nothing to fix
    case 5: return "FROM centos:7" + nl + "RUN yum install -y httpd" + nl + "EXPOSE 80" + nl;
    case 6: return "FROM node:20" + nl + "RUN npm install" + nl + "USER root" + nl + "CMD node " + n + ".js";  // no final newline
    case 7: return "FROM alpine" + nl + std::string("RUN echo \0 binary", 17) + nl;  // an error: NUL byte
    case 8: return "FROM alpine" + nl + "COPY <<EOF /x" + nl + "never ends" + nl;  // an error: unterminated heredoc
    default: return "FROM golang:1.22 AS build" + nl + "RUN go build -o /out/" + n + nl + "FROM gcr.io/distroless/base" + nl +
                    "COPY --from=build /out/" + n + " /app" + nl + "MAINTAINER me" + nl;
  }
}

void make_tree(const TempRepo& repo, int files) {
  for (int i = 0; i < files; ++i) repo.write(path_of(i), content(i));
}

// One hash over every path and its bytes.
std::uint64_t tree_hash(const fs::path& root) {
  std::string all;
  for (const auto& [path, e] : snapshot(root)) {
    if (e.type != 'f') continue;
    all += path + '\0' + test::read_bytes(root / path) + '\0';
  }
  return io::fnv1a_64(all);
}

// Sanitizer builds keep freed memory in quarantine, which would look like growth.
std::vector<std::string> child_env() {
  std::string asan = "ASAN_OPTIONS=";
  if (const char* a = std::getenv("ASAN_OPTIONS")) asan += std::string(a) + ":";
  return {asan + "quarantine_size_mb=0:thread_local_quarantine_size_kb=0"};
}

}  // namespace

TEST(HeavyLoad, TwentyThousandFilesGiveIdenticalResultsWithOneTwoAndEightJobs) {
  std::map<int, Result> runs;
  std::map<int, std::uint64_t> hashes;
  std::uint64_t original = 0;
  for (const int jobs : {1, 2, 8}) {
    TempRepo repo(true);
    make_tree(repo, k_files);
    original = tree_hash(repo.path());
    const auto start = std::chrono::steady_clock::now();
    runs[jobs] = run_binary(repo.path(), {"fix", "--no-policy", "--jobs=" + std::to_string(jobs), "--show-diff"}, {},
                            child_env());
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    hashes[jobs] = tree_hash(repo.path());
    RecordProperty("seconds_jobs_" + std::to_string(jobs), std::to_string(secs));
    RecordProperty("peak_rss_kb_jobs_" + std::to_string(jobs), std::to_string(runs[jobs].peak_rss_kb));
  }
  const Result& one = runs[1];
  EXPECT_EQ(one.code, 2) << "the fixture's broken files are errors";
  // 2,000 NUL files and 2,000 unterminated heredocs, reported by name.
  EXPECT_TRUE(contains(one.err, "dockmend: 20000 files scanned, ")) << one.err.substr(one.err.size() - 400);
  EXPECT_TRUE(contains(one.err, ", 4000 errors\n")) << one.err.substr(one.err.size() - 400);
  EXPECT_NE(hashes[1], original) << "nothing was fixed";
  for (const int jobs : {2, 8}) {
    EXPECT_EQ(hashes[jobs], hashes[1]) << "--jobs=" << jobs << " wrote different files";
    EXPECT_EQ(runs[jobs].code, one.code);
    EXPECT_TRUE(runs[jobs].out == one.out) << "--jobs=" << jobs << ": the diff differs";
    EXPECT_TRUE(runs[jobs].err == one.err) << "--jobs=" << jobs << ": the messages differ";
  }
}

TEST(HeavyLoad, MemoryDoesNotGrowWithTheNumberOfFiles) {
  // Ten times the files may cost the list of paths (a few hundred bytes each:
  // discovery's list and the run's list of (path, display) pairs) and nothing
  // per file processed: outcomes are freed as soon as they are printed.
  std::map<int, long> rss;
  for (const int files : {2000, k_files}) {
    TempRepo repo(true);
    make_tree(repo, files);
    const Result r = run_binary(repo.path(), {"fix", "--no-policy", "--jobs=2", "--quiet"}, {}, child_env());
    EXPECT_EQ(r.code, 2) << r.err.substr(0, 400);
    rss[files] = r.peak_rss_kb;
    RecordProperty("peak_rss_kb_files_" + std::to_string(files), std::to_string(r.peak_rss_kb));
  }
  const long growth_kb = rss[k_files] - rss[2000];
  const long per_file_bytes = growth_kb * 1024 / (k_files - 2000);
  // Measured: about 320 bytes per path, with or without sanitizers.
  EXPECT_LT(per_file_bytes, 640)
      << "peak memory " << rss[2000] << " KB for 2,000 files, " << rss[k_files] << " KB for 20,000";
}
