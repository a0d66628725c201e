// Downloads in RUN: curl that fails on HTTP errors (-f) and follows
// redirects (-L), https for hosts known to serve the same files over it, and
// wget that does not flood the build log.
#include <fmt/format.h>

#include "transforms/builtin_support.hpp"
#include "transforms/rules.hpp"

namespace dockmend::transforms::rules {
namespace {

using builtin::RunScript;

// Letters of curl's short options that take an argument (a cluster holding one cannot grow).
constexpr std::string_view k_curl_arg_letters = "AbcCdDeEFHKmoPQrtTuUwxXyYz";

bool has_url(const shell::Command& cmd, std::size_t from) {
  for (std::size_t i = from; i < cmd.words.size(); ++i) {
    const std::string_view v = cmd.words[i].value;
    if (v.find("://") != std::string_view::npos || (v.find('.') != std::string_view::npos && v[0] != '-'))
      return true;
  }
  return false;
}

// The first word after the program when it is a plain cluster of flag letters ("-sS").
std::optional<std::size_t> flag_cluster(const shell::Command& cmd, std::size_t program) {
  const std::size_t i = program + 1;
  if (i >= cmd.words.size()) return std::nullopt;
  const auto& w = cmd.words[i];
  if (w.quoted || w.has_expansion || w.value.size() < 2 || w.value[0] != '-' || w.value[1] == '-') return std::nullopt;
  for (char c : std::string_view(w.value).substr(1))
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) || k_curl_arg_letters.find(c) != std::string_view::npos)
      return std::nullopt;
  return i;
}

template <class Fn>
void for_each_program(const syntax::Tree& tree, std::string_view name, Fn fn) {
  const auto& ff = builtin::facts(tree);
  for (const auto& run : ff.runs)
    for (const auto& cmd : run.script.commands) {
      auto inv = shell::invocation(cmd);
      if (inv && inv->name == name) fn(run, cmd, *inv);
    }
}

// A curl that fetches something (not a probe of a status code or headers).
bool fetches(const shell::Command& cmd, const shell::Invocation& inv) {
  if (!has_url(cmd, inv.args)) return false;
  return !shell::has_option(cmd, {"-w", "--write-out", "-I", "--head", "-V", "--version", "-h", "--help", "-X",
                                  "--request", "-d", "--data", "--data-raw", "--data-binary", "-T",
                                  "--upload-file", "-F", "--form"}) &&
         !builtin::options_may_hide(cmd);
}

// An option every fetching curl should have: present under one of `names`, or
// added as `letter`, into the leading flag cluster (at its front when
// `cluster_front`, as in -fsSL) or as its own word after the program.
void check_curl_option(const Context& ctx, Outcome& out, std::initializer_list<std::string_view> names, char letter,
                       bool cluster_front, std::string_view message, std::string_view correct) {
  const std::string flag = std::string("-") + letter;
  bool any = false;
  for_each_program(ctx.tree, "curl", [&](const RunScript& run, const shell::Command& cmd, const shell::Invocation& inv) {
    if (!fetches(cmd, inv)) return;
    any = true;
    if (shell::has_option(cmd, names)) return;
    std::vector<edit::Edit> edits;
    if (run.editable) {
      if (auto c = flag_cluster(cmd, inv.program)) {
        const auto at = cluster_front ? builtin::source_span(ctx.tree, run, cmd.words[*c].span).begin + 1
                                      : builtin::source_after(ctx.tree, run, cmd.words[*c].span.end);
        edits.push_back({{at, at}, std::string(1, letter)});
      } else if (auto e = builtin::insert_flag(ctx.tree, run, cmd, flag, shell::InsertAt::AfterProgram)) {
        edits.push_back(*e);
      }
    }
    auto f = builtin::command_finding(ctx.tree, run, cmd, std::string(message), "add " + flag + " to curl",
                                      std::move(edits));
    f.expected = "curl " + flag + " ...";
    out.findings.push_back(std::move(f));
  });
  builtin::conclude(out, any, correct);
}

