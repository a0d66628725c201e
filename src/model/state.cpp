// The state of a stage's image after an instruction: what each instruction
// does to the image config, as buildkit's dispatcher does it, and the parsing
// of HEALTHCHECK probes and ENTRYPOINT/CMD into what PID 1 runs.
#include <algorithm>

#include "model/model.hpp"
#include "model/text.hpp"
#include "model/values.hpp"

namespace dockmend::model {

using syntax::Instruction;

namespace {

std::vector<std::string> default_shell(bool windows) {
  if (windows) return {"cmd", "/S", "/C"};
  return {"/bin/sh", "-c"};
}

std::string_view base_name(std::string_view program) {
  const auto slash = program.find_last_of("/\\");
  return slash == std::string_view::npos ? program : program.substr(slash + 1);
}

// An absolute path with "." and ".." resolved (WORKDIR values).
std::string absolute_path(std::string_view path) {
  std::vector<std::string_view> parts;
  std::size_t i = 0;
  while (i <= path.size()) {
    std::size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    const auto part = path.substr(i, j - i);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    i = j + 1;
  }
  std::string out;
  for (auto p : parts) out += "/" + std::string(p);
  return out.empty() ? "/" : out;
}

std::string expanded(std::string_view text, const Vars& vars) {
  if (text.find('$') == std::string_view::npos) return std::string(text);
  auto e = expand(text, vars);
  return e ? *e : std::string(text);
}

// A URL's parts: scheme://host[:port]/path.
void read_url(Probe& p, std::string_view url) {
  p.url = std::string(url);
  const auto sep = url.find("://");
  std::string_view rest = url;
  if (sep != std::string_view::npos) {
    p.scheme = lower(url.substr(0, sep));
    rest = url.substr(sep + 3);
  } else {
    p.scheme = "http";
  }
  const auto slash = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, slash);
  p.path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) authority = authority.substr(at + 1);
  std::string_view host = authority;
  if (!authority.empty() && authority[0] == '[') {  // [::1]:8080
    const auto close = authority.find(']');
    host = authority.substr(0, close == std::string_view::npos ? authority.size() : close + 1);
    if (close != std::string_view::npos && close + 1 < authority.size() && authority[close + 1] == ':')
      p.port = parse_port(authority.substr(close + 2));
  } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    p.port = parse_port(authority.substr(colon + 1));
  }
  p.host = std::string(host);
  if (!p.port) {
    if (p.scheme == "http") p.port = 80;
    else if (p.scheme == "https") p.port = 443;
  }
}

// The first http(s) URL among `words` (or a host:port/path word for curl and wget).
void read_probe_command(Probe& p, const std::vector<std::string>& words) {
  for (std::size_t k = 0; k < words.size(); ++k) {
    const std::string_view program = base_name(words[k]);
    std::string tool;
    if (program == "curl") tool = "curl";
    else if (program == "wget") tool = "wget";
    else if (starts_with(program, "python")) tool = "python";
    else continue;
    for (std::size_t j = k + 1; j < words.size(); ++j) {
      const std::string_view w = words[j];
      if (w == "&&" || w == "||" || w == ";" || w == "|") break;
      auto at = w.find("http://");
      if (at == std::string_view::npos) at = w.find("https://");
      if (at != std::string_view::npos) {
        std::string_view url = w.substr(at);
        const auto end = url.find_first_of("'\")");
        if (end != std::string_view::npos) url = url.substr(0, end);
        p.tool = tool;
        read_url(p, url);
        return;
      }
      if (tool != "python" && !w.empty() && w[0] != '-' &&
          (starts_with(w, "localhost") || starts_with(w, "127.0.0.1") || starts_with(w, "0.0.0.0"))) {
        p.tool = tool;
        read_url(p, "http://" + std::string(w));
        return;
      }
    }
    if (tool == "python") {
      // python -c "import urllib.request; urllib.request.urlopen('http://...')": the URL is inside one word.
      continue;
    }
  }
}

Probe read_healthcheck(const Instruction& inst, std::uint32_t index, const Vars& vars) {
  Probe p;
  p.instruction = index;
  for (const auto& f : inst.flags) p.options.emplace_back(std::string(f.name), std::string(f.value));
  if (inst.values.empty() || iequals(inst.values[0].text, "none")) {
    p.none = true;
    return p;
  }
  p.exec_form = inst.form == syntax::ArgsForm::Json;
  std::vector<std::string> words;
  if (p.exec_form) {
    for (std::size_t i = 1; i < inst.values.size(); ++i) p.argv.emplace_back(inst.values[i].text);
    words = p.argv;
    if (!words.empty() && words[0] == "CMD-SHELL" && words.size() > 1) words = split_words(words[1]);
  } else {
    const syntax::Span cmd{inst.values[0].logical.end, inst.args.end};
    std::string_view text = std::string_view(inst.logical.text).substr(cmd.begin, cmd.size());
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    p.argv = {std::string(text)};
    words = split_words(text);
  }
  for (auto& w : words) w = expanded(w, vars);
  read_probe_command(p, words);
  return p;
}

