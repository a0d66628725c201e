#include "io/read_file.hpp"

#include "io/sharding.hpp"
#include "io_test_support.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <sys/stat.h>
#include <unistd.h>

namespace dockmend::io {
namespace {

using testing::TempDir;
using testing::write_file;

class ReadFile : public ::testing::Test {
 protected:
  void TearDown() override { set_read_fault_for_testing({}); }
  TempDir dir_;
};

TEST_F(ReadFile, ReadsBytesExactlyAndStampsTheFile) {
  const std::string bytes = std::string("FROM a\r\nRUN b\n\0binary\xff", 22) + "no newline";
  const std::string path = dir_ / "Dockerfile";
  write_file(path, bytes);
  ASSERT_EQ(::chmod(path.c_str(), 0640), 0);

  const ReadResult result = read_file(path);
  ASSERT_TRUE(result.ok()) << result.error->message;
  EXPECT_EQ(result.bytes, bytes);

  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  const FileStamp& stamp = result.stamp;
  EXPECT_TRUE(stamp.known);
  EXPECT_EQ(stamp.dev, static_cast<std::uint64_t>(st.st_dev));
  EXPECT_EQ(stamp.inode, static_cast<std::uint64_t>(st.st_ino));
  EXPECT_EQ(stamp.size, static_cast<std::int64_t>(bytes.size()));
  EXPECT_EQ(stamp.mtime_ns, st.st_mtim.tv_sec * 1'000'000'000LL + st.st_mtim.tv_nsec);
  EXPECT_EQ(stamp.mode & 07777, 0640U);
  EXPECT_TRUE(S_ISREG(stamp.mode));
  EXPECT_EQ(stamp.uid, st.st_uid);
  EXPECT_EQ(stamp.gid, st.st_gid);
  EXPECT_EQ(stamp.content_hash, fnv1a_64(bytes));
  EXPECT_GT(stamp.read_at_ns, 0);
}

TEST_F(ReadFile, WithoutStampReadsTheSameBytes) {
  ReadOptions no_stamp;
  no_stamp.stamp = false;
  for (std::size_t size : {0u, 1u, 100u, 65535u, 65536u, 65537u, 300000u}) {
    std::string bytes(size, 'x');
    for (std::size_t i = 0; i < size; i += 97) bytes[i] = '\n';
    const std::string path = dir_ / ("f" + std::to_string(size));
    write_file(path, bytes);
    const ReadResult plain = read_file(path, no_stamp);
    ASSERT_TRUE(plain.ok()) << plain.error->message;
    EXPECT_EQ(plain.bytes, bytes) << size;
    EXPECT_FALSE(plain.stamp.known);
    const ReadResult stamped = read_file(path);
    EXPECT_EQ(stamped.bytes, bytes) << size;
    EXPECT_TRUE(stamped.stamp.known);
  }
}

TEST_F(ReadFile, NoSymlinksSaysWhetherThePathHadNone) {
  const std::string bytes = "FROM a\n";
  write_file(dir_ / "real/Dockerfile", bytes);
  std::filesystem::create_directory_symlink(dir_ / "real", dir_ / "link");
  std::filesystem::create_symlink(dir_ / "real/Dockerfile", dir_ / "file-link");
  ReadOptions o;
  o.no_symlinks = true;
  const ReadResult plain = read_file(dir_ / "real/Dockerfile", o);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain.bytes, bytes);
  EXPECT_TRUE(plain.no_symlinks);
  // Links on the way, or the file itself a link: read all the same, and said.
  for (const std::string& path : {dir_ / "link/Dockerfile", dir_ / "file-link"}) {
    const ReadResult r = read_file(path, o);
    ASSERT_TRUE(r.ok()) << path;
    EXPECT_EQ(r.bytes, bytes) << path;
    EXPECT_FALSE(r.no_symlinks) << path;
  }
  // Without the option it is never claimed; errors are the file's own.
  EXPECT_FALSE(read_file(dir_ / "real/Dockerfile").no_symlinks);
  const ReadResult missing = read_file(dir_ / "real/missing", o);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error->error_number, ENOENT);
  const ReadResult dangling_dir = read_file(dir_ / "link/missing", o);
  ASSERT_FALSE(dangling_dir.ok());
  EXPECT_EQ(dangling_dir.error->error_number, ENOENT);
}

TEST_F(ReadFile, EmptyFile) {
  write_file(dir_ / "empty", "");
  const ReadResult result = read_file(dir_ / "empty");
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.bytes, "");
  EXPECT_EQ(result.stamp.size, 0);
}

