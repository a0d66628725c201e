// The file system fighting back: files that vanish or change between discovery,
// read and write; read-only files and directories; symlinked Dockerfiles (inside
// the tree, outside it, dangling, looping); paths that try to leave the
// repository. Each case checks the exit code, the message, and the files.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <grp.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/repo_view.hpp"
#include "cli_test_support.hpp"

using namespace dockmend;
using namespace dockmend::clitest;

namespace {

const std::string k_before = "FROM alpine\nMAINTAINER Jo\n";
const std::string k_after = "FROM alpine\nLABEL maintainer=\"Jo\"\n";

std::vector<std::string> fix_args(std::vector<std::string> extra = {}) {
  std::vector<std::string> a{"fix", "--no-policy", "--select=maintainer", "--jobs=1"};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

// Removes the io seams even when an assertion fails halfway.
struct SeamGuard {
  ~SeamGuard() {
    io::set_read_fault_for_testing({});
    io::set_write_fault_for_testing({});
  }
};

// Runs `action` at the n-th (1-based) occurrence of `step` in this thread's reads.
std::function<int(io::ReadStep)> at_read(io::ReadStep step, int n, std::function<void()> action) {
  auto count = std::make_shared<int>(0);
  return [=](io::ReadStep s) {
    if (s == step && ++*count == n) action();
    return 0;
  };
}

// Replaces `path` the way editors save: a new file renamed over the old one.
void editor_save(const fs::path& path, const std::string& bytes) {
  const fs::path tmp = path.string() + ".editor-tmp";
  test::write_bytes(tmp, bytes);
  fs::rename(tmp, path);
}

// Overwrites in place: same inode, same size.
void overwrite_in_place(const fs::path& path, const std::string& bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::pwrite(fd, bytes.data(), bytes.size(), 0), static_cast<ssize_t>(bytes.size()));
  ::close(fd);
}

std::uint64_t inode_of(const fs::path& p) {
  struct stat st {};
  return ::lstat(p.c_str(), &st) == 0 ? st.st_ino : 0;
}

// a/ is the file the test interferes with (processed first), b/ a bystander.
struct TwoFiles {
  TempRepo repo;
  TwoFiles() {
    repo.write("a/Dockerfile", k_before);
    repo.write("b/Dockerfile", k_before);
  }
};

}  // namespace

// ---------------------------------------------------------------- vanish, change

TEST(Race, FileRemovedBetweenDiscoveryAndRead) {
  TwoFiles t;
  SeamGuard guard;
  io::set_read_fault_for_testing(at_read(io::ReadStep::open, 1, [&] { fs::remove(t.repo / "a/Dockerfile"); }));
  const Result r = run_in(t.repo.path(), fix_args());
  EXPECT_EQ(r.code, 2) << r;
  EXPECT_TRUE(contains(r.err, "dockmend: error: cannot read 'a/Dockerfile': No such file or directory\n")) << r;
  EXPECT_FALSE(fs::exists(t.repo / "a/Dockerfile")) << "a vanished file must not come back";
  EXPECT_EQ(t.repo.read("b/Dockerfile"), k_after);
  EXPECT_TRUE(temp_files(t.repo.path()).empty());
}

TEST(Race, FileChangedBetweenDiscoveryAndReadIsReadAsItIsNow) {
  TwoFiles t;
  SeamGuard guard;
  const std::string edited = "FROM alpine\nLABEL maintainer=\"already done\"\n";
  io::set_read_fault_for_testing(at_read(io::ReadStep::open, 1, [&] { editor_save(t.repo / "a/Dockerfile", edited); }));
  const Result r = run_in(t.repo.path(), fix_args());
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_EQ(t.repo.read("a/Dockerfile"), edited);
  EXPECT_EQ(t.repo.read("b/Dockerfile"), k_after);
}

