// Byte and rune helpers that reproduce Go's standard library, which buildkit's
// parser is written against (utf8.DecodeRune, unicode.IsSpace, strconv.Quote).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace dockmend::syntax::go {

constexpr char32_t k_rune_error = 0xFFFD;

// Decodes one rune at s[pos]; invalid or truncated input gives (U+FFFD, 1).
struct Rune {
  char32_t value;
  std::uint32_t width;
};
Rune decode_rune(std::string_view s, std::size_t pos);
// The last rune ending at s[end).
Rune decode_last_rune(std::string_view s, std::size_t end);

bool is_space(char32_t r);                 // unicode.IsSpace
void append_utf8(std::string& out, char32_t r);

std::size_t trim_left_space(std::string_view s, std::size_t begin, std::size_t end);   // first non-space
std::size_t trim_right_space(std::string_view s, std::size_t begin, std::size_t end);  // one past last non-space

// strconv.Quote
std::string quote(std::string_view s);
// Each byte taken as a Latin-1 rune (Go's rune(line[pos])), then quoted.
std::string latin1_to_utf8(std::string_view bytes);

}  // namespace dockmend::syntax::go
