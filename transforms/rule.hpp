// What a rule is: a check over one Dockerfile's tree (and the policy) that
// returns findings, each with an optional all-or-nothing fix. Rules never
// print and never touch files; they read the repository through FileView.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "edit/edit.hpp"
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

struct Context {
  const syntax::Tree& tree;
  std::string path;                     // the Dockerfile, relative to the root
  std::string dir;                      // its directory ("" for the root): the build context
  const policy::Policy& policy;
  const policy::Service* service;       // the service naming this Dockerfile, or null
  const policy::Settings& settings;     // defaults, merged with the service's overrides
  const FileView& files;

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

enum class RuleKind { Policy, Builtin };
enum class FixSafety { Safe, Review, ReportOnly };

struct Rule {
  std::string_view id;
  std::string_view summary;      // what it checks
  std::string_view fix;          // what its fix does ("" for report-only)
  std::string_view aliases;      // names people know: "DL3025, JSONArgsRecommended"
  RuleKind kind = RuleKind::Builtin;
  FixSafety safety = FixSafety::Safe;
  int priority = 2;              // 1 must fix, 2 should fix, 3 nice to have (audit grouping)
  void (*check)(const Context&, Outcome&) = nullptr;
};

// Every rule, in the order reports list them.
const std::vector<const Rule*>& all_rules();
const Rule* find_rule(std::string_view id_or_alias);

}  // namespace dockmend::transforms
