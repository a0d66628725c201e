#include "diff/unified_diff.hpp"

#include <dtl/dtl.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <utility>
#include <vector>

namespace dockmend::diff {
namespace {

// Git's default colours (color.diff.meta / frag / old / new); context lines get no
// colour but git still ends them with a reset, and so do we, to be byte-identical.
constexpr std::string_view k_bold = "\x1b[1m";
constexpr std::string_view k_cyan = "\x1b[36m";
constexpr std::string_view k_red = "\x1b[31m";
constexpr std::string_view k_green = "\x1b[32m";
constexpr std::string_view k_reset = "\x1b[m";
constexpr std::string_view k_no_newline = "\\ No newline at end of file";

// Each line keeps its terminator ("\n" or "\r\n"); only the last one may lack it.
std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t nl = text.find('\n', start);
    const std::size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
    lines.push_back(text.substr(start, end - start));
    start = end;
  }
  return lines;
}

// A maximal run of changed lines: old[old_begin, old_end) becomes new[new_begin, new_end).
struct Block {
  std::size_t old_begin, old_end, new_begin, new_end;
};

using LineSpan = std::vector<std::string_view>;

// Maps each distinct line to a dense id (0, 1, 2, ... in order of first sight).
// Open addressing over a flat table: a node-based std::unordered_map spends most
// of a million-line diff in malloc.
class LineInterner {
 public:
  explicit LineInterner(std::size_t max_lines) {
    std::size_t capacity = 16;
    while (capacity < max_lines * 2) capacity *= 2;
    slots_.assign(capacity, k_empty);
    mask_ = capacity - 1;
    lines_.reserve(max_lines);
  }

  std::uint32_t intern(std::string_view line) {
    for (std::size_t slot = hash(line) & mask_;; slot = (slot + 1) & mask_) {
      const std::uint32_t id = slots_[slot];
      if (id == k_empty) {
        slots_[slot] = static_cast<std::uint32_t>(lines_.size());
        lines_.push_back(line);
        return slots_[slot];
      }
      if (lines_[id] == line) return id;
    }
  }

 private:
  static constexpr std::uint32_t k_empty = 0xffffffff;

  static std::size_t hash(std::string_view line) {
    std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a: simple, and lines are short
    for (const char c : line) {
      h ^= static_cast<unsigned char>(c);
      h *= 0x100000001b3ULL;
    }
    return static_cast<std::size_t>(h ^ (h >> 32));
  }

  std::vector<std::uint32_t> slots_;
  std::vector<std::string_view> lines_;
  std::size_t mask_ = 0;
};

