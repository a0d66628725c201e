// `audit --format html`: the audit as one self-contained page (inline CSS, no
// script, no fonts or images from the network) for a team that would rather
// look than read: a bar per service showing its compliance, then each
// service's table (Issue | Current | Should Be | Line Ref), what is correct,
// the fixes by priority and the summary. Dockerfiles of no service are
// summarised past a few, as in the Markdown (audit_scale.hpp).
#include "report/audit_html.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "report/audit_scale.hpp"

namespace dockmend::report {

namespace {

using transforms::Finding;
using transforms::Rule;

std::string esc(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      case '\r': break;
      default: out += c;
    }
  }
  return out;
}

std::string code(std::string_view s) { return s.empty() ? std::string() : "<code>" + esc(s) + "</code>"; }

std::string pct(double p) { return fmt::format("{:.0f}%", p); }

// good / fair / poor: the bar's colour.
const char* grade(double p) { return p >= 90 ? "good" : p >= 60 ? "fair" : "poor"; }

std::string bar(const std::string& label, const std::string& href, double percent, std::size_t passed, std::size_t applicable,
                bool overall = false) {
  const std::string name = href.empty() ? esc(label) : fmt::format("<a href=\"#{}\">{}</a>", href, esc(label));
  return fmt::format(
      "<div class=\"bar-row{}\"><span class=\"name\" title=\"{}\">{}</span>"
      "<span class=\"bar\" role=\"img\" aria-label=\"{}: {}\"><span class=\"fill {}\" style=\"width: {:.1f}%\"></span></span>"
      "<span class=\"pct\">{}</span><span class=\"count\">{} of {}</span></div>\n",
      overall ? " overall" : "", esc(label), name, esc(label), pct(percent), grade(percent), percent, pct(percent), passed,
      applicable);
}

std::string dir_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

std::string local(const std::string& path, const std::string& dockerfile) {
  const std::string dir = dir_of(dockerfile);
  if (!dir.empty() && path.rfind(dir + "/", 0) == 0) return path.substr(dir.size() + 1);
  return path;
}

std::string line_ref(const Finding& fd, const transforms::FileReport& f) {
  std::string where;
  if (!fd.file.empty()) where = fd.file_line ? fmt::format("{}:{}", local(fd.file, f.path), fd.file_line) : local(fd.file, f.path);
  else if (!(fd.at.begin == 0 && fd.at.end == 0)) where = fmt::format("{}:{}", local(f.path, f.path), fd.line);
  std::string out = code(where);
  if (!fd.ref.empty()) out += (out.empty() ? "" : " · ") + esc(fd.ref);
  return out.empty() ? "—" : out;
}

