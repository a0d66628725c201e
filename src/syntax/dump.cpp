#include "syntax/dump.hpp"

#include <fmt/format.h>

#include "syntax/unicode.hpp"

namespace dockmend::syntax {

std::string dump_buildkit(const Instruction& inst) {
  std::string s(inst.keyword);
  if (!inst.flags.empty()) {
    s += " [";
    for (std::size_t i = 0; i < inst.flags.size(); ++i) {
      if (i) s += ' ';
      s += go::quote(go::latin1_to_utf8(inst.flags[i].raw));
    }
    s += ']';
  }
  if (inst.sub) {
    s += " (" + dump_buildkit(*inst.sub) + ")";
  } else {
    for (const auto& v : inst.values) {
      s += ' ';
      s += go::quote(v.text);
    }
  }
  // Node.Dump ends with strings.TrimSpace.
  const auto b = go::trim_left_space(s, 0, s.size());
  const auto e = go::trim_right_space(s, b, s.size());
  return s.substr(b, e - b);
}

std::string dump_buildkit(const Tree& tree) {
  std::string out;
  for (const auto& inst : tree.instructions) {
    out += '(';
    out += dump_buildkit(inst);
    out += ")\n";
  }
  return out;
}

std::string json_quote(std::string_view s) {
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
          if (c < 0x20 || c == 0x7F) out += fmt::format("\\u{:04x}", c);
          else out.push_back(static_cast<char>(c));
      }
      continue;
    }
    auto r = go::decode_rune(s, i);
    if (r.value == go::k_rune_error && r.width == 1) out += "\\ufffd";
    else out.append(s.substr(i, r.width));
    i += r.width;
  }
  out += '"';
  return out;
}

namespace {

const char* form_name(ArgsForm f) {
  switch (f) {
    case ArgsForm::None: return "none";
    case ArgsForm::Shell: return "shell";
    case ArgsForm::Json: return "json";
  }
  return "none";
}

std::string range(Span s) { return fmt::format("[{}, {}]", s.begin, s.end); }

void instruction_json(std::string& o, const Tree& t, const Instruction& in, const std::string& ind) {
  auto [line, col] = t.position(in.keyword_span.begin);
  o += "{\n";
  o += fmt::format("{}  \"keyword\": {},\n", ind, json_quote(in.keyword));
  o += fmt::format("{}  \"range\": {},\n", ind, range(in.span));
  o += fmt::format("{}  \"text_range\": {},\n", ind, range(in.text));
  o += fmt::format("{}  \"keyword_range\": {},\n", ind, range(in.keyword_span));
  o += fmt::format("{}  \"line\": {}, \"column\": {}, \"end_line\": {},\n", ind, line, col, in.last_line + 1);
  o += fmt::format("{}  \"flags\": [", ind);
  for (std::size_t i = 0; i < in.flags.size(); ++i) {
    const auto& f = in.flags[i];
    o += fmt::format("{}{{\"name\": {}, \"value\": {}, \"has_value\": {}, \"range\": {}}}", i ? ", " : "",
                     json_quote(f.name), json_quote(f.value), f.has_value, range(in.logical.to_source(f.logical)));
  }
  o += "],\n";
  o += fmt::format("{}  \"form\": \"{}\",\n", ind, form_name(in.form));
  o += fmt::format("{}  \"args\": {{\"text\": {}, \"range\": {}}},\n", ind, json_quote(in.logical_args()),
                   range(in.args_source()));
  o += fmt::format("{}  \"values\": [", ind);
  for (std::size_t i = 0; i < in.values.size(); ++i)
    o += fmt::format("{}{{\"text\": {}, \"range\": {}}}", i ? ", " : "", json_quote(in.values[i].text),
                     range(in.value_source(i)));
  o += "],\n";
  o += fmt::format("{}  \"heredocs\": [", ind);
  for (std::size_t i = 0; i < in.heredocs.size(); ++i) {
    const auto& h = in.heredocs[i];
    o += fmt::format("{}{{\"name\": {}, \"chomp\": {}, \"expand\": {}, \"fd\": {}, \"body\": {}, \"terminator\": {}}}",
                     i ? ", " : "", json_quote(h.name), h.chomp, h.expand, h.fd, range(h.body), range(h.terminator));
  }
  o += "],\n";
  o += fmt::format("{}  \"comments\": [", ind);
  for (std::size_t i = 0; i < in.comments.size(); ++i) o += fmt::format("{}{}", i ? ", " : "", in.comments[i] + 1);
  o += "],\n";
  if (in.sub) {
    o += fmt::format("{}  \"sub\": ", ind);
    instruction_json(o, t, *in.sub, ind + "  ");
    o += ",\n";
  }
  o += fmt::format("{}  \"buildkit\": {}\n", ind, json_quote("(" + dump_buildkit(in) + ")"));
  o += ind + "}";
}

}  // namespace

std::string dump_json(const Tree& t, std::string_view path) {
  std::string o = "{\n";
  o += fmt::format("  \"path\": {},\n", json_quote(path));
  o += fmt::format("  \"size\": {},\n", t.source.size());
  o += fmt::format("  \"escape\": {},\n", json_quote(std::string(1, t.escape)));
  o += fmt::format("  \"bom\": {},\n", t.has_bom);
  o += "  \"directives\": [";
  for (std::size_t i = 0; i < t.directives.size(); ++i)
    o += fmt::format("{}{{\"name\": {}, \"value\": {}}}", i ? ", " : "", json_quote(t.directives[i].first),
                     json_quote(t.directives[i].second));
  o += "],\n  \"stages\": [";
  auto st = t.stages();
  for (std::size_t i = 0; i < st.size(); ++i)
    o += fmt::format("{}\n    {{\"index\": {}, \"name\": {}, \"base\": {}, \"from\": {}, \"end\": {}, \"base_stage\": {}}}",
                     i ? "," : "", i, json_quote(st[i].name), json_quote(st[i].base), st[i].from, st[i].end,
                     st[i].base_stage);
  o += st.empty() ? "],\n" : "\n  ],\n";
  o += "  \"instructions\": [";
  for (std::size_t i = 0; i < t.instructions.size(); ++i) {
    o += i ? ",\n    " : "\n    ";
    instruction_json(o, t, t.instructions[i], "    ");
  }
  o += t.instructions.empty() ? "],\n" : "\n  ],\n";
  o += "  \"diagnostics\": [";
  for (std::size_t i = 0; i < t.diagnostics.size(); ++i) {
    const auto& d = t.diagnostics[i];
    o += fmt::format("{}\n    {{\"line\": {}, \"column\": {}, \"message\": {}, \"error\": {}}}", i ? "," : "", d.line,
                     d.column, json_quote(d.message), d.buildkit_error);
  }
  o += t.diagnostics.empty() ? "],\n" : "\n  ],\n";
  o += "  \"tokens\": [";
  for (std::size_t i = 0; i < t.tokens.size(); ++i) {
    const auto& k = t.tokens[i];
    o += fmt::format("{}[\"{}\", {}, {}]", i ? ", " : "", token_kind_name(k.kind), k.span.begin, k.span.end);
  }
  o += "]\n}\n";
  return o;
}

}  // namespace dockmend::syntax
