// The image should not run as root. When the final stage never switches user,
// switch to the user the Dockerfile already creates, or create a system user.
// A policy with a `user` section owns this (the `user` rule), so this rule
// stays quiet there and the two never disagree.
#include <fmt/format.h>

#include <cstring>

#include "edit/builders.hpp"
#include "transforms/builtin_support.hpp"
#include "transforms/rule.hpp"

namespace dockmend::transforms::rules {
namespace {

bool is_root(std::string_view user) {
  const std::string_view name = user.substr(0, user.find(':'));
  return name == "root" || name == "0";
}

// The user the stage's RUNs create (useradd NAME, adduser NAME), if any.
std::string created_user(const builtin::FileFacts& ff, const std::vector<bool>& in_chain) {
  std::string name;
  for (const auto& run : ff.runs) {
    if (run.stage < 0 || !in_chain[run.stage]) continue;
    for (const auto& cmd : run.script.commands) {
      auto inv = shell::invocation(cmd);
      if (!inv || (inv->name != "useradd" && inv->name != "adduser")) continue;
      // The user name is the last operand (busybox: adduser [opts] USER [GROUP] is rare with a group).
      std::optional<std::size_t> last;
      for (std::size_t i = inv->args; i < cmd.words.size(); ++i) {
        const std::string_view v = cmd.words[i].value;
        if (v.size() > 1 && v[0] == '-') {
          if (v.find('=') == std::string_view::npos && shell::takes_argument(inv->name, v)) ++i;
          continue;
        }
        last = i;
      }
      if (last && !cmd.words[*last].has_expansion) name = cmd.words[*last].value;
    }
  }
  return name;
}

// Whether the text names a tool that drops privileges at run time (gosu,
// su-exec, setpriv, runuser) or a supervisor that does (supervisord,
// s6-overlay). Each name has an `s`: memchr jumps from one `s` to the next,
// and the names are tried around it (six searches of the whole file cost more
// than the rest of the rule).
bool mentions_privilege_drop(std::string_view text) {
  struct Word {
    std::string_view text;
    std::size_t s;  // offset of its first `s`
    constexpr Word(std::string_view t) : text(t), s(t.find('s')) {}
  };
  static constexpr Word k_words[] = {{"gosu"}, {"su-exec"}, {"setpriv"}, {"runuser"}, {"supervisord"}, {"s6-overlay"}};
  const char* const begin = text.data();
  const char* const end = begin + text.size();
  for (const char* p = begin; p < end;) {
    const auto* hit = static_cast<const char*>(std::memchr(p, 's', static_cast<std::size_t>(end - p)));
    if (!hit) return false;
    const auto at = static_cast<std::size_t>(hit - begin);
    for (const Word& w : k_words)
      if (at >= w.s && text.substr(at - w.s, w.text.size()) == w.text) return true;
    p = hit + 1;
  }
  return false;
}

void check(const Context& ctx, Outcome& out) {
  if (ctx.settings.user) {
    out.applicable = false;
    return;
  }
  const auto& tree = ctx.tree;
  const auto& ff = builtin::facts(tree);
  if (ff.stages.empty()) {
    out.applicable = false;
    return;
  }
  const int final_stage = static_cast<int>(ff.stages.size()) - 1;
  std::vector<bool> in_chain(ff.stages.size(), false);
  for (int s = final_stage; s >= 0 && !in_chain[s]; s = ff.stages[s].stage.base_stage) in_chain[s] = true;
  const syntax::Instruction* last_user = nullptr;
  const syntax::Instruction* last_fs = nullptr;  // last instruction that writes files as the current user
  bool runs_program = false, privileged_port = false;
  for (std::size_t i = 0; i < tree.instructions.size(); ++i) {
    const int s = ff.stage_of[i];
    if (s < 0 || !in_chain[s]) continue;
    const auto& inst = tree.instructions[i];
    if (inst.is("user")) last_user = &inst;
    if (s == final_stage && (inst.is("run") || inst.is("copy") || inst.is("add") || inst.is("workdir") ||
                             inst.is("volume") || inst.is("from")))
      last_fs = &inst;
    if (s == final_stage && (inst.is("cmd") || inst.is("entrypoint"))) runs_program = true;
    if (inst.is("expose"))
      for (const auto& v : inst.values) {
        const int port = std::atoi(std::string(v.text).c_str());
        if (port > 0 && port < 1024) privileged_port = true;
      }
  }
  const auto& final = ff.stages[final_stage];
  const std::string base = builtin::lower(final.stage.base);
  if (final.distro == builtin::Distro::Windows || final.distro == builtin::Distro::Scratch) {
    out.applicable = false;
    return;
  }
  out.applicable = true;
  if (last_user && !is_root(last_user->values.empty() ? "" : last_user->values[0].text)) {
    out.correct.push_back(fmt::format("runs as {}", last_user->values[0].text));
    return;
  }
  // Base images that already run unprivileged.
  if (!last_user && (base.find("nonroot") != std::string::npos || base.find("rootless") != std::string::npos ||
                     final.distro == builtin::Distro::Distroless)) {
    out.correct.push_back("the base image runs as a non-root user");
    return;
  }
  Finding f;
  f.message = last_user ? "the last USER is root: the container runs as root"
                        : "no USER in the final stage: the container runs as root";
  f.at = last_user ? last_user->keyword_span : tree.instructions[final.stage.from].keyword_span;
  f.current = last_user ? tree.text(last_user->text) : "root (no USER)";
  // Fix only the plain case: no USER at all, a program to run, a known distro,
  // nothing that needs root at run time (ports below 1024, a privilege drop).
  // (The rule fires on most files: what only the fix needs is worked out only
  // when a fix is possible.)
  const bool may_fix = !last_user && runs_program && !privileged_port && last_fs;
  const bool drops = may_fix && mentions_privilege_drop(tree.source);
  const bool known = final.distro == builtin::Distro::Debian || final.distro == builtin::Distro::Rhel ||
                     final.distro == builtin::Distro::Alpine;
  const std::string existing = may_fix && !drops ? created_user(ff, in_chain) : std::string();
  if (may_fix && !drops && (known || !existing.empty())) {
    bool minimal = false;  // ubi-minimal and friends have no useradd
    for (const auto& run : ff.runs)
      if (run.stage >= 0 && in_chain[run.stage])
        for (const auto& c : run.script.commands)
          if (builtin::runs(c, "microdnf")) minimal = true;
    if (base.find("minimal") != std::string::npos || base.find("micro") != std::string::npos) minimal = true;
    const edit::Style style = edit::style_of(tree);
    std::vector<std::string> lines;
    std::string name = existing;
    if (name.empty() && !minimal) {
      name = "app";
      if (final.distro == builtin::Distro::Alpine)
        lines.push_back(edit::keyword(style, "run") + " addgroup -S app && adduser -S -G app app");
      else
        lines.push_back(edit::keyword(style, "run") +
                        " groupadd --system app && useradd --system --gid app --create-home app");
    }
    if (!name.empty()) {
      lines.push_back(edit::keyword(style, "user") + " " + name);
      f.expected = "USER " + name;
      edit::Fix fix;
      fix.reason = existing.empty() ? "create a system user and switch to it" : "switch to the user the file creates";
      fix.edits.push_back(edit::insert_after(tree, *last_fs, lines));
      f.fix = std::move(fix);
    }
  }
  out.findings.push_back(std::move(f));
}

}  // namespace

const RuleRegistration k_non_root_user{RuleSpec("non-root-user")
    .aliases("DL3002")
    .safety(FixSafety::Unsafe)
    .priority(1)
    .order(370)
    .summary("the final stage runs as root (last USER is root, or no USER)")
    .fix("switches to the user the file creates, or creates a system user `app` and switches to it, "
        "after the last RUN/COPY of the final stage (off when the policy has a user section)")
    .check(&check)};

}  // namespace dockmend::transforms::rules
