#pragma once
// Helpers shared by the io tests: temporary trees, files, symlinks and shell commands.

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace dockmend::io::testing {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string templ = (fs::temp_directory_path() / "dockmend-io-XXXXXX").string();
    if (mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    // Canonical, so symlink tests compare like with like (/tmp may be a link).
    path_ = fs::canonical(templ);
  }
  ~TempDir() {
    std::error_code ec;
    fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }
  std::string str() const { return path_.string(); }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

// Changes the working directory for one test and restores it afterwards.
class ScopedChdir {
 public:
  explicit ScopedChdir(const fs::path& dir) : saved_(fs::current_path()) { fs::current_path(dir); }
  ~ScopedChdir() { fs::current_path(saved_); }
  ScopedChdir(const ScopedChdir&) = delete;
  ScopedChdir& operator=(const ScopedChdir&) = delete;

 private:
  fs::path saved_;
};

inline void write_file(const std::string& path, const std::string& bytes) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
}

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

// Runs a shell command with git isolated from any user or system configuration;
// returns its exit code.
inline int sh(const std::string& command) {
  const std::string full =
      "export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null; (" + command + ") >/dev/null 2>&1";
  const int status = std::system(full.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

inline void git_init(const TempDir& dir) {
  ASSERT_EQ(sh("git init -q " + quote(dir.str())), 0);
}

// Names of entries in `dir` that look like our temporary files.
inline std::vector<std::string> temp_files_in(const fs::path& dir) {
  std::vector<std::string> found;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.find(".dockmend-") != std::string::npos) found.push_back(name);
  }
  return found;
}

// discover() runs git: keep it away from this machine's configuration
// (global excludes file, safe.directory, ...).
class IsolatedGitEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
    setenv("GIT_CONFIG_GLOBAL", "/dev/null", 1);
    setenv("XDG_CONFIG_HOME", "/nonexistent-dockmend-test", 1);
  }
};

}  // namespace dockmend::io::testing
