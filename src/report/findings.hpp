// The findings of `check` as data for tools: SARIF 2.1.0 for code scanning
// (GitHub's and others') and dockmend's own versioned JSON (docs/json.md).
//
// Positions are counted one way in every format: lines and columns 1-based,
// columns in Unicode code points (a tab is one, "é" is one; precisely, every
// byte that does not continue a UTF-8 sequence, 0x80-0xBF, is one), lines
// ended by "\n". Fix edits in JSON are byte ranges
// of the file, since that is what a tool applying them needs.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "transforms/engine.hpp"

namespace dockmend::report {

// A file that could not be read or parsed: it has no findings, and says why.
struct Problem {
  std::string path;                    // as shown ("" for errors about no one file)
  std::uint32_t line = 0, column = 0;  // 0: not about a place in the file
  std::string message;
};

struct FindingsInput {
  const policy::Policy* policy = nullptr;
  std::vector<const transforms::FileReport*> files;  // in path order; a report with `error` is a Problem too
  std::vector<Problem> problems;
  std::string tool_version;
  std::size_t scanned = 0;  // files looked at, problems included
  std::string automation_id;  // SARIF runs[].automationDetails.id ("dockmend/shard-2-of-4/"), or none
};

// Severity of a rule's findings: "error", "warning", "info" or "style".
// Until rules carry their own, it follows the rule's priority (1 error,
// 2 warning, 3 info).
std::string_view severity_of(const transforms::Rule* rule);
// A finding's severity: its own when the engine sets one (the policy's
// `rules:` may change a rule's), else the rule's.
std::string_view finding_severity(const transforms::Rule* rule, const transforms::Finding& finding);
// Ordering of severities, most severe first (error 0 ... style 3).
int severity_rank(std::string_view severity);

// "safe", "unsafe" (the fix may change what the image does: review it) or
// "none" (the finding has no fix).
std::string_view fix_safety_of(const transforms::Rule* rule, const transforms::Finding& finding);

// Why the rule matters, in a few sentences, when the rule says ("" otherwise).
std::string_view rule_description(const transforms::Rule& rule);

// The project's home page (DOCKMEND_HOMEPAGE_URL at build time).
std::string_view homepage_url();

// Where a rule is documented (docs/rules.md#id, docs/rules-policy.md#id),
// under DOCKMEND_DOCS_URL.
std::string rule_help_uri(const transforms::Rule& rule);

// A key for a finding that survives unrelated edits of the file: the rule,
// the path and the text of the lines it is on (whitespace-normalised), not
// their number.
// Hex of a 64-bit FNV-1a hash. Identical keys in one file are told apart by
// their order (":1", ":2", ... in SARIF's partialFingerprints).
std::string finding_key(const transforms::FileReport& file, const transforms::Finding& finding);

struct SarifOptions {
  // GitHub code scanning takes at most 25,000 results a run. Beyond it the
  // most severe are kept (errors, then warnings, then notes; ties in path and
  // line order) and a notification says how many were left out.
  std::size_t max_results = 25000;
};
std::string sarif(const FindingsInput& input, const SarifOptions& options = {});

// `check --format json`: {"version": 1, "tool", "findings": [...], "errors": [...], "summary"}.
std::string check_json(const FindingsInput& input);

// Line and column (1-based, code points) of a byte offset, and the offset in code points.
struct TextPos {
  std::uint32_t line = 1, column = 1, chars = 0;
};
class Positions {
 public:
  explicit Positions(std::string_view text);
  TextPos at(std::uint32_t offset) const;

 private:
  std::uint32_t count(std::uint32_t b, std::uint32_t e) const;
  std::string_view m_text;
  std::vector<std::uint32_t> m_starts;  // byte offset of each line
  std::vector<std::uint32_t> m_chars;   // code points before each line
};

// The column in code points of byte `offset` (1-based), from the line's start.
std::uint32_t char_column(std::string_view text, std::uint32_t offset);

}  // namespace dockmend::report
