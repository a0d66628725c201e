#include "syntax/unicode.hpp"

#include <algorithm>
#include <iterator>

namespace dockmend::syntax::go {

namespace {
#include "syntax/unicode_tables.inc"

bool in_ranges(const char32_t (*first)[2], const char32_t (*last)[2], char32_t r) {
  // The first range whose end is not below r.
  const auto* it = std::lower_bound(first, last, r, [](const char32_t(&range)[2], char32_t v) { return range[1] < v; });
  return it != last && (*it)[0] <= r;
}
}  // namespace

char32_t to_lower(char32_t r) {
  if (r < 0x80) return (r >= 'A' && r <= 'Z') ? r + ('a' - 'A') : r;
  const auto* end = std::end(k_lower_runs);
  const auto* it = std::lower_bound(std::begin(k_lower_runs), end, r,
                                    [](const LowerRun& run, char32_t v) { return run.last < v; });
  if (it == end || r < it->first || (r - it->first) % it->stride != 0) return r;
  return static_cast<char32_t>(static_cast<std::int32_t>(r) + it->delta);
}

bool is_letter(char32_t r) {
  if (r < 0x80) return (r | 0x20) >= 'a' && (r | 0x20) <= 'z';
  return in_ranges(std::begin(k_letter_ranges), std::end(k_letter_ranges), r);
}

bool is_digit(char32_t r) {
  if (r < 0x80) return r >= '0' && r <= '9';
  return in_ranges(std::begin(k_digit_ranges), std::end(k_digit_ranges), r);
}

std::string to_lower(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  const bool ascii = std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (ascii) {
    for (const char c : s) out.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c);
    return out;
  }
  for (std::size_t i = 0; i < s.size();) {
    const Rune r = decode_rune(s, i);
    append_utf8(out, to_lower(r.value));  // an invalid byte decodes as U+FFFD, written as such
    i += r.width;
  }
  return out;
}

Rune decode_multibyte_rune(std::string_view s, std::size_t pos) {
  const auto b0 = static_cast<unsigned char>(s[pos]);
  const std::size_t left = s.size() - pos;
  auto cont = [&](std::size_t i) { return i < left && (static_cast<unsigned char>(s[pos + i]) & 0xC0) == 0x80; };
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[pos + i]); };
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    if (!cont(1)) return {k_rune_error, 1};
    return {static_cast<char32_t>(((b0 & 0x1F) << 6) | (byte(1) & 0x3F)), 2};
  }
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (!cont(1) || !cont(2)) return {k_rune_error, 1};
    const unsigned b1 = byte(1);
    if (b0 == 0xE0 && b1 < 0xA0) return {k_rune_error, 1};   // overlong
    if (b0 == 0xED && b1 > 0x9F) return {k_rune_error, 1};   // surrogate
    return {static_cast<char32_t>(((b0 & 0x0F) << 12) | ((b1 & 0x3F) << 6) | (byte(2) & 0x3F)), 3};
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return {k_rune_error, 1};
    const unsigned b1 = byte(1);
    if (b0 == 0xF0 && b1 < 0x90) return {k_rune_error, 1};
    if (b0 == 0xF4 && b1 > 0x8F) return {k_rune_error, 1};
    return {static_cast<char32_t>(((b0 & 0x07) << 18) | ((b1 & 0x3F) << 12) | ((byte(2) & 0x3F) << 6) |
                                  (byte(3) & 0x3F)),
            4};
  }
  return {k_rune_error, 1};
}

Rune decode_last_rune(std::string_view s, std::size_t end) {
  // Go's DecodeLastRune: look back at most 4 bytes for a rune start.
  if (end == 0) return {k_rune_error, 0};
  const auto last = static_cast<unsigned char>(s[end - 1]);
  if (last < 0x80) return {last, 1};
  const std::size_t lim = end >= 4 ? end - 4 : 0;
  std::size_t start = end - 1;
  while (start > lim && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
  Rune r = decode_rune(s.substr(0, end), start);
  if (start + r.width != end) return {k_rune_error, 1};
  return r;
}

bool is_non_ascii_space(char32_t r) {
  if (r <= 0xFF) {
    switch (r) {
      case '\t': case '\n': case '\v': case '\f': case '\r': case ' ': case 0x85: case 0xA0:
        return true;
      default:
        return false;
    }
  }
  return r == 0x1680 || (r >= 0x2000 && r <= 0x200A) || r == 0x2028 || r == 0x2029 || r == 0x202F ||
         r == 0x205F || r == 0x3000;
}

void append_multibyte_utf8(std::string& out, char32_t r) {
  if (r < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (r >> 6)));
    out.push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else if (r < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (r >> 12)));
    out.push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (r >> 18)));
    out.push_back(static_cast<char>(0x80 | ((r >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (r & 0x3F)));
  }
}

