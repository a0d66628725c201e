#include "transforms/findings.hpp"

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

void conclude(Outcome& out, bool applicable, std::string_view correct) {
  out.applicable = applicable || !out.findings.empty();
  if (out.wants_correct && out.applicable && out.findings.empty() && !correct.empty()) out.correct.emplace_back(correct);
}

}  // namespace dockmend::transforms
