// The docs pin dockmend truthfully: every version they name in a pin (pre-commit
// `rev: vX.Y.Z`, an Action `@vX.Y.Z`, a build URL `#vX.Y.Z`, an image
// `dockmend:X.Y.Z`) is one CHANGELOG.md has an entry for, and the newest entry
// is the version in CMakeLists.txt (released, or unreleased with its tag named).
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <set>

#include "release_support.hpp"

namespace fs = std::filesystem;
using namespace dockmend;

namespace {

std::vector<std::string> changelog_versions() {
  const std::string log = test::read_bytes(test::source_dir() / "CHANGELOG.md");
  std::vector<std::string> v;
  const std::regex entry(R"((^|\n)## ([0-9]+\.[0-9]+\.[0-9]+) \()");
  for (auto it = std::sregex_iterator(log.begin(), log.end(), entry); it != std::sregex_iterator(); ++it)
    v.push_back((*it)[2]);
  return v;
}

// The files whose text users copy: README, docs/ (examples included), the hooks, the Action.
std::vector<fs::path> pinning_files() {
  std::vector<fs::path> files = {test::source_dir() / "README.md", test::source_dir() / ".pre-commit-hooks.yaml",
                                 test::source_dir() / "action.yml", test::source_dir() / "Dockerfile"};
  for (const auto& e : fs::recursive_directory_iterator(test::source_dir() / "docs"))
    if (e.is_regular_file()) files.push_back(e.path());
  return files;
}

}  // namespace

TEST(DocsVersion, NewestChangelogEntryIsTheCMakeVersion) {
  const auto versions = changelog_versions();
  ASSERT_FALSE(versions.empty()) << "CHANGELOG.md has no `## X.Y.Z (...)` entry";
  EXPECT_EQ(versions.front(), test::cmake_project_version());
  const std::string log = test::read_bytes(test::source_dir() / "CHANGELOG.md");
  // An unreleased entry names the tag the release will have.
  std::smatch m;
  ASSERT_TRUE(std::regex_search(log, m, std::regex("\n## " + versions.front() + R"( \(([^)\n]*)\))")));
  const std::string state = m[1];
  if (state.rfind("unreleased", 0) == 0)
    EXPECT_NE(state.find("tag v" + versions.front()), std::string::npos) << state;
  else
    EXPECT_TRUE(std::regex_match(state, std::regex("[0-9]{4}-[0-9]{2}-[0-9]{2}"))) << "a release date: " << state;
}

TEST(DocsVersion, DocsPinOnlyVersionsTheChangelogNames) {
  const auto list = changelog_versions();
  const std::set<std::string> known(list.begin(), list.end());
  const std::regex pin(R"((rev: v|@v|#v|dockmend:)([0-9]+\.[0-9]+\.[0-9]+)\b)");
  std::size_t pins = 0;
  for (const auto& f : pinning_files()) {
    const std::string text = test::read_bytes(f);
    for (auto it = std::sregex_iterator(text.begin(), text.end(), pin); it != std::sregex_iterator(); ++it) {
      EXPECT_TRUE(known.count((*it)[2])) << f << " pins " << it->str() << ", a version CHANGELOG.md does not name";
      ++pins;
    }
  }
  EXPECT_GE(pins, 5u);
  // The pre-commit example pins a tag the docs explain.
  const std::string example = test::read_bytes(test::source_dir() / "docs/examples/pre-commit-config.yaml");
  EXPECT_NE(example.find("rev: v" + list.front()), std::string::npos);
  const std::string fleet = test::read_bytes(test::source_dir() / "docs/fleet.md");
  EXPECT_NE(fleet.find("commit hash"), std::string::npos) << "docs/fleet.md says how to pin before the tag exists";
  EXPECT_TRUE(fs::exists(test::source_dir() / "docs/releasing.md"));
}
