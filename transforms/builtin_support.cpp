#include "transforms/builtin_support.hpp"

#include <algorithm>
#include <cctype>

namespace dockmend::transforms::builtin {

using syntax::Instruction;
using syntax::Span;
using syntax::Tree;

const char* distro_name(Distro d) {
  switch (d) {
    case Distro::Unknown: return "unknown";
    case Distro::Debian: return "debian";
    case Distro::Alpine: return "alpine";
    case Distro::Rhel: return "rhel";
    case Distro::Suse: return "suse";
    case Distro::Busybox: return "busybox";
    case Distro::Scratch: return "scratch";
    case Distro::Distroless: return "distroless";
    case Distro::Windows: return "windows";
  }
  return "unknown";
}

namespace {

bool contains(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }

Distro distro_of_image(std::string_view ref) {
  // One lower-case copy, cut into name and tag in place (image_name/image_tag
  // would copy it twice more: this runs for every stage of every file).
  const std::string lowered = lower(ref);
  std::string_view r = lowered;
  if (const auto at = r.find('@'); at != std::string_view::npos) r = r.substr(0, at);
  const auto slash = r.rfind('/');
  const auto colon = r.rfind(':');
  const bool tagged = colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash);
  const std::string_view name = tagged ? r.substr(0, colon) : r;
  const std::string_view tag = tagged ? r.substr(colon + 1) : std::string_view();
  const std::string_view last = name.substr(name.rfind('/') == std::string_view::npos ? 0 : name.rfind('/') + 1);
  if (name == "scratch") return Distro::Scratch;
  if (contains(name, "windows") || contains(name, "nanoserver") || contains(name, "servercore") ||
      contains(name, "dotnet/framework") || contains(name, "microsoft/iis") || contains(name, "mssql-server-windows") ||
      contains(tag, "nanoserver") || contains(tag, "windowsservercore") || contains(tag, "ltsc"))
    return Distro::Windows;
  if (contains(name, "distroless") || contains(name, "chainguard") || contains(tag, "chiseled"))
    return Distro::Distroless;
  if (contains(name, "alpine") || contains(tag, "alpine")) return Distro::Alpine;
  if (last == "busybox") return Distro::Busybox;
  for (std::string_view r : {"centos", "fedora", "rhel", "ubi", "rockylinux", "almalinux", "amazonlinux",
                             "oraclelinux", "oracle-linux", "photon", "mariner", "azurelinux", "cbl-mariner"})
    if (contains(name, r)) return Distro::Rhel;
  if (contains(name, "opensuse") || contains(name, "sles") || contains(name, "suse")) return Distro::Suse;
  for (std::string_view d : {"debian", "ubuntu", "buildpack-deps", "kalilinux"})
    if (contains(name, d)) return Distro::Debian;
  // Docker's official language images are Debian unless their tag says otherwise.
  for (std::string_view d : {"python", "node", "ruby", "golang", "openjdk", "eclipse-temurin", "php", "perl",
                             "rust", "gcc", "maven", "gradle", "nginx", "httpd", "postgres", "mysql",
                             "redis", "elixir", "erlang", "haskell", "julia", "r-base", "swift"}) {
    if (last == d && (name == d || (name.size() == 8 + d.size() && starts_with(name, "library/")) ||
                      starts_with(name, "docker.io/"))) {
      if (contains(tag, "windows") || contains(tag, "nanoserver")) return Distro::Windows;
      if (contains(tag, "ubi") || contains(tag, "oracle") || contains(tag, "centos")) return Distro::Rhel;
      return Distro::Debian;
    }
  }
  return Distro::Unknown;
}

bool posix_shell(std::string_view program) {
  const auto slash = program.rfind('/');
  const std::string_view base = slash == std::string_view::npos ? program : program.substr(slash + 1);
  for (std::string_view s : {"sh", "bash", "ash", "dash", "zsh", "ksh", "mksh"})
    if (base == s) return true;
  return false;
}

Distro distro_of_commands(const shell::Script& script) {
  for (const auto& c : script.commands) {
    auto inv = shell::invocation(c);
    if (!inv) continue;
    const auto n = inv->name;
    if (n == "apk") return Distro::Alpine;
    if (n == "apt-get" || n == "apt" || n == "dpkg" || n == "aptitude") return Distro::Debian;
    if (n == "yum" || n == "dnf" || n == "microdnf" || n == "tdnf") return Distro::Rhel;
    if (n == "zypper") return Distro::Suse;
    if (n == "choco" || n == "choco.exe") return Distro::Windows;  // Chocolatey exists only on Windows
  }
  return Distro::Unknown;
}

// `FROM $node` with `ARG node=node:12-windowsservercore` before the first FROM:
// the reference with the global ARGs' defaults put in ($x and ${x}).
std::string expand_global_args(const Tree& tree, std::string_view ref) {
  std::string out(ref);
  if (out.find('$') == std::string::npos) return out;
  for (const auto& inst : tree.instructions) {
    if (inst.is("from")) break;
    if (!inst.is("arg")) continue;
    for (const auto& v : inst.values) {
      const std::string_view t = v.text;
      const auto eq = t.find('=');
      if (eq == std::string_view::npos) continue;
      std::string value(t.substr(eq + 1));
      if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front())
        value = value.substr(1, value.size() - 2);
      const std::string name(t.substr(0, eq));
      for (const std::string& form : {"${" + name + "}", "$" + name}) {
        std::size_t at = out.find(form);
        while (at != std::string::npos) {
          // $name must not be the start of a longer name ($node vs $nodeversion).
          const std::size_t after = at + form.size();
          if (form[1] != '{' && after < out.size() && (std::isalnum(static_cast<unsigned char>(out[after])) || out[after] == '_')) {
            at = out.find(form, after);
            continue;
          }
          out.replace(at, form.size(), value);
          at = out.find(form, at + value.size());
        }
      }
    }
  }
  return out;
}

