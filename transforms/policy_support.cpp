#include "transforms/policy_support.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace dockmend::transforms::support {

// ---------------------------------------------------------------- text

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }
bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }

}  // namespace

bool icontains(std::string_view haystack, std::string_view needle) {
  return lower(haystack).find(lower(needle)) != std::string::npos;
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += separator;
    out += items[i];
  }
  return out;
}

std::string join_refs(const std::vector<std::string>& refs) {
  std::vector<std::string> seen;
  for (const auto& r : refs)
    if (!r.empty() && std::find(seen.begin(), seen.end(), r) == seen.end()) seen.push_back(r);
  return join(seen, ", ");
}

std::string_view basename(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  const auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string normalize_path(std::string_view path) {
  std::string out;
  std::size_t i = 0;
  if (!path.empty() && path[0] == '/') out = "/";
  while (i < path.size()) {
    std::size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    const auto part = path.substr(i, j - i);
    if (!part.empty() && part != ".") {
      if (!out.empty() && out.back() != '/') out += '/';
      out += part;
    }
    i = j + 1;
  }
  if (out.empty()) out = ".";
  return out;
}

bool contains_token(std::string_view text, std::string_view word) {
  auto name_char = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  };
  for (std::size_t at = text.find(word); at != std::string_view::npos; at = text.find(word, at + 1)) {
    const bool left = at == 0 || !name_char(text[at - 1]);
    const std::size_t end = at + word.size();
    const bool right = end >= text.size() || !name_char(text[end]);
    if (left && right) return true;
  }
  return false;
}

std::optional<int> parse_port(std::string_view s) {
  if (s.empty() || s.size() > 5) return std::nullopt;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  if (v > 65535) return std::nullopt;
  return v;
}

std::string unquote(std::string_view raw) {
  std::string out;
  char quote = 0;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (quote == '\'') {
      if (c == '\'') quote = 0;
      else out += c;
      continue;
    }
    if (quote == '"') {
      if (c == '"') {
        quote = 0;
      } else if (c == '\\' && i + 1 < raw.size() && (raw[i + 1] == '"' || raw[i + 1] == '\\' || raw[i + 1] == '$')) {
        // Keep `\$` escaped so expand() leaves it alone.
        if (raw[i + 1] == '$') out += '\\';
        out += raw[++i];
      } else {
        out += c;
      }
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '\\' && i + 1 < raw.size()) {
      if (raw[i + 1] == '$') out += '\\';
      out += raw[++i];
    } else {
      out += c;
    }
  }
  return out;
}

// ---------------------------------------------------------------- variables

std::optional<std::string> expand(std::string_view text, const Vars& vars) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\\' && i + 1 < text.size() && text[i + 1] == '$') {
      out += '$';
      ++i;
      continue;
    }
    if (c != '$' || i + 1 >= text.size()) {
      out += c;
      continue;
    }
    if (text[i + 1] == '{') {
      const auto close = text.find('}', i + 2);
      if (close == std::string_view::npos) return std::nullopt;
      const auto inner = text.substr(i + 2, close - i - 2);
      std::size_t n = 0;
      while (n < inner.size() && is_name_char(inner[n])) ++n;
      const std::string name(inner.substr(0, n));
      auto op = inner.substr(n);
      const auto it = vars.find(name);
      const bool set = it != vars.end();
      const bool nonempty = set && !it->second.empty();
      if (op.empty()) {
        if (!set) return std::nullopt;
        out += it->second;
      } else if (op.substr(0, 2) == ":-" || op.substr(0, 1) == "-") {
        const auto word = op.substr(op[0] == ':' ? 2 : 1);
        const bool use_var = op[0] == ':' ? nonempty : set;
        if (use_var) {
          out += it->second;
        } else {
          auto w = expand(word, vars);
          if (!w) return std::nullopt;
          out += *w;
        }
      } else if (op.substr(0, 2) == ":+" || op.substr(0, 1) == "+") {
        const auto word = op.substr(op[0] == ':' ? 2 : 1);
        const bool use_word = op[0] == ':' ? nonempty : set;
        if (use_word) {
          auto w = expand(word, vars);
          if (!w) return std::nullopt;
          out += *w;
        }
      } else {
        return std::nullopt;
      }
      i = close;
      continue;
    }
    if (is_name_start(text[i + 1])) {
      std::size_t e = i + 1;
      while (e < text.size() && is_name_char(text[e])) ++e;
      const auto it = vars.find(std::string(text.substr(i + 1, e - i - 1)));
      if (it == vars.end()) return std::nullopt;
      out += it->second;
      i = e - 1;
      continue;
    }
    out += c;
  }
  return out;
}

