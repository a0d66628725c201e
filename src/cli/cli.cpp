#include "cli/cli.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <limits>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include <boost/program_options.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/generated.hpp"
#include "cli/inspect.hpp"
#include "cli/baseline.hpp"
#include "cli/policy_set.hpp"
#include "cli/repo_view.hpp"
#include "cli/verify.hpp"
#include "diff/unified_diff.hpp"
#include "io/atomic_write.hpp"
#include "io/discover.hpp"
#include "io/read_file.hpp"
#include "io/sharding.hpp"
#include "policy/hadolint.hpp"
#include "policy/policy.hpp"
#include "report/audit.hpp"
#include "report/audit_html.hpp"
#include "report/findings.hpp"
#include "cli/suggest.hpp"
#include "syntax/dump.hpp"
#include "transforms/engine.hpp"
#include "version/version.hpp"
#include "transforms/severity.hpp"

namespace dockmend::cli {

namespace fs = std::filesystem;
namespace po = boost::program_options;

namespace {

// A usage or setup error: printed once, exit 2.
struct UsageError {
  std::string message;
};

const char* const k_commands_help =
    "usage: dockmend COMMAND [OPTIONS] [PATH...]\n"
    "\n"
    "Audits Dockerfiles against a policy (dockmend.yaml) and fixes them without\n"
    "touching a byte it was not asked to change.\n"
    "\n"
    "commands:\n"
    "  check   print findings (path:line:col: rule: message); exit 1 if any\n"
    "  diff    print the fixes as a unified diff (dry run); exit 1 if not empty\n"
    "  fix     apply the fixes in place (atomic writes); exit 0 unless errors\n"
    "  audit   compliance report per service (Markdown, HTML, JSON or SARIF)\n"
    "  verify  build each file before and after its fixes; compare the images\n"
    "  dump    print a file's syntax tree (buildkit, source, json, tokens)\n"
    "  inspect  what each stage's image will be: base, OS, user, shell, ports, PID 1\n"
    "  rules   list every rule (dockmend rules ID: one rule in full)\n"
    "  policy  print the policy in use (--default: the built-in one)\n"
    "  help    help for a command: dockmend help COMMAND\n"
    "  completion  print a shell completion script: bash, zsh or fish\n"
    "\n"
    "PATH is a Dockerfile, a directory (searched for Dockerfile, Containerfile,\n"
    "Dockerfile.*, *.Dockerfile, ...; .gitignore honoured) or - for standard input.\n"
    "Without PATH: the nearest dockmend.yaml's directory, else the current one.\n"
    "Each Dockerfile follows the nearest dockmend.yaml above it; paths are shown\n"
    "relative to the repository root. Exit codes: 0 fine, 1 findings/changes\n"
    "(check, diff) or score under --fail-under (audit), 2 errors.\n"
    "\n"
    "  --version   print the version\n";

po::options_description run_options() {
  po::options_description d;
  d.add_options()("help,h", "show this help")(
      "policy", po::value<std::string>(), "one policy file for every Dockerfile (default: each follows the nearest dockmend.yaml above it)")(
      "no-policy", po::bool_switch(), "ignore any dockmend.yaml: use the built-in default policy")(
      "select", po::value<std::vector<std::string>>()->composing(), "only these rules (ids or aliases, comma-separated)")(
      "ignore", po::value<std::vector<std::string>>()->composing(), "skip these rules (ids or aliases, comma-separated)")(
      "exclude", po::value<std::vector<std::string>>()->composing(), "skip paths matching this glob (repeatable)")(
      "jobs,j", po::value<int>(), "files processed in parallel (default: number of cores)")(
      "shard", po::value<std::string>(), "K/N: only the K-th of N stable shares of the files (1-based)")(
      "stdin-filename", po::value<std::string>(), "the path that - (standard input) stands for")(
      "color", po::value<std::string>()->default_value("auto"), "auto, always or never (NO_COLOR is respected)")(
      "quiet,q", po::bool_switch(), "no summary or progress on stderr")(
      "unsafe-fixes", po::bool_switch(), "also apply built-in fixes that may change what the image does (its user, SHELL, packages)")(
      "include-generated", po::bool_switch(), "also check and fix generated and vendored Dockerfiles (default: their template instead)");
  return d;
}

struct Command {
  std::string name;
  std::string usage;
  std::string about;
  po::options_description extra;
};

Command make_command(const std::string& name) {
  Command c{name, "", "", po::options_description("")};
  if (name == "check") {
    c.usage = "dockmend check [OPTIONS] [PATH...]";
    c.about = "Prints one finding a line: path:line:col: rule: message. No output when clean.\n"
              "Exit 0 when clean, 1 when a finding at or above --fail-on (the policy's fail_on; default:\n"
              "any) stands, 2 on errors. --baseline FILE leaves out the findings recorded in FILE.";
    c.extra.add_options()("format", po::value<std::string>()->default_value("text"), "text, json or sarif")(
        "fail-on", po::value<std::string>(),
        "exit 1 only for findings at or above this severity: error, warning, info, style (default) or none")(
        "baseline", po::value<std::string>(), "report only findings not recorded in this baseline file")(
        "write-baseline", po::value<std::string>(), "record the current findings in this file (and exit 0)")(
        "sarif-max-results", po::value<std::size_t>()->default_value(25000),
        "SARIF: keep the N most severe results (GitHub code scanning takes 25,000 a run)");
  } else if (c.name == "diff") {
    c.usage = "dockmend diff [OPTIONS] [PATH...]";
    c.about = "Prints the fixes as a unified diff (git apply / patch -p1 accept it); writes nothing.\n"
              "Exit 0 when nothing would change, 1 when the patch is not empty, 2 on errors.";
    c.extra.add_options()("unified,U", po::value<int>()->default_value(3), "lines of context");
  } else if (c.name == "fix") {
    c.usage = "dockmend fix [OPTIONS] [PATH...]";
    c.about = "Applies the fixes in place: a file is written only when it changes, atomically,\n"
              "keeping its mode; a file changed on disk meanwhile is left alone. With - the\n"
              "result goes to standard output. Exit 0 when all went well, 2 on errors.";
    c.extra.add_options()("show-diff", po::bool_switch(), "also print what was changed as a diff");
  } else if (c.name == "audit") {
    c.usage = "dockmend audit [OPTIONS] [PATH...]";
    c.about = "Per service: a table Issue | Current | Should Be | Line Ref, what is correct, and a\n"
              "compliance score (checks passed / checks applicable), then the overall score.";
    c.extra.add_options()("format", po::value<std::string>()->default_value("md"), "md, html, json or sarif")(
        "sarif-max-results", po::value<std::size_t>()->default_value(25000),
        "SARIF: keep the N most severe results (GitHub code scanning takes 25,000 a run)")(
        "fail-under", po::value<double>(), "exit 1 when the overall score is below this percentage");
  } else if (c.name == "verify") {
    c.usage = verify_usage();
    c.about = verify_about();
    add_verify_options(c.extra);
  } else if (c.name == "dump") {
    c.usage = "dockmend dump [--format buildkit|source|json|tokens] FILE...";
    c.about = "buildkit: each instruction as buildkit's parser dumps it (its tests' result files);\n"
              "source: the file printed back from the tree; json: the tree (docs/json-dump.md);\n"
              "tokens: one token a line. Exit 2 when buildkit would reject a file (diagnostic on stderr).";
    c.extra.add_options()("format", po::value<std::string>()->default_value("buildkit"), "buildkit, source, json or tokens");
  } else if (c.name == "inspect") {
    c.usage = "dockmend inspect [--format text|json] [PATH...]";
    c.about = "Per Dockerfile and stage, what the image will be once built: its base and what that\n"
              "resolves to, OS, distribution and package manager (and how sure), user, shell, WORKDIR,\n"
              "ENV, exposed ports, the health probe, PID 1 and its program, and which stage ships.\n"
              "JSON: docs/inspect.md. Exit 2 when a file cannot be read as a Dockerfile.";
    c.extra.add_options()("format", po::value<std::string>()->default_value("text"), "text or json");
  } else if (c.name == "rules") {
    c.usage = "dockmend rules [RULE...]";
    c.about = "Lists every rule: id, kind (policy or built-in), fix safety, aliases, what it checks, what its fix does.\n"
              "With RULE (an id or an alias such as DL3008): that rule alone, with its severity and documentation.";
  } else if (c.name == "policy") {
    c.usage = "dockmend policy [--default | --from-hadolint [FILE]] [--policy FILE] [PATH]";
    c.about = "Prints the built-in default policy (--default), the dockmend.yaml equivalent to a hadolint\n"
              "configuration (--from-hadolint; FILE defaults to .hadolint.yaml or .hadolint.yml), or\n"
              "which policy governs PATH (default: the current directory) and its services and rules.";
    c.extra.add_options()("default", po::bool_switch(), "print the built-in default policy")(
        "from-hadolint", po::value<std::string>()->implicit_value(""),
        "print the dockmend.yaml equivalent to this .hadolint.yaml");
  } else {
    throw UsageError{fmt::format("unknown command '{}'{} (see dockmend --help)", name,
                                 did_you_mean(name, {"check", "diff", "fix", "audit", "verify", "dump", "rules", "policy", "help"}))};
  }
  return c;
}

// The options `dockmend help COMMAND` lists, in one flat list under one heading
// (adding a whole description nests it as a group, with a heading of its own).
po::options_description shown_options(const Command& c) {
  po::options_description all("options");
  const po::options_description common = run_options();
  if (c.name != "rules") {
    if (c.name != "dump")
      for (const auto& o : common.options()) all.add(o);
    for (const auto& o : c.extra.options()) all.add(o);
  }
  return all;
}

std::string command_help(const Command& c) {
  std::ostringstream s;
  s << "usage: " << c.usage << "\n\n" << c.about << "\n\n";
  if (c.name != "rules") s << shown_options(c);
  return s.str();
}

std::vector<std::string> split_commas(const std::vector<std::string>& in) {
  std::vector<std::string> out;
  for (const auto& s : in) {
    std::string cur;
    for (char ch : s) {
      if (ch == ',') {
        if (!cur.empty()) out.push_back(cur);
        cur.clear();
      } else if (ch != ' ') {
        cur += ch;
      }
    }
    if (!cur.empty()) out.push_back(cur);
  }
  return out;
}

bool want_color(const std::string& mode, bool tty) {
  if (mode == "always") return true;
  if (mode == "never") return false;
  if (mode != "auto") throw UsageError{fmt::format("--color takes auto, always or never, not '{}'", mode)};
  const char* nc = std::getenv("NO_COLOR");
  if (nc && *nc) return false;
  return tty;
}

// ---------------------------------------------------------------- policy

// ---------------------------------------------------------------- bulk runs

enum class Mode { Check, Diff, Fix, Audit };

struct FileOutcome {
  std::string display;
  std::string text;          // what to print on stdout for this file (diff or findings)
  std::string errors;        // lines for stderr
  bool failed = false;       // an error (exit 2)
  report::Problem problem;   // what it was, for JSON and SARIF
  bool changed = false;      // would change / changed
  std::size_t findings = 0;
  std::size_t unsafe_withheld = 0;  // unsafe fixes not applied (no --unsafe-fixes)
  std::size_t failing = 0;   // findings at or above the --fail-on severity
  std::vector<std::string> baseline_keys;  // with --write-baseline
  std::vector<std::pair<std::string_view, std::size_t>> by_rule;  // rule id (static), findings
  std::unique_ptr<transforms::FileReport> report;  // kept for audit / sarif
  bool generated = false;    // generated or vendored: left alone
  std::string template_from; // the template it comes from (root-relative), if known
};

std::string relative_display(const fs::path& p, const fs::path& root) {
  std::error_code ec;
  fs::path abs = fs::absolute(p, ec);
  // Keep the link's own name for symlinked files: canonicalise the directory only.
  fs::path dir = fs::weakly_canonical(abs.parent_path(), ec);
  fs::path shown = (ec ? abs.parent_path() : dir) / abs.filename();
  auto rel = shown.lexically_relative(root);
  if (rel.empty()) rel = shown;
  return rel.generic_string();
}

// Whether a path, a leading "/" aside, has an empty, "." or ".." component
// ("a//b", "./a", "/a/..", "a/"): then it cannot be cut and joined as text.
bool has_odd_component(std::string_view p) {
  std::size_t b = !p.empty() && p[0] == '/' ? 1 : 0;
  for (;;) {
    const std::size_t slash = p.find('/', b);
    const std::size_t e = slash == std::string_view::npos ? p.size() : slash;
    const std::string_view part = p.substr(b, e - b);
    if (part.empty() || part == "." || part == "..") return true;
    if (slash == std::string_view::npos) return false;
    b = e + 1;
  }
}

// `dir` + "/" + `name`, with no second slash after a directory that ends in one ("/").
std::string join_path(std::string_view dir, std::string_view name) {
  std::string out;
  out.reserve(dir.size() + 1 + name.size());
  out = dir;
  if (out.empty() || out.back() != '/') out += '/';
  out += name;
  return out;
}

// relative_display() for many files: weakly_canonical costs two system calls per
// path component, which was a fifth of `check` over a large tree. Sorted paths
// share most of their directories, so the chain of the last one is kept and a
// new directory costs one lstat (a real directory below a canonical one is
// canonical); links, `.` and `..` still go through weakly_canonical. A file the
// reader opened without meeting a link needs none of that: see plain().
class DisplayPaths {
 public:
  explicit DisplayPaths(fs::path root) : m_root(std::move(root)), m_root_text(m_root.generic_string()) {
    while (m_root_text.size() > 1 && m_root_text.back() == '/') m_root_text.pop_back();
  }