// Aligns old[ob, oe) with new[nb, ne) (no common first or last line) and appends the
// change blocks. Lines that occur only on one side can never be matched, so they are
// left out of the sequences handed to dtl: this keeps the result minimal while making
// a rewrite of a big file cost O(n) instead of O(n * d).
void diff_middle(const LineSpan& a, std::size_t ob, std::size_t oe, const LineSpan& b,
                 std::size_t nb, std::size_t ne, std::vector<Block>& blocks) {
  std::vector<std::pair<std::size_t, std::size_t>> matches;  // aligned (old, new) indexes
  if (ob < oe && nb < ne) {
    // Intern lines as small integers so dtl compares ints, not strings.
    LineInterner interner((oe - ob) + (ne - nb));
    std::vector<std::uint8_t> seen;  // per id: bit 1 on the old side, bit 2 on the new side
    auto intern = [&](std::string_view line, std::uint8_t side) {
      const std::uint32_t id = interner.intern(line);
      if (id == seen.size()) seen.push_back(0);
      seen[id] |= side;
      return id;
    };
    std::vector<std::uint32_t> a_ids, b_ids;
    a_ids.reserve(oe - ob);
    b_ids.reserve(ne - nb);
    for (std::size_t i = ob; i < oe; ++i) a_ids.push_back(intern(a[i], 1));
    for (std::size_t i = nb; i < ne; ++i) b_ids.push_back(intern(b[i], 2));

    std::vector<std::uint32_t> a_seq, b_seq;
    std::vector<std::size_t> a_pos, b_pos;  // filtered index -> original line index
    for (std::size_t i = 0; i < a_ids.size(); ++i) {
      if (seen[a_ids[i]] == 3) {
        a_seq.push_back(a_ids[i]);
        a_pos.push_back(ob + i);
      }
    }
    for (std::size_t i = 0; i < b_ids.size(); ++i) {
      if (seen[b_ids[i]] == 3) {
        b_seq.push_back(b_ids[i]);
        b_pos.push_back(nb + i);
      }
    }
    // Dropping one-sided lines often exposes more common head and tail (an edited
    // first and last line, say): match those directly, dtl gets only the rest.
    std::size_t head = 0;
    const std::size_t shorter = std::min(a_seq.size(), b_seq.size());
    while (head < shorter && a_seq[head] == b_seq[head]) ++head;
    std::size_t tail = 0;
    while (tail < shorter - head && a_seq[a_seq.size() - 1 - tail] == b_seq[b_seq.size() - 1 - tail]) ++tail;
    for (std::size_t i = 0; i < head; ++i) matches.emplace_back(a_pos[i], b_pos[i]);
    if (a_seq.size() - tail > head && b_seq.size() - tail > head) {
      const std::vector<std::uint32_t> a_mid(a_seq.begin() + static_cast<std::ptrdiff_t>(head),
                                             a_seq.end() - static_cast<std::ptrdiff_t>(tail));
      const std::vector<std::uint32_t> b_mid(b_seq.begin() + static_cast<std::ptrdiff_t>(head),
                                             b_seq.end() - static_cast<std::ptrdiff_t>(tail));
      dtl::Diff<std::uint32_t, std::vector<std::uint32_t>> engine(a_mid, b_mid);
      engine.compose();
      for (const auto& [elem, info] : engine.getSes().getSequence()) {
        (void)elem;
        if (info.type == dtl::SES_COMMON) {
          // dtl numbers elements from 1.
          matches.emplace_back(a_pos[head + static_cast<std::size_t>(info.beforeIdx - 1)],
                               b_pos[head + static_cast<std::size_t>(info.afterIdx - 1)]);
        }
      }
    }
    for (std::size_t i = tail; i > 0; --i) {
      matches.emplace_back(a_pos[a_seq.size() - i], b_pos[b_seq.size() - i]);
    }
  }
  std::size_t old_at = ob, new_at = nb;
  auto flush = [&](std::size_t old_to, std::size_t new_to) {
    if (old_at < old_to || new_at < new_to) blocks.push_back({old_at, old_to, new_at, new_to});
  };
  for (const auto& [o, n] : matches) {
    flush(o, n);
    old_at = o + 1;
    new_at = n + 1;
  }
  flush(oe, ne);
}

std::vector<Block> compute_blocks(const LineSpan& a, const LineSpan& b) {
  // Trimming the common head and tail first keeps a one-line change in a
  // million-line file linear: dtl only ever sees the differing middle.
  std::size_t head = 0;
  const std::size_t shorter = std::min(a.size(), b.size());
  while (head < shorter && a[head] == b[head]) ++head;
  std::size_t tail = 0;
  while (tail < shorter - head && a[a.size() - 1 - tail] == b[b.size() - 1 - tail]) ++tail;

  std::vector<Block> blocks;
  diff_middle(a, head, a.size() - tail, b, head, b.size() - tail, blocks);
  return blocks;
}

// `@@` range as diff and git print it: "l" for one line, "l,s" otherwise, and for an
// empty range the line *before* it with ",0" (patch relies on "-0,0" for new files).
std::string range(std::size_t begin, std::size_t end) {
  const std::size_t count = end - begin;
  if (count == 0) return fmt::format("{},0", begin);
  if (count == 1) return fmt::format("{}", begin + 1);
  return fmt::format("{},{}", begin + 1, count);
}

class Renderer {
 public:
  explicit Renderer(bool color) : color_(color) {}

