// Public door to the Spirit X3 grammar. Names no Boost type: only grammar/*.cpp
// include X3, so nothing else pays its compile time.
#pragma once
#include <cstdint>
#include <vector>

namespace dockmend::grammar {

// The bytes buildkit separates keyword and arguments with: space, \t, \v, \f, \r.
constexpr bool is_blank_byte(char c) { return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r'; }

// A JSON array as buildkit's `encoding/json` reads it: the whole range (after
// leading white space) must be exactly one array, with only JSON white space after.
enum class JsonStatus : std::uint8_t {
  Ok,         // an array of strings
  NotJson,    // not an array, or not valid JSON: buildkit falls back to shell form
  NonString,  // valid JSON array with a non-string element: buildkit rejects the line
};
struct JsonToken {
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
  bool is_string = false;  // a top-level element (string or not); otherwise `[`, `,` or `]`
};
struct JsonArray {
  JsonStatus status = JsonStatus::NotJson;
  std::vector<JsonToken> tokens;  // punctuation and top-level elements, in order (when status != NotJson)
};
// Fills `out` (its token vector is reused: a parse keeps one for every instruction).
void parse_json_array(const char* first, const char* last, JsonArray& out);

// `name = value` after the `#` of a parser directive: name is [A-Za-z][A-Za-z0-9]*,
// white space around `=` and after the value is not part of it.
struct DirectiveMatch {
  std::uint32_t key_begin = 0, key_end = 0, value_begin = 0, value_end = 0;
};
bool match_directive(const char* first, const char* last, DirectiveMatch& out);

// A heredoc word `^(\d*)<<(-?)([^<]*)$`.
struct HeredocWord {
  std::uint32_t fd_end = 0;    // digits are [0, fd_end)
  bool chomp = false;          // `<<-`
  std::uint32_t rest_begin = 0; // the delimiter word (may be quoted) is [rest_begin, end)
};
bool match_heredoc_word(const char* first, const char* last, HeredocWord& out);

}  // namespace dockmend::grammar