void check_fail(const Context& ctx, Outcome& out) {
  check_curl_option(ctx, out, {"-f", "--fail", "--fail-with-body", "--fail-early"}, 'f', true,
                    "curl without -f: an HTTP error page is saved (or piped on) as if it were the file",
                    "curl fails on HTTP errors");
}

void check_location(const Context& ctx, Outcome& out) {
  check_curl_option(ctx, out, {"-L", "--location", "--location-trusted"}, 'L', false,
                    "curl without -L: a moved download saves the redirect page instead of the file",
                    "curl follows redirects");
}

// Hosts that serve the same files over https as over http.
constexpr std::string_view k_https_hosts[] = {
    "github.com", "raw.githubusercontent.com", "codeload.github.com", "objects.githubusercontent.com",
    "gist.githubusercontent.com", "gitlab.com", "bitbucket.org", "pypi.org", "pypi.python.org",
    "files.pythonhosted.org", "bootstrap.pypa.io", "www.python.org", "python.org", "nodejs.org",
    "deb.nodesource.com", "rpm.nodesource.com", "registry.npmjs.org", "yarnpkg.com", "dl.yarnpkg.com",
    "rubygems.org", "cache.ruby-lang.org", "golang.org", "go.dev", "dl.google.com", "storage.googleapis.com",
    "download.docker.com", "get.docker.com", "archive.apache.org", "downloads.apache.org", "dlcdn.apache.org",
    "www.apache.org", "apache.org", "www-us.apache.org", "www-eu.apache.org", "repo1.maven.org",
    "repo.maven.apache.org", "services.gradle.org", "downloads.gradle.org", "dl.k8s.io", "releases.hashicorp.com",
    "download.java.net", "cdn.azul.com", "static.rust-lang.org", "sh.rustup.rs", "ftp.gnu.org", "mirrors.kernel.org",
    "cdn.kernel.org", "www.kernel.org", "downloads.sourceforge.net", "sourceforge.net", "curl.se", "www.openssl.org",
    "nginx.org", "download.redis.io", "download.postgresql.org", "ftp.postgresql.org", "www.postgresql.org",
    "packages.microsoft.com", "dot.net", "download.visualstudio.microsoft.com", "aka.ms", "download.oracle.com",
    "getcomposer.org", "www.php.net", "php.net", "cpan.metacpan.org", "www.cpan.org", "cran.r-project.org",
    "cloud.r-project.org", "dist.nuget.org", "nexus.mozilla.org", "ftp.mozilla.org", "download.mozilla.org",
    "archive.mozilla.org", "releases.mozilla.org", "dl-cdn.alpinelinux.org", "bitnami.com", "get.helm.sh",
    "download.bell-sw.com", "api.adoptium.net", "github-releases.githubusercontent.com", "musl.cc",
    "www.sqlite.org", "sqlite.org", "www.torproject.org", "dist.torproject.org", "ftp.debian.org",
    "security.debian.org", "deb.debian.org", "www.scala-lang.org", "downloads.lightbend.com", "julialang-s3.julialang.org",
    "downloads.mariadb.org", "cdn.mysql.com", "dev.mysql.com", "www.haproxy.org", "www.lua.org", "luarocks.org",
    "erlang.org", "www.erlang.org", "repo.anaconda.com", "repo.continuum.io", "conda.anaconda.org",
    "download.pytorch.org", "developer.download.nvidia.com", "us.download.nvidia.com"};

bool https_host(std::string_view url) {
  std::string_view rest = url.substr(7);
  std::size_t end = rest.find_first_of("/:?#");
  std::string_view host = rest.substr(0, end);
  if (host.find('@') != std::string_view::npos) return false;
  const std::string h = builtin::lower(host);
  for (auto k : k_https_hosts)
    if (h == k) return true;
  return false;
}