void build(const Tree& tree, FileFacts& ff) {
  const auto stages = tree.stages();
  ff.stages.clear();
  ff.runs.clear();
  ff.stage_of.assign(tree.instructions.size(), -1);
  for (const auto& s : stages) {
    StageFacts sf;
    sf.stage = s;
    ff.stages.push_back(sf);
  }
  for (std::size_t si = 0; si < stages.size(); ++si)
    for (std::uint32_t i = stages[si].from; i < stages[si].end && i < tree.instructions.size(); ++i)
      ff.stage_of[i] = static_cast<int>(si);
  if (!ff.stages.empty()) {
    // The final image is the last stage and the stages it is built on.
    for (int s = static_cast<int>(ff.stages.size()) - 1; s >= 0 && !ff.stages[s].shipped;
         s = ff.stages[s].stage.base_stage)
      ff.stages[s].shipped = true;
  }

  // Stage by stage (a stage's base stage always comes first): shell, then scripts, then distro.
  for (std::size_t si = 0; si < ff.stages.size(); ++si) {
    StageFacts& sf = ff.stages[si];
    const int base = sf.stage.base_stage;
    Distro named = base >= 0 && base < static_cast<int>(si) ? ff.stages[base].distro
                                                           : distro_of_image(expand_global_args(tree, sf.stage.base));
    // A backtick escape is Windows' (paths full of backslashes); nobody writes it for a Linux image.
    if (base < 0 && named == Distro::Unknown && tree.escape == '`') named = Distro::Windows;
    bool posix = base >= 0 && base < static_cast<int>(si) ? ff.stages[base].posix : named != Distro::Windows;
    sf.posix = posix;
    Distro used = Distro::Unknown;
    for (std::uint32_t i = sf.stage.from; i < sf.stage.end && i < tree.instructions.size(); ++i) {
      const Instruction& inst = tree.instructions[i];
      if (inst.is("shell")) {
        posix = inst.form == syntax::ArgsForm::Json && !inst.values.empty() && posix_shell(inst.values[0].text);
        continue;
      }
      if (!inst.is("run") || inst.form != syntax::ArgsForm::Shell || !posix) continue;
      RunScript run;
      run.index = i;
      run.instruction = i;
      run.stage = static_cast<int>(si);
      if (inst.heredocs.empty()) {
        run.base = inst.args.begin;
        run.text = std::string(inst.logical_args());
        run.script = shell::parse(run.text);
        run.editable = run.script.complete;
      } else {
        // `RUN <<EOF` alone: the body is the script. Otherwise the heredocs are
        // data for the commands, which are still read (not appended to).
        std::string_view args = inst.logical_args();
        const auto& h = inst.heredocs.front();
        const std::string_view marker = std::string_view(inst.logical.text).substr(h.marker.begin, h.marker.size());
        if (inst.heredocs.size() == 1 && args == marker && h.fd == 0) {
          const std::string_view body = tree.text(h.body);
          if (starts_with(body, "#!")) {
            const auto eol = body.find('\n');
            std::string_view shebang = body.substr(2, eol == std::string_view::npos ? body.size() : eol - 2);
            while (!shebang.empty() && shebang.front() == ' ') shebang.remove_prefix(1);
            const auto sp = shebang.find(' ');
            std::string_view prog = shebang.substr(0, sp);
            if (prog == "/usr/bin/env" && sp != std::string_view::npos) prog = shebang.substr(sp + 1);
            if (!posix_shell(prog.substr(0, prog.find_first_of(" \r")))) continue;
          }
          run.heredoc = true;
          run.base = h.body.begin;
          run.text = std::string(body);
          run.script = shell::parse(run.text);
          run.editable = run.script.complete && !h.chomp;
        } else {
          run.base = inst.args.begin;
          run.text = std::string(args);
          run.script = shell::parse(run.text);
          run.editable = run.script.complete;
        }
      }
      run.parsed = true;
      if (used == Distro::Unknown) used = distro_of_commands(run.script);
      ff.runs.push_back(std::move(run));
    }
    sf.distro = used != Distro::Unknown ? used : named;
    if (sf.distro == Distro::Windows && named != Distro::Windows) {
      // Found out from its commands (choco): its RUNs are cmd's, not POSIX sh.
      sf.posix = false;
      ff.runs.erase(std::remove_if(ff.runs.begin(), ff.runs.end(),
                                   [&](const RunScript& r) { return r.stage == static_cast<int>(si); }),
                    ff.runs.end());
    }
  }
}

}  // namespace

