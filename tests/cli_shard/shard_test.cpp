// `--shard K/N` through the CLI: the N shares of a repository are disjoint, cover
// every discovered Dockerfile (none of the ignored ones), do not depend on how
// the roots are spelled or on --jobs, follow io::in_shard on the shown path,
// and N sharded `fix` runs leave the repository exactly as one full `fix`.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "../test_support.hpp"
#include "cli/cli.hpp"
#include "io/sharding.hpp"

namespace fs = std::filesystem;
using namespace dockmend;

namespace {

struct Result {
  int code = 0;
  std::string out, err;
};

Result run_in(const fs::path& dir, std::vector<std::string> args) {
  const fs::path saved = fs::current_path();
  fs::current_path(dir);
  std::istringstream in;
  std::ostringstream out, err;
  cli::Streams st{in, out, err, false, false};
  Result r;
  r.code = cli::run(args, st);
  fs::current_path(saved);
  r.out = out.str();
  r.err = err.str();
  return r;
}

// A scratch repository with Dockerfiles in a deep tree, hidden folders, every
// name discovery knows, other files, and ignored copies that no shard may list.
class ShardRepo {
 public:
  explicit ShardRepo(bool git) {
    char tmpl[] = "/tmp/dockmend-shard-XXXXXX";
    m_root = ::mkdtemp(tmpl);
    const char* names[] = {"Dockerfile", "Containerfile", "Dockerfile.dev", "api.Dockerfile", "dockerfile"};
    for (int i = 0; i < 90; ++i) {
      std::string dir = "org" + std::to_string(i % 3) + "/team" + std::to_string(i % 5) + "/svc" + std::to_string(i);
      if (i % 4 == 1) dir += "/deploy/docker";
      if (i % 9 == 4) dir += "/.devcontainer";
      const std::string path = dir + "/" + names[i % 5];
      write(path, "FROM alpine:3.19\nMAINTAINER team" + std::to_string(i) + "@example.com\n");
      m_expected.insert(path);
      if (i % 6 == 0) write(dir + "/main.py", "print('hi')\n");
      if (i % 10 == 3) write(dir + "/build/Dockerfile", "FROM alpine\nMAINTAINER ignored\n");
    }
    write(".gitignore", "build/\n");
    write("Dockerfile", "FROM alpine:3.19\nMAINTAINER root@example.com\n");
    m_expected.insert("Dockerfile");
    if (git) {
      const std::string q = "'" + m_root.string() + "'";
      m_git = std::system(("git -C " + q + " init -q && git -C " + q + " add -A && git -C " + q +
                           " -c user.name=t -c user.email=t@localhost commit -q -m init")
                              .c_str()) == 0;
    }
  }
  ~ShardRepo() {
    std::error_code ec;
    fs::remove_all(m_root, ec);
  }
  void write(const std::string& rel, const std::string& text) const {
    fs::create_directories((m_root / rel).parent_path());
    test::write_bytes(m_root / rel, text);
  }
  const fs::path& root() const { return m_root; }
  const std::set<std::string>& expected() const { return m_expected; }
  bool git_ok() const { return m_git; }

 private:
  fs::path m_root;
  std::set<std::string> m_expected;
  bool m_git = false;
};

// The files a `check --select=maintainer` run reports (one finding per file).
std::set<std::string> reported(const Result& r) {
  std::set<std::string> files;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    const auto at = line.find(":2:1: maintainer:");
    if (at != std::string::npos) files.insert(line.substr(0, at));
  }
  return files;
}

std::vector<std::string> check_args(const std::string& shard, const std::string& jobs) {
  std::vector<std::string> a = {"check", "--no-policy", "--select=maintainer", "--jobs=" + jobs};
  if (!shard.empty()) a.push_back("--shard=" + shard);
  return a;
}

void expect_partition(const ShardRepo& repo, int n, const std::vector<std::string>& roots, const std::string& jobs) {
  std::set<std::string> all;
  std::size_t scanned = 0;
  for (int k = 1; k <= n; ++k) {
    auto args = check_args(std::to_string(k) + "/" + std::to_string(n), jobs);
    args.insert(args.end(), roots.begin(), roots.end());
    const Result r = run_in(repo.root(), args);
    const auto share = reported(r);
    ASSERT_EQ(r.code, share.empty() ? 0 : 1) << r.err;  // findings, or an empty share
    for (const auto& f : share) {
      EXPECT_TRUE(all.insert(f).second) << f << " is in two shards of " << n;
      // The share is the one io::in_shard gives the shown path: any tool can predict it.
      EXPECT_TRUE(io::in_shard(f, k - 1, n)) << f << " in shard " << k << "/" << n;
    }
    const std::string summary = std::to_string(share.size()) + (share.size() == 1 ? " file scanned" : " files scanned");
    if (!share.empty()) {
      EXPECT_NE(r.err.find(summary), std::string::npos) << r.err;
    }
    scanned += share.size();
  }
  EXPECT_EQ(all, repo.expected()) << n << " shards, jobs " << jobs;
  EXPECT_EQ(scanned, repo.expected().size());
}

}  // namespace

