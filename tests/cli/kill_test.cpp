// A `fix` over many files killed with SIGKILL in the middle: every file holds
// exactly its old or its new bytes, never a mix; at most one temporary file per
// job is left behind (nothing can clean up after SIGKILL), and the next run
// removes those and finishes the job.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <thread>

#include "cli_test_support.hpp"

using namespace dockmend;
using namespace dockmend::clitest;

namespace {

constexpr int k_files = 1500;
constexpr int k_jobs = 2;

std::string path_of(int i) {
  const std::string dir = "svc" + std::to_string(i / 50) + "/";
  return dir + (i % 2 ? "Dockerfile." + std::to_string(i) : std::to_string(i) + ".Dockerfile");
}

// Every file changes when fixed; every 25th is big, so that killing the program
// while it writes a temporary file is likely, not rare.
std::string content(int i) {
  std::string s = "FROM debian:12\nMAINTAINER Team " + std::to_string(i) + " <t@x.org>\n";
  const int lines = i % 25 == 0 ? 3000 : 20;
  for (int l = 0; l < lines; ++l) s += "# line " + std::to_string(l) + " of file " + std::to_string(i) + " ................\n";
  return s + "RUN apt-get update && apt-get install -y curl\nCMD [\"curl\", \"--version\"]\n";
}

struct Expected {
  std::map<std::string, std::string> old_bytes, new_bytes;
};

// Old or new, never anything else; returns how many are new.
int count_new(const TempRepo& repo, const Expected& e) {
  int fresh = 0;
  for (const auto& [path, old] : e.old_bytes) {
    const std::string now = repo.read(path);
    if (now == e.new_bytes.at(path)) ++fresh;
    else EXPECT_TRUE(now == old) << path << " is neither old nor new (" << now.size() << " bytes)";
  }
  return fresh;
}

std::uint64_t inode_of(const fs::path& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 ? st.st_ino : 0;
}

}  // namespace

TEST(HeavyKill, SigkillInTheMiddleOfFixLeavesEveryFileOldOrNew) {
  // On the real temporary directory, not /dev/shm: fsync has to cost something
  // for the kill to land in the middle of writes.
  TempRepo repo;
  TempRepo reference(true);
  Expected e;
  for (int i = 0; i < k_files; ++i) {
    const std::string p = path_of(i);
    e.old_bytes[p] = content(i);
    repo.write(p, e.old_bytes[p]);
    reference.write(p, e.old_bytes[p]);
  }
  ASSERT_EQ(e.old_bytes.size(), static_cast<std::size_t>(k_files));
  const Result ref = run_binary(reference.path(), {"fix", "--no-policy", "--jobs=2"});
  ASSERT_EQ(ref.code, 0) << ref;
  for (const auto& [p, old] : e.old_bytes) {
    e.new_bytes[p] = reference.read(p);
    ASSERT_TRUE(e.new_bytes[p] != old) << p << " does not change";
  }

  // Kill three runs at different points: as soon as the first pending file is
  // replaced, and a little later.
  int leftovers = 0;
  for (const int delay_ms : {0, 5, 30}) {
    std::string sentinel;
    for (const auto& [p, old] : e.old_bytes)
      if (repo.read(p) == old) {
        sentinel = p;
        break;
      }
    ASSERT_FALSE(sentinel.empty()) << "everything was already fixed";
    const int before = count_new(repo, e);
    const std::uint64_t sentinel_inode = inode_of(repo / sentinel);
    Child child = spawn(repo.path(), {"fix", "--no-policy", "--jobs=" + std::to_string(k_jobs)});
    const auto start = std::chrono::steady_clock::now();
    while (inode_of(repo / sentinel) == sentinel_inode &&
           std::chrono::steady_clock::now() - start < std::chrono::seconds(120))
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    ::kill(child.pid, SIGKILL);
    const Result r = finish(child);
    ASSERT_EQ(r.signal, SIGKILL) << "the run ended before it could be killed; make it longer\n" << r;
    const int after = count_new(repo, e);
    EXPECT_GT(after, before) << "killed before any write";
    EXPECT_LT(after, k_files) << "killed after the last write";
    const auto temps = temp_files(repo.path());
    EXPECT_LE(temps.size(), static_cast<std::size_t>(k_jobs)) << "more temporary files than jobs";
    leftovers += static_cast<int>(temps.size());
  }

  // The next run removes what the killed ones left and finishes the job.
  const auto temps = temp_files(repo.path());
  const Result r = run_binary(repo.path(), {"fix", "--no-policy", "--jobs=2"});
  EXPECT_EQ(r.code, 0) << r;
  for (const auto& t : temps)
    EXPECT_TRUE(contains(r.err, "dockmend: note: removed '" + (repo / t).string() + "', left by an interrupted run\n"))
        << t << "\n" << r;
  EXPECT_EQ(count_new(repo, e), k_files);
  EXPECT_EQ(temp_files(repo.path()), std::vector<std::string>{});
  RecordProperty("temporary_files_left_by_kills", leftovers);
}
