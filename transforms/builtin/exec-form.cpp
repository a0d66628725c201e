// CMD and ENTRYPOINT in exec form: the program is PID 1 and gets signals,
// rather than a /bin/sh -c that swallows them. Only where the shell form uses
// no shell feature, so the exec form runs exactly the same words.
#include <fmt/format.h>

#include "edit/builders.hpp"
#include "transforms/findings.hpp"
#include "transforms/rule.hpp"

namespace dockmend::transforms::rules {
namespace {

// Bytes that never need a shell to be read as part of a plain word.
bool plain_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("-_./:=@%+,^").find(c) != std::string_view::npos;
}

// Shell builtins and keywords that have no program of their own to exec.
bool needs_shell(std::string_view program) {
  for (std::string_view b : {"cd", "source", ".", "export", "set", "unset", "ulimit", "trap", "eval", "exit", "if",
                             "for", "while", "until", "case", "!", "{", "umask", "wait", "read", "alias", "shift",
                             "local", "return", "exec", "command", "builtin", "declare", "typeset", "readonly"})
    if (program == b) return true;
  return false;
}

// The words to exec, or nullopt when the text needs a shell.
std::optional<std::vector<std::string>> plain_words(std::string_view text) {
  const shell::Script s = shell::parse(text);
  if (!s.complete || s.commands.size() != 1) return std::nullopt;
  const auto& c = s.commands.front();
  if (!c.assignments.empty() || !c.redirects.empty() || c.words.empty() || c.after != shell::Separator::None)
    return std::nullopt;
  std::vector<std::string> words;
  for (const auto& w : c.words) {
    if (w.quoted || w.has_expansion || w.value.empty()) return std::nullopt;
    for (char ch : w.value)
      if (!plain_char(ch)) return std::nullopt;
    words.push_back(w.value);
  }
  // `exec prog args` in a shell is `prog args` without one.
  if (words.front() == "exec") words.erase(words.begin());
  if (words.empty() || needs_shell(words.front()) || words.front().find('=') != std::string::npos)
    return std::nullopt;
  return words;
}

void check(const Context& ctx, Outcome& out) {
  const auto& tree = ctx.tree;
  const model::Model& m = ctx.model;
  bool any = false;
  for (std::uint32_t i = 0; i < tree.instructions.size(); ++i) {
    const auto& inst = tree.instructions[i];
    if (!inst.is("cmd") && !inst.is("entrypoint")) continue;
    any = true;
    if (inst.form != syntax::ArgsForm::Shell || !inst.heredocs.empty() || inst.args.empty()) continue;
    const std::int32_t stage = m.stage_of(i);
    Finding f;
    f.message = fmt::format("{} in shell form runs under /bin/sh -c: signals do not reach the program; use the "
                            "exec form",
                            inst.is("cmd") ? "CMD" : "ENTRYPOINT");
    f.at = inst.keyword_span;
    f.current = std::string(inst.logical_args());
    auto words = plain_words(inst.logical_args());
    if (words) f.expected = edit::exec_form(*words);
    // The exec form skips SHELL (and Windows' cmd): keep the shell form there.
    bool custom_shell = stage < 0 || m.stages()[static_cast<std::size_t>(stage)].platform_facts.windows() ||
                        m.final_state(stage).shell_at >= 0;
    bool entry_with_cmd = false;
    if (stage >= 0 && inst.is("entrypoint")) {
      const model::Stage& st = m.stages()[static_cast<std::size_t>(stage)];
      for (std::uint32_t k = st.from; k < st.end && k < tree.instructions.size(); ++k)
        if (tree.instructions[k].is("cmd")) entry_with_cmd = true;
    }
    // An exec-form ENTRYPOINT gets the stage's CMD appended; a shell-form one ignores it.
    bool comment_inside = false;
    for (std::uint32_t l = inst.first_line; l <= inst.last_line; ++l)
      if (tree.lines[l].role == syntax::LineRole::ContinuationComment) comment_inside = true;
    if (words && !custom_shell && !entry_with_cmd && !comment_inside) {
      edit::Fix fix;
      fix.reason = "shell form -> exec form";
      fix.edits.push_back(edit::replace_args(inst, edit::exec_form(*words)));
      f.fix = std::move(fix);
    } else if (!words) {
      // Shell syntax is there on purpose: nothing to report.
      continue;
    }
    out.findings.push_back(std::move(f));
  }
  conclude(out, any, "CMD and ENTRYPOINT use the exec form");
}

}  // namespace

const RuleRegistration k_exec_form{RuleSpec("exec-form")
    .example("FROM debian:12\nCMD python3 app.py\n",
             "FROM debian:12\nCMD [\"python3\", \"app.py\"]\n",
             "FROM debian:12\nCMD [\"python3\", \"app.py\"]\n")
    .aliases("DL3025, JSONArgsRecommended")
    .safety(FixSafety::Safe)
    .priority(2)
    .order(10)
    .summary("CMD/ENTRYPOINT in shell form although it uses no shell feature")
    .fix("rewrites it in exec form: [\"prog\", \"arg\"] (a leading exec dropped)")
    .check(&check)};

}  // namespace dockmend::transforms::rules
