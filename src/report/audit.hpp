// The compliance audit: per service, a table of what is wrong (Issue | Current |
// Should Be | Line Ref), the list of what is right, and a score; then the
// fixes by priority and the overall score. As Markdown (like a person's audit),
// JSON, or SARIF 2.1.0 (every fix as replacements, new files included).
//
// A check is one rule that applies to a Dockerfile; it passes when the rule
// finds nothing. A service's score is checks passed / checks applicable.
#pragma once
#include <string>
#include <vector>

#include "transforms/engine.hpp"

namespace dockmend::report {

enum class Format { Markdown, Json, Sarif };

struct AuditInput {
  const policy::Policy* policy = nullptr;
  std::vector<const transforms::FileReport*> files;  // sorted by path
  std::string tool_version;
};

struct Check {
  const transforms::Rule* rule = nullptr;
  bool passed = false;
  std::size_t findings = 0;
};

struct ServiceScore {
  std::string name;        // service name, or the Dockerfile path when no service names it
  std::string dockerfile;
  const transforms::FileReport* file = nullptr;
  std::vector<Check> checks;  // applicable rules, in rule order
  std::size_t passed = 0;
  std::size_t applicable = 0;
  double percent() const { return applicable ? 100.0 * static_cast<double>(passed) / static_cast<double>(applicable) : 100.0; }
};

struct Audit {
  std::vector<ServiceScore> services;  // policy order first, then other Dockerfiles by path
  std::vector<const policy::Service*> missing;  // services whose Dockerfile was not audited
  std::size_t passed = 0, applicable = 0;
  double percent() const { return applicable ? 100.0 * static_cast<double>(passed) / static_cast<double>(applicable) : 100.0; }
};

Audit score(const AuditInput& input);

// A rule's place in the registry (the order reports list rules in).
std::size_t rule_index(const transforms::Rule* r);
// A file's findings in the order a reader wants them: priority, then rule order,
// then place. Markdown and HTML audits both use it.
std::vector<const transforms::Finding*> reading_order(const transforms::FileReport& f);
std::string render(const AuditInput& input, Format format);

// SARIF for `check --format sarif` as well: every finding, with its fix as replacements.
std::string sarif(const AuditInput& input);

}  // namespace dockmend::report