TEST(Race, FileReplacedAfterReadIsNotOverwritten) {
  TwoFiles t;
  SeamGuard guard;
  const std::string edited = "FROM alpine:3.19\nMAINTAINER Jo\n";
  // After open, before read: dockmend reads the old inode, an editor saves a new one.
  io::set_read_fault_for_testing(at_read(io::ReadStep::read, 1, [&] { editor_save(t.repo / "a/Dockerfile", edited); }));
  const Result r = run_in(t.repo.path(), fix_args());
  EXPECT_EQ(r.code, 2) << r;
  EXPECT_TRUE(contains(r.err, "dockmend: error: cannot write 'a/Dockerfile': it changed on disk since it was read "
                              "(not written)\n"))
      << r;
  EXPECT_EQ(t.repo.read("a/Dockerfile"), edited) << "the user's change was lost";
  EXPECT_EQ(t.repo.read("b/Dockerfile"), k_after);
  EXPECT_TRUE(contains(r.err, "2 files scanned, 1 changed, 2 findings, 1 error\ndockmend: by rule: maintainer 2\n")) << r;
  EXPECT_TRUE(temp_files(t.repo.path()).empty());
}

TEST(Race, FileRemovedAfterReadIsNotRecreated) {
  TwoFiles t;
  SeamGuard guard;
  io::set_read_fault_for_testing(at_read(io::ReadStep::read, 1, [&] { fs::remove(t.repo / "a/Dockerfile"); }));
  const Result r = run_in(t.repo.path(), fix_args());
  EXPECT_EQ(r.code, 2) << r;
  EXPECT_TRUE(contains(r.err, "dockmend: error: cannot write 'a/Dockerfile': it was removed since it was read: No "
                              "such file or directory (not written)\n"))
      << r;
  EXPECT_FALSE(fs::exists(t.repo / "a/Dockerfile"));
  EXPECT_EQ(t.repo.read("b/Dockerfile"), k_after);
  EXPECT_TRUE(temp_files(t.repo.path()).empty());
}

TEST(Race, FileOverwrittenInPlaceAfterReadWithTheSameSizeIsNotOverwritten) {
  TwoFiles t;
  SeamGuard guard;
  // Same inode, same size, mtime within the filesystem's tick: only the content
  // tells. A stamp this fresh makes atomic_write read the file again before
  // replacing it; the change lands just before that second read.
  const std::string edited = "FROM ALPINE\nMAINTAINER JO\n";
  ASSERT_EQ(edited.size(), k_before.size());
  const fs::path a = t.repo / "a/Dockerfile";
  const auto ino = inode_of(a);
  io::set_read_fault_for_testing(at_read(io::ReadStep::open, 2, [&] { overwrite_in_place(a, edited); }));
  const Result r = run_in(t.repo.path(), fix_args());
  EXPECT_EQ(r.code, 2) << r;
  EXPECT_TRUE(contains(r.err, "dockmend: error: cannot write 'a/Dockerfile': it changed on disk since it was read "
                              "(not written)\n"))
      << r;
  EXPECT_EQ(t.repo.read("a/Dockerfile"), edited);
  EXPECT_EQ(inode_of(a), ino);
  EXPECT_TRUE(temp_files(t.repo.path()).empty());
}

// ---------------------------------------------------------------- permissions

TEST(Permissions, ReadOnlyFileAndDirectoryThroughTheSeams) {
  // As root, permissions do not stop a write: the io seams stand in for them.
  // access: the file is read-only; open (of the temporary file): the directory is.
  for (const io::WriteStep step : {io::WriteStep::access, io::WriteStep::open}) {
    TwoFiles t;
    SeamGuard guard;
    const Snapshot a_before = snapshot(t.repo / "a");
    auto writes = std::make_shared<int>(0);
    io::set_write_fault_for_testing([=](io::WriteStep s) {
      if (s == io::WriteStep::access) ++*writes;
      return *writes == 1 && s == step ? EACCES : 0;
    });
    const Result r = run_in(t.repo.path(), fix_args());
    EXPECT_EQ(r.code, 2) << r;
    const std::string expected =
        step == io::WriteStep::access
            ? "dockmend: error: cannot write 'a/Dockerfile': Permission denied (not written)\n"
            : "dockmend: error: cannot write 'a/Dockerfile': cannot create a temporary file in 'a': Permission "
              "denied (not written)\n";
    EXPECT_TRUE(contains(r.err, expected)) << r;
    EXPECT_EQ(changes(a_before, snapshot(t.repo / "a")), "");
    EXPECT_EQ(t.repo.read("b/Dockerfile"), k_after);
    EXPECT_TRUE(temp_files(t.repo.path()).empty());
  }
}

