// `dockmend verify`: the processes and files of proving fixes by building.
// What to run and how to read and compare the results is src/verify/.
#include "cli/verify.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "cli/repo_view.hpp"
#include "io/discover.hpp"
#include "io/read_file.hpp"
#include "io/subprocess.hpp"
#include "policy/policy.hpp"
#include "transforms/engine.hpp"
#include "verify/verify.hpp"

namespace dockmend::cli {

namespace fs = std::filesystem;
namespace po = boost::program_options;
using verify::Builder;
using verify::BuilderKind;
using verify::FileResult;

const char* verify_usage() { return "dockmend verify [OPTIONS] [PATH...]"; }

const char* verify_about() {
  return "For each Dockerfile that `fix` would change: builds the original and the fixed file\n"
         "with a real image builder (docker, podman or buildah; --builder picks one), compares\n"
         "the two images (config: User, Env, Entrypoint, Cmd, WorkingDir, ExposedPorts,\n"
         "Healthcheck, Shell, Labels, StopSignal, Volumes; file tree: paths, types, modes,\n"
         "owners, sizes, content) and explains each difference by the fixes applied. --run\n"
         "also starts the fixed image (no network but loopback) and checks the policy's user\n"
         "(UID:GID), PID 1 and health probe. Builds use the builder's own settings, never push,\n"
         "and their images (tagged dockmend-verify/...) are removed unless --keep.\n"
         "Exit 0 when every difference is explained, 1 when one is not, a fixed file fails to\n"
         "build where the original built, or a run-time check fails; 2 when nothing could be\n"
         "verified (no builder, a base image that cannot be pulled, a feature the builder lacks).";
}

void add_verify_options(po::options_description& d) {
  d.add_options()("builder", po::value<std::string>(), "docker, podman or buildah (default: the first that works)")(
      "context", po::value<std::string>(), "build context directory (default: the Dockerfile's directory)")(
      "pull", po::value<std::string>(), "base images: never, missing or always (default: the builder's)")(
      "build-arg", po::value<std::vector<std::string>>()->composing(), "KEY=VALUE for both builds (repeatable)")(
      "target", po::value<std::string>(), "build this stage instead of the last")(
      "builder-opt", po::value<std::vector<std::string>>()->composing(),
      "pass this option to the build command (repeatable), e.g. --builder-opt=--network=host")(
      "run", po::bool_switch(), "also start the fixed image and check user, PID 1 and health probe")(
      "run-cmd", po::value<std::string>(),
      "with --run: start this command (split at blanks) instead of the image's CMD; the ENTRYPOINT stays")(
      "run-timeout", po::value<int>()->default_value(30), "seconds --run waits for the health probe to pass")(
      "check-unchanged", po::bool_switch(),
      "also build each file fix would not change, and check its image against the policy (and --run)")(
      "keep", po::bool_switch(), "keep the images (dockmend-verify/...) and the fixed build context")(
      "log-dir", po::value<std::string>(), "where build logs go (default: a new directory under $TMPDIR)")(
      "format", po::value<std::string>()->default_value("text"), "text or json")(
      "verbose,v", po::bool_switch(), "list every explained difference, not five per fix");
}

namespace {

struct VerifyError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string first_line(const std::string& s) {
  std::string out = s.substr(0, s.find('\n'));
  while (!out.empty() && (out.back() == '\r' || out.back() == ' ')) out.pop_back();
  return out;
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

io::ProcessResult run_captured(const std::vector<std::string>& argv) {
  io::ProcessOptions o;
  o.merge_stderr = true;
  return io::run_process(argv, o);
}

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

bool ok(const io::ProcessResult& r) { return r.spawn_errno == 0 && r.exit_code == 0; }

// ------------------------------------------------------------------ finding a builder

struct Probe {
  std::optional<Builder> builder;
  std::string note;  // why this one is not usable
};

Probe probe(BuilderKind kind) {
  Probe p;
  Builder b;
  b.kind = kind;
  b.program = std::string(verify::builder_name(kind));
  b.has_podman = ok(io::run_process({"podman", "--version"}));
  b.has_buildah = ok(io::run_process({"buildah", "--version"}));
  io::ProcessResult r;
  switch (kind) {
    case BuilderKind::Docker:
      r = run_captured({"docker", "version", "--format", "{{.Server.Version}}"});
      if (r.spawn_errno) {
        p.note = "docker: not installed";
        return p;
      }
      if (r.exit_code != 0) {
        p.note = fmt::format("docker: installed, but its daemon does not answer ({})", first_line(r.out));
        return p;
      }
      b.version = trimmed(r.out);
      b.buildx = ok(io::run_process({"docker", "buildx", "version"}));
      break;
    case BuilderKind::Podman:
      r = run_captured({"podman", "info", "--format", "{{.Host.BuildahVersion}}"});
      if (r.spawn_errno) {
        p.note = "podman: not installed";
        return p;
      }
      if (r.exit_code != 0) {
        p.note = fmt::format("podman: installed, but `podman info` fails ({})", first_line(r.out));
        return p;
      }
      b.version = trimmed(r.out);
      break;
    case BuilderKind::Buildah:
      r = run_captured({"buildah", "--version"});
      if (r.spawn_errno) {
        p.note = "buildah: not installed";
        return p;
      }
      if (r.exit_code != 0) {
        p.note = fmt::format("buildah: installed, but `buildah --version` fails ({})", first_line(r.out));
        return p;
      }
      b.version = trimmed(r.out);
      break;
  }
  p.builder = b;
  return p;
}

Builder find_builder(const po::variables_map& vm) {
  std::vector<BuilderKind> order = {BuilderKind::Docker, BuilderKind::Podman, BuilderKind::Buildah};
  if (vm.count("builder")) {
    const auto name = vm["builder"].as<std::string>();
    const auto k = verify::parse_builder(name);
    if (!k) throw VerifyError(fmt::format("--builder takes docker, podman or buildah, not '{}'", name));
    order = {*k};
  }
  std::string notes;
  for (auto k : order) {
    auto p = probe(k);
    if (p.builder) return *p.builder;
    notes += "\n  " + p.note;
  }
  throw VerifyError(fmt::format(
      "no image builder to verify with:{}\n"
      "install one (Debian: apt-get install podman buildah) or start the docker daemon;\n"
      "scripts/builder-setup sets up podman and buildah on a machine without a registry",
      notes));
}

// ------------------------------------------------------------------ one file

struct Settings {
  Builder builder;
  std::string pull;
  std::vector<std::string> build_args;
  std::string target;
  std::vector<std::string> extra;
  std::optional<std::string> context;
  bool run = false;
  std::vector<std::string> run_cmd;
  int run_timeout = 30;
  bool keep = false;
  bool check_unchanged = false;
  fs::path log_dir;
};

std::string slug(const std::string& display) {
  std::string s;
  for (char c : display) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (c >= 'A' && c <= 'Z') s += static_cast<char>(c - 'A' + 'a');
    else if (keep) s += c;
    else if (!s.empty() && s.back() != '-') s += '-';
  }
  while (!s.empty() && s.back() == '-') s.pop_back();
  if (s.empty()) s = "dockerfile";
  if (s.size() > 60) s = s.substr(s.size() - 60);
  if (s.front() == '-') s.erase(0, 1);
  return s;
}

// Copies the build context, following nothing outside it: links are copied as links.
void copy_context(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::create_directories(to, ec);
  for (auto it = fs::recursive_directory_iterator(from, fs::directory_options::none, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::path rel = it->path().lexically_relative(from);
    if (rel.begin() != rel.end() && *rel.begin() == ".git") {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    const fs::path dst = to / rel;
    std::error_code e2;
    const auto st = it->symlink_status(e2);
    if (fs::is_symlink(st)) {
      fs::copy_symlink(it->path(), dst, e2);
    } else if (fs::is_directory(st)) {
      fs::create_directories(dst, e2);
      fs::permissions(dst, fs::status(it->path(), e2).permissions(), e2);
    } else if (fs::is_regular_file(st)) {
      fs::copy_file(it->path(), dst, fs::copy_options::overwrite_existing, e2);
    }
    if (e2) throw VerifyError(fmt::format("cannot copy the build context: {}: {}", it->path().string(), e2.message()));
  }
  if (ec) throw VerifyError(fmt::format("cannot read the build context {}: {}", from.string(), ec.message()));
}

bool write_file(const fs::path& p, const std::string& bytes) {
  std::error_code ec;
  fs::create_directories(p.parent_path(), ec);
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f << bytes;
  return static_cast<bool>(f);
}

std::optional<verify::ImageConfig> inspect(const Builder& b, const std::string& image, std::string& error) {
  const auto r = io::run_process(verify::inspect_argv(b, image));
  if (!ok(r)) {
    error = fmt::format("cannot inspect {}", image);
    return std::nullopt;
  }
  return verify::parse_inspect(r.out, &error);
}

// The image's file tree, from an export of a container made from it (nothing runs).
std::optional<verify::FileTree> file_tree(const Builder& b, const std::string& image, const fs::path& tar,
                                          std::string& error) {
  std::error_code ec;
  fs::remove(tar, ec);
  const bool via_buildah = b.kind == BuilderKind::Buildah && !b.has_podman;
  if (via_buildah) {
    const auto from = io::run_process({"buildah", "from", "--pull=never", image});
    if (!ok(from)) {
      error = "buildah from failed";
      return std::nullopt;
    }
    const std::string ctr = trimmed(from.out);
    const auto mnt = io::run_process({"buildah", "mount", ctr});
    bool good = ok(mnt);
    if (good) {
      const auto tarred =
          io::run_process({"tar", "-C", trimmed(mnt.out), "--numeric-owner", "--xattrs", "-cf", tar.string(), "."});
      good = ok(tarred);
      io::run_process({"buildah", "umount", ctr});
    }
    io::run_process({"buildah", "rm", ctr});
    if (!good) {
      error = "cannot list the image's files (buildah mount / tar)";
      return std::nullopt;
    }
  } else {
    const std::string prog = b.kind == BuilderKind::Docker ? "docker" : "podman";
    // A command, so that an image with neither ENTRYPOINT nor CMD can be created.
    const auto created = io::run_process({prog, "create", image, "/dockmend-verify-never-run"});
    if (!ok(created)) {
      error = fmt::format("{} create {} failed", prog, image);
      return std::nullopt;
    }
    const std::string ctr = trimmed(created.out);
    const auto exported = io::run_process({prog, "export", "-o", tar.string(), ctr});
    io::run_process({prog, "rm", "-f", ctr});
    if (!ok(exported)) {
      error = fmt::format("{} export failed", prog);
      return std::nullopt;
    }
  }
  std::ifstream in(tar, std::ios::binary);
  verify::TarReader reader;
  std::vector<char> buf(1 << 20);
  while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0)
    reader.feed(buf.data(), static_cast<std::size_t>(in.gcount()));
  in.close();
  fs::remove(tar, ec);
  if (!reader.finish()) {
    error = "cannot read the exported file tree: " + reader.error();
    return std::nullopt;
  }
  return reader.take();
}

// Starts the fixed image with no network but loopback and checks what the policy asks.
std::vector<verify::RunCheck> run_checks(const Settings& s, const std::string& image, const verify::ImageConfig& cfg,
                                         const verify::Expectations& expect, const fs::path& log) {
  std::vector<verify::RunCheck> out;
  const Builder& b = s.builder;
  std::string prog = b.kind == BuilderKind::Docker ? "docker" : "podman";
  if (b.kind == BuilderKind::Buildah && !b.has_podman) {
    verify::RunCheck c;
    c.name = "start";
    c.message = "buildah alone cannot start containers: install podman for --run";
    out.push_back(c);
    return out;
  }
  const std::string name = fmt::format("dockmend-verify-run-{}", ::getpid());
  // Killed before it is removed: `podman rm -f` stops a container with SIGTERM
  // and waits its 10 s stop timeout, and a PID 1 without a TERM handler (the
  // kernel ignores signals PID 1 does not handle) never exits on it. `kill`
  // sends SIGKILL in docker and podman alike.
  const auto discard = [&] {
    io::run_process({prog, "kill", name});
    io::run_process({prog, "rm", "-f", name});
  };
  discard();
  io::ProcessOptions to_log;
  to_log.output_file = log.string();
  std::vector<std::string> run_argv = {prog, "run", "-d", "--name", name, "--network", "none", image};
  run_argv.insert(run_argv.end(), s.run_cmd.begin(), s.run_cmd.end());
  const auto started = io::run_process(run_argv, to_log);
  verify::RunCheck start;
  start.name = "start";
  if (!ok(started)) {
    start.message = fmt::format("the fixed image does not start; see {}", log.string());
    out.push_back(start);
    discard();
    return out;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  const auto running = io::run_process({prog, "inspect", "--format", "{{.State.Running}}", name});
  if (trimmed(running.out) != "true") {
    const auto logs = run_captured({prog, "logs", name});
    discard();
    start.message = fmt::format("the fixed image's container exited at once: {}",
                                first_line(logs.out).empty() ? "(no output)" : first_line(logs.out));
    out.push_back(start);
    return out;
  }
  const auto id = run_captured({prog, "exec", name, "id"});
  out.push_back(verify::check_user(expect, id.spawn_errno ? "" : id.out));
  const auto cmdline = io::run_process({prog, "exec", name, "cat", "/proc/1/cmdline"});
  out.push_back(verify::check_pid1(expect, ok(cmdline) ? cmdline.out : ""));
  verify::RunCheck h;
  h.name = "health";
  h.expected = expect.health_probe;
  if (!cfg.healthcheck || cfg.healthcheck->empty() || (*cfg.healthcheck)[0] == "NONE") {
    if (expect.health_probe.empty()) {
      h.skipped = true;
      h.message = "the image has no HEALTHCHECK and the policy asks none";
    } else {
      h.message = "the image has no HEALTHCHECK";
    }
  } else {
    std::vector<std::string> probe_argv;
    if (b.kind != BuilderKind::Docker) {
      probe_argv = {prog, "healthcheck", "run", name};
    } else {
      probe_argv = {prog, "exec", name};
      for (auto& a : verify::health_exec_argv(*cfg.healthcheck)) probe_argv.push_back(a);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(s.run_timeout);
    io::ProcessResult last;
    int tries = 0;
    do {
      ++tries;
      last = run_captured(probe_argv);
      if (ok(last)) break;
      std::this_thread::sleep_for(std::chrono::seconds(1));
    } while (std::chrono::steady_clock::now() < deadline);
    h.ok = ok(last);
    h.actual = h.ok ? "healthy" : fmt::format("exit {}", last.exit_code);
    h.message = h.ok ? fmt::format("the health probe passes ({} tr{})", tries, tries == 1 ? "y" : "ies")
                     : fmt::format("the health probe fails after {} s: {}", s.run_timeout,
                                   first_line(last.out).empty() ? "(no output)" : first_line(last.out));
    // Why, when the probe's own program is missing (`curl ... || exit 1` hides
    // the shell's 127): look the program up in the container.
    if (!h.ok) {
      const auto argv = verify::health_exec_argv(*cfg.healthcheck);
      std::string program;
      if (argv.size() == 3 && argv[0] == "/bin/sh") {
        std::istringstream words(argv[2]);
        words >> program;
      } else if (!argv.empty()) {
        program = argv[0];
      }
      if (!program.empty() && program.find_first_of("'\"$`;&|<>()") == std::string::npos) {
        const auto r = io::run_process({prog, "exec", name, "/bin/sh", "-c", "command -v " + program});
        if (r.spawn_errno == 0 && r.exit_code > 0 && r.exit_code != 125)  // 125: the builder's own error
          h.message += fmt::format(" ({} is not in the image)", program);
      }
    }
  }
  out.push_back(h);
  discard();
  return out;
}

verify::Expectations expectations(const policy::Policy& pol, const policy::Service* svc) {
  verify::Expectations e;
  const policy::Settings st = svc ? policy::effective_settings(pol, *svc) : pol.defaults;
  if (st.user && !st.user->disabled) {
    e.user_name = st.user->name.value_or("");
    e.uid = st.user->uid;
    e.gid = st.user->gid;
  }
  if (st.init && !st.init->disabled && st.init->tini) e.tini = *st.init->tini;
  if (svc && svc->ports) {
    // Its own ports and the shared defaults.ports, as the ports rule asks.
    const auto wanted = policy::service_ports(pol, *svc);
    for (const auto& p : *wanted) e.ports.push_back(fmt::format("{}/{}", p.number, p.protocol));
    if (svc->health_port) {
      const std::string hp = fmt::format("{}/tcp", *svc->health_port);
      if (std::find(e.ports.begin(), e.ports.end(), hp) == e.ports.end()) e.ports.push_back(hp);
    }
  }
  if (st.health && !st.health->disabled && st.health->probe && svc && svc->health_port) {
    std::string p = *st.health->probe;
    const std::string key = "${HEALTH_PORT}";
    for (auto at = p.find(key); at != std::string::npos; at = p.find(key, at))
      p.replace(at, key.size(), std::to_string(*svc->health_port));
    e.health_probe = p;
  }
  // The health port, with or without a probe in the policy: a probe of it, and a
  // *HEALTH*PORT* variable set to it, are what the healthcheck fix asks.
  if (svc && svc->health_port && !(st.health && st.health->disabled)) e.health_port = svc->health_port;
  return e;
}

struct Work {
  std::string path;     // to open
  std::string display;  // as shown
  std::string name;     // for its tags, log and context copy: unique in the run
};

FileResult verify_one(const Settings& s, const Work& w, const transforms::EngineConfig& cfg, const fs::path& root,
                      std::ostream& err, bool quiet) {
  FileResult r;
  r.path = w.display;
  auto read = io::read_file(w.path);
  if (!read.ok()) {
    r.reason = read.error->message;
    return r;
  }
  auto rep = transforms::process_file(w.display, read.bytes, cfg, true);
  if (rep.error) {
    r.reason = fmt::format("{}:{}:{}: {}", w.display, rep.error->line, rep.error->column, rep.error->message);
    return r;
  }
  for (const auto& f : rep.findings)
    if (f.fix) r.fixes.push_back({f.rule, f.message});
  for (const auto& nf : rep.new_files) r.fixes.push_back({nf.rule, nf.reason});
  const bool unchanged = !rep.changed() && rep.new_files.empty();
  if (unchanged && !s.check_unchanged) {
    r.status = FileResult::Status::Unchanged;
    return r;
  }
  verify::Expectations expect = expectations(*cfg.policy, rep.service);
  // Only what the rules that ran here ask (--select, per-service rules, a rule
  // with nothing to check in this file).
  auto ran = [&](std::string_view id) {
    for (const auto& rr : rep.rules)
      if (rr.rule && rr.rule->id == id && rr.applicable) return true;
    return false;
  };
  if (!ran("user")) expect.user_name.clear(), expect.uid.reset(), expect.gid.reset();
  if (!ran("tini")) expect.tini.clear();
  if (!ran("ports")) expect.ports.clear();
  if (!ran("healthcheck")) expect.health_probe.clear(), expect.health_port.reset();

  // What the builder cannot do is said before building, not after a cryptic failure.
  for (const std::string* text : {&rep.original, &rep.fixed}) {
    const auto missing = verify::missing_features(s.builder, *text);
    if (!missing.empty()) {
      r.reason = fmt::format("the builder lacks a feature the {} file uses: line {}: {}",
                             text == &rep.original ? "original" : "fixed", missing.front().line, missing.front().why);
      return r;
    }
  }

  const fs::path file = fs::absolute(w.path);
  const fs::path context = s.context ? fs::absolute(*s.context) : file.parent_path();
  const std::string& name = w.name;
  const fs::path log = s.log_dir / (name + ".log");
  r.log = log.string();
  {
    std::ofstream l(log, std::ios::trunc);
    l << fmt::format("# dockmend verify {}: builder {} {}\n", w.display, verify::builder_name(s.builder.kind),
                     s.builder.version);
  }
  io::ProcessOptions to_log;
  to_log.output_file = log.string();
  auto note = [&](const std::string& text) {
    std::ofstream l(log, std::ios::app);
    l << "\n# " << text << "\n";
  };

  // Base images: present, or pulled as the user's builder settings say.
  if (s.pull != "always") {
    for (const auto& base : verify::base_images(rep.original, s.build_args)) {
      if (ok(io::run_process(verify::image_exists_argv(s.builder, base)))) continue;
      if (s.pull == "never") {
        r.reason = fmt::format("the base image {} is not in local storage (and --pull=never)", base);
        return r;
      }
      note("pulling " + base);
      const auto pulled = io::run_process(verify::pull_argv(s.builder, base), to_log);
      if (!ok(pulled)) {
        const std::string why = verify::classify_build_failure(slurp(log)).line;
        r.reason = fmt::format("the base image {} cannot be pulled{}; see {}", base, why.empty() ? "" : ": " + why,
                               log.string());
        return r;
      }
    }
  }

  // The fixed file, in a copy of the context with the files the fixes create.
  const fs::path fixed_ctx = s.log_dir / (name + ".context");
  std::error_code ec;
  fs::remove_all(fixed_ctx, ec);
  if (!unchanged) copy_context(context, fixed_ctx);
  const fs::path rel_file = file.lexically_relative(context);
  fs::path fixed_file;
  if (rel_file.empty() || *rel_file.begin() == "..") {
    fixed_file = s.log_dir / (name + ".Dockerfile");  // the Dockerfile lives outside its context
  } else {
    fixed_file = fixed_ctx / rel_file;
  }
  if (!unchanged && !write_file(fixed_file, rep.fixed)) throw VerifyError("cannot write " + fixed_file.string());
  expect.fixed_files.push_back(verify::content_hash(rep.fixed));
  for (const auto& nf : rep.new_files) expect.fixed_files.push_back(verify::content_hash(nf.content));
  for (const auto& nf : rep.new_files) {
    const fs::path target = (root / nf.path).lexically_normal();
    const fs::path rel = target.lexically_relative(context);
    if (rel.empty() || *rel.begin() == "..") continue;  // outside the build context: the build cannot see it
    if (!fs::exists(fixed_ctx / rel, ec)) write_file(fixed_ctx / rel, nf.content);
  }

  const std::string tag_base = fmt::format("localhost/dockmend-verify/{}", name);
  const std::string tag_a = tag_base + ":original", tag_b = tag_base + ":fixed";
  auto build = [&](const fs::path& df, const fs::path& ctx, const std::string& tag) {
    verify::BuildRequest req;
    req.dockerfile = df.string();
    req.context = ctx.string();
    req.tag = tag;
    req.pull = s.pull;
    req.build_args = s.build_args;
    req.target = s.target;
    req.extra = s.extra;
    const auto argv = verify::build_argv(s.builder, req);
    std::string line;
    for (const auto& a : argv) line += (line.empty() ? "" : " ") + a;
    note(line);
    const auto start = std::chrono::steady_clock::now();
    const auto res = io::run_process(argv, to_log);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    note(fmt::format("exit {} after {:.1f} s", res.exit_code, secs));
    if (!quiet) err << fmt::format("dockmend: verify: {}: built {} in {:.1f} s ({})\n", w.display, tag, secs,
                                   ok(res) ? "ok" : "failed");
    return ok(res);
  };
  auto cleanup = [&] {
    if (s.keep) {
      r.original_image = tag_a;
      r.fixed_image = tag_b;
      return;
    }
    io::run_process(verify::remove_image_argv(s.builder, tag_a));
    io::run_process(verify::remove_image_argv(s.builder, tag_b));
    fs::remove_all(fixed_ctx, ec);
  };
  if (!build(file, context, tag_a)) {
    const std::string logged = slurp(log);
    auto f = verify::classify_build_failure(logged);
    if (f.line.empty()) f.line = "no error line in its output; see " + log.string();
    using K = verify::BuildFailure::Kind;
    r.reason = f.kind == K::BaseNotFound     ? fmt::format("a base image cannot be pulled: {}", f.line)
               : f.kind == K::MissingFeature ? fmt::format("the builder lacks a feature the file uses: {}", f.line)
                                             : fmt::format("the original does not build: {}", f.line);
    cleanup();
    return r;
  }
  if (unchanged) {
    // --check-unchanged: a file fix leaves alone is built once, and its image
    // checked against the policy as a fixed one would be.
    r.status = FileResult::Status::Unchanged;
    std::string error;
    const auto c = inspect(s.builder, tag_a, error);
    if (!c) {
      r.status = FileResult::Status::CannotVerify;
      r.reason = error;
    } else {
      r.run_checks = verify::check_config(expect, *c);
      if (s.run)
        for (auto& rc : run_checks(s, tag_a, *c, expect, log)) r.run_checks.push_back(std::move(rc));
    }
    cleanup();
    r.fixed_image.clear();
    return r;
  }
  const std::size_t log_size_before_fixed = slurp(log).size();
  if (!build(fixed_file, fixed_ctx, tag_b)) {
    const std::string logged = slurp(log).substr(log_size_before_fixed);
    r.status = FileResult::Status::FixedFailed;
    std::string why = verify::classify_build_failure(logged).line;
    if (why.empty()) why = "no error line in its output; see " + log.string();
    r.reason = fmt::format("the fixed file does not build where the original did: {}", why);
    cleanup();
    return r;
  }
  std::string error;
  const auto ca = inspect(s.builder, tag_a, error);
  const auto cb = ca ? inspect(s.builder, tag_b, error) : std::nullopt;
  if (!ca || !cb) {
    r.reason = error;
    cleanup();
    return r;
  }
  r.differences = verify::compare_config(*ca, *cb);
  const auto ta = file_tree(s.builder, tag_a, s.log_dir / (name + ".original.tar"), error);
  const auto tb = ta ? file_tree(s.builder, tag_b, s.log_dir / (name + ".fixed.tar"), error) : std::nullopt;
  if (!ta || !tb) {
    r.reason = error;
    cleanup();
    return r;
  }
  for (auto& d : verify::compare_trees(*ta, *tb)) r.differences.push_back(std::move(d));
  verify::explain(r.differences, r.fixes, expect, *ta, *tb);
  bool all = true;
  for (const auto& d : r.differences) all = all && !d.explained_by.empty();
  r.status = all ? FileResult::Status::Verified : FileResult::Status::Unexplained;
  r.run_checks = verify::check_config(expect, *cb);
  if (s.run)
    for (auto& c : run_checks(s, tag_b, *cb, expect, log)) r.run_checks.push_back(std::move(c));
  cleanup();
  return r;
}

}  // namespace

int run_verify(const po::variables_map& vm, const std::vector<std::string>& paths, Streams& st) {
  const auto format = vm["format"].as<std::string>();
  if (format != "text" && format != "json")
    throw VerifyError(fmt::format("--format takes text or json, not '{}'", format));
  const bool quiet = vm["quiet"].as<bool>();
  Settings s;
  if (vm.count("pull")) {
    s.pull = vm["pull"].as<std::string>();
    if (s.pull != "never" && s.pull != "missing" && s.pull != "always")
      throw VerifyError(fmt::format("--pull takes never, missing or always, not '{}'", s.pull));
  }
  if (vm.count("build-arg")) s.build_args = vm["build-arg"].as<std::vector<std::string>>();
  if (vm.count("target")) s.target = vm["target"].as<std::string>();
  if (vm.count("builder-opt")) s.extra = vm["builder-opt"].as<std::vector<std::string>>();
  if (vm.count("context")) s.context = vm["context"].as<std::string>();
  s.run = vm["run"].as<bool>();
  s.run_timeout = vm["run-timeout"].as<int>();
  if (vm.count("run-cmd")) {
    std::istringstream words(vm["run-cmd"].as<std::string>());
    for (std::string w; words >> w;) s.run_cmd.push_back(w);
  }
  s.keep = vm["keep"].as<bool>();
  s.check_unchanged = vm["check-unchanged"].as<bool>();

  // The policy, as the other commands load it.
  policy::Policy pol;
  fs::path root = fs::current_path();
  std::optional<fs::path> pfile;
  if (vm.count("policy")) pfile = fs::path(vm["policy"].as<std::string>());
  else if (!vm["no-policy"].as<bool>()) pfile = policy::find_policy_file(fs::current_path());
  {
    const std::string text =
        pfile ? [&] {
          auto rd = io::read_file(pfile->string());
          if (!rd.ok()) throw VerifyError(rd.error->message);
          return rd.bytes;
        }()
              : default_policy_yaml();
    // A compose file beside the policy gives services' contexts and Dockerfiles, as for fix.
    const auto compose = pfile ? policy::find_compose_file(*pfile) : std::nullopt;
    auto res = policy::load_policy(text, pfile ? pfile->string() : "<built-in default policy>",
                                   compose ? &*compose : nullptr);
    if (!res.ok()) throw VerifyError(res.errors().front().to_string());
    pol = std::move(res).policy();
    if (pfile) {
      std::error_code ec;
      root = fs::weakly_canonical(fs::absolute(*pfile).parent_path(), ec);
    }
  }
  RepoView view(root);
  transforms::EngineConfig cfg;
  cfg.policy = &pol;
  cfg.files = &view;
  auto commas = [](const std::vector<std::string>& in) {
    std::vector<std::string> out;
    for (const auto& x : in) {
      std::size_t b = 0;
      while (b <= x.size()) {
        auto e = x.find(',', b);
        if (e == std::string::npos) e = x.size();
        if (e > b) out.push_back(x.substr(b, e - b));
        b = e + 1;
      }
    }
    return out;
  };
  if (vm.count("select")) cfg.selection.select = commas(vm["select"].as<std::vector<std::string>>());
  if (vm.count("ignore")) cfg.selection.ignore = commas(vm["ignore"].as<std::vector<std::string>>());
  cfg.collect_correct = false;
  transforms::prepare(cfg);

  std::vector<std::string> roots = paths;
  if (roots.empty()) roots.push_back(pfile ? root.string() : ".");
  for (const auto& p : roots)
    if (p == "-") throw VerifyError("verify builds files in their context: it cannot read standard input");
  io::DiscoverOptions dopt;
  if (vm.count("exclude")) dopt.exclude = vm["exclude"].as<std::vector<std::string>>();
  auto found = io::discover(roots, dopt);
  int code = 0;
  for (const auto& e : found.errors) {
    st.err << fmt::format("dockmend: error: {}\n", e.message);
    code = 2;
  }

  s.builder = find_builder(vm);
  if (vm.count("log-dir")) {
    s.log_dir = fs::absolute(vm["log-dir"].as<std::string>());
    std::error_code ec;
    fs::create_directories(s.log_dir, ec);
    if (ec) throw VerifyError(fmt::format("cannot create --log-dir {}: {}", s.log_dir.string(), ec.message()));
  } else {
    const char* tmp = std::getenv("TMPDIR");
    std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/dockmend-verify.XXXXXX";
    if (!::mkdtemp(tmpl.data())) throw VerifyError("cannot create a directory for the build logs under $TMPDIR");
    s.log_dir = tmpl;
  }
  if (!quiet)
    st.err << fmt::format("dockmend: verify: builder {} {}; logs in {}\n", verify::builder_name(s.builder.kind),
                          s.builder.version, s.log_dir.string());

  std::vector<FileResult> results;
  std::vector<std::string> names;
  for (const auto& f : found.files) {
    std::error_code ec;
    fs::path abs = fs::weakly_canonical(fs::absolute(f), ec);
    std::string display = abs.lexically_relative(root).generic_string();
    if (display.empty() || display.rfind("..", 0) == 0) display = f;
    // Two paths may make one slug ("a/b", "a-b"): the later ones get a number.
    std::string name = slug(display);
    for (int n = 2; std::find(names.begin(), names.end(), name) != names.end(); ++n)
      name = fmt::format("{}-{}", slug(display), n);
    names.push_back(name);
    results.push_back(verify_one(s, {f, display, name}, cfg, root, st.err, quiet));
  }
  if (format == "json")
    st.out << verify::render_json(results, verify::builder_name(s.builder.kind));
  else
    st.out << verify::render_text(results, verify::builder_name(s.builder.kind), vm["verbose"].as<bool>());
  return code ? code : verify::exit_code(results);
}

}  // namespace dockmend::cli
