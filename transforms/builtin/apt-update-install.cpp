// apt-update-install: apt-get update in the RUN that installs, so a cached layer
// never installs from stale lists.
#include <fmt/format.h>

#include "transforms/builtin/apt.hpp"

namespace dockmend::transforms::rules {
namespace {

using namespace apt;

// Every package operand is a local .deb file (./x.deb, /tmp/x.deb): nothing to
// fetch by name from the lists.
bool local_debs_only(const shell::Command& cmd) {
  const auto ops = model::operands_after_subcommand(cmd);
  if (ops.empty()) return false;
  for (auto i : ops) {
    const std::string_view v = cmd.words[i].value;
    if (!model::ends_with(v, ".deb") || v.find('/') == std::string_view::npos) return false;
  }
  return true;
}

void check_update(const Context& ctx, Outcome& out) {
  const model::Model& m = ctx.model;
  bool any = false;
  for (const model::Run& run : m.runs()) {
    if (!run.parsed) continue;
    const auto& inst = ctx.tree.instructions[run.instruction];
    bool updated = false;
    for (std::size_t i = 0; i < run.script.commands.size(); ++i) {
      const auto& c = run.script.commands[i];
      auto inv = shell::invocation(c);
      if (!inv || !is_apt(inv->name) || inv->name == "aptitude") continue;
      const auto sub = model::subcommand_of(c);
      if (sub == "update") updated = true;
      if (sub != "install") continue;
      any = true;
      if (updated) break;
      if (local_debs_only(c)) break;
      // With the lists in a cache mount, an earlier RUN's update is still there by design.
      if (model::has_cache_mount(inst, "/var/lib/apt/lists")) break;
      std::vector<edit::Edit> edits;
      // Only a plain command (no wrapper, not inside a pipeline or a compound) gets the prefix.
      const bool plain = inv->program == 0 && c.depth == 0 &&
                         (i == 0 || (run.script.commands[i - 1].after != shell::Separator::Pipe &&
                                     run.script.commands[i - 1].after != shell::Separator::PipeAll));
      if (plain && run.editable && (run.heredoc || inst.heredocs.empty())) {
        const auto at = run.source(ctx.tree, c.span).begin;
        edits.push_back({{at, at}, fmt::format("{} update && ", inv->name)});
      }
      auto f = command_finding(ctx.tree, run, c,
                               fmt::format("{} install without {} update in the same RUN: a cached "
                                                    "layer installs from stale (or no) package lists",
                                                    inv->name, inv->name),
                                        fmt::format("run {} update first in the same RUN", inv->name),
                                        std::move(edits));
      f.expected = fmt::format("{} update && {} install ...", inv->name, inv->name);
      out.findings.push_back(std::move(f));
      break;
    }
  }
  conclude(out, any, "apt-get update runs in the same RUN as install");
}

}  // namespace

const RuleRegistration k_apt_update_install{RuleSpec("apt-update-install")
    .example("FROM debian:12\nRUN apt-get install -y curl=7.88.1-10\n",
             "FROM debian:12\nRUN apt-get update && apt-get install -y curl=7.88.1-10\n",
             "FROM debian:12\nRUN apt-get update && apt-get install -y curl=7.88.1-10\n")
    .aliases("aptGetUpdatePrecedesInstall")
    .safety(FixSafety::Safe)
    .priority(2)
    .order(100)
    .summary("apt-get install without apt-get update earlier in the same RUN")
    .fix("puts apt-get update && before the install")
    .check(&check_update)};

}  // namespace dockmend::transforms::rules
