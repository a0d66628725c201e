// Helpers for the end-to-end tests of the command line: throw-away repositories,
// running dockmend in-process (cli::run) or as the built program, and snapshots
// of a tree that tell whether anything at all was modified.
#pragma once
#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "../test_support.hpp"
#include "cli/cli.hpp"
#include "io/atomic_write.hpp"
#include "io/read_file.hpp"
#include "io/sharding.hpp"

namespace dockmend::clitest {

namespace fs = std::filesystem;

// A directory removed at the end of the test. `in_memory` puts it on /dev/shm
// when there is one: tests that write tens of thousands of files would otherwise
// measure the disk's fsync, not dockmend.
class TempRepo {
 public:
  explicit TempRepo(bool in_memory = false) {
    fs::path base = fs::temp_directory_path();
    std::error_code ec;
    if (in_memory && fs::is_directory("/dev/shm", ec) && ::access("/dev/shm", W_OK) == 0) base = "/dev/shm";
    std::string templ = (base / "dockmend-cli-XXXXXX").string();
    if (::mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    m_path = fs::canonical(templ);
  }
  ~TempRepo() {
    // Give back any permission a test took away, so everything can be removed.
    std::error_code ec;
    for (fs::recursive_directory_iterator it(m_path, ec), end; !ec && it != end; it.increment(ec))
      if (it->is_directory(ec) && !it->is_symlink(ec))
        fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ec);
    fs::permissions(m_path, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(m_path, ec);
  }
  TempRepo(const TempRepo&) = delete;
  TempRepo& operator=(const TempRepo&) = delete;

  const fs::path& path() const { return m_path; }
  fs::path operator/(const std::string& rel) const { return m_path / rel; }

  void write(const std::string& rel, const std::string& bytes) const {
    const fs::path p = m_path / rel;
    fs::create_directories(p.parent_path());
    test::write_bytes(p, bytes);
    if (test::read_bytes(p) != bytes) throw std::runtime_error("cannot write " + p.string());
  }
  std::string read(const std::string& rel) const { return test::read_bytes(m_path / rel); }
  void symlink(const std::string& target, const std::string& rel) const {
    fs::create_directories((m_path / rel).parent_path());
    fs::create_symlink(target, m_path / rel);
  }

 private:
  fs::path m_path;
};

struct Result {
  int code = -1;
  std::string out, err;
  long peak_rss_kb = 0;  // the program's peak resident memory, sampled (run_binary only)
  int signal = 0;       // the signal that ended the child, if any
};

inline std::ostream& operator<<(std::ostream& os, const Result& r) {
  return os << "exit " << r.code << "\n--- stdout\n" << r.out << "--- stderr\n" << r.err;
}

// Runs `dockmend ARGS` in-process with `dir` as the working directory.
inline Result run_in(const fs::path& dir, const std::vector<std::string>& args, const std::string& input = "") {
  const fs::path saved = fs::current_path();
  fs::current_path(dir);
  std::istringstream in(input);
  std::ostringstream out, err;
  cli::Streams st{in, out, err, false, false};
  Result r;
  r.code = cli::run(args, st);
  fs::current_path(saved);
  r.out = out.str();
  r.err = err.str();
  return r;
}

inline std::string binary() { return DOCKMEND_BINARY; }

struct Child {
  pid_t pid = -1;
  int out_fd = -1, err_fd = -1;
};

// Starts the built dockmend in `dir`; `in_child` runs after fork, before exec
// (resource limits, credentials): it returns false to give up (exit 126).
inline Child spawn(const fs::path& dir, const std::vector<std::string>& args,
                   const std::function<bool()>& in_child = {}, const std::vector<std::string>& env = {}) {
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  std::vector<std::string> argv_s{binary()};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_s = env;
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    const int null = ::open("/dev/null", O_RDONLY);
    if (null >= 0) ::dup2(null, 0);
    if (::chdir(dir.c_str()) != 0) ::_exit(127);
    for (auto& e : env_s) ::putenv(e.data());
    if (in_child && !in_child()) ::_exit(126);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(out[1]);
  ::close(err[1]);
  return {pid, out[0], err[0]};
}

// The peak resident memory of a running process (VmHWM), or 0 once it is gone.
// wait4's ru_maxrss cannot tell: Linux carries the parent's size over from fork
// through exec, so it reports the test program's memory, not dockmend's.
inline long peak_rss_kb(pid_t pid) {
  // Until it has exec'd, the child is a copy of this test program.
  std::error_code ec;
  if (fs::read_symlink("/proc/" + std::to_string(pid) + "/exe", ec) != fs::canonical(binary(), ec)) return 0;
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmHWM:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  return 0;
}

// Reads the child's output until it exits (pipes, not files: RLIMIT_FSIZE must
// not cut what it says), sampling its peak memory every few milliseconds.
inline Result finish(Child c) {
  Result r;
  pollfd fds[2] = {{c.out_fd, POLLIN, 0}, {c.err_fd, POLLIN, 0}};
  std::string* sinks[2] = {&r.out, &r.err};
  int open_fds = 2;
  char buf[65536];
  while (open_fds > 0) {
    r.peak_rss_kb = std::max(r.peak_rss_kb, peak_rss_kb(c.pid));
    const int ready = ::poll(fds, 2, 2);
    if (ready == 0) continue;
    if (ready < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->append(buf, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  int status = 0;
  while (::waitpid(c.pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) r.code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) {
    r.signal = WTERMSIG(status);
    r.code = 128 + r.signal;
  }
  return r;
}

inline Result run_binary(const fs::path& dir, const std::vector<std::string>& args,
                         const std::function<bool()>& in_child = {}, const std::vector<std::string>& env = {}) {
  return finish(spawn(dir, args, in_child, env));
}

// Everything about a tree that a write could change: for each entry (hidden ones
// included) its type, mode, inode, mtime, and its content or link target. Two
// equal snapshots mean nothing was written, replaced, created or removed.
struct EntryState {
  char type = '?';  // f, d, l, o(ther)
  unsigned mode = 0;
  std::uint64_t inode = 0;
  std::int64_t mtime_ns = 0;
  std::uint64_t size = 0;
  std::uint64_t content_hash = 0;  // files
  std::string link;                // symlinks
  bool operator==(const EntryState& o) const {
    return type == o.type && mode == o.mode && inode == o.inode && mtime_ns == o.mtime_ns && size == o.size &&
           content_hash == o.content_hash && link == o.link;
  }
};
using Snapshot = std::map<std::string, EntryState>;

inline Snapshot snapshot(const fs::path& root) {
  Snapshot snap;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, fs::directory_options::none, ec), end; !ec && it != end;
       it.increment(ec)) {
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) != 0) continue;
    EntryState e;
    e.mode = st.st_mode & 07777;
    e.inode = st.st_ino;
    e.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
    if (S_ISREG(st.st_mode)) {
      e.type = 'f';
      e.size = static_cast<std::uint64_t>(st.st_size);
      e.content_hash = io::fnv1a_64(test::read_bytes(it->path()));
    } else if (S_ISDIR(st.st_mode)) {
      // A directory's mtime moves whenever an entry is renamed into it; what
      // matters (entries created or removed) shows in the entries themselves.
      e.type = 'd';
      e.mtime_ns = 0;
    } else if (S_ISLNK(st.st_mode)) {
      e.type = 'l';
      e.link = fs::read_symlink(it->path(), ec).string();
    } else {
      e.type = 'o';
    }
    snap[it->path().lexically_relative(root).generic_string()] = e;
  }
  return snap;
}

// What differs between two snapshots, one path a line ("" when nothing).
inline std::string changes(const Snapshot& before, const Snapshot& after) {
  std::string out;
  for (const auto& [p, e] : before) {
    auto it = after.find(p);
    if (it == after.end()) out += "removed: " + p + "\n";
    else if (!(it->second == e)) out += "modified: " + p + "\n";
  }
  for (const auto& [p, e] : after)
    if (!before.count(p)) out += "created: " + p + "\n";
  return out;
}

// Temporary files of io::atomic_write (".<name>.dockmend-XXXXXX") anywhere below root.
inline std::vector<std::string> temp_files(const fs::path& root) {
  std::vector<std::string> out;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().filename().string().find(".dockmend-") != std::string::npos)
      out.push_back(it->path().lexically_relative(root).generic_string());
  return out;
}

inline bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// Sanitizer builds are several times slower and use more memory.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool k_sanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool k_sanitized = true;
#else
inline constexpr bool k_sanitized = false;
#endif
#else
inline constexpr bool k_sanitized = false;
#endif

}  // namespace dockmend::clitest