namespace {

// The model the engine built for the tree its rules are looking at.
thread_local const model::Model* t_model = nullptr;

// FileFacts from the model (its RUN scripts parsed once, not again here).
void from_model(const Tree& tree, const model::Model& m, FileFacts& ff) {
  ff.stages.clear();
  ff.runs.clear();
  ff.stage_of.assign(tree.instructions.size(), -1);
  for (const model::Stage& st : m.stages()) {
    StageFacts sf;
    sf.stage.from = st.from;
    sf.stage.end = st.end;
    sf.stage.name = st.name;
    sf.stage.base = st.base_written;
    sf.stage.base_stage = st.base_stage;
    sf.shipped = st.ships;
    sf.posix = !st.platform_facts.windows();
    sf.distro = static_cast<Distro>(st.platform_facts.distro.value);
    ff.stages.push_back(std::move(sf));
  }
  for (std::uint32_t i = 0; i < tree.instructions.size(); ++i) ff.stage_of[i] = m.stage_of(i);
  for (const model::Run& r : m.runs()) {
    if (!r.parsed) continue;
    RunScript run;
    static_cast<model::Run&>(run) = r;
    run.index = r.instruction;
    ff.runs.push_back(std::move(run));
  }
}

}  // namespace

ModelScope::ModelScope(const model::Model& m) : m_previous(t_model) { t_model = &m; }
ModelScope::~ModelScope() { t_model = m_previous; }

const FileFacts& facts(const Tree& tree) {
  // Every rule of a run asks for the same tree: comparing the whole file with
  // a cached copy on each call cost 5% of `check` (see syntax::PerTree).
  thread_local syntax::PerTree<FileFacts> cache;
  if (t_model && &t_model->tree() == &tree)
    return cache.get(tree, [](const Tree& t, FileFacts& ff) { from_model(t, *t_model, ff); });
  return cache.get(tree, build);
}

Span source_span(const Tree& tree, const model::Run& run, shell::Span span) {
  const auto b = static_cast<std::uint32_t>(span.begin), e = static_cast<std::uint32_t>(span.end);
  if (run.heredoc) return {run.base + b, run.base + e};
  return tree.instructions[run.instruction].logical.to_source(Span{run.base + b, run.base + e});
}

std::uint32_t source_after(const Tree& tree, const model::Run& run, std::size_t end) {
  const auto e = static_cast<std::uint32_t>(end);
  if (run.heredoc) return run.base + e;
  const auto& lt = tree.instructions[run.instruction].logical;
  if (run.base + e == 0) return lt.to_source(0u);
  return lt.to_source(run.base + e - 1) + 1;
}

bool runs(const shell::Command& cmd, std::string_view family) {
  auto inv = shell::invocation(cmd);
  return inv && shell::same_program(inv->name, family);
}

std::string_view subcommand_of(const shell::Command& cmd) {
  auto sub = shell::subcommand(cmd);
  return sub ? std::string_view(cmd.words[*sub].value) : std::string_view();
}

std::vector<std::size_t> operands_after_subcommand(const shell::Command& cmd) {
  std::vector<std::size_t> out;
  auto sub = shell::subcommand(cmd);
  auto inv = shell::invocation(cmd);
  if (!sub || !inv) return out;
  bool options = true;
  for (std::size_t i = *sub + 1; i < cmd.words.size(); ++i) {
    const std::string_view v = cmd.words[i].value;
    if (options && v == "--") {
      options = false;
      continue;
    }
    if (options && v.size() > 1 && v[0] == '-') {
      if (v.find('=') == std::string_view::npos && shell::takes_argument(inv->name, v)) ++i;
      continue;
    }
    out.push_back(i);
  }
  return out;
}

