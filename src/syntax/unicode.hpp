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
// The parser calls these once per byte; ASCII, nearly every byte, stays inline.
Rune decode_multibyte_rune(std::string_view s, std::size_t pos);  // s[pos] >= 0x80
inline Rune decode_rune(std::string_view s, std::size_t pos) {
  const auto b0 = static_cast<unsigned char>(s[pos]);
  if (b0 < 0x80) return {b0, 1};
  return decode_multibyte_rune(s, pos);
}
// The last rune ending at s[end).
Rune decode_last_rune(std::string_view s, std::size_t end);

bool is_non_ascii_space(char32_t r);
inline bool is_space(char32_t r) {  // unicode.IsSpace
  if (r < 0x80) return r == ' ' || (r >= '\t' && r <= '\r');
  return is_non_ascii_space(r);
}
void append_multibyte_utf8(std::string& out, char32_t r);  // r >= 0x80
inline void append_utf8(std::string& out, char32_t r) {
  if (r < 0x80) out.push_back(static_cast<char>(r));
  else append_multibyte_utf8(out, r);
}

// First non-space of s[begin, end) and one past the last. Inline over ASCII
// (the parser trims every line; most start with a non-space or a few blanks),
// the rest out of line.
std::size_t trim_left_space_from(std::string_view s, std::size_t begin, std::size_t end);  // s[begin] >= 0x80
std::size_t trim_right_space_from(std::string_view s, std::size_t begin, std::size_t end);  // s[end-1] >= 0x80
inline std::size_t trim_left_space(std::string_view s, std::size_t begin, std::size_t end) {
  while (begin < end) {
    const auto c = static_cast<unsigned char>(s[begin]);
    if (c >= 0x80) return trim_left_space_from(s, begin, end);
    if (!(c == ' ' || (c >= '\t' && c <= '\r'))) break;
    ++begin;
  }
  return begin;
}
inline std::size_t trim_right_space(std::string_view s, std::size_t begin, std::size_t end) {
  while (end > begin) {
    const auto c = static_cast<unsigned char>(s[end - 1]);
    if (c >= 0x80) return trim_right_space_from(s, begin, end);
    if (!(c == ' ' || (c >= '\t' && c <= '\r'))) break;
    --end;
  }
  return end;
}

// unicode.ToLower (simple case mapping), unicode.IsLetter and unicode.IsDigit;
// the tables (src/syntax/unicode_tables.inc) are from scripts/gen-unicode-tables.
char32_t to_lower(char32_t r);
bool is_letter(char32_t r);
bool is_digit(char32_t r);

// strings.ToLower: ASCII bytes only when every byte is ASCII; otherwise each rune
// through unicode.ToLower and each byte that is not UTF-8 becomes U+FFFD.
std::string to_lower(std::string_view s);

// strconv.Quote
std::string quote(std::string_view s);
// Each byte taken as a Latin-1 rune (Go's rune(line[pos])), then quoted.
std::string latin1_to_utf8(std::string_view bytes);

}  // namespace dockmend::syntax::go
