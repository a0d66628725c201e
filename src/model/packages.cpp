#include "model/packages.hpp"

#include "model/text.hpp"

namespace dockmend::model {

PackageManager manager_of_program(std::string_view n) {
  if (n == "apt-get" || n == "apt" || n == "aptitude") return PackageManager::Apt;
  if (n == "apk") return PackageManager::Apk;
  if (n == "dnf") return PackageManager::Dnf;
  if (n == "microdnf") return PackageManager::Microdnf;
  if (n == "yum") return PackageManager::Yum;
  if (n == "tdnf") return PackageManager::Tdnf;
  if (n == "zypper") return PackageManager::Zypper;
  return PackageManager::Unknown;
}

const char* package_command(PackageManager pm) {
  // The program is the manager's name (model.cpp), but for apt, whose scripts run apt-get.
  if (pm == PackageManager::Apt) return "apt-get";
  if (pm == PackageManager::None || pm == PackageManager::Unknown) return "unknown";
  return package_manager_name(pm);
}

std::vector<PackageInstall> package_installs(const std::vector<const Run*>& runs) {
  std::vector<PackageInstall> out;
  for (const Run* run : runs) {
    if (!run->parsed) continue;
    const auto& cmds = run->script.commands;
    for (std::size_t c = 0; c < cmds.size(); ++c) {
      const auto inv = shell::invocation(cmds[c]);
      if (!inv) continue;
      const auto pm = manager_of_program(inv->name);
      if (pm == PackageManager::Unknown) continue;
      const auto sub = shell::subcommand(cmds[c]);
      if (!sub) continue;
      const auto& verb = cmds[c].words[*sub].value;
      const bool install = pm == PackageManager::Apk ? verb == "add"
                           : pm == PackageManager::Zypper ? (verb == "install" || verb == "in")
                                                          : verb == "install";
      if (!install) continue;
      PackageInstall pi;
      pi.run = run;
      pi.command = c;
      pi.manager = pm;
      const auto& words = cmds[c].words;
      for (std::size_t w = *sub + 1; w < words.size(); ++w) {
        const auto& v = words[w].value;
        if (!v.empty() && v[0] == '-') {
          if (v.find('=') == std::string::npos && shell::takes_argument(inv->name, v)) ++w;
          continue;
        }
        pi.packages.push_back(w);
      }
      out.push_back(std::move(pi));
    }
  }
  return out;
}

PackageManager installing_manager(const Model& model, std::int32_t stage, bool* guessed) {
  if (guessed) *guessed = false;
  const auto& stages = model.stages();
  // Windows has none of these (its RUNs are not sh, whatever they name).
  if (stages[static_cast<std::size_t>(stage)].platform_facts.windows()) return PackageManager::None;
  // A stage's own RUNs are what PackageCommand evidence says (an inherited fact is InRepoBase).
  auto commanded = [&](std::int32_t k) {
    const auto& f = stages[static_cast<std::size_t>(k)].platform_facts.package_manager;
    return f.evidence == Evidence::PackageCommand ? f.value : PackageManager::Unknown;
  };
  const auto chain = model.chain(stage);
  for (std::int32_t k : chain)
    if (auto pm = commanded(k); pm != PackageManager::Unknown) return pm;
  // What the chain's base image says comes before what other stages run: a
  // `FROM scratch` or distroless runtime has no package manager, whatever the
  // builder stage installs with.
  const auto& root = stages[static_cast<std::size_t>(chain.front())].platform_facts.package_manager;
  if (root.value != PackageManager::Unknown) {
    if (guessed) *guessed = true;
    return root.value;
  }
  for (const Stage& s : stages)
    if (auto pm = commanded(s.index); pm != PackageManager::Unknown) return pm;
  if (guessed) *guessed = true;
  return PackageManager::Apt;
}

std::string install_command(PackageManager pm, const std::vector<std::string>& packages) {
  const std::string p = join(packages, " ");
  switch (pm) {
    case PackageManager::Apt:
      return "apt-get update && apt-get install -y --no-install-recommends " + p + " && rm -rf /var/lib/apt/lists/*";
    case PackageManager::Apk: return "apk add --no-cache " + p;
    case PackageManager::Dnf: return "dnf install -y " + p + " && dnf clean all";
    case PackageManager::Microdnf: return "microdnf install -y " + p + " && microdnf clean all";
    case PackageManager::Yum: return "yum install -y " + p + " && yum clean all";
    case PackageManager::Tdnf: return "tdnf install -y " + p + " && tdnf clean all";
    case PackageManager::Zypper: return "zypper --non-interactive install " + p + " && zypper clean --all";
    case PackageManager::None:
    case PackageManager::Unknown: break;
  }
  return {};
}

}  // namespace dockmend::model
