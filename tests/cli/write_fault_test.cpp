// Faults during in-place writes: every step of io::atomic_write failing in turn
// (through its test seam), a file size limit (RLIMIT_FSIZE) on the real program,
// and a full filesystem (a small tmpfs, where we may mount one). After each, every
// file holds exactly its old bytes or its new bytes, no temporary file is left,
// the run names each file it did not write, and exits 2.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>

#include <set>

#include "cli_test_support.hpp"

using namespace dockmend;
using namespace dockmend::clitest;

namespace {

// Files of different shapes; `expected_new` is what a clean run makes of them.
struct Tree {
  std::map<std::string, std::string> old_bytes, new_bytes;
};

std::string dockerfile(int i, std::size_t padding) {
  std::string s = i % 3 == 0 ? "FROM alpine\r\nMAINTAINER Jo " + std::to_string(i) + "\r\n"
                             : "FROM debian:12\nMAINTAINER Jo " + std::to_string(i) + "\n";
  // Comment lines of 100 bytes: buildkit refuses lines over 64 KiB.
  for (std::size_t n = 0; n < padding; n += 100) s += "# " + std::string(97, 'p') + (i % 3 == 0 ? "\r\n" : "\n");
  return s + "RUN echo " + std::to_string(i) + "\n";
}

// Writes the files into `repo` and learns their fixed form from a fault-free
// run on a copy.
Tree make_tree(const TempRepo& repo, const std::vector<std::pair<std::string, std::size_t>>& files) {
  Tree t;
  TempRepo reference;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const std::string bytes = dockerfile(static_cast<int>(i), files[i].second);
    repo.write(files[i].first, bytes);
    reference.write(files[i].first, bytes);
    t.old_bytes[files[i].first] = bytes;
  }
  const Result r = run_in(reference.path(), {"fix", "--no-policy", "--jobs=1"});
  EXPECT_EQ(r.code, 0) << r;
  for (const auto& [path, bytes] : t.old_bytes) {
    t.new_bytes[path] = reference.read(path);
    EXPECT_TRUE(t.new_bytes[path] != bytes) << path << ": the fixture must change every file";
  }
  return t;
}

// Each file is old or new, never anything else; returns the paths still old.
std::set<std::string> check_old_or_new(const TempRepo& repo, const Tree& t) {
  std::set<std::string> old;
  for (const auto& [path, bytes] : t.old_bytes) {
    const std::string now = repo.read(path);
    if (now == bytes) old.insert(path);
    else EXPECT_TRUE(now == t.new_bytes.at(path)) << path << " holds neither its old nor its new bytes";
  }
  return old;
}

const char* step_name(io::WriteStep s) {
  switch (s) {
    case io::WriteStep::access: return "access";
    case io::WriteStep::open: return "open";
    case io::WriteStep::write: return "write";
    case io::WriteStep::fsync: return "fsync";
    case io::WriteStep::chown: return "chown";
    case io::WriteStep::chmod: return "chmod";
    case io::WriteStep::rename: return "rename";
    case io::WriteStep::fsync_dir: return "fsync_dir";
  }
  return "?";
}

struct Fault {
  io::WriteStep step;
  int error_number;
  std::string detail;  // what the message says between the path and strerror
};

class WriteFault : public ::testing::TestWithParam<Fault> {};

std::string fault_name(const ::testing::TestParamInfo<Fault>& info) {
  return std::string(step_name(info.param.step)) + "_" + std::to_string(info.param.error_number);
}

}  // namespace

TEST_P(WriteFault, FailingStepLeavesOldBytesNamesTheFileAndCleansUp) {
  const Fault& f = GetParam();
  TempRepo repo;
  const Tree t = make_tree(repo, {{"a/Dockerfile", 10}, {"b/Dockerfile", 70000}, {"c/Dockerfile", 10}});
  const auto b_inode = snapshot(repo / "b").at("Dockerfile").inode;
  // The second write (b/Dockerfile) fails at the chosen step.
  auto writes = std::make_shared<int>(0);
  io::set_write_fault_for_testing([=](io::WriteStep s) {
    if (s == io::WriteStep::access) ++*writes;
    return *writes == 2 && s == f.step ? f.error_number : 0;
  });
  const Result r = run_in(repo.path(), {"fix", "--no-policy", "--jobs=1"});
  io::set_write_fault_for_testing({});

  EXPECT_EQ(r.code, 2) << r;
  const bool after_rename = f.step == io::WriteStep::fsync_dir;
  const std::string message = "dockmend: error: cannot write 'b/Dockerfile': " + f.detail +
                              io::errno_text(f.error_number) +
                              (after_rename ? " (the new content is in place)\n" : " (not written)\n");
  EXPECT_TRUE(contains(r.err, message)) << "expected: " << message << r;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 3) << r;  // the error and the summary (counts, by rule)
  const std::set<std::string> old = check_old_or_new(repo, t);
  if (after_rename) {
    // The rename happened: the new content is in place, and the run says so.
    EXPECT_TRUE(old.empty());
    EXPECT_TRUE(contains(r.err, "3 files scanned, 3 changed")) << r;
  } else {
    EXPECT_EQ(old, std::set<std::string>{"b/Dockerfile"});
    EXPECT_EQ(snapshot(repo / "b").at("Dockerfile").inode, b_inode) << "b/Dockerfile was replaced";
    EXPECT_TRUE(contains(r.err, "3 files scanned, 2 changed")) << r;
  }
  EXPECT_EQ(temp_files(repo.path()), std::vector<std::string>{});
}

