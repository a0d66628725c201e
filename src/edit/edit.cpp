#include "edit/edit.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace dockmend::edit {

std::string Conflict::message() const {
  return fmt::format("{} (bytes {}-{}) overlaps {} (bytes {}-{})", rule, range.begin, range.end, other_rule,
                     other_range.begin, other_range.end);
}

bool overlaps(const Edit& a, const Edit& b) {
  const bool a_ins = a.range.empty();
  const bool b_ins = b.range.empty();
  if (a_ins && b_ins) return a.range.begin == b.range.begin;
  if (a_ins) return a.range.begin > b.range.begin && a.range.begin < b.range.end;
  if (b_ins) return b.range.begin > a.range.begin && b.range.begin < a.range.end;
  return a.range.begin < b.range.end && b.range.begin < a.range.end;
}

namespace {
bool before(const Edit& a, const Edit& b) {
  if (a.range.begin != b.range.begin) return a.range.begin < b.range.begin;
  // An insertion at p goes before a replacement starting at p.
  return a.range.end < b.range.end;
}
}  // namespace

bool EditSet::add(const Fix& fix) {
  std::vector<const Edit*> fresh;
  for (const auto& e : fix.edits) {
    bool duplicate = false;
    for (const auto& have : m_edits) {
      if (have.edit == e) {
        duplicate = true;
        break;
      }
      if (overlaps(have.edit, e)) {
        m_conflicts.push_back({fix.rule, e.range, have.rule, have.edit.range});
        return false;
      }
    }
    // Edits inside one fix must not overlap each other either.
    for (const Edit* f : fresh) {
      if (*f == e) {
        duplicate = true;
        break;
      }
      if (overlaps(*f, e)) {
        m_conflicts.push_back({fix.rule, e.range, fix.rule, f->range});
        return false;
      }
    }
    if (!duplicate) fresh.push_back(&e);
  }
  for (const Edit* e : fresh) {
    TaggedEdit t{*e, fix.rule, fix.reason};
    auto pos = std::upper_bound(m_edits.begin(), m_edits.end(), t,
                                [](const TaggedEdit& a, const TaggedEdit& b) { return before(a.edit, b.edit); });
    m_edits.insert(pos, std::move(t));
  }
  return true;
}

std::string EditSet::apply(std::string_view source) const {
  std::string out;
  out.reserve(source.size() + 256);
  std::size_t cursor = 0;
  for (const auto& t : m_edits) {
    const auto& r = t.edit.range;
    out.append(source.substr(cursor, r.begin - cursor));
    out.append(t.edit.text);
    cursor = r.end;
  }
  out.append(source.substr(cursor));
  return out;
}

}  // namespace dockmend::edit
