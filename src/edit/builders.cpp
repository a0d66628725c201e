#include "edit/builders.hpp"

#include "syntax/dump.hpp"
#include "syntax/unicode.hpp"

#include <algorithm>
#include <cstdint>

namespace dockmend::edit {

using syntax::Span;

namespace {

Style work_out_style(const Tree& tree) {
  Style s;
  s.newline = std::string(tree.newline());
  s.final_newline = tree.source.empty() || tree.ends_with_newline();
  std::size_t upper = 0, lower = 0;
  // Instructions only: the first word of a line buildkit does not know (a
  // template's `set x to y`, a stray word) says nothing of the file's style.
  static constexpr std::string_view k_known[] = {"from",   "run",        "cmd",     "label",  "maintainer",
                                                 "expose", "env",        "add",     "copy",   "entrypoint",
                                                 "volume", "user",       "workdir", "arg",    "onbuild",
                                                 "stopsignal", "healthcheck", "shell"};
  for (const auto& inst : tree.instructions) {
    if (std::find(std::begin(k_known), std::end(k_known), inst.keyword) == std::end(k_known)) continue;
    const auto kw = tree.text(inst.keyword_span);
    bool all_upper = true, all_lower = true;
    for (char c : kw) {
      if (c >= 'a' && c <= 'z') all_upper = false;
      if (c >= 'A' && c <= 'Z') all_lower = false;
    }
    if (all_upper) ++upper;
    else if (all_lower) ++lower;
  }
  s.upper_keywords = upper >= lower;
  return s;
}

}  // namespace

Style style_of(const Tree& tree) {
  // Several rules ask for the style of the same tree: worked out once per parse.
  thread_local syntax::PerTree<Style> cache;
  return cache.get(tree, [](const Tree& t, Style& s) { s = work_out_style(t); });
}

std::string keyword(const Style& style, std::string_view kw) {
  std::string out(kw);
  for (char& c : out) {
    if (style.upper_keywords && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (!style.upper_keywords && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string same_case(std::string_view model, std::string_view word) {
  bool has_upper = false, has_lower = false;
  for (char c : model) {
    if (c >= 'a' && c <= 'z') has_lower = true;
    if (c >= 'A' && c <= 'Z') has_upper = true;
  }
  std::string out(word);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  if (has_upper && !has_lower) {
    for (char& c : out)
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  } else if (has_upper && has_lower && !out.empty() && out[0] >= 'a' && out[0] <= 'z') {
    out[0] = static_cast<char>(out[0] - 'a' + 'A');
  }
  return out;
}

std::string_view indentation(const Tree& tree, const Instruction& inst) {
  const auto& line = tree.lines[inst.first_line];
  std::uint32_t b = line.begin + ((inst.first_line == 0 && tree.has_bom) ? 3 : 0);
  std::uint32_t e = b;
  while (e < inst.keyword_span.begin && (tree.source[e] == ' ' || tree.source[e] == '\t')) ++e;
  return tree.source.substr(b, e - b);
}

namespace {

std::string join_lines(const Style& st, std::string_view indent, const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) {
    if (!l.empty()) out += indent;
    out += l;
    out += st.newline;
  }
  return out;
}

}  // namespace

Edit insert_before(const Tree& tree, const Instruction& inst, const std::vector<std::string>& lines,
                   bool above_comments) {
  const Style st = style_of(tree);
  std::uint32_t line = inst.first_line;
  if (above_comments && !inst.comments.empty()) line = inst.comments.front();
  std::uint32_t at = tree.lines[line].begin;
  if (line == 0 && tree.has_bom) at += 3;
  return {{at, at}, join_lines(st, indentation(tree, inst), lines)};
}

Edit insert_after(const Tree& tree, const Instruction& inst, const std::vector<std::string>& lines) {
  const Style st = style_of(tree);
  const auto& last = tree.lines[inst.last_line];
  std::string text = join_lines(st, indentation(tree, inst), lines);
  if (last.end == last.content_end) {
    // The instruction ends the file without a newline: put the newline first
    // and drop the last one, so the file still ends without one.
    text = st.newline + text.substr(0, text.size() - st.newline.size());
  }
  return {{last.end, last.end}, std::move(text)};
}

Edit append_lines(const Tree& tree, const std::vector<std::string>& lines) {
  const Style st = style_of(tree);
  const auto end = static_cast<std::uint32_t>(tree.source.size());
  std::string text = join_lines(st, "", lines);
  if (!st.final_newline && !tree.source.empty()) text = st.newline + text.substr(0, text.size() - st.newline.size());
  return {{end, end}, std::move(text)};
}

Edit remove_instruction(const Tree& tree, const Instruction& inst, bool with_comments) {
  std::uint32_t first = inst.first_line;
  if (with_comments && !inst.comments.empty()) first = inst.comments.front();
  std::uint32_t b = tree.lines[first].begin;
  if (first == 0 && tree.has_bom) b += 3;
  std::uint32_t e = tree.lines[inst.last_line].end;
  const auto& last = tree.lines[inst.last_line];
  if (last.end == last.content_end && first > 0) {
    // Last line without a newline: take the newline before it instead, so the
    // file keeps ending without one.
    b = tree.lines[first - 1].content_end;
  }
  return {{b, e}, std::string()};
}

Edit replace_logical(const Instruction& inst, Span logical, std::string text) {
  return {inst.logical.to_source(logical), std::move(text)};
}

std::string exec_form(const std::vector<std::string>& args) {
  std::string out = "[";
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (i) out += ", ";
    out += syntax::json_quote(args[i]);
  }
  out += "]";
  return out;
}

bool json_exact(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto r = syntax::go::decode_rune(s, i);
    if (r.value == syntax::go::k_rune_error && r.width == 1) return false;
    i += r.width;
  }
  return true;
}

bool json_exact(const std::vector<std::string>& args) {
  return std::all_of(args.begin(), args.end(), [](const std::string& a) { return json_exact(std::string_view(a)); });
}

std::string shell_word(std::string_view s) {
  bool plain = !s.empty();
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
          std::string_view("-_./:=@%+,${}").find(c) != std::string_view::npos)) {
      plain = false;
      break;
    }
  }
  if (plain) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\' || c == '`') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

Edit replace_value(const Tree& tree, const Instruction& inst, std::size_t i, std::string_view value) {
  const Span logical = inst.values[i].logical;
  const Span src = inst.logical.to_source(logical);
  if (inst.form == syntax::ArgsForm::Json && (inst.keyword != "healthcheck" || i > 0)) {
    return {src, syntax::json_quote(value)};
  }
  const auto raw = tree.text(src);
  if (raw.size() >= 2 && (raw.front() == '"' || raw.front() == '\'') && raw.back() == raw.front()) {
    std::string out(1, raw.front());
    out += value;
    out += raw.front();
    return {src, out};
  }
  return {src, shell_word(value)};
}

Edit replace_args(const Instruction& inst, std::string text) {
  return {inst.logical.to_source(inst.args), std::move(text)};
}

}  // namespace dockmend::edit
