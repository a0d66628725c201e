// Shared helpers for the test programs.
#pragma once
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace dockmend::test {

inline std::string read_bytes(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

inline void write_bytes(const std::filesystem::path& p, const std::string& s) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f << s;
}

inline std::filesystem::path source_dir() { return DOCKMEND_SOURCE_DIR; }

// ../shared/corpus beside the clone; empty when absent (a user's clone).
inline std::filesystem::path corpus_dir() {
  if (const char* env = std::getenv("DOCKMEND_CORPUS")) return env;
  auto p = source_dir().parent_path() / "shared" / "corpus";
  return std::filesystem::exists(p) ? p : std::filesystem::path();
}

#define DOCKMEND_REQUIRE_CORPUS(dir)                                                      \
  auto dir = ::dockmend::test::corpus_dir();                                           \
  if (dir.empty()) GTEST_SKIP() << "../shared/corpus not found beside the clone "        \
                                   "(set DOCKMEND_CORPUS to run the corpus tests)";

}  // namespace dockmend::testing
