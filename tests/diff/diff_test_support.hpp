#pragma once
// Helpers shared by the diff tests: temporary directories and running the
// reference tools (diff, git, patch) on files.

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <sys/wait.h>

namespace dockmend::diff::testing {

class TempDir {
 public:
  TempDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "dockmend-diff-XXXXXX").string();
    if (mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = templ;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

inline void write_file(const std::string& path, const std::string& bytes) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

struct CommandResult {
  int status = -1;  // exit code, or -1 when the command did not exit normally
  std::string output;
};

// Runs `command` through the shell and captures its stdout. Git runs without the
// user's or system's configuration so prefixes, colours and algorithms are defaults.
inline CommandResult run(const std::string& command) {
  const std::string full =
      "export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null LC_ALL=C; " + command;
  CommandResult result;
  FILE* pipe = popen(full.c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[65536];
  std::size_t n = 0;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, n);
  const int status = pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

inline std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

// Drops git's "diff --git" / "index" / mode lines so only the part that
// unified_diff produces (from the "---" line on) is left.
inline std::string strip_git_preamble(const std::string& text) {
  std::size_t at = 0;
  while (at < text.size()) {
    // Skip colour codes at line start when looking for the "---" line.
    std::size_t probe = at;
    while (probe < text.size() && text[probe] == '\x1b') {
      const std::size_t m = text.find('m', probe);
      if (m == std::string::npos) break;
      probe = m + 1;
    }
    if (text.compare(probe, 4, "--- ") == 0) return text.substr(at);
    const std::size_t nl = text.find('\n', at);
    if (nl == std::string::npos) break;
    at = nl + 1;
  }
  return {};
}

}  // namespace dockmend::diff::testing
