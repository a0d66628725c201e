// Edits: byte ranges of the original buffer to replace, tagged with the rule
// that asked for them. A Fix is all-or-nothing; an EditSet keeps edits sorted,
// merges identical ones, refuses overlaps (naming both sides) and applies them
// in one pass, as clang's tooling::Replacements does.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "syntax/tree.hpp"

namespace dockmend::edit {

using syntax::Span;

struct Edit {
  Span range;        // bytes of the original to replace ([p, p) inserts at p)
  std::string text;  // what replaces them
  bool operator==(const Edit& o) const { return range == o.range && text == o.text; }
};

struct Fix {
  std::string rule;    // the rule id that made it
  std::string reason;  // one line: what it does
  std::vector<Edit> edits;
};

struct TaggedEdit {
  Edit edit;
  std::string rule;
  std::string reason;
};

struct Conflict {
  std::string rule;            // the fix that was refused
  Span range;                  // its edit that overlaps
  std::string other_rule;      // the fix already in the set
  Span other_range;
  std::string message() const;  // "rule A (bytes 10-20) overlaps rule B (bytes 15-18)"
};

class EditSet {
 public:
  // Adds every edit of `fix`, or none of them when one overlaps an edit already
  // in the set (identical edits merge). Returns false and records the conflict.
  bool add(const Fix& fix);
  bool empty() const { return m_edits.empty(); }
  const std::vector<TaggedEdit>& edits() const { return m_edits; }  // sorted by position
  const std::vector<Conflict>& conflicts() const { return m_conflicts; }
  // The new text: `source` with every edit applied.
  std::string apply(std::string_view source) const;

 private:
  std::vector<TaggedEdit> m_edits;
  std::vector<Conflict> m_conflicts;
};

// True when the two edits cannot both apply: their ranges share a byte, an
// insertion falls strictly inside a replaced range, or two different
// insertions land on one offset (their order would be arbitrary).
bool overlaps(const Edit& a, const Edit& b);

}  // namespace dockmend::edit
