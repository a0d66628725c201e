// apt-get-not-apt: apt has no stable interface for scripts; apt-get has.
#include <fmt/format.h>

#include "transforms/builtin/apt.hpp"

namespace dockmend::transforms::rules {
namespace {

using namespace apt;

void check_not_apt(const Context& ctx, Outcome& out) {
  bool any = false;
  for_each_apt(ctx.model, [&](const AptCommand& a) {
    if (a.name != "apt") return;
    any = true;
    const auto& cmd = *a.cmd;
    auto inv = shell::invocation(cmd);
    std::vector<edit::Edit> edits;
    // Only where apt-get has the same subcommand with the same meaning.
    if (a.run->editable && cmd.words[inv->program].value == "apt" && !cmd.words[inv->program].quoted &&
        one_of(a.sub, {"install", "update", "remove", "purge", "autoremove", "clean", "autoclean"}))
      edits.push_back({a.run->source(ctx.tree, cmd.words[inv->program].span), "apt-get"});
    out.findings.push_back(command_finding(
        ctx.tree, *a.run, cmd, "apt has no stable command-line interface for scripts; use apt-get",
        "apt -> apt-get", std::move(edits)));
    out.findings.back().expected = "apt-get";
  });
  conclude(out, any, "");
}

}  // namespace

const RuleRegistration k_apt_get_not_apt{RuleSpec("apt-get-not-apt")
    .example("FROM debian:12\nRUN apt install -y curl=7.88.1-10\n",
             "FROM debian:12\nRUN apt-get install -y curl=7.88.1-10\n",
             "FROM debian:12\nRUN apt-get install -y curl=7.88.1-10\n")
    .aliases("DL3027")
    .safety(FixSafety::Safe)
    .priority(3)
    .order(90)
    .summary("apt used in a script instead of apt-get")
    .fix("apt -> apt-get for install, update, remove, purge, autoremove, clean")
    .check(&check_not_apt)};

}  // namespace dockmend::transforms::rules