bool references(std::string_view text, std::string_view name) {
  for (std::size_t at = text.find('$'); at != std::string_view::npos; at = text.find('$', at + 1)) {
    if (at > 0 && text[at - 1] == '\\') continue;
    std::size_t b = at + 1;
    if (b < text.size() && text[b] == '{') ++b;
    if (text.substr(b, name.size()) != name) continue;
    const std::size_t e = b + name.size();
    if (e >= text.size() || !is_name_char(text[e])) return true;
  }
  return false;
}

std::vector<ArgDecl> arg_decls(const Instruction& arg) {
  std::vector<ArgDecl> out;
  for (std::size_t i = 0; i < arg.values.size(); ++i) {
    const auto& w = arg.values[i].text;
    ArgDecl d;
    d.value_index = i;
    const auto eq = w.find('=');
    if (eq == std::string::npos) {
      d.name = unquote(w);
    } else {
      d.name = unquote(w.substr(0, eq));
      d.value = unquote(w.substr(eq + 1));
    }
    out.push_back(std::move(d));
  }
  return out;
}

Vars global_args(const Tree& tree) {
  Vars v;
  for (const auto& inst : tree.instructions) {
    if (inst.is("from")) break;
    if (!inst.is("arg")) continue;
    for (auto& d : arg_decls(inst)) {
      if (d.value) {
        auto e = expand(*d.value, v);
        v[d.name] = e ? *e : *d.value;
      }
    }
  }
  return v;
}

std::vector<EnvEntry> env_entries(const Instruction& env) {
  std::vector<EnvEntry> out;
  for (std::size_t i = 0; i + 2 < env.values.size(); i += 3) {
    EnvEntry e;
    e.name = env.values[i].text;
    e.raw = env.values[i + 1].text;
    e.value = unquote(e.raw);
    e.value_index = i + 1;
    e.legacy = env.values[i + 2].text.empty();
    e.logical = {env.values[i].logical.begin, env.values[i + 1].logical.end};
    if (e.legacy) e.logical = env.args;
    out.push_back(std::move(e));
  }
  return out;
}

// ---------------------------------------------------------------- stages

StageSet::StageSet(const Tree& t) : tree(&t), list(t.stages()), globals(global_args(t)) {
  shipped = shipped_stage(list, nullptr, nullptr, &shipped_reason);
}

bool is_test_stage_name(std::string_view name) {
  const std::string n = lower(name);
  for (std::string_view w : {"test", "tests", "testing", "unittest", "unittests", "ci", "lint", "check", "checks"})
    if (n == w) return true;
  for (std::string_view w : {"test", "tests"})
    if (starts_with(n, std::string(w) + "-") || starts_with(n, std::string(w) + "_") ||
        ends_with(n, "-" + std::string(w)) || ends_with(n, "_" + std::string(w)))
      return true;
  return false;
}

int shipped_stage(const std::vector<Stage>& list, const std::string* target, const std::vector<std::string>* names,
                  std::string* reason) {
  auto named = [&](std::string_view name) {
    for (std::size_t k = list.size(); k-- > 0;)
      if (iequals(list[k].name, name)) return static_cast<int>(k);
    return -1;
  };
  if (target)
    if (int k = named(*target); k >= 0) {
      if (reason) *reason = "target";
      return k;
    }
  if (names && !names->empty())
    if (int k = named(names->back()); k >= 0) {
      if (reason) *reason = "stages";
      return k;
    }
  int k = static_cast<int>(list.size()) - 1;
  while (k > 0 && is_test_stage_name(list[static_cast<std::size_t>(k)].name)) --k;
  if (reason) *reason = k == static_cast<int>(list.size()) - 1 ? "" : "test stages after it";
  return k;
}

