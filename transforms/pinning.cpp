// Unpinned packages: the same Dockerfile builds something else tomorrow.
// Report only: no mechanical fix knows which version was meant.
#include <fmt/format.h>

#include "transforms/builtin_support.hpp"
#include "transforms/rules.hpp"

namespace dockmend::transforms::rules {
namespace {

using Pinned = bool (*)(std::string_view);

bool is_file(std::string_view v) {
  return v.find('/') != std::string_view::npos || builtin::ends_with(v, ".deb") || builtin::ends_with(v, ".rpm") ||
         builtin::ends_with(v, ".whl") || builtin::ends_with(v, ".tar.gz") || builtin::ends_with(v, ".zip") ||
         builtin::ends_with(v, ".gem") || builtin::ends_with(v, ".apk") || v == ".";
}

bool apt_pinned(std::string_view v) { return v.find('=') != std::string_view::npos || is_file(v); }
bool apk_pinned(std::string_view v) { return v.find('=') != std::string_view::npos || is_file(v); }
bool pip_pinned(std::string_view v) {
  return v.find_first_of("=<>~@") != std::string_view::npos || is_file(v) || v.find("://") != std::string_view::npos;
}
bool npm_pinned(std::string_view v) {
  const auto at = v.rfind('@');
  return (at != std::string_view::npos && at > 0) || is_file(v) || v.find(':') != std::string_view::npos;
}
bool yum_pinned(std::string_view v) {
  for (std::size_t i = 0; i + 1 < v.size(); ++i)
    if (v[i] == '-' && v[i + 1] >= '0' && v[i + 1] <= '9') return true;
  return v.find('=') != std::string_view::npos || is_file(v) || v.find('*') != std::string_view::npos;
}
bool zypper_pinned(std::string_view v) { return v.find_first_of("=<>") != std::string_view::npos || is_file(v); }

struct Spec {
  std::initializer_list<std::string_view> programs;
  std::initializer_list<std::string_view> subcommands;
  Pinned pinned;
  std::string_view what;
};

void check_spec(const Context& ctx, Outcome& out, const Spec& spec) {
  const auto& ff = builtin::facts(ctx.tree);
  bool any = false;
  for (const auto& run : ff.runs) {
    for (const auto& cmd : run.script.commands) {
      auto inv = shell::invocation(cmd);
      if (!inv) continue;
      bool prog = false;
      for (auto p : spec.programs) prog = prog || shell::same_program(inv->name, p);
      if (!prog) continue;
      const auto sub = builtin::subcommand_of(cmd);
      bool subok = false;
      for (auto s : spec.subcommands) subok = subok || sub == s;
      if (!subok) continue;
      any = true;
      // gem pins with -v / --version for every gem of the command.
      if (inv->name == "gem" && shell::has_option(cmd, {"-v", "--version"})) continue;
      std::vector<std::string> loose;
      for (std::size_t i : builtin::operands_after_subcommand(cmd)) {
        const auto& w = cmd.words[i];
        if (w.has_expansion || w.value.empty()) continue;  // a variable may well hold a pinned list
        if (!spec.pinned(w.value)) loose.push_back(w.value);
      }
      if (loose.empty()) continue;
      std::string list;
      for (std::size_t k = 0; k < loose.size() && k < 4; ++k) list += (k ? ", " : "") + loose[k];
      if (loose.size() > 4) list += fmt::format(" and {} more", loose.size() - 4);
      auto f = builtin::command_finding(ctx.tree, run, cmd, fmt::format("unpinned {}: {}", spec.what, list), "", {});
      f.expected = "name=version";
      out.findings.push_back(std::move(f));
    }
  }
  builtin::conclude(out, any, any ? fmt::format("{} are pinned", spec.what) : "");
}

void check_apt(const Context& ctx, Outcome& out) {
  check_spec(ctx, out, {{"apt-get", "apt"}, {"install"}, apt_pinned, "apt packages"});
}
void check_pip(const Context& ctx, Outcome& out) {
  check_spec(ctx, out, {{"pip"}, {"install"}, pip_pinned, "pip packages"});
}
void check_apk(const Context& ctx, Outcome& out) {
  check_spec(ctx, out, {{"apk"}, {"add"}, apk_pinned, "apk packages"});
}
void check_npm(const Context& ctx, Outcome& out) {
  check_spec(ctx, out, {{"npm"}, {"install", "i", "add"}, npm_pinned, "npm packages"});
}
void check_gem(const Context& ctx, Outcome& out) {
  check_spec(ctx, out, {{"gem"}, {"install", "i"}, [](std::string_view v) { return v.find(':') != std::string_view::npos || is_file(v); },
                        "gems"});
}
void check_yum(const Context& ctx, Outcome& out) {
  check_spec(ctx, out, {{"yum", "dnf", "microdnf", "tdnf"}, {"install"}, yum_pinned, "yum/dnf packages"});
}
void check_zypper(const Context& ctx, Outcome& out) {
  check_spec(ctx, out, {{"zypper"}, {"install", "in"}, zypper_pinned, "zypper packages"});
}

}  // namespace

const Rule& apt_pin() {
  static const Rule r{"apt-pin", "apt-get install of packages without =version", "", "DL3008", RuleKind::Builtin,
                      FixSafety::ReportOnly, 3, &check_apt};
  return r;
}
const Rule& pip_pin() {
  static const Rule r{"pip-pin", "pip install of packages without ==version", "", "DL3013", RuleKind::Builtin,
                      FixSafety::ReportOnly, 3, &check_pip};
  return r;
}
const Rule& apk_pin() {
  static const Rule r{"apk-pin", "apk add of packages without =version", "", "DL3018", RuleKind::Builtin,
                      FixSafety::ReportOnly, 3, &check_apk};
  return r;
}
const Rule& npm_pin() {
  static const Rule r{"npm-pin", "npm install of packages without @version", "", "DL3016", RuleKind::Builtin,
                      FixSafety::ReportOnly, 3, &check_npm};
  return r;
}
const Rule& gem_pin() {
  static const Rule r{"gem-pin", "gem install without a version", "", "DL3028", RuleKind::Builtin,
                      FixSafety::ReportOnly, 3, &check_gem};
  return r;
}
const Rule& yum_pin() {
  static const Rule r{"yum-pin", "yum/dnf install of packages without a version", "", "DL3033, DL3041",
                      RuleKind::Builtin, FixSafety::ReportOnly, 3, &check_yum};
  return r;
}
const Rule& zypper_pin() {
  static const Rule r{"zypper-pin", "zypper install of packages without a version", "", "DL3037",
                      RuleKind::Builtin, FixSafety::ReportOnly, 3, &check_zypper};
  return r;
}

}  // namespace dockmend::transforms::rules
