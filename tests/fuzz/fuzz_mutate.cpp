// Fuzz target: Dockerfiles mutated the way that found dockmend reading files
// differently from buildkit (mutate.hpp: tokens inserted and deleted, lines
// spliced from another input, line endings changed, escape directives added),
// checked for what holds without buildkit (parse_properties.hpp): the tree is
// lossless, the buildkit dump is UTF-8 and the same when the file is printed
// back and read again, and nothing crashes or trips a sanitizer. Seeded with
// the corpus, most runs mutate real files into near-real ones; one in four
// takes libFuzzer's own byte-level mutation instead.
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "mutate.hpp"
#include "parse_properties.hpp"

using namespace dockmend;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  fuzz::check_tree(bytes);
  fuzz::check_dump_stable(bytes);
  return 0;
}

#ifdef DOCKMEND_LIBFUZZER
extern "C" std::size_t LLVMFuzzerMutate(std::uint8_t* data, std::size_t size, std::size_t max_size);

namespace {
std::size_t put(const std::string& s, std::uint8_t* out, std::size_t max_size) {
  const std::size_t n = s.size() < max_size ? s.size() : max_size;
  std::memcpy(out, s.data(), n);
  return n;
}
}  // namespace

extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size, std::size_t max_size,
                                               unsigned int seed) {
  fuzz::Mutator m(seed);
  if (seed % 4 == 0) return LLVMFuzzerMutate(data, size, max_size);
  std::string s(reinterpret_cast<const char*>(data), size);
  // One to three mutations, as the differential runs stacked them.
  const unsigned rounds = 1 + (seed >> 2) % 3;
  for (unsigned i = 0; i < rounds; ++i) s = m.mutate(s);
  return put(s, data, max_size);
}

// Lines of the second input spliced into the first.
extern "C" std::size_t LLVMFuzzerCustomCrossOver(const std::uint8_t* data1, std::size_t size1,
                                                 const std::uint8_t* data2, std::size_t size2, std::uint8_t* out,
                                                 std::size_t max_out_size, unsigned int seed) {
  fuzz::Mutator m(seed);
  const std::string s = m.mutate(fuzz::Mutator::Kind::SpliceLines,
                                 std::string_view(reinterpret_cast<const char*>(data1), size1),
                                 std::string_view(reinterpret_cast<const char*>(data2), size2));
  return put(s, out, max_out_size);
}
#endif
