// What SARIF and the check JSON share: severities, fix safety, positions in
// code points, the rules' documentation links and the findings' stable keys.
#include "report/findings.hpp"

#include <algorithm>
#include <type_traits>

#include <fmt/format.h>

#include "transforms/severity.hpp"

// Where the project and its documentation live (set with -DDOCKMEND_HOMEPAGE_URL=...).
#ifndef DOCKMEND_HOMEPAGE_URL
#define DOCKMEND_HOMEPAGE_URL "https://github.com/your-org/dockmend"
#endif
#ifndef DOCKMEND_DOCS_URL
#define DOCKMEND_DOCS_URL DOCKMEND_HOMEPAGE_URL "/blob/main/docs/"
#endif

namespace dockmend::report {

using transforms::Finding;
using transforms::FixSafety;
using transforms::Rule;

std::string_view severity_of(const Rule* rule) {
  if (!rule) return "warning";
  return policy::severity_name(transforms::default_severity(*rule));
}

int severity_rank(std::string_view s) {
  if (s == "error") return 0;
  if (s == "warning") return 1;
  if (s == "info") return 2;
  return 3;
}

namespace {

// A finding may carry its own safety (a fix that is safe in one place and not
// in another); when it does not, the rule's applies.
template <class F>
auto own_safety(const F& f, int) -> decltype(f.safety ? *f.safety : FixSafety{}, std::optional<FixSafety>{}) {
  if (f.safety) return *f.safety;
  return std::nullopt;
}
template <class F>
std::optional<FixSafety> own_safety(const F&, long) {
  return std::nullopt;
}

// The engine fills Finding::severity (the rule's, as the policy sets it) once
// severities land; policy::severity_name is found by argument-dependent lookup.
template <class F>
auto own_severity(const F& f, int) -> decltype(std::string_view(severity_name(f.severity))) {
  return severity_name(f.severity);
}
template <class F>
std::string_view own_severity(const F&, long) {
  return {};
}

template <class R>
auto own_description(const R& r, int) -> decltype(std::string_view(r.description)) {
  return r.description;
}
template <class R>
std::string_view own_description(const R&, long) {
  return {};
}

}  // namespace

std::string_view rule_description(const Rule& rule) { return own_description(rule, 0); }

std::string_view finding_severity(const Rule* rule, const Finding& finding) {
  const std::string_view own = own_severity(finding, 0);
  return own.empty() ? severity_of(rule) : own;
}

std::string_view fix_safety_of(const Rule* rule, const Finding& finding) {
  if (!finding.fix) return "none";
  const auto own = own_safety(finding, 0);
  const FixSafety s = own ? *own : rule ? rule->safety : FixSafety::Safe;
  if (s == FixSafety::Safe) return "safe";
  return "unsafe";
}

std::string_view homepage_url() { return DOCKMEND_HOMEPAGE_URL; }

std::string rule_help_uri(const Rule& rule) {
  const char* page = rule.kind == transforms::RuleKind::Policy ? "rules-policy.md" : "rules.md";
  return fmt::format("{}{}#{}", DOCKMEND_DOCS_URL, page, rule.id);
}

std::string finding_key(const transforms::FileReport& file, const Finding& f) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  auto mix = [&](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 0x100000001b3ull;
    }
    h ^= 0xff;  // a separator no text contains
    h *= 0x100000001b3ull;
  };
  mix(f.rule);
  mix(f.file.empty() ? file.path : f.file);
  // The lines the finding is on (whole lines, as GitHub's own line hash takes
  // them), with runs of whitespace (continuations, indentation, CRLF) as one
  // space: moving the instruction or re-indenting it keeps the key.
  std::string text;
  const std::string_view src = file.original;
  if (f.file.empty() && f.at.begin <= src.size() && !src.empty()) {
    std::size_t b = f.at.begin, e = std::max(f.at.begin, std::min<std::uint32_t>(f.at.end, static_cast<std::uint32_t>(src.size())));
    while (b > 0 && src[b - 1] != '\n') --b;
    if (e > b && src[e - 1] == '\n') --e;  // a span that ends with its line's newline
    while (e < src.size() && src[e] != '\n') ++e;
    bool space = false;
    for (std::size_t i = b; i < e; ++i) {
      const char c = src[i];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\\') {
        space = !text.empty();
        continue;
      }
      if (space) text += ' ';
      space = false;
      text += c;
    }
  } else {
    text = f.message;
  }
  mix(text);
  return fmt::format("{:016x}", h);
}

Positions::Positions(std::string_view text) : m_text(text) {
  m_starts.push_back(0);
  m_chars.push_back(0);
  std::uint32_t chars = 0;
  for (std::uint32_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++chars;
    if (text[i] == '\n') {
      m_starts.push_back(i + 1);
      m_chars.push_back(chars);
    }
  }
}

TextPos Positions::at(std::uint32_t offset) const {
  offset = std::min<std::uint32_t>(offset, static_cast<std::uint32_t>(m_text.size()));
  const auto it = std::upper_bound(m_starts.begin(), m_starts.end(), offset);
  const auto line = static_cast<std::uint32_t>(it - m_starts.begin());
  const auto begin = m_starts[line - 1];
  TextPos p;
  p.line = line;
  const std::uint32_t in_line = count(begin, offset);
  p.column = 1 + in_line;
  p.chars = m_chars[line - 1] + in_line;
  return p;
}

std::uint32_t Positions::count(std::uint32_t b, std::uint32_t e) const {
  std::uint32_t n = 0;
  for (auto i = b; i < e; ++i)
    if ((static_cast<unsigned char>(m_text[i]) & 0xC0) != 0x80) ++n;
  return n;
}

std::uint32_t char_column(std::string_view text, std::uint32_t offset) {
  offset = std::min<std::uint32_t>(offset, static_cast<std::uint32_t>(text.size()));
  std::uint32_t b = offset;
  while (b > 0 && text[b - 1] != '\n') --b;
  std::uint32_t n = 1;
  for (auto i = b; i < offset; ++i)
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++n;
  return n;
}

}  // namespace dockmend::report