void read_process(Process& pr) {
  pr.argv.clear();
  if (!pr.entrypoint.empty()) {
    pr.argv = pr.entrypoint;
    if (!pr.entrypoint_shell_form) pr.argv.insert(pr.argv.end(), pr.cmd.begin(), pr.cmd.end());
  } else {
    pr.argv = pr.cmd;
  }
  pr.init = Init::None;
  pr.init_options.clear();
  pr.program.clear();
  pr.program_index = 0;
  if (pr.argv.empty()) return;
  std::size_t k = 0;
  // A shell-form command: the program is the first word of the shell's text.
  const bool shell_form = !pr.entrypoint.empty() ? pr.entrypoint_shell_form : pr.cmd_shell_form;
  std::vector<std::string> words = pr.argv;
  if (shell_form && words.size() >= 1) {
    words = split_words(words.back());
    if (!words.empty() && words[0] == "exec") words.erase(words.begin());
  }
  const std::string_view first = base_name(words.empty() ? std::string_view() : std::string_view(words[0]));
  if (first == "tini" || first == "tini-static" || starts_with(first, "tini-static-") || first == "docker-init") {
    pr.init = Init::Tini;
  } else if (first == "dumb-init") {
    pr.init = Init::DumbInit;
  } else if (first == "catatonit" || first == "s6-svscan" || first == "supervisord" || first == "runsvdir" ||
             first == "/init") {
    pr.init = Init::Other;
  }
  if (pr.init == Init::Tini || pr.init == Init::DumbInit) {
    k = 1;
    while (k < words.size()) {
      const std::string& w = words[k];
      if (w == "--") {
        ++k;
        break;
      }
      if (w.size() < 2 || w[0] != '-') break;
      pr.init_options.push_back(w);
      // tini -s / -g take no argument; -e EXIT_CODE, -p SIGNAL, -l do.
      if (pr.init == Init::Tini && (w == "-e" || w == "-p") && k + 1 < words.size())
        pr.init_options.push_back(words[++k]);
      ++k;
    }
  }
  if (k < words.size()) {
    pr.program = std::string(base_name(words[k]));
    pr.program_index = shell_form ? 0 : k;
  }
}

}  // namespace

std::vector<std::string> Model::final_shell_of(std::int32_t stage, bool windows) const {
  std::vector<std::string> shell;
  bool set = false;
  for (std::int32_t s : chain(stage)) {
    const Stage& st = m_stages[static_cast<std::size_t>(s)];
    for (std::uint32_t i = st.from; i < st.end; ++i) {
      const Instruction& inst = m_tree->instructions[i];
      if (inst.is("shell") && inst.form == syntax::ArgsForm::Json && !inst.values.empty()) {
        shell.clear();
        for (const auto& v : inst.values) shell.emplace_back(v.text);
        set = true;
      }
    }
  }
  return set ? shell : default_shell(windows);
}

