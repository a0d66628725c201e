#include "io/discover.hpp"

#include "io_test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace dockmend::io {
namespace {

namespace fs = std::filesystem;
using testing::quote;
using testing::ScopedChdir;
using testing::sh;
using testing::TempDir;
using testing::write_file;
using Files = std::vector<std::string>;

[[maybe_unused]] ::testing::Environment* const k_git_env =
    ::testing::AddGlobalTestEnvironment(new testing::IsolatedGitEnvironment);

DiscoverOptions walk_only() {
  DiscoverOptions options;
  options.use_git = false;
  return options;
}

bool has_note_containing(const DiscoverResult& result, const std::string& text) {
  return std::any_of(result.notes.begin(), result.notes.end(),
                     [&](const std::string& note) { return note.find(text) != std::string::npos; });
}

TEST(IsDockerfileName, ListedPatternsOnly) {
  for (const char* yes : {"Dockerfile", "Containerfile", "dockerfile", "Dockerfile.dev", "Dockerfile.prod.arm64",
                          "Containerfile.ci", "api.Dockerfile", "api.dockerfile", "api.containerfile"}) {
    EXPECT_TRUE(is_dockerfile_name(yes)) << yes;
  }
  for (const char* no : {"DOCKERFILE", "Dockerfile-dev", "dockerfile.dev", "api.DockerFile", "Containerfiles",
                         "api.Containerfile.bak.txt", "README.md", ".dockerignore", "Dockerfile.dockerignore",
                         "api.Dockerfile.dockerignore", "Dockerfiles", "my-dockerfile"}) {
    EXPECT_FALSE(is_dockerfile_name(no)) << no;
  }
}

// A tree exercising names, hidden directories, .git and .gitignore files.
void make_tree(const TempDir& dir) {
  const char* const k_files[] = {
      "Dockerfile", "README.md", "svc/Dockerfile", "svc/Dockerfile.dev", "svc/notes.txt",
      "a/b/api.Dockerfile", "c/x.dockerfile", "d/Containerfile", "d/app.containerfile", "e/dockerfile",
      ".devcontainer/Dockerfile", ".git/Dockerfile", "node_modules/pkg/Dockerfile", "DOCKERFILE",
      "Dockerfile.dockerignore", "logs/build.Dockerfile", "logs/keep/Dockerfile", "gen/Dockerfile.tmp",
      "gen/Dockerfile.prod", "deep/x/y/z/Dockerfile"};
  for (const char* file : k_files) write_file(dir / file, "FROM scratch\n");
  write_file(dir / ".gitignore", "node_modules/\n/logs/\n*.tmp\n");
  write_file(dir / "gen/.gitignore", "Dockerfile.*\n!Dockerfile.prod\n");
}

const Files k_expected_tree = {".devcontainer/Dockerfile", "Dockerfile", "a/b/api.Dockerfile", "c/x.dockerfile",
                               "d/Containerfile", "d/app.containerfile", "deep/x/y/z/Dockerfile", "e/dockerfile",
                               "gen/Dockerfile.prod", "svc/Dockerfile", "svc/Dockerfile.dev"};

TEST(Discover, WalkFindsDockerfilesHonouringGitignore) {
  TempDir dir;
  make_tree(dir);
  ScopedChdir cd(dir.path());
  const DiscoverResult result = discover({"."}, walk_only());
  EXPECT_EQ(result.files, k_expected_tree);
  EXPECT_TRUE(result.errors.empty());
}

TEST(Discover, GitWorkTreeGivesTheSameList) {
  TempDir dir;
  make_tree(dir);
  testing::git_init(dir);
  // Track some files, leave others untracked: both kinds are listed.
  ASSERT_EQ(sh("cd " + quote(dir.str()) + " && git add Dockerfile svc && git -c user.name=t -c user.email=t@t "
               "commit -qm init"), 0);
  ScopedChdir cd(dir.path());
  const DiscoverResult result = discover({"."});
  EXPECT_EQ(result.files, k_expected_tree);
  EXPECT_TRUE(result.errors.empty());
  EXPECT_TRUE(result.notes.empty());
}

TEST(Discover, GitModeSkipsTrackedButDeletedFilesAndHonoursInfoExclude) {
  TempDir dir;
  testing::git_init(dir);
  write_file(dir / "Dockerfile", "FROM a\n");
  write_file(dir / "old/Dockerfile", "FROM a\n");
  write_file(dir / "private/Dockerfile", "FROM a\n");
  ASSERT_EQ(sh("cd " + quote(dir.str()) + " && git add . && git -c user.name=t -c user.email=t@t commit -qm init"),
            0);
  fs::remove(dir.path() / "old/Dockerfile");
  // An ignore source only git knows about: the walker would list this file.
  write_file(dir / ".git/info/exclude", "private/\n");
  write_file(dir / "new/Dockerfile", "FROM a\n");
  ScopedChdir cd(dir.path());
  EXPECT_EQ(discover({"."}).files, (Files{"Dockerfile", "new/Dockerfile", "private/Dockerfile"}))
      << "tracked files stay listed even when an exclude matches them";
  fs::remove_all(dir.path() / "private");
  write_file(dir / "private/Dockerfile.new", "FROM a\n");
  EXPECT_EQ(discover({"."}).files, (Files{"Dockerfile", "new/Dockerfile"}));
}

TEST(Discover, PathsAreSpelledFromTheRootAsGiven) {
  TempDir dir;
  make_tree(dir);
  ScopedChdir cd(dir.path());
  EXPECT_EQ(discover({"./svc/"}, walk_only()).files, (Files{"svc/Dockerfile", "svc/Dockerfile.dev"}));
  EXPECT_EQ(discover({"svc"}, walk_only()).files, (Files{"svc/Dockerfile", "svc/Dockerfile.dev"}));
  EXPECT_EQ(discover({"./a//b/"}, walk_only()).files, (Files{"a/b/api.Dockerfile"}));
  // Absolute roots give absolute paths.
  EXPECT_EQ(discover({dir / "svc"}, walk_only()).files, (Files{dir / "svc/Dockerfile", dir / "svc/Dockerfile.dev"}));
  {
    ScopedChdir inner(dir.path() / "svc");
    EXPECT_EQ(discover({"../d"}, walk_only()).files, (Files{"../d/Containerfile", "../d/app.containerfile"}));
  }
  // Git mode, from a subdirectory root of the work tree.
  testing::git_init(dir);
  EXPECT_EQ(discover({"./svc"}).files, (Files{"svc/Dockerfile", "svc/Dockerfile.dev"}));
  EXPECT_EQ(discover({"gen"}).files, (Files{"gen/Dockerfile.prod"}));
}

TEST(Discover, FileRootsAreTakenAsIsAndEverythingIsDeduplicated) {
  TempDir dir;
  make_tree(dir);
  ScopedChdir cd(dir.path());
  const DiscoverResult result =
      discover({"svc/notes.txt", "./svc/notes.txt", "svc", ".", "./svc/Dockerfile", "node_modules/pkg/Dockerfile"},
               walk_only());
  Files expected = k_expected_tree;
  expected.push_back("node_modules/pkg/Dockerfile");  // explicit: not filtered by .gitignore
  expected.push_back("svc/notes.txt");
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(result.files, expected);
}

TEST(Discover, MissingRootIsAnError) {
  TempDir dir;
  write_file(dir / "Dockerfile", "FROM a\n");
  ScopedChdir cd(dir.path());
  const DiscoverResult result = discover({"nope", "Dockerfile", "Dockerfile/x"});
  EXPECT_EQ(result.files, (Files{"Dockerfile"}));
  ASSERT_EQ(result.errors.size(), 2U);
  EXPECT_EQ(result.errors[0].message, "cannot access 'nope': No such file or directory");
  EXPECT_EQ(result.errors[0].path, "nope");
  EXPECT_EQ(result.errors[1].message, "cannot access 'Dockerfile/x': Not a directory");
}

TEST(Discover, ExcludeGlobsMatchRelativePathAndBasename) {
  TempDir dir;
  make_tree(dir);
  ScopedChdir cd(dir.path());
  for (const bool use_git : {false, true}) {
    if (use_git) testing::git_init(dir);
    SCOPED_TRACE(use_git ? "git" : "walk");
    DiscoverOptions options;
    options.use_git = use_git;
    options.exclude = {"svc/*.dev", "deep", "./a/", "*.containerfile", "Dockerfile"};
    // "Dockerfile" matches the basename at any depth.
    EXPECT_EQ(discover({"."}, options).files,
              (Files{"c/x.dockerfile", "d/Containerfile", "e/dockerfile", "gen/Dockerfile.prod"}));
    // Relative to the root given, not to the current directory.
    options.exclude = {"Dockerfile.dev", "x/**"};
    EXPECT_EQ(discover({"svc", "deep"}, options).files, (Files{"svc/Dockerfile"}));
    // A trailing slash means directories only: the file "e" dir matches, a file named so would not.
    options.exclude = {"dockerfile/", "e/"};
    EXPECT_EQ(discover({"e"}, options).files, (Files{"e/dockerfile"}));
  }
}

TEST(Discover, Symlinks) {
  TempDir outside;
  write_file(outside / "Dockerfile", "FROM outside\n");
  write_file(outside / "dir/Dockerfile", "FROM outside\n");
  TempDir dir;
  write_file(dir / "svc/Dockerfile", "FROM a\n");
  write_file(dir / "base.txt", "FROM b\n");
  const fs::path root = dir.path();
  fs::create_symlink("svc/Dockerfile", root / "Dockerfile.link");           // inside, target listed too
  fs::create_symlink("base.txt", root / "Dockerfile");                      // inside, only way to reach it
  fs::create_symlink(outside / "Dockerfile", root / "Dockerfile.out");      // outside: skipped
  fs::create_symlink("missing", root / "Dockerfile.dangling");              // dangling
  fs::create_symlink("Dockerfile.loop2", root / "Dockerfile.loop1");        // loop
  fs::create_symlink("Dockerfile.loop1", root / "Dockerfile.loop2");
  fs::create_symlink(".", root / "svc/self");                               // directory loop
  fs::create_symlink(outside / "dir", root / "elsewhere");                  // symlinked directory
  fs::create_symlink("svc", root / "svc.Dockerfile");                       // link to a dir, Dockerfile name

  ScopedChdir cd(root);
  for (const bool use_git : {false, true}) {
    if (use_git) testing::git_init(dir);
    SCOPED_TRACE(use_git ? "git" : "walk");
    DiscoverOptions options;
    options.use_git = use_git;
    const DiscoverResult result = discover({"."}, options);
    EXPECT_EQ(result.files, (Files{"Dockerfile", "svc/Dockerfile"}));
    EXPECT_TRUE(result.errors.empty());
    EXPECT_TRUE(has_note_containing(result, "skipping 'Dockerfile.out': symlink target '" + outside.str() +
                                                "/Dockerfile' is outside '.'"));
    EXPECT_TRUE(has_note_containing(result, "skipping 'Dockerfile.dangling': broken symlink (No such file"));
    EXPECT_TRUE(has_note_containing(result, "skipping 'Dockerfile.loop1': broken symlink (Too many levels"));
    EXPECT_EQ(result.notes.size(), 4U);
  }
  // From a narrower root, a link to a sibling directory's file leaves the root.
  write_file(dir / "svc2/placeholder", "");
  fs::create_symlink("../svc/Dockerfile", root / "svc2/Dockerfile");
  const DiscoverResult narrow = discover({"svc2"}, walk_only());
  EXPECT_TRUE(narrow.files.empty());
  EXPECT_TRUE(has_note_containing(narrow, "is outside 'svc2'"));
  // A symlinked root directory is followed: the user named it.
  EXPECT_EQ(discover({"elsewhere"}, walk_only()).files, (Files{"elsewhere/Dockerfile"}));
}

TEST(Discover, SubmoduleLikeNestedRepositoryIsNotEntered) {
  TempDir dir;
  testing::git_init(dir);
  write_file(dir / "Dockerfile", "FROM a\n");
  write_file(dir / "nested/Dockerfile", "FROM b\n");
  ASSERT_EQ(sh("git init -q " + quote(dir / "nested") + " && cd " + quote(dir / "nested") +
               " && git add . && git -c user.name=t -c user.email=t@t commit -qm x"), 0);
  ScopedChdir cd(dir.path());
  // git shows the nested repository as "nested/" and does not look inside.
  EXPECT_EQ(discover({"."}).files, (Files{"Dockerfile"}));
  // Named explicitly, it is its own work tree.
  EXPECT_EQ(discover({"nested"}).files, (Files{"nested/Dockerfile"}));
}

// The walk for untracked files may be split among git processes by top-level
// entry: every split must list what one process lists.
TEST(Discover, SplitUntrackedWalkListsWhatOneWalkLists) {
  TempDir dir;
  make_tree(dir);
  testing::git_init(dir);
  // Top-level names that pathspec magic or globbing would misread, an ignored
  // directory, a nested repository, a top-level untracked Dockerfile and a
  // symlink to a directory.
  for (const char* name : {"*", ":(glob)x", "[ab]", "-n", "a b", ".hidden", "z9"})
    write_file(dir / (std::string(name) + "/Dockerfile"), "FROM a\n");
  write_file(dir / "ignored/Dockerfile", "FROM a\n");
  write_file(dir / ".gitignore", "node_modules/\n/logs/\n*.tmp\nignored/\n");
  write_file(dir / "Containerfile", "FROM a\n");
  write_file(dir / "nested/Dockerfile", "FROM b\n");
  ASSERT_EQ(sh("git init -q " + quote(dir / "nested")), 0);
  fs::create_directory_symlink("z9", dir.path() / "link");
  ScopedChdir cd(dir.path());
  DiscoverOptions one;
  one.jobs = 1;
  const DiscoverResult single = discover({"."}, one);
  EXPECT_TRUE(single.notes.empty());
  for (const char* name : {"*", ":(glob)x", "[ab]", "-n", "a b", ".hidden", "z9"})
    EXPECT_NE(std::find(single.files.begin(), single.files.end(), std::string(name) + "/Dockerfile"),
              single.files.end())
        << name;
  EXPECT_NE(std::find(single.files.begin(), single.files.end(), "Containerfile"), single.files.end());
  EXPECT_EQ(std::find(single.files.begin(), single.files.end(), "ignored/Dockerfile"), single.files.end());
  for (int jobs : {2, 3, 8, 64}) {
    DiscoverOptions split;
    split.jobs = jobs;
    const DiscoverResult r = discover({"."}, split);
    EXPECT_EQ(r.files, single.files) << jobs << " jobs";
    EXPECT_EQ(r.notes, single.notes) << jobs << " jobs";
  }
  // From a subdirectory root, too.
  const DiscoverResult sub1 = discover({"svc"}, one);
  DiscoverOptions split;
  split.jobs = 4;
  EXPECT_EQ(discover({"svc"}, split).files, sub1.files);
}

TEST(Discover, WalkReportsUnreadableGitignoreButContinues) {
  TempDir dir;
  write_file(dir / "Dockerfile", "FROM a\n");
  fs::create_directories(dir.path() / "sub/.gitignore");  // a directory, not a file: ignored
  write_file(dir / "sub/Dockerfile", "FROM a\n");
  ScopedChdir cd(dir.path());
  const DiscoverResult result = discover({"."}, walk_only());
  EXPECT_EQ(result.files, (Files{"Dockerfile", "sub/Dockerfile"}));
  EXPECT_TRUE(result.errors.empty());
}

// Differential test: random trees and .gitignore files; our walker must list the
// same files as `git ls-files --others --exclude-standard`.
TEST(Discover, WalkerAgreesWithGitOnRandomIgnoreRules) {
  const char* const k_dirs[] = {"a", "b", ".hidden", "build", "node_modules", "sub", "a/b", "a/sub", "b/build",
                                "sub/deep/er", ".hidden/x", "docs", "docs/v1"};
  const char* const k_names[] = {"Dockerfile", "Dockerfile.dev", "x.dockerfile", "Containerfile", "app.Dockerfile",
                                 "Dockerfile.prod", "README"};
  const char* const k_patterns[] = {
      "build/", "build", "/build", "*.dev", "!Dockerfile.dev", "/Dockerfile", "**/b/Dockerfile", "a/**",
      "!a/sub/", "sub", "!sub", "*.dockerfile", "!x.dockerfile", "Dockerfile*", "[a-b]/", "?ub/", "node_modules/",
      "a/**/Dockerfile", "docs/*/", "**/deep", "!**/deep/er/", ".hidden/", "Containerfile", "*.Docker*",
      "!app.Dockerfile", "# comment", "", "deep/**/Dockerfile", "b/", "/a/b/", "*", "!*/", "!Dockerfile",
      "D*e", "\\!x"};
  std::mt19937 rng(1234);
  std::size_t listed = 0, present = 0;
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  for (int round = 0; round < 150; ++round) {
    TempDir dir;
    for (int i = 0; i < 25; ++i) {
      const std::string d = k_dirs[pick(std::size(k_dirs))];
      write_file(dir / (d + "/" + k_names[pick(std::size(k_names))]), "FROM a\n");
      if (i % 5 == 0) write_file(dir / k_names[pick(std::size(k_names))], "FROM a\n");
    }
    std::string description;
    for (int i = 0; i < 3; ++i) {
      const std::string where = i == 0 ? "" : std::string(k_dirs[pick(std::size(k_dirs))]) + "/";
      if (!fs::exists(dir.path() / where)) continue;
      std::string rules;
      for (std::size_t n = 1 + pick(6); n > 0; --n) rules += std::string(k_patterns[pick(std::size(k_patterns))]) + "\n";
      write_file(dir / (where + ".gitignore"), rules);
      description += "--- " + where + ".gitignore\n" + rules;
    }
    ScopedChdir cd(dir.path());
    const Files walked = discover({"."}, walk_only()).files;
    testing::git_init(dir);
    const Files from_git = discover({"."}).files;
    ASSERT_EQ(walked, from_git) << "round " << round << "\n" << description;
    listed += walked.size();
    for (const auto& entry : fs::recursive_directory_iterator(dir.path())) {
      const std::string path = entry.path().string();
      if (path.find("/.git/") == std::string::npos && is_dockerfile_name(entry.path().filename().string())) {
        ++present;
      }
    }
  }
  // The rules must have both kept and ignored a fair share for this to mean anything.
  EXPECT_GT(listed, present / 5);
  EXPECT_LT(listed, present * 4 / 5);
}

}  // namespace
}  // namespace dockmend::io