StageSet stages_of(const Context& ctx) {
  StageSet st(ctx.tree);
  // The model's shipped stage (model::Stage::shipped): one notion of the stage
  // that ships, with the policy's target and stages applied by the engine.
  if (!ctx.model.empty() && ctx.model.stages().size() == st.list.size()) {
    st.shipped = ctx.model.shipped();
    st.shipped_reason = std::string(ctx.model.shipped_reason());
  }
  return st;
}

std::optional<StageSet> stages_for_rule(bool asked, const Context& ctx, Outcome& out) {
  if (asked) {
    StageSet st = stages_of(ctx);
    if (!st.empty()) return st;
  }
  out.applicable = false;
  return std::nullopt;
}

std::optional<StageSet> stages_for_rule(bool asked, const Tree& tree, Outcome& out) {
  if (asked) {
    StageSet st(tree);
    if (!st.empty()) return st;
  }
  out.applicable = false;
  return std::nullopt;
}

std::vector<int> StageSet::chain(int stage) const {
  std::vector<int> out;
  for (int s = stage; s >= 0 && out.size() <= list.size(); s = list[static_cast<std::size_t>(s)].base_stage)
    out.push_back(s);
  std::reverse(out.begin(), out.end());
  return out;
}

std::vector<std::uint32_t> StageSet::instructions(int stage) const {
  std::vector<std::uint32_t> out;
  if (stage < 0) return out;
  const auto& s = list[static_cast<std::size_t>(stage)];
  for (std::uint32_t i = s.from; i < s.end; ++i) out.push_back(i);
  return out;
}

std::vector<std::uint32_t> StageSet::chain_instructions(int stage) const {
  std::vector<std::uint32_t> out;
  for (int s : chain(stage)) {
    auto v = instructions(s);
    out.insert(out.end(), v.begin(), v.end());
  }
  return out;
}

int StageSet::last_in_chain(int stage, std::string_view keyword) const {
  int found = -1;
  for (auto i : chain_instructions(stage))
    if (tree->instructions[i].is(keyword)) found = static_cast<int>(i);
  return found;
}

std::optional<std::string> StageSet::resolved_base(int stage) const {
  return expand(list[static_cast<std::size_t>(stage)].base, globals);
}

Vars StageSet::vars_at(int stage, std::uint32_t inst) const {
  Vars v;
  auto add_env = [&](const Instruction& in) {
    for (const auto& e : env_entries(in)) {
      auto x = expand(e.value, v);
      v[e.name] = x ? *x : e.value;
    }
  };
  const auto ch = chain(stage);
  for (std::size_t k = 0; k + 1 < ch.size(); ++k)
    for (auto i : instructions(ch[k]))
      if (tree->instructions[i].is("env")) add_env(tree->instructions[i]);
  for (auto i : instructions(stage)) {
    if (i >= inst) break;
    const auto& in = tree->instructions[i];
    if (in.is("env")) add_env(in);
    if (in.is("arg")) {
      for (auto& d : arg_decls(in)) {
        if (d.value) {
          auto x = expand(*d.value, v);
          v[d.name] = x ? *x : *d.value;
        } else if (auto g = globals.find(d.name); g != globals.end()) {
          v[d.name] = g->second;
        }
      }
    }
  }
  return v;
}

std::uint32_t StageSet::tail_start(int stage) const {
  static const char* const k_metadata[] = {"expose", "healthcheck", "entrypoint", "cmd",    "user", "label",
                                           "stopsignal", "volume", "onbuild",  "env", "arg",  "shell",
                                           "maintainer"};
  const auto& s = list[static_cast<std::size_t>(stage)];
  std::uint32_t at = s.end;
  while (at > s.from + 1) {
    const auto& kw = tree->instructions[at - 1].keyword;
    if (std::none_of(std::begin(k_metadata), std::end(k_metadata), [&](const char* m) { return kw == m; })) break;
    --at;
  }
  return at;
}

std::uint32_t StageSet::header_end(int stage) const {
  const auto& s = list[static_cast<std::size_t>(stage)];
  std::uint32_t last = s.from;
  while (last + 1 < s.end && tree->instructions[last + 1].is("arg")) ++last;
  return last;
}

int StageSet::stage_named(std::string_view name) const {
  for (std::size_t k = 0; k < list.size(); ++k)
    if (!list[k].name.empty() && iequals(list[k].name, name)) return static_cast<int>(k);
  if (auto n = parse_port(name); n && static_cast<std::size_t>(*n) < list.size()) return *n;
  return -1;
}

