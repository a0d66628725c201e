#include "model/model.hpp"

#include <algorithm>

#include "model/packages.hpp"
#include "model/text.hpp"
#include "model/values.hpp"

namespace dockmend::model {

using syntax::Instruction;
using syntax::Tree;

// ------------------------------------------------------------------ names

const char* evidence_name(Evidence e) {
  switch (e) {
    case Evidence::None: return "none";
    case Evidence::Guessed: return "guessed";
    case Evidence::InRepoBase: return "base stage";
    case Evidence::ImageName: return "image name";
    case Evidence::PackageCommand: return "package command";
  }
  return "none";
}

const char* os_name(OsFamily f) {
  switch (f) {
    case OsFamily::Unknown: return "unknown";
    case OsFamily::Linux: return "linux";
    case OsFamily::Windows: return "windows";
  }
  return "unknown";
}

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

const char* package_manager_name(PackageManager pm) {
  switch (pm) {
    case PackageManager::Unknown: return "unknown";
    case PackageManager::None: return "none";
    case PackageManager::Apt: return "apt";
    case PackageManager::Apk: return "apk";
    case PackageManager::Dnf: return "dnf";
    case PackageManager::Microdnf: return "microdnf";
    case PackageManager::Yum: return "yum";
    case PackageManager::Tdnf: return "tdnf";
    case PackageManager::Zypper: return "zypper";
  }
  return "unknown";
}

const char* init_name(Init init) {
  switch (init) {
    case Init::None: return "";
    case Init::Tini: return "tini";
    case Init::DumbInit: return "dumb-init";
    case Init::Other: return "other";
  }
  return "";
}

// ------------------------------------------------------------------ images

ImageRef parse_image(std::string_view ref) {
  ImageRef r;
  std::string_view s = ref;
  if (const auto at = s.find('@'); at != std::string_view::npos) {
    r.digest = std::string(s.substr(at + 1));
    s = s.substr(0, at);
  }
  const auto slash = s.rfind('/');
  const auto colon = s.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    r.tag = std::string(s.substr(colon + 1));
    s = s.substr(0, colon);
  }
  const auto last = s.rfind('/');
  if (last == std::string_view::npos) {
    r.name = std::string(s);
  } else {
    r.path = std::string(s.substr(0, last));
    r.name = std::string(s.substr(last + 1));
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

namespace {

bool contains(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }

template <class T>
Known<T> known(T value, Evidence e) {
  return {value, e};
}

PackageManager manager_of_distro(Distro d, std::string_view image) {
  switch (d) {
    case Distro::Debian: return PackageManager::Apt;
    case Distro::Alpine: return PackageManager::Apk;
    case Distro::Suse: return PackageManager::Zypper;
    case Distro::Rhel: {
      // UBI minimal images have microdnf only; CentOS 7 and Amazon Linux 2 have yum only.
      if (contains(image, "ubi") && contains(image, "minimal")) return PackageManager::Microdnf;
      if (contains(image, "photon") || contains(image, "mariner") || contains(image, "azurelinux"))
        return PackageManager::Tdnf;
      if (contains(image, "centos:7") || contains(image, "centos:centos7") || contains(image, "amazonlinux:2") ||
          contains(image, "oraclelinux:7"))
        return contains(image, "amazonlinux:2023") ? PackageManager::Dnf : PackageManager::Yum;
      return PackageManager::Dnf;
    }
    case Distro::Busybox:
    case Distro::Scratch:
    case Distro::Distroless:
    case Distro::Windows: return PackageManager::None;
    case Distro::Unknown: break;
  }
  return PackageManager::Unknown;
}

// What an image name says, and how sure that is.
std::pair<Distro, Evidence> distro_of_image(std::string_view ref) {
  const std::string lowered = lower(ref);
  std::string_view r = lowered;
  if (const auto at = r.find('@'); at != std::string_view::npos) r = r.substr(0, at);
  const auto slash = r.rfind('/');
  const auto colon = r.rfind(':');
  const bool tagged = colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash);
  const std::string_view name = tagged ? r.substr(0, colon) : r;
  const std::string_view tag = tagged ? r.substr(colon + 1) : std::string_view();
  const std::string_view last = name.substr(name.rfind('/') == std::string_view::npos ? 0 : name.rfind('/') + 1);
  const auto by_name = [](Distro d) { return std::make_pair(d, Evidence::ImageName); };
  if (name == "scratch") return by_name(Distro::Scratch);
  // mcr.microsoft.com/windows*, servercore, nanoserver, .NET Framework images.
  if (contains(name, "windows") || contains(name, "nanoserver") || contains(name, "servercore") ||
      contains(name, "dotnet/framework") || contains(tag, "nanoserver") || contains(tag, "windowsservercore") ||
      contains(tag, "ltsc"))
    return by_name(Distro::Windows);
  if (contains(name, "distroless") || contains(name, "chainguard") || contains(tag, "chiseled"))
    return by_name(Distro::Distroless);
  if (contains(name, "alpine") || contains(tag, "alpine")) return by_name(Distro::Alpine);
  if (last == "busybox") return by_name(Distro::Busybox);
  for (std::string_view h : {"centos", "fedora", "rhel", "ubi", "rockylinux", "almalinux", "amazonlinux",
                             "oraclelinux", "oracle-linux", "photon", "mariner", "azurelinux", "cbl-mariner"})
    if (contains(name, h)) return by_name(Distro::Rhel);
  if (contains(name, "opensuse") || contains(name, "sles") || contains(name, "suse")) return by_name(Distro::Suse);
  for (std::string_view d : {"debian", "ubuntu", "buildpack-deps", "kalilinux"})
    if (contains(name, d)) return by_name(Distro::Debian);
  // Docker's official language images are Debian unless their tag says otherwise.
  for (std::string_view d : {"python", "node", "ruby", "golang", "openjdk", "eclipse-temurin", "php", "perl",
                             "rust", "gcc", "maven", "gradle", "nginx", "httpd", "postgres", "mysql",
                             "redis", "elixir", "erlang", "haskell", "julia", "r-base", "swift"}) {
    if (last == d && (name == d || (name.size() == 8 + d.size() && starts_with(name, "library/")) ||
                      starts_with(name, "docker.io/"))) {
      if (contains(tag, "windows") || contains(tag, "nanoserver")) return by_name(Distro::Windows);
      if (contains(tag, "ubi") || contains(tag, "oracle") || contains(tag, "centos")) return by_name(Distro::Rhel);
      if (contains(tag, "bookworm") || contains(tag, "bullseye") || contains(tag, "buster") ||
          contains(tag, "trixie") || contains(tag, "slim") || contains(tag, "jammy") || contains(tag, "noble") ||
          contains(tag, "focal"))
        return by_name(Distro::Debian);
      return {Distro::Debian, Evidence::Guessed};
    }
  }
  return {Distro::Unknown, Evidence::None};
}

}  // namespace

Platform platform_of_image(std::string_view ref) {
  Platform p;
  const auto [d, e] = distro_of_image(ref);
  p.distro = known(d, e);
  if (d == Distro::Windows) p.os = known(OsFamily::Windows, e);
  else if (d != Distro::Unknown) p.os = known(OsFamily::Linux, e);
  const PackageManager pm = manager_of_distro(d, lower(ref));
  if (pm != PackageManager::Unknown) p.package_manager = known(pm, e);
  return p;
}

// ------------------------------------------------------------------ RUN

SourceSpan Run::source(const Tree& tree, shell::Span span) const {
  const auto b = static_cast<std::uint32_t>(span.begin), e = static_cast<std::uint32_t>(span.end);
  if (heredoc) return {base + b, base + e};
  return to_source(tree.instructions[instruction], JoinedSpan{base + b, base + e});
}

std::uint32_t Run::source_after(const Tree& tree, std::size_t end) const {
  const auto e = static_cast<std::uint32_t>(end);
  if (heredoc) return base + e;
  return model::source_after(tree.instructions[instruction], base + e);
}

JoinedSpan Run::joined(shell::Span span) const {
  return {base + static_cast<std::uint32_t>(span.begin), base + static_cast<std::uint32_t>(span.end)};
}

namespace {

std::string_view base_name(std::string_view program) {
  const auto slash = program.find_last_of("/\\");
  return slash == std::string_view::npos ? program : program.substr(slash + 1);
}

bool posix_shell(std::string_view program) {
  const std::string_view base = base_name(program);
  for (std::string_view s : {"sh", "bash", "ash", "dash", "zsh", "ksh", "mksh"})
    if (base == s) return true;
  return false;
}

ShellKind shell_kind(std::string_view program) {
  if (posix_shell(program)) return ShellKind::Posix;
  const std::string b = lower(base_name(program));
  if (b == "cmd" || b == "cmd.exe") return ShellKind::Cmd;
  if (b == "powershell" || b == "powershell.exe" || b == "pwsh" || b == "pwsh.exe") return ShellKind::PowerShell;
  return ShellKind::Other;
}

// The program of a heredoc's shebang ("#!/usr/bin/env bash" -> "bash"), or "".
std::string_view shebang_program(std::string_view body) {
  if (!starts_with(body, "#!")) return {};
  const auto eol = body.find('\n');
  std::string_view line = body.substr(2, eol == std::string_view::npos ? body.size() - 2 : eol - 2);
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
  auto sp = line.find(' ');
  std::string_view prog = line.substr(0, sp);
  if (base_name(prog) == "env" && sp != std::string_view::npos) {
    std::string_view rest = line.substr(sp + 1);
    while (starts_with(rest, "-")) {  // env -S bash
      const auto next = rest.find(' ');
      if (next == std::string_view::npos) return {};
      rest = rest.substr(next + 1);
    }
    prog = rest.substr(0, rest.find(' '));
  }
  return prog;
}

// `bash <<EOF`, `sh -ex <<EOF`, `python3 <<EOF`: the program a heredoc script is
// fed to, when the arguments are that program, its options and the marker only.
std::optional<std::string_view> heredoc_interpreter(std::string_view args, std::string_view marker) {
  if (args.size() <= marker.size() || args.substr(args.size() - marker.size()) != marker) return std::nullopt;
  std::string_view head = args.substr(0, args.size() - marker.size());
  while (!head.empty() && (head.back() == ' ' || head.back() == '\t')) head.remove_suffix(1);
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < head.size()) {
    while (i < head.size() && (head[i] == ' ' || head[i] == '\t')) ++i;
    const std::size_t b = i;
    while (i < head.size() && head[i] != ' ' && head[i] != '\t') ++i;
    if (i > b) words.push_back(head.substr(b, i - b));
  }
  if (words.empty()) return std::nullopt;
  for (std::size_t k = 1; k < words.size(); ++k) {
    const auto w = words[k];
    // Only option clusters without an argument: `bash -c` would take the marker as its script.
    if (w.size() < 2 || w[0] != '-' || w.find_first_of("c'\"$`\\") != std::string_view::npos) return std::nullopt;
  }
  const auto prog = words[0];
  if (prog.find_first_of("'\"$`\\=") != std::string_view::npos) return std::nullopt;
  return prog;
}

Distro distro_of_command(std::string_view n) {
  if (n == "choco" || n == "choco.exe") return Distro::Windows;  // Chocolatey exists only on Windows
  if (n == "apk") return Distro::Alpine;
  if (n == "apt-get" || n == "apt" || n == "dpkg" || n == "aptitude") return Distro::Debian;
  if (n == "yum" || n == "dnf" || n == "microdnf" || n == "tdnf") return Distro::Rhel;
  if (n == "zypper") return Distro::Suse;
  return Distro::Unknown;
}

std::vector<std::string> json_argv(const Instruction& inst, std::size_t from = 0) {
  std::vector<std::string> out;
  for (std::size_t i = from; i < inst.values.size(); ++i) out.emplace_back(inst.values[i].text);
  return out;
}

bool test_runner(const shell::Command& c) {
  const auto inv = shell::invocation(c);
  if (!inv) return false;
  const std::string_view n = inv->name;
  if (n == "pytest" || n == "tox" || n == "nox" || n == "ctest" || n == "jest" || n == "vitest" || n == "rspec" ||
      n == "phpunit")
    return true;
  const auto sub = shell::subcommand(c);
  const std::string_view s = sub ? std::string_view(c.words[*sub].value) : std::string_view();
  if ((n == "go" || n == "cargo" || n == "npm" || n == "yarn" || n == "pnpm" || n == "make" || n == "mvn" ||
       n == "gradle" || n == "dotnet" || n == "bun") &&
      (s == "test" || s == "check" || s == "verify"))
    return true;
  return shell::same_program(n, "python") && inv->name == "unittest";
}

}  // namespace

