#include "report/audit.hpp"

#include <fmt/format.h>

#include "syntax/dump.hpp"

namespace dockmend::report {

using syntax::json_quote;

Audit score(const AuditInput& input) {
  Audit a;
  for (const auto* f : input.files) {
    ServiceScore s;
    s.name = f->service ? f->service->name : f->path;
    s.dockerfile = f->path;
    for (const auto& r : f->rules) {
      if (!r.applicable && r.findings == 0) continue;
      ++s.applicable;
      if (r.findings == 0) ++s.passed;
    }
    a.passed += s.passed;
    a.applicable += s.applicable;
    a.services.push_back(std::move(s));
  }
  return a;
}

namespace {

std::string md_cell(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += "\\|";
    else if (c == '\n') out += "<br>";
    else out += c;
  }
  return out;
}

std::string markdown(const AuditInput& in) {
  const Audit a = score(in);
  std::string o = "# Dockerfile compliance audit\n\n";
  if (in.policy && !in.policy->path.empty()) o += fmt::format("Policy: `{}`\n\n", in.policy->path);
  for (std::size_t i = 0; i < in.files.size(); ++i) {
    const auto* f = in.files[i];
    const auto& s = a.services[i];
    o += fmt::format("## {} `{}`\n\n", s.name, f->path);
    if (f->error) {
      o += fmt::format("Not audited: {}:{}:{}: {}\n\n", f->path, f->error->line, f->error->column, f->error->message);
      continue;
    }
    if (!f->findings.empty()) {
      o += "| Issue | Current | Should Be | Line Ref |\n|-------|---------|-----------|----------|\n";
      for (const auto& fd : f->findings) {
        std::string where = fd.file.empty() ? fmt::format("{}:{}", f->path, fd.line)
                                             : (fd.file_line ? fmt::format("{}:{}", fd.file, fd.file_line) : fd.file);
        std::string ref = fd.ref.empty() ? where : fmt::format("{} ({})", where, fd.ref);
        o += fmt::format("| {}: {} | {} | {} | {} |\n", fd.rule, md_cell(fd.message), md_cell(fd.current),
                         md_cell(fd.expected), md_cell(ref));
      }
      o += "\n";
    }
    std::vector<std::string> correct;
    for (const auto& r : f->rules)
      if (r.findings == 0)
        for (const auto& c : r.correct) correct.push_back(fmt::format("{}: {}", r.rule->id, c));
    if (!correct.empty()) {
      o += "What is correct:\n\n";
      for (const auto& c : correct) o += fmt::format("- ✅ {}\n", c);
      o += "\n";
    }
    o += fmt::format("**Compliance: {:.0f}%** ({} of {} checks pass)\n\n", s.percent(), s.passed, s.applicable);
  }
  o += fmt::format("## Summary\n\n**Overall compliance: {:.0f}%** ({} of {} checks pass)\n\n", a.percent(), a.passed,
                   a.applicable);
  for (const auto& s : a.services) o += fmt::format("- {}: {:.0f}%\n", s.name, s.percent());
  return o;
}

std::string json(const AuditInput& in) {
  const Audit a = score(in);
  std::string o = "{\n  \"services\": [";
  for (std::size_t i = 0; i < in.files.size(); ++i) {
    const auto* f = in.files[i];
    const auto& s = a.services[i];
    o += i ? ",\n    {" : "\n    {";
    o += fmt::format("\"name\": {}, \"dockerfile\": {}, \"passed\": {}, \"applicable\": {}, \"score\": {:.1f}, ",
                     json_quote(s.name), json_quote(f->path), s.passed, s.applicable, s.percent());
    o += "\"findings\": [";
    for (std::size_t k = 0; k < f->findings.size(); ++k) {
      const auto& fd = f->findings[k];
      o += fmt::format(
          "{}{{\"rule\": {}, \"message\": {}, \"line\": {}, \"column\": {}, \"current\": {}, \"expected\": {}, "
          "\"ref\": {}, \"file\": {}, \"fixable\": {}}}",
          k ? ", " : "", json_quote(fd.rule), json_quote(fd.message), fd.line, fd.column, json_quote(fd.current),
          json_quote(fd.expected), json_quote(fd.ref), json_quote(fd.file.empty() ? f->path : fd.file),
          fd.fix.has_value());
    }
    o += "], \"correct\": [";
    bool first = true;
    for (const auto& r : f->rules)
      if (r.findings == 0)
        for (const auto& c : r.correct) {
          o += fmt::format("{}{{\"rule\": {}, \"what\": {}}}", first ? "" : ", ", json_quote(r.rule->id), json_quote(c));
          first = false;
        }
    o += "]";
    if (f->error) o += fmt::format(", \"error\": {}", json_quote(f->error->message));
    o += "}";
  }
  o += fmt::format("\n  ],\n  \"passed\": {},\n  \"applicable\": {},\n  \"score\": {:.1f}\n}}\n", a.passed, a.applicable,
                   a.percent());
  return o;
}

}  // namespace

