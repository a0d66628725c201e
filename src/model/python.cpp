// Python packaging facts (python.hpp says what each tool does).
//
// Sources relied on: pip's "Secure installs" documentation (hash-checking mode:
// --require-hashes, PIP_REQUIRE_HASHES, a --require-hashes line in a file, or any
// --hash in it); poetry-plugin-export (`--without-hashes`); uv's `uv export`
// (`--no-hashes`) and `uv pip compile --generate-hashes`; pip-tools' pip-compile
// (`--generate-hashes`, output requirements.txt beside requirements.in).
#include "model/python.hpp"

#include <algorithm>
#include <cctype>

namespace dockmend::model {
namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// One option of a command, found by scanning its words from `from`.
struct Option {
  std::string name;  // as matched: "-r", "--requirement"
  shell::OptionMatch match;
};

// Every option among `words[from..]` named in `valued` (they take a value:
// `--x v`, `--x=v`, and for a short name `-xv`) or in `flags`.
std::vector<Option> scan(const shell::Command& c, std::size_t from, std::initializer_list<std::string_view> valued,
                         std::initializer_list<std::string_view> flags = {}) {
  std::vector<Option> out;
  for (std::size_t w = from; w < c.words.size(); ++w) {
    const std::string& v = c.words[w].value;
    if (v == "--") break;
    bool done = false;
    for (std::string_view name : valued) {
      Option o;
      o.name = std::string(name);
      o.match.word = w;
      if (v == name) {
        if (w + 1 < c.words.size()) {
          o.match.value = c.words[w + 1].value;
          o.match.value_word = w + 1;
        }
        out.push_back(std::move(o));
        ++w;
        done = true;
      } else if (starts_with(v, std::string(name) + "=")) {
        o.match.value = v.substr(name.size() + 1);
        out.push_back(std::move(o));
        done = true;
      } else if (name.size() == 2 && name[0] == '-' && name[1] != '-' && starts_with(v, name) && v.size() > 2 &&
                 v[1] != '-') {
        o.match.value = v.substr(2);
        out.push_back(std::move(o));
        done = true;
      }
      if (done) break;
    }
    if (done) continue;
    for (std::string_view name : flags)
      if (v == name) {
        Option o;
        o.name = std::string(name);
        o.match.word = w;
        out.push_back(std::move(o));
      }
  }
  return out;
}

// The operands after `from` (words not options nor option values), given the valued options.
std::vector<std::size_t> operands(const shell::Command& c, std::size_t from, std::initializer_list<std::string_view> valued) {
  std::vector<std::size_t> out;
  for (std::size_t w = from; w < c.words.size(); ++w) {
    const std::string& v = c.words[w].value;
    if (v == "--") continue;
    if (!v.empty() && v[0] == '-') {
      if (std::find(valued.begin(), valued.end(), v) != valued.end()) ++w;
      continue;
    }
    out.push_back(w);
  }
  return out;
}

const std::initializer_list<std::string_view> k_pip_valued = {
    "-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-t", "--target", "-i", "--index-url",
    "--extra-index-url", "-f", "--find-links", "--prefix", "--root", "-w", "--wheel-dir", "-d", "--dest",
    "--src", "--no-binary", "--only-binary", "--platform", "--python-version", "--implementation", "--abi",
    "--progress-bar", "--cache-dir", "--log", "--proxy", "--retries", "--timeout", "--trusted-host", "--cert",
    "--client-cert", "--root-user-action", "--report", "--python", "-p", "--index", "--default-index",
    "--config-settings", "-C", "--upgrade-strategy", "--exists-action", "--keyring-provider",
    "--use-feature", "--use-deprecated", "--override", "--extra", "--group"};

bool has_word(const shell::Command& c, std::size_t from, std::string_view w) {
  for (std::size_t i = from; i < c.words.size(); ++i)
    if (c.words[i].value == w) return true;
  return false;
}

class Reader {
 public:
  Reader(PythonFacts& out, bool poetry_creates_venv) : out_(out), poetry_creates_venv_(poetry_creates_venv) {}