// ------------------------------------------------------------------ build

std::int32_t Model::stage_named(std::string_view name) const {
  for (const Stage& s : m_stages)
    if (!s.name.empty() && iequals(s.name, name)) return s.index;
  if (!name.empty() && name.find_first_not_of("0123456789") == std::string_view::npos && name.size() < 6) {
    const int k = std::stoi(std::string(name));
    if (k < static_cast<int>(m_stages.size())) return k;
  }
  return -1;
}

std::int32_t Model::stage_of(std::uint32_t instruction) const {
  return instruction < m_stage_of.size() ? m_stage_of[instruction] : -1;
}

std::vector<std::int32_t> Model::chain(std::int32_t stage) const {
  std::vector<std::int32_t> out;
  for (std::int32_t s = stage; s >= 0 && out.size() <= m_stages.size(); s = m_stages[static_cast<std::size_t>(s)].base_stage)
    out.push_back(s);
  std::reverse(out.begin(), out.end());
  return out;
}

std::vector<std::uint32_t> Model::instructions(std::int32_t stage) const {
  std::vector<std::uint32_t> out;
  if (stage < 0) return out;
  const Stage& s = m_stages[static_cast<std::size_t>(stage)];
  for (std::uint32_t i = s.from; i < s.end; ++i) out.push_back(i);
  return out;
}