INSTANTIATE_TEST_SUITE_P(
    Steps, WriteFault,
    ::testing::Values(Fault{io::WriteStep::access, EACCES, ""}, Fault{io::WriteStep::access, EROFS, ""},
                      Fault{io::WriteStep::open, ENOSPC, "cannot create a temporary file in 'b': "},
                      Fault{io::WriteStep::open, EMFILE, "cannot create a temporary file in 'b': "},
                      Fault{io::WriteStep::write, ENOSPC, "writing the temporary file failed: "},
                      Fault{io::WriteStep::write, EDQUOT, "writing the temporary file failed: "},
                      Fault{io::WriteStep::write, EIO, "writing the temporary file failed: "},
                      Fault{io::WriteStep::fsync, EIO, "fsync of the temporary file failed: "},
                      Fault{io::WriteStep::chown, EPERM, "cannot give the new file the original owner: "},
                      Fault{io::WriteStep::chmod, EPERM, "cannot give the new file the original mode: "},
                      Fault{io::WriteStep::rename, EXDEV, "cannot replace the file: "},
                      Fault{io::WriteStep::rename, EBUSY, "cannot replace the file: "},
                      Fault{io::WriteStep::fsync_dir, EIO, "written, but syncing its directory failed: "}),
    fault_name);

TEST(WriteLimits, FileSizeLimitStopsBigWritesOnlyAndEveryFileIsOldOrNew) {
  TempRepo repo;
  std::vector<std::pair<std::string, std::size_t>> files;
  for (int i = 0; i < 12; ++i)
    files.emplace_back("svc" + std::to_string(i) + "/Dockerfile", i % 3 == 1 ? 200000 : 100 * static_cast<std::size_t>(i));
  const Tree t = make_tree(repo, files);
  std::set<std::string> big;
  for (const auto& [path, bytes] : t.new_bytes)
    if (bytes.size() > 64 * 1024) big.insert(path);
  ASSERT_EQ(big.size(), 4u);
  // Pipes carry the output, so the limit only bites on files; SIGXFSZ is
  // ignored so that write() fails with EFBIG instead of killing the program.
  const Result r = run_binary(repo.path(), {"fix", "--no-policy", "--jobs=2"}, [] {
    ::signal(SIGXFSZ, SIG_IGN);
    const rlimit limit{64 * 1024, 64 * 1024};
    return ::setrlimit(RLIMIT_FSIZE, &limit) == 0;
  });
  EXPECT_EQ(r.code, 2) << r;
  for (const auto& path : big)
    EXPECT_TRUE(contains(r.err, "dockmend: error: cannot write '" + path +
                                    "': writing the temporary file failed: File too large (not written)\n"))
        << path << "\n" << r;
  EXPECT_TRUE(contains(r.err, "12 files scanned, 8 changed")) << r;
  EXPECT_EQ(check_old_or_new(repo, t), big);
  EXPECT_EQ(temp_files(repo.path()), std::vector<std::string>{});
}

TEST(WriteLimits, FullFilesystemLeavesEveryFileOldOrNew) {
  TempRepo repo;
  const fs::path mnt = repo / "full";
  fs::create_directories(mnt);
  // A 512 KiB tmpfs: root in a container may not be allowed to mount one.
  if (::mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=512k") != 0)
    GTEST_SKIP() << "cannot mount a small tmpfs here (" << io::errno_text(errno) << ")";
  struct Unmount {
    fs::path p;
    ~Unmount() { ::umount2(p.c_str(), MNT_DETACH); }
  } unmount{mnt};
  // Three files of 150 KB fill most of it; replacing one needs a second copy.
  std::vector<std::pair<std::string, std::size_t>> files;
  for (int i = 0; i < 3; ++i) files.emplace_back("full/big" + std::to_string(i) + "/Dockerfile", 150000);
  for (int i = 0; i < 3; ++i) files.emplace_back("full/small" + std::to_string(i) + "/Dockerfile", 10);
  const Tree t = make_tree(repo, files);
  const Result r = run_binary(repo.path(), {"fix", "--no-policy", "--jobs=1", "full"});
  EXPECT_EQ(r.code, 2) << r;
  EXPECT_TRUE(contains(r.err, "No space left on device (not written)\n")) << r;
  const std::set<std::string> old = check_old_or_new(repo, t);
  EXPECT_FALSE(old.empty());
  for (const auto& path : old)
    EXPECT_TRUE(contains(r.err, "dockmend: error: cannot write '" + path + "': ")) << path << " not reported\n" << r;
  EXPECT_EQ(temp_files(repo.path()), std::vector<std::string>{});
  // Once there is room again, a second run finishes the job.
  fs::remove_all(mnt / "big0");
  const Result again = run_binary(repo.path(), {"fix", "--no-policy", "--jobs=1", "full"});
  EXPECT_EQ(again.code, 0) << again;
  Tree rest = t;
  rest.old_bytes.erase("full/big0/Dockerfile");
  EXPECT_EQ(check_old_or_new(repo, rest), std::set<std::string>{});
  EXPECT_EQ(temp_files(repo.path()), std::vector<std::string>{});
}
