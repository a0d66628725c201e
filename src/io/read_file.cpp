#include "io/read_file.hpp"

#include <algorithm>

#include "io/sharding.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <fcntl.h>
#if defined(__linux__) && __has_include(<linux/openat2.h>)
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>
#define DOCKMEND_HAVE_OPENAT2 1
#endif
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

namespace dockmend::io {
namespace {

thread_local std::function<int(ReadStep)> t_read_fault;

int injected(ReadStep step) { return t_read_fault ? t_read_fault(step) : 0; }

std::int64_t wall_clock_ns() {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<std::int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

std::string describe_limit(std::uint64_t bytes) {
  constexpr std::uint64_t k_mib = 1024 * 1024;
  if (bytes >= k_mib && bytes % k_mib == 0) return fmt::format("{} MiB", bytes / k_mib);
  return fmt::format("{} bytes", bytes);
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

FileStamp stamp_of(const struct stat& st) {
  FileStamp stamp;
  stamp.known = true;
  stamp.dev = static_cast<std::uint64_t>(st.st_dev);
  stamp.inode = static_cast<std::uint64_t>(st.st_ino);
  stamp.size = static_cast<std::int64_t>(st.st_size);
  stamp.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  stamp.mode = static_cast<std::uint32_t>(st.st_mode);
  stamp.uid = static_cast<std::uint32_t>(st.st_uid);
  stamp.gid = static_cast<std::uint32_t>(st.st_gid);
  return stamp;
}

}  // namespace

void set_read_fault_for_testing(std::function<int(ReadStep)> hook) { t_read_fault = std::move(hook); }

ReadResult read_file(const std::string& path, const ReadOptions& options) {
  ReadResult result;
  auto fail = [&](int error_number, std::string_view detail = {}) {
    result.bytes.clear();
    result.stamp = FileStamp{};
    result.error = make_io_error("cannot read", path, error_number, detail);
    return std::move(result);
  };
  // EFBIG for callers, without strerror's "File too large" echoing the detail.
  auto too_large = [&](std::string_view detail) {
    ReadResult failed = fail(0, detail);
    failed.error->error_number = EFBIG;
    return failed;
  };

  // Taken before opening: any later write gets an mtime at or after this moment,
  // which atomic_write relies on to tell a trustworthy stamp from a racy one.
  const std::int64_t read_at = wall_clock_ns();
  int fd_number = -1;
  if (const int fault = injected(ReadStep::open)) {
    errno = fault;
  } else {
    // O_NONBLOCK so that a FIFO given by mistake cannot hang us before the
    // regular-file check below; it has no effect on regular files.
    constexpr int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
    bool plain = true;
#if defined(DOCKMEND_HAVE_OPENAT2) && defined(SYS_openat2)
    if (options.no_symlinks) {
      struct open_how how {};
      how.flags = flags;
      how.resolve = RESOLVE_NO_SYMLINKS;
      fd_number = static_cast<int>(::syscall(SYS_openat2, AT_FDCWD, path.c_str(), &how, sizeof how));
      if (fd_number >= 0) {
        result.no_symlinks = true;
        plain = false;
      } else {
        // ELOOP: a link on the way; ENOSYS, EPERM (a seccomp filter), E2BIG,
        // EINVAL: no usable openat2. Anything else is the file's own error.
        plain = errno == ELOOP || errno == ENOSYS || errno == EPERM || errno == E2BIG || errno == EINVAL;
      }
    }
#endif
    if (plain) fd_number = ::open(path.c_str(), flags);
  }
  if (fd_number < 0) return fail(errno);
  const Fd fd(fd_number);

  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return fail(errno);
  if (S_ISDIR(st.st_mode)) return fail(EISDIR);
  if (!S_ISREG(st.st_mode)) return fail(0, "not a regular file");
  if (static_cast<std::uint64_t>(st.st_size) > options.max_bytes) {
    return too_large(fmt::format("file is larger than the {} limit ({} bytes)",
                                   describe_limit(options.max_bytes), st.st_size));
  }

  // Read straight into the string, sized for the file plus one byte so that
  // the end shows as a read of 0 without growing it; a file that grows while
  // we read it grows the string.
  std::size_t have = 0;
  result.bytes.resize(static_cast<std::size_t>(st.st_size) + 1);
  bool first = true;
  for (;;) {
    if (have == result.bytes.size()) result.bytes.resize(have + std::max<std::size_t>(have / 2, 65536));
    ssize_t n = -1;
    if (const int fault = first ? injected(ReadStep::read) : 0) {
      errno = fault;
    } else {
      n = ::read(fd.get(), result.bytes.data() + have, result.bytes.size() - have);
    }
    first = false;
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(errno);
    }
    if (n == 0) break;
    have += static_cast<std::size_t>(n);
    // Without a stamp to take, the bytes fstat announced are enough: a file
    // that grows meanwhile is read as it was (the read of 0 costs a system
    // call per file). With one, read to the end, so the stamp describes it.
    if (!options.stamp && have == static_cast<std::size_t>(st.st_size)) break;
    // The file may grow while we read it; keep the limit honest.
    if (have > options.max_bytes) {
      return too_large(fmt::format("file is larger than the {} limit", describe_limit(options.max_bytes)));
    }
  }
  result.bytes.resize(have);

  // Stamp the file as it is after the read, so a write that raced with the read
  // shows up either as a different stamp or as a racy one (see atomic_write).
  if (!options.stamp) return result;
  if (::fstat(fd.get(), &st) != 0) return fail(errno);
  result.stamp = stamp_of(st);
  result.stamp.content_hash = fnv1a_64(result.bytes);
  result.stamp.read_at_ns = read_at;
  return result;
}

}  // namespace dockmend::io