  void header(std::string_view marker, std::string_view label) {
    // Like git, end a name containing a space with a tab so patch tools know
    // where the name stops.
    const std::string_view tab = label.find(' ') != std::string_view::npos ? "\t" : "";
    if (color_) {
      fmt::format_to(std::back_inserter(out_), "{}{} {}{}{}\n", k_bold, marker, label, tab, k_reset);
    } else {
      fmt::format_to(std::back_inserter(out_), "{} {}{}\n", marker, label, tab);
    }
  }

  void hunk_header(std::string_view old_range, std::string_view new_range) {
    if (color_) {
      fmt::format_to(std::back_inserter(out_), "{}@@ -{} +{} @@{}\n", k_cyan, old_range,
                     new_range, k_reset);
    } else {
      fmt::format_to(std::back_inserter(out_), "@@ -{} +{} @@\n", old_range, new_range);
    }
  }

  // `line` still carries its terminator; git puts the colour reset before "\r\n".
  void line(char prefix, std::string_view line) {
    std::string_view eol;
    if (!line.empty() && line.back() == '\n') {
      eol = line.size() >= 2 && line[line.size() - 2] == '\r' ? "\r\n" : "\n";
    } else if (!line.empty() && line.back() == '\r') {
      eol = "\r";  // a lone CR at end of file: keep it, still "no newline"
    }
    const std::string_view body = line.substr(0, line.size() - eol.size());
    const bool missing_newline = line.empty() || line.back() != '\n';
    if (color_) {
      const std::string_view set = prefix == '-' ? k_red : prefix == '+' ? k_green : "";
      out_ += set;
      out_ += prefix;
      out_ += body;
      out_ += k_reset;
    } else {
      out_ += prefix;
      out_ += body;
    }
    out_ += eol;
    if (missing_newline) {
      out_ += '\n';
      out_ += k_no_newline;
      if (color_) out_ += k_reset;
      out_ += '\n';
    }
  }

  std::string take() { return std::move(out_); }

 private:
  bool color_;
  std::string out_;
};

}  // namespace

std::string unified_diff(std::string_view old_text, std::string_view new_text,
                         const DiffOptions& options) {
  if (old_text == new_text) return {};
  const LineSpan a = split_lines(old_text);
  const LineSpan b = split_lines(new_text);
  const std::vector<Block> blocks = compute_blocks(a, b);
  if (blocks.empty()) return {};

  const std::size_t context = options.context > 0 ? static_cast<std::size_t>(options.context) : 0;
  Renderer out(options.color);
  out.header("---", options.old_label);
  out.header("+++", options.new_label);

  std::size_t first = 0;
  while (first < blocks.size()) {
    // Join following blocks while the unchanged gap is at most 2 * context lines,
    // the rule both GNU diff and git use.
    std::size_t last = first;
    while (last + 1 < blocks.size() &&
           blocks[last + 1].old_begin - blocks[last].old_end <= 2 * context) {
      ++last;
    }
    const Block& head = blocks[first];
    const Block& tail = blocks[last];
    const std::size_t lead = std::min(context, head.old_begin);
    const std::size_t trail = std::min(context, a.size() - tail.old_end);
    const std::size_t old_begin = head.old_begin - lead;
    const std::size_t new_begin = head.new_begin - lead;
    const std::size_t old_end = tail.old_end + trail;
    const std::size_t new_end = tail.new_end + trail;
    out.hunk_header(range(old_begin, old_end), range(new_begin, new_end));

    std::size_t at = old_begin;  // next old line to print as context
    for (std::size_t i = first; i <= last; ++i) {
      const Block& block = blocks[i];
      for (; at < block.old_begin; ++at) out.line(' ', a[at]);
      for (std::size_t k = block.old_begin; k < block.old_end; ++k) out.line('-', a[k]);
      for (std::size_t k = block.new_begin; k < block.new_end; ++k) out.line('+', b[k]);
      at = block.old_end;
    }
    for (; at < old_end; ++at) out.line(' ', a[at]);
    first = last + 1;
  }
  return out.take();
}

}  // namespace dockmend::diff
