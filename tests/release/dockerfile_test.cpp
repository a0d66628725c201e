// The repository's own Dockerfile: it passes `dockmend check` with the built-in
// rules, is multi-stage with a non-root, tini-run final stage that links
// mimalloc, and its .dockerignore lets in exactly what its COPY lines need and
// keeps out a local build/ and .git/.
#include <fnmatch.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <set>
#include <sstream>

#include "release_support.hpp"
#include "syntax/tree.hpp"

namespace fs = std::filesystem;
using namespace dockmend;

namespace {

fs::path root() { return test::source_dir(); }

// The .dockerignore patterns in order ('!' kept), comments and blank lines dropped.
std::vector<std::string> dockerignore() {
  std::vector<std::string> patterns;
  std::istringstream in(test::read_bytes(root() / ".dockerignore"));
  for (std::string line; std::getline(in, line);) {
    line.erase(line.find_last_not_of(" \t\r") + 1);
    if (line.empty() || line[0] == '#') continue;
    patterns.push_back(line);
  }
  return patterns;
}

// Whether the build context keeps `path` (relative, '/'-separated), as moby's
// patternmatcher decides: patterns are cleaned (no trailing '/'), matched with
// Go's filepath.Match (fnmatch with FNM_PATHNAME: '*' stops at '/') against the
// path or any of its parent directories, and the last pattern that matches wins.
bool context_keeps(const std::vector<std::string>& patterns, const std::string& path) {
  bool excluded = false;
  for (std::string p : patterns) {
    const bool negated = p[0] == '!';
    if (negated) p.erase(0, 1);
    while (p.size() > 1 && p.back() == '/') p.pop_back();
    if (p.rfind("/", 0) == 0) p.erase(0, 1);
    bool match = false;
    for (std::size_t end = 0; !match && end != std::string::npos;) {
      end = path.find('/', end == 0 ? 0 : end + 1);
      const std::string prefix = end == std::string::npos ? path : path.substr(0, end);
      match = ::fnmatch(p.c_str(), prefix.c_str(), FNM_PATHNAME) == 0;
    }
    if (match) excluded = !negated;
  }
  return !excluded;
}

struct Parsed {
  std::string bytes;
  syntax::Tree tree;
};

Parsed parse_dockerfile() {
  Parsed p;
  p.bytes = test::read_bytes(root() / "Dockerfile");
  p.tree = syntax::parse(p.bytes);
  return p;
}

}  // namespace

TEST(Dockerfile, PassesDockmendCheckWithItsOwnRules) {
  const auto r = test::run_capture(test::quoted(DOCKMEND_BINARY) + " check --no-policy " +
                                   test::quoted((root() / "Dockerfile").string()) + " 2>&1");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(r.out, "");
}

TEST(Dockerfile, MultiStageNonRootTiniMimalloc) {
  const Parsed p = parse_dockerfile();
  ASSERT_TRUE(p.tree.buildkit_ok()) << p.tree.first_error()->message;
  const auto stages = p.tree.stages();
  ASSERT_GE(stages.size(), 2u);
  const auto& last = stages.back();
  std::string user, entrypoint, runs, copies_from;
  for (std::uint32_t i = last.from; i < last.end; ++i) {
    const auto& ins = p.tree.instructions[i];
    if (ins.is("user")) user = std::string(ins.logical_args());
    if (ins.is("entrypoint")) entrypoint = std::string(ins.logical_args());
    if (ins.is("run")) runs += std::string(ins.logical_args()) + "\n";
    if (ins.is("copy") && ins.flag("from")) copies_from = std::string(ins.flag("from")->value);
  }
  EXPECT_EQ(copies_from, stages.front().name) << "the runtime stage takes the build stage's output";
  ASSERT_FALSE(user.empty()) << "the final stage sets USER";
  const std::string who = user.substr(0, user.find(':'));
  EXPECT_NE(who, "root");
  EXPECT_NE(who, "0");
  EXPECT_EQ(entrypoint.rfind("[\"/usr/bin/tini\", \"--\"", 0), 0u) << entrypoint;
  EXPECT_NE(runs.find(" tini "), std::string::npos) << "installs Debian's tini (/usr/bin/tini)";
  // mimalloc: the build stage has its -dev package and refuses a binary without it.
  std::string build_runs;
  for (std::uint32_t i = stages.front().from; i < stages.front().end; ++i)
    if (p.tree.instructions[i].is("run")) build_runs += std::string(p.tree.instructions[i].logical_args()) + "\n";
  EXPECT_NE(build_runs.find("libmimalloc-dev"), std::string::npos);
  EXPECT_NE(build_runs.find("grep -q 'NEEDED.*libmimalloc'"), std::string::npos);
}

