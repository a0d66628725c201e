// Shared by the fuzz targets: failing loudly, and checking that text is JSON.
// A target states a property of dockmend on any input; when it does not hold the
// target prints what broke and aborts, which libFuzzer (or the replay test)
// reports as a crash with the input that caused it.
#pragma once
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

// The JSON checker is the harness's own code: fuzzing should be guided by what
// dockmend does, not by the shape of the JSON it wrote, and coverage hooks on
// every byte the checker compares made it a quarter of fuzz_fix's time (perf).
// It is still built with the sanitizers. Clang has no_sanitize("coverage")
// since version 13; elsewhere this is empty.
#if defined(__clang__) && __clang_major__ >= 13
#define DOCKMEND_FUZZ_NO_COVERAGE __attribute__((no_sanitize("coverage")))
#else
#define DOCKMEND_FUZZ_NO_COVERAGE
#endif

namespace dockmend::fuzz {

[[noreturn]] inline void fail(std::string_view what, std::string_view detail = {}) {
  std::fprintf(stderr, "fuzz property broken: %.*s\n", static_cast<int>(what.size()), what.data());
  if (!detail.empty()) {
    // Enough to see the problem without flooding the log with a 64 KB input.
    const std::size_t n = detail.size() < 2000 ? detail.size() : 2000;
    std::fprintf(stderr, "%.*s\n", static_cast<int>(n), detail.data());
  }
  std::abort();
}

// The lines where `a` and `b` differ (common leading and trailing lines cut),
// to show what a second fix changed without printing two whole files.
inline std::string changed_lines(std::string_view a, std::string_view b) {
  auto lines = [](std::string_view s) {
    std::vector<std::string_view> out;
    while (!s.empty()) {
      const auto nl = s.find('\n');
      out.push_back(s.substr(0, nl == std::string_view::npos ? s.size() : nl + 1));
      s.remove_prefix(out.back().size());
    }
    return out;
  };
  const auto la = lines(a), lb = lines(b);
  std::size_t head = 0, tail = 0;
  while (head < la.size() && head < lb.size() && la[head] == lb[head]) ++head;
  while (tail < la.size() - head && tail < lb.size() - head && la[la.size() - 1 - tail] == lb[lb.size() - 1 - tail])
    ++tail;
  std::string out = "@@ line " + std::to_string(head + 1) + "\n";
  for (std::size_t i = head; i < la.size() - tail; ++i) out += "-" + std::string(la[i]);
  for (std::size_t i = head; i < lb.size() - tail; ++i) out += "+" + std::string(lb[i]);
  return out;
}

inline void require(bool ok, std::string_view what, std::string_view detail = {}) {
  if (!ok) fail(what, detail);
}

// RFC 8259 JSON text, strictly (UTF-8 checked too). Returns the offset of the
// first problem, or npos when `s` is one valid JSON value.
class JsonChecker {
 public:
  explicit JsonChecker(std::string_view s) : m_s(s) {}

  DOCKMEND_FUZZ_NO_COVERAGE std::size_t check() {
    skip_ws();
    if (!value(0)) return m_pos;
    skip_ws();
    return m_pos == m_s.size() ? std::string_view::npos : m_pos;
  }

 private:
  static constexpr int k_max_depth = 512;

