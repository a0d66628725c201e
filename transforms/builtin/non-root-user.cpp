// The image should not run as root. When the final stage never switches user,
// switch to the user the Dockerfile already creates, or create a system user.
// A policy with a `user` section owns this (the `user` rule), so this rule
// stays quiet there and the two never disagree.
//
// The fix is unsafe (it changes the user every process of the image runs as)
// and is offered only when nothing says the image needs root:
//  - images meant to be built FROM (ONBUILD, an official-images repository, a
//    CMD that is a shell or an interpreter's prompt, a "base" name) get no USER:
//    every downstream `apt-get` would fail;
//  - an entrypoint that needs root (writes to /etc, binds a port below 1024,
//    runs iptables or sysctl, starts a daemon that drops privileges itself)
//    gets a finding without a fix; one that drops privileges itself (gosu,
//    su-exec, setpriv, `--user NAME`) gets no finding: its program does not
//    run as root. The script is read from the build context, where the
//    Dockerfile COPYs it from; a script that cannot be read leaves the fix out.
//  - a base that already runs as non-root (an in-repo stage, or a well-known
//    non-root image: distroless :nonroot, Chainguard, Bitnami, Jupyter, ...)
//    gets no finding.
// hadolint's DL3002 reports only an explicit `USER root` as the last USER;
// Trivy's DS002 also reports a file without USER. Both report, neither fixes.
#include <fmt/format.h>

#include <cstring>

#include "edit/builders.hpp"
#include "model/commands.hpp"
#include "model/text.hpp"
#include "transforms/build_context.hpp"
#include "transforms/rule.hpp"

