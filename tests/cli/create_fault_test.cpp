// New files (the machine profiles `fix` copies into a service) are written as
// edited ones are (io::create_file): interrupted between creating the file and
// putting it in place, by a failing step or by the process dying there, a run
// leaves no half-written profile; the profiles written before are whole, and
// the next run finishes the job.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include "cli_test_support.hpp"

using namespace dockmend;
using namespace dockmend::clitest;

namespace {

// The Phase 4 example: `fix` edits three Dockerfiles and creates four profiles.
struct Example {
  TempRepo repo;
  std::map<std::string, std::string> profiles;  // what a clean run creates

  Example() {
    fs::copy(test::source_dir() / "examples" / "phase4", repo.path(), fs::copy_options::recursive);
    TempRepo reference;
    fs::copy(test::source_dir() / "examples" / "phase4", reference.path(), fs::copy_options::recursive);
    const Snapshot before = snapshot(reference.path());
    const Result r = run_in(reference.path(), {"fix", "--jobs=1"});
    EXPECT_EQ(r.code, 0) << r;
    for (const auto& [path, entry] : snapshot(reference.path()))
      if (!before.count(path) && entry.type == 'f') profiles[path] = reference.read(path);
    EXPECT_EQ(profiles.size(), 4u) << r;
  }
  // The profiles now on disk (absent ones left out).
  std::map<std::string, std::string> present() const {
    std::map<std::string, std::string> out;
    for (const auto& [path, bytes] : profiles)
      if (fs::exists(repo / path)) out[path] = repo.read(path);
    return out;
  }
};

// Fails `step` of the `nth` file created (1-based): io::create_file starts with
// `open`, an edit (io::atomic_write) with `access`, and every edit comes first.
std::function<int(io::WriteStep)> fail_creation(int nth, io::WriteStep step, int error_number,
                                                std::function<void()> at_fault = {}) {
  auto last = std::make_shared<io::WriteStep>(io::WriteStep::fsync_dir);
  auto created = std::make_shared<int>(0);
  return [=](io::WriteStep s) {
    if (s == io::WriteStep::open && *last != io::WriteStep::access) ++*created;
    *last = s;
    if (*created != nth || s != step) return 0;
    if (at_fault) at_fault();
    return error_number;
  };
}

}  // namespace

TEST(CreateFault, FailingBeforeThePublishLeavesNoPartialProfileAndNamesIt) {
  for (const io::WriteStep step : {io::WriteStep::open, io::WriteStep::write, io::WriteStep::fsync,
                                   io::WriteStep::chmod, io::WriteStep::rename}) {
    Example ex;
    const std::string second = std::next(ex.profiles.begin())->first;
    io::set_write_fault_for_testing(fail_creation(2, step, ENOSPC));
    const Result r = run_in(ex.repo.path(), {"fix", "--jobs=1"});
    io::set_write_fault_for_testing({});
    SCOPED_TRACE(static_cast<int>(step));
    EXPECT_EQ(r.code, 2) << r;
    EXPECT_TRUE(contains(r.err, "dockmend: error: cannot create '" + second + "': ")) << r;
    EXPECT_TRUE(contains(r.err, "No space left on device (not created)\n")) << r;
    EXPECT_TRUE(contains(r.err, "3 changed, 3 new files")) << r;
    // Every other profile whole, the failed one absent, no temporary file left.
    std::map<std::string, std::string> expected = ex.profiles;
    expected.erase(second);
    EXPECT_EQ(ex.present(), expected);
    EXPECT_EQ(temp_files(ex.repo.path()), std::vector<std::string>{});
    // The next run creates it.
    const Result again = run_in(ex.repo.path(), {"fix", "--jobs=1"});
    EXPECT_EQ(again.code, 0) << again;
    EXPECT_EQ(ex.present(), ex.profiles);
  }
}

TEST(CreateFault, AtTheMomentOfThePublishTheFinalPathHoldsNothing) {
  // What a crash just before the rename would leave: the whole content under the
  // temporary name, nothing under the profile's name.
  Example ex;
  const std::string second = std::next(ex.profiles.begin())->first;
  bool checked = false;
  io::set_write_fault_for_testing(fail_creation(2, io::WriteStep::rename, EIO, [&] {
    EXPECT_FALSE(fs::exists(fs::symlink_status(ex.repo / second)));
    const auto temps = temp_files(ex.repo.path());
    ASSERT_EQ(temps.size(), 1u);
    EXPECT_EQ(ex.repo.read(temps[0]), ex.profiles.at(second));
    checked = true;
  }));
  const Result r = run_in(ex.repo.path(), {"fix", "--jobs=1"});
  io::set_write_fault_for_testing({});
  EXPECT_TRUE(checked);
  EXPECT_EQ(r.code, 2) << r;
  EXPECT_FALSE(fs::exists(ex.repo / second));
}

