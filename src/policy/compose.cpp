#include "policy/compose.hpp"

#include <algorithm>
#include <filesystem>

namespace dockmend::policy {

namespace {

std::string prefixed(std::string_view dir, const std::string& path) {
  if (dir.empty()) return path;
  std::string out =
      std::filesystem::path(std::string(dir) + "/" + (path.empty() ? "." : path)).lexically_normal().generic_string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out == "." ? std::string() : out;
}

void rebase_settings(Settings& s, std::string_view dir) {
  if (s.machine && s.machine->profile_source) s.machine->profile_source = prefixed(dir, *s.machine->profile_source);
}

}  // namespace

void rebase(Policy& policy, std::string_view dir) {
  for (Service& service : policy.services) {
    if (!service.dockerfile.empty()) service.dockerfile = prefixed(dir, service.dockerfile);
    if (service.context) service.context = prefixed(dir, *service.context);
    rebase_settings(service.overrides, dir);
  }
  rebase_settings(policy.defaults, dir);
  for (ExcludeGlob& g : policy.exclude) g.base = g.base.empty() ? std::string(dir) : prefixed(dir, g.base);
}

Policy inherit(Policy child, const Policy& parent) {
  // The child's defaults over the parent's, exactly as a service's sections over
  // the defaults: a stand-in service carries them through effective_settings().
  // A section the child writes `off` removes the parent's.
  Service over;
  over.overrides = child.defaults;
  auto off = [](auto& into, const auto& from) {
    if (from) into = from;
  };
  off(over.overrides.base_image, child.defaults_off.base_image);
  off(over.overrides.stages, child.defaults_off.stages);
  off(over.overrides.user, child.defaults_off.user);
  off(over.overrides.init, child.defaults_off.init);
  off(over.overrides.pip, child.defaults_off.pip);
  off(over.overrides.venv, child.defaults_off.venv);
  off(over.overrides.machine, child.defaults_off.machine);
  off(over.overrides.env, child.defaults_off.env);
  off(over.overrides.health, child.defaults_off.health);
  child.defaults = effective_settings(parent, over);
  if (child.defaults_mark.line == 0) child.defaults_mark = parent.defaults_mark;

  std::vector<Service> services;
  for (const Service& s : parent.services) {
    const bool replaced = std::any_of(child.services.begin(), child.services.end(), [&](const Service& c) {
      return c.name == s.name || (!c.dockerfile.empty() && c.dockerfile == s.dockerfile);
    });
    if (!replaced) services.push_back(s);
  }
  for (Service& s : child.services) services.push_back(std::move(s));
  child.services = std::move(services);

  // rule_setting() takes the first match: the child's settings come first.
  child.rules.insert(child.rules.end(), parent.rules.begin(), parent.rules.end());
  child.exclude.insert(child.exclude.end(), parent.exclude.begin(), parent.exclude.end());
  child.extends_default = child.extends_default || parent.extends_default;
  if (!child.default_ports) child.default_ports = parent.default_ports;
  if (!child.fail_on && !child.fail_on_none) {
    child.fail_on = parent.fail_on;
    child.fail_on_none = parent.fail_on_none;
  }
  return child;
}

}  // namespace dockmend::policy
