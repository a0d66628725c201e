// download-https: curl and wget over https for hosts known to serve the same
// files over it.
#include <fmt/format.h>

#include "model/text.hpp"
#include "transforms/findings.hpp"
#include "transforms/rule.hpp"

namespace dockmend::transforms::rules {
namespace {

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
  const std::string h = model::lower(host);
  for (auto k : k_https_hosts)
    if (h == k) return true;
  return false;
}

void check_https(const Context& ctx, Outcome& out) {
  const model::Model& m = ctx.model;
  bool any = false;
  for (const model::Run& run : m.runs()) {
    if (!run.parsed) continue;
    for (const auto& cmd : run.script.commands) {
      auto inv = shell::invocation(cmd);
      if (!inv || (inv->name != "curl" && inv->name != "wget")) continue;
      for (std::size_t i = inv->args; i < cmd.words.size(); ++i) {
        const auto& w = cmd.words[i];
        const std::string lv = model::lower(w.value);
        if (model::starts_with(lv, "https://")) any = true;
        if (!model::starts_with(lv, "http://")) continue;
        any = true;
        std::vector<edit::Edit> edits;
        if (run.editable && https_host(w.value)) {
          const auto src = run.source(ctx.tree, w.span);
          const auto raw = model::lower(ctx.tree.text(src));
          const auto at = raw.find("http://");
          // The scheme must sit on one line of the source (no continuation inside it).
          if (at != std::string::npos && raw.find('\n') == std::string::npos)
            edits.push_back({{src.begin + static_cast<std::uint32_t>(at), src.begin + static_cast<std::uint32_t>(at) + 7},
                             "https://"});
        }
        auto f = command_finding(ctx.tree, run, cmd,
                                 fmt::format("{} downloads over plain http: {}", inv->name, w.value),
                                 "http:// -> https://", std::move(edits));
        f.at = run.source(ctx.tree, w.span);
        f.current = w.value;
        f.expected = "https://" + w.value.substr(7);
        out.findings.push_back(std::move(f));
      }
    }
  }
  conclude(out, any, "downloads use https");
}

}  // namespace

const RuleRegistration k_download_https{RuleSpec("download-https")
    .example("FROM debian:12\nRUN curl -fsSLo /tmp/a.tgz http://github.com/org/a/archive/v1.tar.gz\n",
             "FROM debian:12\nRUN curl -fsSLo /tmp/a.tgz https://github.com/org/a/archive/v1.tar.gz\n",
             "FROM debian:12\nRUN curl -fsSLo /tmp/a.tgz https://github.com/org/a/archive/v1.tar.gz\n")
    .aliases("curlUseHttpsUrl, wgetUseHttpsUrl")
    .safety(FixSafety::Safe)
    .priority(1)
    .order(280)
    .summary("curl or wget over plain http")
    .fix("http:// -> https:// for hosts known to serve the same files over https")
    .check(&check_https)};

}  // namespace dockmend::transforms::rules
