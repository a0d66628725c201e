// buildkit's reading of one instruction's logical text: splitCommand,
// extractBuilderFlags and the per-keyword line parsers, with positions kept.
#pragma once
#include <string>
#include "syntax/tree.hpp"

namespace dockmend::syntax::detail {

struct SemanticsError {
  std::string message;
  std::uint32_t logical = 0;  // where in the logical text it points
};

// Fills keyword, flags, args, form and values (and `sub` for ONBUILD) of `out`
// from out.logical.text[begin, end). Returns false and sets `error` where
// buildkit's parser rejects the line.
bool read_instruction(Instruction& out, std::uint32_t begin, std::uint32_t end, char escape,
                      SemanticsError& error);

// Heredoc words of an instruction's logical line, as buildkit finds them.
std::vector<Heredoc> find_heredocs(std::string_view logical);

// Decodes a JSON string token (quotes included) as Go's encoding/json does.
std::string decode_json_string(std::string_view token);

}  // namespace dockmend::syntax::detail
