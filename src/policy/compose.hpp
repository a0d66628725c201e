// Policies in a repository: several dockmend.yaml files (nested, as ruff finds
// ruff.toml) and the files they extend, turned into one Policy per directory.
//
// The engine sees every path relative to the repository root. A policy's own
// paths are relative to its directory, so each loaded policy is rebased:
// its services' dockerfiles, machine.profile_source and exclude globs get the
// policy directory's path inside the repository as a prefix. A policy outside
// the repository (an organisation file given with --policy or reached by
// `extends:`) is read as if it were at the repository root.
#pragma once

#include <string>
#include <string_view>

#include "policy/policy.hpp"

namespace dockmend::policy {

// Prefixes the policy's paths with `dir` (relative to the repository root, ""
// for the root itself, no trailing slash): services' dockerfile and context,
// machine.profile_source, and the base of the exclude globs.
void rebase(Policy& policy, std::string_view dir);

// `child` over `parent` (both rebased): the child's sections are merged over
// the parent's defaults key by key (as a service's over the defaults), its
// services are added (a service of the same name, or one naming the same
// Dockerfile, replaces the parent's), its rule settings take precedence,
// exclude globs add up, `defaults.ports` and `fail_on` are the parent's unless
// the child sets them, and either's `extends: default` holds for the result.
// The result keeps the child's path and directory.
Policy inherit(Policy child, const Policy& parent);

}  // namespace dockmend::policy
