#include <fmt/format.h>

#include "cli/cli.hpp"
#include "transforms/rule.hpp"

namespace dockmend::cli {

const std::string& default_policy_yaml() {
  // Generated from the rule registry so it always lists what exists.
  static const std::string yaml = [] {
    std::string s =
        "# dockmend's built-in default policy: used when no dockmend.yaml is found.\n"
        "# It needs no per-repository values: it turns on the built-in best-practice\n"
        "# rules. A dockmend.yaml gets the same with `extends: default` and can switch\n"
        "# any rule off under `rules:`.\n"
        "version: 1\n"
        "extends: default\n"
        "rules:\n";
    for (const auto* r : transforms::all_rules()) {
      if (r->kind != transforms::RuleKind::Builtin) continue;
      s += fmt::format("  {}: {}{}# {}\n", r->id, r->default_on ? "on" : "off", r->default_on ? "    " : "   ",
                       r->summary);
    }
    return s;
  }();
  return yaml;
}

}  // namespace dockmend::cli