// ---------------------------------------------------------------- shell

Span ShellText::to_source(shell::Span s) const {
  if (heredoc) return {base + static_cast<std::uint32_t>(s.begin), base + static_cast<std::uint32_t>(s.end)};
  return inst->logical.to_source(to_logical(s));
}

namespace {

bool is_shell_program(std::string_view p) {
  return p == "sh" || p == "bash" || p == "ash" || p == "dash" || p == "zsh" || p == "ksh";
}

}  // namespace

std::vector<ShellText> shell_texts(const Tree& tree, std::uint32_t i) {
  std::vector<ShellText> out;
  const auto& inst = tree.instructions[i];
  if (!inst.is("run") || inst.form != syntax::ArgsForm::Shell) return out;
  ShellText sh;
  sh.inst = &inst;
  sh.instruction = i;
  sh.text = std::string(inst.logical_args());
  sh.base = inst.args.begin;
  sh.script = shell::parse(sh.text);
  // A heredoc is the script when nothing else runs: `RUN <<EOF` or `RUN bash <<EOF`.
  bool heredoc_script = !inst.heredocs.empty() && sh.script.commands.size() == 1;
  if (heredoc_script) {
    const auto& c = sh.script.commands[0];
    if (!c.words.empty()) {
      heredoc_script = is_shell_program(c.program());
      for (std::size_t w = 1; w < c.words.size(); ++w)
        if (c.words[w].value.empty() || c.words[w].value[0] != '-') heredoc_script = false;
    }
  }
  out.push_back(std::move(sh));
  if (heredoc_script) {
    for (const auto& h : inst.heredocs) {
      ShellText b;
      b.inst = &inst;
      b.instruction = i;
      b.heredoc = true;
      b.base = h.body.begin;
      b.text = std::string(tree.text(h.body));
      b.script = shell::parse(b.text);
      out.push_back(std::move(b));
    }
  }
  return out;
}

std::vector<ShellText> shell_texts(const Tree& tree, const std::vector<std::uint32_t>& instructions) {
  std::vector<ShellText> out;
  for (auto i : instructions) {
    auto v = shell_texts(tree, i);
    for (auto& s : v) out.push_back(std::move(s));
  }
  return out;
}

namespace {

// The source pieces behind a logical range (continuations and comment lines excluded).
std::vector<Span> source_pieces(const syntax::LogicalText& lt, Span logical) {
  std::vector<Span> out;
  for (const auto& seg : lt.segments) {
    const std::uint32_t b = std::max(logical.begin, seg.logical);
    const std::uint32_t e = std::min(logical.end, seg.logical + seg.length);
    if (b >= e) continue;
    out.push_back({seg.source + (b - seg.logical), seg.source + (e - seg.logical)});
  }
  return out;
}

bool has_comment_line(const Tree& tree, Span src) {
  for (const auto& l : tree.lines) {
    if (l.begin >= src.end) break;
    if (l.begin >= src.begin && (l.role == syntax::LineRole::ContinuationComment)) return true;
  }
  return false;
}

std::uint32_t line_of(const Tree& tree, std::uint32_t offset) { return tree.position(offset).first - 1; }

// Widens an edit that would leave a line holding only blanks and the escape
// character (or only blanks) to remove that whole line.
edit::Edit tidy(const Tree& tree, edit::Edit e) {
  if (e.range.empty() || !e.text.empty()) return e;
  const auto lb = line_of(tree, e.range.begin);
  const auto le = line_of(tree, e.range.end);
  const auto& first = tree.lines[lb];
  const auto& last = tree.lines[le];
  if (first.role != syntax::LineRole::Continuation && first.role != syntax::LineRole::HeredocBody) return e;
  for (auto p = first.begin; p < e.range.begin; ++p)
    if (!is_blank(tree.source[p])) return e;
  if (e.range.end > last.content_end) return e;
  std::uint32_t p = e.range.end;
  while (p < last.content_end && is_blank(tree.source[p])) ++p;
  if (p < last.content_end && tree.source[p] == tree.escape) ++p;
  while (p < last.content_end && is_blank(tree.source[p])) ++p;
  if (p != last.content_end) return e;
  // Only when the line really ends in the escape (a continuation) or is a heredoc line.
  if (first.role == syntax::LineRole::Continuation) {
    std::uint32_t q = last.content_end;
    while (q > e.range.end && is_blank(tree.source[q - 1])) --q;
    if (q == e.range.end || tree.source[q - 1] != tree.escape) return e;
  }
  e.range = {first.begin, last.end};
  return e;
}

std::vector<edit::Edit> removal_edits(const Tree& tree, const Instruction& inst, Span logical) {
  std::vector<edit::Edit> out;
  const Span whole = inst.logical.to_source(logical);
  if (!has_comment_line(tree, whole)) {
    out.push_back(tidy(tree, {whole, std::string()}));
    return out;
  }
  // Split around the comment lines; a piece that starts a continuation line
  // keeps that line's indentation.
  for (auto p : source_pieces(inst.logical, logical)) {
    const auto line = tree.lines[line_of(tree, p.begin)];
    if (line.begin == p.begin && line.role == syntax::LineRole::Continuation)
      while (p.begin < p.end && is_blank(tree.source[p.begin])) ++p.begin;
    if (p.empty()) continue;
    out.push_back(tidy(tree, {p, std::string()}));
  }
  return out;
}

}  // namespace