void check_https(const Context& ctx, Outcome& out) {
  const auto& ff = builtin::facts(ctx.tree);
  bool any = false;
  for (const auto& run : ff.runs) {
    for (const auto& cmd : run.script.commands) {
      auto inv = shell::invocation(cmd);
      if (!inv || (inv->name != "curl" && inv->name != "wget")) continue;
      for (std::size_t i = inv->args; i < cmd.words.size(); ++i) {
        const auto& w = cmd.words[i];
        const std::string lv = builtin::lower(w.value);
        if (builtin::starts_with(lv, "https://")) any = true;
        if (!builtin::starts_with(lv, "http://")) continue;
        any = true;
        std::vector<edit::Edit> edits;
        if (run.editable && https_host(w.value)) {
          const auto src = builtin::source_span(ctx.tree, run, w.span);
          const auto raw = builtin::lower(ctx.tree.text(src));
          const auto at = raw.find("http://");
          // The scheme must sit on one line of the source (no continuation inside it).
          if (at != std::string::npos && raw.find('\n') == std::string::npos)
            edits.push_back({{src.begin + static_cast<std::uint32_t>(at), src.begin + static_cast<std::uint32_t>(at) + 7},
                             "https://"});
        }
        auto f = builtin::command_finding(ctx.tree, run, cmd,
                                          fmt::format("{} downloads over plain http: {}", inv->name, w.value),
                                          "http:// -> https://", std::move(edits));
        f.at = builtin::source_span(ctx.tree, run, w.span);
        f.current = w.value;
        f.expected = "https://" + w.value.substr(7);
        out.findings.push_back(std::move(f));
      }
    }
  }
  builtin::conclude(out, any, "downloads use https");
}

void check_wget_progress(const Context& ctx, Outcome& out) {
  const auto& ff = builtin::facts(ctx.tree);
  bool any = false;
  for_each_program(ctx.tree, "wget", [&](const RunScript& run, const shell::Command& cmd, const shell::Invocation& inv) {
    // busybox wget (Alpine) has no --progress: only where GNU wget is the norm.
    const auto d = ff.stages[run.stage].distro;
    if (d != builtin::Distro::Debian && d != builtin::Distro::Rhel && d != builtin::Distro::Suse) return;
    if (!has_url(cmd, inv.args)) return;
    any = true;
    if (shell::has_option(cmd, {"--progress", "-q", "--quiet", "-nv", "--no-verbose", "--show-progress", "-o",
                                "--output-file", "-a", "--append-output", "-V", "--version"}) ||
        builtin::options_may_hide(cmd))
      return;
    out.findings.push_back(builtin::flag_finding(
        ctx.tree, run, cmd, "--progress=dot:giga", shell::InsertAt::AfterProgram,
        "wget without --progress (or -q): its progress bar floods the build log", "add --progress=dot:giga to wget",
        "wget --progress=dot:giga ..."));
  });
  builtin::conclude(out, any, "wget keeps the build log short");
}

}  // namespace

const Rule& curl_fail() {
  static const Rule r{"curl-fail", "curl download without -f (--fail)", "adds -f to curl (into its flag cluster: -fsSL)",
                      "curlUseFlagF", RuleKind::Builtin, FixSafety::Safe, 2, &check_fail};
  return r;
}

const Rule& curl_location() {
  static const Rule r{"curl-location", "curl download without -L (--location)", "adds -L to curl",
                      "curlUseFlagL", RuleKind::Builtin, FixSafety::Safe, 3, &check_location};
  return r;
}

const Rule& download_https() {
  static const Rule r{"download-https", "curl or wget over plain http",
                      "http:// -> https:// for hosts known to serve the same files over https",
                      "curlUseHttpsUrl, wgetUseHttpsUrl", RuleKind::Builtin, FixSafety::Safe, 1, &check_https};
  return r;
}

const Rule& wget_progress() {
  static const Rule r{"wget-progress", "wget without --progress or -q (GNU wget stages)",
                      "adds --progress=dot:giga to wget (off by default: a matter of taste, not a defect)", "DL3047",
                      RuleKind::Builtin, FixSafety::Safe, 3, &check_wget_progress, /*default_on=*/false};
  return r;
}

}  // namespace dockmend::transforms::rules
