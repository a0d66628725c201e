// mktemp-cleanup: the directory of DIR=$(mktemp -d) is removed in the RUN that made it.
#include <algorithm>
#include <fmt/format.h>

#include "transforms/builtin/downloads.hpp"

namespace dockmend::transforms::rules {
namespace {

using namespace downloads;

std::string mktemp_var(const shell::Command& c) {
  auto match = [](std::string_view v) -> std::string {
    const auto eq = v.find('=');
    if (eq == std::string_view::npos || eq == 0) return "";
    const std::string_view rhs = v.substr(eq + 1);
    if ((model::starts_with(rhs, "$(mktemp") || model::starts_with(rhs, "`mktemp")) &&
        (rhs.find(" -d") != std::string_view::npos || rhs.find("--directory") != std::string_view::npos))
      return std::string(v.substr(0, eq));
    return "";
  };
  if (c.words.empty()) {
    for (const auto& a : c.assignments)
      if (auto n = match(a.value); !n.empty()) return n;
    return "";
  }
  if (c.words[0].value == "export" && c.words.size() == 2) return match(c.words[1].value);
  return "";
}

void check_mktemp(const Context& ctx, Outcome& out) {
  const model::Model& m = ctx.model;
  bool any = false;
  for (const model::Run& run : m.runs()) {
    if (!run.parsed) continue;
    if (!m.stages()[static_cast<std::size_t>(run.stage)].ships) continue;
    const auto& cmds = run.script.commands;
    for (std::size_t i = 0; i < cmds.size(); ++i) {
      if (cmds[i].depth != 0) continue;
      const std::string var = mktemp_var(cmds[i]);
      if (var.empty()) continue;
      any = true;
      bool removed = false;
      for (std::size_t k = i + 1; k < cmds.size() && !removed; ++k) {
        if (!model::runs(cmds[k], "rm")) continue;
        for (const auto& w : cmds[k].words)
          if (w.value == "$" + var || w.value == "${" + var + "}" || model::starts_with(w.value, "$" + var + "/") ||
              model::starts_with(w.value, "${" + var + "}/"))
            removed = true;
      }
      if (removed) continue;
      std::vector<edit::Edit> edits;
      if (auto e = model::append_command(ctx.tree, run, fmt::format("rm -rf \"${}\"", var))) edits.push_back(*e);
      auto f = command_finding(ctx.tree, run, cmds[i],
                               fmt::format("the directory from mktemp -d (${}) is never removed", var),
                               fmt::format("append && rm -rf \"${}\"", var), std::move(edits));
      f.expected = fmt::format("... && rm -rf \"${}\"", var);
      out.findings.push_back(std::move(f));
    }
  }
  conclude(out, any, "temporary directories are removed");
}

}  // namespace

const RuleRegistration k_mktemp_cleanup{RuleSpec("mktemp-cleanup")
    .example("FROM debian:12\nRUN tmp=$(mktemp -d) && touch $tmp/x\n",
             "FROM debian:12\nRUN tmp=$(mktemp -d) && touch $tmp/x && rm -rf \"$tmp\"\n",
             "FROM debian:12\nRUN tmp=$(mktemp -d) && touch $tmp/x && rm -rf \"$tmp\"\n")
    .aliases("rmRecursiveAfterMktempD")
    .safety(FixSafety::Safe)
    .priority(3)
    .order(330)
    .summary("the directory of DIR=$(mktemp -d) is not removed in the RUN")
    .fix("appends && rm -rf \"$DIR\" to the RUN")
    .check(&check_mktemp)};

}  // namespace dockmend::transforms::rules