std::vector<edit::Edit> remove_logical(const Tree& tree, const Instruction& inst, Span logical) {
  return removal_edits(tree, inst, logical);
}

std::vector<edit::Edit> remove_shell_range(const Tree& tree, const ShellText& sh, shell::Span range) {
  if (sh.heredoc) return {tidy(tree, {sh.to_source(range), std::string()})};
  return removal_edits(tree, *sh.inst, sh.to_logical(range));
}

std::optional<Removal> remove_commands(const Tree& tree, const ShellText& sh, const std::vector<std::size_t>& indexes) {
  // A view, so that `op = text.substr(...)` views the text, not a temporary string
  // (found by tests/fuzz: stack-use-after-scope, regressions/fix/venv-remove-command-op).
  const std::string_view text = sh.text;
  std::vector<shell::Span> ranges;
  for (auto idx : indexes) {
    const auto& c = sh.script.commands[idx];
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
    auto v = remove_shell_range(tree, sh, r);
    out.edits.insert(out.edits.end(), v.begin(), v.end());
  }
  return out;
}

edit::Edit remove_instruction(const Tree& tree, const Instruction& inst, const std::vector<std::string>& about) {
  bool with_comments = false;
  for (auto line : inst.comments) {
    const auto& l = tree.lines[line];
    const auto text = tree.source.substr(l.begin, l.content_end - l.begin);
    for (const auto& a : about)
      if (icontains(text, a)) with_comments = true;
  }
  return edit::remove_instruction(tree, inst, with_comments);
}

// ---------------------------------------------------------------- packages

const char* package_manager_name(PackageManager pm) {
  switch (pm) {
    case PackageManager::Apt: return "apt-get";
    case PackageManager::Apk: return "apk";
    case PackageManager::Dnf: return "dnf";
    case PackageManager::Microdnf: return "microdnf";
    case PackageManager::Yum: return "yum";
    case PackageManager::Zypper: return "zypper";
    case PackageManager::Unknown: break;
  }
  return "unknown";
}

namespace {

PackageManager manager_of(std::string_view program) {
  if (program == "apt-get" || program == "apt") return PackageManager::Apt;
  if (program == "apk") return PackageManager::Apk;
  if (program == "dnf" || program == "tdnf") return PackageManager::Dnf;
  if (program == "microdnf") return PackageManager::Microdnf;
  if (program == "yum") return PackageManager::Yum;
  if (program == "zypper") return PackageManager::Zypper;
  return PackageManager::Unknown;
}

}  // namespace

