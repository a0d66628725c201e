// `check --format json`: dockmend's own list of findings, versioned, documented
// in docs/json.md. One finding an element, in path and line order; positions in
// code points as in every format (report/findings.hpp), fix edits as byte
// ranges of the file with their replacement text.
#include <fmt/format.h>

#include "report/findings.hpp"
#include "syntax/dump.hpp"

namespace dockmend::report {

using syntax::json_quote;
using transforms::Finding;
using transforms::Rule;

namespace {

constexpr int k_check_json_version = 1;

std::string position(const TextPos& p) { return fmt::format("{{\"line\": {}, \"column\": {}}}", p.line, p.column); }

std::string edit_json(std::string_view path, std::uint32_t begin, std::uint32_t end, std::string_view text, bool creates) {
  return fmt::format("{{\"path\": {}, \"start\": {}, \"end\": {}, \"replacement\": {}{}}}", json_quote(path), begin, end,
                     json_quote(text), creates ? ", \"creates\": true" : "");
}

std::string finding_json(const transforms::FileReport& f, const Finding& fd, const Positions& pos) {
  const Rule* r = transforms::find_rule(fd.rule);
  std::string o = fmt::format("{{\"rule\": {}, \"severity\": \"{}\", ", json_quote(fd.rule), finding_severity(r, fd));
  if (fd.file.empty()) {
    const TextPos b = pos.at(fd.at.begin), e = pos.at(fd.at.end);
    o += fmt::format("\"path\": {}, \"line\": {}, \"column\": {}, \"end\": {}, \"offset\": {}, \"length\": {}, ",
                     json_quote(f.path), b.line, b.column, position(e), fd.at.begin, fd.at.end - fd.at.begin);
  } else {
    // About another file (a requirements file): its line, no column.
    o += fmt::format("\"path\": {}, \"line\": {}, \"column\": null, \"end\": null, \"offset\": null, \"length\": null, ",
                     json_quote(fd.file), std::max<std::uint32_t>(fd.file_line, 1));
  }
  o += fmt::format("\"message\": {}, ", json_quote(fd.message));
  if (!fd.current.empty() || !fd.expected.empty())
    o += fmt::format("\"current\": {}, \"expected\": {}, ", json_quote(fd.current), json_quote(fd.expected));
  if (!fd.ref.empty()) o += fmt::format("\"ref\": {}, ", json_quote(fd.ref));
  if (f.service) o += fmt::format("\"service\": {}, ", json_quote(f.service->name));
  if (!fd.fix) {
    o += "\"fix\": null}";
    return o;
  }
  std::string edits;
  for (const auto& e : fd.fix->edits)
    edits += (edits.empty() ? "" : ", ") + edit_json(f.path, e.range.begin, e.range.end, e.text, false);
  if (fd.fix->edits.empty())
    for (const auto& nf : f.new_files)
      if (nf.rule == fd.rule) edits += (edits.empty() ? "" : ", ") + edit_json(nf.path, 0, 0, nf.content, true);
  o += fmt::format("\"fix\": {{\"safety\": \"{}\", \"description\": {}, \"edits\": [{}]}}}}", fix_safety_of(r, fd),
                   json_quote(fd.fix->reason), edits);
  return o;
}

std::string problem_json(const std::string& path, std::uint32_t line, std::uint32_t column, const std::string& message) {
  return fmt::format("{{\"path\": {}, \"line\": {}, \"column\": {}, \"message\": {}}}",
                     path.empty() ? std::string("null") : json_quote(path), line ? std::to_string(line) : "null",
                     line ? std::to_string(std::max<std::uint32_t>(column, 1)) : "null", json_quote(message));
}

}  // namespace

std::string check_json(const FindingsInput& in) {
  std::string o = fmt::format("{{\n  \"version\": {},\n  \"tool\": {{\"name\": \"dockmend\", \"version\": {}}},\n",
                              k_check_json_version, json_quote(in.tool_version));
  o += "  \"findings\": [";
  std::size_t n = 0, fixable = 0;
  for (const auto* f : in.files) {
    if (f->findings.empty()) continue;
    const Positions pos(f->original);
    for (const auto& fd : f->findings) {
      o += (n++ ? ",\n    " : "\n    ") + finding_json(*f, fd, pos);
      if (fd.fix) ++fixable;
    }
  }
  o += n ? "\n  ],\n" : "],\n";
  o += "  \"errors\": [";
  std::size_t errors = 0;
  for (const auto& p : in.problems) o += (errors++ ? ",\n    " : "\n    ") + problem_json(p.path, p.line, p.column, p.message);
  for (const auto* f : in.files)
    if (f->error)
      o += (errors++ ? ",\n    " : "\n    ") +
           problem_json(f->path, f->error->line, f->error->column, "buildkit rejects the file: " + f->error->message);
  o += errors ? "\n  ],\n" : "],\n";
  o += fmt::format("  \"summary\": {{\"files\": {}, \"findings\": {}, \"fixable\": {}, \"errors\": {}}}\n}}\n", in.scanned, n,
                   fixable, errors);
  return o;
}

}  // namespace dockmend::report