  // The shown path of a file whose path has no symbolic link in it (the reader
  // opened it with RESOLVE_NO_SYMLINKS), without a system call: the path made
  // absolute is then canonical. nullopt when that does not apply (".", ".." or
  // empty components, a file outside the root, no working directory): use ().
  std::optional<std::string> plain(const std::string& path) {
    if (has_odd_component(path)) return std::nullopt;
    std::string canon;
    if (path[0] == '/') {
      canon = path;
    } else {
      if (!m_cwd_known) {
        m_cwd_known = true;
        char buf[PATH_MAX];
        if (::getcwd(buf, sizeof buf)) m_cwd = buf;
      }
      if (m_cwd.empty() || m_cwd[0] != '/') return std::nullopt;
      canon = join_path(m_cwd, path);
    }
    if (const auto rel = below_root(canon)) return std::string(*rel);
    return std::nullopt;
  }

  std::string operator()(const std::string& path) {
    const auto slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
    const std::string_view name = std::string_view(path).substr(slash == std::string::npos ? 0 : slash + 1);
    const std::string& canon = canonical_dir(dir);
    // The usual case, in plain string operations: a file named normally in a
    // directory at or below the root (both canonical, so the relative path is
    // what follows the root).
    if (!name.empty() && name != "." && name != ".." && !has_odd_component(canon)) {
      if (canon == m_root_text) return std::string(name);
      if (const auto below = below_root(canon)) return join_path(*below, name);
    }
    const fs::path shown = fs::path(canon) / std::string(name);
    auto rel = shown.lexically_relative(m_root);
    if (rel.empty()) rel = shown;
    return rel.generic_string();
  }

 private:
  // What follows the root in a canonical path strictly below it.
  std::optional<std::string_view> below_root(std::string_view canon) const {
    const bool at_top = m_root_text == "/";
    if (canon.size() > m_root_text.size() && canon.compare(0, m_root_text.size(), m_root_text) == 0 &&
        (at_top || canon[m_root_text.size()] == '/'))
      return canon.substr(at_top ? 1 : m_root_text.size() + 1);
    return std::nullopt;
  }

  // What weakly_canonical(absolute(dir)) gives (absolute(dir) when that fails).
  const std::string& canonical_dir(const std::string& dir) {
    std::size_t depth = 0, pos = 0;
    if (dir[0] == '/') {
      resolve(depth++, "/", "/");
      pos = 1;
    }
    while (pos <= dir.size()) {  // each prefix of `dir` that ends a component
      std::size_t end = dir.find('/', pos);
      if (end == std::string::npos) end = dir.size();
      if (end > pos) resolve(depth++, std::string_view(dir).substr(0, end), std::string_view(dir).substr(pos, end - pos));
      pos = end + 1;
    }
    m_chain.resize(depth);
    return m_chain.back().second;
  }

