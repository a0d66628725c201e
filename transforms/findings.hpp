// How a rule words what it found at a command of a RUN (model::Run), and how
// it says whether it applied: one place for every rule.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "edit/edit.hpp"
#include "model/model.hpp"
#include "shell/shell.hpp"
#include "transforms/rule.hpp"

namespace dockmend::transforms {

// A finding at command `cmd` of a RUN (at its program word), with a fix made
// of `edits` (none: report only) and the command as `current`.
Finding command_finding(const syntax::Tree& tree, const model::Run& run, const shell::Command& cmd,
                        std::string message, std::string reason, std::vector<edit::Edit> edits);

// Sets `applicable` and, when it applied and nothing was found, what is right.
void conclude(Outcome& out, bool applicable, std::string_view correct);

}  // namespace dockmend::transforms
