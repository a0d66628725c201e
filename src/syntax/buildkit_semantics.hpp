// buildkit's reading of one instruction's logical text: splitCommand,
// extractBuilderFlags and the per-keyword line parsers, with positions kept.
#pragma once
#include <string>
#include <vector>
#include "grammar/grammar.hpp"
#include "syntax/tree.hpp"

namespace dockmend::syntax::detail {

struct SemanticsError {
  std::string message;
  std::uint32_t logical = 0;  // where in the logical text it points
};

// A word as buildkit's parseWords returns it, and where it stands.
struct RawWord {
  std::string_view value;  // a view of the logical text, or of the Storage where they differ
  Span span;
};

// Where read_instruction puts what it reads: the tree's Storage, and lists it
// fills before copying them there (kept between instructions, and by the parser
// between parses, so that reading allocates only what the tree keeps).
struct Builder {
  Storage* store = nullptr;
  std::vector<Value> values;
  std::vector<Flag> flags;
  std::vector<RawWord> words;
  std::string word;
  grammar::JsonArray json;
};

// Fills keyword, flags, args, form and values (and `sub` for ONBUILD) of `out`
// from out.logical.text[begin, end). Returns false and sets `error` where
// buildkit's parser rejects the line.
bool read_instruction(Instruction& out, std::uint32_t begin, std::uint32_t end, char escape, Builder& builder,
                      SemanticsError& error);

// Heredoc words of an instruction's logical line, as buildkit finds them, into
// `out` (their names in `store`). Returns false with `error` where buildkit's
// parser rejects the line (a delimiter its shell lexer cannot read on its own).
bool find_heredocs(std::string_view logical, Storage& store, std::vector<Heredoc>& out, std::string& error);

// Decodes a JSON string token (quotes included) as Go's encoding/json does.
std::string decode_json_string(std::string_view token);

}  // namespace dockmend::syntax::detail
