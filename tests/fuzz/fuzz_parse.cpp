// Fuzz target: the syntax tree is lossless for any bytes. Printing the tree
// gives the input back, the tokens tile the input in order, the lines tile it
// too, and every span of an instruction stays inside it.
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "syntax/tree.hpp"

using namespace dockmend;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
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
  return 0;
}
