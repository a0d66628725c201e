#include "io/atomic_write.hpp"

#include "io_test_support.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace dockmend::io {
namespace {

namespace fs = std::filesystem;
using testing::slurp;
using testing::temp_files_in;
using testing::TempDir;
using testing::write_file;

class AtomicWrite : public ::testing::Test {
 protected:
  void TearDown() override {
    set_write_fault_for_testing({});
    set_read_fault_for_testing({});
  }

  // Writes `bytes` to `name` and reads it back for its stamp.
  FileStamp prepare(const std::string& name, const std::string& bytes, mode_t mode = 0644) {
    const std::string path = dir_ / name;
    write_file(path, bytes);
    EXPECT_EQ(::chmod(path.c_str(), mode), 0);
    const ReadResult read = read_file(path);
    EXPECT_TRUE(read.ok());
    return read.stamp;
  }

  static void set_mtime(const std::string& path, std::int64_t mtime_ns) {
    const timespec times[2] = {{0, UTIME_OMIT}, {mtime_ns / 1'000'000'000, mtime_ns % 1'000'000'000}};
    ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
  }

  TempDir dir_;
};

TEST_F(AtomicWrite, ReplacesContentKeepsModeLeavesNoTempFile) {
  const FileStamp stamp = prepare("Dockerfile", "FROM old\n", 0640);
  const std::string path = dir_ / "Dockerfile";
  const WriteResult result = atomic_write(path, "FROM new\r\nRUN x", stamp);
  ASSERT_TRUE(result.ok()) << result.error->message;
  EXPECT_EQ(slurp(path), "FROM new\r\nRUN x");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640U);
  EXPECT_NE(static_cast<std::uint64_t>(st.st_ino), stamp.inode);  // a new file took its place
  EXPECT_TRUE(temp_files_in(dir_.path()).empty());
}

TEST_F(AtomicWrite, EmptyAndLargeContent) {
  const std::string path = dir_ / "Dockerfile";
  ASSERT_TRUE(atomic_write(path, "", prepare("Dockerfile", "FROM a\n")).ok());
  EXPECT_EQ(slurp(path), "");
  const std::string big(3 * 1024 * 1024 + 7, 'x');
  ASSERT_TRUE(atomic_write(path, big, read_file(path).stamp).ok());
  EXPECT_EQ(slurp(path), big);
}

TEST_F(AtomicWrite, KeepsSpecialModeBitsAndOwner) {
  const FileStamp stamp = prepare("Dockerfile", "FROM a\n", 04755);
  const std::string path = dir_ / "Dockerfile";
  FileStamp fresh = stamp;
  if (::geteuid() == 0) {
    ASSERT_EQ(::chown(path.c_str(), 12345, 23456), 0);
    ASSERT_EQ(::chmod(path.c_str(), 04755), 0);  // chown cleared set-user-ID
    fresh = read_file(path).stamp;
  }
  ASSERT_TRUE(atomic_write(path, "FROM b\n", fresh).ok());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 04755U);
  if (::geteuid() == 0) {
    EXPECT_EQ(st.st_uid, 12345U);
    EXPECT_EQ(st.st_gid, 23456U);
  }
}

TEST_F(AtomicWrite, FollowsSymlinkAndKeepsTheLink) {
  const FileStamp stamp = prepare("real/Dockerfile", "FROM a\n");
  fs::create_directories(dir_.path() / "links");
  fs::create_symlink("../real/Dockerfile", dir_.path() / "links/Dockerfile");
  fs::create_symlink("links/Dockerfile", dir_.path() / "chain");  // link to a link

  const std::string link = dir_ / "chain";
  const ReadResult through_link = read_file(link);
  ASSERT_TRUE(through_link.ok());
  EXPECT_EQ(through_link.stamp.inode, stamp.inode);
  ASSERT_TRUE(atomic_write(link, "FROM b\n", through_link.stamp).ok());

  EXPECT_TRUE(fs::is_symlink(dir_.path() / "chain"));
  EXPECT_TRUE(fs::is_symlink(dir_.path() / "links/Dockerfile"));
  EXPECT_EQ(slurp(dir_ / "real/Dockerfile"), "FROM b\n");
  EXPECT_TRUE(temp_files_in(dir_.path() / "real").empty());
  EXPECT_TRUE(temp_files_in(dir_.path() / "links").empty());
  EXPECT_TRUE(temp_files_in(dir_.path()).empty());
}

TEST_F(AtomicWrite, RelativePathInCurrentDirectory) {
  const FileStamp stamp = prepare("Dockerfile", "FROM a\n");
  testing::ScopedChdir cd(dir_.path());
  ASSERT_TRUE(atomic_write("Dockerfile", "FROM b\n", stamp).ok());
  EXPECT_EQ(slurp("Dockerfile"), "FROM b\n");
  EXPECT_TRUE(temp_files_in(".").empty());
}