  void command(const shell::Command& c, CommandAt at) {
    const auto inv = shell::invocation(c);
    if (!inv) return;
    const std::string_view name = inv->name;
    if (shell::same_program(name, "pip")) {
      pip(c, at, inv->args, false);
    } else if (name == "uv") {
      uv(c, at, inv->args);
    } else if (name == "venv" && inv->program + 1 < c.words.size() && c.words[inv->program].value.find("python") != std::string::npos) {
      // python -m venv DIR
      const auto ops = operands(c, inv->args, {"--prompt"});
      out_.venvs.push_back({at, VenvTool::Venv, ops.empty() ? std::string() : c.words[ops.back()].value});
    } else if (name == "virtualenv") {
      const auto ops = operands(c, inv->args, {"-p", "--python", "--prompt"});
      out_.venvs.push_back({at, VenvTool::Virtualenv, ops.empty() ? std::string() : c.words[ops.back()].value});
    } else if (name == "poetry") {
      poetry(c, at, inv->args);
    } else if (name == "pip-compile") {
      generator(c, at, inv->args, GeneratorTool::PipCompile);
    } else if (name == "pdm" && inv->args < c.words.size() && c.words[inv->args].value == "export") {
      generator(c, at, inv->args + 1, GeneratorTool::PdmExport);
    }
  }

 private:
  void pip(const shell::Command& c, CommandAt at, std::size_t args, bool uv) {
    // The subcommand: the first operand.
    const auto ops = operands(c, args, k_pip_valued);
    if (ops.empty()) return;
    const std::string& sub = c.words[ops[0]].value;
    PipInstall p;
    p.at = at;
    if (sub == "install") p.installer = uv ? Installer::UvPip : Installer::Pip;
    else if (sub == "sync" && uv) p.installer = Installer::UvPip;
    else if (sub == "wheel" && !uv) p.installer = Installer::PipWheel;
    else if (sub == "download" && !uv) p.installer = Installer::PipDownload;
    else if (sub == "compile" && uv) {
      generator(c, at, ops[0] + 1, GeneratorTool::UvPipCompile);
      return;
    } else {
      return;
    }
    const std::size_t from = ops[0] + 1;
    for (auto& o : scan(c, from, k_pip_valued, {"--require-hashes", "--no-index", "--user", "--system"})) {
      if (o.name == "-r" || o.name == "--requirement") p.requirement_files.push_back(o.match);
      else if (o.name == "-c" || o.name == "--constraint") p.constraint_files.push_back(o.match);
      else if (o.name == "--require-hashes") p.require_hashes_flag = true;
      else if (o.name == "--no-index") p.no_index = true;
      else if (o.name == "-f" || o.name == "--find-links") p.find_links.push_back(o.match.value);
      else if (o.name == "--prefix") p.prefix = o.match.value;
      else if (o.name == "-t" || o.name == "--target") p.target = o.match.value;
      else if (o.name == "-w" || o.name == "--wheel-dir") p.wheel_dir = o.match.value;
      else if (o.name == "--user") p.user = true;
      else if (o.name == "--system") p.system = true;
    }
    for (std::size_t w : operands(c, from, k_pip_valued)) {
      p.packages.push_back(w);
      if (sub == "sync") {
        // uv pip sync takes requirement files as operands.
        shell::OptionMatch m;
        m.word = w;
        m.value = c.words[w].value;
        p.requirement_files.push_back(m);
      }
    }
    if (sub == "sync") p.packages.clear();
    for (const auto& a : c.assignments) {
      const auto eq = a.value.find('=');
      if (eq != std::string::npos && a.value.substr(0, eq) == "PIP_REQUIRE_HASHES" && truthy(a.value.substr(eq + 1)))
        p.require_hashes_env = true;
    }
    // Installing virtualenv (or uv itself, only for `uv venv`) serves a venv.
    if (p.installer == Installer::Pip || p.installer == Installer::UvPip)
      for (std::size_t w : p.packages) {
        const std::string spec = lower(c.words[w].value);
        const std::string pkg = spec.substr(0, spec.find_first_of("=<>!~[; "));
        if (pkg == "virtualenv") out_.venv_tool_installs.push_back(at);
      }
    out_.installs.push_back(std::move(p));
  }

