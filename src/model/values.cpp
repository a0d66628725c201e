#include "model/values.hpp"

#include "model/model.hpp"

namespace dockmend::model {

namespace {

bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }

}  // namespace

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

std::optional<std::string> expand(std::string_view text, const Vars& vars) {
  std::string out;
  auto value = [&](std::string_view name) -> const Var* {
    const auto it = vars.find(name);
    return it == vars.end() ? nullptr : &it->second;
  };
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
      const Var* v = value(inner.substr(0, n));
      const auto op = inner.substr(n);
      if (v && !v->known && !op.empty()) return std::nullopt;  // ${A:-x} of a build argument: unknown
      const bool set = v != nullptr;
      const bool nonempty = set && !v->value.empty();
      if (op.empty()) {
        if (!set || !v->known) return std::nullopt;
        out += v->value;
      } else if (op.substr(0, 2) == ":-" || op.substr(0, 1) == "-") {
        const auto word = op.substr(op[0] == ':' ? 2 : 1);
        if (op[0] == ':' ? nonempty : set) {
          out += v->value;
        } else {
          auto w = expand(word, vars);
          if (!w) return std::nullopt;
          out += *w;
        }
      } else if (op.substr(0, 2) == ":+" || op.substr(0, 1) == "+") {
        const auto word = op.substr(op[0] == ':' ? 2 : 1);
        if (op[0] == ':' ? nonempty : set) {
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
      const Var* v = value(text.substr(i + 1, e - i - 1));
      if (!v || !v->known) return std::nullopt;
      out += v->value;
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

std::vector<ArgDecl> arg_decls(const syntax::Instruction& arg) {
  std::vector<ArgDecl> out;
  for (std::size_t i = 0; i < arg.values.size(); ++i) {
    const std::string_view w = arg.values[i].text;
    ArgDecl d;
    d.value_index = i;
    const auto eq = w.find('=');
    if (eq == std::string_view::npos) {
      d.name = unquote(w);
    } else {
      d.name = unquote(w.substr(0, eq));
      d.value = unquote(w.substr(eq + 1));
    }
    out.push_back(std::move(d));
  }
  return out;
}

std::vector<EnvEntry> env_entries(const syntax::Instruction& env) {
  std::vector<EnvEntry> out;
  for (std::size_t i = 0; i + 2 < env.values.size(); i += 3) {
    EnvEntry e;
    e.name = std::string(env.values[i].text);
    e.raw = std::string(env.values[i + 1].text);
    e.value = unquote(e.raw);
    e.value_index = i + 1;
    e.legacy = env.values[i + 2].text.empty();
    e.joined = {env.values[i].logical.begin, env.values[i + 1].logical.end};
    if (e.legacy) e.joined = joined(env.args);
    out.push_back(std::move(e));
  }
  return out;
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

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> out;
  std::string cur;
  bool in_word = false;
  char quote = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quote) {
      if (c == quote) quote = 0;
      else if (quote == '"' && c == '\\' && i + 1 < text.size()) cur += text[++i];
      else cur += c;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (in_word) out.push_back(std::move(cur));
      cur.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\'' || c == '"') quote = c;
    else if (c == '\\' && i + 1 < text.size()) cur += text[++i];
    else cur += c;
  }
  if (in_word) out.push_back(std::move(cur));
  return out;
}

}  // namespace dockmend::model
