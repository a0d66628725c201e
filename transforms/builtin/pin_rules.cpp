// The pin rules: unpinned packages, and the same Dockerfile builds something
// else tomorrow. Report only: no mechanical fix knows which version was meant.
// One row per package manager; one loop (check_spec) for all.
#include <array>
#include <iterator>
#include <utility>

#include <fmt/format.h>

#include "model/commands.hpp"
#include "model/text.hpp"
#include "transforms/findings.hpp"
#include "transforms/rule.hpp"

namespace dockmend::transforms::rules {
namespace {

using Pinned = bool (*)(std::string_view);

bool is_file(std::string_view v) {
  return v.find('/') != std::string_view::npos || model::ends_with(v, ".deb") || model::ends_with(v, ".rpm") ||
         model::ends_with(v, ".whl") || model::ends_with(v, ".tar.gz") || model::ends_with(v, ".zip") ||
         model::ends_with(v, ".gem") || model::ends_with(v, ".apk") || v == ".";
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
  const model::Model& m = ctx.model;
  bool any = false;
  for (const model::Run& run : m.runs()) {
    if (!run.parsed) continue;
    for (const auto& cmd : run.script.commands) {
      auto inv = shell::invocation(cmd);
      if (!inv) continue;
      bool prog = false;
      for (auto p : spec.programs) prog = prog || shell::same_program(inv->name, p);
      if (!prog) continue;
      const auto sub = model::subcommand_of(cmd);
      bool subok = false;
      for (auto s : spec.subcommands) subok = subok || sub == s;
      if (!subok) continue;
      any = true;
      // gem pins with -v / --version for every gem of the command.
      if (inv->name == "gem" && shell::has_option(cmd, {"-v", "--version"})) continue;
      std::vector<std::string> loose;
      for (std::size_t i : model::operands_after_subcommand(cmd)) {
        const auto& w = cmd.words[i];
        if (w.has_expansion || w.value.empty()) continue;  // a variable may well hold a pinned list
        if (!spec.pinned(w.value)) loose.push_back(w.value);
      }
      if (loose.empty()) continue;
      std::string list;
      for (std::size_t k = 0; k < loose.size() && k < 4; ++k) list += (k ? ", " : "") + loose[k];
      if (loose.size() > 4) list += fmt::format(" and {} more", loose.size() - 4);
      auto f = command_finding(ctx.tree, run, cmd, fmt::format("unpinned {}: {}", spec.what, list), "", {});
      f.expected = "name=version";
      out.findings.push_back(std::move(f));
    }
  }
  conclude(out, any, any ? fmt::format("{} are pinned", spec.what) : "");
}

bool gem_pinned(std::string_view v) { return v.find(':') != std::string_view::npos || is_file(v); }

struct PinRow {
  RuleSpec spec;
  Spec pins;
};

const PinRow k_rows[] = {
    {RuleSpec("apt-pin")
         .example("FROM debian:12\nRUN apt-get install -y curl\n",
                  "FROM debian:12\nRUN apt-get install -y curl\n",
                  "FROM debian:12\nRUN apt-get install -y curl=7.88.1-10\n")
         .aliases("DL3008").order(400).summary("apt-get install of packages without =version"),
     {{"apt-get", "apt"}, {"install"}, apt_pinned, "apt packages"}},
    {RuleSpec("apk-pin")
         .example("FROM alpine:3.19\nRUN apk add --no-cache curl\n",
                  "FROM alpine:3.19\nRUN apk add --no-cache curl\n",
                  "FROM alpine:3.19\nRUN apk add --no-cache curl=8.5.0-r0\n")
         .aliases("DL3018").order(410).summary("apk add of packages without =version"),
     {{"apk"}, {"add"}, apk_pinned, "apk packages"}},
    {RuleSpec("pip-pin")
         .example("FROM python:3.12\nRUN pip install flask\n",
                  "FROM python:3.12\nRUN pip install flask\n",
                  "FROM python:3.12\nRUN pip install flask==3.0.0\n")
         .aliases("DL3013").order(420).summary("pip install of packages without ==version"),
     {{"pip"}, {"install"}, pip_pinned, "pip packages"}},
    {RuleSpec("npm-pin")
         .example("FROM node:20\nRUN npm install -g serve\n",
                  "FROM node:20\nRUN npm install -g serve\n",
                  "FROM node:20\nRUN npm install -g serve@14.2.1\n")
         .aliases("DL3016").order(430).summary("npm install of packages without @version"),
     {{"npm"}, {"install", "i", "add"}, npm_pinned, "npm packages"}},
    {RuleSpec("gem-pin")
         .example("FROM ruby:3.3\nRUN gem install rake\n",
                  "FROM ruby:3.3\nRUN gem install rake\n",
                  "FROM ruby:3.3\nRUN gem install rake -v 13.2.1\n")
         .aliases("DL3028").order(440).summary("gem install without a version"),
     {{"gem"}, {"install", "i"}, gem_pinned, "gems"}},
    {RuleSpec("yum-pin")
         .example("FROM fedora:40\nRUN dnf install -y git\n",
                  "FROM fedora:40\nRUN dnf install -y git\n",
                  "FROM fedora:40\nRUN dnf install -y git-2.45.0\n")
         .aliases("DL3033, DL3041").order(450).summary("yum/dnf install of packages without a version"),
     {{"yum", "dnf", "microdnf", "tdnf"}, {"install"}, yum_pinned, "yum/dnf packages"}},
    {RuleSpec("zypper-pin")
         .example("FROM opensuse/leap:15.6\nRUN zypper install -y git\n",
                  "FROM opensuse/leap:15.6\nRUN zypper install -y git\n",
                  "FROM opensuse/leap:15.6\nRUN zypper install -y git=2.43.0\n")
         .aliases("DL3037").order(460).summary("zypper install of packages without a version"),
     {{"zypper"}, {"install", "in"}, zypper_pinned, "zypper packages"}},
};

template <std::size_t I>
void check(const Context& ctx, Outcome& out) {
  check_spec(ctx, out, k_rows[I].pins);
}

template <std::size_t... I>
std::array<RuleRegistration, sizeof...(I)> register_rows(std::index_sequence<I...>) {
  return {RuleRegistration(
      RuleSpec(k_rows[I].spec).safety(FixSafety::ReportOnly).priority(3).check(&check<I>))...};
}

const auto k_registrations = register_rows(std::make_index_sequence<std::size(k_rows)>());

}  // namespace
}  // namespace dockmend::transforms::rules
