// MAINTAINER is deprecated: the same information goes in a label.
#include <fmt/format.h>

#include "edit/builders.hpp"
#include "transforms/rule.hpp"

namespace dockmend::transforms::rules {
namespace {

std::string label_value(std::string_view v) {
  std::string out = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

void check(const Context& ctx, Outcome& out) {
  bool any = false;
  for (const auto& inst : ctx.tree.instructions) {
    if (!inst.is("maintainer")) continue;
    any = true;
    const std::string value = inst.values.empty() ? std::string() : std::string(inst.values[0].text);
    Finding f;
    f.message = "MAINTAINER is deprecated; use LABEL maintainer=...";
    f.at = inst.keyword_span;
    f.current = fmt::format("MAINTAINER {}", value);
    f.expected = fmt::format("LABEL maintainer={}", label_value(value));
    edit::Fix fix;
    fix.reason = "MAINTAINER -> LABEL maintainer";
    // Replace from the keyword to the end of the arguments: comments and
    // continuation lines around it stay as they are.
    const auto args = inst.args_source();
    fix.edits.push_back({{inst.keyword_span.begin, std::max(args.end, inst.keyword_span.end)},
                         edit::keyword(edit::style_of(ctx.tree), "label") + " maintainer=" + label_value(value)});
    f.fix = std::move(fix);
    out.findings.push_back(std::move(f));
  }
  out.applicable = any;
  if (!any) out.correct.push_back("no MAINTAINER instruction");
}

}  // namespace

const RuleRegistration k_maintainer{RuleSpec("maintainer")
    .aliases("DL4000, MaintainerDeprecated")
    .safety(FixSafety::Safe)
    .priority(3)
    .order(30)
    .summary("MAINTAINER is deprecated")
    .fix("rewrites it as LABEL maintainer=\"...\"")
    .check(&check)};

}  // namespace dockmend::transforms::rules