  // Makes m_chain[depth] the canonical form of `prefix`, whose last component is `name`.
  void resolve(std::size_t depth, std::string_view prefix, std::string_view name) {
    if (depth < m_chain.size() && m_chain[depth].first == prefix) return;
    m_chain.resize(depth);
    struct stat st {};
    std::string canon;
    std::string given(prefix);
    if (depth > 0 && name != "." && name != ".." && ::lstat(given.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
      // A real directory below a canonical one is canonical.
      canon = join_path(m_chain[depth - 1].second, name);
    } else {
      std::error_code ec;
      fs::path p = fs::weakly_canonical(fs::absolute(given, ec), ec);
      if (ec) p = fs::absolute(given, ec);
      canon = p.generic_string();
      while (canon.size() > 1 && canon.back() == '/') canon.pop_back();
    }
    m_chain.emplace_back(std::move(given), std::move(canon));
  }

  fs::path m_root;
  std::string m_root_text;  // m_root without a trailing slash
  bool m_cwd_known = false;
  std::string m_cwd;        // getcwd(): canonical
  std::vector<std::pair<std::string, std::string>> m_chain;  // (directory as given, canonical), outermost first
};

// Standard input, refused beyond `max` bytes like a file would be.
std::string read_stdin(std::istream& in, std::uint64_t max) {
  std::string bytes;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    bytes.append(buf, static_cast<std::size_t>(in.gcount()));
    if (bytes.size() > max)
      throw UsageError{fmt::format("standard input is larger than the {} MiB limit", max >> 20)};
  }
  return bytes;
}

// dump has no size policy, but the tree's offsets are 32-bit.
constexpr std::uint64_t k_dump_max_bytes = std::numeric_limits<std::uint32_t>::max();

bool looks_binary(const std::string& bytes, std::size_t& at) {
  const auto n = std::min<std::size_t>(bytes.size(), 8000);
  const void* nul = std::memchr(bytes.data(), '\0', n);  // a byte loop here was 3% of `check`
  if (!nul) return false;
  at = static_cast<std::size_t>(static_cast<const char*>(nul) - bytes.data());
  return true;
}

struct RunSettings {
  Mode mode = Mode::Check;
  int context = 3;
  bool color = false;
  bool show_diff = false;
  std::string check_format = "text";
  OriginFinder* origins = nullptr;  // null: generated and vendored files are processed like any other
  const Baseline* baseline = nullptr;  // --baseline: findings in it are dropped
  bool write_baseline = false;
  bool fail_on_given = false;          // --fail-on (else the file's policy's fail_on)
  std::optional<policy::Severity> fail_on;
  bool fail_none = false;
};

// How many of the findings make `check` fail: those at or above the threshold.
std::size_t failing_findings(const std::vector<transforms::Finding>& findings, std::optional<policy::Severity> at_least,
                             bool none) {
  if (none) return 0;
  if (!at_least) return findings.size();
  return static_cast<std::size_t>(std::count_if(findings.begin(), findings.end(),
                                                [&](const transforms::Finding& f) { return f.severity >= *at_least; }));
}

// "path:line:col: rule: message\n", appended piece by piece (a line per
// finding is most of what `check` prints).
// Columns count code points, as in JSON and SARIF (report/findings.hpp). With
// `color`: the path bold, the rule in its severity's colour, as ruff does.
void append_finding_line(std::string& out, const std::string& display, const transforms::Finding& f,
                         std::string_view original, bool color, bool unsafe_fixes) {
  auto number = [&](std::uint32_t n) {
    char digits[16];
    const auto r = std::to_chars(digits, digits + sizeof digits, n);
    out.append(digits, r.ptr);
  };
  const bool other_file = !f.file.empty();
  if (color) out += "\033[1m";
  out += other_file ? f.file : display;
  if (color) out += "\033[0m\033[36m:\033[0m";
  else out += ':';
  number(other_file ? std::max<std::uint32_t>(f.file_line, 1) : f.line);
  out += color ? "\033[36m:\033[0m" : ":";
  number(other_file ? 1 : f.column <= 1 ? f.column : report::char_column(original, f.at.begin));
  out += color ? "\033[36m:\033[0m " : ": ";
  if (color) {
    const auto sev = report::finding_severity(transforms::find_rule(f.rule), f);
    out += sev == "error" ? "\033[1;31m" : sev == "warning" ? "\033[1;33m" : "\033[1;34m";
  }
  out += f.rule;
  if (color) out += "\033[0m";
  out += ": ";
  out += f.message;
  if (f.fix && f.safety == transforms::FixSafety::Unsafe && !unsafe_fixes) out += " [unsafe fix: --unsafe-fixes]";
  out += '\n';
}

// `display` is the path as shown, or "" to work it out with `shown` (after
// reading: a file opened without meeting a symbolic link needs no system call
// for it).
FileOutcome process_one(const std::string& arg_path, std::string display, DisplayPaths& shown,
                        const std::string* stdin_bytes, const GoverningPolicy& gp, const RunSettings& rs) {
  const transforms::EngineConfig& cfg = gp.cfg;
  FileOutcome o;
  std::string bytes;
  io::FileStamp stamp;
  if (stdin_bytes) {
    bytes = *stdin_bytes;
    o.display = display;
  } else {
    io::ReadOptions ro;
    ro.stamp = rs.mode == Mode::Fix;  // only fix writes back (and checks for a race)
    ro.no_symlinks = display.empty();
    auto r = io::read_file(arg_path, ro);
    if (display.empty()) {
      std::optional<std::string> quick;
      if (r.ok() && r.no_symlinks) quick = shown.plain(arg_path);
      display = quick ? std::move(*quick) : shown(arg_path);
    }
    o.display = display;
    if (!r.ok()) {
      o.failed = true;
      o.errors = fmt::format("dockmend: error: {}\n", r.error->message);
      o.problem = {display, 0, 0, r.error->message};
      return o;
    }
    bytes = std::move(r.bytes);
    stamp = r.stamp;
  }
  std::size_t nul = 0;
  if (looks_binary(bytes, nul)) {
    const auto [line, col, chars] = report::Positions(bytes).at(static_cast<std::uint32_t>(nul));
    o.failed = true;
    o.errors = fmt::format("dockmend: error: {}:{}:{}: not a Dockerfile: binary content (NUL byte)\n", display, line, col);
    o.problem = {display, line, col, "not a Dockerfile: binary content (NUL byte)"};
    return o;
  }
  if (rs.origins && !stdin_bytes) {
    const Origin origin = rs.origins->of(display, bytes);
    if (origin.kind != Origin::Kind::Own) {
      o.generated = true;
      o.template_from = origin.from;
      o.errors = fmt::format("dockmend: note: {}: {}: not {} (--include-generated {} it){}\n", display, origin.why,
                             rs.mode == Mode::Fix ? "edited" : "checked", rs.mode == Mode::Fix ? "edits" : "checks",
                             origin.from.empty() ? "" : "; its findings are reported against " + origin.from);
      return o;
    }
  }
  const bool fixing = rs.mode == Mode::Diff || rs.mode == Mode::Fix;
  // A template: its placeholders are read as opaque words, and put back.
  std::optional<std::string> masked;
  if (is_template_name(std::string_view(display).substr(display.rfind('/') + 1)) || template_text(bytes))
    masked = mask_placeholders(bytes);
  auto rep = std::make_unique<transforms::FileReport>(
      transforms::process_file(display, masked ? std::move(*masked) : std::move(bytes), cfg, fixing));
  if (masked) {
    unmask_placeholders(rep->original);
    unmask_placeholders(rep->fixed);
    for (auto& f : rep->findings) unmask_placeholders(f.message), unmask_placeholders(f.current);
  }
  if (rep->error) {
    o.failed = true;
    o.errors = fmt::format("dockmend: error: {}:{}:{}: {}\n", display, rep->error->line, rep->error->column,
                           rep->error->message);
    o.problem = {display, rep->error->line, rep->error->column, "buildkit rejects the file: " + rep->error->message};
    if (rs.mode == Mode::Audit) o.report = std::move(rep);
    return o;
  }
  if (rs.baseline || rs.write_baseline) {
    std::vector<std::string> keys = baseline_keys(display, *rep);
    if (rs.baseline) {
      std::vector<transforms::Finding> kept_findings;
      for (std::size_t k = 0; k < rep->findings.size(); ++k) {
        if (!rs.baseline->contains(keys[k])) {
          kept_findings.push_back(std::move(rep->findings[k]));
          continue;
        }
        for (auto& rr : rep->rules)
          if (rr.rule->id == rep->findings[k].rule && rr.findings) --rr.findings;
      }
      rep->findings = std::move(kept_findings);
    }
    if (rs.write_baseline) o.baseline_keys = std::move(keys);
  }
  o.failing = rs.fail_on_given ? failing_findings(rep->findings, rs.fail_on, rs.fail_none)
                               : failing_findings(rep->findings, gp.policy.fail_on, gp.policy.fail_on_none);
  for (const auto& n : rep->notes) o.errors += fmt::format("dockmend: warning: {}: {}\n", display, n);
  for (const auto& c : rep->conflicts)
    o.errors += fmt::format("dockmend: note: {}: {} (applied in a later round if still needed)\n", display, c.message());
  o.findings = rep->findings.size();
  o.unsafe_withheld = rep->unsafe_withheld;
  // Per rule, from the rules' own counts (the findings that were not ignored).
  for (const auto& rr : rep->rules)
    if (rr.findings) o.by_rule.emplace_back(rr.rule->id, rr.findings);
  o.changed = rep->changed();
  switch (rs.mode) {
    case Mode::Check:
      if (rs.check_format == "text" && !rs.write_baseline)
        for (const auto& f : rep->findings) append_finding_line(o.text, display, f, rep->original, rs.color, cfg.unsafe_fixes);
      break;
    case Mode::Diff:
      if (o.changed) {
        diff::DiffOptions d;
        d.old_label = "a/" + display;
        d.new_label = "b/" + display;
        d.context = rs.context;
        d.color = rs.color;
        o.text = diff::unified_diff(rep->original, rep->fixed, d);
      }
      break;
    case Mode::Fix:
      if (o.changed) {
        if (stdin_bytes) break;
        auto w = io::atomic_write(arg_path, rep->fixed, stamp);
        if (!w.ok()) {
          // Say what is on disk now: a failure after the rename (syncing the
          // directory) leaves the new content in place.
          const auto now = io::read_file(arg_path);
          const bool in_place = now.ok() && now.bytes == rep->fixed;
          o.failed = true;
          o.changed = in_place;  // the summary counts files actually changed
          o.errors += fmt::format("dockmend: error: {} ({})\n", w.error->message,
                                  in_place ? "the new content is in place" : "not written");
        } else if (rs.show_diff) {
          diff::DiffOptions d;
          d.old_label = "a/" + display;
          d.new_label = "b/" + display;
          d.context = rs.context;
          d.color = rs.color;
          o.text = diff::unified_diff(rep->original, rep->fixed, d);
        }
      }
      break;
    case Mode::Audit:
      break;
  }
  if (stdin_bytes && rs.mode == Mode::Fix) o.text = rep->fixed;
  if (rs.mode == Mode::Audit || rs.check_format != "text" || !rep->new_files.empty()) {
    if (rs.mode != Mode::Audit && rs.check_format == "text") {
      rep->original.clear();
      rep->fixed.clear();
    }
    o.report = std::move(rep);
  }
  return o;
}

struct Progress {
  bool enabled = false;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last = start;
  bool shown = false;
  void tick(std::ostream& err, std::size_t done, std::size_t total) {
    if (!enabled) return;
    auto now = std::chrono::steady_clock::now();
    if (now - start < std::chrono::seconds(1) || now - last < std::chrono::milliseconds(100)) return;
    last = now;
    const double secs = std::chrono::duration<double>(now - start).count();
    err << fmt::format("\r\033[Kdockmend: {}/{} files ({:.0f} files/s)", done, total, done / secs) << std::flush;
    shown = true;
  }
  void finish(std::ostream& err) {
    if (shown) err << "\r\033[K" << std::flush;
  }
};

// io::atomic_write's temporary files (".<name>.dockmend-XXXXXX") outlive a run
// killed with SIGKILL. Before fixing, remove those of the Dockerfiles about to be
// written: removing one that another run is still writing only makes that run's
// rename fail for that file, never changes a Dockerfile.
void remove_stale_temp_files(const std::vector<std::pair<std::string, std::string>>& files, bool quiet,
                             std::ostream& err) {
  constexpr std::string_view k_marker = ".dockmend-";
  constexpr std::size_t k_random = 6;  // mkostemp's XXXXXX
  // Sorted and unique like a std::set, in a third of its memory (one entry a file
  // in large trees), and with the working directory asked for once.
  std::vector<std::string> dirs;
  dirs.reserve(files.size());
  std::error_code cwd_ec;
  const fs::path cwd = fs::current_path(cwd_ec);
  for (const auto& f : files) {
    std::error_code ec;
    const fs::path p(f.first);
    dirs.push_back((p.is_absolute() || cwd_ec ? fs::absolute(p, ec) : cwd / p).parent_path().string());
    // A symlinked Dockerfile is written (and its temporary file made) beside its target.
    if (fs::is_symlink(p, ec)) {
      const fs::path real = fs::canonical(p, ec);
      if (!ec) dirs.push_back(real.parent_path().string());
    }
  }
  std::sort(dirs.begin(), dirs.end());
  dirs.erase(std::unique(dirs.begin(), dirs.end()), dirs.end());
  for (const auto& dir : dirs) {
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      const std::string name = it->path().filename().string();
      const auto at = name.rfind(k_marker);
      if (name.size() < 2 || name[0] != '.' || at == std::string::npos || at < 2 ||
          name.size() != at + k_marker.size() + k_random)
        continue;
      if (!io::is_dockerfile_name(name.substr(1, at - 1))) continue;
      std::error_code sec;
      if (!fs::is_regular_file(fs::symlink_status(it->path(), sec))) continue;
      if (fs::remove(it->path(), sec) && !quiet)
        err << fmt::format("dockmend: note: removed '{}', left by an interrupted run\n", it->path().string());
    }
  }
}

// The stderr summary: the counts on one line, then the rules that found most
// (a run over a large repository has dozens; a line of all of them was 800
// characters long).
std::string summary_lines(Mode mode, std::size_t n, std::size_t changed, std::size_t created, std::size_t findings,
                          std::size_t failed, const std::map<std::string, std::size_t, std::less<>>& by_rule) {
  const std::string verb = mode == Mode::Fix ? "changed" : "would change";
  std::string s = fmt::format("dockmend: {} file{} scanned", n, n == 1 ? "" : "s");
  // Only diff and fix compute the fixes: check and audit know findings, not changes.
  if (mode == Mode::Diff || mode == Mode::Fix) {
    s += fmt::format(", {} {}", changed, verb);
    if (created) s += fmt::format(", {} new file{}", created, created == 1 ? "" : "s");
  }
  s += fmt::format(", {} finding{}, {} error{}\n", findings, findings == 1 ? "" : "s", failed, failed == 1 ? "" : "s");
  if (by_rule.empty()) return s;
  constexpr std::size_t k_shown = 5;
  std::vector<std::pair<std::string_view, std::size_t>> top(by_rule.begin(), by_rule.end());
  std::stable_sort(top.begin(), top.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  s += "dockmend: by rule: ";
  for (std::size_t i = 0; i < top.size() && i < k_shown; ++i) s += fmt::format("{}{} {}", i ? ", " : "", top[i].first, top[i].second);
  if (top.size() > k_shown) {
    std::size_t rest = 0;
    for (std::size_t i = k_shown; i < top.size(); ++i) rest += top[i].second;
    s += fmt::format(", and {} more rule{} ({} finding{})", top.size() - k_shown, top.size() - k_shown == 1 ? "" : "s", rest,
                     rest == 1 ? "" : "s");
  }
  return s + "\n";
}

// The same for a file about to be created (a machine profile): io::create_file's
// temporary files of that name (".<name>.dockmend-XXXXXX" beside it), left by a
// run killed before it put the file in place.
void remove_stale_temp_files_of(const fs::path& target, bool quiet, std::ostream& err) {
  constexpr std::string_view k_marker = ".dockmend-";
  constexpr std::size_t k_random = 6;  // mkostemp's XXXXXX
  const std::string prefix = "." + target.filename().string() + std::string(k_marker);
  std::error_code ec;
  for (fs::directory_iterator it(target.parent_path(), ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() != prefix.size() + k_random || name.rfind(prefix, 0) != 0) continue;
    std::error_code sec;
    if (!fs::is_regular_file(fs::symlink_status(it->path(), sec))) continue;
    if (fs::remove(it->path(), sec) && !quiet)
      err << fmt::format("dockmend: note: removed '{}', left by an interrupted run\n", it->path().string());
  }
}

// The directory of a path as shown ("" for a file at the root).
std::string parent_of(const std::string& shown) {
  const auto slash = shown.rfind('/');
  return slash == std::string::npos ? std::string() : shown.substr(0, slash);
}

// What is searched without PATH: the directory of the nearest dockmend.yaml at
// or above the current directory (the project one is in) or of the --policy
// file when the current directory is inside it; else the current directory.
std::string default_search_root(const po::variables_map& vm) {
  std::error_code ec;
  const fs::path cwd = fs::current_path(ec);
  if (ec || vm["no-policy"].as<bool>()) return ".";
  std::optional<fs::path> file;
  if (vm.count("policy")) file = fs::absolute(vm["policy"].as<std::string>(), ec);
  else file = policy::find_policy_file(cwd);
  if (!file) return ".";
  const fs::path dir = fs::weakly_canonical(file->parent_path(), ec);
  const fs::path rel = fs::weakly_canonical(cwd, ec).lexically_relative(dir);
  if (rel.empty() || *rel.begin() == "..") return ".";
  // Above the repository the current directory is in, it is not this project's.
  const fs::path repo = repository_root(cwd);
  if (dir.lexically_relative(repo).empty() || *dir.lexically_relative(repo).begin() == "..") return ".";
  return dir.string();
}

// The directory the repository is looked for from: the first PATH's (a
// directory, or a file's parent), or for standard input --stdin-filename's
// parent or the current directory.
fs::path start_directory(const std::string& first_root, const po::variables_map& vm) {
  std::string p = first_root;
  if (p.empty()) {
    if (!vm.count("stdin-filename")) return ".";
    p = vm["stdin-filename"].as<std::string>();
  }
  std::error_code ec;
  if (fs::is_directory(p, ec)) return p;
  const fs::path parent = fs::path(p).parent_path();
  return parent.empty() ? fs::path(".") : parent;
}

int run_files(Mode mode, const po::variables_map& vm, const std::vector<std::string>& paths, Streams& st) {
  RunSettings rs;
  rs.mode = mode;
  rs.color = want_color(vm["color"].as<std::string>(), st.out_is_tty);
  if (vm.count("unified")) rs.context = vm["unified"].as<int>();
  if (vm.count("show-diff")) rs.show_diff = vm["show-diff"].as<bool>();
  if (mode == Mode::Check) {
    rs.check_format = vm["format"].as<std::string>();
    if (rs.check_format != "text" && rs.check_format != "json" && rs.check_format != "sarif")
      throw UsageError{fmt::format("--format takes text, json or sarif, not '{}'{}", rs.check_format,
                                   did_you_mean(rs.check_format, {"text", "json", "sarif"}))};
  }
  report::Format audit_format = report::Format::Markdown;
  bool audit_html = false;
  if (mode == Mode::Audit) {
    const auto f = vm["format"].as<std::string>();
    audit_html = f == "html";
    if (f == "md" || f == "markdown") audit_format = report::Format::Markdown;
    else if (f == "json") audit_format = report::Format::Json;
    else if (f == "sarif") audit_format = report::Format::Sarif;
    else if (!audit_html)
      throw UsageError{fmt::format("--format takes md, html, json or sarif, not '{}'{}", f,
                                   did_you_mean(f, {"md", "html", "json", "sarif"}))};
  }
  const bool quiet = vm["quiet"].as<bool>();
  int jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (vm.count("jobs")) jobs = vm["jobs"].as<int>();
  if (jobs < 1) throw UsageError{"--jobs takes a number of 1 or more"};

  transforms::Selection selection;
  if (vm.count("select")) selection.select = split_commas(vm["select"].as<std::vector<std::string>>());
  if (vm.count("ignore")) selection.ignore = split_commas(vm["ignore"].as<std::vector<std::string>>());
  for (const auto& n : selection.select)
    if (n != "ALL" && !transforms::find_rule(n)) 
      throw UsageError{fmt::format("--select: unknown rule '{}'{}", n, did_you_mean(n, rule_names()))};
  for (const auto& n : selection.ignore)
    if (n != "ALL" && !transforms::find_rule(n)) 
      throw UsageError{fmt::format("--ignore: unknown rule '{}'{}", n, did_you_mean(n, rule_names()))};
  if (vm.count("fail-on")) {
    const auto f = vm["fail-on"].as<std::string>();
    rs.fail_on_given = true;
    rs.fail_none = f == "none";
    rs.fail_on = policy::parse_severity(f);
    if (!rs.fail_none && !rs.fail_on)
      throw UsageError{fmt::format("--fail-on takes error, warning, info, style or none, not '{}'", f)};
  }
  std::optional<Baseline> baseline;
  if (vm.count("baseline")) {
    const auto file = vm["baseline"].as<std::string>();
    auto read = io::read_file(file);
    if (!read.ok()) throw UsageError{read.error->message};
    try {
      baseline = Baseline::parse(read.bytes, file);
    } catch (const std::runtime_error& e) {
      throw UsageError{e.what()};
    }
    rs.baseline = &*baseline;
  }
  rs.write_baseline = vm.count("write-baseline") != 0;

  // What to search, the repository it is in, and the policies.
  std::vector<std::string> roots = paths;
  if (roots.empty()) roots.push_back(default_search_root(vm));
  const bool use_stdin = std::find(roots.begin(), roots.end(), "-") != roots.end();
  if (use_stdin && roots.size() > 1) throw UsageError{"- (standard input) cannot be mixed with other paths"};
  const fs::path repo = repository_root(start_directory(use_stdin ? "" : roots.front(), vm));
  RepoView view(repo);
  PolicySet::Options popt;
  if (vm.count("policy")) popt.file = fs::path(vm["policy"].as<std::string>());
  popt.none = vm["no-policy"].as<bool>();
  popt.selection = selection;
  // What each rule found right is read only by the reports (audit, check --format json/sarif).
  popt.collect_correct = mode == Mode::Audit || rs.check_format != "text";
  popt.files = &view;
  popt.unsafe_fixes = vm["unsafe-fixes"].as<bool>();
  PolicySet policies(view.root(), std::move(popt));
  OriginFinder origins(view);
  if (!vm["include-generated"].as<bool>()) rs.origins = &origins;

  std::string stdin_bytes;
  std::vector<std::pair<std::string, std::string>> files;  // (path to open, display)
  std::vector<report::Problem> problems;                   // for JSON and SARIF
  std::size_t discovered = 0;
  std::string automation_id;                               // SARIF: one id per shard
  std::vector<const GoverningPolicy*> governing;             // each file's policy
  int exit_code = 0;
  if (use_stdin) {
    stdin_bytes = read_stdin(st.in, io::k_default_max_file_bytes);
    std::string name = vm.count("stdin-filename") ? vm["stdin-filename"].as<std::string>() : "Dockerfile";
    files.emplace_back("-", vm.count("stdin-filename") ? relative_display(name, view.root()) : name);
    governing.push_back(&policies.for_dir(parent_of(files.back().second)));
  } else {
    io::DiscoverOptions dopt;
    if (vm.count("exclude")) dopt.exclude = vm["exclude"].as<std::vector<std::string>>();
    dopt.jobs = jobs;
    auto found = io::discover(roots, dopt);
    for (const auto& e : found.errors) {
      st.err << fmt::format("dockmend: error: {}\n", e.message);
      problems.push_back({"", 0, 0, e.message});
      exit_code = 2;
    }
    discovered = found.files.size();
    // Files skipped on purpose (links leaving the root, broken links): say why.
    if (!quiet)
      for (const auto& note : found.notes) st.err << fmt::format("dockmend: note: {}\n", note);
    int shard_k = 0, shard_n = 1;
    if (vm.count("shard")) {
      const auto s = vm["shard"].as<std::string>();
      int used = 0;  // all of it: "1/3x" is a typo, not shard 1 of 3
      if (std::sscanf(s.c_str(), "%d/%d%n", &shard_k, &shard_n, &used) != 2 || static_cast<std::size_t>(used) != s.size() ||
          shard_n < 1 || shard_k < 1 || shard_k > shard_n)
        throw UsageError{fmt::format("--shard takes K/N with 1 <= K <= N, not '{}'", s)};
      // Code scanning keeps one analysis per tool and category: each shard's run is its own.
      if (shard_n > 1) automation_id = fmt::format("dockmend/shard-{}-of-{}/", shard_k, shard_n);
    }
    // A file's shard follows from its path as shown (relative to the
    // repository root), so that every job agrees however it spells the roots
    // and wherever its checkout is.
    DisplayPaths shard_paths(view.root());
    // Files come sorted: a directory's files are together, and its policy is
    // looked up once.
    std::string last_dir = "\n";
    const GoverningPolicy* last = nullptr;
    for (auto& f : found.files) {
      std::string display;  // left empty, it is worked out by the workers
      if (shard_n > 1) {
        display = shard_paths(f);
        if (!io::in_shard(display, shard_k - 1, shard_n)) continue;
      }
      const auto slash = f.rfind('/');
      const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : f.substr(0, slash);
      if (dir != last_dir) {
        last_dir = dir;
        last = &policies.for_dir(parent_of(display.empty() ? shard_paths(f) : display));
      }
      if (!last->policy.exclude.empty()) {
        if (display.empty()) display = shard_paths(f);
        if (policy_excludes(last->policy, display)) continue;
      }
      files.emplace_back(std::move(f), std::move(display));
      governing.push_back(last);
    }
  }

  if (mode == Mode::Fix && !use_stdin) remove_stale_temp_files(files, quiet, st.err);

  // Process in parallel, print in order, keep only a bounded window in memory.
  const std::size_t n = files.size();
  std::vector<std::unique_ptr<FileOutcome>> slots(n);
  std::mutex mu;
  std::condition_variable ready, room;
  std::atomic<std::size_t> next{0};
  std::size_t printed = 0;
  const std::size_t window = 2048;
  // The main thread sleeps until `batch` more files are done (or all are), and a
  // worker wakes it only then: a wake-up per file cost a context switch per file.
  const std::size_t batch = 64;
  std::size_t done = 0;       // slots [0, done) are all filled (under mu)
  std::size_t wanted = 0;     // the main thread waits for done >= wanted
  bool main_waits = false;
  auto process_at = [&](std::size_t i, DisplayPaths& shown) {
    try {
      return std::make_unique<FileOutcome>(
          process_one(files[i].first, files[i].second, shown, use_stdin ? &stdin_bytes : nullptr, *governing[i], rs));
    } catch (const std::exception& e) {
      // One file that cannot be processed (out of memory, say) must not end the run.
      const std::string display = files[i].second.empty() ? shown(files[i].first) : files[i].second;
      auto o = std::make_unique<FileOutcome>();
      o->display = display;
      o->failed = true;
      o->errors = fmt::format("dockmend: error: {}: {} (not processed)\n", display, e.what());
      o->problem = {display, 0, 0, fmt::format("{} (not processed)", e.what())};
      return o;
    }
  };
  auto worker = [&] {
    DisplayPaths shown(view.root());
    while (true) {
      const std::size_t i = next.fetch_add(1);
      if (i >= n) return;
      {
        std::unique_lock<std::mutex> lk(mu);
        room.wait(lk, [&] { return i < printed + window; });
      }
      auto o = process_at(i, shown);
      bool wake = false;
      {
        std::lock_guard<std::mutex> lk(mu);
        slots[i] = std::move(o);
        while (done < n && slots[done]) ++done;
        wake = main_waits && done >= wanted;
      }
      if (wake) ready.notify_one();
    }
  };
  std::vector<std::thread> threads;
  const int nthreads = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(jobs), std::max<std::size_t>(n, 1)));
  // One job runs on this thread: no thread to start, and the io test seams
  // (thread-local) reach the reads and writes.
  const bool on_this_thread = nthreads <= 1;
  if (!on_this_thread)
    for (int t = 0; t < nthreads; ++t) threads.emplace_back(worker);