  void uv(const shell::Command& c, CommandAt at, std::size_t args) {
    if (args >= c.words.size()) return;
    const std::string& sub = c.words[args].value;
    if (sub == "pip") {
      pip(c, at, args + 1, true);
    } else if (sub == "venv") {
      const auto ops = operands(c, args + 1, {"-p", "--python", "--prompt"});
      out_.venvs.push_back({at, VenvTool::UvVenv, ops.empty() ? std::string(".venv") : c.words[ops.back()].value});
    } else if (sub == "export") {
      generator(c, at, args + 1, GeneratorTool::UvExport);
    }
  }

  void poetry(const shell::Command& c, CommandAt at, std::size_t args) {
    if (args >= c.words.size()) return;
    const std::string& sub = c.words[args].value;
    if (sub == "export") {
      generator(c, at, args + 1, GeneratorTool::PoetryExport);
    } else if (sub == "config" && has_word(c, args + 1, "virtualenvs.create")) {
      const std::string& last = c.words.back().value;
      if (last == "false" || last == "0") poetry_creates_venv_ = false;
    } else if ((sub == "install" || sub == "sync") && poetry_creates_venv_) {
      out_.venvs.push_back({at, VenvTool::Poetry, std::string()});
    }
  }

  void generator(const shell::Command& c, CommandAt at, std::size_t from, GeneratorTool tool) {
    RequirementsGenerator g;
    g.at = at;
    g.tool = tool;
    const char* without = tool == GeneratorTool::PoetryExport ? "--without-hashes" : "--no-hashes";
    for (auto& o : scan(c, from, {"-o", "--output", "--output-file", "-f", "--format"},
                        {"--without-hashes", "--no-hashes", "--generate-hashes"})) {
      if (o.name == "-o" || o.name == "--output" || o.name == "--output-file") g.output = o.match.value;
      else if (o.name == without) g.without_hashes = o.match;
      else if (o.name == "--generate-hashes") g.hashes = true;
    }
    switch (tool) {
      case GeneratorTool::PoetryExport:
      case GeneratorTool::UvExport:
      case GeneratorTool::PdmExport:
        g.hashes = !g.without_hashes;
        break;
      case GeneratorTool::PipCompile:
      case GeneratorTool::UvPipCompile:
        break;  // only with --generate-hashes
    }
    if (g.output.empty())
      for (const auto& r : c.redirects)
        if (r.op == ">" || r.op == ">|") g.output = r.target.value;
    if (g.output.empty() && tool == GeneratorTool::PipCompile) {
      // requirements.txt beside the input (.in / pyproject.toml / setup.py), or in the current directory.
      const auto ops = operands(c, from, {"-o", "--output-file", "--extra", "-c", "--constraint", "-P",
                                          "--upgrade-package", "--pip-args", "--cache-dir"});
      std::string dir;
      if (!ops.empty()) {
        const std::string& in = c.words[ops[0]].value;
        const auto slash = in.rfind('/');
        if (slash != std::string::npos) dir = in.substr(0, slash + 1);
      }
      g.output = dir + "requirements.txt";
    }
    out_.generators.push_back(std::move(g));
  }

  PythonFacts& out_;
  bool poetry_creates_venv_;
};

}  // namespace

std::size_t RequirementsText::unhashed() const {
  return static_cast<std::size_t>(
      std::count_if(requirements.begin(), requirements.end(), [](const RequirementLine& r) { return !r.hashed; }));
}

