// SARIF 2.1.0 as GitHub code scanning takes it: every rule described (short
// and full description, help in text and Markdown, a helpUri), every result
// with a partialFingerprint and its fix as replacements, files that could not
// be read or parsed as tool execution notifications, and at most
// SarifOptions::max_results results (the most severe), with a notification
// saying what was left out. Checked against Microsoft's validator with
// GitHub's rules in tests/report/sarif_validator_test.cpp.
#include <algorithm>
#include <map>
#include <memory>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "report/audit.hpp"
#include "report/findings.hpp"
#include "syntax/dump.hpp"

namespace dockmend::report {

using syntax::json_quote;
using transforms::Finding;
using transforms::Rule;

namespace {

const char* sarif_level(std::string_view severity) {
  if (severity == "error") return "error";
  if (severity == "warning") return "warning";
  return "note";
}

std::size_t rule_index(const Rule* r) {
  const auto& all = transforms::all_rules();
  return static_cast<std::size_t>(std::find(all.begin(), all.end(), r) - all.begin());
}

std::string safety_words(const Rule& r) {
  if (r.fix.empty()) return "No automatic fix: a person decides.";
  if (r.safety == transforms::FixSafety::Safe) return "Safe fix: `dockmend fix` applies it.";
  return "Fix needs review: it may change what the image does.";
}

// "exec-form" -> "ExecForm": SARIF's rule name (an identifier, where the id is a slug).
std::string pascal(std::string_view id) {
  std::string out;
  bool up = true;
  for (char c : id) {
    if (c == '-' || c == '_') {
      up = true;
      continue;
    }
    out += up ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    up = false;
  }
  return out;
}

// SARIF messages are sentences: the validator asks for a closing period.
std::string sentence(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n')) s.pop_back();
  if (!s.empty() && s.back() != '.' && s.back() != '!' && s.back() != '?') s += '.';
  return s;
}

std::string rule_json(const Rule& r) {
  const bool policy = r.kind == transforms::RuleKind::Policy;
  const std::string summary = sentence(std::string(r.summary));
  std::string full = summary;
  const std::string_view why = rule_description(r);
  if (!why.empty()) full += " " + sentence(std::string(why));
  if (!r.fix.empty()) full += " Fix: " + sentence(std::string(r.fix));
  full += " " + safety_words(r);
  std::string md = fmt::format("**{}** ({} rule{})\n\n{}\n\n", r.id, policy ? "policy" : "built-in",
                               r.aliases.empty() ? std::string() : fmt::format(", also known as {}", r.aliases), summary);
  if (!why.empty()) md += sentence(std::string(why)) + "\n\n";
  if (!r.fix.empty()) md += fmt::format("**Fix:** {}\n\n", sentence(std::string(r.fix)));
  md += safety_words(r) + fmt::format("\n\n[Documentation]({})", rule_help_uri(r));
  std::vector<std::string> tags = {"\"dockerfile\"", policy ? "\"policy\"" : "\"best-practice\""};
  // A name only where it says more than the id: SARIF wants the id opaque and
  // a name that is not the id again ("ports" / "Ports").
  const std::string name = pascal(r.id);
  const bool same = name.size() == r.id.size() &&
                    std::equal(name.begin(), name.end(), r.id.begin(), [](char a, char b) {
                      return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
                    });
  return fmt::format(
      "{{\"id\": {}, {}\"shortDescription\": {{\"text\": {}}}, \"fullDescription\": {{\"text\": {}}}, "
      "\"help\": {{\"text\": {}, \"markdown\": {}}}, \"helpUri\": {}, \"defaultConfiguration\": {{\"level\": \"{}\"}}, "
      "\"properties\": {{\"tags\": [{}], \"precision\": \"high\", \"priority\": {}, \"kind\": \"{}\", \"aliases\": {}}}}}",
      json_quote(r.id), same ? std::string() : "\"name\": " + json_quote(name) + ", ", json_quote(summary), json_quote(full), json_quote(full + " " + rule_help_uri(r)),
      json_quote(md), json_quote(rule_help_uri(r)), sarif_level(severity_of(&r)), fmt::join(tags, ", "), r.priority,
      policy ? "policy" : "built-in", json_quote(r.aliases));
}

std::string artifact(std::string_view uri) {
  return fmt::format("{{\"uri\": {}, \"uriBaseId\": \"%SRCROOT%\"}}", json_quote(uri));
}

std::string region(const Positions& pos, std::uint32_t b, std::uint32_t e) {
  const auto pb = pos.at(b), pe = pos.at(e);
  return fmt::format(
      "{{\"startLine\": {}, \"startColumn\": {}, \"endLine\": {}, \"endColumn\": {}, \"charOffset\": {}, \"charLength\": {}}}",
      pb.line, pb.column, pe.line, pe.column, pb.chars, pe.chars - pb.chars);
}

struct Picked {
  const transforms::FileReport* file;
  const Finding* finding;
  const Rule* rule;
  int rank;
  std::size_t order;  // place in path, then line order
};

std::string result_json(const Picked& p, const Positions& pos, const std::string& fingerprint) {
  const auto& f = *p.file;
  const auto& fd = *p.finding;
  const Rule* r = p.rule;
  const std::string uri = fd.file.empty() ? f.path : fd.file;
  std::string text = fd.message;
  if (!fd.current.empty() || !fd.expected.empty()) text += fmt::format(": {} → {}", fd.current, fd.expected);
  if (!fd.ref.empty()) text += fmt::format(" ({})", fd.ref);
  std::string o = fmt::format("{{\"ruleId\": {}, ", json_quote(fd.rule));
  if (r) o += fmt::format("\"ruleIndex\": {}, ", rule_index(r));
  o += fmt::format("\"level\": \"{}\", \"message\": {{\"text\": {}}}, ", sarif_level(finding_severity(r, fd)),
                   json_quote(sentence(text)));
  std::string reg;
  if (!fd.file.empty()) reg = fmt::format("{{\"startLine\": {}}}", std::max<std::uint32_t>(fd.file_line, 1));
  else reg = region(pos, fd.at.begin, fd.at.end);
  o += fmt::format("\"locations\": [{{\"physicalLocation\": {{\"artifactLocation\": {}, \"region\": {}}}}}], ", artifact(uri),
                   reg);
  o += fmt::format("\"partialFingerprints\": {{\"dockmendFinding/v1\": {}}}, ", json_quote(fingerprint));
  o += fmt::format("\"properties\": {{\"severity\": \"{}\", \"fixSafety\": \"{}\", \"current\": {}, \"expected\": {}, "
                   "\"ref\": {}, \"service\": {}}}",
                   finding_severity(r, fd), fix_safety_of(r, fd), json_quote(fd.current), json_quote(fd.expected), json_quote(fd.ref),
                   json_quote(f.service ? f.service->name : std::string()));
  // The fix: the Dockerfile's replacements, and the files it creates.
  std::vector<std::string> changes;
  if (fd.fix && !fd.fix->edits.empty()) {
    std::string c = fmt::format("{{\"artifactLocation\": {}, \"replacements\": [", artifact(f.path));
    for (std::size_t k = 0; k < fd.fix->edits.size(); ++k) {
      const auto& e = fd.fix->edits[k];
      c += fmt::format("{}{{\"deletedRegion\": {}, \"insertedContent\": {{\"text\": {}}}}}", k ? ", " : "",
                       region(pos, e.range.begin, e.range.end), json_quote(e.text));
    }
    changes.push_back(c + "]}");
  }
  if (fd.fix && fd.fix->edits.empty()) {
    for (const auto& nf : f.new_files) {
      if (nf.rule != fd.rule) continue;
      changes.push_back(fmt::format(
          "{{\"artifactLocation\": {}, \"replacements\": [{{\"deletedRegion\": {{\"startLine\": 1, \"startColumn\": 1, "
          "\"endLine\": 1, \"endColumn\": 1, \"charOffset\": 0, \"charLength\": 0}}, \"insertedContent\": {{\"text\": {}}}}}]}}",
          artifact(nf.path), json_quote(nf.content)));
    }
  }
  if (!changes.empty())
    o += fmt::format(", \"fixes\": [{{\"description\": {{\"text\": {}}}, \"artifactChanges\": [{}]}}]",
                     json_quote(sentence(fd.fix->reason)), fmt::join(changes, ", "));
  return o + "}";
}

std::string notification(const char* level, const std::string& message, const std::string& path, std::uint32_t line,
                         std::uint32_t column) {
  std::string o = fmt::format("{{\"level\": \"{}\", \"message\": {{\"text\": {}}}", level, json_quote(sentence(message)));
  if (!path.empty()) {
    std::string reg;
    if (line) reg = fmt::format(", \"region\": {{\"startLine\": {}, \"startColumn\": {}}}", line, std::max<std::uint32_t>(column, 1));
    o += fmt::format(", \"locations\": [{{\"physicalLocation\": {{\"artifactLocation\": {}{}}}}}]", artifact(path), reg);
  }
  return o + "}";
}

// The driver's rule descriptions, the same in every report (they depend on the
// registry only): made once per process. Each is a few kilobytes of quoted
// Markdown; making them again for every report was most of a small report's cost.
const std::string& rules_json() {
  static const std::string k_rules = [] {
    const auto& rules = transforms::all_rules();
    std::string o;
    for (std::size_t i = 0; i < rules.size(); ++i) o += (i ? ",\n      " : "\n      ") + rule_json(*rules[i]);
    return o;
  }();
  return k_rules;
}

}  // namespace

std::string sarif(const FindingsInput& in, const SarifOptions& opt) {
  std::string o =
      "{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n  \"version\": \"2.1.0\",\n  \"runs\": [{\n"
      "    \"tool\": {\"driver\": {\"name\": \"dockmend\", \"version\": " +
      json_quote(in.tool_version) + ", \"semanticVersion\": " + json_quote(in.tool_version) +
      ", \"informationUri\": " + json_quote(homepage_url()) + ", \"rules\": [";
  o += rules_json();
  o += "]}},\n";
  o += "    \"originalUriBaseIds\": {\"%SRCROOT%\": {\"description\": {\"text\": \"The repository root.\"}}},\n";
  if (!in.automation_id.empty())
    o += fmt::format("    \"automationDetails\": {{\"id\": {}}},\n", json_quote(in.automation_id));

  // Every finding, then the ones that go in: all of them, or the most severe.
  std::vector<Picked> all;
  for (const auto* f : in.files)
    for (const auto& fd : f->findings) {
      const Rule* r = transforms::find_rule(fd.rule);
      all.push_back({f, &fd, r, severity_rank(finding_severity(r, fd)), all.size()});
    }
  const std::size_t total = all.size();
  if (total > opt.max_results) {
    std::stable_sort(all.begin(), all.end(), [](const Picked& a, const Picked& b) { return a.rank < b.rank; });
    all.resize(opt.max_results);
    std::sort(all.begin(), all.end(), [](const Picked& a, const Picked& b) { return a.order < b.order; });
  }

  // Notifications: what could not be read or parsed, and what was left out.
  std::vector<std::string> notes;
  for (const auto& p : in.problems) notes.push_back(notification("error", p.message, p.path, p.line, p.column));
  for (const auto* f : in.files)
    if (f->error)
      notes.push_back(notification("error", fmt::format("not checked: buildkit rejects the file: {}", f->error->message), f->path,
                                   f->error->line, f->error->column));
  if (total > opt.max_results) {
    std::map<int, std::size_t> kept;
    for (const auto& p : all) ++kept[p.rank];
    notes.push_back(notification(
        "warning",
        fmt::format("{} findings, more than the {} results a run takes (GitHub code scanning takes at most 25,000): the {} "
                    "most severe are here (errors, then warnings, then notes, each in path order) and {} are left out. "
                    "`dockmend check --format json` lists them all; `--shard K/N` splits the repository into runs that "
                    "each fit",
                    total, opt.max_results, all.size(), total - all.size()),
        "", 0, 0));
  }
  const bool failed = !in.problems.empty() ||
                      std::any_of(in.files.begin(), in.files.end(), [](const auto* f) { return f->error.has_value(); });
  o += fmt::format("    \"invocations\": [{{\"executionSuccessful\": {}, \"toolExecutionNotifications\": [{}]}}],\n",
                   !failed, notes.empty() ? std::string() : "\n      " + fmt::format("{}", fmt::join(notes, ",\n      ")) + "\n    ");
  o += "    \"columnKind\": \"unicodeCodePoints\",\n";
  o += fmt::format("    \"properties\": {{\"findings\": {}, \"resultsOmitted\": {}, \"filesScanned\": {}}},\n", total,
                   total - all.size(), in.scanned);
  o += "    \"results\": [";

  // Fingerprints count identical keys in a file over all of its findings (kept
  // or not), so that a result keeps its fingerprint whichever others are cut.
  const transforms::FileReport* at = nullptr;
  std::unique_ptr<Positions> pos;
  std::vector<std::string> prints;
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (all[i].file != at) {
      at = all[i].file;
      pos = std::make_unique<Positions>(at->original);
      prints.clear();
      std::map<std::string, int> seen;
      for (const auto& fd : at->findings) {
        std::string key = finding_key(*at, fd);
        const int n = ++seen[key];
        prints.push_back(fmt::format("{}:{}", key, n));
      }
    }
    const auto k = static_cast<std::size_t>(all[i].finding - at->findings.data());
    o += (i ? ",\n      " : "\n      ") + result_json(all[i], *pos, prints[k]);
  }
  o += "\n    ]\n  }]\n}\n";
  return o;
}

std::string sarif(const AuditInput& input) {
  FindingsInput in;
  in.policy = input.policy;
  in.files = input.files;
  in.tool_version = input.tool_version;
  in.scanned = input.files.size();
  return sarif(in);
}

}  // namespace dockmend::report