std::size_t trim_left_space_from(std::string_view s, std::size_t begin, std::size_t end) {
  std::string_view v = s.substr(0, end);
  while (begin < end) {
    const auto c = static_cast<unsigned char>(s[begin]);
    if (c < 0x80) {  // the common case: no rune to decode
      if (!is_space(c)) break;
      ++begin;
      continue;
    }
    Rune r = decode_rune(v, begin);
    if (!is_space(r.value) || (r.value == k_rune_error && r.width == 1)) break;
    begin += r.width;
  }
  return begin;
}

std::size_t trim_right_space_from(std::string_view s, std::size_t begin, std::size_t end) {
  while (end > begin) {
    const auto c = static_cast<unsigned char>(s[end - 1]);
    if (c < 0x80) {  // an ASCII byte is a whole rune
      if (!is_space(c)) break;
      --end;
      continue;
    }
    Rune r = decode_last_rune(s.substr(begin, end - begin), end - begin);
    if (!is_space(r.value)) break;
    end -= r.width;
  }
  return end;
}

namespace {
// unicode.IsPrint for runes >= 0x80, close enough for the code points that
// Dockerfiles contain: separators, controls, format characters and private use
// are not printable.
bool is_print(char32_t r) {
  if (r < 0xA0) return false;
  if (r == 0xAD) return false;
  if (r == 0x1680 || (r >= 0x2000 && r <= 0x200F) || (r >= 0x2028 && r <= 0x202F) ||
      (r >= 0x205F && r <= 0x206F) || r == 0x3000 || r == 0xFEFF)
    return false;
  if ((r >= 0x600 && r <= 0x605) || r == 0x61C || r == 0x6DD || r == 0x70F || r == 0x180E) return false;
  if ((r >= 0xD800 && r <= 0xDFFF) || (r >= 0xE000 && r <= 0xF8FF)) return false;
  if (r >= 0xFFF9 && r <= 0xFFFB) return false;
  if (r == 0xFFFE || r == 0xFFFF) return false;
  if (r >= 0xF0000) return false;
  if (r >= 0xE0000 && r <= 0xE007F) return false;
  return true;
}
const char k_hex[] = "0123456789abcdef";
}  // namespace

std::string quote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      switch (c) {
        case '\a': out += "\\a"; continue;
        case '\b': out += "\\b"; continue;
        case '\f': out += "\\f"; continue;
        case '\n': out += "\\n"; continue;
        case '\r': out += "\\r"; continue;
        case '\t': out += "\\t"; continue;
        case '\v': out += "\\v"; continue;
        case '\\': out += "\\\\"; continue;
        case '"': out += "\\\""; continue;
        default: break;
      }
      if (c < 0x20 || c == 0x7F) {
        out += "\\x";
        out.push_back(k_hex[c >> 4]);
        out.push_back(k_hex[c & 15]);
      } else {
        out.push_back(static_cast<char>(c));
      }
      continue;
    }
    Rune r = decode_rune(s, i);
    if (r.value == k_rune_error && r.width == 1) {
      out += "\\x";
      out.push_back(k_hex[c >> 4]);
      out.push_back(k_hex[c & 15]);
      i += 1;
      continue;
    }
    if (is_print(r.value)) {
      out.append(s.substr(i, r.width));
    } else if (r.value < 0x10000) {
      out += "\\u";
      for (int sh = 12; sh >= 0; sh -= 4) out.push_back(k_hex[(r.value >> sh) & 15]);
    } else {
      out += "\\U";
      for (int sh = 28; sh >= 0; sh -= 4) out.push_back(k_hex[(r.value >> sh) & 15]);
    }
    i += r.width;
  }
  out.push_back('"');
  return out;
}

std::string latin1_to_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (unsigned char c : bytes) append_utf8(out, c);
  return out;
}

}  // namespace dockmend::syntax::go