TEST(CreateFault, KilledBetweenCreatingAndRenamingLeavesNoHalfWrittenProfile) {
  Example ex;
  const std::string second = std::next(ex.profiles.begin())->first;
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // The child dies as SIGKILL would have it: no destructor, no clean-up.
    io::set_write_fault_for_testing(fail_creation(2, io::WriteStep::rename, 0, [] { ::_exit(137); }));
    run_in(ex.repo.path(), {"fix", "--jobs=1", "--quiet"});
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 137) << "the run was not interrupted where intended";
  // The first profile is whole, the second absent; its temporary file is all that is left of it.
  std::map<std::string, std::string> expected{*ex.profiles.begin()};
  EXPECT_EQ(ex.present(), expected);
  const auto temps = temp_files(ex.repo.path());
  ASSERT_EQ(temps.size(), 1u);
  EXPECT_EQ(fs::path(temps[0]).parent_path(), fs::path(second).parent_path());
  // The next run removes it, says so, and creates the rest.
  const Result again = run_in(ex.repo.path(), {"fix", "--jobs=1"});
  EXPECT_EQ(again.code, 0) << again;
  EXPECT_TRUE(contains(again.err, "left by an interrupted run")) << again;
  EXPECT_EQ(ex.present(), ex.profiles);
  EXPECT_EQ(temp_files(ex.repo.path()), std::vector<std::string>{});
}

TEST(CreateFault, AProfileThatAppearedMeanwhileIsKept) {
  Example ex;
  const std::string second = std::next(ex.profiles.begin())->first;
  io::set_write_fault_for_testing(
      fail_creation(2, io::WriteStep::rename, 0, [&] { ex.repo.write(second, "# written by hand meanwhile\n"); }));
  const Result r = run_in(ex.repo.path(), {"fix", "--jobs=1"});
  io::set_write_fault_for_testing({});
  EXPECT_EQ(r.code, 2) << r;
  EXPECT_TRUE(contains(r.err, "dockmend: error: cannot create '" + second +
                                  "': a file appeared there meanwhile; it was left as it is (not created)\n"))
      << r;
  EXPECT_EQ(ex.repo.read(second), "# written by hand meanwhile\n");
  EXPECT_EQ(temp_files(ex.repo.path()), std::vector<std::string>{});
}

// The files rules read and the policy file go through io::read_file: a FIFO in
// place of one (std::ifstream would block on it for ever) is refused at once,
// and the run says which file its rules could not read.
TEST(ReadFiles, AFifoInPlaceOfARequirementsFileIsReportedNotWaitedOn) {
  Example ex;
  const std::string req = "affective_processing_center/requirements.txt";
  fs::remove(ex.repo / req);
  ASSERT_EQ(::mkfifo((ex.repo / req).c_str(), 0644), 0);
  const Result r = run_in(ex.repo.path(), {"check", "--jobs=1"});
  EXPECT_EQ(r.code, 2) << r;
  EXPECT_TRUE(contains(r.err, "dockmend: error: cannot read '" + req +
                                  "': not a regular file (the rules took it as missing)\n"))
      << r;
}

TEST(ReadFiles, APolicyFileThatIsNotARegularFileIsAnError) {
  Example ex;
  ASSERT_EQ(::mkfifo((ex.repo / "fifo.yaml").c_str(), 0644), 0);
  const Result r = run_in(ex.repo.path(), {"check", "--jobs=1", "--policy", "fifo.yaml"});
  EXPECT_EQ(r.code, 2) << r;
  EXPECT_TRUE(contains(r.err, "dockmend: error: cannot read 'fifo.yaml': not a regular file\n")) << r;
  fs::create_directory(ex.repo / "dir.yaml");
  const Result d = run_in(ex.repo.path(), {"check", "--jobs=1", "--policy", "dir.yaml"});
  EXPECT_EQ(d.code, 2) << d;
  EXPECT_TRUE(contains(d.err, "dockmend: error: cannot read 'dir.yaml': Is a directory\n")) << d;
}
