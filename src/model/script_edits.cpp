#include "model/script_edits.hpp"

#include <algorithm>
#include <string>

#include "model/instruction_edits.hpp"

namespace dockmend::model {

edit::Edit insert_after_word(const syntax::Tree& tree, const Run& run, const shell::Command& cmd, std::size_t word,
                             std::string_view text) {
  const std::uint32_t at = run.source_after(tree, cmd.words[word].span.end);
  return {{at, at}, " " + std::string(text)};
}

std::optional<edit::Edit> insert_flag(const syntax::Tree& tree, const Run& run, const shell::Command& cmd,
                                      std::string_view flag, shell::InsertAt where) {
  if (!run.editable) return std::nullopt;
  auto p = shell::insertion_point(cmd, where);
  if (!p) return std::nullopt;
  const std::uint32_t at = run.source_after(tree, *p);
  return edit::Edit{{at, at}, " " + std::string(flag)};
}

namespace {

bool blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// End of the script text without trailing blanks.
std::size_t trimmed_end(std::string_view t) {
  std::size_t e = t.size();
  while (e > 0 && blank(t[e - 1])) --e;
  return e;
}

}  // namespace

std::optional<edit::Edit> append_command(const syntax::Tree& tree, const Run& run, std::string_view command) {
  if (!run.editable || run.script.commands.empty()) return std::nullopt;
  const syntax::Instruction& inst = tree.instructions[run.instruction];
  if (!run.heredoc && !inst.heredocs.empty()) return std::nullopt;
  const std::string_view t = run.text;
  std::size_t e = trimmed_end(t);
  if (e == 0) return std::nullopt;
  std::size_t last_end = 0;
  for (const auto& c : run.script.commands) last_end = std::max(last_end, c.span.end);
  // A comment after the last command would swallow what we append. A `#` starts
  // one where a new token starts: after a blank or an operator (`cmd &# note`
  // is a background job and a comment, as POSIX's token rules read it).
  auto operator_char = [](char c) { return c == ';' || c == '&' || c == '|' || c == '(' || c == ')' || c == '<' || c == '>'; };
  for (std::size_t i = last_end; i < e; ++i)
    if (t[i] == '#' && (i == 0 || blank(t[i - 1]) || operator_char(t[i - 1]))) return std::nullopt;
  // Nothing runs after `exit`, nor after `exec prog` (invocation() looks through exec to prog).
  const auto& last = run.script.commands.back();
  if (auto inv = shell::invocation(last); inv && (inv->name == "exit" || inv->name == "exec")) return std::nullopt;
  if (!last.words.empty() && (last.words[0].value == "exec" || last.words[0].value == "exit")) return std::nullopt;
  const char c = t[e - 1];
  // A trailing operator, not a byte of the last word (`-exec ... \;`).
  const bool operator_end = e > last_end;
  if (operator_end && (c == '&' || c == '|')) return std::nullopt;
  if (c == '\\') return std::nullopt;
  if (operator_end && c == ';') {
    if (e >= 2 && (t[e - 2] == ';' || t[e - 2] == '&')) return std::nullopt;
    --e;
    while (e > 0 && blank(t[e - 1])) --e;
    if (e == 0) return std::nullopt;
  }
  const std::uint32_t at = run.source_after(tree, e);
  return edit::Edit{{at, at}, " && " + std::string(command)};
}

std::optional<edit::Edit> append_after_command(const syntax::Tree& tree, const Run& run, std::size_t cmd_index,
                                               std::string_view command) {
  if (!run.editable) return std::nullopt;
  const auto& cmds = run.script.commands;
  const auto& cmd = cmds[cmd_index];
  if (cmd.depth != 0) return std::nullopt;
  switch (cmd.after) {
    case shell::Separator::AndIf: {
      const std::uint32_t at = run.source_after(tree, cmd.span.end);
      return edit::Edit{{at, at}, " && " + std::string(command)};
    }
    case shell::Separator::Semicolon:
    case shell::Separator::Newline: {
      // Keep the script's own separator: `a && rm x; b` would stop `set -e`
      // from ending the script when `a` fails (commands before && are exempt).
      const std::uint32_t at = run.source_after(tree, cmd.span.end);
      return edit::Edit{{at, at}, "; " + std::string(command)};
    }
    case shell::Separator::None:
      // The last command of the script (nothing at depth 0 after it).
      for (std::size_t i = cmd_index + 1; i < cmds.size(); ++i)
        if (cmds[i].depth == 0) return std::nullopt;
      return append_command(tree, run, command);
    default: return std::nullopt;
  }
}

std::vector<edit::Edit> remove_script_range(const syntax::Tree& tree, const Run& run, shell::Span range) {
  if (run.heredoc) return {widen_to_line(tree, {run.source(tree, range), std::string()})};
  return remove_joined(tree, tree.instructions[run.instruction], run.joined(range));
}

std::optional<Removal> remove_commands(const syntax::Tree& tree, const Run& run, const std::vector<std::size_t>& indexes) {
  auto is_blank = [](char c) { return c == ' ' || c == '\t'; };
  // A view, so that `op = text.substr(...)` views the text, not a temporary string
  // (found by tests/fuzz: stack-use-after-scope, regressions/fix/venv-remove-command-op).
  const std::string_view text = run.text;
  std::vector<shell::Span> ranges;
  for (auto idx : indexes) {
    const auto& c = run.script.commands[idx];
    if (c.depth != 0) return std::nullopt;
    using shell::Separator;
    // What precedes the command: an operator we may take along, or the start.
    std::size_t b = c.span.begin;
    while (b > 0 && is_blank(text[b - 1])) --b;
    std::size_t before_op = b;  // where the operator before the command starts
    std::string_view op;
    if (b >= 2 && (text.substr(b - 2, 2) == "&&" || text.substr(b - 2, 2) == "||")) {
      op = text.substr(b - 2, 2);
      before_op = b - 2;
    } else if (b >= 1 && (text[b - 1] == ';' || text[b - 1] == '|' || text[b - 1] == '&' || text[b - 1] == '\n')) {
      op = text.substr(b - 1, 1);
      before_op = b - 1;
    } else if (b > 0) {
      return std::nullopt;  // a keyword (then, do, ...) or an opening bracket precedes it
    }
    if (op == "||" || op == "|" || op == "&") return std::nullopt;
    if (op == ";" && before_op > 0 && text[before_op - 1] == ';') return std::nullopt;  // ;; in case
    if (c.after == Separator::AndIf || c.after == Separator::Semicolon || c.after == Separator::Newline) {
      std::size_t e = c.separator_span.end;
      if (c.after != Separator::Newline)
        while (e < text.size() && is_blank(text[e])) ++e;
      std::size_t s = c.span.begin;
      if (c.after == Separator::Newline)
        while (s > 0 && is_blank(text[s - 1])) --s;
      ranges.push_back({s, e});
    } else if (c.after == Separator::None) {
      if (op.empty()) {
        ranges.push_back({c.span.begin, c.span.end});
      } else {
        std::size_t s = before_op;
        if (op != "\n")
          while (s > 0 && is_blank(text[s - 1])) --s;
        ranges.push_back({s, c.span.end});
      }
    } else {
      return std::nullopt;
    }
  }
  std::sort(ranges.begin(), ranges.end(), [](const shell::Span& a, const shell::Span& b) { return a.begin < b.begin; });
  std::vector<shell::Span> merged;
  for (const auto& r : ranges) {
    if (!merged.empty() && r.begin <= merged.back().end) merged.back().end = std::max(merged.back().end, r.end);
    else merged.push_back(r);
  }
  Removal out;
  std::size_t pos = 0;
  bool left = false;
  for (const auto& r : merged) {
    for (auto p = pos; p < r.begin && !left; ++p)
      if (!is_blank(text[p]) && text[p] != '\n' && text[p] != '\r') left = true;
    pos = r.end;
  }
  for (auto p = pos; p < text.size() && !left; ++p)
    if (!is_blank(text[p]) && text[p] != '\n' && text[p] != '\r') left = true;
  out.everything = !left;
  if (out.everything) return out;
  for (const auto& r : merged) {
    auto v = remove_script_range(tree, run, r);
    out.edits.insert(out.edits.end(), v.begin(), v.end());
  }
  return out;
}

}  // namespace dockmend::model
