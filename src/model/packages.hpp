// Package managers as rules use them: which program is which manager, the
// package installs of RUN scripts (apt-get/apt install, apk add, dnf/yum/
// microdnf/tdnf/zypper install) with their package words, the manager a stage
// would install with, and the RUN line that installs packages with it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/model.hpp"

namespace dockmend::model {

// The manager a program is ("apt-get", "apt", "aptitude" -> Apt, ...), else Unknown.
PackageManager manager_of_program(std::string_view program);
// The program that runs the manager: "apt-get", "apk", "dnf", ...; "unknown" for None and Unknown.
const char* package_command(PackageManager pm);

struct PackageInstall {
  const Run* run = nullptr;
  std::size_t command = 0;  // index in run->script.commands
  PackageManager manager = PackageManager::Unknown;
  std::vector<std::size_t> packages;  // word indexes of the package operands
};
// The package installs of `runs` (parsed ones), in order.
std::vector<PackageInstall> package_installs(const std::vector<const Run*>& runs);

// The manager a step added to `stage` would install with: the one the first
// package command of the stage's chain runs (the root first), else the one the
// chain root's base image implies (guessed), else the first the file runs;
// apt-get when nothing says (guessed). None for an image without one (scratch,
// distroless, busybox, Windows), whatever other stages run.
PackageManager installing_manager(const Model& model, std::int32_t stage, bool* guessed = nullptr);

// A RUN line's command installing `packages` with `pm`, cleaning its caches ("" for None/Unknown).
std::string install_command(PackageManager pm, const std::vector<std::string>& packages);

}  // namespace dockmend::model
