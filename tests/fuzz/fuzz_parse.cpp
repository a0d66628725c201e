// Fuzz target: the syntax tree is lossless for any bytes. Printing the tree
// gives the input back, the tokens tile the input in order, the lines tile it
// too, and every span of an instruction stays inside it.
#include <cstdint>
#include <string_view>

#include "parse_properties.hpp"

using namespace dockmend;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::check_tree(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
