#include "io/atomic_write.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
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

}  // namespace

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

  const std::size_t slash = target.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : target.substr(0, slash);
  const std::string name = slash == std::string::npos ? target : target.substr(slash + 1);
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
  std::size_t written = 0;
  while (written < new_bytes.size()) {
    const ssize_t n = ::write(temp.fd(), new_bytes.data() + written, new_bytes.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(errno, "writing the temporary file failed");
    }
    written += static_cast<std::size_t>(n);
  }

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

  // Make the rename itself durable. Some filesystems cannot fsync a directory
  // (EINVAL); that is not an error worth reporting.
  int dir_fd = -1;
  if (const int fault = injected(WriteStep::fsync_dir)) {
    errno = fault;
  } else {
    dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  }
  if (dir_fd < 0) return fail(errno, "written, but syncing its directory failed");
  const int rc = ::fsync(dir_fd);
  const int sync_errno = errno;
  ::close(dir_fd);
  if (rc != 0 && sync_errno != EINVAL) return fail(sync_errno, "written, but syncing its directory failed");
  return {};
}

}  // namespace dockmend::io
