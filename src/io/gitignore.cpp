#include "io/gitignore.hpp"

#include <cctype>
#include <cstring>

namespace dockmend::io {
namespace {

// A port of git's wildmatch.c (dowild) with WM_PATHNAME always on, on string
// views instead of NUL-terminated strings; the abort codes prune the backtracking
// exactly as git does, so matching stays linear-ish on hostile patterns.
enum class Wild { match, no_match, abort_all, abort_to_starstar };

bool is_glob_special(unsigned char c) { return c == '*' || c == '?' || c == '[' || c == '\\'; }

bool class_matches(std::string_view name, unsigned char c) {
  if (name == "alnum") return std::isalnum(c) != 0;
  if (name == "alpha") return std::isalpha(c) != 0;
  if (name == "blank") return c == ' ' || c == '\t';
  if (name == "cntrl") return std::iscntrl(c) != 0;
  if (name == "digit") return std::isdigit(c) != 0;
  if (name == "graph") return std::isgraph(c) != 0;
  if (name == "lower") return std::islower(c) != 0;
  if (name == "print") return std::isprint(c) != 0;
  if (name == "punct") return std::ispunct(c) != 0;
  if (name == "space") return std::isspace(c) != 0;
  if (name == "upper") return std::isupper(c) != 0;
  if (name == "xdigit") return std::isxdigit(c) != 0;
  return false;
}

bool known_class(std::string_view name) {
  static const char* const k_names[] = {"alnum", "alpha", "blank", "cntrl", "digit", "graph",
                                        "lower", "print", "punct", "space", "upper", "xdigit"};
  for (const char* known : k_names) {
    if (name == known) return true;
  }
  return false;
}

Wild dowild(std::string_view pat, std::size_t p, std::string_view text, std::size_t t) {
  auto pc = [&](std::size_t i) -> unsigned char { return i < pat.size() ? static_cast<unsigned char>(pat[i]) : 0; };
  auto tc = [&](std::size_t i) -> unsigned char { return i < text.size() ? static_cast<unsigned char>(text[i]) : 0; };

  for (; p < pat.size(); ++t, ++p) {
    unsigned char p_ch = pc(p);
    unsigned char t_ch = tc(t);
    if (t >= text.size() && p_ch != '*') return Wild::abort_all;
    switch (p_ch) {
      case '\\':
        // Literal match with the next character.
        p_ch = pc(++p);
        if (t_ch != p_ch) return Wild::no_match;
        continue;
      default:
        if (t_ch != p_ch) return Wild::no_match;
        continue;
      case '?':
        if (t_ch == '/') return Wild::no_match;
        continue;
      case '*': {
        const std::size_t star = p;
        bool match_slash = false;
        if (pc(++p) == '*') {
          while (pc(++p) == '*') {
          }
          const bool starts_segment = star == 0 || pat[star - 1] == '/';
          const bool ends_segment = p >= pat.size() || pc(p) == '/' || (pc(p) == '\\' && pc(p + 1) == '/');
          if (starts_segment && ends_segment) {
            // "a/**/b" also matches "a/b": try "**/" as matching nothing first.
            if (pc(p) == '/' && dowild(pat, p + 1, text, t) == Wild::match) return Wild::match;
            match_slash = true;
          }
        }
        if (p >= pat.size()) {
          // Trailing "**" matches everything, a trailing "*" only within one segment.
          if (!match_slash && text.find('/', t) != std::string_view::npos) return Wild::no_match;
          return Wild::match;
        }
        if (!match_slash && pc(p) == '/') {
          // A single star before a slash consumes the rest of this segment.
          const std::size_t slash = text.find('/', t);
          if (slash == std::string_view::npos) return Wild::no_match;
          t = slash;
          break;  // the loop increment steps over the slash on both sides
        }
        for (;;) {
          if (t >= text.size()) break;
          if (!is_glob_special(pc(p))) {
            // Skip quickly to the next occurrence of the literal after the star.
            p_ch = pc(p);
            while (t < text.size() && (match_slash || text[t] != '/')) {
              if (static_cast<unsigned char>(text[t]) == p_ch) break;
              ++t;
            }
            t_ch = tc(t);
            if (t >= text.size() || t_ch != p_ch) return Wild::no_match;
          }
          const Wild matched = dowild(pat, p, text, t);
          if (matched != Wild::no_match) {
            if (!match_slash || matched != Wild::abort_to_starstar) return matched;
          } else if (!match_slash && t_ch == '/') {
            return Wild::abort_to_starstar;
          }
          t_ch = tc(++t);
        }
        return Wild::abort_all;
      }
      case '[': {
        p_ch = pc(++p);
        if (p_ch == '^') p_ch = '!';
        const bool negated = p_ch == '!';
        if (negated) p_ch = pc(++p);
        unsigned char prev_ch = 0;
        bool matched = false;
        do {
          if (p >= pat.size()) return Wild::abort_all;
          if (p_ch == '\\') {
            p_ch = pc(++p);
            if (p >= pat.size()) return Wild::abort_all;
            if (t_ch == p_ch) matched = true;
          } else if (p_ch == '-' && prev_ch != 0 && p + 1 < pat.size() && pc(p + 1) != ']') {
            p_ch = pc(++p);
            if (p_ch == '\\') {
              p_ch = pc(++p);
              if (p >= pat.size()) return Wild::abort_all;
            }
            if (t_ch <= p_ch && t_ch >= prev_ch) matched = true;
            p_ch = 0;  // so prev_ch becomes 0: "a-c-e" is not a range chain
          } else if (p_ch == '[' && pc(p + 1) == ':') {
            const std::size_t name_begin = p + 2;
            std::size_t q = name_begin;
            while (q < pat.size() && pat[q] != ']') ++q;
            if (q >= pat.size()) return Wild::abort_all;
            if (q == name_begin || pat[q - 1] != ':') {
              // No ":]": a plain '[' inside the set.
              if (t_ch == '[') matched = true;
            } else {
              const std::string_view name = pat.substr(name_begin, q - 1 - name_begin);
              if (!known_class(name)) return Wild::abort_all;
              if (class_matches(name, t_ch)) matched = true;
              p = q;
              p_ch = 0;
            }
          } else if (t_ch == p_ch) {
            matched = true;
          }
          prev_ch = p_ch;
          p_ch = pc(++p);
        } while (p < pat.size() && p_ch != ']');
        if (p >= pat.size()) return Wild::abort_all;
        if (matched == negated || t_ch == '/') return Wild::no_match;
        continue;
      }
    }
  }
  return t < text.size() ? Wild::no_match : Wild::match;
}

// git's trim_trailing_spaces: drop trailing blanks unless escaped with '\'.
std::string_view trim_trailing_spaces(std::string_view line) {
  std::size_t keep = line.size();
  while (keep > 0 && line[keep - 1] == ' ') {
    // Count the backslashes before this space: an odd number escapes it.
    std::size_t slashes = 0;
    while (slashes < keep - 1 && line[keep - 2 - slashes] == '\\') ++slashes;
    if (slashes % 2 == 1) break;
    --keep;
  }
  return line.substr(0, keep);
}

}  // namespace

bool wildmatch(std::string_view pattern, std::string_view text) {
  return dowild(pattern, 0, text, 0) == Wild::match;
}

IgnoreFile::IgnoreFile(std::string base, std::string_view contents) : base_(std::move(base)) {
  if (contents.substr(0, 3) == "\xEF\xBB\xBF") contents.remove_prefix(3);
  while (!contents.empty()) {
    const std::size_t nl = contents.find('\n');
    std::string_view line = contents.substr(0, nl);
    contents.remove_prefix(nl == std::string_view::npos ? contents.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    line = trim_trailing_spaces(line);
    Pattern pattern;
    if (!line.empty() && line.front() == '!') {
      pattern.negated = true;
      line.remove_prefix(1);
    }
    if (!line.empty() && line.back() == '/') {
      pattern.dir_only = true;
      line.remove_suffix(1);
    }
    if (line.empty()) continue;
    pattern.basename_only = line.find('/') == std::string_view::npos;
    // A leading slash only anchors the pattern to this directory.
    if (line.front() == '/') line.remove_prefix(1);
    pattern.glob = std::string(line);
    patterns_.push_back(std::move(pattern));
  }
}

IgnoreFile::Verdict IgnoreFile::match(std::string_view path, bool is_dir) const {
  std::string_view relative = path;
  if (!base_.empty()) {
    if (relative.size() <= base_.size() || relative.compare(0, base_.size(), base_) != 0 ||
        relative[base_.size()] != '/') {
      return Verdict::none;
    }
    relative.remove_prefix(base_.size() + 1);
  }
  const std::size_t slash = relative.rfind('/');
  const std::string_view basename = slash == std::string_view::npos ? relative : relative.substr(slash + 1);
  for (auto it = patterns_.rbegin(); it != patterns_.rend(); ++it) {
    if (it->dir_only && !is_dir) continue;
    if (wildmatch(it->glob, it->basename_only ? basename : relative)) {
      return it->negated ? Verdict::included : Verdict::ignored;
    }
  }
  return Verdict::none;
}

bool IgnoreStack::ignored(std::string_view path, bool is_dir) const {
  for (auto it = files_.rbegin(); it != files_.rend(); ++it) {
    const IgnoreFile::Verdict verdict = it->match(path, is_dir);
    if (verdict != IgnoreFile::Verdict::none) return verdict == IgnoreFile::Verdict::ignored;
  }
  return false;
}

}  // namespace dockmend::io
