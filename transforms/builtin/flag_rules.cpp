// The flag rules: a command that should carry an option (apk add --no-cache,
// apt-get install -y, gpg --batch, curl -f, ...). One row per rule; one loop
// (check_row) finds the commands a row is about, skips those that already say
// it some way, and inserts the flag where the program reads it.
#include <array>
#include <initializer_list>
#include <iterator>
#include <utility>

#include <fmt/format.h>

#include "transforms/builtin/apt.hpp"
#include "transforms/builtin/curl.hpp"
#include "model/commands.hpp"
#include "model/script_edits.hpp"
#include "model/text.hpp"
#include "transforms/findings.hpp"
#include "transforms/rule.hpp"

namespace dockmend::transforms::rules {
namespace {

// One command a row looks at.
struct Site {
  const Context& ctx;
  const model::Model& model;
  const model::Run& run;
  std::size_t index;  // in run.script.commands
  const shell::Command& cmd;
  const shell::Invocation& inv;
  std::string_view sub;  // subcommand_of(cmd)
};

// Where the flag goes.
enum class Place {
  AfterProgram,        // gpg --batch
  AfterSubcommand,     // apk add --no-cache
  AfterLeadingFlags,   // apt-get install -y --no-install-recommends (after the flags right after install)
  AfterOperand,        // npm cache clean --force (after the word after the subcommand)
  ClusterFront,        // curl -fsSL: into the leading flag cluster, at its front, else after the program
  ClusterBack,         // curl -sSL: at its back
};

struct FlagRow {
  RuleSpec spec;
  // The command is one the rule is about (the rule applies to the file then).
  bool (*about)(const Site&);
  std::initializer_list<std::string_view> present;  // any of these options: nothing to do
  bool hidden_options;  // an $OPTS-like expansion may hold it: nothing to do
  // Other ways the command is already right (nullptr: none).
  bool (*exempt)(const Site&);
  std::string_view flag;
  Place place;
  std::string (*message)(const Site&);
  std::string (*reason)(const Site&);
  std::string (*expected)(const Site&);
  std::string_view correct;  // the audit's "what is right" when nothing is found
  // A cache or size rule: what a stage whose files do not ship (a builder only
  // copied from) leaves behind never reaches the image, so it is not checked there.
  bool only_where_shipped = false;
};

using model::one_of;

bool cache_mounted(const Site& s, std::initializer_list<std::string_view> dirs) {
  const auto& inst = s.ctx.tree.instructions[s.run.instruction];
  for (auto d : dirs)
    if (model::has_cache_mount(inst, d)) return true;
  return false;
}

bool is_yum(std::string_view n) { return n == "yum" || n == "dnf" || n == "microdnf" || n == "tdnf"; }
bool yum_installs(std::string_view sub) {
  return one_of(sub, {"install", "groupinstall", "localinstall", "reinstall", "update", "upgrade", "group",
                      "module", "builddep", "downgrade", "distro-sync"});
}

// Subcommands of zypper that take --no-confirm (-y).
bool zypper_confirms(std::string_view sub) {
  return one_of(sub, {"install", "in", "remove", "rm", "update", "up", "patch", "dist-upgrade", "dup",
                      "source-install", "si", "install-new-recommends", "inr"});
}

std::string text(std::string_view s) { return std::string(s); }

const FlagRow k_rows[] = {
    {RuleSpec("apt-get-yes")
         .example("FROM debian:12\nRUN apt-get update && apt-get install --no-install-recommends curl=7.88.1-10 && rm -rf /var/lib/apt/lists/*\n",
                  "FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10 && rm -rf /var/lib/apt/lists/*\n",
                  "FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10 && rm -rf /var/lib/apt/lists/*\n")
         .aliases("DL3014, aptGetInstallUseY")
         .priority(1)
         .order(110)
         .summary("apt-get install (remove, upgrade...) without -y")
         .fix("adds -y after the subcommand"),
     [](const Site& s) { return apt::is_apt(s.inv.name) && apt::prompts(s.sub) && !apt::simulates(s.cmd); },
     {"-y", "--yes", "--assume-yes", "--force-yes"}, true,
     [](const Site& s) {
       return apt::quiet_level(s.cmd, s.inv.args) >= 2 || apt::has_config(s.cmd, "Assume-Yes") ||
              model::piped_from(s.run, s.index, "yes");
     },
     "-y", Place::AfterSubcommand,
     [](const Site& s) { return fmt::format("{} {} without -y: the build cannot answer its prompt", s.inv.name, s.sub); },
     [](const Site& s) { return fmt::format("add -y to {} {}", s.inv.name, s.sub); },
     [](const Site& s) { return fmt::format("{} {} -y ...", s.inv.name, s.sub); }, "apt-get runs with -y"},

    {RuleSpec("apt-no-install-recommends")
         .example("FROM debian:12\nRUN apt-get update && apt-get install -y curl=7.88.1-10 && rm -rf /var/lib/apt/lists/*\n",
                  "FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10 && rm -rf /var/lib/apt/lists/*\n",
                  "FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10 && rm -rf /var/lib/apt/lists/*\n")
         .aliases("DL3015, aptGetInstallUseNoRec")
         .safety(FixSafety::Unsafe)
         .priority(2)
         .order(120)
         .summary("apt-get install without --no-install-recommends")
         .fix("adds --no-install-recommends after the subcommand (and -y)"),
     [](const Site& s) {
       return apt::is_apt(s.inv.name) && s.sub == "install" && s.inv.name != "aptitude" && !apt::simulates(s.cmd);
     },
     {"--no-install-recommends"}, true,
     // A config file written by the Dockerfile may switch recommends off for every install.
     [](const Site& s) { return s.ctx.tree.source.find("Install-Recommends") != std::string_view::npos; },
     "--no-install-recommends", Place::AfterLeadingFlags,
     [](const Site& s) {
       return fmt::format("{} install without --no-install-recommends: recommended packages bloat the image",
                          s.inv.name);
     },
     [](const Site&) { return text("add --no-install-recommends"); },
     [](const Site& s) { return fmt::format("{} install --no-install-recommends ...", s.inv.name); },
     "apt-get install uses --no-install-recommends"},

    {RuleSpec("apk-no-cache")
         .example("FROM alpine:3.19\nRUN apk add curl=8.5.0-r0\n",
                  "FROM alpine:3.19\nRUN apk add --no-cache curl=8.5.0-r0\n",
                  "FROM alpine:3.19\nRUN apk add --no-cache curl=8.5.0-r0\n")
         .aliases("DL3019, apkAddUseNoCache")
         .priority(2)
         .order(150)
         .summary("apk add without --no-cache")
         .fix("adds --no-cache after apk add"),
     [](const Site& s) { return shell::same_program(s.inv.name, "apk") && s.sub == "add"; },
     {"--no-cache", "--cache-dir"}, true,
     // A cache mount keeps the cache out of the layer already (and is there to be used);
     // `rm -rf /var/cache/apk/*` later in the RUN removes it (the older idiom): --no-cache would gain nothing.
     [](const Site& s) {
       if (cache_mounted(s, {"/var/cache/apk", "/etc/apk/cache"})) return true;
       const auto& cmds = s.run.script.commands;
       for (std::size_t k = s.index + 1; k < cmds.size(); ++k) {
         const auto inv = shell::invocation(cmds[k]);
         if (!inv || inv->name != "rm") continue;
         for (std::size_t i = inv->args; i < cmds[k].words.size(); ++i)
           if (model::starts_with(cmds[k].words[i].value, "/var/cache/apk")) return true;
       }
       return false;
     },
     "--no-cache", Place::AfterSubcommand,
     [](const Site&) { return text("apk add without --no-cache: the package index stays in the layer"); },
     [](const Site&) { return text("add --no-cache after apk add"); },
     [](const Site&) { return text("apk add --no-cache ..."); }, "apk add uses --no-cache", true},

    {RuleSpec("yum-yes")
         .example("FROM fedora:40\nRUN dnf install git-2.45.0 && dnf clean all\n",
                  "FROM fedora:40\nRUN dnf install -y git-2.45.0 && dnf clean all\n",
                  "FROM fedora:40\nRUN dnf install -y git-2.45.0 && dnf clean all\n")
         .aliases("DL3030, DL3038, yumInstallForceYes")
         .priority(1)
         .order(160)
         .summary("yum/dnf install (update, remove...) without -y")
         .fix("adds -y after the subcommand"),
     // microdnf never prompts.
     [](const Site& s) {
       return is_yum(s.inv.name) && s.inv.name != "microdnf" &&
              (yum_installs(s.sub) || one_of(s.sub, {"remove", "erase", "autoremove"}));
     },
     {"-y", "--assumeyes"}, true,
     [](const Site& s) {
       for (const auto& w : s.cmd.words)
         if (model::lower(w.value).find("assumeyes") != std::string::npos) return true;
       return model::piped_from(s.run, s.index, "yes");
     },
     "-y", Place::AfterSubcommand,
     [](const Site& s) { return fmt::format("{} {} without -y: the build cannot answer its prompt", s.inv.name, s.sub); },
     [](const Site& s) { return fmt::format("add -y to {} {}", s.inv.name, s.sub); },
     [](const Site& s) { return fmt::format("{} {} -y ...", s.inv.name, s.sub); }, "yum/dnf run with -y"},

    {RuleSpec("zypper-yes")
         .example("FROM opensuse/leap:15.6\nRUN zypper install git=2.43.0 && zypper clean --all\n",
                  "FROM opensuse/leap:15.6\nRUN zypper install -y git=2.43.0 && zypper clean --all\n",
                  "FROM opensuse/leap:15.6\nRUN zypper install -y git=2.43.0 && zypper clean --all\n")
         .aliases("DL3034")
         .priority(1)
         .order(180)
         .summary("zypper install (update, remove...) without -n or -y")
         .fix("adds -y after the subcommand"),
     [](const Site& s) { return shell::same_program(s.inv.name, "zypper") && zypper_confirms(s.sub); },
     {"-n", "--non-interactive", "-y", "--no-confirm"}, true,
     [](const Site& s) { return model::piped_from(s.run, s.index, "yes"); }, "-y", Place::AfterSubcommand,
     [](const Site& s) { return fmt::format("zypper {} without -n or -y: the build cannot answer its prompt", s.sub); },
     [](const Site& s) { return fmt::format("add -y to zypper {}", s.sub); },
     [](const Site& s) { return fmt::format("zypper {} -y ...", s.sub); }, "zypper runs non-interactively"},

    {RuleSpec("pip-no-cache-dir")
         .example("FROM python:3.12\nRUN pip install flask==3.0.0\n",
                  "FROM python:3.12\nRUN pip install --no-cache-dir flask==3.0.0\n",
                  "FROM python:3.12\nRUN pip install --no-cache-dir flask==3.0.0\n")
         .aliases("DL3042, pipUseNoCacheDir")
         .priority(2)
         .order(200)
         .summary("pip install without --no-cache-dir")
         .fix("adds --no-cache-dir after pip install"),
     [](const Site& s) { return shell::same_program(s.inv.name, "pip") && s.sub == "install"; },
     {"--no-cache-dir", "--cache-dir"}, true,
     // PIP_NO_CACHE_DIR in the environment, or a cache mount meant to be reused.
     [](const Site& s) {
       for (const auto& a : s.cmd.assignments)
         if (model::starts_with(a.value, "PIP_NO_CACHE_DIR=")) return true;
       return model::var_set(s.model, s.run.instruction, "PIP_NO_CACHE_DIR") ||
              cache_mounted(s, {"/root/.cache/pip", "/tmp/pip-cache"});
     },
     "--no-cache-dir", Place::AfterSubcommand,
     [](const Site& s) {
       return fmt::format("{} install without --no-cache-dir: the wheel cache stays in the layer", s.inv.name);
     },
     [](const Site&) { return text("add --no-cache-dir after pip install"); },
     [](const Site&) { return text("pip install --no-cache-dir ..."); }, "pip install uses --no-cache-dir", true},

    {RuleSpec("npm-cache-force")
         .example("FROM node:20\nRUN npm ci && npm cache clean\n",
                  "FROM node:20\nRUN npm ci && npm cache clean --force\n",
                  "FROM node:20\nRUN npm ci && npm cache clean --force\n")
         .aliases("npmCacheCleanUseForce")
         .priority(2)
         .order(220)
         .summary("npm cache clean without --force")
         .fix("adds --force"),
     [](const Site& s) {
       if (!shell::same_program(s.inv.name, "npm") || s.sub != "cache") return false;
       const auto sub = shell::subcommand(s.cmd);
       return *sub + 1 < s.cmd.words.size() && s.cmd.words[*sub + 1].value == "clean";
     },
     {"--force", "-f"}, false, nullptr, "--force", Place::AfterOperand,
     [](const Site&) { return text("npm cache clean fails without --force since npm 5"); },
     [](const Site&) { return text("add --force to npm cache clean"); },
     [](const Site&) { return text("npm cache clean --force"); }, "npm cache clean uses --force"},

    {RuleSpec("gem-no-document")
         .example("FROM ruby:3.3\nRUN gem install rake -v 13.2.1\n",
                  "FROM ruby:3.3\nRUN gem install --no-document rake -v 13.2.1\n",
                  "FROM ruby:3.3\nRUN gem install --no-document rake -v 13.2.1\n")
         .aliases("gemUpdateNoDocument")
         .priority(3)
         .order(240)
         .summary("gem install/update without --no-document")
         .fix("adds --no-document after the subcommand"),
     [](const Site& s) { return shell::same_program(s.inv.name, "gem") && one_of(s.sub, {"install", "update", "i"}); },
     {"--no-document", "-N", "--no-rdoc", "--no-ri", "--document"}, true,
     // `gem: --no-document` written to a gemrc covers every gem command.
     [](const Site& s) { return s.ctx.tree.source.find("gemrc") != std::string_view::npos; }, "--no-document",
     Place::AfterSubcommand,
     [](const Site& s) { return fmt::format("gem {} without --no-document: documentation bloats the image", s.sub); },
     [](const Site& s) { return fmt::format("add --no-document to gem {}", s.sub); },
     [](const Site& s) { return fmt::format("gem {} --no-document ...", s.sub); }, "gem installs skip documentation"},

    {RuleSpec("curl-fail")
         .example("FROM debian:12\nRUN curl -sSLo /tmp/a.tgz https://example.com/a.tgz\n",
                  "FROM debian:12\nRUN curl -f -sSLo /tmp/a.tgz https://example.com/a.tgz\n",
                  "FROM debian:12\nRUN curl -fsSLo /tmp/a.tgz https://example.com/a.tgz\n")
         .aliases("curlUseFlagF")
         .safety(FixSafety::Safe)
         .priority(2)
         .order(260)
         .summary("curl download without -f (--fail)")
         .fix("adds -f to curl (into its flag cluster: -fsSL)"),
     [](const Site& s) { return s.inv.name == "curl" && curl::fetches(s.cmd, s.inv); },
     {"-f", "--fail", "--fail-with-body", "--fail-early"}, false, nullptr, "-f", Place::ClusterFront,
     [](const Site&) {
       return text("curl without -f: an HTTP error page is saved (or piped on) as if it were the file");
     },
     [](const Site&) { return text("add -f to curl"); }, [](const Site&) { return text("curl -f ..."); },
     "curl fails on HTTP errors"},

    {RuleSpec("curl-location")
         .example("FROM debian:12\nRUN curl -fsSo /tmp/a.tgz https://example.com/a.tgz\n",
                  "FROM debian:12\nRUN curl -L -fsSo /tmp/a.tgz https://example.com/a.tgz\n",
                  "FROM debian:12\nRUN curl -fsSLo /tmp/a.tgz https://example.com/a.tgz\n")
         .aliases("curlUseFlagL")
         .safety(FixSafety::Safe)
         .priority(3)
         .order(270)
         .summary("curl download without -L (--location)")
         .fix("adds -L to curl"),
     [](const Site& s) { return s.inv.name == "curl" && curl::fetches(s.cmd, s.inv); },
     {"-L", "--location", "--location-trusted"}, false, nullptr, "-L", Place::ClusterBack,
     [](const Site&) { return text("curl without -L: a moved download saves the redirect page instead of the file"); },
     [](const Site&) { return text("add -L to curl"); }, [](const Site&) { return text("curl -L ..."); },
     "curl follows redirects"},

    {RuleSpec("wget-progress")
         .example("FROM debian:12\nRUN wget https://example.com/a.tgz\n",
                  "FROM debian:12\nRUN wget --progress=dot:giga https://example.com/a.tgz\n",
                  "FROM debian:12\nRUN wget -q https://example.com/a.tgz\n")
         .aliases("DL3047")
         .priority(3)
         .order(290)
         .summary("wget without --progress or -q (GNU wget stages)")
         .fix("adds --progress=dot:giga to wget (off by default: a matter of taste, not a defect)")
         .off_by_default(),
     // busybox wget (Alpine) has no --progress: only where GNU wget is the norm.
     [](const Site& s) {
       const auto d = s.model.stages()[static_cast<std::size_t>(s.run.stage)].platform_facts.distro.value;
       return s.inv.name == "wget" &&
              (d == model::Distro::Debian || d == model::Distro::Rhel || d == model::Distro::Suse) &&
              curl::has_url(s.cmd, s.inv.args);
     },
     {"--progress", "-q", "--quiet", "-nv", "--no-verbose", "--show-progress", "-o", "--output-file", "-a",
      "--append-output", "-V", "--version"},
     true, nullptr, "--progress=dot:giga", Place::AfterProgram,
     [](const Site&) { return text("wget without --progress (or -q): its progress bar floods the build log"); },
     [](const Site&) { return text("add --progress=dot:giga to wget"); },
     [](const Site&) { return text("wget --progress=dot:giga ..."); }, "wget keeps the build log short"},

    {RuleSpec("gpg-batch")
         .example("FROM debian:12\nRUN gpg --import /tmp/key.asc\n",
                  "FROM debian:12\nRUN gpg --batch --import /tmp/key.asc\n",
                  "FROM debian:12\nRUN gpg --batch --import /tmp/key.asc\n")
         .aliases("gpgUseBatchFlag")
         .priority(3)
         .order(300)
         .summary("gpg without --batch")
         .fix("adds --batch after gpg"),
     [](const Site& s) { return shell::same_program(s.inv.name, "gpg"); },
     {"--batch", "--version", "--help", "-h"}, true, nullptr, "--batch", Place::AfterProgram,
     [](const Site&) { return text("gpg without --batch may wait for a terminal"); },
     [](const Site&) { return text("add --batch after gpg"); }, [](const Site&) { return text("gpg --batch ..."); },
     "gpg runs with --batch"},

    // useradd with a large UID and without -l writes a lastlog/faillog entry at
    // that offset: a sparse file that the layer stores as gigabytes of zeros.
    {RuleSpec("useradd-no-log-init")
         .example("FROM debian:12\nRUN useradd -u 1000000 app\n",
                  "FROM debian:12\nRUN useradd --no-log-init -u 1000000 app\n",
                  "FROM debian:12\nRUN useradd -u 1000 app\n")
         .aliases("DL3046")
         .priority(2)
         .order(350)
         .summary("useradd with a UID of 6+ digits without -l (--no-log-init)")
         .fix("adds --no-log-init after useradd"),
     [](const Site& s) { return shell::same_program(s.inv.name, "useradd"); },
     {"-l", "--no-log-init"}, false,
     [](const Site& s) {
       auto uid = shell::find_option(s.cmd, {"-u", "--uid"});
       return !uid || uid->value.size() <= 5 || uid->value.find_first_not_of("0123456789") != std::string::npos;
     },
     "--no-log-init", Place::AfterProgram,
     [](const Site& s) {
       return fmt::format("useradd -u {} without --no-log-init: lastlog and faillog grow to the size of the UID",
                          shell::find_option(s.cmd, {"-u", "--uid"})->value);
     },
     [](const Site&) { return text("add --no-log-init to useradd"); },
     [](const Site&) { return text("useradd --no-log-init ..."); }, "useradd with a large UID uses --no-log-init"},
};

// The edit putting the row's flag into the command, if there is a safe place.
std::optional<edit::Edit> place_flag(const FlagRow& row, const Site& s) {
  const auto& tree = s.ctx.tree;
  if (!s.run.editable) return std::nullopt;
  switch (row.place) {
    case Place::AfterProgram: return model::insert_flag(tree, s.run, s.cmd, row.flag, shell::InsertAt::AfterProgram);
    case Place::AfterSubcommand:
      return model::insert_flag(tree, s.run, s.cmd, row.flag, shell::InsertAt::AfterSubcommand);
    case Place::AfterLeadingFlags:
      if (auto last = model::after_leading_flags(s.cmd))
        return model::insert_after_word(tree, s.run, s.cmd, *last, row.flag);
      return std::nullopt;
    case Place::AfterOperand:
      return model::insert_after_word(tree, s.run, s.cmd, *shell::subcommand(s.cmd) + 1, row.flag);
    case Place::ClusterFront:
    case Place::ClusterBack: {
      // "-f" joins a cluster as "f".
      if (auto c = curl::flag_cluster(s.cmd, s.inv.program)) {
        const auto at = row.place == Place::ClusterFront
                            ? s.run.source(tree, s.cmd.words[*c].span).begin + 1
                            : s.run.source_after(tree, s.cmd.words[*c].span.end);
        return edit::Edit{{at, at}, std::string(row.flag.substr(1))};
      }
      return model::insert_flag(tree, s.run, s.cmd, row.flag, shell::InsertAt::AfterProgram);
    }
  }
  return std::nullopt;
}

void check_row(const FlagRow& row, const Context& ctx, Outcome& out) {
  const model::Model& m = ctx.model;
  bool any = false;
  for (const model::Run& run : m.runs()) {
    if (!run.parsed) continue;
    if (row.only_where_shipped && !m.stages()[static_cast<std::size_t>(run.stage)].ships) continue;
    for (std::size_t i = 0; i < run.script.commands.size(); ++i) {
      const auto& cmd = run.script.commands[i];
      const auto inv = shell::invocation(cmd);
      if (!inv) continue;
      const Site site{ctx, m, run, i, cmd, *inv, model::subcommand_of(cmd)};
      if (!row.about(site)) continue;
      any = true;
      if (shell::has_option(cmd, row.present) || (row.hidden_options && model::options_may_hide(cmd)) ||
          (row.exempt && row.exempt(site)))
        continue;
      std::vector<edit::Edit> edits;
      if (auto e = place_flag(row, site)) edits.push_back(*e);
      auto f = command_finding(ctx.tree, run, cmd, row.message(site), row.reason(site), std::move(edits));
      f.expected = row.expected(site);
      out.findings.push_back(std::move(f));
    }
  }
  conclude(out, any, row.correct);
}

template <std::size_t I>
void check(const Context& ctx, Outcome& out) {
  check_row(k_rows[I], ctx, out);
}

template <std::size_t... I>
std::array<RuleRegistration, sizeof...(I)> register_rows(std::index_sequence<I...>) {
  return {RuleRegistration(RuleSpec(k_rows[I].spec).check(&check<I>))...};
}

const auto k_registrations = register_rows(std::make_index_sequence<std::size(k_rows)>());

}  // namespace
}  // namespace dockmend::transforms::rules
