#include "io/sharding.hpp"

namespace dockmend::io {

std::uint64_t fnv1a_64(std::string_view bytes) {
  constexpr std::uint64_t k_offset_basis = 0xcbf29ce484222325ULL;
  constexpr std::uint64_t k_prime = 0x100000001b3ULL;
  std::uint64_t hash = k_offset_basis;
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= k_prime;
  }
  return hash;
}

bool in_shard(std::string_view path, int k, int n) {
  if (n < 1 || k < 0 || k >= n) return false;
  return fnv1a_64(path) % static_cast<std::uint64_t>(n) == static_cast<std::uint64_t>(k);
}

}  // namespace dockmend::io