bool piped_from(const model::Run& run, std::size_t cmd_index, std::string_view family) {
  const auto& cmds = run.script.commands;
  // Walk back over the pipeline this command ends (a command in $( ) may sit between).
  for (std::size_t i = cmd_index; i-- > 0;) {
    const auto& c = cmds[i];
    if (c.depth > cmds[cmd_index].depth) continue;
    if (c.depth < cmds[cmd_index].depth) return false;
    if (c.after != shell::Separator::Pipe && c.after != shell::Separator::PipeAll) return false;
    if (runs(c, family)) return true;
  }
  return false;
}

bool has_cache_mount(const Instruction& inst, std::string_view dir) {
  for (const auto& f : inst.flags) {
    if (f.name != "mount") continue;
    std::string_view v = f.value;
    bool cache = false;
    std::string_view target;
    while (!v.empty()) {
      const auto comma = v.find(',');
      const std::string_view item = v.substr(0, comma);
      const auto eq = item.find('=');
      const std::string_view key = item.substr(0, eq);
      const std::string_view val = eq == std::string_view::npos ? std::string_view() : item.substr(eq + 1);
      if (key == "type" && (val == "cache" || val == "tmpfs")) cache = true;
      if (key == "target" || key == "dst" || key == "destination") target = val;
      if (comma == std::string_view::npos) break;
      v.remove_prefix(comma + 1);
    }
    while (target.size() > 1 && target.back() == '/') target.remove_suffix(1);
    if (cache && !target.empty() && starts_with(dir, target) &&
        (dir.size() == target.size() || dir[target.size()] == '/' || target == "/"))
      return true;
  }
  return false;
}

bool env_set(const Tree& tree, const FileFacts& ff, std::uint32_t before, std::string_view name) {
  const int stage = before < ff.stage_of.size() ? ff.stage_of[before] : -1;
  // The stage and the stages it is built on.
  std::vector<bool> in_chain(ff.stages.size(), false);
  for (int s = stage; s >= 0 && !in_chain[s]; s = ff.stages[s].stage.base_stage) in_chain[s] = true;
  for (std::uint32_t i = 0; i < before && i < tree.instructions.size(); ++i) {
    const int s = ff.stage_of[i];
    if (s < 0 || !in_chain[s]) continue;
    const Instruction& inst = tree.instructions[i];
    if (inst.is("env")) {
      for (std::size_t k = 0; k + 1 < inst.values.size(); k += 3)
        if (inst.values[k].text == name) return true;
    } else if (inst.is("arg")) {
      for (const auto& v : inst.values) {
        const std::string_view t = v.text;
        if (t.substr(0, t.find('=')) == name && t.find('=') != std::string_view::npos) return true;
      }
    }
  }
  return false;
}

bool env_set(const model::Model& m, std::uint32_t before, std::string_view name) {
  const model::State st = m.state_before(before);
  const auto it = st.vars.find(name);
  // An ENV, or an ARG with a value (a default, or the build's: an ARG without one may be unset).
  return it != st.vars.end() && (it->second.from_env || it->second.known);
}

edit::Edit insert_after_word(const Tree& tree, const model::Run& run, const shell::Command& cmd, std::size_t word,
                             std::string_view text) {
  const std::uint32_t at = source_after(tree, run, cmd.words[word].span.end);
  return {{at, at}, " " + std::string(text)};
}

