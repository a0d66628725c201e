// tini: tini is PID 1 of the runtime image (ENTRYPOINT ["/usr/bin/tini", "--", ...])
// and the runtime stage installs it.
#include <algorithm>

#include <fmt/format.h>

#include "edit/builders.hpp"
#include "model/instruction_edits.hpp"
#include "model/packages.hpp"
#include "model/text.hpp"
#include "syntax/dump.hpp"
#include "transforms/findings.hpp"
#include "transforms/rule.hpp"

namespace dockmend::transforms::rules {
namespace {

using model::basename;
using model::contains_token;
using model::ends_with;
using model::icontains;
using model::starts_with;
using model::PackageManager;

bool is_tini(std::string_view program) { return starts_with(basename(program), "tini"); }

bool is_root(std::string_view user) {
  const auto name = user.substr(0, user.find(':'));
  return name == "root" || name == "0";
}

// Options of dumb-init that take a value.
bool dumb_init_takes_value(std::string_view o) { return o == "-r" || o == "--rewrite"; }

std::string entrypoint_text(const syntax::Tree& tree, const syntax::Instruction& inst) {
  (void)tree;
  return "ENTRYPOINT " + std::string(inst.logical_args());
}

// The words of a shell-form ENTRYPOINT when no shell is needed to run it.
std::optional<std::vector<std::string>> simple_words(std::string_view text) {
  const auto script = shell::parse(text);
  if (!script.complete || script.commands.size() != 1) return std::nullopt;
  const auto& c = script.commands[0];
  if (!c.assignments.empty() || !c.redirects.empty() || c.words.empty() || c.after != shell::Separator::None)
    return std::nullopt;
  std::vector<std::string> out;
  for (std::size_t i = 0; i < c.words.size(); ++i) {
    const auto& w = c.words[i];
    if (w.has_expansion) return std::nullopt;
    const auto raw = shell::slice(text, w.span);
    if (!w.quoted && raw.find_first_of("*?[~") != std::string_view::npos) return std::nullopt;
    if (i == 0 && w.value == "exec" && c.words.size() > 1) continue;
    out.push_back(w.value);
  }
  return out;
}

// Whether the image is RHEL-like without tini in its repositories: UBI, RHEL,
// CentOS, Rocky, Alma, Oracle Linux (tini is only in EPEL). Fedora packages it.
bool fedora_base(const model::Model& st, int fin) {
  for (int k : st.chain(fin))
    if (const auto& b = st.stages()[static_cast<std::size_t>(k)].base_image; b && icontains(*b, "fedora")) return true;
  return false;
}
struct Distro {
  PackageManager pm = PackageManager::Unknown;
  bool fedora = false;
};
bool rhel_family(const Distro& d) {
  return !d.fedora && (d.pm == PackageManager::Dnf || d.pm == PackageManager::Microdnf || d.pm == PackageManager::Yum ||
                       d.pm == PackageManager::Tdnf);
}

// Where the distribution's tini package puts the binary: Debian/Ubuntu's tini
// package ships /usr/bin/tini, Alpine's (community) /sbin/tini, Fedora's
// /usr/bin/tini. RHEL/UBI base repositories have no tini package.
std::optional<std::string> package_path(const Distro& d) {
  if (d.pm == PackageManager::Apt) return std::string("/usr/bin/tini");
  if (d.pm == PackageManager::Apk) return std::string("/sbin/tini");
  if (d.fedora && d.pm == PackageManager::Dnf) return std::string("/usr/bin/tini");
  return std::nullopt;
}

// Where COPY/ADD puts `source` given its destination `dest`, when that is known.
// As Docker's reference says: a destination ending in `/` is a directory and the
// file keeps its name (an ADD URL's last path segment); with several sources
// the destination must be such a directory (buildkit refuses the build
// otherwise). A destination that is a directory every image has (/usr/bin, ...)
// is one too, written with or without the slash: COPY copies into an existing
// directory. Not known: a relative destination (WORKDIR's), one holding a
// variable or a wildcard, a source that is a wildcard or whose name is not
// tini's, a path with bytes that are not UTF-8 (JSON cannot name it).
std::optional<std::string> copied_path(std::string_view source, std::string_view dest, bool several) {
  auto plain = [](std::string_view s) { return s.find_first_of("$*?[") == std::string_view::npos; };
  // The file must be tini (tini, tini-static, tini-amd64), and its path one an
  // exec-form ENTRYPOINT can name byte for byte.
  std::string_view name = source;
  if (const auto q = name.find_first_of("?#"); q != std::string_view::npos && name.find("://") != std::string_view::npos)
    name = name.substr(0, q);
  while (!name.empty() && name.back() == '/') name.remove_suffix(1);
  name = basename(name);
  if (!is_tini(name) || !plain(name) || !edit::json_exact(name)) return std::nullopt;
  if (!starts_with(dest, "/") || !plain(dest) || !edit::json_exact(dest)) return std::nullopt;
  std::string d(dest);
  while (d.size() > 1 && ends_with(d, "/") && d[d.size() - 2] == '/') d.pop_back();
  for (const char* dir : {"/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin"})
    if (d == dir) d += "/";
  if (!ends_with(d, "/")) {
    if (several) return std::nullopt;
    return d;
  }
  return d + std::string(name);
}

// How the chain gets tini.
struct Install {
  bool found = false;
  bool by_package = false;        // a package install names tini
  std::optional<std::string> path;  // where a COPY/ADD puts it, or the package's path
  bool epel = false;               // the file enables EPEL (which packages tini)
  std::string run_text;            // the RUNs that fetch or build it (where they put it is not read)
  std::optional<std::uint32_t> copied_to_unknown;  // a COPY/ADD of tini whose destination is not known
};

Install find_install(const syntax::Tree& tree, const model::Model& st, int fin, const Distro& distro) {
  Install out;
  const auto chain = st.chain_instructions(fin);
  for (auto i : chain) {
    const auto& in = tree.instructions[i];
    if (in.is("run") && icontains(in.logical.text, "epel")) out.epel = true;
  }
  for (const auto& pi : model::package_installs(st.parsed_runs(chain))) {
    const auto& c = pi.run->script.commands[pi.command];
    for (auto w : pi.packages)
      if (c.words[w].value == "tini" || c.words[w].value == "tini-static") {
        out.found = out.by_package = true;
        out.path = package_path({pi.manager == PackageManager::Unknown ? distro.pm : pi.manager, distro.fedora});
      }
  }
  for (auto i : chain) {
    const auto& in = tree.instructions[i];
    if ((in.is("add") || in.is("copy")) && in.values.size() >= 2) {
      std::optional<std::string_view> source;  // the first source naming tini
      for (std::size_t v = 0; v + 1 < in.values.size() && !source; ++v)
        if (contains_token(in.values[v].text, "tini") || contains_token(in.values[v].text, "tini-static") ||
            icontains(in.values[v].text, "/tini"))
          source = in.values[v].text;
      if (!source) continue;
      out.found = true;
      if (auto p = copied_path(*source, in.values.back().text, in.values.size() > 2)) out.path = *p;
      else out.copied_to_unknown = i;
    } else if (in.is("run") && !out.found) {
      // curl/wget of a release binary, or a build: trust a RUN that names tini.
      if (contains_token(in.logical.text, "tini") || contains_token(in.logical.text, "tini-static")) {
        out.found = true;
        out.run_text += std::string(in.logical.text) + "\n";
      }
      for (const auto& h : in.heredocs)
        if (contains_token(tree.text(h.body), "tini")) {
          out.found = true;
          out.run_text += std::string(tree.text(h.body)) + "\n";
        }
    }
  }
  return out;
}

// The ENTRYPOINT's argv, when it can be read (exec form, or a shell form that needs no shell).
std::optional<std::vector<std::string>> entrypoint_argv(const syntax::Instruction& ep) {
  if (ep.form == syntax::ArgsForm::Json) {
    if (!ep.json_error.empty()) return std::nullopt;
    std::vector<std::string> out;
    for (const auto& v : ep.values) out.emplace_back(v.text);
    return out;
  }
  return simple_words(ep.logical_args());
}

void check(const Context& ctx, Outcome& out) {
  const auto& init = ctx.settings.init;
  if (!policy_rule_applies(init && init->tini, ctx, out)) return;
  const model::Model& st = ctx.model;
  const auto& tree = ctx.tree;
  const auto style = edit::style_of(tree);
  const int fin = st.shipped();
  const auto& stage = st.stages()[static_cast<std::size_t>(fin)];
  const std::string ref = init->ref;
  bool guessed = false;
  const PackageManager pm = model::installing_manager(st, fin, &guessed);
  const Distro distro{pm, fedora_base(st, fin)};
  const Install inst = find_install(tree, st, fin, distro);
  // Where tini is (or will be): where the file puts it, else where this
  // distribution's package puts it, else the policy's path (a download lands there).
  const std::string path = inst.path ? *inst.path : package_path(distro) ? *package_path(distro) : *init->tini;

  // Whether tini is, or can be, in the image: an ENTRYPOINT naming a tini that
  // is not there would keep the container from starting.
  const bool rhel_or_unknown = rhel_family(distro) || pm == PackageManager::None;
  const bool installable = inst.found ? !(inst.by_package && rhel_family(distro) && !inst.epel)
                                      : (!rhel_or_unknown || init->download.has_value());
  const std::size_t pid1_first = out.findings.size();

  // ---- PID 1
  const int ei = st.last_in_chain(fin, "entrypoint");
  const int ci = st.last_in_chain(fin, "cmd");
  const bool cmd_in_stage = ci >= 0 && static_cast<std::uint32_t>(ci) >= stage.from;
  const std::string wanted_prefix = edit::exec_form({path, "--"});
  const syntax::Instruction* ep = ei >= 0 ? &tree.instructions[static_cast<std::uint32_t>(ei)] : nullptr;
  const auto argv = ep ? entrypoint_argv(*ep) : std::nullopt;
  // tini first: a program named tini, or the path tini is installed at (`COPY
  // tini-amd64 /init` makes /init tini).
  const bool tini_first = argv && !argv->empty() && (is_tini((*argv)[0]) || (inst.path && (*argv)[0] == *inst.path));
  if (ep && tini_first && ep->form == syntax::ArgsForm::Json) {
    // tini is PID 1; it must be where it is installed (an Alpine image has no /usr/bin/tini).
    const std::string& program = (*argv)[0];
    if (starts_with(program, "/") && !inst.by_package && !inst.path && !inst.run_text.empty() &&
        inst.run_text.find(program) == std::string::npos) {
      // A RUN fetches or builds tini, and does not name the path the ENTRYPOINT runs:
      // whether tini is there cannot be decided.
      out.findings.push_back(finding(fmt::format("❓ ENTRYPOINT runs {}; a RUN installs tini, but not by that path", program),
                                     ep->keyword_span, entrypoint_text(tree, *ep),
                                     fmt::format("tini installed at {}", program), ref));
    } else if (starts_with(program, "/") && (inst.path || package_path(distro)) && program != path &&
               (inst.path || inst.by_package || inst.run_text.empty())) {
      auto f = finding(fmt::format("ENTRYPOINT runs {}, but tini is installed at {}", program, path), ep->keyword_span,
                       entrypoint_text(tree, *ep), "ENTRYPOINT starting with " + syntax::json_quote(path), ref);
      edit::Fix fix;
      fix.reason = fmt::format("run tini from {}", path);
      fix.edits.push_back({ep->value_source(0), syntax::json_quote(path)});
      f.fix = std::move(fix);
      out.findings.push_back(std::move(f));
    } else {
      out.correct.push_back(fmt::format("tini is PID 1 ({})", entrypoint_text(tree, *ep)));
    }
  } else if (ep && tini_first) {
    // `ENTRYPOINT tini -- prog`: /bin/sh -c is PID 1 and tini its child. The exec
    // form makes tini PID 1, with its options (-g) kept; a CMD, ignored by the
    // shell form, stays ignored through a shell.
    // tini is run from where it is installed (the policy's or the package's path,
    // as verify and the audit expect), not looked up in PATH.
    std::vector<std::string> all;
    if (ci < 0) {
      all = *argv;
      all[0] = path;
    } else {
      std::size_t dash = 1;
      while (dash < argv->size() && (*argv)[dash] != "--" && starts_with((*argv)[dash], "-")) ++dash;
      all.assign(argv->begin(), argv->begin() + static_cast<std::ptrdiff_t>(std::min(dash, argv->size())));
      all[0] = path;
      all.push_back("--");
      std::string rest;
      for (std::size_t k = dash < argv->size() && (*argv)[dash] == "--" ? dash + 1 : dash; k < argv->size(); ++k)
        rest += (rest.empty() ? "" : " ") + (*argv)[k];
      all.insert(all.end(), {"/bin/sh", "-c", rest});
    }
    const std::string expected = "ENTRYPOINT " + edit::exec_form(all);
    auto f = finding("PID 1 is /bin/sh, not tini (shell-form ENTRYPOINT)", ep->keyword_span, entrypoint_text(tree, *ep),
                     expected, ref);
    edit::Fix fix;
    fix.reason = "tini runs as PID 1 (exec form)";
    fix.edits.push_back(edit::replace_args(*ep, edit::exec_form(all)));
    if (edit::json_exact(all)) f.fix = std::move(fix);
    out.findings.push_back(std::move(f));
  } else if (ei < 0) {
    auto f = finding("PID 1 is not tini: no ENTRYPOINT", tree.instructions[stage.from].keyword_span,
                     ci >= 0 ? "no ENTRYPOINT (CMD runs as PID 1)" : "no ENTRYPOINT",
                     "ENTRYPOINT " + wanted_prefix, ref);
    if (cmd_in_stage) {
      edit::Fix fix;
      fix.reason = "ENTRYPOINT runs tini";
      fix.edits.push_back(edit::insert_before(tree, tree.instructions[static_cast<std::uint32_t>(ci)],
                                              {edit::keyword(style, "entrypoint") + " " + wanted_prefix}));
      f.fix = std::move(fix);
    } else {
      // An ENTRYPOINT would reset the CMD this stage inherits: a person must say what runs.
      f.message += " (and no CMD in the runtime stage: the program to run is unknown)";
    }
    out.findings.push_back(std::move(f));
  } else {
    const auto& e = *ep;
    const std::string current = entrypoint_text(tree, e);
    edit::Fix fix;
    fix.reason = "tini runs the entrypoint as PID 1";
    std::string expected;
    if (e.form == syntax::ArgsForm::Json && e.json_error.empty()) {
      std::vector<std::string> rest;
      for (const auto& v : e.values) rest.emplace_back(v.text);
      std::size_t keep = 0;  // first value kept after `--`
      if (!rest.empty() && basename(rest[0]) == "dumb-init") {
        keep = 1;
        while (keep < rest.size() && starts_with(rest[keep], "-")) {
          const bool sep = rest[keep] == "--";
          keep += dumb_init_takes_value(rest[keep]) ? 2 : 1;
          if (sep) break;
        }
        keep = std::min(keep, rest.size());
      }
      std::vector<std::string> all{path, "--"};
      all.insert(all.end(), rest.begin() + static_cast<std::ptrdiff_t>(keep), rest.end());
      expected = "ENTRYPOINT " + edit::exec_form(all);
      if (rest.empty() || keep == rest.size()) {
        // (Words with bytes that are not UTF-8 would not survive the JSON array.)
        if ((cmd_in_stage || !rest.empty()) && edit::json_exact(all))
          fix.edits.push_back(edit::replace_args(e, edit::exec_form(all)));
      } else {
        // Insert before the first element kept: the array keeps its layout.
        const auto b = e.value_source(0).begin;
        const auto end = e.value_source(keep).begin;
        fix.edits.push_back({{b, end}, syntax::json_quote(path) + ", \"--\", "});
      }
    } else if (e.form == syntax::ArgsForm::Shell) {
      const std::string text(e.logical_args());
      std::vector<std::string> all{path, "--"};
      auto words = simple_words(text);
      // A shell-form ENTRYPOINT ignores CMD; keep it ignored by keeping a shell when a CMD exists.
      if (words && ci < 0) {
        all.insert(all.end(), words->begin(), words->end());
        fix.reason = "tini runs the entrypoint as PID 1 (exec form)";
      } else {
        const int shi = st.last_in_chain(fin, "shell");
        std::vector<std::string> sh{"/bin/sh", "-c"};
        if (shi >= 0 && static_cast<std::uint32_t>(shi) < static_cast<std::uint32_t>(ei)) {
          sh.clear();
          for (const auto& v : tree.instructions[static_cast<std::uint32_t>(shi)].values) sh.emplace_back(v.text);
        }
        all.insert(all.end(), sh.begin(), sh.end());
        all.push_back(text);
        fix.reason = words ? "tini runs the entrypoint as PID 1 (through the shell, so CMD stays ignored as before)"
                           : "tini runs the entrypoint as PID 1 (through the shell it needs)";
      }
      expected = "ENTRYPOINT " + edit::exec_form(all);
      if (edit::json_exact(all)) fix.edits.push_back(edit::replace_args(e, edit::exec_form(all)));
    }
    auto f = finding("PID 1 is not tini", e.keyword_span, current,
                     expected.empty() ? "ENTRYPOINT " + wanted_prefix + " ..." : expected, ref);
    if (!fix.edits.empty()) f.fix = std::move(fix);
    out.findings.push_back(std::move(f));
  }

  // PID 1 must become tini by hand (the program it runs is unknown): then
  // installing tini alone would only make the image larger. The install waits.
  bool pid1_by_hand = out.findings.size() > pid1_first;
  for (std::size_t k = pid1_first; k < out.findings.size(); ++k)
    if (out.findings[k].fix) pid1_by_hand = false;
  // The PID 1 findings keep no fix when tini will not be where the ENTRYPOINT names it.
  auto withhold_pid1_fixes = [&](const std::string& why) {
    for (std::size_t k = pid1_first; k < out.findings.size(); ++k)
      if (out.findings[k].fix) {
        out.findings[k].fix.reset();
        out.findings[k].message += why;
      }
  };
  const std::string not_installable = " (tini cannot be installed here yet: see the install finding)";
  if (!installable) withhold_pid1_fixes(not_installable);

  // tini is copied in, but where to cannot be read: an ENTRYPOINT naming a guessed
  // path would keep the container from starting.
  if (inst.copied_to_unknown && !inst.path && !inst.by_package)
    withhold_pid1_fixes(fmt::format(" (no fix: where line {} copies tini to is not known)",
                                    tree.position(tree.instructions[*inst.copied_to_unknown].span.begin).first));

  // ---- installed in the runtime image
  if (inst.found && !(inst.by_package && rhel_family(distro) && !inst.epel)) {
    out.correct.push_back("the runtime stage installs tini");
    return;
  }
  const bool rhel = rhel_family(distro);
  auto f = finding(inst.found ? "tini is installed from a package RHEL/UBI repositories do not have"
                              : "the runtime stage does not install tini",
                   tree.instructions[stage.from].keyword_span, inst.found ? "a tini package (not in the base repositories)" : "not installed",
                   rhel ? fmt::format("{} downloaded with its checksum", path)
                        : fmt::format("{} installed ({})", path, model::package_command(pm)),
                   ref);
  if (pm == PackageManager::None && !init->download) {
    f.message += " (no package manager in this image: copy a static tini in, or give init.download in the policy)";
    out.findings.push_back(std::move(f));
    return;
  }
  if ((rhel || pm == PackageManager::None) && !init->download) {
    f.message += " (RHEL/UBI base repositories have no tini: give init.download {url, sha256} in the policy, "
                 "or enable EPEL)";
    out.findings.push_back(std::move(f));
    return;
  }
  if (inst.found) {
    // A package install RHEL cannot satisfy: say so, the fix is a person's (drop it, download instead).
    f.message += " (replace it with init.download)";
    out.findings.push_back(std::move(f));
    return;
  }
  if (pid1_by_hand) {
    f.message += " (installed once PID 1 can run it: see the PID 1 finding)";
    out.findings.push_back(std::move(f));
    return;
  }
  // Before the first switch away from root.
  std::uint32_t limit = stage.end;
  for (auto i : st.instructions(fin)) {
    const auto& in = tree.instructions[i];
    if (in.is("user") && !in.values.empty() && !is_root(in.values[0].text)) {
      limit = i;
      break;
    }
  }
  edit::Fix fix;
  if (rhel || pm == PackageManager::None) {
    // ADD --checksum verifies the download (Dockerfile 1.6 / BuildKit, buildah).
    const auto& d = *init->download;
    const std::uint32_t where = limit < stage.end ? limit : st.tail_start(fin);
    fix.edits.push_back(model::insert_at(st, fin, where,
                                  {fmt::format("{} --checksum=sha256:{} --chmod=0755 {} {}", edit::keyword(style, "add"),
                                               d.sha256, d.url, path)}));
    fix.reason = "download tini with its checksum (init.download)";
    f.fix = std::move(fix);
    out.findings.push_back(std::move(f));
    return;
  }
  // An install command of the same package manager in the runtime stage takes one more package.
  std::vector<std::uint32_t> before;
  for (auto i : st.instructions(fin))
    if (i < limit) before.push_back(i);
  for (const auto& pi : model::package_installs(st.parsed_runs(before))) {
    if (pi.manager != pm || pi.packages.empty()) continue;
    const auto& word = pi.run->script.commands[pi.command].words[pi.packages.back()];
    const auto at = pi.run->source(tree, {word.span.end, word.span.end});
    fix.edits = {{at, " tini"}};
    fix.reason = fmt::format("install tini with the runtime stage's {} install", model::package_command(pm));
  }
  if (fix.edits.empty()) {
    const std::uint32_t where = limit < stage.end ? limit : st.tail_start(fin);
    if (!st.posix_shell_at(fin, where)) {
      // Nor is PID 1 made a tini that is not there.
      withhold_pid1_fixes(not_installable);
      f.message += " (the SHELL there is not a POSIX shell: install it by hand)";
      out.findings.push_back(std::move(f));
      return;
    }
    fix.edits.push_back(
        model::insert_at(st, fin, where, {edit::keyword(style, "run") + " " + model::install_command(pm, {"tini"})}));
    fix.reason = guessed ? fmt::format("install tini ({}: the file uses no package manager, guessed from its base image)",
                                       model::package_command(pm))
                         : fmt::format("install tini with {}", model::package_command(pm));
  }
  f.fix = std::move(fix);
  out.findings.push_back(std::move(f));
}

}  // namespace

const RuleRegistration k_tini{RuleSpec("tini")
    .example("FROM debian:12\n"
             "RUN apt-get update && apt-get install -y --no-install-recommends python3 && rm -rf /var/lib/apt/lists/*\n"
             "COPY app.py /app/\n"
             "ENTRYPOINT [\"python3\", \"/app/app.py\"]\n",
             "FROM debian:12\n"
             "RUN apt-get update && apt-get install -y --no-install-recommends python3 tini && rm -rf /var/lib/apt/lists/*\n"
             "COPY app.py /app/\n"
             "ENTRYPOINT [\"/usr/bin/tini\", \"--\", \"python3\", \"/app/app.py\"]\n",
             "FROM debian:12\n"
             "RUN apt-get update && apt-get install -y --no-install-recommends python3 tini && rm -rf /var/lib/apt/lists/*\n"
             "COPY app.py /app/\n"
             "ENTRYPOINT [\"/usr/bin/tini\", \"--\", \"python3\", \"/app/app.py\"]\n")
    .example_policy("defaults:\n"
                    "  init: {tini: /usr/bin/tini}\n")
    .kind(RuleKind::Policy)
    .safety(FixSafety::Unsafe)
    .priority(1)
    .order(30)
    .summary("tini is PID 1 of the runtime image and installed in it (init.tini)")
    .fix("puts tini before the ENTRYPOINT's program (exec form; a shell only where one is needed), replacing "
        "dumb-init, never nesting tini, keeping its options; adds ENTRYPOINT [tini, --] before CMD; installs tini "
        "the way the distribution can (apt-get: /usr/bin/tini, apk: /sbin/tini; RHEL/UBI: ADD --checksum of "
        "init.download)")
    .check(&check)};

}  // namespace dockmend::transforms::rules