const char* k_style = R"css(
:root { --good: #2e7d32; --fair: #ef8c00; --poor: #c62828; --line: #d0d7de; --muted: #57606a; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color: #1f2328; background: #f6f8fa; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 28px 48px; background: #fff; min-height: 100vh; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 16px; margin: 18px 0 6px; }
.meta { color: var(--muted); margin: 0 0 20px; }
code { font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #eff1f3; padding: 1px 4px;
       border-radius: 4px; overflow-wrap: anywhere; }
.overall-score { font-size: 18px; }
.bars { margin: 12px 0 8px; }
.bar-row { display: grid; grid-template-columns: minmax(140px, 30%) 1fr 52px 130px; gap: 10px; align-items: center;
           padding: 3px 0; }
.bar-row .name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.bar-row.overall { border-top: 1px solid var(--line); margin-top: 6px; padding-top: 8px; font-weight: 600; }
.bar { display: block; height: 16px; background: #eaeef2; border-radius: 8px; overflow: hidden; }
.fill { display: block; height: 100%; border-radius: 8px 0 0 8px; }
.fill.good { background: var(--good); } .fill.fair { background: var(--fair); } .fill.poor { background: var(--poor); }
.pct { text-align: right; font-variant-numeric: tabular-nums; font-weight: 600; }
.count { color: var(--muted); font-size: 13px; font-variant-numeric: tabular-nums; }
.legend { color: var(--muted); font-size: 13px; }
.legend span::before { content: ""; display: inline-block; width: 10px; height: 10px; border-radius: 5px; margin: 0 4px 0 10px; }
.legend .good::before { background: var(--good); } .legend .fair::before { background: var(--fair); }
.legend .poor::before { background: var(--poor); }
table { border-collapse: collapse; width: 100%; margin: 8px 0 12px; font-size: 14px; }
th, td { border: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
td.id code { white-space: nowrap; overflow-wrap: normal; }
ul.files { margin: 0; padding-left: 0; list-style: none; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.p1 td:first-child { border-left: 4px solid var(--poor); }
tr.p2 td:first-child { border-left: 4px solid var(--fair); }
tr.p3 td:first-child { border-left: 4px solid #8c959f; }
.rule { color: var(--muted); font-size: 13px; }
ul.correct { list-style: none; padding-left: 0; margin: 6px 0; }
ul.correct li::before { content: "\2714\FE0E"; color: var(--good); margin-right: 6px; }
.score { font-weight: 600; }
.badge { display: inline-block; font-size: 11px; line-height: 16px; padding: 0 6px; border-radius: 8px; white-space: nowrap;
         vertical-align: 1px; }
.badge.auto { background: #dafbe1; color: #116329; } .badge.hand { background: #fff1e5; color: #953800; }
.note { color: var(--muted); }
footer { margin-top: 40px; color: var(--muted); font-size: 13px; }
)css";

}  // namespace

std::string audit_html(const AuditInput& in) {
  const Audit a = score(in);
  const bool summarised = summarise_others(a);
  std::string o = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                  "<title>Dockerfile compliance audit</title>\n<style>";
  o += k_style;
  o += "</style>\n</head>\n<body>\n<main>\n<h1>Dockerfile compliance audit</h1>\n";
  std::size_t named = 0;
  for (const auto& s : a.services) named += s.file->service ? 1 : 0;
  std::string policy;
  if (in.policy && !in.policy->path.empty()) {
    const auto slash = in.policy->path.find_last_of("/\\");
    policy = "Policy " + code(slash == std::string::npos ? in.policy->path : in.policy->path.substr(slash + 1)) + " · ";
  }
  o += fmt::format("<p class=\"meta\">{}{} Dockerfile{} audited{} · dockmend {}</p>\n", policy, a.services.size(),
                   a.services.size() == 1 ? "" : "s", named ? fmt::format(", {} named by a service", named) : "",
                   esc(in.tool_version));

  // ---- the bars
  o += fmt::format("<p class=\"overall-score\">Overall compliance: <strong>{}</strong> ({} of {} checks pass)</p>\n",
                   pct(a.percent()), a.passed, a.applicable);
  o += "<section class=\"bars\" aria-label=\"Compliance per service\">\n";
  std::size_t n = 0;
  std::map<const ServiceScore*, std::string> anchors;
  for (const auto& s : a.services) {
    if (summarised && !s.file->service) continue;
    const std::string id = fmt::format("s{}", ++n);
    anchors[&s] = id;
    if (s.file->error) {
      o += fmt::format("<div class=\"bar-row\"><span class=\"name\"><a href=\"#{}\">{}</a></span><span class=\"note\">"
                       "not audited: buildkit rejects the file</span></div>\n",
                       id, esc(s.name));
      continue;
    }
    o += bar(s.name, id, s.percent(), s.passed, s.applicable);
  }
  OthersSummary others;
  if (summarised) {
    others = summarise(a);
    o += bar(fmt::format("{} other Dockerfiles", others.files), "others", others.percent(), others.passed, others.applicable);
  }
  o += bar("Overall", "", a.percent(), a.passed, a.applicable, true);
  o += "</section>\n<p class=\"legend\">Checks passed / checks applicable.<span class=\"good\">90% or more</span>"
       "<span class=\"fair\">60–89%</span><span class=\"poor\">under 60%</span></p>\n";

  // ---- per service
  for (const auto& s : a.services) {
    const auto it = anchors.find(&s);
    if (it == anchors.end()) continue;
    const auto& f = *s.file;
    const std::string ref = f.service && !f.service->ref.empty() ? " <span class=\"rule\">(" + esc(f.service->ref) + ")</span>" : "";
    o += fmt::format("<section id=\"{}\">\n<h2>{}. {} {}{}</h2>\n", it->second, it->second.substr(1), esc(s.name), code(f.path), ref);
    if (f.error) {
      o += fmt::format("<p>Not audited: buildkit rejects the file ({}:{}:{}: {}).</p>\n</section>\n", esc(f.path), f.error->line,
                       f.error->column, esc(f.error->message));
      continue;
    }
    if (f.ignored) {
      o += "<p>Not audited: <code># dockmend: ignore-file</code>.</p>\n</section>\n";
      continue;
    }
    if (f.findings.empty()) {
      o += "<p>No issues.</p>\n";
    } else {
      o += "<table>\n<thead><tr><th>Issue</th><th>Current</th><th>Should Be</th><th>Line Ref</th></tr></thead>\n<tbody>\n";
      for (const auto* fd : reading_order(f)) {
        const Rule* r = transforms::find_rule(fd->rule);
        o += fmt::format("<tr class=\"p{}\"><td>{} <span class=\"rule\">{}{}</span></td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                         r ? r->priority : 2, esc(fd->message), code(fd->rule), fd->fix ? " <span class=\"badge auto\">fix</span>" : "", code(fd->current),
                         code(fd->expected), line_ref(*fd, f));
      }
      o += "</tbody>\n</table>\n";
    }
    std::vector<std::string> correct;
    for (const auto& r : f.rules)
      if (r.findings == 0)
        for (const auto& c : r.correct) correct.push_back(esc(c) + " <span class=\"rule\">" + code(r.rule->id) + "</span>");
    if (!correct.empty()) {
      o += "<h3>What is correct</h3>\n<ul class=\"correct\">\n";
      for (const auto& c : correct) o += "<li>" + c + "</li>\n";
      o += "</ul>\n";
    }
    o += fmt::format("<p class=\"score\">Compliance: {} ({} of {} checks pass)</p>\n</section>\n", pct(s.percent()), s.passed,
                     s.applicable);
  }
  if (!a.missing.empty()) {
    o += "<h2>Not audited</h2>\n<ul>\n";
    for (const auto* svc : a.missing)
      o += fmt::format("<li>{} {}: not among the Dockerfiles audited (missing, or outside the paths given)</li>\n", esc(svc->name),
                       code(svc->dockerfile));
    o += "</ul>\n";
  }

  // ---- Dockerfiles of no service, summarised
  if (summarised) {
    o += fmt::format("<section id=\"others\">\n<h2>Other Dockerfiles: {} that no service names</h2>\n", others.files);
    o += fmt::format("<p>Summarised by rule. Compliance {} ({} of {} checks pass); {} files pass every check.</p>\n",
                     pct(others.percent()), others.passed, others.applicable, others.clean);
    if (!others.rules.empty()) {
      o += "<table>\n<thead><tr><th>Rule</th><th class=\"num\">Files failing</th><th class=\"num\">Findings</th>"
           "<th class=\"num\">Fixable</th><th>Worst files</th></tr></thead>\n<tbody>\n";
      for (const auto& r : others.rules) {
        std::string worst = "<ul class=\"files\">";
        for (const auto& [path, k] : r.worst) worst += fmt::format("<li>{} ({})</li>", code(path), k);
        if (r.files > r.worst.size()) worst += fmt::format("<li>… and {} more</li>", r.files - r.worst.size());
        worst += "</ul>";
        o += fmt::format("<tr class=\"p{}\"><td class=\"id\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
                         "<td>{}</td></tr>\n",
                         r.rule->priority, code(r.rule->id), r.files, r.findings, r.fixable, worst);
      }
      o += "</tbody>\n</table>\n";
    }
    if (!others.worst.empty()) {
      o += "<h3>Least compliant</h3>\n";
      for (const auto* w : others.worst) o += bar(w->dockerfile, "", w->percent(), w->passed, w->applicable);
    }
    if (!others.rejected.empty())
      o += fmt::format("<p class=\"note\">{} not audited: buildkit rejects them.</p>\n", others.rejected.size());
    o += "</section>\n";
  }

  // ---- the fixes by priority
  struct Todo {
    const Rule* rule = nullptr;
    std::vector<std::string> services;
    std::set<const transforms::FileReport*> others;
    std::size_t fixable = 0, manual = 0;
  };
  std::map<std::pair<int, std::size_t>, Todo> todos;
  for (const auto& s : a.services)
    for (const auto& fd : s.file->findings) {
      const Rule* r = transforms::find_rule(fd.rule);
      if (!r) continue;
      auto& t = todos[{r->priority, rule_index(r)}];
      t.rule = r;
      if (summarised && !s.file->service) t.others.insert(s.file);
      else if (std::find(t.services.begin(), t.services.end(), s.name) == t.services.end()) t.services.push_back(s.name);
      ++(fd.fix ? t.fixable : t.manual);
    }
  if (!todos.empty()) {
    o += "<h2>Required fixes</h2>\n<p class=\"note\"><span class=\"badge auto\">fix</span> <code>dockmend fix</code> does it; "
         "<span class=\"badge hand\">by hand</span> a person must.</p>\n";
    o += "<table>\n<thead><tr><th>Priority</th><th>Rule</th><th>Where</th><th>What</th><th>How</th></tr></thead>\n<tbody>\n";
    for (const auto& [key, t] : todos) {
      const std::string how = t.manual == 0   ? "<span class=\"badge auto\">fix</span>"
                              : t.fixable == 0 ? "<span class=\"badge hand\">by hand</span>"
                                               : fmt::format("<span class=\"badge auto\">fix</span> <span class=\"badge hand\">{} of {} "
                                                             "by hand</span>",
                                                             t.manual, t.manual + t.fixable);
      o += fmt::format("<tr class=\"p{}\"><td class=\"num\">{}</td><td class=\"id\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n", key.first,
                       key.first, code(t.rule->id), esc(fix_targets(t.services, t.others.size())), esc(t.rule->summary), how);
    }
    o += "</tbody>\n</table>\n";
  }

  // ---- summary
  o += "<h2>Summary</h2>\n<table>\n<thead><tr><th>Service</th><th>Dockerfile</th><th class=\"num\">Checks passed</th>"
       "<th class=\"num\">Compliance</th></tr></thead>\n<tbody>\n";
  for (const auto& s : a.services)
    if (!summarised || s.file->service)
      o += fmt::format("<tr><td>{}</td><td>{}</td><td class=\"num\">{} of {}</td><td class=\"num\">{}</td></tr>\n", esc(s.name),
                       code(s.dockerfile), s.passed, s.applicable, pct(s.percent()));
  if (summarised)
    o += fmt::format("<tr><td>{} other Dockerfiles</td><td></td><td class=\"num\">{} of {}</td><td class=\"num\">{}</td></tr>\n",
                     others.files, others.passed, others.applicable, pct(others.percent()));
  o += fmt::format("<tr><th>Overall</th><th></th><th class=\"num\">{} of {}</th><th class=\"num\">{}</th></tr>\n", a.passed,
                   a.applicable, pct(a.percent()));
  o += "</tbody>\n</table>\n";
  o += "<footer>Written by <code>dockmend audit --format html</code>. A check is one rule that applies to a Dockerfile; it "
       "passes when the rule finds nothing.</footer>\n</main>\n</body>\n</html>\n";
  return o;
}

}  // namespace dockmend::report