namespace dockmend::transforms::rules {
namespace {

using model::lower;
using model::starts_with;

bool is_root(std::string_view user) {
  const std::string_view name = user.substr(0, user.find(':'));
  return name == "root" || name == "0";
}

bool contains(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }

std::string_view basename(std::string_view p) {
  const auto slash = p.rfind('/');
  return slash == std::string_view::npos ? p : p.substr(slash + 1);
}

// The user the stage's RUNs create (useradd NAME, adduser NAME), if any.
std::string created_user(const model::Model& m, const std::vector<bool>& in_chain) {
  std::string name;
  for (const model::Run& run : m.runs()) {
    if (!run.parsed || run.stage < 0 || !in_chain[static_cast<std::size_t>(run.stage)]) continue;
    for (const auto& cmd : run.script.commands) {
      auto inv = shell::invocation(cmd);
      if (!inv || (inv->name != "useradd" && inv->name != "adduser")) continue;
      // The user name is the last operand (busybox: adduser [opts] USER [GROUP] is rare with a group).
      std::optional<std::size_t> last;
      for (std::size_t i = inv->args; i < cmd.words.size(); ++i) {
        const std::string_view v = cmd.words[i].value;
        if (v.size() > 1 && v[0] == '-') {
          if (v.find('=') == std::string_view::npos && shell::takes_argument(inv->name, v)) ++i;
          continue;
        }
        last = i;
      }
      if (last && !cmd.words[*last].has_expansion) name = cmd.words[*last].value;
    }
  }
  return name;
}

// Whether the text names a tool that drops privileges at run time (gosu,
// su-exec, setpriv, runuser) or a supervisor that does (supervisord,
// s6-overlay). Each name has an `s`: memchr jumps from one `s` to the next,
// and the names are tried around it (six searches of the whole file cost more
// than the rest of the rule).
std::string_view privilege_drop_word(std::string_view text) {
  struct Word {
    std::string_view text;
    std::size_t s;  // offset of its first `s`
    constexpr Word(std::string_view t) : text(t), s(t.find('s')) {}
  };
  static constexpr Word k_words[] = {{"gosu"},        {"su-exec"},    {"setpriv"},      {"runuser"},
                                     {"supervisord"}, {"s6-overlay"}, {"s6-setuidgid"}, {"chpst"}};
  const char* const begin = text.data();
  const char* const end = begin + text.size();
  for (const char* p = begin; p < end;) {
    const auto* hit = static_cast<const char*>(std::memchr(p, 's', static_cast<std::size_t>(end - p)));
    if (!hit) return {};
    const auto at = static_cast<std::size_t>(hit - begin);
    for (const Word& w : k_words)
      if (at >= w.s && text.substr(at - w.s, w.text.size()) == w.text) return w.text;
    p = hit + 1;
  }
  return {};
}

// A port number below 1024 in `v` ("80", "0.0.0.0:443", "--port=80"), 0 when none.
int privileged_port_in(std::string_view v) {
  const auto colon = v.rfind(':');
  const auto eq = v.rfind('=');
  std::size_t from = 0;
  if (colon != std::string_view::npos) from = colon + 1;
  else if (eq != std::string_view::npos) from = eq + 1;
  const std::string_view digits = v.substr(from);
  if (digits.empty() || digits.size() > 4 || digits.find_first_not_of("0123456789") != std::string_view::npos)
    return 0;
  const int port = std::atoi(std::string(digits).c_str());
  return port > 0 && port < 1024 ? port : 0;
}

// Programs that start as root and drop privileges themselves, or need root to
// do their job (bind :80, manage the network, run other services).
bool root_daemon(std::string_view program) {
  for (std::string_view d : {"nginx", "httpd", "apache2", "apache2ctl", "apachectl", "httpd-foreground",
                             "apache2-foreground", "sshd", "cron", "crond", "supervisord", "systemd", "init",
                             "postfix", "dovecot", "named", "squid", "dnsmasq", "openvpn", "tailscaled",
                             "dockerd", "dockerd-entrypoint.sh", "containerd", "rsyslogd", "syslog-ng", "vsftpd",
                             "smbd", "slapd", "haproxy", "varnishd", "lighttpd", "caddy", "exim", "sendmail"})
    if (program == d) return true;
  return starts_with(program, "php-fpm") || program == "s6-svscan";
}

// Why a script (an entrypoint, or a CMD's shell text) needs root, or "".
// `drop` is set to the privilege-dropping tool it runs, if any.
std::string root_need(std::string_view text, std::string& drop) {
  if (auto w = privilege_drop_word(text); !w.empty()) drop = std::string(w);
  const shell::Script script = shell::parse(text);
  for (const auto& c : script.commands) {
    if (c.words.empty()) {
      for (const auto& r : c.redirects)
        if (starts_with(r.target.value, "/etc/") && r.op != "<" && r.op != "<<" && r.op != "<<<")
          return fmt::format("writes {}", r.target.value);
      continue;
    }
    const std::string_view prog = basename(c.words[0].value);
    if (drop.empty() && (prog == "su" || prog == "sudo" || prog == "chroot")) drop = std::string(prog);
    for (std::size_t i = 1; i < c.words.size(); ++i) {
      const std::string_view v = c.words[i].value;
      // `--user NAME`, `--uid NAME` (uwsgi, gunicorn, celery, php-fpm -R...): the program drops privileges.
      if (drop.empty() && (v == "--user" || v == "--uid" || starts_with(v, "--user=") || starts_with(v, "--uid=")) &&
          prog != "curl" && prog != "wget" && prog != "pip" && prog != "pip3" && prog != "git" && prog != "docker")
        drop = std::string(v.substr(0, v.find('=')));
    }
    auto inv = shell::invocation(c);
    const std::string_view name = inv ? inv->name : prog;
    for (std::string_view t : {"iptables", "ip6tables", "iptables-restore", "nft", "sysctl", "mount", "modprobe",
                               "setcap", "useradd", "groupadd", "usermod", "adduser", "addgroup", "update-ca-certificates",
                               "apt-get", "apk", "yum", "dnf", "service", "systemctl", "chown", "ulimit", "ldconfig"})
      if (name == t) return fmt::format("runs {}", t);
    if (root_daemon(name)) return fmt::format("starts {}", name);
    const bool writer = name == "sed" || name == "tee" || name == "cp" || name == "mv" || name == "ln" ||
                        name == "install" || name == "rm" || name == "chmod" || name == "touch" || name == "mkdir" ||
                        name == "envsubst" || name == "echo" || name == "printf" || name == "cat";
    for (const auto& r : c.redirects)
      if (starts_with(r.target.value, "/etc/") && r.op != "<" && r.op != "<<" && r.op != "<<<")
        return fmt::format("writes {}", r.target.value);
    if (writer && name != "echo" && name != "printf" && name != "cat")
      for (std::size_t i = inv ? inv->args : 1; i < c.words.size(); ++i)
        if (starts_with(c.words[i].value, "/etc/") && (name != "sed" || shell::has_option(c, {"-i", "--in-place"})) &&
            (name != "cp" || i + 1 == c.words.size()))
          return fmt::format("writes {}", c.words[i].value);
    for (std::size_t i = 1; i + 1 < c.words.size(); ++i) {
      const std::string_view v = c.words[i].value;
      if (v == "--port" || v == "-p" || v == "--bind" || v == "-b" || v == "--listen")
        if (int port = privileged_port_in(c.words[i + 1].value)) return fmt::format("listens on port {}", port);
      if (starts_with(v, "--port=") || starts_with(v, "--bind=") || starts_with(v, "--listen="))
        if (int port = privileged_port_in(v)) return fmt::format("listens on port {}", port);
    }
  }
  return "";
}

// Bases that already run as a non-root user.
bool well_known_nonroot_base(std::string_view ref) {
  for (std::string_view part : {"nonroot", "non-root", "rootless", "unprivileged", "cgr.dev/", "bitnami/",
                                "jupyter/", "gitpod/workspace", "/ubi8/python", "/ubi9/python", "/ubi8/nodejs",
                                "/ubi9/nodejs", "/ubi8/ruby", "/ubi9/ruby", "/ubi8/php", "/ubi9/php", "sclorg/",
                                "/s2i-", "jenkins/jenkins", "jenkins/inbound-agent", "grafana/grafana",
                                "sonarqube", "sonatype/nexus", "confluentinc/", "apache/airflow", "elasticsearch",
                                "docker.elastic.co/", "keycloak/keycloak", "-chiseled", "renovate/renovate", "prom/prometheus", "prom/alertmanager"})
    if (contains(ref, part)) return true;
  return false;
}

// CMD or ENTRYPOINT as argv (shell form: the shell text as the only word, `shell` set).
struct Command {
  std::vector<std::string> argv;
  bool shell = false;
};

Command argv_of(const syntax::Instruction& inst) {
  Command c;
  if (inst.form == syntax::ArgsForm::Json) {
    for (const auto& v : inst.values) c.argv.emplace_back(v.text);
  } else {
    c.shell = true;
    c.argv.emplace_back(inst.logical_args());
  }
  return c;
}

// The program the container starts, through init wrappers and `sh -c`; sets
// `shell_text` when the program is a shell script given inline.
std::string started_program(const Command& c, std::string& shell_text) {
  if (c.argv.empty()) return "";
  if (c.shell) {
    shell_text = c.argv[0];
    const shell::Script s = shell::parse(shell_text);
    for (const auto& cmd : s.commands)
      if (auto inv = shell::invocation(cmd); inv && cmd.depth == 0) return cmd.words[inv->program].value;
    return "";
  }
  std::size_t i = 0;
  auto name = [&](std::size_t k) { return basename(c.argv[k]); };
  while (i < c.argv.size() && (name(i) == "tini" || name(i) == "dumb-init" || name(i) == "catatonit" ||
                               name(i) == "tini-static" || c.argv[i] == "--" || starts_with(c.argv[i], "-")))
    ++i;
  if (i >= c.argv.size()) return "";
  const std::string_view prog = name(i);
  if ((prog == "sh" || prog == "bash" || prog == "ash" || prog == "dash") && i + 1 < c.argv.size()) {
    std::size_t k = i + 1;
    while (k < c.argv.size() && starts_with(c.argv[k], "-") && c.argv[k] != "-c") ++k;
    if (k < c.argv.size() && c.argv[k] == "-c") {
      if (k + 1 < c.argv.size()) {
        shell_text = c.argv[k + 1];
        const shell::Script s = shell::parse(shell_text);
        for (const auto& cmd : s.commands)
          if (auto inv = shell::invocation(cmd); inv && cmd.depth == 0) return cmd.words[inv->program].value;
      }
      return "";
    }
    if (k < c.argv.size()) return c.argv[k];  // sh /entrypoint.sh
  }
  return c.argv[i];
}

// Resolves `p` against WORKDIR `wd` (absolute paths stay).
std::string resolve(std::string_view p, std::string_view wd) {
  std::string out(p);
  while (starts_with(out, "./")) out.erase(0, 2);
  if (out == ".") out.clear();
  if (out.empty() || out[0] != '/') {
    std::string base(wd.empty() ? "/" : wd);
    if (base.back() != '/') base += '/';
    out = base + out;
  }
  while (out.size() > 2 && model::ends_with(out, "/.")) out.erase(out.size() - 2);
  return out;
}

// The build-context file the image's `target` path comes from (a COPY/ADD
// without --from in the final stage's chain), "" when none; `found` says
// whether some COPY/ADD puts a file there at all.
std::string context_source(const Context& ctx, const std::vector<bool>& in_chain,
                           std::string_view target, bool& copied) {
  const auto& tree = ctx.tree;
  std::string wd = "/";
  std::string result;
  const bool bare = target.find('/') == std::string_view::npos;  // found on PATH
  for (std::size_t i = 0; i < tree.instructions.size(); ++i) {
    const std::int32_t s = ctx.model.stage_of(static_cast<std::uint32_t>(i));
    if (s < 0 || !in_chain[static_cast<std::size_t>(s)]) continue;
    const auto& inst = tree.instructions[i];
    if (inst.is("from")) wd = "/";
    if (inst.is("workdir") && !inst.values.empty()) wd = resolve(inst.values[0].text, wd);
    if ((!inst.is("copy") && !inst.is("add")) || inst.values.size() < 2 || inst.form == syntax::ArgsForm::None)
      continue;
    const bool from_stage = inst.flag("from") != nullptr;
    std::string dest = resolve(inst.values[inst.values.size() - 1].text, wd);
    const bool dir_dest = inst.values.size() > 2 || (!dest.empty() && dest.back() == '/');
    while (dest.size() > 1 && dest.back() == '/') dest.pop_back();
    for (std::size_t k = 0; k + 1 < inst.values.size(); ++k) {
      std::string src(inst.values[k].text);
      while (starts_with(src, "./")) src.erase(0, 2);
      while (src.size() > 1 && src.back() == '/') src.pop_back();
      std::string candidate;  // where `target` would come from in the context
      const std::string placed = dir_dest ? dest + "/" + std::string(basename(src)) : dest;
      if (bare ? basename(placed) == target : placed == target) candidate = src;
      else if (!bare && starts_with(target, dest + "/") && (src == "." || ctx.files.exists(ctx.in_context(src + "/" + std::string(target.substr(dest.size() + 1))))))
        candidate = src == "." ? std::string(target.substr(dest.size() + 1)) : src + "/" + std::string(target.substr(dest.size() + 1));
      else if (bare && src == ".")
        continue;
      if (candidate.empty()) continue;
      copied = true;
      result = from_stage ? std::string() : candidate;  // the last COPY to that path wins
    }
  }
  return result;
}

// CMD ["bash"], CMD ["python3"], CMD ["node"]: the image is a toolbox or a
// language base (docker-library's images end so), not a service.
bool starts_prompt(const syntax::Instruction* entrypoint, const syntax::Instruction* cmd) {
  if (entrypoint && entrypoint->form == syntax::ArgsForm::Json && !entrypoint->values.empty()) {
    // docker-entrypoint.sh that runs its arguments: what runs is the CMD.
    const std::string_view e = basename(entrypoint->values[0].text);
    if (e != "docker-entrypoint.sh" && e != "entrypoint.sh" && e != "tini" && e != "dumb-init") return false;
  } else if (entrypoint) {
    return false;
  }
  if (!cmd) return false;
  const Command c = argv_of(*cmd);
  if (c.argv.size() != 1) return false;
  const std::string_view p = basename(c.argv[0]);
  for (std::string_view prompt : {"bash", "sh", "ash", "zsh", "python", "python3", "python2", "node", "irb", "ruby",
                                  "php", "jshell", "ghci", "iex", "erl", "R", "julia", "pwsh", "perl", "lua",
                                  "deno", "bun", "dotnet", "java", "scala", "gradle", "mvn", "go", "rustc", "cargo"})
    if (p == prompt || (starts_with(p, prompt) && p.find_first_not_of("0123456789.", prompt.size()) == std::string_view::npos))
      return true;
  return false;
}

void check(const Context& ctx, Outcome& out) {
  if (ctx.settings.user) {
    out.applicable = false;
    return;
  }
  const auto& tree = ctx.tree;
  const model::Model& m = ctx.model;
  if (m.empty()) {
    out.applicable = false;
    return;
  }
  // The last stage (and the stages it builds on), tests or not: what `docker build` makes by default.
  const auto final_stage = static_cast<std::int32_t>(m.stages().size()) - 1;
  std::vector<bool> in_chain(m.stages().size(), false);
  for (const std::int32_t s : m.chain(final_stage)) in_chain[static_cast<std::size_t>(s)] = true;
  const syntax::Instruction* last_user = nullptr;
  const syntax::Instruction* last_fs = nullptr;  // last instruction that writes files as the current user
  const syntax::Instruction* entrypoint = nullptr;
  const syntax::Instruction* cmd = nullptr;
  int privileged_port = 0;
  bool cmd_in_stage = false;  // ENTRYPOINT resets an inherited CMD, not one of its own stage
  for (std::size_t i = 0; i < tree.instructions.size(); ++i) {
    const std::int32_t s = m.stage_of(static_cast<std::uint32_t>(i));
    if (s < 0 || !in_chain[static_cast<std::size_t>(s)]) continue;
    const auto& inst = tree.instructions[i];
    if (inst.is("user")) last_user = &inst;
    if (s == final_stage && (inst.is("run") || inst.is("copy") || inst.is("add") || inst.is("workdir") ||
                             inst.is("volume") || inst.is("from")))
      last_fs = &inst;
    // The nearest ENTRYPOINT and CMD (an inherited one counts: a stage FROM another keeps them).
    if (inst.is("from")) cmd_in_stage = false;
    if (inst.is("entrypoint")) {
      entrypoint = &inst;
      if (!cmd_in_stage) cmd = nullptr;
    }
    if (inst.is("cmd")) cmd = &inst, cmd_in_stage = true;
    if (inst.is("expose"))
      for (const auto& v : inst.values) {
        const int port = std::atoi(std::string(v.text).c_str());
        if (port > 0 && port < 1024) privileged_port = port;
      }
  }
  const model::Stage& final = m.stages()[static_cast<std::size_t>(final_stage)];
  const model::Distro distro = final.platform_facts.distro.value;
  const std::string base = lower(final.base_written);
  if (distro == model::Distro::Windows || distro == model::Distro::Scratch || final.platform_facts.windows()) {
    out.applicable = false;
    return;
  }
  out.applicable = true;
  if (last_user && !is_root(last_user->values.empty() ? "" : last_user->values[0].text)) {
    if (out.wants_correct) out.correct.push_back(fmt::format("runs as {}", last_user->values[0].text));
    return;
  }
  // Base images that already run unprivileged.
  if (!last_user && final.base_stage < 0 &&
      (well_known_nonroot_base(base) || distro == model::Distro::Distroless)) {
    if (out.wants_correct) out.correct.push_back("the base image runs as a non-root user");
    return;
  }
  bool sure_base = false;
  const std::string as_base = last_user ? std::string() : meant_as_base(ctx, final, sure_base);
  if (sure_base) {
    out.applicable = false;
    return;
  }
  // What the container starts, and whether it needs root.
  std::string why_root, drop;
  bool unsure = false;
  {
    const syntax::Instruction* starts = entrypoint ? entrypoint : cmd;
    std::string inline_text;
    const std::string program = starts ? started_program(argv_of(*starts), inline_text) : std::string();
    if (!inline_text.empty()) why_root = root_need(inline_text, drop);
    if (why_root.empty() && drop.empty() && !program.empty()) {
      const std::string_view name = basename(program);
      if (root_daemon(name)) why_root = fmt::format("starts {}", name);
      else if (name == "gosu" || name == "su-exec" || name == "setpriv" || name == "runuser" || name == "chpst" ||
               name == "s6-setuidgid" || name == "init" || program == "/init")
        drop = std::string(name);
    }
    if (why_root.empty() && drop.empty() && !program.empty()) {
      // A script the Dockerfile COPYs from the build context: read it.
      bool copied = false;
      std::string wd = "/";
      for (std::uint32_t i = 0; i < tree.instructions.size(); ++i)
        if (m.stage_of(i) >= 0 && in_chain[static_cast<std::size_t>(m.stage_of(i))] && tree.instructions[i].is("workdir") &&
            !tree.instructions[i].values.empty())
          wd = resolve(tree.instructions[i].values[0].text, wd);
      const bool bare = program.find('/') == std::string::npos;
      const std::string target = bare ? program : resolve(program, wd);
      const std::string src = context_source(ctx, in_chain, target, copied);
      if (!src.empty()) {
        if (auto text = ctx.files.read(ctx.in_context(src))) {
          why_root = root_need(*text, drop);
          if (why_root.empty() && drop.empty())
            for (const auto& v : {"exec \"$@\"", "exec $@"})
              if (contains(*text, v) && cmd && entrypoint) {
                // The entrypoint runs the CMD: that is what the container starts.
                std::string ignored;
                const std::string p = started_program(argv_of(*cmd), ignored);
                if (root_daemon(basename(p))) why_root = fmt::format("starts {}", basename(p));
              }
        } else {
          unsure = true;  // copied from the context, but not there to read
        }
      } else if (copied) {
        unsure = true;  // copied from another stage or image: not readable here
      }
    }
  }
  // The Dockerfile itself: tools that drop privileges at run time.
  if (drop.empty() && !last_user)
    if (auto w = privilege_drop_word(tree.source); !w.empty()) drop = std::string(w);
  if (!drop.empty() && !last_user) {
    if (out.wants_correct) out.correct.push_back(fmt::format("the entrypoint drops privileges itself ({})", drop));
    return;
  }
  Finding f;
  f.message = last_user ? "the last USER is root: the container runs as root"
                        : "no USER in the final stage: the container runs as root";
  f.at = last_user ? last_user->keyword_span : tree.instructions[final.from].keyword_span;
  f.current = last_user ? tree.text(last_user->text) : "root (no USER)";
  // Why no USER is added (the finding then says so).
  std::string no_fix;
  if (last_user) no_fix = "it switches to root on purpose";
  else if (!as_base.empty()) no_fix = as_base;
  else if (!why_root.empty()) no_fix = "the entrypoint needs root: it " + why_root;
  else if (privileged_port) no_fix = fmt::format("it listens on port {} (below 1024)", privileged_port);
  else if (!entrypoint && !cmd) no_fix = "it starts no program of its own";
  else if (starts_prompt(entrypoint, cmd)) no_fix = "it starts a shell or an interpreter's prompt: an image to build FROM";
  else if (unsure) no_fix = "its entrypoint script is not in the build context to read";
  else if (!last_fs) no_fix = "the stage writes no files";
  if (!no_fix.empty() && !last_user) f.message += fmt::format(" (no fix: {})", no_fix);
  const bool known = distro == model::Distro::Debian || distro == model::Distro::Rhel || distro == model::Distro::Alpine;
  const std::string existing = no_fix.empty() ? created_user(m, in_chain) : std::string();
  if (no_fix.empty() && (known || !existing.empty())) {
    bool minimal = false;  // ubi-minimal and friends have no useradd
    for (const model::Run& run : m.runs())
      if (run.parsed && run.stage >= 0 && in_chain[static_cast<std::size_t>(run.stage)])
        for (const auto& c : run.script.commands)
          if (model::runs(c, "microdnf")) minimal = true;
    if (contains(base, "minimal") || contains(base, "micro")) minimal = true;
    const edit::Style style = edit::style_of(tree);
    std::vector<std::string> lines;
    std::string name = existing;
    if (name.empty() && !minimal) {
      // A useradd RUN under `SHELL ["powershell", ...]` would not run as written.
      const auto fs_index = static_cast<std::uint32_t>(last_fs - tree.instructions.data());
      if (!m.posix_shell_at(m.stage_of(fs_index), fs_index + 1)) {
        f.message += " (no fix: the SHELL there is not a POSIX shell)";
      } else {
        name = "app";
        if (distro == model::Distro::Alpine)
          lines.push_back(edit::keyword(style, "run") + " addgroup -S app && adduser -S -G app app");
        else
          lines.push_back(edit::keyword(style, "run") +
                          " groupadd --system app && useradd --system --gid app --create-home app");
      }
    }
    if (!name.empty()) {
      lines.push_back(edit::keyword(style, "user") + " " + name);
      f.expected = "USER " + name;
      edit::Fix fix;
      fix.reason = existing.empty() ? "create a system user and switch to it" : "switch to the user the file creates";
      fix.edits.push_back(edit::insert_after(tree, *last_fs, lines));
      f.fix = std::move(fix);
    }
  }
  out.findings.push_back(std::move(f));
}

}  // namespace

const RuleRegistration k_non_root_user{RuleSpec("non-root-user")
    .example("FROM debian:12\nRUN useradd --system --create-home app\nCOPY . /srv\nCMD [\"python3\", \"-m\", \"http.server\", \"8000\"]\n",
             "FROM debian:12\nRUN useradd --system --create-home app\nCOPY . /srv\nUSER app\nCMD [\"python3\", \"-m\", \"http.server\", \"8000\"]\n",
             "FROM debian:12\nRUN useradd --system --create-home app\nCOPY . /srv\nUSER app\nCMD [\"python3\", \"-m\", \"http.server\", \"8000\"]\n")
    .aliases("DL3002")
    .safety(FixSafety::Unsafe)
    .priority(1)
    .order(370)
    .summary("the final stage runs as root (last USER is root, or no USER)")
    .fix("switches to the user the file creates, or creates a system user `app` and switches to it, "
        "after the last RUN/COPY of the final stage; only for a service image whose entrypoint needs "
        "no root (never a base image; off when the policy has a user section)")
    .check(&check)};

}  // namespace dockmend::transforms::rules
