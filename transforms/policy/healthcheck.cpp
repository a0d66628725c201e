// healthcheck: the runtime stage's HEALTHCHECK probes the service's health port.
#include <fmt/format.h>

#include "transforms/rule.hpp"
#include "transforms/policy_support.hpp"

namespace dockmend::transforms::rules {
namespace {

using namespace support;

// A port a health probe talks to: a literal we can rewrite, or a variable.
struct ProbePort {
  std::size_t begin = 0, end = 0;  // in the scanned text
  std::optional<int> number;       // resolved value
  bool literal = true;
  std::string text;                // as written
};

bool host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ']' || c == '.' || c == '-' ||
         c == '}';
}
bool digit(char c) { return c >= '0' && c <= '9'; }
bool name_char(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; }

// `$NAME` or `${NAME}` at `p`: its end, and the name.
std::size_t variable_at(std::string_view t, std::size_t p, std::string& name) {
  if (p >= t.size() || t[p] != '$') return p;
  std::size_t q = p + 1;
  const bool braced = q < t.size() && t[q] == '{';
  if (braced) ++q;
  const std::size_t b = q;
  while (q < t.size() && name_char(t[q])) ++q;
  if (q == b) return p;
  name = std::string(t.substr(b, q - b));
  if (braced) {
    if (q >= t.size() || t[q] != '}') return p;
    ++q;
  }
  return q;
}

// Ports in a probe command: `host:PORT` in URLs and addresses, and a number
// after a host word or --port/-p (`nc -z localhost 8080`, `--port=8080`).
std::vector<ProbePort> find_ports(std::string_view t, const Vars& vars) {
  std::vector<ProbePort> out;
  auto add_var = [&](std::size_t b, std::size_t e, const std::string& name) {
    ProbePort p{b, e, std::nullopt, false, std::string(t.substr(b, e - b))};
    if (auto it = vars.find(name); it != vars.end()) p.number = parse_port(it->second);
    out.push_back(p);
  };
  for (std::size_t p = 0; p < t.size(); ++p) {
    if (t[p] != ':' || p == 0 || !host_char(t[p - 1])) continue;
    if (p + 1 < t.size() && digit(t[p + 1])) {
      std::size_t q = p + 1;
      while (q < t.size() && digit(t[q])) ++q;
      if (q - p - 1 < 2 || q - p - 1 > 5 || (q < t.size() && (name_char(t[q]) || t[q] == '.' || t[q] == ':'))) continue;
      out.push_back({p + 1, q, parse_port(t.substr(p + 1, q - p - 1)), true, std::string(t.substr(p + 1, q - p - 1))});
    } else if (p + 1 < t.size() && t[p + 1] == '$') {
      std::string name;
      const auto e = variable_at(t, p + 1, name);
      if (e != p + 1) add_var(p + 1, e, name);
    }
  }
  // Word-level forms.
  struct Tok {
    std::size_t b, e;
  };
  std::vector<Tok> toks;
  for (std::size_t p = 0; p < t.size();) {
    while (p < t.size() && (t[p] == ' ' || t[p] == '\t' || t[p] == '"' || t[p] == '\'' || t[p] == ',' || t[p] == '[' ||
                            t[p] == ']'))
      ++p;
    std::size_t q = p;
    while (q < t.size() && !(t[q] == ' ' || t[q] == '\t' || t[q] == '"' || t[q] == '\'' || t[q] == ',' || t[q] == ']'))
      ++q;
    if (q > p) toks.push_back({p, q});
    p = q;
  }
  auto is_host = [](std::string_view w) {
    return w == "localhost" || w == "127.0.0.1" || w == "0.0.0.0" || w == "::1" || w == "[::1]" || w == "$HOSTNAME" ||
           w == "${HOSTNAME}";
  };
  for (std::size_t k = 0; k < toks.size(); ++k) {
    const auto w = t.substr(toks[k].b, toks[k].e - toks[k].b);
    std::size_t vb = toks[k].b;
    bool port_word = false;
    if (starts_with(w, "--port=")) {
      vb += 7;
      port_word = true;
    } else if (k > 0) {
      const auto prev = t.substr(toks[k - 1].b, toks[k - 1].e - toks[k - 1].b);
      port_word = is_host(prev) || prev == "--port" || prev == "-p";
    }
    if (!port_word) continue;
    const auto v = t.substr(vb, toks[k].e - vb);
    if (auto n = parse_port(v)) {
      out.push_back({vb, toks[k].e, n, true, std::string(v)});
    } else if (!v.empty() && v[0] == '$') {
      std::string name;
      if (variable_at(t, vb, name) == toks[k].e) add_var(vb, toks[k].e, name);
    }
  }
  return out;
}

std::string probe_for(const std::string& probe, int port) {
  std::string out = probe;
  for (const std::string var : {"${HEALTH_PORT}", "$HEALTH_PORT"}) {
    for (auto at = out.find(var); at != std::string::npos; at = out.find(var, at)) {
      out.replace(at, var.size(), std::to_string(port));
    }
  }
  return out;
}

void check(const Context& ctx, Outcome& out) {
  const policy::Service* svc = ctx.service;
  const auto stages = stages_for_rule(svc && svc->health_port, ctx, out);
  if (!stages) return;
  const StageSet& st = *stages;
  const auto& tree = ctx.tree;
  const int fin = st.final_index();
  const int port = *svc->health_port;
  const auto& health = ctx.settings.health;
  const std::string ref = join_refs({svc->ref, health ? health->ref : std::string()});
  const std::optional<std::string> probe =
      health && health->probe ? std::optional<std::string>(probe_for(*health->probe, port)) : std::nullopt;
  const auto style = edit::style_of(tree);
  const std::string expected = probe ? *probe : fmt::format("a probe of port {} (health.probe is not set)", port);

  const int hci = st.last_in_chain(fin, "healthcheck");
  if (hci < 0) {
    auto f = finding("no HEALTHCHECK in the runtime stage", tree.instructions[st.list.back().from].keyword_span, "none",
                     probe ? fmt::format("HEALTHCHECK CMD {}", *probe) : "a HEALTHCHECK " + expected, ref);
    if (probe) {
      std::uint32_t where = st.list.back().end;
      for (auto i : st.instructions(fin)) {
        if (tree.instructions[i].is("entrypoint") || tree.instructions[i].is("cmd")) {
          where = i;
          break;
        }
      }
      edit::Fix fix;
      fix.reason = "add a HEALTHCHECK probing the health port";
      fix.edits.push_back(
          insert_at(st, fin, where, {edit::keyword(style, "healthcheck") + " " + edit::keyword(style, "cmd") + " " + *probe}));
      f.fix = std::move(fix);
    }
    out.findings.push_back(std::move(f));
    return;
  }
  const auto& hc = tree.instructions[static_cast<std::uint32_t>(hci)];
  const int hc_stage = tree.stage_of(static_cast<std::uint32_t>(hci), st.list);
  auto replace_command = [&](Finding& f) {
    if (!probe || hc.values.empty()) return;
    edit::Fix fix;
    fix.reason = "HEALTHCHECK runs the policy's probe";
    const std::string cmd_word(tree.text(hc.value_source(0)));
    fix.edits.push_back(edit::replace_args(hc, (iequals(cmd_word, "cmd") ? cmd_word : edit::keyword(style, "cmd")) + " " + *probe));
    f.fix = std::move(fix);
  };
  if (hc.values.empty() || iequals(hc.values[0].text, "none")) {
    auto f = finding("HEALTHCHECK NONE disables the health probe", hc.keyword_span, "NONE",
                     fmt::format("CMD {}", expected), ref);
    replace_command(f);
    out.findings.push_back(std::move(f));
    return;
  }
  // The command as written (after CMD): ports are rewritten in place.
  const Span cmd{hc.values[0].logical.end, hc.args.end};
  const std::string_view text = std::string_view(hc.logical.text).substr(cmd.begin, cmd.size());
  const auto ports = find_ports(text, st.vars_at(hc_stage, static_cast<std::uint32_t>(hci)));
  std::string shown_cmd(text);
  while (!shown_cmd.empty() && shown_cmd.front() == ' ') shown_cmd.erase(0, 1);

  if (ports.empty()) {
    // A script: say what it probes when it is in the build context.
    std::string current = shown_cmd;
    std::optional<int> script_port;
    if (hc.form == syntax::ArgsForm::Json ? hc.values.size() > 1 : true) {
      std::string program = hc.form == syntax::ArgsForm::Json ? std::string(hc.values[1].text) : shown_cmd.substr(0, shown_cmd.find(' '));
      if (!program.empty() && program[0] == '/') {
        if (auto src = context_source(ctx, st, fin, program)) {
          if (auto body = ctx.files.read(*src)) {
            auto inner = find_ports(*body, {});
            if (!inner.empty() && inner[0].number) {
              script_port = inner[0].number;
              current = fmt::format("{} (probes port {} in {})", shown_cmd, *inner[0].number, *src);
            }
          }
        }
      }
    }
    if (script_port && *script_port == port) {
      out.correct.push_back(fmt::format("HEALTHCHECK probes port {} ({})", port, shown_cmd));
      return;
    }
    auto f = finding(fmt::format("HEALTHCHECK does not probe the health port {}", port), hc.keyword_span, current,
                     expected, ref);
    replace_command(f);
    out.findings.push_back(std::move(f));
    return;
  }
  edit::Fix fix;
  fix.reason = fmt::format("HEALTHCHECK probes port {}", port);
  std::vector<std::string> wrong;
  bool fixable = true;
  for (const auto& p : ports) {
    if (p.number && *p.number == port) continue;
    wrong.push_back(p.literal || !p.number ? p.text : fmt::format("{} (= {})", p.text, *p.number));
    if (!p.literal) {
      fixable = false;
      continue;
    }
    fix.edits.push_back(edit::replace_logical(
        hc, {cmd.begin + static_cast<std::uint32_t>(p.begin), cmd.begin + static_cast<std::uint32_t>(p.end)},
        std::to_string(port)));
  }
  if (wrong.empty()) {
    out.correct.push_back(fmt::format("HEALTHCHECK probes the health port {}", port));
    return;
  }
  auto f = finding("HEALTHCHECK probes the wrong port", hc.keyword_span, fmt::format("port {}", join(wrong, ", ")),
                   fmt::format("port {}", port), ref);
  if (fixable) f.fix = std::move(fix);
  else f.message += " (through a variable: set it to the health port)";
  out.findings.push_back(std::move(f));
}

}  // namespace

const RuleRegistration k_healthcheck{RuleSpec("healthcheck")
    .kind(RuleKind::Policy)
    .safety(FixSafety::Unsafe)
    .priority(1)
    .order(20)
    .summary("the runtime stage's HEALTHCHECK probes the service's health port (services.*.health_port)")
    .fix("rewrites the port in the probe; replaces a probe without a port by health.probe (keeping "
        "--interval and the other options); adds a HEALTHCHECK before ENTRYPOINT/CMD when there is none")
    .check(&check)};

}  // namespace dockmend::transforms::rules
