// Which policy governs each Dockerfile of a run, and where the repository is.
//
// Without --policy, each Dockerfile follows the nearest dockmend.yaml at or
// above its directory inside the repository (as ruff finds ruff.toml); above
// the repository root the nearest one further up applies, then a
// .hadolint.yaml/.hadolint.yml at the repository root or in the current
// directory (read as the equivalent policy, see hadolint.hpp), then the
// built-in default. --policy FILE governs every file, --no-policy none.
// Every policy is rebased into repository-root coordinates (policy/compose.hpp)
// with its `extends:` files merged in, and gets its own prepared engine config.
#pragma once

#include <deque>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "policy/policy.hpp"
#include "transforms/engine.hpp"

namespace dockmend::cli {

// The repository a run works in: the git top level above `start` (a
// directory; the nearest ancestor holding `.git`), else the directory of the
// nearest dockmend.yaml at or above it, else the current directory when
// `start` is inside it, else `start`. Absolute and canonical.
std::filesystem::path repository_root(const std::filesystem::path& start);

// A problem that stops the run (a policy that does not load): printed as
// "dockmend: error: MESSAGE", exit 2.
struct PolicyError {
  std::string message;
};

struct GoverningPolicy {
  policy::Policy policy;
  std::string source;            // the file it was read from ("" for the built-in default)
  bool from_file = false;        // a dockmend.yaml or .hadolint.yaml (not the built-in default)
  transforms::EngineConfig cfg;  // prepared for `policy`
};

class PolicySet {
 public:
  struct Options {
    std::optional<std::filesystem::path> file;  // --policy
    bool none = false;                          // --no-policy
    transforms::Selection selection;
    bool collect_correct = false;
    bool unsafe_fixes = false;                  // --unsafe-fixes (a policy's unsafe-fixes: true also)
    const transforms::FileView* files = nullptr;
  };

  // `root`: repository_root(); policies are looked up below it. Throws PolicyError.
  PolicySet(std::filesystem::path root, Options options);

  // The policy of a file in directory `dir` (relative to the root, "" for the
  // root; a path leaving the root gets the root's). Not thread-safe: the main
  // thread assigns files before the workers start. Throws PolicyError.
  const GoverningPolicy& for_dir(const std::string& dir);
  // The root directory's policy: the one `audit` names.
  const GoverningPolicy& main() { return for_dir(""); }
  const std::filesystem::path& root() const { return m_root; }
  std::size_t size() const { return m_loaded.size(); }

 private:
  const GoverningPolicy* load_top(const std::string& dir);
  policy::Policy load_file(const std::filesystem::path& file, std::vector<std::string>& chain);
  const GoverningPolicy& keep(policy::Policy p, std::string source, bool from_file);
  std::string anchor_of(const std::filesystem::path& policy_file) const;

  std::filesystem::path m_root;
  Options m_options;
  std::deque<GoverningPolicy> m_loaded;  // stable addresses: configs point into them
  std::map<std::string, const GoverningPolicy*> m_by_dir;
  std::map<std::string, const GoverningPolicy*> m_by_file;  // canonical policy path
  const GoverningPolicy* m_single = nullptr;                // --policy / --no-policy
};

// Whether `path` (relative to the repository root) is excluded by the policy's
// `exclude:` globs: a glob matches the path relative to the glob's base, one of
// its parent directories, or a basename there (wildmatch, as --exclude); a glob
// ending in "/" matches directories only.
bool policy_excludes(const policy::Policy& policy, std::string_view path);

}  // namespace dockmend::cli
