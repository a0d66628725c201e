#include "io/atomic_write.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

namespace dockmend::io {
namespace {

thread_local std::function<int(WriteStep)> t_write_fault;

// Returns the errno a test wants this step to fail with (0: run it for real).
int injected(WriteStep step) { return t_write_fault ? t_write_fault(step) : 0; }

// Filesystems store mtimes with coarse ticks (FAT: 2 s, many others: one kernel
// tick). A file whose mtime is this close to the moment we read it could be
// rewritten in the same tick without its stamp changing, so such stamps are
// confirmed by content.
constexpr std::int64_t k_racy_window_ns = 2'000'000'000;

std::int64_t mtime_ns_of(const struct stat& st) {
  return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

// Removes the temporary file unless the rename consumed it.
class TempFile {
 public:
  TempFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  int fd() const { return fd_; }
  const std::string& path() const { return path_; }
  int close() {
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }
  void released() { path_.clear(); }

 private:
  std::string path_;
  int fd_;
};

bool unchanged_since_read(const std::string& target, const struct stat& st, const FileStamp& expected) {
  if (static_cast<std::int64_t>(st.st_size) != expected.size) return false;
  const bool same_identity = static_cast<std::uint64_t>(st.st_dev) == expected.dev &&
                             static_cast<std::uint64_t>(st.st_ino) == expected.inode &&
                             mtime_ns_of(st) == expected.mtime_ns;
  const bool racy = expected.mtime_ns + k_racy_window_ns >= expected.read_at_ns;
  if (same_identity && !racy) return true;
  // Unsure: a touch, an editor that saved identical bytes, or a stamp too recent
  // to trust. The content decides.
  ReadOptions options;
  options.max_bytes = static_cast<std::uint64_t>(expected.size);
  const ReadResult again = read_file(target, options);
  return again.ok() && again.stamp.content_hash == expected.content_hash;
}

std::pair<std::string, std::string> split_dir(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  return {std::move(dir), std::move(name)};
}

// The process's umask without changing it (umask(2) can only set it, which
// would race with threads creating files): Linux reports it in /proc since 4.7.
mode_t current_umask() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("Umask:", 0) == 0) return static_cast<mode_t>(std::strtoul(line.c_str() + 6, nullptr, 8));
  const mode_t old = ::umask(022);
  ::umask(old);
  return old;
}

// Makes `dir`'s entries durable. Some filesystems cannot fsync a directory
// (EINVAL); that is not an error worth reporting. Returns an errno or 0.
int sync_dir(const std::string& dir) {
  int dir_fd = -1;
  if (const int fault = injected(WriteStep::fsync_dir)) return fault;
  dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) return errno;
  const int rc = ::fsync(dir_fd);
  const int sync_errno = errno;
  ::close(dir_fd);
  return rc != 0 && sync_errno != EINVAL ? sync_errno : 0;
}

// Writes all of `bytes` to `fd`; returns an errno or 0.
int write_all(int fd, std::string_view bytes) {
  std::size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    written += static_cast<std::size_t>(n);
  }
  return 0;
}

// Gives `temp` the name `target` unless something has it already; returns an
// errno or 0. renameat2(RENAME_NOREPLACE) does it in one step; where the
// filesystem does not support it, link() refuses an existing name as well, and
// the temporary name is then removed.
int publish_new(const std::string& temp, const std::string& target) {
#ifdef RENAME_NOREPLACE
  if (::renameat2(AT_FDCWD, temp.c_str(), AT_FDCWD, target.c_str(), RENAME_NOREPLACE) == 0) return 0;
  if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP) return errno;
#endif
  if (::link(temp.c_str(), target.c_str()) != 0) return errno;
  ::unlink(temp.c_str());
  return 0;
}

}  // namespace

WriteResult create_file(const std::string& path, std::string_view bytes, std::string_view shown) {
  auto fail = [&](int error_number, std::string_view detail = {}) {
    return WriteResult{make_io_error("cannot create", shown.empty() ? std::string_view(path) : shown, error_number, detail)};
  };
  const auto [dir, name] = split_dir(path);
  std::string temp_path = (dir == "/" ? "" : dir) + "/." + name + ".dockmend-XXXXXX";
  int fd = -1;
  if (const int fault = injected(WriteStep::open)) {
    errno = fault;
  } else {
    fd = ::mkostemp(temp_path.data(), O_CLOEXEC);
  }
  if (fd < 0) return fail(errno, fmt::format("cannot create a temporary file in '{}'", dir));
  TempFile temp(temp_path, fd);

  int err = injected(WriteStep::write);
  if (err == 0) err = write_all(temp.fd(), bytes);
  if (err != 0) return fail(err, "writing the temporary file failed");
  if (const int fault = injected(WriteStep::fsync)) return fail(fault, "fsync of the temporary file failed");
  if (::fsync(temp.fd()) != 0) return fail(errno, "fsync of the temporary file failed");
  // mkstemp made it 0600; a new file gets what open(O_CREAT, 0666) would give.
  if (const int fault = injected(WriteStep::chmod)) return fail(fault, "cannot give the new file its mode");
  if (::fchmod(temp.fd(), 0666 & ~current_umask()) != 0) return fail(errno, "cannot give the new file its mode");
  if (temp.close() != 0) return fail(errno, "writing the temporary file failed");

  err = injected(WriteStep::rename);
  if (err == 0) err = publish_new(temp.path(), path);
  if (err == EEXIST) return fail(0, "a file appeared there meanwhile; it was left as it is");
  if (err != 0) return fail(err, "cannot put the file in place");
  temp.released();
  if (const int e = sync_dir(dir)) return fail(e, "written, but syncing its directory failed");
  return {};
}

