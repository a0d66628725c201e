// Runs the engine in-process on one Dockerfile text with the built-in default
// policy (every built-in rule on), optionally restricted to some rules.
#pragma once
#include <string>
#include <vector>

#include "policy/policy.hpp"
#include "syntax/tree.hpp"
#include "transforms/engine.hpp"

namespace dockmend::test {

inline policy::Policy default_policy() {
  policy::Policy p;
  p.path = "<built-in default policy>";
  p.extends_default = true;
  return p;
}

struct Run {
  std::string fixed;
  std::vector<transforms::Finding> findings;
  std::vector<std::string> notes;
  bool error = false;
  std::size_t count(const std::string& rule) const {
    std::size_t n = 0;
    for (const auto& f : findings) n += f.rule == rule;
    return n;
  }
  bool has_fix(const std::string& rule) const {
    for (const auto& f : findings)
      if (f.rule == rule && f.fix) return true;
    return false;
  }
};

// `unsafe`: apply unsafe fixes too, as --unsafe-fixes does.
// `files`: the repository the rules may read (none when null).
inline Run run_rules(const std::string& text, const std::vector<std::string>& select = {},
                     const policy::Policy& pol = default_policy(), const std::string& path = "Dockerfile",
                     bool unsafe = false, const transforms::FileView* files = nullptr) {
  static const transforms::EmptyFileView k_files;
  transforms::EngineConfig cfg;
  cfg.unsafe_fixes = unsafe;
  cfg.policy = &pol;
  cfg.files = files ? files : &k_files;
  cfg.selection.select = select;
  auto rep = transforms::process_file(path, text, cfg, true);
  Run r;
  r.fixed = rep.fixed;
  r.findings = rep.findings;
  r.notes = rep.notes;
  r.error = rep.error.has_value();
  return r;
}

// The fix of one rule alone, unsafe or not (as with --unsafe-fixes).
inline std::string fix_with(const std::string& rule, const std::string& text) {
  return run_rules(text, {rule}, default_policy(), "Dockerfile", true).fixed;
}

}  // namespace dockmend::test
