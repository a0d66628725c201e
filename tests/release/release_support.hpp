// Helpers for the release tests: the version as CMake has it, running a command.
#pragma once
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <regex>
#include <stdexcept>
#include <string>

#include "../test_support.hpp"

namespace dockmend::test {

// The VERSION of project(dockmend ...) in the top-level CMakeLists.txt.
inline std::string cmake_project_version() {
  const std::string cmake = read_bytes(source_dir() / "CMakeLists.txt");
  std::smatch m;
  if (!std::regex_search(cmake, m, std::regex(R"(project\(\s*dockmend\s+VERSION\s+([0-9.]+))")))
    throw std::runtime_error("CMakeLists.txt has no project(dockmend VERSION ...)");
  return m[1];
}

struct RunResult {
  int status = -1;  // exit status, -1 when the command did not exit
  std::string out;  // its standard output
};

// Runs a shell command line, capturing standard output (stderr goes where ours goes).
inline RunResult run_capture(const std::string& command) {
  RunResult r;
  std::FILE* p = ::popen(command.c_str(), "r");
  if (!p) return r;
  char buf[65536];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int rc = ::pclose(p);
  r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  return r;
}

inline int shell(const std::string& command) {
  const int rc = std::system(command.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

inline bool has_tool(const std::string& name) { return shell("command -v " + name + " >/dev/null 2>&1") == 0; }

inline std::string quoted(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

}  // namespace dockmend::test
