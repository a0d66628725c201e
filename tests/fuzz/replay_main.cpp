// Runs a fuzz target once on each file given (directories recursively, in
// sorted order), as the normal build's regression test: crash inputs kept in
// tests/fuzz/regressions/<target>/ and the seed files go through the same entry
// point the fuzzer calls. A broken property aborts, which fails the test.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  std::size_t total = 0;
  for (int a = 1; a < argc; ++a) {
    const fs::path root = argv[a];
    std::error_code ec;
    if (!fs::exists(root, ec)) {
      // The shared corpus is optional (a user's clone has none).
      std::printf("%s: not found, skipped\n", root.c_str());
      continue;
    }
    std::vector<fs::path> inputs;
    if (fs::is_directory(root, ec)) {
      for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec))
        if (it->is_regular_file(ec) && it->path().filename() != ".gitkeep") inputs.push_back(it->path());
    } else {
      inputs.push_back(root);
    }
    std::sort(inputs.begin(), inputs.end());
    for (const auto& p : inputs) {
      std::ifstream in(p, std::ios::binary);
      std::ostringstream ss;
      ss << in.rdbuf();
      const std::string bytes = ss.str();
      // Printed first, so the failing input is named when a property aborts.
      std::fprintf(stderr, "%s\n", p.c_str());
      LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    }
    std::printf("%s: %zu inputs\n", root.c_str(), inputs.size());
    total += inputs.size();
  }
  std::printf("%zu inputs replayed\n", total);
  return 0;
}
