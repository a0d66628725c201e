#include "model/commands.hpp"

#include <string>

#include "model/text.hpp"

namespace dockmend::model {

bool runs(const shell::Command& cmd, std::string_view family) {
  auto inv = shell::invocation(cmd);
  return inv && shell::same_program(inv->name, family);
}

std::string_view subcommand_of(const shell::Command& cmd) {
  auto sub = shell::subcommand(cmd);
  return sub ? std::string_view(cmd.words[*sub].value) : std::string_view();
}

std::vector<std::size_t> operands_after_subcommand(const shell::Command& cmd) {
  std::vector<std::size_t> out;
  auto sub = shell::subcommand(cmd);
  auto inv = shell::invocation(cmd);
  if (!sub || !inv) return out;
  bool options = true;
  for (std::size_t i = *sub + 1; i < cmd.words.size(); ++i) {
    const std::string_view v = cmd.words[i].value;
    if (options && v == "--") {
      options = false;
      continue;
    }
    if (options && v.size() > 1 && v[0] == '-') {
      if (v.find('=') == std::string_view::npos && shell::takes_argument(inv->name, v)) ++i;
      continue;
    }
    out.push_back(i);
  }
  return out;
}

std::optional<std::size_t> after_leading_flags(const shell::Command& cmd) {
  auto sub = shell::subcommand(cmd);
  auto inv = shell::invocation(cmd);
  if (!sub || !inv) return std::nullopt;
  std::size_t last = *sub;
  for (std::size_t i = *sub + 1; i < cmd.words.size(); ++i) {
    const std::string_view v = cmd.words[i].value;
    if (v.size() < 2 || v[0] != '-' || v == "--" || cmd.words[i].has_expansion) break;
    if (v.find('=') == std::string_view::npos && shell::takes_argument(inv->name, v)) break;
    last = i;
  }
  return last;
}

bool options_may_hide(const shell::Command& cmd) {
  auto inv = shell::invocation(cmd);
  if (!inv) return false;
  for (std::size_t i = inv->args; i < cmd.words.size(); ++i) {
    const auto& w = cmd.words[i];
    if (!w.has_expansion || w.quoted || w.value.empty() || w.value[0] != '$') continue;
    const std::string name = lower(w.value);
    for (std::string_view hint : {"opt", "flag", "arg", "param"})
      if (name.find(hint) != std::string::npos) return true;
  }
  return false;
}

bool piped_from(const Run& run, std::size_t cmd_index, std::string_view family) {
  const auto& cmds = run.script.commands;
  // Walk back over the pipeline this command ends (a command in $( ) may sit between).
  for (std::size_t i = cmd_index; i-- > 0;) {
    const auto& c = cmds[i];
    if (c.depth > cmds[cmd_index].depth) continue;
    if (c.depth < cmds[cmd_index].depth) return false;
    if (c.after != shell::Separator::Pipe && c.after != shell::Separator::PipeAll) return false;
    if (runs(c, family)) return true;
  }
  return false;
}

bool has_cache_mount(const syntax::Instruction& inst, std::string_view dir) {
  for (const auto& f : inst.flags) {
    if (f.name != "mount") continue;
    std::string_view v = f.value;
    bool cache = false;
    std::string_view target;
    while (!v.empty()) {
      const auto comma = v.find(',');
      const std::string_view item = v.substr(0, comma);
      const auto eq = item.find('=');
      const std::string_view key = item.substr(0, eq);
      const std::string_view val = eq == std::string_view::npos ? std::string_view() : item.substr(eq + 1);
      if (key == "type" && (val == "cache" || val == "tmpfs")) cache = true;
      if (key == "target" || key == "dst" || key == "destination") target = val;
      if (comma == std::string_view::npos) break;
      v.remove_prefix(comma + 1);
    }
    while (target.size() > 1 && target.back() == '/') target.remove_suffix(1);
    if (cache && !target.empty() && starts_with(dir, target) &&
        (dir.size() == target.size() || dir[target.size()] == '/' || target == "/"))
      return true;
  }
  return false;
}

bool var_set(const Model& m, std::uint32_t before, std::string_view name) {
  const State st = m.state_before(before);
  const auto it = st.vars.find(name);
  // An ENV, or an ARG with a value (a default, or the build's: an ARG without one may be unset).
  return it != st.vars.end() && (it->second.from_env || it->second.known);
}

}  // namespace dockmend::model