std::vector<PackageInstall> package_installs(const std::vector<ShellText>& texts) {
  std::vector<PackageInstall> out;
  for (std::size_t t = 0; t < texts.size(); ++t) {
    const auto& cmds = texts[t].script.commands;
    for (std::size_t c = 0; c < cmds.size(); ++c) {
      const auto inv = shell::invocation(cmds[c]);
      if (!inv) continue;
      const auto pm = manager_of(inv->name);
      if (pm == PackageManager::Unknown) continue;
      const auto sub = shell::subcommand(cmds[c]);
      if (!sub) continue;
      const auto& verb = cmds[c].words[*sub].value;
      const bool install = pm == PackageManager::Apk ? verb == "add"
                           : pm == PackageManager::Zypper ? (verb == "install" || verb == "in")
                                                          : verb == "install";
      if (!install) continue;
      PackageInstall pi;
      pi.text = t;
      pi.command = c;
      pi.manager = pm;
      const auto& words = cmds[c].words;
      for (std::size_t w = *sub + 1; w < words.size(); ++w) {
        const auto& v = words[w].value;
        if (!v.empty() && v[0] == '-') {
          if (v.find('=') == std::string::npos && shell::takes_argument(inv->name, v)) ++w;
          continue;
        }
        pi.packages.push_back(w);
      }
      out.push_back(std::move(pi));
    }
  }
  return out;
}

PackageManager package_manager(const StageSet& stages, int stage, bool* guessed) {
  if (guessed) *guessed = false;
  auto scan = [&](const std::vector<std::uint32_t>& insts) {
    for (const auto& sh : shell_texts(*stages.tree, insts))
      for (const auto& c : sh.script.commands)
        if (auto inv = shell::invocation(c)) {
          const auto pm = manager_of(inv->name);
          if (pm != PackageManager::Unknown) return pm;
        }
    return PackageManager::Unknown;
  };
  if (auto pm = scan(stages.chain_instructions(stage)); pm != PackageManager::Unknown) return pm;
  std::vector<std::uint32_t> all;
  for (std::uint32_t i = 0; i < stages.tree->instructions.size(); ++i) all.push_back(i);
  if (auto pm = scan(all); pm != PackageManager::Unknown) return pm;
  if (guessed) *guessed = true;
  const auto root = stages.chain(stage).front();
  const std::string base = lower(stages.resolved_base(root).value_or(stages.list[static_cast<std::size_t>(root)].base));
  if (base == "scratch" || base.find("distroless") != std::string::npos || base.find("chainguard") != std::string::npos)
    return PackageManager::Unknown;
  if (base.find("alpine") != std::string::npos) return PackageManager::Apk;
  if (base.find("ubi") != std::string::npos && base.find("minimal") != std::string::npos) return PackageManager::Microdnf;
  for (const char* rh : {"ubi", "fedora", "rhel", "centos", "rocky", "almalinux", "amazonlinux", "oraclelinux"})
    if (base.find(rh) != std::string::npos) return PackageManager::Dnf;
  for (const char* suse : {"opensuse", "sles", "suse"})
    if (base.find(suse) != std::string::npos) return PackageManager::Zypper;
  return PackageManager::Apt;
}

std::string install_command(PackageManager pm, const std::vector<std::string>& packages) {
  const std::string p = join(packages, " ");
  switch (pm) {
    case PackageManager::Apt:
      return "apt-get update && apt-get install -y --no-install-recommends " + p + " && rm -rf /var/lib/apt/lists/*";
    case PackageManager::Apk: return "apk add --no-cache " + p;
    case PackageManager::Dnf: return "dnf install -y " + p + " && dnf clean all";
    case PackageManager::Microdnf: return "microdnf install -y " + p + " && microdnf clean all";
    case PackageManager::Yum: return "yum install -y " + p + " && yum clean all";
    case PackageManager::Zypper: return "zypper --non-interactive install " + p + " && zypper clean --all";
    case PackageManager::Unknown: break;
  }
  return {};
}

// ---------------------------------------------------------------- context files

std::string workdir_at(const StageSet& stages, int stage, std::uint32_t inst) {
  std::string wd;
  for (auto i : stages.chain_instructions(stage)) {
    if (i >= inst) break;
    const auto& in = stages.tree->instructions[i];
    if (!in.is("workdir") || in.values.empty()) continue;
    std::string v(in.values[0].text);
    if (v.find('$') != std::string::npos) {
      auto x = expand(v, stages.vars_at(stage, i));
      if (!x) return "";
      v = *x;
    }
    if (!v.empty() && v[0] == '/') wd = v;
    else wd = (wd.empty() ? "/" : wd + "/") + v;
    wd = normalize_path(wd);
  }
  return wd;
}

