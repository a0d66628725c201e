// Views of a tree for people and tools: buildkit's node dump, and stable JSON.
#pragma once
#include <string>
#include "syntax/tree.hpp"

namespace dockmend::syntax {

// One line per instruction, exactly as buildkit's `Node.Dump()` prints it (its
// parser tests' `result` files), each line ending in "\n".
std::string dump_buildkit(const Tree& tree);
std::string dump_buildkit(const Instruction& inst);

// The tree as JSON (format documented in docs/json-dump.md).
std::string dump_json(const Tree& tree, std::string_view path);

// A JSON string literal (RFC 8259), invalid UTF-8 replaced with U+FFFD.
std::string json_quote(std::string_view s);

}  // namespace dockmend::syntax
