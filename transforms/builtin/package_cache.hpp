// What npm-cache-clean and yarn-cache-clean share: which commands install, whether
// the RUN cleans the cache, and the check that appends the clean command.
#pragma once
#include <fmt/format.h>
#include "model/commands.hpp"
#include "model/script_edits.hpp"
#include "transforms/findings.hpp"
#include "transforms/rule.hpp"

namespace dockmend::transforms::rules::package_cache {

using model::one_of;

inline bool npm_installs(const shell::Command& c) {
  return model::runs(c, "npm") && one_of(model::subcommand_of(c), {"install", "i", "ci", "add", "isntall", "update"});
}

inline bool yarn_installs(const shell::Command& c) {
  if (!model::runs(c, "yarn")) return false;
  const auto sub = model::subcommand_of(c);
  // A bare `yarn` installs (`yarn --version` does not).
  if (sub.empty()) return !shell::has_option(c, {"--version", "-v", "--help", "-h"});
  return one_of(sub, {"install", "add", "global"});
}

inline bool cleans(const model::Run& run, std::string_view program, std::initializer_list<std::string_view> dirs) {
  for (const auto& c : run.script.commands) {
    auto inv = shell::invocation(c);
    if (!inv) continue;
    if (inv->name == program && model::subcommand_of(c) == "cache") {
      for (std::size_t i = inv->args; i < c.words.size(); ++i)
        if (c.words[i].value == "clean" || c.words[i].value == "rm" || c.words[i].value == "clear") return true;
    }
    for (std::size_t i = inv->args; i < c.words.size(); ++i)
      for (auto d : dirs)
        if (c.words[i].value.find(d) != std::string::npos) return true;
  }
  return false;
}

// Whether a wrapper before the program runs it as another user (`sudo -u node
// npm install`, `gosu app ...`, `su-exec`, `doas -u`, `chroot --userspec`): its
// cache is then in that user's home, and a clean command appended as root
// cleans another (empty) cache.
inline bool as_other_user(const shell::Command& c) {
  const auto inv = shell::invocation(c);
  if (!inv) return false;
  std::string_view wrapper;
  for (std::size_t i = 0; i < inv->program && i < c.words.size(); ++i) {
    const std::string_view w = c.words[i].value;
    const auto slash = w.rfind('/');
    const std::string_view name = slash == std::string_view::npos ? w : w.substr(slash + 1);
    if (name == "gosu" || name == "su-exec") return true;
    if (name == "sudo" || name == "doas" || name == "chroot") {
      wrapper = name;
      continue;
    }
    const bool user_option = wrapper == "chroot" ? w.rfind("--userspec", 0) == 0
                                                 : w.rfind("-u", 0) == 0 || w.rfind("--user", 0) == 0;
    if (!wrapper.empty() && user_option) return true;
  }
  return false;
}

template <class Installs>
inline void check_clean(const Context& ctx, Outcome& out, Installs installs, std::string_view program,
                 std::string_view command, std::initializer_list<std::string_view> dirs,
                 std::initializer_list<std::string_view> mounts, std::initializer_list<std::string_view> own_cache) {
  const model::Model& m = ctx.model;
  bool any = false;
  for (const model::Run& run : m.runs()) {
    if (!run.parsed) continue;
    const auto& inst = ctx.tree.instructions[run.instruction];
    const shell::Command* first = nullptr;
    for (const auto& c : run.script.commands)
      if (installs(c)) {
        first = &c;
        break;
      }
    if (!first || !m.stages()[static_cast<std::size_t>(run.stage)].ships) continue;
    bool mounted = false;
    for (auto m : mounts) mounted = mounted || model::has_cache_mount(inst, m);
    bool elsewhere = false;
    for (const auto& c : run.script.commands)
      if (installs(c) && shell::has_option(c, own_cache)) elsewhere = true;
    if (mounted || elsewhere) continue;
    any = true;
    if (cleans(run, program, dirs)) continue;
    std::vector<edit::Edit> edits;
    if (!as_other_user(*first))
      if (auto e = model::append_command(ctx.tree, run, command)) edits.push_back(*e);
    auto f = command_finding(ctx.tree, run, *first,
                             fmt::format("{} installs without `{}` in the same RUN: its cache stays in the layer",
                                                  program, command),
                                      fmt::format("append && {}", command), std::move(edits));
    f.expected = fmt::format("... && {}", command);
    out.findings.push_back(std::move(f));
  }
  conclude(out, any, any ? fmt::format("{} caches are cleaned in the RUN that fills them", program) : "");
}

}  // namespace dockmend::transforms::rules::package_cache
