#include "report/audit_scale.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

namespace dockmend::report {

namespace {

std::size_t rule_position(const transforms::Rule* r) {
  const auto& all = transforms::all_rules();
  return static_cast<std::size_t>(std::find(all.begin(), all.end(), r) - all.begin());
}

std::string md_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += "\\|";
    else if (c == '\n') out += ' ';
    else if (c != '\r') out += c;
  }
  return out;
}

std::string code(std::string_view s) {
  const bool tick = s.find('`') != std::string_view::npos;
  return tick ? "`` " + md_escape(s) + " ``" : "`" + md_escape(s) + "`";
}

}  // namespace

bool summarise_others(const Audit& audit) {
  const auto n = static_cast<std::size_t>(
      std::count_if(audit.services.begin(), audit.services.end(), [](const ServiceScore& s) { return !s.file->service; }));
  return n > k_audit_detail_limit;
}

OthersSummary summarise(const Audit& audit, std::size_t worst_per_rule, std::size_t worst_files) {
  OthersSummary o;
  std::map<const transforms::Rule*, OthersSummary::RuleRow> rows;
  std::vector<const ServiceScore*> scored;
  for (const auto& s : audit.services) {
    const auto& f = *s.file;
    if (f.service) continue;
    ++o.files;
    if (f.error) {
      o.rejected.push_back(&s);
      continue;
    }
    if (f.ignored) {
      ++o.ignored;
      continue;
    }
    o.passed += s.passed;
    o.applicable += s.applicable;
    if (s.passed == s.applicable) ++o.clean;
    else scored.push_back(&s);
    // Findings per rule in this file.
    std::map<std::string_view, std::pair<std::size_t, std::size_t>> per;  // rule -> findings, fixable
    for (const auto& fd : f.findings) {
      auto& p = per[fd.rule];
      ++p.first;
      if (fd.fix) ++p.second;
    }
    for (const auto& c : s.checks) {
      if (c.passed) continue;
      auto& row = rows[c.rule];
      row.rule = c.rule;
      ++row.files;
      const auto it = per.find(c.rule->id);
      const std::size_t n = it == per.end() ? c.findings : it->second.first;
      row.findings += n;
      if (it != per.end()) row.fixable += it->second.second;
      row.worst.emplace_back(f.path, n);
    }
  }
  for (auto& [rule, row] : rows) {
    std::stable_sort(row.worst.begin(), row.worst.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    if (row.worst.size() > worst_per_rule) row.worst.resize(worst_per_rule);
    o.rules.push_back(std::move(row));
  }
  std::stable_sort(o.rules.begin(), o.rules.end(), [](const auto& a, const auto& b) {
    return std::make_tuple(b.files, b.findings, rule_position(a.rule)) < std::make_tuple(a.files, a.findings, rule_position(b.rule));
  });
  // Least compliant first; among equals, more failing checks, then path.
  std::stable_sort(scored.begin(), scored.end(), [](const ServiceScore* a, const ServiceScore* b) {
    const double pa = a->percent(), pb = b->percent();
    if (pa != pb) return pa < pb;
    return a->applicable - a->passed > b->applicable - b->passed;
  });
  if (scored.size() > worst_files) scored.resize(worst_files);
  o.worst = std::move(scored);
  return o;
}

std::string name_list(const std::vector<std::string>& names, std::size_t shown) {
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < shown; ++i) out += (i ? ", " : "") + names[i];
  if (names.size() > shown) out += fmt::format(", ... and {} more", names.size() - shown);
  return out;
}

std::string fix_targets(const std::vector<std::string>& services, std::size_t other_files) {
  std::string out = name_list(services);
  if (!other_files) return out;
  const std::string others = fmt::format("{} other Dockerfile{}", other_files, other_files == 1 ? "" : "s");
  return out.empty() ? others : out + " and " + others;
}

std::string others_markdown(const Audit& audit) {
  const OthersSummary s = summarise(audit);
  std::string o = fmt::format("## Other Dockerfiles: {} that no service names\n\n", s.files);
  o += fmt::format("Too many to show one by one: summarised by rule. **Compliance: {:.0f}%** ({} of {} checks pass); "
                   "{} of the {} files pass every check.\n\n",
                   s.percent(), s.passed, s.applicable, s.clean, s.files - s.rejected.size() - s.ignored);
  o += "`dockmend check PATH` lists each finding; `dockmend audit PATH` on a part of the repository gives each file its "
       "table.\n\n";
  if (!s.rules.empty()) {
    o += "| Rule | Files failing | Findings | 🔧 | Worst files |\n|------|--------------:|---------:|---:|-------------|\n";
    for (const auto& r : s.rules) {
      std::string worst;
      for (const auto& [path, n] : r.worst) worst += fmt::format("{}{} ({})", worst.empty() ? "" : ", ", code(path), n);
      if (r.files > r.worst.size()) worst += fmt::format(", … {} more", r.files - r.worst.size());
      o += fmt::format("| `{}` | {} | {} | {} | {} |\n", r.rule->id, r.files, r.findings, r.fixable, worst);
    }
    o += "\n🔧: findings `dockmend fix` fixes.\n\n";
  }
  if (!s.worst.empty()) {
    o += "Least compliant:\n\n| Dockerfile | Checks passed | Compliance | Failing |\n|------------|---------------|------------|---------|\n";
    for (const auto* w : s.worst) {
      std::vector<std::string> failing;
      for (const auto& c : w->checks)
        if (!c.passed) failing.emplace_back(c.rule->id);
      o += fmt::format("| {} | {} of {} | {:.0f}% | {} |\n", code(w->dockerfile), w->passed, w->applicable, w->percent(),
                       md_escape(name_list(failing, 6)));
    }
    o += "\n";
  }
  if (!s.rejected.empty()) {
    o += fmt::format("Not audited, buildkit rejects them ({}):\n\n", s.rejected.size());
    std::size_t k = 0;
    for (const auto* r : s.rejected) {
      if (++k > 10) {
        o += fmt::format("- … and {} more\n", s.rejected.size() - 10);
        break;
      }
      o += fmt::format("- {}:{}: {}\n", code(r->dockerfile), r->file->error->line, md_escape(r->file->error->message));
    }
    o += "\n";
  }
  if (s.ignored) o += fmt::format("{} file{} skipped by `# dockmend: ignore-file`.\n\n", s.ignored, s.ignored == 1 ? "" : "s");
  return o;
}

}  // namespace dockmend::report