TEST_F(ReadFile, MissingFile) {
  const std::string path = dir_ / "nope";
  const ReadResult result = read_file(path);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error->message, "cannot read '" + path + "': No such file or directory");
  EXPECT_EQ(result.error->path, path);
  EXPECT_EQ(result.error->error_number, ENOENT);
  EXPECT_FALSE(result.stamp.known);
}

TEST_F(ReadFile, RefusesDirectories) {
  const ReadResult result = read_file(dir_.str());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error->message, "cannot read '" + dir_.str() + "': Is a directory");
  EXPECT_EQ(result.error->error_number, EISDIR);
}

TEST_F(ReadFile, RefusesFifoWithoutBlocking) {
  const std::string path = dir_ / "pipe";
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  const ReadResult result = read_file(path);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error->message, "cannot read '" + path + "': not a regular file");
}

TEST_F(ReadFile, FollowsSymlinks) {
  write_file(dir_ / "real", "FROM a\n");
  std::filesystem::create_symlink("real", dir_.path() / "link");
  const ReadResult result = read_file(dir_ / "link");
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.bytes, "FROM a\n");
}

TEST_F(ReadFile, SizeLimitIsAnErrorNotARead) {
  const std::string path = dir_ / "big";
  write_file(path, std::string(11, 'x'));
  ReadOptions options;
  options.max_bytes = 10;
  const ReadResult over = read_file(path, options);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error->error_number, EFBIG);
  EXPECT_EQ(over.error->message, "cannot read '" + path + "': file is larger than the 10 bytes limit (11 bytes)");
  EXPECT_TRUE(over.bytes.empty());

  options.max_bytes = 11;
  EXPECT_TRUE(read_file(path, options).ok());
}

TEST_F(ReadFile, DefaultLimitIs64MiB) {
  EXPECT_EQ(ReadOptions{}.max_bytes, 64ULL * 1024 * 1024);
  // A sparse file just over the limit: refused from its size, never read.
  const std::string path = dir_ / "huge";
  write_file(path, "");
  ASSERT_EQ(::truncate(path.c_str(), 64LL * 1024 * 1024 + 1), 0);
  const ReadResult result = read_file(path);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error->message,
            "cannot read '" + path + "': file is larger than the 64 MiB limit (67108865 bytes)");
}

TEST_F(ReadFile, PermissionDeniedViaFaultSeam) {
  // Tests run as root, where mode bits do not stop reads: inject the errno.
  const std::string path = dir_ / "secret";
  write_file(path, "x");
  set_read_fault_for_testing([](ReadStep step) { return step == ReadStep::open ? EACCES : 0; });
  const ReadResult result = read_file(path);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error->message, "cannot read '" + path + "': Permission denied");
  EXPECT_EQ(result.error->error_number, EACCES);
}

TEST_F(ReadFile, ReadErrorViaFaultSeam) {
  const std::string path = dir_ / "flaky";
  write_file(path, "x");
  set_read_fault_for_testing([](ReadStep step) { return step == ReadStep::read ? EIO : 0; });
  const ReadResult result = read_file(path);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error->message, "cannot read '" + path + "': Input/output error");
  EXPECT_TRUE(result.bytes.empty());
}

}  // namespace
}  // namespace dockmend::io