  Progress progress;
  progress.enabled = st.err_is_tty && !quiet;
  std::size_t changed = 0, failed = 0, findings = 0, withheld = 0, generated = 0, failing = 0;
  std::set<std::string> seen, templates;  // shown paths processed; templates of generated files
  std::vector<std::string> recorded;  // --write-baseline
  std::map<std::string, std::size_t, std::less<>> by_rule;
  std::vector<std::unique_ptr<transforms::FileReport>> kept;
  std::map<std::string, transforms::NewFile> new_files;
  DisplayPaths shown_here(view.root());
  std::size_t taken = 0;  // slots [i, taken) are filled and no worker touches them again
  for (std::size_t i = 0; i < n; ++i) {
    std::unique_ptr<FileOutcome> o;
    if (on_this_thread) {
      o = process_at(i, shown_here);
    } else {
      if (i == taken) {
        {
          std::unique_lock<std::mutex> lk(mu);
          printed = i;
          if (done == i) {
            wanted = std::min(n, i + batch);
            main_waits = true;
            ready.wait(lk, [&] { return done >= wanted; });
            main_waits = false;
          }
          taken = done;
        }
        room.notify_all();
      }
      o = std::move(slots[i]);
    }
    progress.tick(st.err, i + 1, n);
    if (!o->errors.empty()) {
      progress.finish(st.err);
      st.err << o->errors;
    }
    st.out << o->text;
    if (rs.origins) {
      seen.insert(o->display);
      if (o->generated) ++generated;
      if (!o->template_from.empty()) templates.insert(o->template_from);
    }
    if (o->failed) ++failed;
    if (o->failed && !(o->report && o->report->error)) problems.push_back(std::move(o->problem));
    if (o->changed) ++changed;
    findings += o->findings;
    withheld += o->unsafe_withheld;
    failing += o->failing;
    for (auto& k : o->baseline_keys) recorded.push_back(std::move(k));
    for (const auto& [r, c] : o->by_rule) {
      auto it = by_rule.find(r);
      if (it == by_rule.end()) it = by_rule.emplace(std::string(r), 0).first;
      it->second += c;
    }
    if (o->report) {
      for (auto& nf : o->report->new_files) new_files.emplace(nf.path, nf);
      if (mode == Mode::Audit || rs.check_format != "text") kept.push_back(std::move(o->report));
    }
  }
  for (auto& t : threads) t.join();
  progress.finish(st.err);
  // A file the rules could not read was taken as missing: their verdicts on it are unsure.
  for (const auto& e : view.read_errors()) {
    st.err << fmt::format("dockmend: error: {} (the rules took it as missing)\n", e.message);
    exit_code = 2;
  }
  // The templates generated files come from, when the run did not reach them
  // (Dockerfile-linux.template is no Dockerfile name): checked and fixed instead.
  for (const std::string& t : templates) {
    if (seen.count(t)) continue;
    auto o = std::make_unique<FileOutcome>(process_one((view.root() / t).string(), t, shown_here, nullptr, policies.for_dir(parent_of(t)), rs));
    if (o->failed) {
      // A template may not parse as a Dockerfile (placeholders where an instruction goes): say so, no error.
      o->failed = false;
      o->errors = fmt::format("dockmend: note: {}: a template that does not parse as a Dockerfile: not checked\n", t);
    }
    st.err << o->errors;
    st.out << o->text;
    if (o->changed) ++changed;
    findings += o->findings;
    withheld += o->unsafe_withheld;
    for (const auto& [r, c] : o->by_rule) by_rule[std::string(r)] += c;
    if (o->report && (mode == Mode::Audit || rs.check_format != "text")) kept.push_back(std::move(o->report));
  }

