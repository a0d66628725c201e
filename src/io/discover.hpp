#pragma once
// Finding the Dockerfiles to work on from the paths given on the command line.

#include "io/io_error.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace dockmend::io {

struct DiscoverOptions {
  // Globs (wildmatch syntax, see gitignore.hpp) matched against each path
  // relative to its root and against its basename; a matching directory is not
  // entered. "./" prefixes and a trailing "/" (directories only) are accepted.
  // Roots given as files are not filtered.
  std::vector<std::string> exclude;
  // Inside a git work tree, take git's file list (honours every ignore source
  // git knows). Off: always walk the tree, reading .gitignore files ourselves.
  bool use_git = true;
  // How many git processes may share the walk for untracked files (split by
  // the root's top-level directories); 0: one per core.
  int jobs = 0;
};

struct DiscoverResult {
  std::vector<std::string> files;  // sorted, unique, spelled relative to the current directory
  std::vector<IoError> errors;     // roots that do not exist, unreadable directories
  std::vector<std::string> notes;  // things skipped on purpose that a user may wonder about
};

// A root that is not a directory is taken as is, whatever its name. A directory is
// searched for Dockerfiles (see is_dockerfile_name): hidden directories included,
// .git skipped, .gitignore honoured (via `git ls-files` in a work tree, else by
// reading .gitignore files). Symlinked directories are not entered; a symlinked
// file is kept only if it resolves to a regular file inside the root, and a file
// reached through several paths is listed once (preferring the non-link path).
// Paths are joined to the root as given, without a "./" prefix, like git shows them.
// Outside a work tree only .gitignore files at or below each root are read; inside
// one, a root that git ignores yields nothing (git's answer wins).
DiscoverResult discover(const std::vector<std::string>& roots, const DiscoverOptions& options = {});

// Dockerfile, Containerfile, dockerfile, Dockerfile.*, Containerfile.*,
// *.Dockerfile, *.dockerfile, *.containerfile (case-sensitive), except BuildKit's
// per-Dockerfile ignore files (*.dockerignore, e.g. "Dockerfile.dockerignore").
bool is_dockerfile_name(std::string_view basename);

}  // namespace dockmend::io
