// One version number in one place: the VERSION of project() in CMakeLists.txt.
// dockmend::version(), --version and the reports show that one.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <regex>
#include <string>

#include "../test_support.hpp"
#include "release_support.hpp"
#include "version/version.hpp"

using namespace dockmend;

TEST(Version, IsTheCMakeProjectVersion) {
  const std::string v = test::cmake_project_version();
  ASSERT_TRUE(std::regex_match(v, std::regex("[0-9]+\\.[0-9]+\\.[0-9]+"))) << v;
  EXPECT_EQ(std::string(dockmend::version()), v);
}

TEST(Version, VersionFlagPrintsIt) {
  const std::string v = test::cmake_project_version();
  for (const char* flag : {"--version", "-V", "version"}) {
    const auto r = test::run_capture(test::quoted(DOCKMEND_BINARY) + " " + flag);
    EXPECT_EQ(r.status, 0) << flag;
    EXPECT_EQ(r.out, "dockmend " + v + "\n") << flag;
  }
}

// SARIF's runs[].tool.driver.version and the audit JSON's tool.version (yaml-cpp
// reads JSON, a subset of YAML 1.2).
TEST(Version, SarifAndJsonReportsCarryIt) {
  const std::string v = test::cmake_project_version();
  const std::string dir = (test::source_dir() / "examples" / "phase4").string();
  const std::string bin = test::quoted(DOCKMEND_BINARY);
  const auto sarif = test::run_capture(bin + " check --quiet --format sarif " + test::quoted(dir));
  const YAML::Node s = YAML::Load(sarif.out);
  ASSERT_TRUE(s["runs"] && s["runs"].size() >= 1) << sarif.out.substr(0, 400);
  for (const auto& run : s["runs"]) EXPECT_EQ(run["tool"]["driver"]["version"].as<std::string>(), v);
  const auto json = test::run_capture(bin + " audit --quiet --format json " + test::quoted(dir));
  EXPECT_EQ(YAML::Load(json.out)["tool"]["version"].as<std::string>(), v) << json.out.substr(0, 400);
}