  // Files the fixes create (machine profiles): new files in the diff, written by fix.
  std::size_t created = 0;
  for (const auto& [path, nf] : new_files) {
    auto target = view.locate(path);
    std::error_code ec;
    if (!target) {
      st.err << fmt::format("dockmend: error: {}: refusing to create a file outside the repository\n", path);
      exit_code = 2;
      continue;
    }
    if (fs::exists(*target, ec)) continue;
    ++created;
    const std::string shown = relative_display(*target, view.root());
    if (mode == Mode::Diff) {
      diff::DiffOptions d;
      d.old_label = "/dev/null";
      d.new_label = "b/" + shown;
      d.context = rs.context;
      d.color = rs.color;
      st.out << diff::unified_diff("", nf.content, d);
    } else if (mode == Mode::Fix) {
      // Written like an edited file (a temporary file, fsync, then put in
      // place without overwriting one that appeared meanwhile): an
      // interruption leaves the new file whole or absent.
      fs::create_directories(target->parent_path(), ec);
      if (!ec) remove_stale_temp_files_of(*target, quiet, st.err);
      const io::WriteResult w =
          ec ? io::WriteResult{io::make_io_error("cannot create", shown, ec.value(), "cannot create its directory")}
             : io::create_file(target->string(), nf.content, shown);
      if (!w.ok()) {
        // As for edits, say what is on disk now: a failure after the file was
        // put in place (syncing the directory) leaves it there.
        const auto now = ec ? io::ReadResult{} : io::read_file(target->string());
        const bool in_place = !ec && now.ok() && now.bytes == nf.content;
        if (!in_place) --created;
        st.err << fmt::format("dockmend: error: {} ({})\n", w.error->message,
                              in_place ? "the new file is in place" : "not created");
        exit_code = 2;
      }
    }
  }

