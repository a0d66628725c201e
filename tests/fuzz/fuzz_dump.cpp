// Fuzz target: the dumps never crash or hang on any bytes, buildkit's dump has
// one line per instruction, and the JSON dump is valid JSON (UTF-8 included)
// whatever the input's encoding.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "syntax/dump.hpp"
#include "syntax/tree.hpp"

using namespace dockmend;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const syntax::Tree tree = syntax::parse(bytes);

  const std::string buildkit = syntax::dump_buildkit(tree);
  if (tree.buildkit_ok()) {
    // The dump's lines are one per instruction (values are quoted, so they hold no newline).
    const auto lines = static_cast<std::size_t>(std::count(buildkit.begin(), buildkit.end(), '\n'));
    fuzz::require(lines == tree.instructions.size(), "dump_buildkit: not one line per instruction", buildkit);
  }
  for (const auto& inst : tree.instructions) (void)syntax::dump_buildkit(inst);

  fuzz::require_json(syntax::dump_json(tree, "Dockerfile"), "dump_json");
  // The path is user input as well (file names may be any bytes).
  fuzz::require_json(syntax::dump_json(tree, bytes.substr(0, 64)), "dump_json with the input as path");
  fuzz::require_json(syntax::json_quote(bytes), "json_quote");
  return 0;
}
