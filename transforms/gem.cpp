// RubyGems: no documentation in images, and no leftover /root/.gem after
// `gem update --system`.
#include <fmt/format.h>

#include "transforms/builtin_support.hpp"
#include "transforms/rules.hpp"

namespace dockmend::transforms::rules {
namespace {

void check_no_document(const Context& ctx, Outcome& out) {
  const auto& ff = builtin::facts(ctx.tree);
  // `gem: --no-document` written to a gemrc covers every gem command.
  const bool gemrc = ctx.tree.source.find("gemrc") != std::string_view::npos;
  bool any = false;
  for (const auto& run : ff.runs) {
    for (const auto& cmd : run.script.commands) {
      if (!builtin::runs(cmd, "gem")) continue;
      const auto sub = builtin::subcommand_of(cmd);
      if (sub != "install" && sub != "update" && sub != "i") continue;
      any = true;
      if (gemrc || builtin::options_may_hide(cmd) ||
          shell::has_option(cmd, {"--no-document", "-N", "--no-rdoc", "--no-ri", "--document"}))
        continue;
      out.findings.push_back(builtin::flag_finding(
          ctx.tree, run, cmd, "--no-document", shell::InsertAt::AfterSubcommand,
          fmt::format("gem {} without --no-document: documentation bloats the image", sub),
          fmt::format("add --no-document to gem {}", sub), fmt::format("gem {} --no-document ...", sub)));
    }
  }
  builtin::conclude(out, any, "gem installs skip documentation");
}

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

const Rule& gem_no_document() {
  static const Rule r{"gem-no-document", "gem install/update without --no-document",
                      "adds --no-document after the subcommand", "gemUpdateNoDocument", RuleKind::Builtin,
                      FixSafety::Safe, 3, &check_no_document};
  return r;
}

const Rule& gem_update_system_cleanup() {
  static const Rule r{"gem-update-system-cleanup", "gem update --system without removing /root/.gem",
                      "appends && rm -rf /root/.gem to the RUN", "gemUpdateSystemRmRootGem", RuleKind::Builtin,
                      FixSafety::Unsafe, 3, &check_update_system};
  return r;
}

}  // namespace dockmend::transforms::rules
