#pragma once
// Unified diffs (`diff -u` / `git diff` format) between two texts.

#include <string>
#include <string_view>

namespace dockmend::diff {

struct DiffOptions {
  // Names printed on the `---` / `+++` lines, e.g. "a/svc/Dockerfile" and
  // "b/svc/Dockerfile"; use "/dev/null" for the side of a created or deleted file.
  std::string old_label = "a";
  std::string new_label = "b";
  // Unchanged lines shown around each change; negative values count as 0.
  int context = 3;
  // ANSI colours byte-for-byte as `git diff --color=always` (without whitespace
  // error highlighting): headers bold, hunk headers cyan, removals red, additions green.
  bool color = false;
};

// Returns the unified diff turning `old_text` into `new_text`, or "" when they are
// equal. Lines are compared with their line endings, so CRLF -> LF shows as a change,
// and lines are copied byte-exact (a CR stays in the output). A last line without a
// newline is followed by "\ No newline at end of file". The output is accepted by
// `patch -p1` and `git apply` when the labels carry a/ and b/ prefixes.
std::string unified_diff(std::string_view old_text, std::string_view new_text,
                         const DiffOptions& options = {});

}  // namespace dockmend::diff
