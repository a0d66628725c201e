#include "transforms/engine.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "transforms/severity.hpp"

namespace dockmend::transforms {

using syntax::Tree;

std::string Context::in_context(std::string_view rel) const {
  std::string r(rel);
  while (r.rfind("./", 0) == 0) r.erase(0, 2);
  if (dir.empty()) return r;
  return dir + "/" + r;
}

namespace {

// The names a rule answers to: its id, then its aliases (a comma-separated list).
std::vector<std::string_view> rule_names(const Rule& rule) {
  std::vector<std::string_view> names{rule.id};
  std::string_view a = rule.aliases;
  while (!a.empty()) {
    const auto comma = a.find(',');
    auto item = a.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) names.push_back(item);
    if (comma == std::string_view::npos) break;
    a.remove_prefix(comma + 1);
  }
  return names;
}

bool matches(const Rule& rule, const std::string& name) {
  if (name == "ALL") return true;
  for (auto n : rule_names(rule))
    if (n == name) return true;
  return false;
}

std::string_view skip_blanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

std::string trim(std::string_view s) {
  s = skip_blanks(s);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return std::string(s);
}

std::vector<std::string> split_list(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    auto comma = s.find(',');
    auto item = trim(s.substr(0, comma));
    if (!item.empty()) out.push_back(item);
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

// `# dockmend: ignore=a,b` (or bare `ignore`) and `# dockmend: ignore-file[=a,b]`.
struct Pragma {
  bool file = false;
  std::vector<std::string> rules;  // empty: all
};
// hadolint's own pragmas, after "# hadolint": ` ignore=DL3008,DL3015` for the
// next instruction and ` global ignore=...` for the file; text after a further
// `#` is a remark (hadolint README, "Inline ignores").
std::optional<Pragma> read_hadolint_pragma(std::string_view r) {
  if (r.empty() || (r.front() != ' ' && r.front() != '\t')) return std::nullopt;
  r = skip_blanks(r);
  Pragma p;
  if (r.rfind("global", 0) == 0 && r.size() > 6 && (r[6] == ' ' || r[6] == '\t')) {
    p.file = true;
    r = skip_blanks(r.substr(6));
  }
  if (r.rfind("ignore=", 0) != 0) return std::nullopt;
  r.remove_prefix(7);
  r = r.substr(0, r.find('#'));
  p.rules = split_list(r);
  for (auto& name : p.rules) name = trim(name.substr(0, name.find_first_of(" \t")));
  if (p.rules.empty()) return std::nullopt;  // hadolint ignores nothing either
  return p;
}

// The pragma on a comment line (its text as written, indentation included).
// Most comments are not pragmas: that is known before any string is built.
std::optional<Pragma> read_pragma(const syntax::Tree& tree, const syntax::Line& line) {
  const std::string_view comment = skip_blanks(tree.text({line.begin, line.content_end}));
  if (comment.empty() || comment.front() != '#') return std::nullopt;
  const std::string_view prefix = "dockmend:";
  const std::string_view head = skip_blanks(comment.substr(1));
  if (head.rfind("hadolint", 0) == 0) return read_hadolint_pragma(head.substr(8));
  if (head.substr(0, prefix.size()) != prefix) return std::nullopt;
  std::string rest = trim(head.substr(prefix.size()));
  Pragma p;
  std::string_view r = rest;
  if (r.rfind("ignore-file", 0) == 0) {
    p.file = true;
    r.remove_prefix(11);
  } else if (r.rfind("ignore", 0) == 0) {
    r.remove_prefix(6);
  } else {
    return std::nullopt;
  }
  if (!r.empty() && r.front() == '=') p.rules = split_list(r.substr(1));
  else if (!trim(r).empty()) return std::nullopt;
  return p;
}

bool pragma_covers(const Pragma& p, const Rule& rule) {
  if (p.rules.empty()) return true;
  return std::any_of(p.rules.begin(), p.rules.end(), [&](const std::string& n) { return matches(rule, n); });
}

}  // namespace

bool Selection::allows(const Rule& rule) const {
  if (!select.empty() && std::none_of(select.begin(), select.end(), [&](const std::string& n) { return matches(rule, n); }))
    return false;
  return std::none_of(ignore.begin(), ignore.end(), [&](const std::string& n) { return matches(rule, n); });
}

bool rule_enabled(const Rule& rule, const policy::Policy& policy, const policy::Service* service) {
  // `rules:` may name a rule by its id or an alias (DL4000: off), as --select does.
  for (auto name : rule_names(rule))
    if (auto s = policy::rule_setting(policy, service, name)) return *s;
  // Policy rules decide from the policy's sections whether they apply.
  if (rule.kind == RuleKind::Policy) return true;
  return policy.extends_default && rule.default_on;
}

const policy::RuleOption* rule_option(const Rule& rule, const policy::Policy& policy, const policy::Service* service,
                                      std::string_view key) {
  for (auto name : rule_names(rule))
    if (const auto* o = policy::rule_option(policy, service, name, key)) return o;
  return nullptr;
}

namespace {

ServicePlan plan_for(const policy::Policy& pol, const policy::Service* service, const Selection& selection) {
  ServicePlan sp;
  sp.service = service;
  sp.settings = service ? policy::effective_settings(pol, *service) : pol.defaults;
  for (const Rule* rule : all_rules())
    if (selection.allows(*rule) && rule_enabled(*rule, pol, service)) {
      sp.rules.push_back(rule);
      sp.severities.push_back(rule_severity(*rule, pol, service));
    }
  return sp;
}

}  // namespace

void prepare(EngineConfig& config) {
  auto plan = std::make_shared<RulePlan>();
  plan->policy = config.policy;
  for (const policy::Service& service : config.policy->services)
    plan->services.push_back(plan_for(*config.policy, &service, config.selection));
  plan->services.push_back(plan_for(*config.policy, nullptr, config.selection));
  config.plan = std::move(plan);
}

RoundResult run_rules(const Tree& tree, const std::string& path, const EngineConfig& config) {
  RoundResult out;
  const policy::Policy& pol = *config.policy;
  const policy::Service* service = policy::service_for(pol, path);
  const ServicePlan* prepared = nullptr;
  if (config.plan && config.plan->policy == &pol)
    for (const ServicePlan& sp : config.plan->services)
      if (sp.service == service) prepared = &sp;
  std::optional<ServicePlan> worked_out;
  if (!prepared) prepared = &worked_out.emplace(plan_for(pol, service, config.selection));
  const policy::Settings& settings = prepared->settings;
  const auto slash = path.rfind('/');
  // The model of this tree, once for every rule; the service's target picks the shipped stage.
  model::BuildOptions options;
  if (settings.stages) options.stages = settings.stages->names;
  if (service && service->target) options.target = *service->target;
  const model::Model image = model::Model::build(tree, options);
  // The build context: the service's (policy `context`, or compose's build.context), else the file's directory.
  Context ctx{tree,
              path,
              service ? policy::service_context(*service)
                      : slash == std::string::npos ? std::string() : path.substr(0, slash),
              pol,
              service,
              settings,
              *config.files,
              image};

  // Inline pragmas: file-wide ones anywhere, instruction ones in the comment block above it.
  // Each comment is read once here; most files have no pragma, and then no finding
  // looks for one.
  std::vector<Pragma> file_pragmas;
  bool instruction_pragmas = false;
  for (const auto& l : tree.lines) {
    if (l.role != syntax::LineRole::Comment) continue;
    if (auto p = read_pragma(tree, l)) {
      if (p->file) file_pragmas.push_back(std::move(*p));
      else instruction_pragmas = true;
    }
  }
  struct InstructionPragma {
    std::uint32_t begin, end;  // the instruction's span (at least one byte)
    Pragma pragma;
  };
  std::vector<InstructionPragma> covered;
  if (instruction_pragmas) {
    for (const auto& inst : tree.instructions)
      for (auto line : inst.comments)
        if (auto p = read_pragma(tree, tree.lines[line]); p && !p->file)
          covered.push_back({inst.span.begin, std::max(inst.span.end, inst.span.begin + 1), std::move(*p)});
  }
  auto suppressed = [&](const Rule& rule, const Finding& f) {
    for (const auto& p : file_pragmas)
      if (pragma_covers(p, rule)) return true;
    for (const auto& c : covered)
      if (f.at.begin >= c.begin && f.at.begin < c.end && pragma_covers(c.pragma, rule)) return true;
    return false;
  };

  // A RUN whose script is not valid shell (an unterminated quote, a stray `)`) or
  // holds heredoc data other than its own body: its words cannot be trusted to be
  // what the shell runs, so no fix edits inside it or right at its ends (a word
  // appended after an unterminated quote lands inside the quote, and is appended
  // again on every run). Replacing the whole script, or adding an instruction
  // before or after it, is still a fix. The finding stays, without the fix.
  struct Unsafe {
    std::uint32_t begin, end;  // the script's source bytes
    std::uint32_t line;
  };
  std::vector<Unsafe> unsafe_scripts;
  for (const auto& run : image.runs())
    if (run.parsed && !run.editable) {
      const auto span = run.source(tree, {0, run.text.size()});
      unsafe_scripts.push_back({span.begin, span.end, tree.position(span.begin).first});
    }
  auto unsafe_line = [&](const edit::Fix& fix) -> std::optional<std::uint32_t> {
    for (const auto& e : fix.edits)
      for (const auto& u : unsafe_scripts) {
        if (e.range.begin <= u.begin && e.range.end >= u.end) continue;  // the whole script
        auto inside = [&](std::uint32_t p) { return p >= u.begin && p <= u.end; };
        if (inside(e.range.begin) || inside(e.range.end)) return u.line;
      }
    return std::nullopt;
  };

  out.findings.reserve(16);
  out.rules.reserve(prepared->rules.size());
  for (std::size_t ri = 0; ri < prepared->rules.size(); ++ri) {
    const Rule* rule = prepared->rules[ri];
    Outcome o;
    o.wants_correct = config.collect_correct;
    rule->check(ctx, o);
    RuleResult rr;
    rr.rule = rule;
    rr.applicable = o.applicable;
    rr.correct = std::move(o.correct);
    for (auto& f : o.findings) {
      if (suppressed(*rule, f)) continue;
      if (f.rule.empty()) f.rule = std::string(rule->id);
      if (f.fix && f.fix->rule.empty()) f.fix->rule = f.rule;
      if (f.fix && !unsafe_scripts.empty())
        if (auto line = unsafe_line(*f.fix)) {
          f.message += fmt::format(" (no fix: the RUN on line {} is not valid shell, or holds heredoc data)", *line);
          f.fix.reset();
        }
      // A built-in rule's class goes on its findings (diff/fix leave unsafe fixes
      // out). A policy rule's fix is what the policy asks for: applied whatever its class.
      if (!f.safety && rule->kind == RuleKind::Builtin) f.safety = rule->safety;
      auto [line, col] = tree.position(f.at.begin);
      f.line = line;
      f.column = col;
      f.severity = prepared->severities[ri];
      ++rr.findings;
      out.findings.push_back(std::move(f));
    }
    for (auto& nf : o.new_files) out.new_files.push_back(std::move(nf));
    if (rr.applicable || rr.findings) out.rules.push_back(std::move(rr));
  }
  // In source order (stable: rules keep their order on a line). Sorted as keys,
  // then each Finding (seven strings and a fix) moved once: a stable sort of the
  // Findings themselves moved them a dozen times, 3% of `check`.
  auto& fs = out.findings;
  bool sorted = true;
  for (std::size_t i = 1; i < fs.size() && sorted; ++i)
    sorted = std::tie(fs[i - 1].line, fs[i - 1].column) <= std::tie(fs[i].line, fs[i].column);
  if (!sorted) {
    struct Key {
      std::uint32_t line, column, index;
    };
    std::vector<Key> keys(fs.size());
    for (std::size_t i = 0; i < fs.size(); ++i)
      keys[i] = {fs[i].line, fs[i].column, static_cast<std::uint32_t>(i)};
    std::sort(keys.begin(), keys.end(), [](const Key& a, const Key& b) {
      return std::tie(a.line, a.column, a.index) < std::tie(b.line, b.column, b.index);
    });
    std::vector<Finding> in_order;
    in_order.reserve(fs.size());
    for (const Key& k : keys) in_order.push_back(std::move(fs[k.index]));
    fs = std::move(in_order);
  }
  return out;
}

bool applies(const Finding& f, bool unsafe_fixes) {
  return f.fix && (unsafe_fixes || f.safety != FixSafety::Unsafe);
}

namespace {

// Applies the fixes of one round; fixes whose result buildkit would reject are
// dropped one by one. Returns the new text (== text when nothing applied).
std::string apply_round(const std::string& text, bool text_ok, const std::vector<Finding>& findings,
                        bool unsafe_fixes, std::vector<edit::Conflict>* conflicts, std::vector<std::string>& notes) {
  edit::EditSet set;
  std::vector<const edit::Fix*> taken;
  for (const auto& f : findings) {
    if (!f.fix || f.fix->edits.empty() || !applies(f, unsafe_fixes)) continue;
    if (set.add(*f.fix)) taken.push_back(&*f.fix);
  }
  if (conflicts) *conflicts = set.conflicts();
  if (set.empty()) return text;
  std::string next = set.apply(text);
  Tree t = syntax::parse(next, {false});
  if (!text_ok || t.buildkit_ok()) return next;
  // Find the culprits: keep each fix only if the file still parses with it.
  edit::EditSet good;
  std::string cur = text;
  for (const edit::Fix* fx : taken) {
    edit::EditSet trial = good;
    if (!trial.add(*fx)) continue;
    std::string candidate = trial.apply(text);
    Tree ct = syntax::parse(candidate, {false});
    if (ct.buildkit_ok()) {
      good = std::move(trial);
      cur = std::move(candidate);
    } else {
      notes.push_back(fmt::format("fix of {} dropped: the result would not parse ({})", fx->rule,
                                  ct.first_error()->message));
    }
  }
  return cur;
}

}  // namespace

FileReport process_file(std::string path, std::string bytes, const EngineConfig& config, bool fix) {
  FileReport rep;
  rep.path = std::move(path);
  rep.original = std::move(bytes);
  rep.fixed = rep.original;
  rep.service = policy::service_for(*config.policy, rep.path);
  Tree tree = syntax::parse(rep.original, {false});
  if (const auto* err = tree.first_error()) {
    rep.error = *err;
    return rep;
  }
  for (const auto& l : tree.lines) {
    if (l.role != syntax::LineRole::Comment) continue;
    if (auto p = read_pragma(tree, l); p && p->file && p->rules.empty()) {
      rep.ignored = true;
      return rep;
    }
  }
  RoundResult first = run_rules(tree, rep.path, config);
  rep.findings = std::move(first.findings);
  rep.rules = std::move(first.rules);
  rep.new_files = std::move(first.new_files);
  for (const auto& f : rep.findings)
    if (f.fix && !applies(f, config.unsafe_fixes)) ++rep.unsafe_withheld;
  if (!fix) {
    // Still compute the conflicts a fix would meet, for `check` to report.
    return rep;
  }
  std::string text = apply_round(rep.original, true, rep.findings, config.unsafe_fixes, &rep.conflicts, rep.notes);
  for (int round = 1; round < config.max_rounds && text != rep.fixed; ++round) {
    rep.fixed = text;
    Tree t = syntax::parse(text, {false});
    RoundResult r = run_rules(t, rep.path, config);
    text = apply_round(text, t.buildkit_ok(), r.findings, config.unsafe_fixes, nullptr, rep.notes);
  }
  // At the fixpoint every fix refused in the first round was applied later
  // (or was no longer needed): those conflicts are not worth reporting.
  if (text == rep.fixed) rep.conflicts.clear();
  rep.fixed = text;
  return rep;
}

}  // namespace dockmend::transforms