TEST(Permissions, ReadOnlyFileAndDirectoryForRealAsAnotherUser) {
  // Permissions bite for real when the program runs as an unprivileged user:
  // as root, the child drops to nobody (65534) before exec.
  TempRepo repo;
  repo.write("ro-file/Dockerfile", k_before);
  repo.write("ro-dir/Dockerfile", k_before);
  repo.write("ok/Dockerfile", k_before);
  repo.write("unreadable/Dockerfile", k_before);
  const bool root = ::geteuid() == 0;
  constexpr uid_t k_nobody = 65534;
  if (root) {
    for (auto& e : fs::recursive_directory_iterator(repo.path()))
      ASSERT_EQ(::lchown(e.path().c_str(), k_nobody, k_nobody), 0);
    ASSERT_EQ(::chown(repo.path().c_str(), k_nobody, k_nobody), 0);
    fs::permissions(repo.path(), fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec |
                                     fs::perms::group_read | fs::perms::others_read);
  }
  fs::permissions(repo / "ro-file/Dockerfile", fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  fs::permissions(repo / "ro-dir", fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                                       fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec);
  fs::permissions(repo / "unreadable/Dockerfile", fs::perms::none);
  const Snapshot before = snapshot(repo.path());
  const Result r = run_binary(repo.path(), {"fix", "--no-policy", "--select=maintainer"}, [&] {
    if (!root) return true;
    // Give up (exit 126: skipped) when nobody may not run the program, e.g. a
    // build tree below a private home directory.
    return ::setgroups(0, nullptr) == 0 && ::setgid(k_nobody) == 0 && ::setuid(k_nobody) == 0 &&
           ::access(DOCKMEND_BINARY, X_OK) == 0;
  });
  if (r.code == 126) GTEST_SKIP() << "cannot switch to an unprivileged user here";
  EXPECT_EQ(r.code, 2) << r;
  EXPECT_TRUE(contains(r.err, "dockmend: error: cannot write 'ro-file/Dockerfile': Permission denied (not written)\n"))
      << r;
  EXPECT_TRUE(contains(r.err, "dockmend: error: cannot write 'ro-dir/Dockerfile': cannot create a temporary file in "
                              "'ro-dir': Permission denied (not written)\n"))
      << r;
  EXPECT_TRUE(contains(r.err, "dockmend: error: cannot read 'unreadable/Dockerfile': Permission denied\n")) << r;
  EXPECT_TRUE(contains(r.err, "4 files scanned, 1 changed, 3 findings, 3 errors\ndockmend: by rule: maintainer 3\n")) << r;
  EXPECT_EQ(repo.read("ok/Dockerfile"), k_after);
  EXPECT_EQ(changes(before, snapshot(repo.path())), "modified: ok/Dockerfile\n");
}

// ---------------------------------------------------------------- symlinks

TEST(Symlinks, LinkToAFileInsideIsFixedThroughTheLinkAndStaysALink) {
  TempRepo repo;
  repo.write("common/base.txt", k_before);
  repo.symlink("../common/base.txt", "app/Dockerfile");
  const Result check = run_in(repo.path(), {"check", "--no-policy", "--select=maintainer"});
  EXPECT_EQ(check.out, "app/Dockerfile:2:1: maintainer: MAINTAINER is deprecated; use LABEL maintainer=...\n");
  const Result r = run_in(repo.path(), fix_args());
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_TRUE(fs::is_symlink(repo / "app/Dockerfile"));
  EXPECT_EQ(fs::read_symlink(repo / "app/Dockerfile"), "../common/base.txt");
  EXPECT_EQ(repo.read("common/base.txt"), k_after);
  EXPECT_TRUE(temp_files(repo.path()).empty());
}

// A file is shown by its canonical path relative to the policy's directory,
// however it was named: the reader's link-free open shortcut and the general
// way (each directory resolved) agree.
TEST(Symlinks, ShownPathIsCanonicalHoweverTheFileIsNamed) {
  TempRepo repo;
  repo.write("svc/Dockerfile", k_before);
  fs::create_directory_symlink("svc", repo / "linkdir");
  fs::create_directory_symlink(".", repo / "here");
  const std::string expected = "svc/Dockerfile:2:1: maintainer: MAINTAINER is deprecated; use LABEL maintainer=...\n";
  for (const std::string& named : {std::string("svc/Dockerfile"), std::string("./svc/Dockerfile"),
                                   std::string("svc//Dockerfile"), std::string("svc/../svc/Dockerfile"),
                                   (repo / "svc/Dockerfile").string(), std::string("linkdir/Dockerfile"),
                                   std::string("linkdir"), std::string("here/svc/Dockerfile"), std::string("svc")}) {
    const Result r = run_in(repo.path(), {"check", "--no-policy", "--select=maintainer", named});
    EXPECT_EQ(r.out, expected) << named << "\n" << r;
  }
  // From a subdirectory: shown relative to the directory the policy would be in (here: the start).
  const Result sub = run_in(repo / "svc", {"check", "--no-policy", "--select=maintainer", "Dockerfile"});
  EXPECT_EQ(sub.out, "Dockerfile:2:1: maintainer: MAINTAINER is deprecated; use LABEL maintainer=...\n") << sub;
  const Result up = run_in(repo / "svc", {"check", "--no-policy", "--select=maintainer", "../svc/Dockerfile"});
  EXPECT_EQ(up.out, "Dockerfile:2:1: maintainer: MAINTAINER is deprecated; use LABEL maintainer=...\n") << up;
}

TEST(Symlinks, FileReachedThroughALinkAndItsOwnPathIsFixedOnce) {
  TempRepo repo;
  repo.write("svc/Dockerfile", k_before);
  repo.symlink("../svc/Dockerfile", "alias/Dockerfile");
  const Result check = run_in(repo.path(), {"check", "--no-policy", "--select=maintainer"});
  EXPECT_EQ(check.out, "svc/Dockerfile:2:1: maintainer: MAINTAINER is deprecated; use LABEL maintainer=...\n");
  const Result r = run_in(repo.path(), fix_args());
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_TRUE(contains(r.err, "1 file scanned, 1 changed")) << r;
  EXPECT_EQ(repo.read("svc/Dockerfile"), k_after);
  EXPECT_TRUE(fs::is_symlink(repo / "alias/Dockerfile"));
}

TEST(Symlinks, LinkLeavingTheRepositoryIsSkippedWithANoteUnlessNamed) {
  TempRepo outside;
  TempRepo repo;
  outside.write("Dockerfile", k_before);
  repo.write("svc/Dockerfile", k_before);
  repo.symlink((outside / "Dockerfile").string(), "app/Dockerfile");
  fs::create_directory_symlink(outside.path(), repo / "ext");  // a linked directory is never entered
  const Snapshot outside_before = snapshot(outside.path());
  Result r = run_in(repo.path(), fix_args());
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_TRUE(contains(r.err, "dockmend: note: skipping 'app/Dockerfile': symlink target '" +
                                  (outside / "Dockerfile").string() + "' is outside '.'\n"))
      << r;
  EXPECT_EQ(repo.read("svc/Dockerfile"), k_after);
  EXPECT_EQ(changes(outside_before, snapshot(outside.path())), "");
  // --quiet silences the note, not the behaviour.
  r = run_in(repo.path(), fix_args({"--quiet"}));
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(changes(outside_before, snapshot(outside.path())), "");
  // Named on the command line, the user asked for it: the target is fixed, the link kept.
  r = run_in(repo.path(), fix_args({"app/Dockerfile"}));
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_EQ(outside.read("Dockerfile"), k_after);
  EXPECT_TRUE(fs::is_symlink(repo / "app/Dockerfile"));
}

TEST(Symlinks, DanglingLinkIsANoteWhenFoundAndAnErrorWhenNamed) {
  TempRepo repo;
  repo.write("svc/Dockerfile", k_before);
  repo.symlink("missing.txt", "app/Dockerfile");
  const Snapshot before = snapshot(repo / "app");
  Result r = run_in(repo.path(), fix_args());
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_TRUE(contains(r.err, "dockmend: note: skipping 'app/Dockerfile': broken symlink (No such file or directory)\n"))
      << r;
  EXPECT_EQ(repo.read("svc/Dockerfile"), k_after);
  r = run_in(repo.path(), fix_args({"app/Dockerfile"}));
  EXPECT_EQ(r.code, 2) << r;
  EXPECT_EQ(r.err, "dockmend: error: cannot access 'app/Dockerfile': No such file or directory\n");
  EXPECT_EQ(changes(before, snapshot(repo / "app")), "") << "nothing may be created behind a dangling link";
}

TEST(Symlinks, LinkLoopIsANoteWhenFoundAndAnErrorWhenNamed) {
  TempRepo repo;
  repo.write("svc/Dockerfile", k_before);
  repo.symlink("Dockerfile", "self/Dockerfile");
  repo.symlink("Dockerfile.b", "pair/Dockerfile.a");
  repo.symlink("Dockerfile.a", "pair/Dockerfile.b");
  const Snapshot before = snapshot(repo.path());
  Result r = run_in(repo.path(), fix_args());
  EXPECT_EQ(r.code, 0) << r;
  for (const std::string p : {"self/Dockerfile", "pair/Dockerfile.a", "pair/Dockerfile.b"})
    EXPECT_TRUE(contains(r.err, "dockmend: note: skipping '" + p + "': broken symlink (Too many levels of symbolic links)\n"))
        << p << "\n" << r;
  EXPECT_EQ(repo.read("svc/Dockerfile"), k_after);
  r = run_in(repo.path(), fix_args({"self/Dockerfile"}));
  EXPECT_EQ(r.code, 2) << r;
  EXPECT_EQ(r.err, "dockmend: error: cannot access 'self/Dockerfile': Too many levels of symbolic links\n");
  const std::string d = changes(before, snapshot(repo.path()));
  EXPECT_EQ(d, "modified: svc/Dockerfile\n");
}

// ---------------------------------------------------------------- leaving the repository

TEST(Confinement, RepoViewRefusesEveryWayOut) {
  TempRepo outside;
  TempRepo repo;
  outside.write("secret", "top secret\n");
  outside.write("dir/profile.yaml", "x: 1\n");
  repo.write("svc/Dockerfile", k_before);
  repo.write("svc/requirements.txt", "flask==3.0.0\n");
  repo.symlink((outside / "secret").string(), "svc/secret-link");
  repo.symlink("requirements.txt", "svc/inner-link");
  fs::create_directory_symlink(outside / "dir", repo / "svc/config");
  const std::string up = "../" + outside.path().filename().string();
  cli::RepoView view(repo.path());

  EXPECT_EQ(view.read("svc/requirements.txt"), "flask==3.0.0\n");
  EXPECT_EQ(view.read("svc/inner-link"), "flask==3.0.0\n");
  for (const std::string& p : std::vector<std::string>{up + "/secret", "svc/../" + up + "/secret", "svc/../../" + up + "/secret",
                              (outside / "secret").string(), "/etc/passwd", "svc/secret-link",
                              "svc/config/profile.yaml", "../../../../../../../../etc/passwd", "..", "svc/../.."}) {
    EXPECT_EQ(view.read(p), std::nullopt) << p;
    EXPECT_FALSE(view.exists(p)) << p;
    EXPECT_EQ(view.locate(p), std::nullopt) << p;
    EXPECT_TRUE(view.list(p).empty()) << p;
  }
  // A file still to be created below a linked directory would land outside.
  EXPECT_EQ(view.locate("svc/config/new-profile.yaml"), std::nullopt);
  EXPECT_EQ(view.locate("svc/config/deeper/new.yaml"), std::nullopt);
  EXPECT_EQ(view.locate("svc/new/new.yaml"), repo / "svc/new/new.yaml");
  // Listing never follows links out.
  const auto all = view.list("");
  EXPECT_EQ(all, (std::vector<std::string>{"svc/Dockerfile", "svc/requirements.txt"}));
}

TEST(Confinement, NothingOutsideTheRepositoryIsOpenedWithTheExamplePolicy) {
  // The example repository, made hostile: its files point out of the tree, and a
  // Dockerfile names paths outside. inotify on the outside directory sees any open.
  TempRepo outside;
  TempRepo repo;
  outside.write("requirements.txt", "evil==1.0\n");
  outside.write("machine-profiles/mainpc.yaml", "gpu: none\n");
  outside.write("Dockerfile", k_before);
  const fs::path example = test::source_dir() / "examples" / "phase4";
  fs::copy(example, repo.path(), fs::copy_options::recursive);
  const std::string up = "../../" + outside.path().filename().string();
  fs::remove(repo / "affective_processing_center/requirements.txt");
  repo.symlink((outside / "requirements.txt").string(), "affective_processing_center/requirements.txt");
  fs::remove_all(repo / "model_ops_coordinator/config/machine-profiles");
  fs::create_directory_symlink(outside / "machine-profiles", repo / "model_ops_coordinator/config/machine-profiles");
  repo.write("real_time_audio_pipeline/Dockerfile",
             repo.read("real_time_audio_pipeline/Dockerfile") + "COPY " + up + "/requirements.txt /x\nADD " +
                 (outside / "requirements.txt").string() + " /y\nCOPY " + up + "/machine-profiles/ /p\n");
  repo.symlink((outside / "Dockerfile").string(), "tools/Dockerfile");
  const Snapshot outside_before = snapshot(outside.path());

  const int in = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (in < 0) GTEST_SKIP() << "no inotify here: " << io::errno_text(errno);
  const std::uint32_t mask = IN_OPEN | IN_ACCESS | IN_MODIFY | IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_ATTRIB;
  ASSERT_GE(::inotify_add_watch(in, outside.path().c_str(), mask), 0);
  ASSERT_GE(::inotify_add_watch(in, (outside / "machine-profiles").c_str(), mask), 0);

  for (const std::string cmd : {"check", "diff", "audit", "fix"}) {
    const Result r = run_in(repo.path(), {cmd, "--jobs=1"});
    EXPECT_NE(r.code, 2) << cmd << "\n" << r;
  }
  char buf[4096];
  const ssize_t n = ::read(in, buf, sizeof buf);
  std::string seen;
  for (ssize_t off = 0; n > 0 && off < n;) {
    const auto* ev = reinterpret_cast<const inotify_event*>(buf + off);
    seen += std::string(ev->len ? ev->name : "(dir)") + " mask=" + std::to_string(ev->mask) + "\n";
    off += static_cast<ssize_t>(sizeof(inotify_event) + ev->len);
  }
  ::close(in);
  EXPECT_EQ(seen, "") << "dockmend opened files outside the repository";
  EXPECT_EQ(changes(outside_before, snapshot(outside.path())), "");
}
