// healthcheck: the runtime stage's HEALTHCHECK probes the service's health port.
#include <cctype>

#include <fmt/format.h>

#include "edit/builders.hpp"
#include "model/instruction_edits.hpp"
#include "model/packages.hpp"
#include "model/text.hpp"
#include "model/values.hpp"
#include "transforms/build_context.hpp"
#include "transforms/findings.hpp"
#include "transforms/rule.hpp"

namespace dockmend::transforms::rules {
namespace {

using model::basename;
using model::contains_token;
using model::icontains;
using model::iequals;
using model::join;
using model::lower;
using model::parse_port;
using model::starts_with;
using model::PackageManager;
using syntax::Span;

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
std::vector<ProbePort> find_ports(std::string_view t, const model::Vars& vars) {
  std::vector<ProbePort> out;
  auto add_var = [&](std::size_t b, std::size_t e, const std::string& name) {
    ProbePort p{b, e, std::nullopt, false, std::string(t.substr(b, e - b))};
    if (auto it = vars.find(name); it != vars.end() && it->second.known) p.number = parse_port(it->second.value);
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

// The path of each http(s) URL in a probe (`http://localhost:8001/health?x` -> "/health"),
// as a range of the text; an empty range right after the authority when the URL has none.
struct ProbePath {
  std::size_t begin = 0, end = 0;
  std::string text;
};
std::vector<ProbePath> find_paths(std::string_view t) {
  std::vector<ProbePath> out;
  for (auto at = t.find("://"); at != std::string_view::npos; at = t.find("://", at + 3)) {
    std::size_t b = at;
    while (b > 0 && std::isalpha(static_cast<unsigned char>(t[b - 1]))) --b;
    const auto scheme = lower(t.substr(b, at - b));
    if (scheme != "http" && scheme != "https") continue;
    auto stop = [&](char c) {
      return c == ' ' || c == '\t' || c == '"' || c == '\'' || c == '?' || c == '#' || c == ')' || c == ';' || c == ',' ||
             c == ']' || c == '|' || c == '&' || c == '>' || c == '<';
    };
    std::size_t q = at + 3;
    while (q < t.size() && t[q] != '/' && !stop(t[q])) ++q;  // the authority
    std::size_t e = q;
    while (e < t.size() && !stop(t[e])) ++e;
    out.push_back({q, e, std::string(t.substr(q, e - q))});
  }
  return out;
}

// Where a variable is given its value: the ARG or ENV of the stage chain that a
// probe's `$NAME` reads (the last one before the HEALTHCHECK), when it is a literal.
struct VarDef {
  const syntax::Instruction* inst = nullptr;
  std::size_t value_index = 0;
  std::string value;
  bool arg = false;  // an ARG: value_index is the whole NAME=value word
};
std::optional<VarDef> var_def(const syntax::Tree& tree, const model::Model& st, int stage, std::uint32_t before,
                              std::string_view name) {
  std::optional<VarDef> found;
  for (auto i : st.chain_instructions(stage)) {
    if (i >= before) break;
    const auto& in = tree.instructions[i];
    if (in.is("env")) {
      for (const auto& e : model::env_entries(in))
        if (e.name == name && !e.legacy) found = VarDef{&in, e.value_index, e.value};
    } else if (in.is("arg")) {
      for (const auto& a : model::arg_decls(in))
        if (a.name == name && a.value) found = VarDef{&in, a.value_index, *a.value, true};
    }
  }
  if (!found)
    for (std::uint32_t i = 0; i < tree.instructions.size() && !tree.instructions[i].is("from"); ++i)
      if (tree.instructions[i].is("arg"))
        for (const auto& a : model::arg_decls(tree.instructions[i]))
          if (a.name == name && a.value) found = VarDef{&tree.instructions[i], a.value_index, *a.value, true};
  return found;
}

// A name that says it is the health port: HEALTH_PORT, APP_HEALTHCHECK_PORT, ...
bool health_port_name(std::string_view name) {
  const auto n = lower(name);
  const auto h = n.find("health");
  return h != std::string::npos && n.find("port", h) != std::string::npos;
}

// Whether `program` (curl, wget, python) is in the shipped stage's image: a
// package command of that stage or a stage it builds on installs it, a RUN there
// runs it (the build would fail otherwise), or the base image is known to have it.
// Known bases: the full python/node/buildpack-deps images (buildpack-deps' curl
// layer: curl and wget), UBI/RHEL/Fedora (curl or curl-minimal), Alpine (busybox
// wget), and every python image for python. Debian/Ubuntu and the -slim language
// images have neither curl nor wget. A probe in an existing HEALTHCHECK is no
// proof: it runs only when the container does.
bool is_python(std::string_view program) {
  return program == "python" || program == "python3" || starts_with(program, "python3.");
}
enum class Has { Yes, No, Unknown };
Has tool_present(const model::Model& st, int fin, const std::string& program) {
  const auto texts = st.parsed_runs(st.chain_instructions(fin));
  for (const auto& pi : model::package_installs(texts)) {
    const auto& c = pi.run->script.commands[pi.command];
    for (auto w : pi.packages) {
      const auto& pkg = c.words[w].value;
      if (pkg == program || pkg == program + "-minimal") return Has::Yes;
      // Debian's python3 gives python3 only; `python` comes with python-is-python3.
      if (program == "python3" && (pkg == "python3-minimal" || pkg == "python-is-python3")) return Has::Yes;
      if (program == "python" && pkg == "python-is-python3") return Has::Yes;
    }
  }
  for (const auto* sh : texts)
    for (const auto& c : sh->script.commands)
      if (auto inv = shell::invocation(c); inv && basename(inv->name) == program) return Has::Yes;
  for (int k : st.chain(fin)) {
    const auto& base = st.stages()[static_cast<std::size_t>(k)].base_image;
    if (!base) continue;
    const auto b = lower(*base);
    const auto image = model::parse_image(b);
    const auto& n = image.name;
    const bool slim = icontains(image.tag, "slim") || icontains(image.tag, "alpine");
    // The official language images: the full ones are built on buildpack-deps.
    const bool language = n == "python" || n == "node" || n == "ruby" || n == "golang" || n == "buildpack-deps";
    if (is_python(program)) {
      if (n == "python" || starts_with(n, "python-")) return Has::Yes;
      return language || n == "debian" || n == "ubuntu" || n == "alpine" ? Has::No : Has::Unknown;
    }
    if (program != "curl" && program != "wget") return Has::Unknown;
    if (icontains(b, "ubi") || icontains(b, "redhat") || icontains(b, "fedora") || n == "centos" ||
        n == "rockylinux" || n == "almalinux")
      return program == "curl" ? Has::Yes : Has::No;
    if (icontains(b, "alpine")) return program == "wget" ? Has::Yes : Has::No;
    if (language) return slim ? Has::No : Has::Yes;
    if (n == "debian" || n == "ubuntu" || n == "cuda") return Has::No;
    return Has::Unknown;
  }
  return Has::Unknown;
}

// The probe's program when the image may lack it (curl, wget, python; other
// programs, a script, are not judged), and whether that is certain.
struct Missing {
  std::string program;
  bool certain = true;  // false: the base image is not one whose contents are known
};
std::optional<Missing> missing_tool(const model::Model& st, int fin, const std::string& program) {
  if (program != "curl" && program != "wget" && !is_python(program)) return std::nullopt;
  const Has has = tool_present(st, fin, program);
  if (has == Has::Yes) return std::nullopt;
  return Missing{program, has == Has::No};
}

// Installs `tool` in the shipped stage where a root step can: into its own
// install command of that package manager, else a new RUN before the first USER.
std::optional<edit::Edit> install_tool(const model::Model& st, int fin, const std::string& tool) {
  const auto& tree = st.tree();
  const auto& stage = st.stages()[static_cast<std::size_t>(fin)];
  bool guessed = false;
  const PackageManager pm = model::installing_manager(st, fin, &guessed);
  if (pm == PackageManager::None) return std::nullopt;
  if (guessed) {
    // No package command in the file: install only into an image whose distribution its name says.
    const auto& root = st.stages()[static_cast<std::size_t>(st.chain(fin).front())];
    const auto image = model::parse_image(lower(root.base_image.value_or(root.base_written)));
    bool known = false;
    for (const char* n : {"python", "node", "debian", "ubuntu", "alpine", "ruby", "golang", "openjdk", "eclipse-temurin",
                          "buildpack-deps", "cuda", "ubi", "ubi-minimal", "ubi8", "ubi9", "fedora", "rockylinux", "almalinux"})
      if (image.name == n || starts_with(image.name, std::string(n) + "-")) known = true;
    if (!known) return std::nullopt;
  }
  std::uint32_t limit = stage.end;
  for (auto i : st.instructions(fin)) {
    const auto& in = tree.instructions[i];
    if (in.is("user") && !in.values.empty()) {
      const auto v = std::string(in.values[0].text);
      if (v != "root" && v != "0" && v.rfind("root:", 0) != 0 && v.rfind("0:", 0) != 0) {
        limit = i;
        break;
      }
    }
  }
  std::vector<std::uint32_t> before;
  for (auto i : st.instructions(fin))
    if (i < limit) before.push_back(i);
  std::optional<edit::Edit> out;
  for (const auto& pi : model::package_installs(st.parsed_runs(before))) {
    if (pi.manager != pm || pi.packages.empty()) continue;
    const auto& word = pi.run->script.commands[pi.command].words[pi.packages.back()];
    out = edit::Edit{pi.run->source(tree, {word.span.end, word.span.end}), " " + tool};
  }
  if (out) return out;
  const std::uint32_t where = limit < stage.end ? limit : st.tail_start(fin);
  if (!st.posix_shell_at(fin, where)) return std::nullopt;
  return model::insert_at(st, fin, where,
                          {edit::keyword(edit::style_of(tree), "run") + " " + model::install_command(pm, {tool})});
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
  if (!policy_rule_applies(svc && svc->health_port, ctx, out)) return;
  const model::Model& st = ctx.model;
  const auto& tree = ctx.tree;
  const int fin = st.shipped();
  const int port = *svc->health_port;
  const auto& health = ctx.settings.health;
  const std::string ref = join_refs({svc->ref, health ? health->ref : std::string()});
  const std::optional<std::string> probe =
      health && health->probe ? std::optional<std::string>(probe_for(*health->probe, port)) : std::nullopt;
  const auto style = edit::style_of(tree);
  const std::string expected = probe ? *probe : fmt::format("a probe of port {} (health.probe is not set)", port);

  // A probe whose program the image lacks leaves it unhealthy: the fix installs it.
  const auto missing_probe_tool = probe ? missing_tool(st, fin, probe->substr(0, probe->find(' '))) : std::nullopt;
  std::optional<std::string> tool =
      missing_probe_tool ? std::optional<std::string>(missing_probe_tool->program) : std::nullopt;
  // False when the probe's program is certainly not in the image and the fix cannot
  // install it: a HEALTHCHECK that can never pass would leave the container unhealthy.
  auto add_tool = [&](edit::Fix& fix, Finding& f) {
    if (!tool) return true;
    const bool certain = missing_probe_tool->certain;
    std::optional<edit::Edit> e;
    if (!is_python(*tool)) e = install_tool(st, fin, *tool);
    if (e) {
      fix.edits.push_back(*e);
      fix.reason += fmt::format(" (and install {}, which the probe runs)", *tool);
      return true;
    }
    if (certain) {
      f.message += fmt::format(" (no fix: the probe runs {}, which the image does not have and the fix cannot install)",
                               *tool);
      return false;
    }
    f.message += fmt::format(" (the probe runs {}, which this image may not have)", *tool);
    return true;
  };

  const int hci = st.last_in_chain(fin, "healthcheck");
  if (hci < 0) {
    auto f = finding("no HEALTHCHECK in the runtime stage", tree.instructions[st.stages()[static_cast<std::size_t>(fin)].from].keyword_span, "none",
                     probe ? fmt::format("HEALTHCHECK CMD {}", *probe) : "a HEALTHCHECK " + expected, ref);
    if (probe) {
      std::uint32_t where = st.stages()[static_cast<std::size_t>(fin)].end;
      for (auto i : st.instructions(fin)) {
        if (tree.instructions[i].is("entrypoint") || tree.instructions[i].is("cmd")) {
          where = i;
          break;
        }
      }
      edit::Fix fix;
      fix.reason = "add a HEALTHCHECK probing the health port";
      fix.edits.push_back(
          model::insert_at(st, fin, where, {edit::keyword(style, "healthcheck") + " " + edit::keyword(style, "cmd") + " " + *probe}));
      if (add_tool(fix, f)) f.fix = std::move(fix);
    }
    out.findings.push_back(std::move(f));
    return;
  }
  const auto& hc = tree.instructions[static_cast<std::uint32_t>(hci)];
  const int hc_stage = st.stage_of(static_cast<std::uint32_t>(hci));
  auto replace_command = [&](Finding& f) {
    if (!probe || hc.values.empty()) return;
    edit::Fix fix;
    fix.reason = "HEALTHCHECK runs the policy's probe";
    const std::string cmd_word(tree.text(hc.value_source(0)));
    fix.edits.push_back(edit::replace_args(hc, (iequals(cmd_word, "cmd") ? cmd_word : edit::keyword(style, "cmd")) + " " + *probe));
    if (add_tool(fix, f)) f.fix = std::move(fix);
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
  const auto ports = find_ports(text, st.state_before(static_cast<std::uint32_t>(hci)).vars);
  std::string shown_cmd(text);
  while (!shown_cmd.empty() && shown_cmd.front() == ' ') shown_cmd.erase(0, 1);

  // The probe's own program must be in the image, or the container is never healthy
  // (a probe without a port that health.probe replaces is judged as that probe, above).
  if (!(ports.empty() && probe)) {
    std::string program = hc.form == syntax::ArgsForm::Json ? (hc.values.size() > 1 ? std::string(hc.values[1].text) : "")
                                                            : shown_cmd.substr(0, shown_cmd.find_first_of(" \t"));
    if (auto m = missing_tool(st, fin, std::string(basename(program)))) {
      const std::string& missing = m->program;
      auto f = finding(m->certain ? fmt::format("HEALTHCHECK runs {}, which the runtime stage does not install", missing)
                                  : fmt::format("❓ HEALTHCHECK runs {}: whether the base image has it is not known",
                                                missing),
                       hc.keyword_span, fmt::format("{} ({})", missing, m->certain ? "not in the image" : "not installed here"),
                       fmt::format("{} installed", missing), ref);
      if (!is_python(missing)) {
        if (auto e = install_tool(st, fin, missing)) {
          edit::Fix fix;
          fix.reason = fmt::format("install {}, which the probe runs", missing);
          fix.edits.push_back(*e);
          f.fix = std::move(fix);
        }
      }
      if (!f.fix && m->certain) f.message += " (install it, or probe with a program the image has)";
      out.findings.push_back(std::move(f));
    }
  }

  if (ports.empty()) {
    // A script: say what it probes when it is in the build context.
    std::string current = shown_cmd;
    std::optional<int> script_port;
    if (hc.form == syntax::ArgsForm::Json ? hc.values.size() > 1 : true) {
      std::string program = hc.form == syntax::ArgsForm::Json ? std::string(hc.values[1].text) : shown_cmd.substr(0, shown_cmd.find(' '));
      if (!program.empty() && program[0] == '/') {
        if (auto src = context_source(ctx, fin, program)) {
          if (auto body = ctx.files.read(*src)) {
            if (tool && contains_token(*body, *tool)) tool.reset();
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
      // `$HEALTH_PORT`: the variable's definition takes the health port, the probe keeps the variable.
      std::string name;
      variable_at(p.text, 0, name);
      const auto def = name.empty() ? std::nullopt : var_def(tree, st, hc_stage, static_cast<std::uint32_t>(hci), name);
      if (def && health_port_name(name) && parse_port(def->value)) {
        fix.edits.push_back(edit::replace_value(tree, *def->inst, def->value_index,
                                                def->arg ? name + "=" + std::to_string(port) : std::to_string(port)));
        fix.reason = fmt::format("{} is the health port {}", name, port);
      } else {
        fixable = false;
      }
      continue;
    }
    fix.edits.push_back(edit::replace_logical(
        hc, {cmd.begin + static_cast<std::uint32_t>(p.begin), cmd.begin + static_cast<std::uint32_t>(p.end)},
        std::to_string(port)));
  }
  if (wrong.empty()) {
    out.correct.push_back(fmt::format("HEALTHCHECK probes the health port {}", port));
  } else {
    auto f = finding("HEALTHCHECK probes the wrong port", hc.keyword_span, fmt::format("port {}", join(wrong, ", ")),
                     fmt::format("port {}", port), ref);
    if (fixable) f.fix = std::move(fix);
    else f.message += " (through a variable: set it to the health port)";
    out.findings.push_back(std::move(f));
  }

  // The path the probe requests: health.path.
  if (!health || !health->path) return;
  const auto paths = find_paths(text);
  if (paths.empty()) return;  // not an http probe (nc, a script): the path cannot be read
  std::vector<std::string> wrong_paths;
  edit::Fix path_fix;
  path_fix.reason = fmt::format("HEALTHCHECK requests {}", *health->path);
  for (const auto& p : paths) {
    if (p.text == *health->path) continue;
    wrong_paths.push_back(p.text.empty() ? "(none)" : p.text);
    path_fix.edits.push_back(edit::replace_logical(
        hc, {cmd.begin + static_cast<std::uint32_t>(p.begin), cmd.begin + static_cast<std::uint32_t>(p.end)}, *health->path));
  }
  if (wrong_paths.empty()) {
    out.correct.push_back(fmt::format("HEALTHCHECK requests {}", *health->path));
    return;
  }
  auto f = finding("HEALTHCHECK requests the wrong path", hc.keyword_span, fmt::format("path {}", join(wrong_paths, ", ")),
                   fmt::format("path {}", *health->path), ref);
  f.fix = std::move(path_fix);
  out.findings.push_back(std::move(f));
}

}  // namespace

const RuleRegistration k_healthcheck{RuleSpec("healthcheck")
    .example("FROM python:3.12-slim\n"
             "RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n"
             "COPY . /app\n"
             "HEALTHCHECK CMD curl -f http://localhost:8080/status || exit 1\n"
             "CMD [\"python3\", \"/app/main.py\"]\n",
             "FROM python:3.12-slim\n"
             "RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n"
             "COPY . /app\n"
             "HEALTHCHECK CMD curl -f http://localhost:8081/health || exit 1\n"
             "CMD [\"python3\", \"/app/main.py\"]\n",
             "FROM python:3.12-slim\n"
             "RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n"
             "COPY . /app\n"
             "HEALTHCHECK CMD curl -f http://localhost:8081/health || exit 1\n"
             "CMD [\"python3\", \"/app/main.py\"]\n")
    .example_policy("defaults:\n"
                    "  health: {path: /health}\n"
                    "services:\n"
                    "  api:\n"
                    "    dockerfile: Dockerfile\n"
                    "    health_port: 8081\n")
    .kind(RuleKind::Policy)
    .safety(FixSafety::Unsafe)
    .priority(1)
    .order(20)
    .summary("the runtime stage's HEALTHCHECK probes the service's health port and path "
             "(services.*.health_port, health.path)")
    .fix("rewrites the port and the path in the probe (a *HEALTH*PORT* variable it reads is set to the health "
        "port instead); replaces a probe without a port by health.probe (keeping --interval and the other "
        "options); adds a HEALTHCHECK before ENTRYPOINT/CMD when there is none")
    .check(&check)};

}  // namespace dockmend::transforms::rules
