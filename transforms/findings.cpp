#include "transforms/findings.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "model/text.hpp"

namespace dockmend::transforms {

Finding command_finding(const syntax::Tree& tree, const model::Run& run, const shell::Command& cmd,
                        std::string message, std::string reason, std::vector<edit::Edit> edits) {
  Finding f;
  f.message = std::move(message);
  const auto inv = shell::invocation(cmd);
  const std::size_t w = inv ? inv->program : 0;
  f.at = cmd.words.empty() ? run.source(tree, cmd.span) : run.source(tree, cmd.words[w].span);
  std::string cur(run.slice(cmd.span));
  if (cur.size() > 80) cur = cur.substr(0, 77) + "...";
  f.current = std::move(cur);
  if (!edits.empty()) {
    edit::Fix fix;
    fix.reason = std::move(reason);
    fix.edits = std::move(edits);
    f.fix = std::move(fix);
  }
  return f;
}

Finding finding(std::string message, syntax::Span at, std::string current, std::string expected, std::string ref) {
  Finding f;
  f.message = std::move(message);
  f.at = at;
  f.current = std::move(current);
  f.expected = std::move(expected);
  f.ref = std::move(ref);
  return f;
}

std::string stage_label(const model::Model& model, std::int32_t stage) {
  const auto& s = model.stages()[static_cast<std::size_t>(stage)];
  if (!s.name.empty()) return fmt::format("stage {}", s.name);
  return stage == model.shipped() ? std::string("the runtime stage") : fmt::format("stage #{}", stage);
}

std::string join_refs(const std::vector<std::string>& refs) {
  std::vector<std::string> seen;
  for (const auto& r : refs)
    if (!r.empty() && std::find(seen.begin(), seen.end(), r) == seen.end()) seen.push_back(r);
  return model::join(seen, ", ");
}

void conclude(Outcome& out, bool applicable, std::string_view correct) {
  out.applicable = applicable || !out.findings.empty();
  if (out.wants_correct && out.applicable && out.findings.empty() && !correct.empty()) out.correct.emplace_back(correct);
}

bool policy_rule_applies(bool asked, const Context& ctx, Outcome& out) {
  if (asked && !ctx.model.empty()) return true;
  out.applicable = false;
  return false;
}

}  // namespace dockmend::transforms
