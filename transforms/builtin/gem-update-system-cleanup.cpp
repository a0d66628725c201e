// gem-update-system-cleanup: no leftover /root/.gem after `gem update --system`.
#include <fmt/format.h>

#include "model/commands.hpp"
#include "model/script_edits.hpp"
#include "model/text.hpp"
#include "transforms/findings.hpp"
#include "transforms/rule.hpp"

namespace dockmend::transforms::rules {
namespace {

void check_update_system(const Context& ctx, Outcome& out) {
  const model::Model& m = ctx.model;
  bool any = false;
  for (const model::Run& run : m.runs()) {
    if (!run.parsed) continue;
    if (!m.stages()[static_cast<std::size_t>(run.stage)].ships) continue;
    const shell::Command* update = nullptr;
    for (const auto& cmd : run.script.commands) {
      auto inv = shell::invocation(cmd);
      if (inv && inv->name == "gem" && model::subcommand_of(cmd) == "update" &&
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
        if (model::starts_with(cmd.words[i].value, "/root/.gem") || model::starts_with(cmd.words[i].value, "~/.gem") ||
            model::starts_with(cmd.words[i].value, "$HOME/.gem"))
          removed = true;
    }
    any = true;
    if (removed) continue;
    // /root/.gem is only root's: not when the image runs the RUN as another user
    // (a USER of this stage or of a stage it builds FROM).
    const model::Setting& user = m.state_before(run.instruction).user;
    const std::string u = user.value.substr(0, user.value.find(':'));
    const bool other_user = user.set() && u != "root" && u != "0";
    std::vector<edit::Edit> edits;
    if (!other_user)
      if (auto e = model::append_command(ctx.tree, run, "rm -rf /root/.gem")) edits.push_back(*e);
    auto f = command_finding(ctx.tree, run, *update,
                             "gem update --system leaves its download cache in /root/.gem",
                             "append && rm -rf /root/.gem", std::move(edits));
    f.expected = "... && rm -rf /root/.gem";
    out.findings.push_back(std::move(f));
  }
  conclude(out, any, "");
}

}  // namespace

const RuleRegistration k_gem_update_system_cleanup{RuleSpec("gem-update-system-cleanup")
    .example("FROM ruby:3.3\nRUN gem update --system\n",
             "FROM ruby:3.3\nRUN gem update --system && rm -rf /root/.gem\n",
             "FROM ruby:3.3\nRUN gem update --system && rm -rf /root/.gem\n")
    .aliases("gemUpdateSystemRmRootGem")
    .safety(FixSafety::Unsafe)
    .priority(3)
    .order(250)
    .summary("gem update --system without removing /root/.gem")
    .fix("appends && rm -rf /root/.gem to the RUN")
    .check(&check_update_system)};

}  // namespace dockmend::transforms::rules