  if (mode == Mode::Audit || rs.check_format != "text") {
    report::AuditInput in;
    in.policy = &policies.main().policy;
    in.tool_version = std::string(dockmend::version());
    for (const auto& r : kept) in.files.push_back(r.get());
    report::FindingsInput fi;
    fi.policy = in.policy;
    fi.files = in.files;
    fi.problems = std::move(problems);
    fi.tool_version = in.tool_version;
    fi.scanned = n;
    fi.automation_id = automation_id;
    report::SarifOptions so;
    if (vm.count("sarif-max-results")) so.max_results = vm["sarif-max-results"].as<std::size_t>();
    if (mode == Mode::Audit) {
      st.out << (audit_html                                  ? report::audit_html(in)
                 : audit_format == report::Format::Sarif ? report::sarif(fi, so)
                                                         : report::render(in, audit_format));
      if (vm.count("fail-under") && report::score(in).percent() < vm["fail-under"].as<double>() && exit_code == 0)
        exit_code = 1;
    } else if (rs.check_format == "sarif") {
      st.out << report::sarif(fi, so);
    } else {
      st.out << report::check_json(fi);
    }
  }

  if (!quiet && n == 0 && !use_stdin) {
    // Nothing to do is not an error, but say so: a wrong path or a --exclude too wide.
    if (discovered == 0 && exit_code == 0)
      st.err << fmt::format("dockmend: warning: no Dockerfiles found in {} (looked for Dockerfile, Containerfile, "
                            "Dockerfile.*, *.Dockerfile, ...; .gitignore and --exclude honoured)\n",
                            fmt::join(roots, ", "));
    else if (discovered > 0 && vm.count("shard"))
      st.err << fmt::format("dockmend: note: none of the {} Dockerfiles found falls in shard {}\n", discovered,
                            vm["shard"].as<std::string>());
  }
  if (!quiet && (n > 1 || findings || changed || failed || created || generated)) {
    std::string s = summary_lines(mode, n, changed, created, findings, failed, by_rule);
    if (generated)
      s += fmt::format("dockmend: {} generated or vendored file{} left alone (--include-generated includes {})\n",
                       generated, generated == 1 ? "" : "s", generated == 1 ? "it" : "them");
    if (withheld)
      s += fmt::format("dockmend: {} unsafe fix{} not applied (--unsafe-fixes applies {})\n", withheld,
                       withheld == 1 ? "" : "es", withheld == 1 ? "it" : "them");
    st.err << s;
  }
  if (rs.write_baseline) {
    const auto file = vm["write-baseline"].as<std::string>();
    const std::string problem = write_baseline_file(file, baseline_text(std::move(recorded)));
    if (!problem.empty()) {
      st.err << fmt::format("dockmend: error: {}\n", problem);
      return 2;
    }
    if (!quiet) st.err << fmt::format("dockmend: recorded {} finding{} in {}\n", findings, findings == 1 ? "" : "s", file);
    return failed || exit_code ? 2 : 0;
  }
  if (failed) exit_code = 2;
  if (exit_code) return exit_code;
  switch (mode) {
    case Mode::Check: return (failing || changed) ? 1 : 0;
    case Mode::Diff: return (changed || created) ? 1 : 0;
    default: return 0;
  }
}

