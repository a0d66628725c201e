// `check --baseline FILE` / `--write-baseline FILE`: findings already known are
// not reported again.
//
// A finding is keyed by its rule, its file (relative to the repository root),
// a fingerprint of the instruction it is on (its text with continuations
// joined and runs of blanks made one space, so re-indenting or re-wrapping it
// does not matter) and its occurrence index among the findings with the same
// rule, file and fingerprint. Line numbers are not part of the key: adding or
// removing lines elsewhere in the file leaves old findings in the baseline.
// The file is text: a header line, then one key a line, sorted.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "transforms/engine.hpp"

namespace dockmend::cli {

inline constexpr std::string_view k_baseline_header = "# dockmend baseline 1: rule<TAB>path<TAB>fingerprint<TAB>occurrence";

// The key of each of rep.findings, in order; `path` is the file as shown.
std::vector<std::string> baseline_keys(const std::string& path, const transforms::FileReport& rep);

class Baseline {
 public:
  // Throws std::runtime_error naming the file and line when it is not a baseline.
  static Baseline parse(const std::string& text, const std::string& file);
  bool contains(const std::string& key) const { return m_keys.count(key) != 0; }
  std::size_t size() const { return m_keys.size(); }

 private:
  std::set<std::string, std::less<>> m_keys;
};

// The file's text for these keys (sorted, duplicates kept once).
std::string baseline_text(std::vector<std::string> keys);

// Writes the baseline: an existing file atomically (io::atomic_write), a new
// one whole or not at all. Returns an error message, or "" when written.
std::string write_baseline_file(const std::string& path, const std::string& text);

}  // namespace dockmend::cli