std::string sarif(const AuditInput& in) {
  std::string o =
      "{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n  \"version\": \"2.1.0\",\n  \"runs\": [{\n"
      "    \"tool\": {\"driver\": {\"name\": \"dockmend\", \"version\": " +
      json_quote(in.tool_version) + ", \"rules\": [";
  bool first = true;
  for (const auto* r : transforms::all_rules()) {
    o += fmt::format("{}\n      {{\"id\": {}, \"shortDescription\": {{\"text\": {}}}, \"help\": {{\"text\": {}}}}}",
                     first ? "" : ",", json_quote(r->id), json_quote(r->summary),
                     json_quote(r->fix.empty() ? std::string(r->summary) : std::string(r->fix)));
    first = false;
  }
  o += "]}},\n    \"results\": [";
  first = true;
  for (const auto* f : in.files) {
    syntax::Tree tree = syntax::parse(f->original, {false});
    for (const auto& fd : f->findings) {
      const std::string uri = fd.file.empty() ? f->path : fd.file;
      const auto line = fd.file.empty() ? fd.line : std::max<std::uint32_t>(fd.file_line, 1);
      const auto col = fd.file.empty() ? fd.column : 1;
      o += fmt::format("{}\n      {{\"ruleId\": {}, \"level\": \"warning\", \"message\": {{\"text\": {}}}, ",
                       first ? "" : ",", json_quote(fd.rule), json_quote(fd.message));
      o += fmt::format(
          "\"locations\": [{{\"physicalLocation\": {{\"artifactLocation\": {{\"uri\": {}}}, \"region\": "
          "{{\"startLine\": {}, \"startColumn\": {}}}}}}}]",
          json_quote(uri), std::max<std::uint32_t>(line, 1), std::max<std::uint32_t>(col, 1));
      if (fd.fix && !fd.fix->edits.empty()) {
        o += fmt::format(", \"fixes\": [{{\"description\": {{\"text\": {}}}, \"artifactChanges\": [{{\"artifactLocation\": "
                         "{{\"uri\": {}}}, \"replacements\": [",
                         json_quote(fd.fix->reason), json_quote(f->path));
        for (std::size_t k = 0; k < fd.fix->edits.size(); ++k) {
          const auto& e = fd.fix->edits[k];
          auto [sl, sc] = tree.position(e.range.begin);
          auto [el, ec] = tree.position(e.range.end);
          o += fmt::format(
              "{}{{\"deletedRegion\": {{\"startLine\": {}, \"startColumn\": {}, \"endLine\": {}, \"endColumn\": {}, "
              "\"charOffset\": {}, \"charLength\": {}}}, \"insertedContent\": {{\"text\": {}}}}}",
              k ? ", " : "", sl, sc, el, ec, e.range.begin, e.range.size(), json_quote(e.text));
        }
        o += "]}]}]";
      }
      o += "}";
      first = false;
    }
  }
  o += "\n    ]\n  }]\n}\n";
  return o;
}

std::string render(const AuditInput& input, Format format) {
  switch (format) {
    case Format::Markdown: return markdown(input);
    case Format::Json: return json(input);
    case Format::Sarif: return sarif(input);
  }
  return {};
}

}  // namespace dockmend::report
