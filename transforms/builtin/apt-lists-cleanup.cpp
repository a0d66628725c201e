// apt-lists-cleanup: the package lists fetched and removed in the same layer.
#include <fmt/format.h>

#include "transforms/builtin/apt.hpp"

namespace dockmend::transforms::rules {
namespace {

using namespace apt;

bool removes_lists(const RunScript& run) {
  for (const auto& c : run.script.commands) {
    auto inv = shell::invocation(c);
    if (!inv) continue;
    // apt 2.7.8's `apt-get dist-clean` (Debian trixie) removes the lists too; the
    // official images use it where older ones wrote rm -rf /var/lib/apt/lists/*.
    if (is_apt(inv->name)) {
      if (builtin::subcommand_of(c) == "dist-clean") return true;
      continue;
    }
    for (std::size_t i = inv->args; i < c.words.size(); ++i)
      if (builtin::starts_with(c.words[i].value, "/var/lib/apt/lists")) return true;
  }
  return false;
}

// Commands that read the package lists a previous layer left behind.
bool reads_lists(const RunScript& run) {
  bool updated = false;
  for (const auto& c : run.script.commands) {
    auto inv = shell::invocation(c);
    if (!inv || !is_apt(inv->name)) {
      if (inv && inv->name == "apt-cache") return !updated;
      continue;
    }
    const auto sub = builtin::subcommand_of(c);
    if (sub == "update") updated = true;
    else if (!updated && one_of(sub, {"install", "upgrade", "dist-upgrade", "full-upgrade", "build-dep", "source",
                                      "reinstall", "download"}))
      return true;
  }
  return false;
}

void check_lists(const Context& ctx, Outcome& out) {
  const auto& ff = builtin::facts(ctx.tree);
  bool any = false;
  for (std::size_t r = 0; r < ff.runs.size(); ++r) {
    const RunScript& run = ff.runs[r];
    const auto& inst = ctx.tree.instructions[run.index];
    const shell::Command* update = nullptr;
    bool install = false;
    for (const auto& c : run.script.commands) {
      auto inv = shell::invocation(c);
      if (!inv || !is_apt(inv->name)) continue;
      const auto sub = builtin::subcommand_of(c);
      if (sub == "update" && !update) update = &c;
      if (sub == "install" && update) install = true;
    }
    if (!update) continue;
    // Lists in a stage the image does not build on, or in a cache mount, never reach a layer.
    if (!ff.stages[run.stage].shipped || builtin::has_cache_mount(inst, "/var/lib/apt/lists")) continue;
    any = true;
    if (removes_lists(run)) continue;
    std::vector<edit::Edit> edits;
    // Removing the lists would break a later RUN that installs without updating.
    bool later_reads = false;
    for (std::size_t k = r + 1; k < ff.runs.size() && !later_reads; ++k) {
      const int s = ff.runs[k].stage;
      bool built_on = false;
      for (int b = s; b >= 0; b = ff.stages[b].stage.base_stage)
        if (b == run.stage) built_on = true;
      if (built_on && reads_lists(ff.runs[k])) later_reads = true;
    }
    if (install && !later_reads)
      if (auto e = builtin::append_command(ctx.tree, run, "rm -rf /var/lib/apt/lists/*")) edits.push_back(*e);
    auto f = builtin::command_finding(ctx.tree, run, *update,
                                      "apt-get update leaves the package lists in the layer: "
                                      "remove /var/lib/apt/lists/* in the same RUN",
                                      "append && rm -rf /var/lib/apt/lists/*", std::move(edits));
    f.expected = "... && rm -rf /var/lib/apt/lists/*";
    out.findings.push_back(std::move(f));
  }
  builtin::conclude(out, any, "apt lists are removed in the RUN that fetches them");
}

}  // namespace

const RuleRegistration k_apt_lists_cleanup{RuleSpec("apt-lists-cleanup")
    .aliases("DL3009, aptGetInstallThenRemoveAptLists")
    .safety(FixSafety::Safe)
    .priority(2)
    .order(130)
    .summary("apt-get update without rm -rf /var/lib/apt/lists/* in the same RUN")
    .fix("appends && rm -rf /var/lib/apt/lists/* to the RUN (not when a later RUN still reads them)")
    .check(&check_lists)};

}  // namespace dockmend::transforms::rules
