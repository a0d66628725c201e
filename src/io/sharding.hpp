#pragma once
// Splitting a file list across N independent runs (CI matrix jobs).

#include <cstdint>
#include <string_view>

namespace dockmend::io {

// 64-bit FNV-1a over the bytes (offset basis 0xcbf29ce484222325, prime
// 0x100000001b3). Fixed forever: shard membership must not change between
// releases or machines, so no std::hash.
std::uint64_t fnv1a_64(std::string_view bytes);

// True when `path` belongs to shard `k` of `n`, with k counted from 0
// (0 <= k < n): fnv1a_64(path) % n == k. A CLI "--shard K/N" written 1-based
// passes K - 1. The hash covers the path string exactly as given; the CLI
// passes the path relative to the repository root, so that every job agrees
// however it spells its roots and wherever its checkout is. Returns false for
// n < 1 or k outside [0, n).
bool in_shard(std::string_view path, int k, int n);

}  // namespace dockmend::io
