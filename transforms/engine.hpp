// Runs the rules over one file: findings on the original, then fix rounds until
// nothing changes (each round re-parsed and validated), as ruff's --fix does.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "transforms/rule.hpp"

namespace dockmend::transforms {

// --select / --ignore: rule ids, their aliases (DL3008), or ALL.
struct Selection {
  std::vector<std::string> select;  // empty: every enabled rule
  std::vector<std::string> ignore;
  bool allows(const Rule& rule) const;
};

struct RulePlan;

struct EngineConfig {
  const policy::Policy* policy = nullptr;  // never null when running
  const FileView* files = nullptr;
  Selection selection;
  int max_rounds = 8;
  // Apply unsafe fixes of built-in rules too (--unsafe-fixes, `unsafe-fixes: true`).
  bool unsafe_fixes = false;
  // Collect what each rule found right (RuleResult::correct): the audit's
  // "what is correct" column. Off, rules skip building those strings.
  bool collect_correct = true;
  // Set by prepare(): for each service of the policy (and for files of none),
  // its merged settings and the rules that run. Without it every file works
  // them out again; a run over many files should prepare() once, after setting
  // `policy` and `selection` and before any file.
  std::shared_ptr<const RulePlan> plan;
};

// What runs for the files of one service (nullptr: files of no service).
struct ServicePlan {
  const policy::Service* service = nullptr;
  policy::Settings settings;
  std::vector<const Rule*> rules;  // enabled by the policy and allowed by the selection, in order
  std::vector<policy::Severity> severities;  // of each of `rules` (transforms/severity.hpp)
};
struct RulePlan {
  const policy::Policy* policy = nullptr;
  std::vector<ServicePlan> services;  // one per policy service, then the one for no service
};

// Fills config.plan from config.policy and config.selection.
void prepare(EngineConfig& config);

struct RuleResult {
  const Rule* rule = nullptr;
  bool applicable = true;
  std::size_t findings = 0;
  std::vector<std::string> correct;
};

struct FileReport {
  std::string path;
  const policy::Service* service = nullptr;
  std::string original;
  std::string fixed;                      // == original when nothing changes (or not fixing)
  std::vector<Finding> findings;          // on the original text
  std::vector<RuleResult> rules;          // every rule that ran on the original
  std::vector<edit::Conflict> conflicts;  // fixes refused in the first round
  std::vector<NewFile> new_files;
  std::vector<std::string> notes;         // fixes dropped because their result did not validate
  std::optional<syntax::Diagnostic> error;  // buildkit rejects the file: nothing was changed
  bool ignored = false;                   // `# dockmend: ignore-file`
  std::size_t unsafe_withheld = 0;        // findings whose unsafe fix was not applied (no --unsafe-fixes)
  bool changed() const { return fixed != original; }
};

// Whether the policy turns `rule` on for this Dockerfile (before --select/--ignore).
bool rule_enabled(const Rule& rule, const policy::Policy& policy, const policy::Service* service);

// Option `key` of `rule` as the policy sets it for this Dockerfile (under the
// rule's id or an alias; the service's setting first), or null.
const policy::RuleOption* rule_option(const Rule& rule, const policy::Policy& policy, const policy::Service* service,
                                      std::string_view key);

// Whether `diff` / `fix` apply the finding's fix (it has one, and it is safe or unsafe ones are wanted).
bool applies(const Finding& f, bool unsafe_fixes);

// `path` is root-relative. With `fix`, `fixed` holds the result of every fix.
FileReport process_file(std::string path, std::string bytes, const EngineConfig& config, bool fix);

// The rules' edits for one tree (one round), after inline ignores.
struct RoundResult {
  std::vector<Finding> findings;
  std::vector<RuleResult> rules;
  std::vector<NewFile> new_files;
};
RoundResult run_rules(const syntax::Tree& tree, const std::string& path, const EngineConfig& config);

}  // namespace dockmend::transforms
