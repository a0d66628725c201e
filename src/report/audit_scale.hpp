// The audit at scale: services keep their tables, but a repository's
// Dockerfiles of no service (with the default policy, all of them) are, past a
// few, summarised per rule (files failing, findings, the worst files) and by
// the least compliant files, instead of a section each: a page a person reads,
// not 29 MB of tables. Used by the Markdown and the HTML audit.
#pragma once
#include <string>
#include <vector>

#include "report/audit.hpp"

namespace dockmend::report {

// More Dockerfiles of no service than this are summarised.
constexpr std::size_t k_audit_detail_limit = 20;

struct OthersSummary {
  struct RuleRow {
    const transforms::Rule* rule = nullptr;
    std::size_t files = 0, findings = 0, fixable = 0;
    std::vector<std::pair<std::string, std::size_t>> worst;  // path, findings of this rule (most first)
  };
  std::size_t files = 0;  // Dockerfiles of no service
  std::size_t passed = 0, applicable = 0;
  std::size_t clean = 0;  // of them, how many pass every check
  std::vector<RuleRow> rules;                 // failing rules, most files first
  std::vector<const ServiceScore*> worst;     // least compliant files first
  std::vector<const ServiceScore*> rejected;  // buildkit rejects them
  std::size_t ignored = 0;                    // `# dockmend: ignore-file`
  double percent() const { return applicable ? 100.0 * static_cast<double>(passed) / static_cast<double>(applicable) : 100.0; }
};

// Whether `audit`'s Dockerfiles of no service are summarised rather than shown one by one.
bool summarise_others(const Audit& audit);
// `shown`: how many worst files to list, per rule and overall.
OthersSummary summarise(const Audit& audit, std::size_t worst_per_rule = 3, std::size_t worst_files = 15);

// The Markdown section for them ("## Other Dockerfiles ...").
std::string others_markdown(const Audit& audit);

// "a, b, c" or, past `shown`, "a, b, ... and 12 more".
std::string name_list(const std::vector<std::string>& names, std::size_t shown = 8);

// Where a fix is needed: "api, web", "api and 812 other Dockerfiles", "812 other Dockerfiles".
std::string fix_targets(const std::vector<std::string>& services, std::size_t other_files);

}  // namespace dockmend::report