TEST(Dockerfile, DockerignoreKeepsWhatCopyNeedsAndNothingElse) {
  const auto patterns = dockerignore();
  ASSERT_FALSE(patterns.empty());
  // The matcher itself, on what moby's patternmatcher tests show.
  EXPECT_FALSE(context_keeps({"*"}, "a/b"));
  EXPECT_TRUE(context_keeps({"*", "!a"}, "a/b/c"));
  EXPECT_FALSE(context_keeps({"build*/"}, "build-asan/x"));

  // A local build directory, git's data and editor files stay out.
  for (const char* out : {"build/CMakeCache.txt", "build", "build-package/package/x.deb", ".git/HEAD",
                          "build/tests/test_release", "tests/release/version_test.cpp", "golden/x/Dockerfile",
                          "bench/CMakeLists.txt"})
    EXPECT_FALSE(context_keeps(patterns, out)) << out;

  // Every source a COPY takes from the context is there and kept, with all its files.
  const Parsed p = parse_dockerfile();
  std::size_t sources = 0;
  for (const auto& ins : p.tree.instructions) {
    if (!(ins.is("copy") || ins.is("add")) || ins.flag("from")) continue;
    for (std::size_t v = 0; v + 1 < ins.values.size(); ++v) {
      std::string src(ins.values[v].text);
      while (src.size() > 1 && src.back() == '/') src.pop_back();
      const fs::path path = root() / src;
      ASSERT_TRUE(fs::exists(path)) << src;
      EXPECT_TRUE(context_keeps(patterns, src)) << src;
      if (fs::is_directory(path)) {
        for (const auto& e : fs::recursive_directory_iterator(path))
          EXPECT_TRUE(context_keeps(patterns, e.path().lexically_relative(root()).generic_string())) << e.path();
      }
      ++sources;
    }
  }
  EXPECT_GE(sources, 5u);
  // Every module directory CMakeLists.txt builds (dockmend_module(NAME DIR ...),
  // the GLOBs) is in the context: a new top-level module needs a COPY line.
  const std::string cmake = test::read_bytes(root() / "CMakeLists.txt");
  const std::regex module(R"(dockmend_module\(\s*[a-z_]+\s+([A-Za-z0-9_/.-]+))");
  const std::regex glob_dir(R"(GLOB [^)]*?CONFIGURE_DEPENDS((?:\s+[A-Za-z0-9_/.*-]+)+)\))");
  std::set<std::string> dirs;
  for (auto it = std::sregex_iterator(cmake.begin(), cmake.end(), module); it != std::sregex_iterator(); ++it)
    dirs.insert((*it)[1]);
  for (auto it = std::sregex_iterator(cmake.begin(), cmake.end(), glob_dir); it != std::sregex_iterator(); ++it) {
    std::istringstream words((*it)[1].str());
    for (std::string w; words >> w;)
      if (w.find('/') != std::string::npos && w[0] != '$') dirs.insert(w.substr(0, w.rfind('/')));
  }
  EXPECT_GE(dirs.size(), 8u);
  for (const auto& d : dirs) {
    if (!fs::is_directory(root() / d)) continue;
    EXPECT_TRUE(context_keeps(patterns, d + "/x.cpp")) << d << " is built but not in the image's build context";
  }
  // What the build reads (CMakeLists.txt's modules, the install rules) is copied.
  for (const char* needed : {"CMakeLists.txt", "cmake/install.cmake", "grammar", "src/main.cpp", "transforms",
                             "README.md", "CHANGELOG.md", "docs/policy.md"})
    EXPECT_TRUE(context_keeps(patterns, needed)) << needed;
}
