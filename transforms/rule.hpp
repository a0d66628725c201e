// What a rule is: a check over one Dockerfile's tree (and the policy) that
// returns findings, each with an optional all-or-nothing fix. Rules never
// print and never touch files; they read the repository through FileView.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "edit/edit.hpp"
#include "model/model.hpp"
#include "policy/policy.hpp"
#include "syntax/tree.hpp"

namespace dockmend::transforms {

// Read-only access to the repository (paths relative to its root, `/`-separated).
// The CLI implements it and refuses paths that leave the root.
class FileView {
 public:
  virtual ~FileView() = default;
  virtual std::optional<std::string> read(std::string_view path) const = 0;
  virtual bool exists(std::string_view path) const = 0;
  // Regular files below `dir` (recursive), relative to the root, sorted.
  virtual std::vector<std::string> list(std::string_view dir) const = 0;
};

// A FileView with nothing in it (for stdin and tests).
class EmptyFileView final : public FileView {
 public:
  std::optional<std::string> read(std::string_view) const override { return std::nullopt; }
  bool exists(std::string_view) const override { return false; }
  std::vector<std::string> list(std::string_view) const override { return {}; }
};

enum class RuleKind { Policy, Builtin };

// How far a fix can be trusted, as ruff has it: a safe fix keeps what the image
// does; an unsafe one may change it (its user, its shell, what it installs, a
// cache a later step reads) and `diff` / `fix` apply it only on request
// (--unsafe-fixes, `unsafe-fixes: true`); report-only rules never offer one.
// Policy rules' fixes are applied whatever their class: the policy asked.
enum class FixSafety { Safe, Unsafe, ReportOnly };
const char* safety_name(FixSafety safety);  // "safe", "unsafe", "report-only"

struct Context {
  const syntax::Tree& tree;
  std::string path;                     // the Dockerfile, relative to the root
  std::string dir;                      // its directory ("" for the root): the build context
  const policy::Policy& policy;
  const policy::Service* service;       // the service naming this Dockerfile, or null
  const policy::Settings& settings;     // defaults, merged with the service's overrides
  const FileView& files;
  // What the image is: built once per tree by the engine, read by every rule.
  const model::Model& model;