  DOCKMEND_FUZZ_NO_COVERAGE bool at_end() const { return m_pos >= m_s.size(); }
  DOCKMEND_FUZZ_NO_COVERAGE unsigned char peek() const { return static_cast<unsigned char>(m_s[m_pos]); }
  DOCKMEND_FUZZ_NO_COVERAGE void skip_ws() {
    while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r')) ++m_pos;
  }
  DOCKMEND_FUZZ_NO_COVERAGE bool literal(std::string_view word) {
    if (m_s.substr(m_pos, word.size()) != word) return false;
    m_pos += word.size();
    return true;
  }
  DOCKMEND_FUZZ_NO_COVERAGE bool value(int depth) {
    if (at_end() || depth > k_max_depth) return false;
    switch (peek()) {
      case '{': return object(depth);
      case '[': return array(depth);
      case '"': return string();
      case 't': return literal("true");
      case 'f': return literal("false");
      case 'n': return literal("null");
      default: return number();
    }
  }
  DOCKMEND_FUZZ_NO_COVERAGE bool object(int depth) {
    ++m_pos;
    skip_ws();
    if (!at_end() && peek() == '}') return ++m_pos, true;
    for (;;) {
      skip_ws();
      if (at_end() || peek() != '"' || !string()) return false;
      skip_ws();
      if (at_end() || peek() != ':') return false;
      ++m_pos;
      skip_ws();
      if (!value(depth + 1)) return false;
      skip_ws();
      if (at_end()) return false;
      if (peek() == '}') return ++m_pos, true;
      if (peek() != ',') return false;
      ++m_pos;
    }
  }
  DOCKMEND_FUZZ_NO_COVERAGE bool array(int depth) {
    ++m_pos;
    skip_ws();
    if (!at_end() && peek() == ']') return ++m_pos, true;
    for (;;) {
      skip_ws();
      if (!value(depth + 1)) return false;
      skip_ws();
      if (at_end()) return false;
      if (peek() == ']') return ++m_pos, true;
      if (peek() != ',') return false;
      ++m_pos;
    }
  }
  DOCKMEND_FUZZ_NO_COVERAGE bool digits() {
    const std::size_t start = m_pos;
    while (!at_end() && peek() >= '0' && peek() <= '9') ++m_pos;
    return m_pos > start;
  }
  DOCKMEND_FUZZ_NO_COVERAGE bool number() {
    if (!at_end() && peek() == '-') ++m_pos;
    if (at_end()) return false;
    if (peek() == '0') ++m_pos;
    else if (!digits()) return false;
    if (!at_end() && peek() == '.') {
      ++m_pos;
      if (!digits()) return false;
    }
    if (!at_end() && (peek() == 'e' || peek() == 'E')) {
      ++m_pos;
      if (!at_end() && (peek() == '+' || peek() == '-')) ++m_pos;
      if (!digits()) return false;
    }
    return true;
  }
  DOCKMEND_FUZZ_NO_COVERAGE bool hex4() {
    for (int i = 0; i < 4; ++i, ++m_pos)
      if (at_end() || !std::isxdigit(peek())) return false;
    return true;
  }
  // One UTF-8 sequence (shortest form, no surrogates, at most U+10FFFF).
  DOCKMEND_FUZZ_NO_COVERAGE bool utf8() {
    const unsigned char c = peek();
    int len = 0;
    std::uint32_t cp = 0, min = 0;
    if (c >= 0xC2 && c <= 0xDF) len = 2, cp = c & 0x1F, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF) len = 3, cp = c & 0x0F, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4) len = 4, cp = c & 0x07, min = 0x10000;
    else return false;
    for (int i = 1; i < len; ++i) {
      if (m_pos + i >= m_s.size()) return false;
      const auto cc = static_cast<unsigned char>(m_s[m_pos + i]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    m_pos += len;
    return true;
  }
  DOCKMEND_FUZZ_NO_COVERAGE bool string() {
    ++m_pos;
    while (!at_end()) {
      const unsigned char c = peek();
      if (c == '"') return ++m_pos, true;
      if (c < 0x20) return false;
      if (c == '\\') {
        ++m_pos;
        if (at_end()) return false;
        const unsigned char e = peek();
        if (e == 'u') {
          ++m_pos;
          if (!hex4()) return false;
        } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' || e == 't') {
          ++m_pos;
        } else {
          return false;
        }
      } else if (c < 0x80) {
        ++m_pos;
      } else if (!utf8()) {
        return false;
      }
    }
    return false;
  }

  std::string_view m_s;
  std::size_t m_pos = 0;
};

DOCKMEND_FUZZ_NO_COVERAGE inline void require_json(std::string_view text, std::string_view what) {
  const std::size_t bad = JsonChecker(text).check();
  if (bad == std::string_view::npos) return;
  const std::size_t from = bad < 80 ? 0 : bad - 80;
  fail(what, "invalid JSON at byte " + std::to_string(bad) + ": ..." + std::string(text.substr(from, 160)));
}

}  // namespace dockmend::fuzz
