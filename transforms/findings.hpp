// How a rule words what it found (at a command of a RUN, model::Run, or
// anywhere with the usual fields; the stage it is in; the policy refs it
// cites), and how it says whether it applied: one place for every rule.
#pragma once
#include <string>
#include <cstdint>
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

// A finding with the usual fields.
Finding finding(std::string message, syntax::Span at, std::string current, std::string expected, std::string ref);

// "stage NAME", "the runtime stage" (the shipped one) or "stage #K", for messages.
std::string stage_label(const model::Model& model, std::int32_t stage);

// The non-empty policy refs, each once, joined with ", ".
std::string join_refs(const std::vector<std::string>& refs);

// Sets `applicable` and, when it applied and nothing was found, what is right.
void conclude(Outcome& out, bool applicable, std::string_view correct);

// Whether a policy rule checks this file: the policy asks for it here (`asked`)
// and the file has a FROM. Marks the outcome not applicable otherwise.
bool policy_rule_applies(bool asked, const Context& ctx, Outcome& out);

}  // namespace dockmend::transforms
