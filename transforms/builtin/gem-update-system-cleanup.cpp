// gem-update-system-cleanup: no leftover /root/.gem after `gem update --system`.
#include <fmt/format.h>

#include "transforms/builtin_support.hpp"
#include "transforms/rule.hpp"

namespace dockmend::transforms::rules {
namespace {

void check_update_system(const Context& ctx, Outcome& out) {
  const auto& ff = builtin::facts(ctx.tree);
  bool any = false;
  for (const auto& run : ff.runs) {
    if (!ff.stages[run.stage].shipped) continue;
    const shell::Command* update = nullptr;
    for (const auto& cmd : run.script.commands) {
      auto inv = shell::invocation(cmd);
      if (inv && inv->name == "gem" && builtin::subcommand_of(cmd) == "update" &&
          shell::has_option(cmd, {"--system"})) {
        update = &cmd;
        break;
      }
    }
    if (!update) continue;
    // Some command of the RUN already names the cache (rm -rf /root/.gem ...).
    bool removed = false;
    for (const auto& cmd : run.script.commands) {
      auto inv = shell::invocation(cmd);
      if (!inv) continue;
      for (std::size_t i = inv->args; i < cmd.words.size(); ++i)
        if (builtin::starts_with(cmd.words[i].value, "/root/.gem") || builtin::starts_with(cmd.words[i].value, "~/.gem") ||
            builtin::starts_with(cmd.words[i].value, "$HOME/.gem"))
          removed = true;
    }
    any = true;
    if (removed) continue;
    // /root/.gem is only root's: not when the stage switched to another user.
    bool other_user = false;
    for (std::uint32_t i = ff.stages[run.stage].stage.from; i < run.index; ++i) {
      const auto& inst = ctx.tree.instructions[i];
      if (inst.is("user") && !inst.values.empty()) {
        const std::string u(inst.values[0].text.substr(0, inst.values[0].text.find(':')));
        other_user = u != "root" && u != "0";
      }
    }
    std::vector<edit::Edit> edits;
    if (!other_user)
      if (auto e = builtin::append_command(ctx.tree, run, "rm -rf /root/.gem")) edits.push_back(*e);
    auto f = builtin::command_finding(ctx.tree, run, *update,
                                      "gem update --system leaves its download cache in /root/.gem",
                                      "append && rm -rf /root/.gem", std::move(edits));
    f.expected = "... && rm -rf /root/.gem";
    out.findings.push_back(std::move(f));
  }
  builtin::conclude(out, any, "");
}

}  // namespace

const RuleRegistration k_gem_update_system_cleanup{RuleSpec("gem-update-system-cleanup")
    .aliases("gemUpdateSystemRmRootGem")
    .safety(FixSafety::Unsafe)
    .priority(3)
    .order(250)
    .summary("gem update --system without removing /root/.gem")
    .fix("appends && rm -rf /root/.gem to the RUN")
    .check(&check_update_system)};

}  // namespace dockmend::transforms::rules