TEST_F(AtomicWrite, RefusesWithoutStamp) {
  prepare("Dockerfile", "FROM a\n");
  const WriteResult result = atomic_write(dir_ / "Dockerfile", "x", FileStamp{});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(slurp(dir_ / "Dockerfile"), "FROM a\n");
}

TEST_F(AtomicWrite, RefusesWhenSizeChanged) {
  const FileStamp stamp = prepare("Dockerfile", "FROM a\n");
  const std::string path = dir_ / "Dockerfile";
  write_file(path, "FROM a\nRUN someone else\n");
  const WriteResult result = atomic_write(path, "FROM b\n", stamp);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error->message, "cannot write '" + path + "': it changed on disk since it was read");
  EXPECT_EQ(result.error->path, path);
  EXPECT_EQ(slurp(path), "FROM a\nRUN someone else\n");
  EXPECT_TRUE(temp_files_in(dir_.path()).empty());
}

TEST_F(AtomicWrite, RefusesSameSizeChangeHiddenInTheSameTimestampTick) {
  // The file was just written, so its stamp is "racy": another write in the same
  // mtime tick would leave size, inode and mtime alone. Simulate exactly that.
  const FileStamp stamp = prepare("Dockerfile", "FROM a\n");
  const std::string path = dir_ / "Dockerfile";
  {
    std::fstream out(path, std::ios::in | std::ios::out | std::ios::binary);
    out.seekp(5);
    out.put('z');
  }
  set_mtime(path, stamp.mtime_ns);
  const WriteResult result = atomic_write(path, "FROM b\n", stamp);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error->message.find("changed on disk"), std::string::npos);
  EXPECT_EQ(slurp(path), "FROM z\n");
}

TEST_F(AtomicWrite, TouchOrIdenticalRewriteIsNotAConflict) {
  const std::string path = dir_ / "Dockerfile";
  FileStamp stamp = prepare("Dockerfile", "FROM a\n");
  set_mtime(path, stamp.mtime_ns + 5'000'000'000LL);  // touched
  ASSERT_TRUE(atomic_write(path, "FROM b\n", stamp).ok());

  // Replaced by an editor's save-as-rename with the same bytes: new inode, same content.
  stamp = read_file(path).stamp;
  write_file(dir_ / "other", "FROM b\n");
  fs::rename(dir_.path() / "other", path);
  ASSERT_TRUE(atomic_write(path, "FROM c\n", stamp).ok());
  EXPECT_EQ(slurp(path), "FROM c\n");
}

TEST_F(AtomicWrite, RefusesReplacedFileWithDifferentContent) {
  const std::string path = dir_ / "Dockerfile";
  const FileStamp stamp = prepare("Dockerfile", "FROM a\n");
  write_file(dir_ / "other", "FROM q\n");  // same size
  fs::rename(dir_.path() / "other", path);
  ASSERT_FALSE(atomic_write(path, "FROM b\n", stamp).ok());
  EXPECT_EQ(slurp(path), "FROM q\n");
}

TEST_F(AtomicWrite, OldTrustedStampSkipsTheReread) {
  // A stamp well before the read is trusted without reading the file again.
  const std::string path = dir_ / "Dockerfile";
  write_file(path, "FROM a\n");
  set_mtime(path, 1'000'000'000LL * 1'000'000'000LL);  // 2001
  const FileStamp stamp = read_file(path).stamp;
  set_read_fault_for_testing([](ReadStep) { return EIO; });
  ASSERT_TRUE(atomic_write(path, "FROM b\n", stamp).ok());
  EXPECT_EQ(slurp(path), "FROM b\n");
}

TEST_F(AtomicWrite, RefusesWhenFileWasRemoved) {
  const FileStamp stamp = prepare("Dockerfile", "FROM a\n");
  const std::string path = dir_ / "Dockerfile";
  fs::remove(path);
  const WriteResult result = atomic_write(path, "FROM b\n", stamp);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error->message,
            "cannot write '" + path + "': it was removed since it was read: No such file or directory");
  EXPECT_EQ(result.error->error_number, ENOENT);
  EXPECT_FALSE(fs::exists(path));
}

TEST_F(AtomicWrite, ReadOnlyFileAsRootIsWrittenAndStaysReadOnly) {
  const FileStamp stamp = prepare("Dockerfile", "FROM a\n", 0444);
  const std::string path = dir_ / "Dockerfile";
  if (::geteuid() != 0) {
    const WriteResult refused = atomic_write(path, "FROM b\n", stamp);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error->error_number, EACCES);
    return;
  }
  ASSERT_TRUE(atomic_write(path, "FROM b\n", stamp).ok());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0444U);
}

TEST_F(AtomicWrite, ReadOnlyFileForNonRootIsRefused) {
  // Root bypasses mode bits, so simulate what an ordinary user gets.
  const FileStamp stamp = prepare("Dockerfile", "FROM a\n", 0444);
  const std::string path = dir_ / "Dockerfile";
  set_write_fault_for_testing([](WriteStep step) { return step == WriteStep::access ? EACCES : 0; });
  const WriteResult result = atomic_write(path, "FROM b\n", stamp);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error->message, "cannot write '" + path + "': Permission denied");
  EXPECT_EQ(slurp(path), "FROM a\n");
}

