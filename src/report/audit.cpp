#include "report/audit.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "report/audit_scale.hpp"
#include "report/findings.hpp"
#include "syntax/dump.hpp"

namespace dockmend::report {

using syntax::json_quote;
using transforms::Finding;
using transforms::Rule;

std::size_t rule_index(const Rule* r) {
  const auto& all = transforms::all_rules();
  const auto it = std::find(all.begin(), all.end(), r);
  return static_cast<std::size_t>(it - all.begin());
}

std::vector<const Finding*> reading_order(const transforms::FileReport& f) {
  // Each finding's rule looked up once, not in every comparison.
  struct Keyed {
    int priority;
    std::size_t index;
    const Finding* finding;
  };
  std::vector<Keyed> keyed;
  keyed.reserve(f.findings.size());
  for (const auto& fd : f.findings) {
    const Rule* r = transforms::find_rule(fd.rule);
    keyed.push_back({r ? r->priority : 9, rule_index(r), &fd});
  }
  std::stable_sort(keyed.begin(), keyed.end(), [](const Keyed& a, const Keyed& b) {
    return std::tie(a.priority, a.index, a.finding->file, a.finding->line, a.finding->file_line) <
           std::tie(b.priority, b.index, b.finding->file, b.finding->line, b.finding->file_line);
  });
  std::vector<const Finding*> out;
  out.reserve(keyed.size());
  for (const Keyed& k : keyed) out.push_back(k.finding);
  return out;
}

namespace {

const Rule* rule_of(const std::string& id) { return transforms::find_rule(id); }

int priority_of(const std::string& id) {
  const Rule* r = rule_of(id);
  return r ? r->priority : 2;
}

std::string percent(double p) { return fmt::format("{:.0f}%", p); }

std::string dir_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

// A path as the service's section shows it: relative to the Dockerfile's directory when below it.
std::string local(const std::string& path, const std::string& dockerfile) {
  const std::string dir = dir_of(dockerfile);
  if (!dir.empty() && path.rfind(dir + "/", 0) == 0) return path.substr(dir.size() + 1);
  return path;
}

bool file_level(const Finding& f) { return f.file.empty() && f.at.begin == 0 && f.at.end == 0; }


}  // namespace

Audit score(const AuditInput& input) {
  Audit a;
  std::vector<const transforms::FileReport*> files = input.files;
  // Services in the policy's order, then the other Dockerfiles by path.
  auto order = [&](const transforms::FileReport* f) -> std::size_t {
    if (!input.policy || !f->service) return input.policy ? input.policy->services.size() : 0;
    for (std::size_t i = 0; i < input.policy->services.size(); ++i)
      if (&input.policy->services[i] == f->service) return i;
    return input.policy->services.size();
  };
  std::stable_sort(files.begin(), files.end(), [&](const auto* x, const auto* y) {
    return std::make_pair(order(x), x->path) < std::make_pair(order(y), y->path);
  });
  for (const auto* f : files) {
    ServiceScore s;
    s.name = f->service ? f->service->name : f->path;
    s.dockerfile = f->path;
    s.file = f;
    for (const auto& r : f->rules) {
      if (!r.applicable && r.findings == 0) continue;
      s.checks.push_back({r.rule, r.findings == 0, r.findings});
      ++s.applicable;
      if (r.findings == 0) ++s.passed;
    }
    a.passed += s.passed;
    a.applicable += s.applicable;
    a.services.push_back(std::move(s));
  }
  if (input.policy) {
    for (const auto& svc : input.policy->services) {
      const bool seen = std::any_of(files.begin(), files.end(), [&](const auto* f) { return f->service == &svc; });
      if (!seen) a.missing.push_back(&svc);
    }
  }
  return a;
}

namespace {

// ---------------------------------------------------------------- Markdown

std::string md_cell(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += "\\|";
    else if (c == '\n') out += "<br>";
    else if (c == '\r') continue;
    else out += c;
  }
  return out;
}

// A value as inline code (so `*`, `_` and `${X}` print as written).
std::string md_code(std::string_view s) {
  if (s.empty()) return "";
  const std::string fence = s.find('`') != std::string_view::npos ? "`` " : "`";
  const std::string close = fence == "`` " ? " ``" : "`";
  return fence + md_cell(s) + close;
}

std::string line_ref(const Finding& fd, const transforms::FileReport& f) {
  std::string where;
  if (!fd.file.empty()) where = fd.file_line ? fmt::format("{}:{}", local(fd.file, f.path), fd.file_line) : local(fd.file, f.path);
  else if (!file_level(fd)) where = fmt::format("{}:{}", local(f.path, f.path), fd.line);
  std::vector<std::string> parts;
  if (!where.empty()) parts.push_back(md_code(where));
  if (!fd.ref.empty()) parts.push_back(md_cell(fd.ref));
  if (parts.empty()) return "—";
  return parts.size() == 1 ? parts[0] : parts[0] + " · " + parts[1];
}

const char* k_priority_titles[] = {"", "Priority 1 (must fix)", "Priority 2 (should fix)", "Priority 3 (nice to have)"};

std::string markdown(const AuditInput& in) {
  const Audit a = score(in);
  std::string o = "# Dockerfile compliance audit\n\n";
  std::size_t named = 0;
  for (const auto& s : a.services)
    if (s.file->service) ++named;
  std::string scope = fmt::format("{} Dockerfile{} audited", a.services.size(), a.services.size() == 1 ? "" : "s");
  if (named) scope += fmt::format(" ({} of them named by a service)", named);
  if (in.policy && !in.policy->path.empty()) {
    // The file name only: paths in the report are relative to the policy's directory.
    const auto slash = in.policy->path.find_last_of("/\\");
    o += fmt::format("Policy: `{}`; {}.\n\n", slash == std::string::npos ? in.policy->path : in.policy->path.substr(slash + 1), scope);
  }
  else o += scope + ".\n\n";
  o += fmt::format("**Overall compliance: {}** ({} of {} checks pass)\n\n", percent(a.percent()), a.passed, a.applicable);

  // ---- per service (past a few, Dockerfiles of no service are summarised: audit_scale.hpp)
  const bool summarised = summarise_others(a);
  std::size_t n = 0;
  for (const auto& s : a.services) {
    const auto& f = *s.file;
    if (summarised && !f.service) continue;
    const std::string ref = f.service && !f.service->ref.empty() ? fmt::format(" ({})", f.service->ref) : "";
    o += fmt::format("## {}. {} `{}`{}\n\n", ++n, s.name, f.path, ref);
    if (f.error) {
      o += fmt::format("Not audited: buildkit rejects the file ({}:{}:{}: {}).\n\n", f.path, f.error->line, f.error->column,
                       f.error->message);
      continue;
    }
    if (f.ignored) {
      o += "Not audited: `# dockmend: ignore-file`.\n\n";
      continue;
    }
    if (f.findings.empty()) {
      o += "No issues.\n\n";
    } else {
      o += "| Issue | Current | Should Be | Line Ref |\n|-------|---------|-----------|----------|\n";
      for (const auto* fd : reading_order(f)) {
        o += fmt::format("| {} (`{}`{}) | {} | {} | {} |\n", md_cell(fd->message), fd->rule,
                         fd->fix ? ", 🔧" : "", md_code(fd->current), md_code(fd->expected), line_ref(*fd, f));
      }
      o += "\n";
    }
    std::vector<std::string> correct;
    for (const auto& r : f.rules)
      if (r.findings == 0)
        for (const auto& c : r.correct) correct.push_back(fmt::format("{} (`{}`)", c, r.rule->id));
    if (!correct.empty()) {
      o += "What is correct:\n\n";
      for (const auto& c : correct) o += fmt::format("- ✅ {}\n", md_cell(c));
      o += "\n";
    }
    std::vector<std::string> failing;
    for (const auto& c : s.checks)
      if (!c.passed) failing.push_back(std::string(c.rule->id));
    o += fmt::format("**Compliance: {}** ({} of {} checks pass{})\n\n", percent(s.percent()), s.passed, s.applicable,
                     failing.empty() ? std::string() : "; failing: " + fmt::format("{}", fmt::join(failing, ", ")));
  }
  if (!a.missing.empty()) {
    o += "## Not audited\n\n";
    for (const auto* svc : a.missing)
      o += fmt::format("- {} `{}`: not among the Dockerfiles audited (missing, or outside the paths given)\n", svc->name,
                       svc->dockerfile);
    o += "\n";
  }

  if (summarised) o += others_markdown(a);

  // ---- the fixes, by priority: each failing rule once, with the services it fails in
  struct Todo {
    const Rule* rule;
    std::vector<std::string> services;
    std::size_t fixable = 0, manual = 0;
    std::set<const transforms::FileReport*> others;  // summarised Dockerfiles of no service
  };
  std::map<std::pair<int, std::size_t>, Todo> todos;
  for (const auto& s : a.services) {
    for (const auto* fd : reading_order(*s.file)) {
      const Rule* r = rule_of(fd->rule);
      if (!r) continue;
      auto& t = todos[{r->priority, rule_index(r)}];
      t.rule = r;
      if (summarised && !s.file->service) t.others.insert(s.file);
      else if (std::find(t.services.begin(), t.services.end(), s.name) == t.services.end()) t.services.push_back(s.name);
      if (fd->fix) ++t.fixable;
      else ++t.manual;
    }
  }
  if (!todos.empty()) {
    o += "## Required fixes\n\n";
    o += "🔧: `dockmend fix` does it (`dockmend diff` shows how); ✋: a person must.\n\n";
    int current = 0;
    std::size_t k = 0;
    for (const auto& [key, t] : todos) {
      if (key.first != current) {
        current = key.first;
        k = 0;
        o += fmt::format("### {}\n\n", current >= 1 && current <= 3 ? k_priority_titles[current] : "Other");
      }
      std::string how;
      if (t.manual == 0) how = "🔧";
      else if (t.fixable == 0) how = "✋";
      else how = fmt::format("🔧 (✋ {} of {} by hand)", t.manual, t.manual + t.fixable);
      // The summary without its parenthesised policy keys.
      std::string_view summary = t.rule->summary;
      if (const auto paren = summary.rfind(" ("); paren != std::string_view::npos && summary.back() == ')')
        summary = summary.substr(0, paren);
      o += fmt::format("{}. **{}** — {}: {} {}\n", ++k, t.rule->id, fix_targets(t.services, t.others.size()), md_cell(summary), how);
      // Leave a blank line before the next heading.
      auto next = todos.upper_bound(key);
      if (next == todos.end() || next->first.first != current) o += "\n";
    }
  }

  // ---- across services, as the hand audit reads the fleet at once
  if (a.services.size() > 1) {
    // One row per service for a rule: what is there, what should be, and whether it holds
    // (✅), does not (❌), or cannot be decided (❓).
    auto fleet_table = [&](std::string_view rule_id, std::string_view title) {
      std::string rows;
      for (const auto& s : a.services) {
        const auto& f = *s.file;
        const transforms::RuleResult* rr = nullptr;
        for (const auto& r : f.rules)
          if (r.rule && r.rule->id == rule_id && r.applicable) rr = &r;
        if (!rr) continue;
        std::vector<const Finding*> mine;
        for (const auto* fd : reading_order(f))
          if (fd->rule == rule_id) mine.push_back(fd);
        if (mine.empty()) {
          rows += fmt::format("| {} | {} | {} | ✅ |\n", md_cell(s.name),
                              md_cell(rr->correct.empty() ? std::string("as the policy says") : rr->correct.front()), "(as is)");
          continue;
        }
        for (const auto* fd : mine) {
          const bool undecided = fd->message.rfind("\u2753", 0) == 0;
          rows += fmt::format("| {} | {} | {} | {} |\n", md_cell(s.name), md_code(fd->current), md_code(fd->expected),
                              undecided ? "❓" : "❌");
        }
      }
      if (rows.empty()) return;
      o += fmt::format("## {}\n\n| Service | Current | Should Be | Status |\n|---------|---------|-----------|--------|\n{}\n",
                       title, rows);
    };
    fleet_table("health-endpoint", "Health endpoints across services");
    fleet_table("machine-profile", "Machine profiles across services");
    // What holds in every service the rule applies to.
    std::vector<std::string> everywhere;
    for (const Rule* r : transforms::all_rules()) {
      std::size_t applied = 0, held = 0;
      for (const auto& s : a.services)
        for (const auto& rr : s.file->rules)
          if (rr.rule == r && rr.applicable) {
            ++applied;
            if (rr.findings == 0) ++held;
          }
      if (applied > 1 && held == applied) {
        std::string_view summary = r->summary;
        if (const auto paren = summary.rfind(" ("); paren != std::string_view::npos && summary.back() == ')')
          summary = summary.substr(0, paren);
        everywhere.push_back(fmt::format("{} (`{}`, {} services)", summary, r->id, applied));
      }
    }
    if (!everywhere.empty()) {
      o += "## What is correct in every service\n\n";
      for (const auto& e : everywhere) o += fmt::format("- ✅ {}\n", md_cell(e));
      o += "\n";
    }
  }

  // ---- summary
  o += "## Summary\n\n| Service | Dockerfile | Checks passed | Compliance |\n|---------|------------|---------------|------------|\n";
  for (const auto& s : a.services)
    if (!summarised || s.file->service)
      o += fmt::format("| {} | `{}` | {} of {} | {} |\n", md_cell(s.name), md_cell(s.dockerfile), s.passed, s.applicable,
                       percent(s.percent()));
  if (summarised) {
    const OthersSummary others = summarise(a, 0, 0);
    o += fmt::format("| {} other Dockerfiles | | {} of {} | {} |\n", others.files, others.passed, others.applicable,
                     percent(others.percent()));
  }
  o += fmt::format("| **Overall** | | **{} of {}** | **{}** |\n", a.passed, a.applicable, percent(a.percent()));
  return o;
}

// ---------------------------------------------------------------- JSON

std::string json(const AuditInput& in) {
  const Audit a = score(in);
  std::string o = fmt::format("{{\n  \"tool\": {{\"name\": \"dockmend\", \"version\": {}}},\n", json_quote(in.tool_version));
  o += fmt::format("  \"policy\": {},\n", json_quote(in.policy ? in.policy->path : std::string()));
  o += fmt::format("  \"score\": {:.1f},\n  \"passed\": {},\n  \"applicable\": {},\n  \"services\": [", a.percent(), a.passed,
                   a.applicable);
  for (std::size_t i = 0; i < a.services.size(); ++i) {
    const auto& s = a.services[i];
    const auto& f = *s.file;
    o += i ? ",\n    {" : "\n    {";
    o += fmt::format("\"name\": {}, \"dockerfile\": {}, \"ref\": {}, \"score\": {:.1f}, \"passed\": {}, \"applicable\": {}, ",
                     json_quote(s.name), json_quote(f.path), json_quote(f.service ? f.service->ref : std::string()),
                     s.percent(), s.passed, s.applicable);
    o += "\"checks\": [";
    for (std::size_t k = 0; k < s.checks.size(); ++k) {
      const auto& c = s.checks[k];
      o += fmt::format("{}{{\"rule\": {}, \"priority\": {}, \"passed\": {}, \"findings\": {}}}", k ? ", " : "",
                       json_quote(c.rule->id), c.rule->priority, c.passed, c.findings);
    }
    o += "], \"findings\": [";
    const auto fds = reading_order(f);
    for (std::size_t k = 0; k < fds.size(); ++k) {
      const auto& fd = *fds[k];
      o += fmt::format(
          "{}{{\"rule\": {}, \"priority\": {}, \"message\": {}, \"file\": {}, \"line\": {}, \"column\": {}, "
          "\"current\": {}, \"expected\": {}, \"ref\": {}, \"fixable\": {}, \"fix\": {}}}",
          k ? ", " : "", json_quote(fd.rule), priority_of(fd.rule), json_quote(fd.message),
          json_quote(fd.file.empty() ? f.path : fd.file), fd.file.empty() ? fd.line : fd.file_line,
          fd.file.empty() ? char_column(f.original, fd.at.begin) : 1, json_quote(fd.current), json_quote(fd.expected), json_quote(fd.ref),
          fd.fix.has_value(), fd.fix ? json_quote(fd.fix->reason) : std::string("null"));
    }
    o += "], \"correct\": [";
    bool first = true;
    for (const auto& r : f.rules)
      if (r.findings == 0)
        for (const auto& c : r.correct) {
          o += fmt::format("{}{{\"rule\": {}, \"what\": {}}}", first ? "" : ", ", json_quote(r.rule->id), json_quote(c));
          first = false;
        }
    o += "], \"new_files\": [";
    for (std::size_t k = 0; k < f.new_files.size(); ++k)
      o += fmt::format("{}{{\"path\": {}, \"rule\": {}}}", k ? ", " : "", json_quote(f.new_files[k].path),
                       json_quote(f.new_files[k].rule));
    o += "]";
    if (f.error) o += fmt::format(", \"error\": {}", json_quote(f.error->message));
    if (f.ignored) o += ", \"ignored\": true";
    o += "}";
  }
  o += "\n  ],\n  \"not_audited\": [";
  for (std::size_t i = 0; i < a.missing.size(); ++i)
    o += fmt::format("{}{{\"name\": {}, \"dockerfile\": {}}}", i ? ", " : "", json_quote(a.missing[i]->name),
                     json_quote(a.missing[i]->dockerfile));
  o += "]\n}\n";
  return o;
}

}  // namespace

// sarif(): src/report/sarif.cpp

std::string render(const AuditInput& input, Format format) {
  switch (format) {
    case Format::Markdown: return markdown(input);
    case Format::Json: return json(input);
    case Format::Sarif: return sarif(input);
  }
  return {};
}

}  // namespace dockmend::report
