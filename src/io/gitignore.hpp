#pragma once
// Git-compatible glob matching and .gitignore rules, for walking trees that are
// not git work trees (inside one, discover() asks git itself).

#include <string>
#include <string_view>
#include <vector>

namespace dockmend::io {

// Git's wildmatch with WM_PATHNAME: `*` and `?` never match '/', `[...]` classes
// (with `!`/`^` negation, ranges and [:alpha:]-style names), `\` escapes, and
// `**` between slashes (or at either end) matches across directories:
// "**/x", "a/**", "a/**/b" (zero or more directories).
bool wildmatch(std::string_view pattern, std::string_view text);

// One .gitignore file: its patterns, relative to the directory holding it.
class IgnoreFile {
 public:
  // `base` is that directory relative to the walk root ("" for the root itself),
  // `contents` the file's text (comments, blank lines, "\ " and "\#" escapes,
  // trailing spaces, CRLF and a UTF-8 BOM are handled like git).
  IgnoreFile(std::string base, std::string_view contents);

  enum class Verdict { none, ignored, included };
  // Verdict of the last pattern that matches `path` (relative to the walk root,
  // below `base`), or none.
  Verdict match(std::string_view path, bool is_dir) const;

  const std::string& base() const { return base_; }

 private:
  struct Pattern {
    std::string glob;
    bool negated = false;
    bool dir_only = false;
    bool basename_only = false;  // no slash in the pattern: matches at any depth
  };
  std::string base_;
  std::vector<Pattern> patterns_;
};

// The .gitignore files that apply at one point of a walk, outermost first.
class IgnoreStack {
 public:
  void push(IgnoreFile file) { files_.push_back(std::move(file)); }
  void pop() { files_.pop_back(); }
  // Deeper files override shallower ones, as in git.
  bool ignored(std::string_view path, bool is_dir) const;

 private:
  std::vector<IgnoreFile> files_;
};

}  // namespace dockmend::io