// ---------------------------------------------------------------- dump, rules, policy

int run_dump(const po::variables_map& vm, const std::vector<std::string>& paths, Streams& st) {
  const auto format = vm["format"].as<std::string>();
  if (format != "buildkit" && format != "source" && format != "json" && format != "tokens")
    throw UsageError{fmt::format("--format takes buildkit, source, json or tokens, not '{}'", format)};
  if (paths.empty()) throw UsageError{"dump needs a FILE (or - for standard input)"};
  int code = 0;
  for (const auto& p : paths) {
    std::string bytes;
    if (p == "-") {
      bytes = read_stdin(st.in, k_dump_max_bytes);
    } else {
      auto r = io::read_file(p, {k_dump_max_bytes});
      if (!r.ok()) {
        st.err << fmt::format("dockmend: error: {}\n", r.error->message);
        code = 2;
        continue;
      }
      bytes = std::move(r.bytes);
    }
    auto tree = syntax::parse(bytes);
    if (format == "source") {
      st.out << syntax::print(tree);
      continue;
    }
    if (format == "json") {
      st.out << syntax::dump_json(tree, p);
      continue;
    }
    if (format == "tokens") {
      for (const auto& t : tree.tokens) {
        auto [line, col] = tree.position(t.span.begin);
        st.out << fmt::format("{}:{}: {} {}\n", line, col, syntax::token_kind_name(t.kind),
                              syntax::json_quote(tree.text(t.span)));
      }
      continue;
    }
    if (const auto* e = tree.first_error()) {
      st.err << fmt::format("dockmend: error: {}:{}:{}: {}\n", p, e->line, e->column, e->message);
      code = 2;
      continue;
    }
    st.out << syntax::dump_buildkit(tree);
  }
  return code;
}

// `dockmend rules ID`: one rule, with everything known about it.
int run_rule(const std::string& name, Streams& st) {
  const auto* r = transforms::find_rule(name);
  if (!r) throw UsageError{fmt::format("unknown rule '{}'{} (see dockmend rules)", name, did_you_mean(name, rule_names()))};
  const char* safety = r->fix.empty() ? "report only (no automatic fix)"
                       : r->safety == transforms::FixSafety::Safe ? "safe fix (dockmend fix applies it)"
                                                                  : "fix needs review (it may change what the image does)";
  st.out << fmt::format("{}\n\n", r->id);
  st.out << fmt::format("  kind:     {}\n", r->kind == transforms::RuleKind::Policy ? "policy" : "built-in");
  st.out << fmt::format("  severity: {}\n", report::severity_of(r));
  st.out << fmt::format("  priority: {}\n", r->priority);
  if (!r->aliases.empty()) st.out << fmt::format("  aka:      {}\n", r->aliases);
  st.out << fmt::format("  checks:   {}\n", r->summary);
  if (const auto why = report::rule_description(*r); !why.empty()) st.out << fmt::format("  why:      {}\n", why);
  st.out << fmt::format("  fix:      {}\n", r->fix.empty() ? std::string_view("none") : r->fix);
  if (!r->options.empty())
    st.out << fmt::format("  options:  {} (rules: {{{}: {}}})\n", r->options, r->id,
                          r->example_setting.empty() ? std::string_view("{...}") : r->example_setting);
  st.out << fmt::format("  safety:   {}\n", safety);
  st.out << fmt::format("  docs:     {}\n", report::rule_help_uri(*r));
  return 0;
}

int run_rules(const std::vector<std::string>& ids, Streams& st) {
  if (!ids.empty()) {
    int code = 0;
    for (std::size_t i = 0; i < ids.size(); ++i) {
      if (i) st.out << "\n";
      code = std::max(code, run_rule(ids[i], st));
    }
    return code;
  }
  for (const auto* r : transforms::all_rules()) {
    const char* kind = r->kind == transforms::RuleKind::Policy ? "policy" : "built-in";
    const char* safety = r->safety == transforms::FixSafety::Safe     ? "safe fix"
                         : r->safety == transforms::FixSafety::Unsafe ? "unsafe fix"
                                                                     : "report only";
    st.out << fmt::format("{}  [{}, {}, priority {}]{}\n", r->id, kind, safety, r->priority,
                          r->aliases.empty() ? std::string() : fmt::format("  aka {}", r->aliases));
    st.out << fmt::format("    checks: {}\n", r->summary);
    if (!r->fix.empty()) st.out << fmt::format("    fix:    {}\n", r->fix);
  }
  return 0;
}

// `inspect`: the model needs the policy of the directory searched (its stages and target).
int run_inspect(const po::variables_map& vm, const std::vector<std::string>& paths, Streams& st) {
  (void)want_color(vm["color"].as<std::string>(), st.out_is_tty);  // refuses a bad --color like the others
  const fs::path start = start_directory(paths.empty() ? "." : paths.front(), vm);
  RepoView view(repository_root(start));
  PolicySet::Options popt;
  if (vm.count("policy")) popt.file = fs::path(vm["policy"].as<std::string>());
  popt.none = vm["no-policy"].as<bool>();
  popt.files = &view;
  PolicySet policies(view.root(), std::move(popt));
  return run_inspect_command(vm, paths, policies.main().policy, view.root(), st);
}

