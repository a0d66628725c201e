// The compliance audit: per service, a table of what is wrong, the list of what
// is right, and a score; as Markdown, JSON or SARIF 2.1.0.
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

struct ServiceScore {
  std::string name;        // service name, or the Dockerfile path when no service names it
  std::string dockerfile;
  std::size_t passed = 0;
  std::size_t applicable = 0;
  double percent() const { return applicable ? 100.0 * static_cast<double>(passed) / static_cast<double>(applicable) : 100.0; }
};

struct Audit {
  std::vector<ServiceScore> services;
  std::size_t passed = 0, applicable = 0;
  double percent() const { return applicable ? 100.0 * static_cast<double>(passed) / static_cast<double>(applicable) : 100.0; }
};

Audit score(const AuditInput& input);
std::string render(const AuditInput& input, Format format);

// SARIF for `check --format sarif` as well: every finding, with its fix as replacements.
std::string sarif(const AuditInput& input);

}  // namespace dockmend::report
