// What the apt rules share: which commands are apt, which subcommands prompt, and
// apt's own ways of saying yes (-qq, -o APT::Get::Assume-Yes).
#pragma once
#include <fmt/format.h>
#include "model/commands.hpp"
#include "model/script_edits.hpp"
#include "model/text.hpp"
#include "transforms/findings.hpp"
#include "transforms/rule.hpp"

namespace dockmend::transforms::rules::apt {

using model::one_of;

inline bool is_apt(std::string_view name) { return name == "apt-get" || name == "apt" || name == "aptitude"; }

// Subcommands that ask "Do you want to continue?" without -y (apt-get(8);
// `source` and `download` only fetch files and never ask; `reinstall` is apt's).
inline bool prompts(std::string_view sub) {
  return one_of(sub, {"install", "upgrade", "dist-upgrade", "full-upgrade", "remove", "purge", "autoremove",
                      "autopurge", "build-dep", "reinstall"});
}

// -s and its aliases only print what would happen: nothing to confirm, nothing
// installed. So does --print-uris.
inline bool simulates(const shell::Command& cmd) {
  return shell::has_option(cmd, {"-s", "--simulate", "--just-print", "--dry-run", "--recon", "--no-act",
                                 "--print-uris"});
}

// apt's quiet level 2 (-qq, -q=2, --quiet=2) implies --yes.
inline int quiet_level(const shell::Command& cmd, std::size_t from) {
  int level = 0;
  for (std::size_t i = from; i < cmd.words.size(); ++i) {
    const std::string_view v = cmd.words[i].value;
    if (v == "--") break;
    if (v == "--quiet" || v == "--silent") ++level;
    else if (model::starts_with(v, "--quiet=") || model::starts_with(v, "-q=")) level += std::atoi(v.data() + v.find('=') + 1);
    else if (v.size() > 1 && v[0] == '-' && v[1] != '-') {
      for (char c : v.substr(1)) {
        if (c == 'q') ++level;
        if (c == 'o' || c == 'c' || c == 't' || c == 'a') break;
      }
    }
  }
  return level;
}

// -o APT::Get::Assume-Yes=true and friends, written on the command line.
inline bool has_config(const shell::Command& cmd, std::string_view key) {
  const std::string k = model::lower(key);
  for (const auto& w : cmd.words)
    if (model::lower(w.value).find(k) != std::string::npos) return true;
  return false;
}

struct AptCommand {
  const model::Run* run;
  std::size_t index;
  const shell::Command* cmd;
  std::string_view name;
  std::string_view sub;
};

template <class Fn>
inline void for_each_apt(const model::Model& m, Fn fn) {
  for (const model::Run& run : m.runs()) {
    if (!run.parsed) continue;
    for (std::size_t i = 0; i < run.script.commands.size(); ++i) {
      const auto& cmd = run.script.commands[i];
      auto inv = shell::invocation(cmd);
      if (!inv || !is_apt(inv->name)) continue;
      fn(AptCommand{&run, i, &cmd, inv->name, model::subcommand_of(cmd)});
    }
  }
}

}  // namespace dockmend::transforms::rules::apt
