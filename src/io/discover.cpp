#include "io/discover.hpp"

#include "io/gitignore.hpp"
#include "io/read_file.hpp"
#include "io/subprocess.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <dirent.h>
#include <fcntl.h>
#include <filesystem>
#include <future>
#include <map>
#include <sys/stat.h>
#include <thread>
#include <utility>

namespace dockmend::io {
namespace {

namespace fs = std::filesystem;

constexpr std::uint64_t k_max_gitignore_bytes = 1024 * 1024;

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string_view basename_of(std::string_view path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// "./svc/" -> "svc", "." -> "" (so children print as "Dockerfile", not "./Dockerfile").
std::string display_root(const std::string& root) {
  std::string normal = fs::path(root).lexically_normal().string();
  while (normal.size() > 1 && normal.back() == '/') normal.pop_back();
  return normal == "." ? std::string() : normal;
}

std::string join(const std::string& root, std::string_view relative) {
  if (root.empty()) return std::string(relative);
  if (root == "/") return "/" + std::string(relative);
  return root + "/" + std::string(relative);
}

// Canonical path, or "" with `error_number` set.
std::string real_path(const std::string& path, int& error_number) {
  char* resolved = ::realpath(path.c_str(), nullptr);
  error_number = resolved == nullptr ? errno : 0;
  if (resolved == nullptr) return {};
  std::string result = resolved;
  std::free(resolved);
  return result;
}

bool inside(const std::string& path, const std::string& root) {
  if (root == "/") return true;
  return path == root || (starts_with(path, root) && path.size() > root.size() && path[root.size()] == '/');
}

struct ExcludeGlob {
  std::string glob;
  bool dir_only = false;
};

struct Candidate {
  std::string path;
  bool via_link = false;
};

using FileId = std::pair<std::uint64_t, std::uint64_t>;  // (st_dev, st_ino)

class Collector {
 public:
  Collector(const DiscoverOptions& options, DiscoverResult& result) : result_(result), jobs_(options.jobs) {
    for (std::string glob : options.exclude) {
      while (starts_with(glob, "./")) glob.erase(0, 2);
      ExcludeGlob exclude;
      if (glob.size() > 1 && glob.back() == '/') {
        exclude.dir_only = true;
        glob.pop_back();
      }
      exclude.glob = std::move(glob);
      if (!exclude.glob.empty()) excludes_.push_back(std::move(exclude));
    }
  }

  // Explicit files: no name or exclude filtering.
  void add_file_root(const std::string& root, const struct stat& st) {
    add({display_root(root), false}, st);
  }

  void add_directory_root(const std::string& root, bool use_git) {
    root_arg_ = root;
    root_display_ = display_root(root);
    int ignored_errno = 0;
    root_real_ = real_path(root, ignored_errno);
    if (use_git && list_with_git()) return;
    IgnoreStack ignores;
    walk(root, "", ignores);
  }

  void finish() {
    result_.files.clear();
    // One file per (device, inode): the real path over a link's, then the
    // smallest path (a sort and one pass; a map node per file cost more).
    std::sort(seen_.begin(), seen_.end(), [](const Seen& a, const Seen& b) {
      if (a.id != b.id) return a.id < b.id;
      if (a.candidate.via_link != b.candidate.via_link) return !a.candidate.via_link;
      return a.candidate.path < b.candidate.path;
    });
    for (std::size_t i = 0; i < seen_.size(); ++i)
      if (i == 0 || seen_[i].id != seen_[i - 1].id) result_.files.push_back(std::move(seen_[i].candidate.path));
    std::vector<Seen>().swap(seen_);
    std::sort(result_.files.begin(), result_.files.end());
    result_.files.erase(std::unique(result_.files.begin(), result_.files.end()), result_.files.end());
  }

 private:
  bool excluded(std::string_view relative, bool is_dir) const {
    const std::string_view base = basename_of(relative);
    for (const ExcludeGlob& exclude : excludes_) {
      if (exclude.dir_only && !is_dir) continue;
      if (wildmatch(exclude.glob, relative) || wildmatch(exclude.glob, base)) return true;
    }
    return false;
  }

  // Git lists files only, so apply directory excludes to every ancestor.
  bool excluded_with_ancestors(std::string_view relative) const {
    for (std::size_t slash = relative.find('/'); slash != std::string_view::npos;
         slash = relative.find('/', slash + 1)) {
      if (excluded(relative.substr(0, slash), true)) return true;
    }
    return excluded(relative, false);
  }

  void add(Candidate candidate, const struct stat& st) {
    const FileId id{static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino)};
    seen_.push_back({id, std::move(candidate)});
  }

  void consider_link(const std::string& fs_path, const std::string& display) {
    int error_number = 0;
    const std::string target = real_path(fs_path, error_number);
    if (target.empty()) {
      result_.notes.push_back(fmt::format("skipping '{}': broken symlink ({})", display, errno_text(error_number)));
      return;
    }
    struct stat st {};
    if (::stat(target.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return;
    if (!inside(target, root_real_)) {
      result_.notes.push_back(
          fmt::format("skipping '{}': symlink target '{}' is outside '{}'", display, target, root_arg_));
      return;
    }
    add({display, true}, st);
  }

  void consider_entry(const std::string& fs_path, const std::string& relative) {
    struct stat st {};
    if (::lstat(fs_path.c_str(), &st) != 0) return;  // deleted meanwhile, or listed by git but gone
    const std::string display = join(root_display_, relative);
    if (S_ISREG(st.st_mode)) {
      add({display, false}, st);
    } else if (S_ISLNK(st.st_mode)) {
      consider_link(fs_path, display);
    }
  }

  bool list_with_git() {
    const ProcessResult probe = run_process({"git", "-C", root_arg_, "rev-parse", "--is-inside-work-tree"});
    if (probe.exit_code != 0 || !starts_with(probe.out, "true")) return false;
    // Tracked files come from the index at once; untracked ones take a walk of
    // the whole tree, most of discovery's time in a large repository. That walk
    // runs (as its own git process) while the tracked candidates are checked on
    // disk here, rather than before.
    // With several cores the walk is split by the root's top-level entries
    // among several git processes (it is mostly system time reading
    // directories, which parallelises).
    std::vector<std::future<ProcessResult>> untracked;
    for (std::vector<std::string>& share : untracked_shares()) {
      untracked.push_back(std::async(std::launch::async, [root = root_arg_, share = std::move(share)] {
        // Literal pathspecs: a directory named "*" or ":x" means itself.
        std::vector<std::string> argv{"git", "--literal-pathspecs", "-C", root, "ls-files", "-z", "--others",
                                      "--exclude-standard"};
        if (!share.empty()) {
          argv.push_back("--");
          argv.insert(argv.end(), share.begin(), share.end());
        }
        return run_process(argv);
      }));
    }
    ProcessResult tracked = run_process({"git", "-C", root_arg_, "ls-files", "-z", "--cached"});
    const bool tracked_ok = tracked.exit_code == 0;
    if (tracked_ok) consider_listing(tracked.out);
    std::string().swap(tracked.out);  // every file of the repository: let it go before the next list
    bool others_ok = true;
    std::vector<ProcessResult> others;
    for (auto& f : untracked) {
      others.push_back(f.get());
      others_ok = others_ok && others.back().exit_code == 0;
    }
    if (!tracked_ok || !others_ok) {
      result_.notes.push_back(
          fmt::format("'git ls-files' failed in '{}'; walking the directory instead", root_arg_));
      return false;
    }
    for (const ProcessResult& listed : others) consider_listing(listed.out);
    return true;
  }

  // The pathspecs of each git process listing untracked files: one share with
  // no pathspec (the whole root) unless the walk is worth splitting; no share
  // at all when nothing at the top level can hold a Dockerfile.
  std::vector<std::vector<std::string>> untracked_shares() const {
    const std::size_t wanted = jobs_ > 0 ? static_cast<std::size_t>(jobs_)
                                         : std::max(1u, std::thread::hardware_concurrency());
    std::vector<std::vector<std::string>> whole(1);
    if (wanted < 2) return whole;
    DIR* dir = ::opendir(root_arg_.c_str());
    if (!dir) return whole;
    std::vector<std::string> entries;
    std::size_t dirs = 0;
    while (const dirent* e = ::readdir(dir)) {
      const std::string_view name = e->d_name;
      if (name == "." || name == ".." || name == ".git") continue;
      bool is_dir = e->d_type == DT_DIR;
      if (e->d_type == DT_UNKNOWN) {
        struct stat st {};
        is_dir = ::fstatat(::dirfd(dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
      }
      // Top-level files matter only when they may be Dockerfiles (git lists a
      // symlink as a file, as here).
      if (!is_dir && !is_dockerfile_name(name)) continue;
      dirs += is_dir ? 1 : 0;
      entries.emplace_back(name);
    }
    ::closedir(dir);
    if (entries.empty()) return {};
    // Few directories: nothing to share; very many: keep the command line short.
    if (dirs < 2 || entries.size() > 4096) return whole;
    std::sort(entries.begin(), entries.end());
    std::vector<std::vector<std::string>> shares(std::min(wanted, entries.size()));
    for (std::size_t i = 0; i < entries.size(); ++i) shares[i % shares.size()].push_back(std::move(entries[i]));
    return shares;
  }

  // NUL-separated paths from `git ls-files -z`, relative to the root.
  void consider_listing(std::string_view rest) {
    while (!rest.empty()) {
      const std::size_t end = rest.find('\0');
      const std::string_view relative = rest.substr(0, end);
      rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
      if (relative.empty() || !is_dockerfile_name(basename_of(relative))) continue;
      if (excluded_with_ancestors(relative)) continue;
      consider_entry(join(root_arg_, relative), std::string(relative));
    }
  }

  void walk(const std::string& fs_dir, const std::string& relative, IgnoreStack& ignores) {
    const std::string ignore_path = fs_dir + "/.gitignore";
    bool pushed = false;
    struct stat ignore_st {};
    if (::stat(ignore_path.c_str(), &ignore_st) == 0 && S_ISREG(ignore_st.st_mode)) {
      ReadOptions limit;
      limit.max_bytes = k_max_gitignore_bytes;
      const ReadResult read = read_file(ignore_path, limit);
      if (read.ok()) {
        ignores.push(IgnoreFile(relative, read.bytes));
        pushed = true;
      } else {
        result_.errors.push_back(*read.error);
      }
    }

    std::vector<std::string> names;
    std::error_code ec;
    fs::directory_iterator it(fs_dir, ec);
    const std::string display_dir = relative.empty() ? (root_display_.empty() ? "." : root_display_)
                                                     : join(root_display_, relative);
    for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
      names.push_back(it->path().filename().string());
    }
    if (ec) result_.errors.push_back(make_io_error("cannot read directory", display_dir, ec.value()));
    std::sort(names.begin(), names.end());

    for (const std::string& name : names) {
      const std::string child = fs_dir + "/" + name;
      const std::string child_relative = relative.empty() ? name : relative + "/" + name;
      struct stat st {};
      if (::lstat(child.c_str(), &st) != 0) continue;
      if (S_ISDIR(st.st_mode)) {
        if (name == ".git") continue;
        // An ignored directory is never entered, so (as in git) nothing below it
        // can be re-included.
        if (ignores.ignored(child_relative, true) || excluded(child_relative, true)) continue;
        walk(child, child_relative, ignores);
      } else if (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) {
        // A symlink counts as a file for ignore rules, as in git, and a symlinked
        // directory is never entered (no loops, no escaping the root).
        if (!is_dockerfile_name(name)) continue;
        if (ignores.ignored(child_relative, false) || excluded(child_relative, false)) continue;
        consider_entry(child, child_relative);
      }
    }
    if (pushed) ignores.pop();
  }

  DiscoverResult& result_;
  std::vector<ExcludeGlob> excludes_;
  struct Seen {
    FileId id;
    Candidate candidate;
  };
  std::vector<Seen> seen_;  // every file found, with its identity; finish() keeps one per file
  int jobs_ = 0;              // DiscoverOptions::jobs
  std::string root_arg_;      // the root as given, for system calls
  std::string root_display_;  // the root as printed ("" for ".")
  std::string root_real_;     // canonical, to keep symlinks from leaving the root
};

}  // namespace

bool is_dockerfile_name(std::string_view name) {
  if (ends_with(name, ".dockerignore")) return false;
  return name == "Dockerfile" || name == "Containerfile" || name == "dockerfile" ||
         starts_with(name, "Dockerfile.") || starts_with(name, "Containerfile.") ||
         ends_with(name, ".Dockerfile") || ends_with(name, ".dockerfile") || ends_with(name, ".containerfile");
}

DiscoverResult discover(const std::vector<std::string>& roots, const DiscoverOptions& options) {
  DiscoverResult result;
  Collector collector(options, result);
  for (const std::string& root : roots) {
    struct stat st {};
    if (::stat(root.c_str(), &st) != 0) {
      result.errors.push_back(make_io_error("cannot access", root, errno));
      continue;
    }
    if (S_ISDIR(st.st_mode)) {
      collector.add_directory_root(root, options.use_git);
    } else {
      collector.add_file_root(root, st);
    }
  }
  collector.finish();
  return result;
}

}  // namespace dockmend::io