  // `rel` (relative to the Dockerfile's directory) as a path relative to the root.
  std::string in_context(std::string_view rel) const;
};

struct Finding {
  std::string rule;
  std::string message;           // one line
  syntax::Span at;               // where in the Dockerfile (an empty span at 0 for file-level findings)
  std::string current;           // for audit tables: what is there now
  std::string expected;          // and what the policy wants
  std::string ref;               // the policy's `ref` for this rule
  std::optional<edit::Fix> fix;  // absent: report only
  std::string file;              // another file the finding is about (e.g. requirements.txt), root-relative
  std::uint32_t file_line = 0;   // line in that file
  // This finding's fix is safer or less safe than its rule's default (pipefail's
  // SHELL is safe in a stage nothing builds FROM or ships, unsafe otherwise).
  std::optional<FixSafety> safety;
  // Filled by the engine:
  std::uint32_t line = 0, column = 0;
  policy::Severity severity = policy::Severity::Warning;  // the rule's, as the policy sets it
};

// A file a fix creates (e.g. a machine profile copied into a service directory).
struct NewFile {
  std::string path;     // root-relative
  std::string content;
  std::string rule;
  std::string reason;
};

struct Outcome {
  bool applicable = true;            // false: this rule has nothing to check here
  std::vector<Finding> findings;
  std::vector<std::string> correct;  // what the check found right (the audit's "what is correct")
  std::vector<NewFile> new_files;
  // Whether anyone reads `correct` (the audit does; `check` printing lines does
  // not): rules may skip building those strings when false.
  bool wants_correct = true;
};

struct Context;
struct Outcome;
using CheckFn = void (*)(const Context&, Outcome&);

// One rule's declaration. Each rule file registers one (a table file one per
// row) with a RuleRegistration; nothing else lists rules.
struct Rule {
  std::string_view id;
  std::string_view aliases;      // names people know: "DL3025, JSONArgsRecommended"
  RuleKind kind = RuleKind::Builtin;
  FixSafety safety = FixSafety::Safe;  // of its fixes, unless a finding says otherwise
  int priority = 2;              // 1 must fix, 2 should fix, 3 nice to have (audit grouping)
  // Where listings put it among the rules of its kind (reports, `dockmend rules`,
  // findings at one place): ascending, ties by id.
  int order = 0;
  std::string_view summary;      // what it checks, one line
  std::string_view description;  // why it matters (docs, `dockmend rules`); may be ""
  std::string_view fix;          // what its fix does ("" for report-only)
  CheckFn check = nullptr;
  // Its examples (tests/transforms/rule_examples_test.cpp runs them): a Dockerfile
  // it finds something in, that file after its fixes (== bad for report-only
  // rules), and a Dockerfile it must leave alone.
  std::string_view example_bad, example_fixed, example_good;
  // The rule's `rules:` setting its examples need, as YAML ("" for none):
  // `{registries: [ghcr.io]}` for a rule that checks nothing without options.
  std::string_view example_setting;
  // The policy its examples are checked under, as a dockmend.yaml beside the
  // Dockerfile ("" for the built-in default): policy rules check nothing without
  // their section, e.g. "defaults:\n  user: {name: app, uid: 10001}\n" (a service
  // whose `dockerfile: Dockerfile` is the example's, for ports and health_port).
  std::string_view example_policy;
  // Build-context files its examples need (path relative to the Dockerfile's
  // directory, content): a rule that reads the context (a profile to copy, the
  // Python sources a health route is in) shows its fix and its good case with them.
  std::vector<std::pair<std::string_view, std::string_view>> example_files;
  bool default_on = true;        // on in the built-in default policy (`extends: default`)
  // The options its policy setting may give (policy::RuleOption keys, comma-separated):
  // `rules: {trusted-registries: {registries: [...]}}`. "" for none.
  std::string_view options;
};

// The declarative form of a Rule, field by field:
//   const RuleRegistration k_rule{RuleSpec("apk-no-cache").aliases("DL3019").order(150)
//                                     .summary("...").fix("...").check(&check)};
class RuleSpec {
 public:
  explicit RuleSpec(std::string_view id) { m_rule.id = id; }
  RuleSpec& aliases(std::string_view v) { m_rule.aliases = v; return *this; }
  RuleSpec& kind(RuleKind v) { m_rule.kind = v; return *this; }
  RuleSpec& safety(FixSafety v) { m_rule.safety = v; return *this; }
  RuleSpec& priority(int v) { m_rule.priority = v; return *this; }
  RuleSpec& order(int v) { m_rule.order = v; return *this; }
  RuleSpec& summary(std::string_view v) { m_rule.summary = v; return *this; }
  RuleSpec& description(std::string_view v) { m_rule.description = v; return *this; }
  RuleSpec& fix(std::string_view v) { m_rule.fix = v; return *this; }
  RuleSpec& check(CheckFn v) { m_rule.check = v; return *this; }
  RuleSpec& example(std::string_view bad, std::string_view fixed, std::string_view good) {
    m_rule.example_bad = bad;
    m_rule.example_fixed = fixed;
    m_rule.example_good = good;
    return *this;
  }
  // Off unless a policy switches it on (a matter of taste: wget-progress).
  RuleSpec& off_by_default() { m_rule.default_on = false; return *this; }
  RuleSpec& options(std::string_view v) { m_rule.options = v; return *this; }
  RuleSpec& example_setting(std::string_view v) { m_rule.example_setting = v; return *this; }
  RuleSpec& example_policy(std::string_view v) { m_rule.example_policy = v; return *this; }
  RuleSpec& example_file(std::string_view path, std::string_view content) {
    m_rule.example_files.emplace_back(path, content);
    return *this;
  }
  const Rule& rule() const { return m_rule; }

 private:
  Rule m_rule;
};

// Adds a rule to the registry at static initialisation (a namespace-scope
// object in the rule's file). Rules are listed only after main() starts.
class RuleRegistration {
 public:
  explicit RuleRegistration(const RuleSpec& spec);
};

// Every rule: policy rules, then built-in ones, each by `order`.
const std::vector<const Rule*>& all_rules();
// Rules driven by the policy's values (ports, user, tini, ...), in audit order.
const std::vector<const Rule*>& policy_rules();
// Built-in best-practice rules, which need no per-repository values.
const std::vector<const Rule*>& builtin_rules();
const Rule* find_rule(std::string_view id_or_alias);

// The safety of a finding's fix: its own when it sets one, else its rule's.
FixSafety fix_safety(const Finding& finding, const Rule& rule);

}  // namespace dockmend::transforms