int run_policy(const po::variables_map& vm, const std::vector<std::string>& paths, Streams& st) {
  (void)want_color(vm["color"].as<std::string>(), st.out_is_tty);  // refuses a bad --color like the others
  if (vm["default"].as<bool>()) {
    st.out << default_policy_yaml();
    return 0;
  }
  if (vm.count("from-hadolint")) {
    std::string file = vm["from-hadolint"].as<std::string>();
    if (file.empty() && !paths.empty()) file = paths.front();
    if (file.empty()) {
      std::error_code ec;
      for (const char* name : {".hadolint.yaml", ".hadolint.yml"})
        if (file.empty() && fs::is_regular_file(name, ec)) file = name;
      if (file.empty()) throw UsageError{"--from-hadolint: no .hadolint.yaml or .hadolint.yml here (name the file)"};
    }
    auto read = io::read_file(file, {16 * 1024 * 1024});
    if (!read.ok()) throw UsageError{read.error->message};
    auto conv = policy::from_hadolint(read.bytes, file, [](std::string_view code) -> std::optional<std::string> {
      if (const auto* r = transforms::find_rule(code)) return std::string(r->id);
      return std::nullopt;
    });
    if (!conv.errors.empty()) {
      std::string msg;
      for (const auto& e : conv.errors) msg += (msg.empty() ? "" : "\ndockmend: error: ") + e.to_string();
      throw UsageError{msg};
    }
    st.out << conv.yaml;
    return 0;
  }
  const std::string where = paths.empty() ? "." : paths.front();
  const fs::path start = start_directory(where, vm);
  const fs::path repo = repository_root(start);
  RepoView view(repo);
  PolicySet::Options popt;
  if (vm.count("policy")) popt.file = fs::path(vm["policy"].as<std::string>());
  popt.none = vm["no-policy"].as<bool>();
  popt.files = &view;
  PolicySet policies(view.root(), std::move(popt));
  std::error_code ec;
  const fs::path abs = fs::weakly_canonical(fs::absolute(start, ec), ec);
  const fs::path rel = abs.lexically_relative(view.root());
  const std::string dir = rel.empty() || rel == "." ? std::string() : rel.generic_string();
  const GoverningPolicy& gp = policies.for_dir(dir);
  if (!gp.from_file) {
    st.out << "# no dockmend.yaml found: the built-in default policy is in use\n" << default_policy_yaml();
    return 0;
  }
  const policy::Policy& pol = gp.policy;
  st.out << fmt::format("policy: {}\nroot: {}\n", gp.source, view.root().string());
  if (pol.fail_on || pol.fail_on_none)
    st.out << fmt::format("fail_on: {}\n", pol.fail_on_none ? "none" : policy::severity_name(*pol.fail_on));
  if (!pol.exclude.empty()) {
    st.out << "exclude:\n";
    for (const auto& g : pol.exclude)
      st.out << fmt::format("  {}{}\n", g.base.empty() ? "" : g.base + "/: ", g.glob);
  }
  st.out << "services:\n";
  for (const auto& s : pol.services) st.out << fmt::format("  {}: {}\n", s.name, s.dockerfile);
  st.out << "rules:\n";
  for (const auto* r : transforms::all_rules()) {
    bool on = false;
    for (const auto& s : pol.services) on = on || transforms::rule_enabled(*r, pol, &s);
    on = on || transforms::rule_enabled(*r, pol, nullptr);
    std::string options;  // what the top-level setting gives (trusted-registries' registries)
    for (std::string_view a = r->options; on && !a.empty();) {
      const auto comma = a.find(',');
      std::string_view key = a.substr(0, comma);
      while (!key.empty() && key.front() == ' ') key.remove_prefix(1);
      if (const auto* o = transforms::rule_option(*r, pol, nullptr, key))
        options += fmt::format(", {}: [{}]", key, fmt::join(o->values, ", "));
      if (comma == std::string_view::npos) break;
      a.remove_prefix(comma + 1);
    }
    st.out << fmt::format("  {}: {}{}\n", r->id, on ? "on" : "off",
                          on ? fmt::format(" ({}{})", policy::severity_name(transforms::rule_severity(*r, pol, nullptr)),
                                           options)
                             : std::string());
  }
  return 0;
}

int dispatch(const std::vector<std::string>& args, Streams& st) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    st.out << k_commands_help;
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version" || args[0] == "-V" || args[0] == "version") {
    st.out << "dockmend " << dockmend::version() << "\n";
    return 0;
  }
  if (args[0] == "completion") return run_completion(args, st);
  if (args[0] == "help") {
    if (args.size() < 2) {
      st.out << k_commands_help;
      return 0;
    }
    if (args[1] == "completion") return run_completion({"completion", "--help"}, st);
    st.out << command_help(make_command(args[1]));
    return 0;
  }
  Command cmd = make_command(args[0]);
  po::options_description all;
  if (cmd.name != "rules") {
    all.add(run_options());
    all.add(cmd.extra);
  } else {
    all.add_options()("help,h", "show this help");
  }
  all.add_options()("paths", po::value<std::vector<std::string>>(), "paths");
  po::positional_options_description pos;
  pos.add("paths", -1);
  std::vector<std::string> rest(args.begin() + 1, args.end());
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(rest).options(all).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::unknown_option& e) {
    std::vector<std::string> names;
    for (const auto& o : all.options())
      if (o->long_name() != "paths") names.push_back("--" + o->long_name());
    throw UsageError{std::string(e.what()) + did_you_mean(e.get_option_name(), names) + " (see dockmend help " + cmd.name + ")"};
  } catch (const po::error& e) {
    throw UsageError{std::string(e.what()) + " (see dockmend help " + cmd.name + ")"};
  }
  if (vm.count("help")) {
    st.out << command_help(cmd);
    return 0;
  }
  std::vector<std::string> paths;
  if (vm.count("paths")) paths = vm["paths"].as<std::vector<std::string>>();
  if (cmd.name == "dump") return run_dump(vm, paths, st);
  if (cmd.name == "inspect") return run_inspect(vm, paths, st);
  if (cmd.name == "rules") return run_rules(paths, st);
  if (cmd.name == "policy") return run_policy(vm, paths, st);
  if (cmd.name == "verify") return run_verify(vm, paths, st);
  Mode mode = cmd.name == "check" ? Mode::Check : cmd.name == "diff" ? Mode::Diff : cmd.name == "fix" ? Mode::Fix : Mode::Audit;
  return run_files(mode, vm, paths, st);
}

}  // namespace

std::vector<CommandInfo> command_table() {
  std::vector<CommandInfo> table;
  // The commands section of the help: "  NAME  SUMMARY" lines up to a blank line.
  std::istringstream help(k_commands_help);
  std::string line;
  bool in_commands = false;
  while (std::getline(help, line)) {
    if (!in_commands) {
      in_commands = line == "commands:";
      continue;
    }
    if (line.empty()) break;
    const auto b = line.find_first_not_of(' ');
    const auto e = line.find(' ', b);
    CommandInfo c{line.substr(b, e - b), line.substr(line.find_first_not_of(' ', e)), "", {}};
    if (c.name != "help" && c.name != "completion") {
      const Command cmd = make_command(c.name);
      c.usage = cmd.usage;
      const po::options_description shown = shown_options(cmd);
      for (const auto& o : shown.options()) {
        const po::value_semantic* v = o->semantic().get();
        OptionInfo oi;
        oi.long_name = o->long_name();
        oi.takes_value = v->max_tokens() > 0;
        oi.numeric = dynamic_cast<const po::typed_value<int>*>(v) || dynamic_cast<const po::typed_value<double>*>(v);
        oi.repeatable = v->is_composing();
        oi.help = o->description();
        const std::string shortest = o->canonical_display_name(po::command_line_style::allow_dash_for_short);
        if (shortest.size() == 2 && shortest[0] == '-') oi.short_name = shortest[1];
        c.options.push_back(std::move(oi));
      }
    }
    table.push_back(std::move(c));
  }
  return table;
}

int run(const std::vector<std::string>& args, Streams& st) {
  try {
    return dispatch(args, st);
  } catch (const UsageError& e) {
    st.err << "dockmend: error: " << e.message << "\n";
    return 2;
  } catch (const PolicyError& e) {
    st.err << "dockmend: error: " << e.message << "\n";
    return 2;
  } catch (const std::exception& e) {
    st.err << "dockmend: error: " << e.what() << "\n";
    return 2;
  }
}

int run(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  std::vector<std::string> args(argv + 1, argv + argc);
  Streams st{std::cin, std::cout, std::cerr, isatty(1) != 0, isatty(2) != 0};
  const int code = run(args, st);
  std::cout.flush();
  return code;
}

}  // namespace dockmend::cli