std::optional<edit::Edit> insert_flag(const Tree& tree, const model::Run& run, const shell::Command& cmd,
                                      std::string_view flag, shell::InsertAt where) {
  if (!run.editable) return std::nullopt;
  auto p = shell::insertion_point(cmd, where);
  if (!p) return std::nullopt;
  const std::uint32_t at = source_after(tree, run, *p);
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

std::optional<edit::Edit> append_command(const Tree& tree, const model::Run& run, std::string_view command) {
  if (!run.editable || run.script.commands.empty()) return std::nullopt;
  const Instruction& inst = tree.instructions[run.instruction];
  if (!run.heredoc && !inst.heredocs.empty()) return std::nullopt;
  const std::string_view t = run.text;
  std::size_t e = trimmed_end(t);
  if (e == 0) return std::nullopt;
  std::size_t last_end = 0;
  for (const auto& c : run.script.commands) last_end = std::max(last_end, c.span.end);
  // A comment after the last command would swallow what we append.
  for (std::size_t i = last_end; i < e; ++i)
    if (t[i] == '#' && (i == 0 || blank(t[i - 1]) || t[i - 1] == ';')) return std::nullopt;
  const auto& last = run.script.commands.back();
  if (auto inv = shell::invocation(last); inv && (inv->name == "exit" || inv->name == "exec")) return std::nullopt;
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
  const std::uint32_t at = source_after(tree, run, e);
  return edit::Edit{{at, at}, " && " + std::string(command)};
}

std::optional<edit::Edit> append_after_command(const Tree& tree, const model::Run& run, std::size_t cmd_index,
                                               std::string_view command) {
  if (!run.editable) return std::nullopt;
  const auto& cmds = run.script.commands;
  const auto& cmd = cmds[cmd_index];
  if (cmd.depth != 0) return std::nullopt;
  switch (cmd.after) {
    case shell::Separator::AndIf: {
      const std::uint32_t at = source_after(tree, run, cmd.span.end);
      return edit::Edit{{at, at}, " && " + std::string(command)};
    }
    case shell::Separator::Semicolon:
    case shell::Separator::Newline: {
      // Keep the script's own separator: `a && rm x; b` would stop `set -e`
      // from ending the script when `a` fails (commands before && are exempt).
      const std::uint32_t at = source_after(tree, run, cmd.span.end);
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

std::string same_case(std::string_view model, std::string_view word) {
  bool has_upper = false, has_lower = false;
  for (char c : model) {
    if (c >= 'a' && c <= 'z') has_lower = true;
    if (c >= 'A' && c <= 'Z') has_upper = true;
  }
  std::string out = lower(word);
  if (has_upper && !has_lower) {
    for (char& c : out)
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  } else if (has_upper && has_lower && !out.empty() && out[0] >= 'a' && out[0] <= 'z') {
    out[0] = static_cast<char>(out[0] - 'a' + 'A');
  }
  return out;
}

Finding command_finding(const Tree& tree, const model::Run& run, const shell::Command& cmd, std::string message,
                        std::string reason, std::vector<edit::Edit> edits) {
  Finding f;
  f.message = std::move(message);
  const auto inv = shell::invocation(cmd);
  const std::size_t w = inv ? inv->program : 0;
  f.at = cmd.words.empty() ? source_span(tree, run, cmd.span) : source_span(tree, run, cmd.words[w].span);
  std::string cur(shell::slice(run.text, cmd.span));
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

Finding flag_finding(const Tree& tree, const model::Run& run, const shell::Command& cmd, std::string_view flag,
                     shell::InsertAt where, std::string message, std::string reason, std::string expected) {
  std::vector<edit::Edit> edits;
  if (auto e = insert_flag(tree, run, cmd, flag, where)) edits.push_back(*e);
  Finding f = command_finding(tree, run, cmd, std::move(message), std::move(reason), std::move(edits));
  f.expected = std::move(expected);
  return f;
}

}  // namespace dockmend::transforms::builtin

namespace dockmend::transforms::builtin {

void conclude(Outcome& out, bool applicable, std::string_view correct) {
  out.applicable = applicable || !out.findings.empty();
  if (out.wants_correct && out.applicable && out.findings.empty() && !correct.empty()) out.correct.emplace_back(correct);
}

bool options_may_hide(const shell::Command& cmd) {
  auto inv = shell::invocation(cmd);
  if (!inv) return false;
  for (std::size_t i = inv->args; i < cmd.words.size(); ++i) {
    const auto& w = cmd.words[i];
    if (!w.has_expansion || w.quoted || w.value.empty() || w.value[0] != '$') continue;
    const std::string name = lower(w.value);
    for (std::string_view hint : {"opt", "flag", "arg", "param"})
      if (name.find(hint) != std::string::npos) return true;
  }
  return false;
}

std::optional<std::size_t> after_leading_flags(const shell::Command& cmd) {
  auto sub = shell::subcommand(cmd);
  auto inv = shell::invocation(cmd);
  if (!sub || !inv) return std::nullopt;
  std::size_t last = *sub;
  for (std::size_t i = *sub + 1; i < cmd.words.size(); ++i) {
    const std::string_view v = cmd.words[i].value;
    if (v.size() < 2 || v[0] != '-' || v == "--" || cmd.words[i].has_expansion) break;
    if (v.find('=') == std::string_view::npos && shell::takes_argument(inv->name, v)) break;
    last = i;
  }
  return last;
}

}  // namespace dockmend::transforms::builtin
