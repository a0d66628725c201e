// io::create_file: a new file is written as an edited one is (a temporary file
// beside it, fsync, then put in place), never overwrites a file that appeared
// meanwhile, and an interruption at any step leaves no partial file.
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

class CreateFile : public ::testing::Test {
 protected:
  void TearDown() override { set_write_fault_for_testing({}); }
  TempDir dir_;
};

TEST_F(CreateFile, WritesTheWholeFileWithTheUmasksModeAndNoTempFile) {
  const std::string path = dir_ / "mainpc.yaml";
  const mode_t old_mask = ::umask(027);
  const WriteResult result = create_file(path, "gpu: rtx4090\nvram_gb: 24\n");
  ::umask(old_mask);
  ASSERT_TRUE(result.ok()) << result.error->message;
  EXPECT_EQ(slurp(path), "gpu: rtx4090\nvram_gb: 24\n");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640U);  // 0666 less the umask, as open(O_CREAT) gives
  EXPECT_EQ(st.st_nlink, 1U);            // the temporary name is gone
  EXPECT_TRUE(temp_files_in(dir_.path()).empty());
}

TEST_F(CreateFile, EmptyAndLargeContent) {
  ASSERT_TRUE(create_file(dir_ / "empty", "").ok());
  EXPECT_EQ(slurp(dir_ / "empty"), "");
  const std::string big(3 * 1024 * 1024 + 7, 'x');
  ASSERT_TRUE(create_file(dir_ / "big", big).ok());
  EXPECT_EQ(slurp(dir_ / "big"), big);
}

TEST_F(CreateFile, RefusesAnExistingFileAndLeavesItAsItIs) {
  const std::string path = dir_ / "mainpc.yaml";
  write_file(path, "mine\n");
  const WriteResult result = create_file(path, "theirs\n", "svc/mainpc.yaml");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error->message, "cannot create 'svc/mainpc.yaml': a file appeared there meanwhile; it was left as it is");
  EXPECT_EQ(slurp(path), "mine\n");
  EXPECT_TRUE(temp_files_in(dir_.path()).empty());
}

TEST_F(CreateFile, AFileAppearingBetweenWritingAndPublishingIsNotOverwritten) {
  const std::string path = dir_ / "mainpc.yaml";
  // Someone creates the file while ours is being written: just before it is put in place.
  set_write_fault_for_testing([&](WriteStep step) {
    if (step == WriteStep::rename) write_file(path, "written meanwhile\n");
    return 0;
  });
  const WriteResult result = create_file(path, "ours\n");
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error->message.find("appeared there meanwhile"), std::string::npos) << result.error->message;
  EXPECT_EQ(slurp(path), "written meanwhile\n");
  EXPECT_TRUE(temp_files_in(dir_.path()).empty());
}

TEST_F(CreateFile, ASymlinkAppearingInItsPlaceIsNotFollowed) {
  const std::string path = dir_ / "mainpc.yaml";
  write_file(dir_ / "elsewhere", "keep\n");
  ASSERT_EQ(::symlink("elsewhere", path.c_str()), 0);
  ASSERT_FALSE(create_file(path, "ours\n").ok());
  EXPECT_EQ(slurp(dir_ / "elsewhere"), "keep\n");
}

TEST_F(CreateFile, MissingDirectoryIsAnError) {
  const WriteResult result = create_file(dir_ / "no/such/f", "x");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error->error_number, ENOENT);
}

struct CreateFaultCase {
  WriteStep step;
  int error_number;
  const char* detail;
};

class CreateFileFault : public CreateFile, public ::testing::WithParamInterface<CreateFaultCase> {};

std::string create_fault_name(const ::testing::TestParamInfo<CreateFaultCase>& info) {
  static const char* const k_names[] = {"access", "open", "write", "fsync", "chown", "chmod", "rename", "fsync_dir"};
  return k_names[static_cast<int>(info.param.step)];
}

// Each step before the file is put in place failing in turn, as an interruption
// between creating and renaming would: no file at the path, no temporary left.
TEST_P(CreateFileFault, NothingIsLeftAtThePathNorBesideIt) {
  const CreateFaultCase fault = GetParam();
  const std::string path = dir_ / "mainpc.yaml";
  int calls = 0;
  set_write_fault_for_testing([&](WriteStep step) {
    if (step != fault.step) return 0;
    ++calls;
    return fault.error_number;
  });
  const WriteResult result = create_file(path, "gpu: rtx4090\n");
  EXPECT_EQ(calls, 1);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error->error_number, fault.error_number);
  EXPECT_NE(result.error->message.find("cannot create '" + path + "'"), std::string::npos) << result.error->message;
  EXPECT_NE(result.error->message.find(fault.detail), std::string::npos) << result.error->message;
  EXPECT_FALSE(fs::exists(fs::symlink_status(path)));
  EXPECT_TRUE(temp_files_in(dir_.path()).empty());

  set_write_fault_for_testing({});
  ASSERT_TRUE(create_file(path, "gpu: rtx4090\n").ok());
  EXPECT_EQ(slurp(path), "gpu: rtx4090\n");
}

INSTANTIATE_TEST_SUITE_P(EachStep, CreateFileFault,
                         ::testing::Values(CreateFaultCase{WriteStep::open, EMFILE, "cannot create a temporary file"},
                                           CreateFaultCase{WriteStep::write, ENOSPC, "No space left on device"},
                                           CreateFaultCase{WriteStep::fsync, EIO, "fsync"},
                                           CreateFaultCase{WriteStep::chmod, EPERM, "mode"},
                                           CreateFaultCase{WriteStep::rename, EXDEV, "cannot put the file in place"}),
                         create_fault_name);

TEST_F(CreateFile, DirectorySyncFailureIsReportedAfterTheFileLanded) {
  const std::string path = dir_ / "mainpc.yaml";
  set_write_fault_for_testing([](WriteStep step) { return step == WriteStep::fsync_dir ? EIO : 0; });
  const WriteResult result = create_file(path, "x\n");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error->message,
            "cannot create '" + path + "': written, but syncing its directory failed: Input/output error");
  EXPECT_EQ(slurp(path), "x\n");
  EXPECT_TRUE(temp_files_in(dir_.path()).empty());
}

}  // namespace
}  // namespace dockmend::io