std::vector<std::uint32_t> Model::chain_instructions(std::int32_t stage) const {
  std::vector<std::uint32_t> out;
  for (std::int32_t s : chain(stage)) {
    const Stage& st = m_stages[static_cast<std::size_t>(s)];
    for (std::uint32_t i = st.from; i < st.end; ++i) out.push_back(i);
  }
  return out;
}

std::int32_t Model::last_in_chain(std::int32_t stage, std::string_view keyword) const {
  std::int32_t found = -1;
  for (auto i : chain_instructions(stage))
    if (m_tree->instructions[i].is(keyword)) found = static_cast<std::int32_t>(i);
  return found;
}

std::uint32_t Model::tail_start(std::int32_t stage) const {
  static constexpr std::string_view k_metadata[] = {"expose", "healthcheck", "entrypoint", "cmd", "user",
                                                    "label", "stopsignal", "volume", "onbuild", "env",
                                                    "arg", "shell", "maintainer"};
  const Stage& s = m_stages[static_cast<std::size_t>(stage)];
  std::uint32_t at = s.end;
  while (at > s.from + 1) {
    const std::string_view kw = m_tree->instructions[at - 1].keyword;
    if (std::none_of(std::begin(k_metadata), std::end(k_metadata), [&](std::string_view m) { return kw == m; })) break;
    --at;
  }
  return at;
}