void set_write_fault_for_testing(std::function<int(WriteStep)> hook) { t_write_fault = std::move(hook); }

WriteResult atomic_write(const std::string& path, std::string_view new_bytes, const FileStamp& expected) {
  auto fail = [&](int error_number, std::string_view detail = {}) {
    return WriteResult{make_io_error("cannot write", path, error_number, detail)};
  };
  if (!expected.known) return fail(0, "no stamp from reading it first");

  // Replace the final target of a symlink (chain), keeping the link itself.
  std::string target = path;
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
    char* resolved = ::realpath(path.c_str(), nullptr);
    if (resolved == nullptr) return fail(errno, "cannot resolve the symlink");
    target = resolved;
    std::free(resolved);
  }
  if (::stat(target.c_str(), &st) != 0) {
    const int stat_errno = errno;
    return fail(stat_errno, stat_errno == ENOENT ? "it was removed since it was read" : "");
  }
  if (!S_ISREG(st.st_mode)) return fail(0, "not a regular file");
  if (!unchanged_since_read(target, st, expected)) return fail(0, "it changed on disk since it was read");

  // rename() only needs a writable directory, so check the file itself: a
  // read-only file is the user saying "do not touch".
  if (const int fault = injected(WriteStep::access)) return fail(fault);
  if (::faccessat(AT_FDCWD, target.c_str(), W_OK, AT_EACCESS) != 0) return fail(errno);

  const auto [dir, name] = split_dir(target);
  // Same directory, so the rename stays on one filesystem and is atomic.
  std::string temp_path = (dir == "/" ? "" : dir) + "/." + name + ".dockmend-XXXXXX";

  int fd = -1;
  if (const int fault = injected(WriteStep::open)) {
    errno = fault;
  } else {
    fd = ::mkostemp(temp_path.data(), O_CLOEXEC);
  }
  if (fd < 0) return fail(errno, fmt::format("cannot create a temporary file in '{}'", dir));
  TempFile temp(temp_path, fd);

  if (const int fault = injected(WriteStep::write)) return fail(fault, "writing the temporary file failed");
  if (const int e = write_all(temp.fd(), new_bytes)) return fail(e, "writing the temporary file failed");

  if (const int fault = injected(WriteStep::fsync)) return fail(fault, "fsync of the temporary file failed");
  if (::fsync(temp.fd()) != 0) return fail(errno, "fsync of the temporary file failed");

  // Owner before mode: chown clears set-user-ID bits that chmod then restores.
  if (const int fault = injected(WriteStep::chown)) return fail(fault, "cannot give the new file the original owner");
  if (st.st_uid != ::geteuid() || st.st_gid != ::getegid()) {
    if (::fchown(temp.fd(), st.st_uid, st.st_gid) != 0) {
      // Only root can give a file away; others keep what they can: the group,
      // if they belong to it. Losing the owner beats not writing at all then.
      if (::geteuid() == 0) return fail(errno, "cannot give the new file the original owner");
      (void)::fchown(temp.fd(), static_cast<uid_t>(-1), st.st_gid);
    }
  }
  if (const int fault = injected(WriteStep::chmod)) return fail(fault, "cannot give the new file the original mode");
  if (::fchmod(temp.fd(), st.st_mode & 07777) != 0) return fail(errno, "cannot give the new file the original mode");
  // close() can report delayed write errors (NFS); treat them as write errors.
  if (temp.close() != 0) return fail(errno, "writing the temporary file failed");

  if (const int fault = injected(WriteStep::rename)) return fail(fault, "cannot replace the file");
  if (::rename(temp.path().c_str(), target.c_str()) != 0) return fail(errno, "cannot replace the file");
  temp.released();

  // Make the rename itself durable.
  if (const int e = sync_dir(dir)) return fail(e, "written, but syncing its directory failed");
  return {};
}

}  // namespace dockmend::io