void Model::apply(State& st, std::uint32_t i, bool& cmd_set) const {
  const Instruction& inst = m_tree->instructions[i];
  const auto at = static_cast<std::int32_t>(i);
  const std::string_view kw = inst.keyword;
  if (kw == "arg") {
    for (auto& d : arg_decls(inst)) {
      Var v;
      v.set_at = at;
      if (d.value) {
        auto e = expand(*d.value, st.vars);
        v.value = e ? *e : *d.value;
        v.known = e.has_value();
      } else if (auto g = m_globals.find(d.name); g != m_globals.end()) {
        v = g->second;
        v.set_at = at;
      } else {
        v.known = false;
      }
      // An ENV of the same name wins over the ARG (buildkit: ENV overrides ARG).
      auto it = st.vars.find(d.name);
      if (it != st.vars.end() && it->second.from_env) continue;
      st.vars[d.name] = std::move(v);
    }
  } else if (kw == "env") {
    for (auto& e : env_entries(inst)) {
      Var v;
      v.from_env = true;
      v.set_at = at;
      auto x = expand(e.value, st.vars);
      v.value = x ? *x : e.value;
      v.known = x.has_value();
      st.vars[e.name] = std::move(v);
    }
  } else if (kw == "user" && !inst.values.empty()) {
    st.user.written = std::string(inst.values[0].text);
    st.user.value = expanded(st.user.written, st.vars);
    st.user.set_at = at;
  } else if (kw == "workdir" && !inst.values.empty()) {
    st.workdir.written = std::string(inst.values[0].text);
    const std::string v = expanded(st.workdir.written, st.vars);
    const bool windows = stage_of(i) >= 0 && m_stages[static_cast<std::size_t>(stage_of(i))].platform_facts.windows();
    if (windows) {
      // C:\app, or relative to the previous WORKDIR; Windows paths are not normalised here.
      const bool absolute = v.size() >= 2 && v[1] == ':';
      st.workdir.value = absolute || st.workdir.value.empty() ? v : st.workdir.value + "\\" + v;
    } else {
      st.workdir.value =
          absolute_path(!v.empty() && v[0] == '/' ? v : (st.workdir.value.empty() ? "/" : st.workdir.value) + "/" + v);
    }
    st.workdir.set_at = at;
  } else if (kw == "shell" && inst.form == syntax::ArgsForm::Json && !inst.values.empty()) {
    st.shell.clear();
    for (const auto& v : inst.values) st.shell.emplace_back(v.text);
    st.shell_at = at;
  } else if (kw == "expose") {
    for (const auto& val : inst.values) {
      Port p;
      p.written = std::string(val.text);
      p.instruction = i;
      const std::string v = expanded(p.written, st.vars);
      const auto slash = v.find('/');
      p.protocol = slash == std::string::npos ? "tcp" : lower(v.substr(slash + 1));
      p.number = parse_port(v.substr(0, slash));
      st.ports.push_back(std::move(p));
    }
  } else if (kw == "healthcheck") {
    st.healthcheck = read_healthcheck(inst, i, st.vars);
  } else if (kw == "entrypoint" || kw == "cmd") {
    std::vector<std::string> argv;
    const bool shell_form = inst.form != syntax::ArgsForm::Json;
    if (shell_form) {
      argv = st.shell;
      argv.emplace_back(inst.logical_args());
    } else {
      for (const auto& v : inst.values) argv.emplace_back(v.text);
    }
    if (kw == "entrypoint") {
      st.process.entrypoint = std::move(argv);
      st.process.entrypoint_shell_form = shell_form;
      st.process.entrypoint_at = at;
      // ENTRYPOINT drops a CMD that this stage did not set (buildkit's dispatchEntrypoint).
      if (!cmd_set) {
        st.process.cmd.clear();
        st.process.cmd_at = -1;
        st.process.cmd_shell_form = false;
      }
    } else {
      st.process.cmd = std::move(argv);
      st.process.cmd_shell_form = shell_form;
      st.process.cmd_at = at;
      cmd_set = true;
    }
    read_process(st.process);
  } else if (kw == "stopsignal" && !inst.values.empty()) {
    st.stopsignal = std::string(inst.values[0].text);
  }
}

namespace {

bool is_windows(const Stage& s) { return s.platform_facts.windows(); }

}  // namespace

State Model::state_after(std::uint32_t instruction) const {
  State st;
  const std::int32_t stage = stage_of(instruction);
  if (stage < 0) {
    st.shell = default_shell(false);
    return st;
  }
  const auto ch = chain(stage);
  st.shell = default_shell(is_windows(m_stages[static_cast<std::size_t>(ch.front())]));
  for (std::int32_t s : ch) {
    const Stage& sg = m_stages[static_cast<std::size_t>(s)];
    // ARGs do not cross FROM: only what the image keeps does.
    for (auto it = st.vars.begin(); it != st.vars.end();)
      it = it->second.from_env ? std::next(it) : st.vars.erase(it);
    bool cmd_set = false;
    const std::uint32_t last = s == stage ? instruction + 1 : sg.end;
    for (std::uint32_t i = sg.from + 1; i < last && i < m_tree->instructions.size(); ++i) apply(st, i, cmd_set);
  }
  return st;
}

State Model::state_before(std::uint32_t instruction) const {
  const std::int32_t stage = stage_of(instruction);
  if (stage < 0 || instruction == m_stages[static_cast<std::size_t>(stage)].from) {
    // At a FROM: what the stage it builds on ends with (nothing for an image we do not know).
    State st;
    if (stage >= 0 && m_stages[static_cast<std::size_t>(stage)].base_stage >= 0) {
      st = final_state(m_stages[static_cast<std::size_t>(stage)].base_stage);
      for (auto it = st.vars.begin(); it != st.vars.end();)
        it = it->second.from_env ? std::next(it) : st.vars.erase(it);
    } else {
      st.shell = default_shell(stage >= 0 && is_windows(m_stages[static_cast<std::size_t>(stage)]));
    }
    return st;
  }
  return state_after(instruction - 1);
}

State Model::state_at(std::int32_t stage, std::uint32_t at) const {
  const Stage& s = m_stages[static_cast<std::size_t>(stage)];
  if (at >= s.end) return final_state(stage);
  return state_before(at < s.from ? s.from : at);
}

const State& Model::final_state(std::int32_t stage) const {
  auto& slot = m_final[static_cast<std::size_t>(stage)];
  if (!slot) {
    const Stage& s = m_stages[static_cast<std::size_t>(stage)];
    slot = std::make_unique<State>(state_after(s.end > s.from ? s.end - 1 : s.from));
  }
  return *slot;
}

}  // namespace dockmend::model
