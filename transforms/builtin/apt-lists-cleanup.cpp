// apt-lists-cleanup: the package lists fetched and removed in the same layer.
#include <fmt/format.h>

#include "transforms/builtin/apt.hpp"

namespace dockmend::transforms::rules {
namespace {

using namespace apt;

bool removes_lists(const model::Run& run) {
  for (const auto& c : run.script.commands) {
    auto inv = shell::invocation(c);
    if (!inv) continue;
    // apt 2.7.8's `apt-get dist-clean` (Debian trixie) removes the lists too; the
    // official images use it where older ones wrote rm -rf /var/lib/apt/lists/*.
    if (is_apt(inv->name)) {
      if (model::subcommand_of(c) == "dist-clean") return true;
      continue;
    }
    for (std::size_t i = inv->args; i < c.words.size(); ++i)
      if (model::starts_with(c.words[i].value, "/var/lib/apt/lists")) return true;
  }
  return false;
}

// Commands that read the package lists a previous layer left behind.
bool reads_lists(const model::Run& run) {
  bool updated = false;
  for (const auto& c : run.script.commands) {
    auto inv = shell::invocation(c);
    if (!inv || !is_apt(inv->name)) {
      if (inv && inv->name == "apt-cache") return !updated;
      continue;
    }
    const auto sub = model::subcommand_of(c);
    if (sub == "update") updated = true;
    else if (!updated && one_of(sub, {"install", "upgrade", "dist-upgrade", "full-upgrade", "build-dep", "source",
                                      "reinstall", "download"}))
      return true;
  }
  return false;
}

void check_lists(const Context& ctx, Outcome& out) {
  const model::Model& m = ctx.model;
  const auto& runs = m.runs();
  bool any = false;
  for (std::size_t r = 0; r < runs.size(); ++r) {
    const model::Run& run = runs[r];
    if (!run.parsed) continue;
    const auto& inst = ctx.tree.instructions[run.instruction];
    const shell::Command* update = nullptr;
    bool install = false;
    for (const auto& c : run.script.commands) {
      auto inv = shell::invocation(c);
      if (!inv || !is_apt(inv->name)) continue;
      const auto sub = model::subcommand_of(c);
      if (sub == "update" && !update) update = &c;
      if (sub == "install" && update) install = true;
    }
    if (!update) continue;
    // Lists in a stage the image does not build on, or in a cache mount, never reach a layer.
    if (!m.stages()[static_cast<std::size_t>(run.stage)].ships || model::has_cache_mount(inst, "/var/lib/apt/lists")) continue;
    any = true;
    if (removes_lists(run)) continue;
    std::vector<edit::Edit> edits;
    // Removing the lists would break a later RUN that installs without updating.
    bool later_reads = false;
    for (std::size_t k = r + 1; k < runs.size() && !later_reads; ++k) {
      if (!runs[k].parsed) continue;
      bool built_on = false;
      for (const std::int32_t b : m.chain(runs[k].stage))
        if (b == run.stage) built_on = true;
      if (built_on && reads_lists(runs[k])) later_reads = true;
    }
    if (install && !later_reads)
      if (auto e = model::append_command(ctx.tree, run, "rm -rf /var/lib/apt/lists/*")) edits.push_back(*e);
    auto f = command_finding(ctx.tree, run, *update,
                             "apt-get update leaves the package lists in the layer: "
                             "remove /var/lib/apt/lists/* in the same RUN",
                             "append && rm -rf /var/lib/apt/lists/*", std::move(edits));
    f.expected = "... && rm -rf /var/lib/apt/lists/*";
    out.findings.push_back(std::move(f));
  }
  conclude(out, any, "apt lists are removed in the RUN that fetches them");
}

}  // namespace

const RuleRegistration k_apt_lists_cleanup{RuleSpec("apt-lists-cleanup")
    .example("FROM debian:12\nRUN apt-get update && apt-get install -y curl=7.88.1-10\n",
             "FROM debian:12\nRUN apt-get update && apt-get install -y curl=7.88.1-10 && rm -rf /var/lib/apt/lists/*\n",
             "FROM debian:12\nRUN apt-get update && apt-get install -y curl=7.88.1-10 && rm -rf /var/lib/apt/lists/*\n")
    .aliases("DL3009, aptGetInstallThenRemoveAptLists")
    .safety(FixSafety::Safe)
    .priority(2)
    .order(130)
    .summary("apt-get update without rm -rf /var/lib/apt/lists/* in the same RUN")
    .fix("appends && rm -rf /var/lib/apt/lists/* to the RUN (not when a later RUN still reads them)")
    .check(&check_lists)};

}  // namespace dockmend::transforms::rules