RequirementsText read_requirements(std::string_view text) {
  RequirementsText out;
  std::uint32_t line_no = 0;
  std::string logical;
  std::uint32_t start = 0;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    auto nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string line(text.substr(pos, nl - pos));
    pos = nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (logical.empty()) start = line_no;
    // Comments: a # at the start or after blanks.
    for (std::size_t i = 0; i < line.size(); ++i)
      if (line[i] == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) {
        line.erase(i);
        break;
      }
    std::string trimmed = line;
    while (!trimmed.empty() && (trimmed.back() == ' ' || trimmed.back() == '\t')) trimmed.pop_back();
    if (!trimmed.empty() && trimmed.back() == '\\') {
      logical += trimmed.substr(0, trimmed.size() - 1) + " ";
      if (pos <= text.size()) continue;
    } else {
      logical += trimmed;
    }
    std::string_view l = logical;
    while (!l.empty() && (l.front() == ' ' || l.front() == '\t')) l.remove_prefix(1);
    if (!l.empty()) {
      if (l.front() == '-') {
        if (starts_with(l, "--require-hashes")) out.require_hashes = true;
        for (std::string_view opt : {"-r ", "--requirement ", "--requirement=", "-c ", "--constraint ", "--constraint="})
          if (starts_with(l, opt)) {
            std::string_view rest = l.substr(opt.size());
            while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
            out.included.emplace_back(rest.substr(0, rest.find_first_of(" \t")));
          }
      } else {
        RequirementLine r;
        r.name = std::string(l.substr(0, l.find_first_of(" \t;")));
        r.line = start;
        r.hashed = l.find("--hash") != std::string_view::npos;
        out.requirements.push_back(std::move(r));
      }
    }
    logical.clear();
    if (nl == text.size()) break;
  }
  return out;
}

const char* generator_tool_name(GeneratorTool tool) {
  switch (tool) {
    case GeneratorTool::PoetryExport: return "poetry export";
    case GeneratorTool::PipCompile: return "pip-compile";
    case GeneratorTool::UvExport: return "uv export";
    case GeneratorTool::UvPipCompile: return "uv pip compile";
    case GeneratorTool::PdmExport: return "pdm export";
  }
  return "?";
}

const char* venv_tool_name(VenvTool tool) {
  switch (tool) {
    case VenvTool::Venv: return "python -m venv";
    case VenvTool::Virtualenv: return "virtualenv";
    case VenvTool::UvVenv: return "uv venv";
    case VenvTool::Poetry: return "poetry";
  }
  return "?";
}

bool truthy(std::string_view value) {
  const std::string l = lower(value);
  return l == "1" || l == "true" || l == "yes" || l == "on";
}

const RequirementsGenerator* PythonFacts::generator_for(std::string_view image_path, CommandAt before) const {
  const RequirementsGenerator* found = nullptr;
  for (const auto& g : generators) {
    if (g.at.script > before.script || (g.at.script == before.script && g.at.command >= before.command)) continue;
    if (g.output.empty()) continue;
    // Without the WORKDIRs, a relative path matches an absolute one it ends.
    auto ends = [](std::string_view abs, std::string_view rel) {
      while (starts_with(rel, "./")) rel.remove_prefix(2);
      return abs.size() > rel.size() && abs.substr(abs.size() - rel.size()) == rel && abs[abs.size() - rel.size() - 1] == '/';
    };
    const std::string_view out = g.output;
    const bool same = out == image_path || (!out.empty() && out[0] == '/' && ends(out, image_path)) ||
                      (!image_path.empty() && image_path[0] == '/' && ends(image_path, out));
    if (same) found = &g;
  }
  return found;
}

PythonFacts read_python(const std::vector<const shell::Script*>& scripts, bool poetry_creates_venv) {
  PythonFacts out;
  Reader reader(out, poetry_creates_venv);
  for (std::size_t s = 0; s < scripts.size(); ++s) {
    if (!scripts[s]) continue;
    const auto& cmds = scripts[s]->commands;
    for (std::size_t c = 0; c < cmds.size(); ++c) reader.command(cmds[c], {s, c});
  }
  return out;
}

}  // namespace dockmend::model
