// The few text helpers rules and the model share (ASCII only: Dockerfile
// keywords, image names, program names, paths). One definition each.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace dockmend::model {

inline char lower_char(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

inline std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower_char(c);
  return out;
}

inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower_char(a[i]) != lower_char(b[i])) return false;
  return true;
}

inline bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

inline bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

inline bool icontains(std::string_view haystack, std::string_view needle) {
  return lower(haystack).find(lower(needle)) != std::string::npos;
}

inline std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += separator;
    out += items[i];
  }
  return out;
}

// "a/b/c" -> "c"; "a/b/" -> "b".
inline std::string_view basename(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  const auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// Removes "./" parts and duplicate slashes, lexically: keeps a leading "/" and
// "..", and "." for an empty path ("./a//b/" -> "a/b").
inline std::string normalize_path(std::string_view path) {
  std::string out;
  std::size_t i = 0;
  if (!path.empty() && path[0] == '/') out = "/";
  while (i < path.size()) {
    std::size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    const auto part = path.substr(i, j - i);
    if (!part.empty() && part != ".") {
      if (!out.empty() && out.back() != '/') out += '/';
      out += part;
    }
    i = j + 1;
  }
  if (out.empty()) out = ".";
  return out;
}

// Whether `word` occurs in `text` delimited by characters that cannot be part
// of a file or package name ("tini" in "apt-get install tini", not in "tinix").
inline bool contains_token(std::string_view text, std::string_view word) {
  auto name_char = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  };
  for (std::size_t at = text.find(word); at != std::string_view::npos; at = text.find(word, at + 1)) {
    const bool left = at == 0 || !name_char(text[at - 1]);
    const std::size_t end = at + word.size();
    const bool right = end >= text.size() || !name_char(text[end]);
    if (left && right) return true;
  }
  return false;
}

}  // namespace dockmend::model
