// `cmake --install` into a temporary prefix installs the binary (which then
// runs), the man page, the three completion scripts and the docs; CPack's
// Debian package holds the same under /usr, depends on the package of every
// shared library the binary links, and unpacks into a scratch root where the
// binary runs.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <regex>
#include <set>
#include <sstream>

#include "release_support.hpp"

namespace fs = std::filesystem;
using namespace dockmend;

namespace {

fs::path build_dir() { return fs::path(DOCKMEND_BINARY).parent_path(); }

struct TempDir {
  fs::path path;
  explicit TempDir(const char* what) {
    std::string tmpl = (fs::temp_directory_path() / (std::string("dockmend-") + what + "-XXXXXX")).string();
    path = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

// Whether the build found help2man (cmake/install.cmake): then the man page must be there.
bool build_has_help2man() {
  const std::string cache = test::read_bytes(build_dir() / "CMakeCache.txt");
  std::smatch m;
  return std::regex_search(cache, m, std::regex("HELP2MAN_EXECUTABLE:FILEPATH=([^\n]*)")) &&
         m[1].str().find("NOTFOUND") == std::string::npos && !m[1].str().empty();
}

// No man page without help2man: a skip on a developer's machine, a failure in CI.
#define DOCKMEND_REQUIRE_MAN()                                                                           \
  if (!build_has_help2man()) {                                                                            \
    if (std::getenv("CI")) FAIL() << "help2man is missing in CI: scripts/deps installs it";              \
    GTEST_SKIP() << "help2man not found when the build was configured (apt-get install help2man): "      \
                    "no man page to check";                                                             \
  }

std::string completion(const std::string& shell) {
  return test::run_capture(test::quoted(DOCKMEND_BINARY) + " completion " + shell).out;
}

// What an installed tree holds, checked the same way for `cmake --install` and the package.
void expect_installed(const fs::path& prefix, const std::string& zsh_dir) {
  const fs::path bin = prefix / "bin" / "dockmend";
  ASSERT_TRUE(fs::exists(bin)) << bin;
  const auto v = test::run_capture(test::quoted(bin.string()) + " --version");
  EXPECT_EQ(v.status, 0);
  EXPECT_EQ(v.out, "dockmend " + test::cmake_project_version() + "\n");
  // The installed binary works on a real tree.
  const auto check = test::run_capture(test::quoted(bin.string()) + " check --quiet --no-policy " +
                                       test::quoted((test::source_dir() / "examples" / "phase4").string()));
  EXPECT_EQ(check.status, 1) << "the phase4 example has findings";
  EXPECT_NE(check.out.find("Dockerfile:"), std::string::npos);

  EXPECT_EQ(test::read_bytes(prefix / "share/bash-completion/completions/dockmend"), completion("bash"));
  EXPECT_EQ(test::read_bytes(prefix / "share" / zsh_dir / "_dockmend"), completion("zsh"));
  EXPECT_EQ(test::read_bytes(prefix / "share/fish/vendor_completions.d/dockmend.fish"), completion("fish"));

  const fs::path doc = prefix / "share/doc/dockmend";
  for (const char* f : {"README.md", "CHANGELOG.md", "docs/policy.md", "docs/rules.md", "docs/fleet.md"})
    EXPECT_TRUE(fs::is_regular_file(doc / f)) << f;
  // Every docs/ file is there, so README's links to docs/... resolve.
  for (const auto& e : fs::recursive_directory_iterator(test::source_dir() / "docs")) {
    if (!e.is_regular_file()) continue;
    EXPECT_TRUE(fs::exists(doc / "docs" / e.path().lexically_relative(test::source_dir() / "docs"))) << e.path();
  }
}

void expect_man_page(const fs::path& page) {
  const std::string man = page.extension() == ".gz"
                              ? test::run_capture("gzip -dc " + test::quoted(page.string())).out
                              : test::read_bytes(page);
  ASSERT_FALSE(man.empty()) << page;
  EXPECT_NE(man.find(".TH DOCKMEND \"1\""), std::string::npos);
  EXPECT_NE(man.find("dockmend " + test::cmake_project_version()), std::string::npos) << "the version";
  // A section for each command, from `dockmend help COMMAND`.
  for (const char* c : {"check", "diff", "fix", "audit", "dump", "rules", "policy", "completion"})
    EXPECT_NE(man.find(std::string(".SS ") + c + "\n"), std::string::npos) << c;
  EXPECT_NE(man.find("\\-\\-fail\\-under"), std::string::npos);
  if (test::has_tool("man")) {
    // man renders it without complaint (groff warnings go to stderr).
    const auto r = test::run_capture("MANWIDTH=80 man --warnings -l " + test::quoted(page.string()) + " 2>&1 >/dev/null");
    EXPECT_EQ(r.out, "") << r.out;
  }
}

}  // namespace

TEST(Install, IntoATemporaryPrefix) {
  TempDir prefix("install");
  const auto r = test::run_capture("cmake --install " + test::quoted(build_dir().string()) + " --prefix " +
                                   test::quoted(prefix.path.string()) + " 2>&1");
  ASSERT_EQ(r.status, 0) << r.out;
  // Not /usr: zsh's own directory (Debian's vendor-completions is for /usr only).
  expect_installed(prefix.path, "zsh/site-functions");
  DOCKMEND_REQUIRE_MAN();
  expect_man_page(prefix.path / "share/man/man1/dockmend.1");
}

TEST(HeavyPackage, DebianPackageControlContentsAndUnpackedBinary) {
  if (!test::has_tool("dpkg-deb") || !test::has_tool("cpack") || !test::has_tool("dpkg-shlibdeps"))
    GTEST_SKIP() << "dpkg-deb, dpkg-shlibdeps (dpkg-dev) or cpack not found: no Debian package to check";
  TempDir out("package");
  const auto r = test::run_capture("cd " + test::quoted(build_dir().string()) + " && cpack -G DEB -B " +
                                   test::quoted(out.path.string()) + " 2>&1");
  ASSERT_EQ(r.status, 0) << r.out;
  const std::string version = test::cmake_project_version();
  const auto arch = test::run_capture("dpkg --print-architecture").out;
  const fs::path deb = out.path / ("dockmend_" + version + "_" + arch.substr(0, arch.find('\n')) + ".deb");
  ASSERT_TRUE(fs::exists(deb)) << r.out;

  auto field = [&](const char* name) {
    auto v = test::run_capture("dpkg-deb --field " + test::quoted(deb.string()) + " " + name).out;
    while (!v.empty() && v.back() == '\n') v.pop_back();
    return v;
  };
  EXPECT_EQ(field("Package"), "dockmend");
  EXPECT_EQ(field("Version"), version);
  EXPECT_EQ(field("Recommends"), "git");
  // Depends names the Debian package of each shared library the binary needs.
  const std::string depends = field("Depends");
  std::set<std::string> depended;
  {
    std::istringstream in(depends);
    for (std::string item; std::getline(in, item, ',');) {
      item.erase(0, item.find_first_not_of(' '));
      depended.insert(item.substr(0, item.find_first_of(" (")));
    }
  }
  const auto needed = test::run_capture("objdump -p " + test::quoted(DOCKMEND_BINARY) + " | awk '/NEEDED/ {print $2}'");
  std::istringstream libs(needed.out);
  std::size_t checked = 0;
  for (std::string soname; std::getline(libs, soname);) {
    // The package that ships the library the binary loads (dpkg -S of its path).
    const auto path = test::run_capture("ldd " + test::quoted(DOCKMEND_BINARY) + " | awk '$1 == \"" + soname +
                                        "\" {print $3}'").out;
    ASSERT_FALSE(path.empty()) << soname;
    auto owner = test::run_capture("dpkg -S " + test::quoted(fs::canonical(path.substr(0, path.find('\n'))).string()) +
                                   " 2>/dev/null || dpkg -S " + test::quoted(path.substr(0, path.find('\n'))))
                     .out;
    owner = owner.substr(0, owner.find(':'));
    EXPECT_TRUE(depended.count(owner)) << soname << " comes from " << owner << ", not in Depends: " << depends;
    ++checked;
  }
  EXPECT_GE(checked, 4u) << "yaml-cpp, fmt, boost program_options, libstdc++ at least";
  for (const char* lib : {"libyaml-cpp", "libfmt", "libboost-program-options"})
    EXPECT_NE(depends.find(lib), std::string::npos) << lib << " in " << depends;

  // Unpacked into a scratch root, it is the installed tree under /usr.
  TempDir root("root");
  ASSERT_EQ(test::shell("dpkg-deb -x " + test::quoted(deb.string()) + " " + test::quoted(root.path.string())), 0);
  expect_installed(root.path / "usr", "zsh/vendor-completions");
  const auto contents = test::run_capture("dpkg-deb -c " + test::quoted(deb.string())).out;
  EXPECT_EQ(contents.find("./usr/local"), std::string::npos) << "everything under /usr";
  DOCKMEND_REQUIRE_MAN();
  // Compressed, as Debian's policy has man pages.
  EXPECT_FALSE(fs::exists(root.path / "usr/share/man/man1/dockmend.1"));
  expect_man_page(root.path / "usr/share/man/man1/dockmend.1.gz");
}
