// `ENV key value` (and LABEL) is the legacy form: buildkit warns, and it can
// set only one variable. `ENV key=value` says the same.
#include <fmt/format.h>

#include "transforms/findings.hpp"
#include "transforms/rule.hpp"

namespace dockmend::transforms::rules {
namespace {

void check(const Context& ctx, Outcome& out) {
  const auto& tree = ctx.tree;
  bool any = false;
  for (const auto& inst : tree.instructions) {
    if (!inst.is("env") && !inst.is("label")) continue;
    any = true;
    // buildkit's nodes are (key, value, separator) triples; "" marks the legacy form.
    if (inst.values.size() != 3 || !inst.values[2].text.empty()) continue;
    const auto& key = inst.values[0];
    const auto& value = inst.values[1];
    const std::string_view raw = std::string_view(inst.logical.text).substr(value.logical.begin, value.logical.size());
    const std::string kw = inst.is("env") ? "ENV" : "LABEL";
    Finding f;
    f.message = fmt::format("legacy `{} key value` form: use {} {}=...", kw, kw, key.text);
    f.at = inst.keyword_span;
    f.current = fmt::format("{} {} {}", kw, key.text, raw);
    // The value as one word of the key=value form: as is, or double-quoted when
    // it holds blanks (only single spaces, so nothing is collapsed differently).
    bool blanks = false, quotable = true;
    for (std::size_t i = 0; i < raw.size(); ++i) {
      const char c = raw[i];
      if (c == ' ' || c == '\t') {
        blanks = true;
        if (c == '\t' || (i + 1 < raw.size() && (raw[i + 1] == ' ' || raw[i + 1] == '\t'))) quotable = false;
      }
      if (c == '"' || c == '\'' || c == '\\' || c == '`') quotable = false;
    }
    const std::string word = blanks ? "\"" + std::string(raw) + "\"" : std::string(raw);
    f.expected = fmt::format("{} {}={}", kw, key.text, word);
    const syntax::Span gap = inst.logical.to_source(syntax::Span{key.logical.end, value.logical.begin});
    const std::string_view between = tree.text(gap);
    // Only blanks between key and value on one line: nothing else is touched.
    const bool one_line = between.find_first_not_of(" \t") == std::string_view::npos && !between.empty();
    if (one_line && (!blanks || quotable) && !raw.empty()) {
      edit::Fix fix;
      fix.reason = fmt::format("{} key value -> {} key=value", kw, kw);
      fix.edits.push_back({gap, blanks ? "=\"" : "="});
      if (blanks) {
        const auto end = inst.logical.to_source(syntax::Span{value.logical.begin, value.logical.end}).end;
        fix.edits.push_back({{end, end}, "\""});
      }
      f.fix = std::move(fix);
    }
    out.findings.push_back(std::move(f));
  }
  conclude(out, any, "ENV and LABEL use key=value");
}

}  // namespace

const RuleRegistration k_legacy_key_value{RuleSpec("legacy-key-value")
    .example("FROM debian:12\nENV MODE production\n",
             "FROM debian:12\nENV MODE=production\n",
             "FROM debian:12\nENV MODE=production\n")
    .aliases("LegacyKeyValueFormat")
    .safety(FixSafety::Safe)
    .priority(3)
    .order(40)
    .summary("ENV or LABEL in the legacy `key value` form")
    .fix("rewrites it as key=value (quoting a value with spaces)")
    .check(&check)};

}  // namespace dockmend::transforms::rules