std::optional<std::string> context_source(const Context& ctx, const StageSet& stages, int stage,
                                          std::string_view image_path) {
  const auto ch = stages.chain_instructions(stage);
  for (auto it = ch.rbegin(); it != ch.rend(); ++it) {
    const auto& in = stages.tree->instructions[*it];
    if (!(in.is("copy") || in.is("add")) || in.flag("from") || in.values.size() < 2) continue;
    std::string dest(in.values.back().text);
    const bool dest_dir = ends_with(dest, "/") || dest == "." || in.values.size() > 2;
    if (!dest.empty() && dest[0] != '/') {
      const auto wd = workdir_at(stages, stage, *it);
      dest = (wd.empty() ? "/" : wd + "/") + dest;
    }
    dest = normalize_path(dest);
    const std::string target = normalize_path(image_path);
    for (std::size_t s = 0; s + 1 < in.values.size(); ++s) {
      const std::string src = normalize_path(in.values[s].text);
      if (starts_with(src, "http://") || starts_with(src, "https://") || src.find('*') != std::string::npos) continue;
      std::vector<std::string> candidates;
      if (!dest_dir && target == dest) candidates.push_back(src);
      if (target == normalize_path(dest + "/" + std::string(basename(src)))) candidates.push_back(src);
      // A directory copied into dest: the file's path below it.
      if (starts_with(target, dest + "/")) candidates.push_back(normalize_path(src + "/" + target.substr(dest.size() + 1)));
      for (const auto& c : candidates) {
        if (starts_with(c, "..") || starts_with(c, "/")) continue;
        const auto rel = ctx.in_context(c);
        if (ctx.files.exists(rel)) return rel;
      }
    }
  }
  return std::nullopt;
}

edit::Edit insert_at(const StageSet& stages, int stage, std::uint32_t at, const std::vector<std::string>& lines) {
  const auto& s = stages.list[static_cast<std::size_t>(stage)];
  const auto& tree = *stages.tree;
  if (at < s.end) return edit::insert_before(tree, tree.instructions[at], lines);
  return edit::insert_after(tree, tree.instructions[s.end - 1], lines);
}

ImageRef parse_image(std::string_view ref) {
  ImageRef r;
  if (const auto at = ref.find('@'); at != std::string_view::npos) {
    r.digest = std::string(ref.substr(at + 1));
    ref = ref.substr(0, at);
  }
  const auto slash = ref.rfind('/');
  const auto colon = ref.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    r.tag = std::string(ref.substr(colon + 1));
    ref = ref.substr(0, colon);
  }
  if (slash == std::string_view::npos) {
    r.name = std::string(ref);
  } else {
    r.path = std::string(ref.substr(0, slash));
    r.name = std::string(ref.substr(slash + 1));
  }
  return r;
}

std::string canonical_repository(std::string_view path) {
  std::string p = normalize_path(path);
  if (p == ".") return "docker.io/library";
  const auto first = p.substr(0, p.find('/'));
  if (first == "index.docker.io" || first == "registry-1.docker.io") p = "docker.io" + p.substr(first.size());
  else if (first.find('.') == std::string::npos && first.find(':') == std::string::npos && first != "localhost")
    p = "docker.io/" + p;
  if (p == "docker.io") p = "docker.io/library";
  return lower(p);
}

bool is_family_image(const ImageRef& image, const Context& ctx) {
  const auto& bi = ctx.settings.base_image;
  if (bi && bi->registry && canonical_repository(image.path) != canonical_repository(*bi->registry)) return false;
  bool known = false;
  if (ctx.service && ctx.service->family) {
    known = true;
    if (iequals(image.name, *ctx.service->family)) return true;
  }
  if (bi && bi->families) {
    known = true;
    for (const auto& f : *bi->families)
      if (iequals(image.name, f)) return true;
  }
  return !known;
}

Finding finding(std::string message, Span at, std::string current, std::string expected, std::string ref) {
  Finding f;
  f.message = std::move(message);
  f.at = at;
  f.current = std::move(current);
  f.expected = std::move(expected);
  f.ref = std::move(ref);
  return f;
}

std::string stage_label(const StageSet& st, int k) {
  const auto& s = st.list[static_cast<std::size_t>(k)];
  if (!s.name.empty()) return fmt::format("stage {}", s.name);
  return k == st.final_index() ? std::string("the runtime stage") : fmt::format("stage #{}", k);
}

}  // namespace dockmend::transforms::support