std::uint32_t Model::header_end(std::int32_t stage) const {
  const Stage& s = m_stages[static_cast<std::size_t>(stage)];
  std::uint32_t last = s.from;
  while (last + 1 < s.end && m_tree->instructions[last + 1].is("arg")) ++last;
  return last;
}

const Run* Model::run_at(std::uint32_t instruction) const {
  if (instruction >= m_run_of.size() || m_run_of[instruction] < 0) return nullptr;
  return &m_runs[static_cast<std::size_t>(m_run_of[instruction])];
}

std::vector<const Run*> Model::parsed_runs(const std::vector<std::uint32_t>& instructions) const {
  std::vector<const Run*> out;
  for (auto i : instructions)
    if (const Run* r = run_at(i); r && r->parsed) out.push_back(r);
  return out;
}

Model Model::build(const Tree& tree, const BuildOptions& options) {
  Model m;
  m.m_tree = &tree;
  const std::vector<syntax::Stage> stages = tree.stages();
  const std::size_t n = tree.instructions.size();
  m.m_stage_of.assign(n, -1);
  m.m_run_of.assign(n, -1);

  // Global ARGs: what FROM lines see.
  for (const Instruction& inst : tree.instructions) {
    if (inst.is("from")) break;
    if (!inst.is("arg")) continue;
    for (auto& d : arg_decls(inst)) {
      Var v;
      if (d.value) {
        auto e = expand(*d.value, m.m_globals);
        v.value = e ? *e : *d.value;
      } else {
        v.known = false;
      }
      m.m_globals[d.name] = std::move(v);
    }
  }

  m.m_stages.reserve(stages.size());
  for (std::size_t si = 0; si < stages.size(); ++si) {
    const syntax::Stage& s = stages[si];
    Stage st;
    st.index = static_cast<std::int32_t>(si);
    st.name = s.name;
    st.from = s.from;
    st.end = s.end;
    st.base_written = s.base;
    st.base_stage = s.base_stage;
    if (st.base_stage < 0) st.base_image = expand(s.base, m.m_globals);
    if (const auto* f = tree.instructions[s.from].flag("platform")) st.platform = std::string(f->value);
    for (std::uint32_t i = s.from; i < s.end && i < n; ++i) m.m_stage_of[i] = static_cast<std::int32_t>(si);
    m.m_stages.push_back(std::move(st));
  }

  // COPY --from and RUN --mount from= edges; FROM edges.
  for (Stage& st : m.m_stages) {
    if (st.base_stage >= 0 && st.base_stage < st.index) m.m_stages[st.base_stage].built_on = true;
    for (std::uint32_t i = st.from; i < st.end && i < n; ++i) {
      const Instruction& inst = tree.instructions[i];
      std::vector<std::string_view> sources;
      if (inst.is("copy") || inst.is("add")) {
        if (const auto* f = inst.flag("from")) sources.push_back(f->value);
      } else if (inst.is("run")) {
        for (const auto& f : inst.flags) {
          if (f.name != "mount") continue;
          std::string_view v = f.value;
          while (!v.empty()) {
            const auto comma = v.find(',');
            const std::string_view item = v.substr(0, comma);
            if (starts_with(item, "from=")) sources.push_back(item.substr(5));
            if (comma == std::string_view::npos) break;
            v.remove_prefix(comma + 1);
          }
        }
      }
      for (std::string_view src : sources) {
        const std::int32_t k = m.stage_named(src);
        if (k >= 0 && k != st.index) {
          if (std::find(st.copies_from.begin(), st.copies_from.end(), k) == st.copies_from.end())
            st.copies_from.push_back(k);
          m.m_stages[static_cast<std::size_t>(k)].copied_from = true;
        } else if (k < 0) {
          std::string img(src);
          if (auto e = expand(src, m.m_globals)) img = *e;
          if (std::find(st.copies_from_images.begin(), st.copies_from_images.end(), img) ==
              st.copies_from_images.end())
            st.copies_from_images.push_back(std::move(img));
        }
      }
    }
  }

  // RUNs, shells and platforms, stage by stage (a stage's base stage always comes first).
  const bool backtick = tree.escape == '`';
  for (Stage& st : m.m_stages) {
    const bool inherits = st.base_stage >= 0 && st.base_stage < st.index;
    Platform p;
    if (inherits) {
      p = m.m_stages[static_cast<std::size_t>(st.base_stage)].platform_facts;
      for (auto* e : {&p.os.evidence, &p.distro.evidence, &p.package_manager.evidence})
        if (*e > Evidence::InRepoBase) *e = Evidence::InRepoBase;
    } else {
      p = platform_of_image(st.base_image.value_or(st.base_written));
    }
    // A backtick escape is a Windows convention; with a Windows base it says nothing new.
    if (backtick && p.os.value == OsFamily::Unknown) p.os = known(OsFamily::Windows, Evidence::Guessed);
    std::vector<std::string> shell = m.final_shell_of(st.base_stage, p.windows());
    Distro used = Distro::Unknown;
    PackageManager used_pm = PackageManager::Unknown;
    for (std::uint32_t i = st.from; i < st.end && i < n; ++i) {
      const Instruction& inst = tree.instructions[i];
      if (inst.is("shell")) {
        if (inst.form == syntax::ArgsForm::Json && !inst.values.empty()) {
          shell = json_argv(inst);
          const ShellKind k = shell_kind(shell[0]);
          if ((k == ShellKind::Cmd || k == ShellKind::PowerShell) && p.os.value == OsFamily::Unknown &&
              lower(base_name(shell[0])).rfind("pwsh", 0) != 0)
            p.os = known(OsFamily::Windows, Evidence::Guessed);
        }
        continue;
      }
      if (!inst.is("run")) continue;
      Run run;
      run.instruction = i;
      run.stage = st.index;
      if (inst.form == syntax::ArgsForm::Json) {
        run.shell = ShellKind::Exec;
        if (!inst.values.empty()) run.shell_program = std::string(inst.values[0].text);
        m.m_run_of[i] = static_cast<std::int32_t>(m.m_runs.size());
        m.m_runs.push_back(std::move(run));
        continue;
      }
      run.shell_program = shell.empty() ? std::string() : shell[0];
      run.shell = shell.empty() ? ShellKind::Other : shell_kind(shell[0]);
      if (run.shell == ShellKind::Posix) {
        const std::string_view args = inst.logical_args();
        run.base = inst.args.begin;
        bool script_is_args = true;
        if (!inst.heredocs.empty() && inst.heredocs.size() == 1 && inst.heredocs.front().fd == 0) {
          const auto& h = inst.heredocs.front();
          const std::string_view marker = std::string_view(inst.logical.text).substr(h.marker.begin, h.marker.size());
          const std::string_view body = tree.text(h.body);
          std::optional<std::string_view> fed;
          if (args == marker) fed = shebang_program(body);
          else fed = heredoc_interpreter(args, marker);
          if (fed) {
            script_is_args = false;
            // `RUN <<EOF` with no shebang runs the body with the stage's shell.
            if (!fed->empty()) {
              run.shell_program = std::string(*fed);
              run.shell = shell_kind(*fed);
            }
            if (run.shell == ShellKind::Posix) {
              run.heredoc = true;
              run.base = h.body.begin;
              run.text = std::string(body);
              run.script = shell::parse(run.text);
              run.parsed = true;
              run.editable = run.script.complete && !h.chomp;
            }
          }
        }
        if (script_is_args) {
          run.text = std::string(args);
          run.script = shell::parse(run.text);
          run.parsed = true;
          run.editable = run.script.complete;
        }
        if (run.parsed && (used == Distro::Unknown || used_pm == PackageManager::Unknown)) {
          for (const auto& c : run.script.commands) {
            const auto inv = shell::invocation(c);
            if (!inv) continue;
            if (used == Distro::Unknown) used = distro_of_command(inv->name);
            if (used_pm == PackageManager::Unknown) used_pm = manager_of_program(inv->name);
            if (used != Distro::Unknown && used_pm != PackageManager::Unknown) break;
          }
        }
      }
      m.m_run_of[i] = static_cast<std::int32_t>(m.m_runs.size());
      m.m_runs.push_back(std::move(run));
    }
    if (used == Distro::Windows) {
      // Found out from its commands (choco): its RUNs are cmd's, not POSIX sh.
      p.distro = known(used, Evidence::PackageCommand);
      p.os = known(OsFamily::Windows, Evidence::PackageCommand);
      for (Run& r : m.m_runs) {
        if (r.stage != st.index || r.shell != ShellKind::Posix) continue;
        r.shell = ShellKind::Cmd;
        r.parsed = false;
        r.editable = false;
        r.heredoc = false;
        r.script = shell::Script{};
      }
    } else if (used != Distro::Unknown) {
      p.distro = known(used, Evidence::PackageCommand);
      p.os = known(OsFamily::Linux, Evidence::PackageCommand);
    }
    if (used_pm != PackageManager::Unknown) p.package_manager = known(used_pm, Evidence::PackageCommand);
    st.platform_facts = p;
  }

  // Which stage ships.
  auto& sts = m.m_stages;
  if (!sts.empty()) {
    std::int32_t shipped = -1;
    if (!options.target.empty()) {
      shipped = m.stage_named(options.target);
      if (shipped >= 0) m.m_shipped_reason = "target";
    }
    if (shipped < 0 && !options.stages.empty()) {
      std::string_view runtime = options.stages.back();
      for (const auto& name : options.stages)
        if (iequals(name, "runtime")) runtime = name;
      shipped = m.stage_named(runtime);
      if (shipped >= 0) m.m_shipped_reason = "policy stages";
    }
    if (shipped < 0) {
      shipped = static_cast<std::int32_t>(sts.size()) - 1;
      m.m_shipped_reason = "last stage";
      // A last stage built on an earlier one only to test it does not ship.
      while (shipped > 0) {
        Stage& s = sts[static_cast<std::size_t>(shipped)];
        if (s.base_stage < 0 || s.copied_from || s.built_on) break;
        const std::string name = lower(s.name);
        bool named_test = name == "test" || name == "tests" || name == "testing" || name == "check" ||
                          name == "lint" || name == "ci" || starts_with(name, "test-") || starts_with(name, "test_") ||
                          ends_with(name, "-test") || ends_with(name, "_test") || ends_with(name, "-tests");
        bool runs_tests = false, configures = false;
        for (std::uint32_t i = s.from + 1; i < s.end && i < n; ++i) {
          const Instruction& inst = tree.instructions[i];
          if (inst.is("entrypoint") || inst.is("cmd") || inst.is("expose") || inst.is("healthcheck")) configures = true;
          if (const Run* r = m.run_at(i); r && r->parsed)
            for (const auto& c : r->script.commands) runs_tests = runs_tests || test_runner(c);
        }
        if (!(named_test || (runs_tests && !configures))) break;
        s.tests_only = true;
        shipped = s.base_stage;
        m.m_shipped_reason = "last stage not a test";
      }
    }
    m.m_shipped = shipped;
    sts[static_cast<std::size_t>(shipped)].shipped = true;
    for (std::int32_t s = shipped; s >= 0 && !sts[static_cast<std::size_t>(s)].ships;
         s = sts[static_cast<std::size_t>(s)].base_stage)
      sts[static_cast<std::size_t>(s)].ships = true;
  }
  m.m_final.resize(sts.size());
  return m;
}

bool Model::posix_shell_at(std::int32_t stage, std::uint32_t at) const {
  if (m_stages[static_cast<std::size_t>(stage)].platform_facts.windows()) return false;
  const State s = state_at(stage, at);
  return !s.shell.empty() && shell_kind(s.shell[0]) == ShellKind::Posix;
}

}  // namespace dockmend::model
