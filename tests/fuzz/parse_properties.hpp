// What holds of dockmend's reading of any bytes, without buildkit to compare
// with: the tree is lossless (printing it gives the input back, the tokens and
// the lines tile the input, every span stays inside it), the view without
// tokens is the same view, and the buildkit dump is a function of the text:
// the same when the file is printed back and read again, valid UTF-8 as Go's
// dump always is. Shared by fuzz_parse and fuzz_mutate.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "syntax/dump.hpp"
#include "syntax/tree.hpp"
#include "syntax/unicode.hpp"

namespace dockmend::fuzz {

inline void check_tree(std::string_view bytes) {
  const std::size_t size = bytes.size();
  const syntax::Tree tree = syntax::parse(bytes);
  fuzz::require(syntax::print(tree) == bytes, "print(parse(bytes)) != bytes");

  std::uint32_t at = 0;
  for (const auto& t : tree.tokens) {
    fuzz::require(t.span.begin == at && t.span.end > t.span.begin, "tokens do not tile the input");
    at = t.span.end;
  }
  fuzz::require(at == size, "tokens do not reach the end of the input");

  at = 0;
  for (const auto& l : tree.lines) {
    fuzz::require(l.begin == at && l.begin <= l.content_end && l.content_end <= l.end, "lines do not tile the input");
    fuzz::require(l.instruction < static_cast<std::int32_t>(tree.instructions.size()), "line names no instruction");
    at = l.end;
  }
  fuzz::require(at == size, "lines do not reach the end of the input");

  for (const auto& inst : tree.instructions) {
    fuzz::require(inst.span.begin <= inst.span.end && inst.span.end <= size, "instruction span outside the input");
    fuzz::require(inst.text.end <= size && inst.keyword_span.end <= size, "instruction text outside the input");
    fuzz::require(inst.first_line <= inst.last_line && inst.last_line < tree.lines.size(), "instruction lines");
    const auto args = inst.args_source();
    fuzz::require(args.begin <= args.end && args.end <= size, "arguments map outside the input");
    for (std::size_t i = 0; i < inst.values.size(); ++i) {
      const auto v = inst.value_source(i);
      fuzz::require(v.begin <= v.end && v.end <= size, "value maps outside the input");
    }
    for (const auto& h : inst.heredocs)
      fuzz::require(h.body.end <= size && h.terminator.end <= size, "heredoc outside the input");
    for (auto c : inst.comments) fuzz::require(c < tree.lines.size(), "comment line out of range");
  }
  for (const auto& d : tree.diagnostics) {
    fuzz::require(d.offset <= size && d.line >= 1 && d.column >= 1, "diagnostic without a place");
    const auto [line, column] = tree.position(d.offset);
    fuzz::require(line == d.line && column == d.column, "diagnostic position disagrees with position()");
  }

  // The view without tokens (what the engine uses) is the same view.
  const syntax::Tree light = syntax::parse(bytes, {false});
  fuzz::require(light.instructions.size() == tree.instructions.size(), "instructions differ without tokens");
  for (std::size_t i = 0; i < light.instructions.size(); ++i)
    fuzz::require(light.instructions[i].keyword == tree.instructions[i].keyword &&
                      light.instructions[i].span == tree.instructions[i].span,
                  "instruction differs without tokens");
  fuzz::require(light.buildkit_ok() == tree.buildkit_ok(), "verdict differs without tokens");

  const auto stages = tree.stages();
  for (const auto& s : stages)
    fuzz::require(s.from < tree.instructions.size() && s.end <= tree.instructions.size() && s.from < s.end,
                  "stage outside the instructions");
}

// The first byte of `s` that is not UTF-8 (Go's reading of it), or npos.
inline std::size_t invalid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto r = syntax::go::decode_rune(s, i);
    if (r.value == syntax::go::k_rune_error && r.width == 1) return i;
    i += r.width;
  }
  return std::string_view::npos;
}

inline void check_dump_stable(std::string_view bytes) {
  const syntax::Tree tree = syntax::parse(bytes);
  const std::string dump = syntax::dump_buildkit(tree);
  // Go's dump is made of lower-cased keywords (strings.ToLower writes U+FFFD
  // for bytes that are not UTF-8) and quoted strings: always UTF-8.
  if (const auto bad = invalid_utf8(dump); bad != std::string_view::npos)
    fail("the buildkit dump is not UTF-8", dump.substr(bad < 40 ? 0 : bad - 40, 80));
  const std::string printed = syntax::print(tree);
  const syntax::Tree again = syntax::parse(printed);
  require(syntax::dump_buildkit(again) == dump, "the dump changes when the file is printed back and read again", dump);
  require(again.buildkit_ok() == tree.buildkit_ok(), "the verdict changes when the file is read again");
  if (!tree.buildkit_ok())
    require(again.first_error()->message == tree.first_error()->message &&
                again.first_error()->offset == tree.first_error()->offset,
            "the error changes when the file is read again", tree.first_error()->message);
  const syntax::Tree light = syntax::parse(bytes, {false});
  require(syntax::dump_buildkit(light) == dump, "the dump differs without tokens", dump);
}

}  // namespace dockmend::fuzz
