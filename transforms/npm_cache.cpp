// npm and yarn keep a download cache that an image never reuses: clean it in
// the RUN that fills it (and npm cache clean needs --force since npm 5).
#include <fmt/format.h>

#include "transforms/builtin_support.hpp"
#include "transforms/rules.hpp"

namespace dockmend::transforms::rules {
namespace {

bool one_of(std::string_view v, std::initializer_list<std::string_view> set) {
  for (auto s : set)
    if (v == s) return true;
  return false;
}

bool npm_installs(const shell::Command& c) {
  return builtin::runs(c, "npm") && one_of(builtin::subcommand_of(c), {"install", "i", "ci", "add", "isntall", "update"});
}

bool yarn_installs(const shell::Command& c) {
  if (!builtin::runs(c, "yarn")) return false;
  const auto sub = builtin::subcommand_of(c);
  // A bare `yarn` installs.
  return sub.empty() || one_of(sub, {"install", "add", "global"});
}

bool cleans(const builtin::RunScript& run, std::string_view program, std::initializer_list<std::string_view> dirs) {
  for (const auto& c : run.script.commands) {
    auto inv = shell::invocation(c);
    if (!inv) continue;
    if (inv->name == program && builtin::subcommand_of(c) == "cache") {
      for (std::size_t i = inv->args; i < c.words.size(); ++i)
        if (c.words[i].value == "clean" || c.words[i].value == "rm" || c.words[i].value == "clear") return true;
    }
    for (std::size_t i = inv->args; i < c.words.size(); ++i)
      for (auto d : dirs)
        if (c.words[i].value.find(d) != std::string::npos) return true;
  }
  return false;
}

template <class Installs>
void check_clean(const Context& ctx, Outcome& out, Installs installs, std::string_view program,
                 std::string_view command, std::initializer_list<std::string_view> dirs,
                 std::initializer_list<std::string_view> mounts, std::initializer_list<std::string_view> own_cache) {
  const auto& ff = builtin::facts(ctx.tree);
  bool any = false;
  for (const auto& run : ff.runs) {
    const auto& inst = ctx.tree.instructions[run.index];
    const shell::Command* first = nullptr;
    for (const auto& c : run.script.commands)
      if (installs(c)) {
        first = &c;
        break;
      }
    if (!first || !ff.stages[run.stage].shipped) continue;
    bool mounted = false;
    for (auto m : mounts) mounted = mounted || builtin::has_cache_mount(inst, m);
    bool elsewhere = false;
    for (const auto& c : run.script.commands)
      if (installs(c) && shell::has_option(c, own_cache)) elsewhere = true;
    if (mounted || elsewhere) continue;
    any = true;
    if (cleans(run, program, dirs)) continue;
    std::vector<edit::Edit> edits;
    if (auto e = builtin::append_command(ctx.tree, run, command)) edits.push_back(*e);
    auto f = builtin::command_finding(ctx.tree, run, *first,
                                      fmt::format("{} installs without `{}` in the same RUN: its cache stays in the layer",
                                                  program, command),
                                      fmt::format("append && {}", command), std::move(edits));
    f.expected = fmt::format("... && {}", command);
    out.findings.push_back(std::move(f));
  }
  builtin::conclude(out, any, any ? fmt::format("{} caches are cleaned in the RUN that fills them", program) : "");
}

void check_npm(const Context& ctx, Outcome& out) {
  check_clean(ctx, out, npm_installs, "npm", "npm cache clean --force", {"/.npm", ".npm/_cacache"},
              {"/root/.npm", "/home/node/.npm"}, {"--cache"});
}

void check_yarn(const Context& ctx, Outcome& out) {
  check_clean(ctx, out, yarn_installs, "yarn", "yarn cache clean", {"/.cache/yarn", "/.yarn-cache", ".yarn/cache"},
              {"/usr/local/share/.cache/yarn", "/root/.cache/yarn", "/home/node/.cache/yarn", "/root/.yarn"},
              {"--cache-folder"});
}

void check_force(const Context& ctx, Outcome& out) {
  const auto& ff = builtin::facts(ctx.tree);
  bool any = false;
  for (const auto& run : ff.runs) {
    for (const auto& c : run.script.commands) {
      if (!builtin::runs(c, "npm") || builtin::subcommand_of(c) != "cache") continue;
      auto sub = shell::subcommand(c);
      if (*sub + 1 >= c.words.size() || c.words[*sub + 1].value != "clean") continue;
      any = true;
      if (shell::has_option(c, {"--force", "-f"})) continue;
      std::vector<edit::Edit> edits;
      if (run.editable) edits.push_back(builtin::insert_after_word(ctx.tree, run, c, *sub + 1, "--force"));
      auto f = builtin::command_finding(ctx.tree, run, c, "npm cache clean fails without --force since npm 5",
                                        "add --force to npm cache clean", std::move(edits));
      f.expected = "npm cache clean --force";
      out.findings.push_back(std::move(f));
    }
  }
  builtin::conclude(out, any, "npm cache clean uses --force");
}

}  // namespace

const Rule& npm_cache_clean() {
  static const Rule r{"npm-cache-clean", "npm install without npm cache clean --force in the same RUN",
                      "appends && npm cache clean --force to the RUN", "npmCacheCleanAfterInstall",
                      RuleKind::Builtin, FixSafety::Safe, 2, &check_npm};
  return r;
}

const Rule& npm_cache_force() {
  static const Rule r{"npm-cache-force", "npm cache clean without --force", "adds --force",
                      "npmCacheCleanUseForce", RuleKind::Builtin, FixSafety::Safe, 2, &check_force};
  return r;
}

const Rule& yarn_cache_clean() {
  static const Rule r{"yarn-cache-clean", "yarn install without yarn cache clean in the same RUN",
                      "appends && yarn cache clean to the RUN", "DL3060, yarnCacheCleanAfterInstall",
                      RuleKind::Builtin, FixSafety::Safe, 2, &check_yarn};
  return r;
}

}  // namespace dockmend::transforms::rules