TEST(Shard, WithoutShardEveryDiscoveredFileIsCheckedOnce) {
  for (bool git : {false, true}) {
    ShardRepo repo(git);
    if (git && !repo.git_ok()) GTEST_SKIP() << "git is not available";
    const Result r = run_in(repo.root(), check_args("", "1"));
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_EQ(reported(r), repo.expected()) << (git ? "git" : "walk");
  }
}

TEST(Shard, SharesAreDisjointAndCoverEveryFile) {
  for (bool git : {false, true}) {
    ShardRepo repo(git);
    if (git && !repo.git_ok()) GTEST_SKIP() << "git is not available";
    for (int n : {1, 2, 3, 5, 8}) expect_partition(repo, n, {}, "1");
    // More shards than files in some directories, and than files at all.
    expect_partition(repo, 200, {}, "2");
  }
}

TEST(Shard, SharesDoNotDependOnHowRootsAreSpelledOrOnJobs) {
  // A git work tree, so that the root's .gitignore also applies to roots below it.
  ShardRepo repo(true);
  if (!repo.git_ok()) GTEST_SKIP() << "git is not available";
  std::map<std::string, std::set<std::string>> by_spelling;
  for (const std::vector<std::string>& roots :
       {std::vector<std::string>{}, {"."}, {"./"}, {repo.root().string()}, {"org0", "org1", "org2", "Dockerfile"}}) {
    for (const std::string jobs : {"1", "3"}) {
      std::string key;
      for (const auto& r : roots) key += r + " ";
      expect_partition(repo, 4, roots, jobs);
      for (int k = 1; k <= 4; ++k) {
        auto args = check_args(std::to_string(k) + "/4", jobs);
        args.insert(args.end(), roots.begin(), roots.end());
        const auto share = reported(run_in(repo.root(), args));
        auto [it, fresh] = by_spelling.emplace(std::to_string(k), share);
        if (!fresh) {
          EXPECT_EQ(it->second, share) << "shard " << k << " with roots '" << key << "', jobs " << jobs;
        }
      }
    }
  }
}

TEST(Shard, ShardedFixRunsTogetherEqualOneFullFix) {
  ShardRepo sharded(false), whole(false);
  const int n = 3;
  for (int k = 1; k <= n; ++k) {
    const Result r = run_in(sharded.root(), {"fix", "--no-policy", "--select=maintainer", "--quiet",
                                             "--shard=" + std::to_string(k) + "/" + std::to_string(n)});
    // fix exits 0 after changing files: what multi-gitter and CI expect.
    EXPECT_EQ(r.code, 0) << r.err;
  }
  EXPECT_EQ(run_in(whole.root(), {"fix", "--no-policy", "--select=maintainer", "--quiet"}).code, 0);
  for (const auto& f : whole.expected()) {
    const std::string fixed = test::read_bytes(whole.root() / f);
    EXPECT_EQ(fixed.find("MAINTAINER"), std::string::npos) << f;
    EXPECT_EQ(test::read_bytes(sharded.root() / f), fixed) << f;
  }
  // The ignored copies were left alone by both.
  EXPECT_NE(test::read_bytes(sharded.root() / "org0/team3/svc3/build/Dockerfile").find("MAINTAINER"), std::string::npos);
  // And nothing is left to do.
  EXPECT_EQ(run_in(sharded.root(), check_args("", "1")).code, 0);
}

TEST(Shard, MalformedShardIsAUsageError) {
  ShardRepo repo(false);
  for (const std::string bad : {"0/3", "4/3", "3", "1/0", "-1/3", "a/b", "1/3x", "1/ 3x", "2/3/4"}) {
    const Result r = run_in(repo.root(), check_args(bad, "1"));
    EXPECT_EQ(r.code, 2) << "--shard=" << bad;
    EXPECT_NE(r.err.find("--shard takes K/N with 1 <= K <= N"), std::string::npos) << r.err;
  }
}
