// zypper-clean: the zypper cache (openSUSE, SLES) cleaned in the RUN that fills it.
#include <fmt/format.h>

#include "model/commands.hpp"
#include "model/script_edits.hpp"
#include "model/text.hpp"
#include "transforms/findings.hpp"
#include "transforms/rule.hpp"

namespace dockmend::transforms::rules {
namespace {

bool one_of(std::string_view v, std::initializer_list<std::string_view> set) {
  for (auto s : set)
    if (v == s) return true;
  return false;
}

// Subcommands that install packages (and fill the cache).
bool installs(std::string_view sub) {
  return one_of(sub, {"install", "in", "update", "up", "patch", "dist-upgrade", "dup", "source-install", "si"});
}

void check_clean(const Context& ctx, Outcome& out) {
  const model::Model& m = ctx.model;
  bool any = false;
  for (const model::Run& run : m.runs()) {
    if (!run.parsed) continue;
    const auto& inst = ctx.tree.instructions[run.instruction];
    const shell::Command* first = nullptr;
    bool cleaned = false;
    for (const auto& cmd : run.script.commands) {
      auto inv = shell::invocation(cmd);
      if (!inv) continue;
      if (inv->name == "zypper") {
        const auto sub = model::subcommand_of(cmd);
        if (installs(sub) && !first) first = &cmd;
        if (sub == "clean" || sub == "cc") cleaned = true;
      }
      for (std::size_t i = inv->args; i < cmd.words.size(); ++i)
        if (model::starts_with(cmd.words[i].value, "/var/cache/zypp")) cleaned = true;
    }
    if (!first || !m.stages()[static_cast<std::size_t>(run.stage)].ships || model::has_cache_mount(inst, "/var/cache/zypp")) continue;
    any = true;
    if (cleaned) continue;
    std::vector<edit::Edit> edits;
    if (auto e = model::append_command(ctx.tree, run, "zypper clean --all")) edits.push_back(*e);
    auto f = command_finding(ctx.tree, run, *first,
                             "zypper installs without `zypper clean` in the same RUN: its cache stays in the layer",
                             "append && zypper clean --all", std::move(edits));
    f.expected = "... && zypper clean --all";
    out.findings.push_back(std::move(f));
  }
  conclude(out, any, "zypper caches are cleaned in the RUN that fills them");
}

}  // namespace

const RuleRegistration k_zypper_clean{RuleSpec("zypper-clean")
    .example("FROM opensuse/leap:15.6\nRUN zypper -n install git\n",
             "FROM opensuse/leap:15.6\nRUN zypper -n install git && zypper clean --all\n",
             "FROM opensuse/leap:15.6\nRUN zypper -n install git && zypper clean --all\n")
    .aliases("DL3036")
    .safety(FixSafety::Safe)
    .priority(2)
    .order(190)
    .summary("zypper install without zypper clean in the same RUN")
    .fix("appends && zypper clean --all to the RUN")
    .check(&check_clean)};

}  // namespace dockmend::transforms::rules