TEST_F(AtomicWrite, ReadOnlyDirectoryForNonRootIsRefused) {
  const FileStamp stamp = prepare("ro/Dockerfile", "FROM a\n");
  const std::string path = dir_ / "ro/Dockerfile";
  ASSERT_EQ(::chmod((dir_ / "ro").c_str(), 0555), 0);
  set_write_fault_for_testing([](WriteStep step) { return step == WriteStep::open ? EACCES : 0; });
  const WriteResult result = atomic_write(path, "FROM b\n", stamp);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error->message, "cannot write '" + path + "': cannot create a temporary file in '" +
                                       (dir_ / "ro") + "': Permission denied");
  EXPECT_EQ(slurp(path), "FROM a\n");
  ASSERT_EQ(::chmod((dir_ / "ro").c_str(), 0755), 0);
}

struct FaultCase {
  WriteStep step;
  int error_number;
  const char* detail;
};

std::string fault_case_name(const ::testing::TestParamInfo<FaultCase>& info) {
  static const char* const k_names[] = {"access", "open", "write", "fsync", "chown", "chmod", "rename", "fsync_dir"};
  return k_names[static_cast<int>(info.param.step)];
}

class AtomicWriteFault : public AtomicWrite, public ::testing::WithParamInterface<FaultCase> {};

TEST_P(AtomicWriteFault, OriginalUntouchedAndNoTempFileLeft) {
  const FaultCase fault = GetParam();
  const std::string old_bytes = "FROM old\r\nRUN keep\n";
  const FileStamp stamp = prepare("Dockerfile", old_bytes, 0604);
  const std::string path = dir_ / "Dockerfile";
  int calls = 0;
  set_write_fault_for_testing([&](WriteStep step) {
    if (step != fault.step) return 0;
    ++calls;
    return fault.error_number;
  });
  const WriteResult result = atomic_write(path, "FROM new\n", stamp);
  EXPECT_EQ(calls, 1);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error->path, path);
  EXPECT_EQ(result.error->error_number, fault.error_number);
  EXPECT_NE(result.error->message.find("'" + path + "'"), std::string::npos) << result.error->message;
  EXPECT_NE(result.error->message.find(fault.detail), std::string::npos) << result.error->message;
  EXPECT_EQ(slurp(path), old_bytes);
  const ReadResult after = read_file(path);
  EXPECT_EQ(after.stamp.inode, stamp.inode);
  EXPECT_EQ(after.stamp.mode & 07777, 0604U);
  EXPECT_TRUE(temp_files_in(dir_.path()).empty());

  // The seam removed, the same write goes through.
  set_write_fault_for_testing({});
  ASSERT_TRUE(atomic_write(path, "FROM new\n", stamp).ok());
  EXPECT_EQ(slurp(path), "FROM new\n");
}

INSTANTIATE_TEST_SUITE_P(
    EachStep, AtomicWriteFault,
    ::testing::Values(FaultCase{WriteStep::access, EACCES, "Permission denied"},
                      FaultCase{WriteStep::open, EACCES, "cannot create a temporary file"},
                      FaultCase{WriteStep::write, ENOSPC, "No space left on device"},
                      FaultCase{WriteStep::fsync, EIO, "fsync"},
                      FaultCase{WriteStep::chown, EPERM, "owner"},
                      FaultCase{WriteStep::chmod, EPERM, "mode"},
                      FaultCase{WriteStep::rename, EXDEV, "cannot replace the file"}),
    fault_case_name);

TEST_F(AtomicWrite, DirectorySyncFailureIsReportedAfterTheContentLanded) {
  const FileStamp stamp = prepare("Dockerfile", "FROM old\n");
  const std::string path = dir_ / "Dockerfile";
  set_write_fault_for_testing([](WriteStep step) { return step == WriteStep::fsync_dir ? EIO : 0; });
  const WriteResult result = atomic_write(path, "FROM new\n", stamp);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error->message,
            "cannot write '" + path + "': written, but syncing its directory failed: Input/output error");
  EXPECT_EQ(slurp(path), "FROM new\n");
  EXPECT_TRUE(temp_files_in(dir_.path()).empty());
}

TEST_F(AtomicWrite, FaultThroughSymlinkNamesTheLinkAndKeepsTarget) {
  const FileStamp stamp = prepare("real/Dockerfile", "FROM a\n");
  fs::create_symlink("real/Dockerfile", dir_.path() / "Dockerfile");
  const std::string link = dir_ / "Dockerfile";
  set_write_fault_for_testing([](WriteStep step) { return step == WriteStep::rename ? EIO : 0; });
  const WriteResult result = atomic_write(link, "FROM b\n", stamp);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error->path, link);
  EXPECT_EQ(slurp(dir_ / "real/Dockerfile"), "FROM a\n");
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_TRUE(temp_files_in(dir_.path() / "real").empty());
}

}  // namespace
}  // namespace dockmend::io
