// The corpus mutated as the buildkit differential runs mutated it (tests/fuzz/
// mutate.hpp: tokens inserted and deleted, lines spliced from the next file,
// line endings changed, escape directives added), with fixed seeds: what holds
// without buildkit must hold on every variant (the tree is lossless, the
// buildkit dump is UTF-8, the same without tokens and when the file is printed
// back and read again). fuzz_mutate explores the same mutations without end;
// this is the part of it every build runs.
#include <gtest/gtest.h>

#include <algorithm>

#include "../fuzz/mutate.hpp"
#include "../fuzz/parse_properties.hpp"
#include "../test_support.hpp"
#include "syntax/dump.hpp"
#include "syntax/tree.hpp"

namespace fs = std::filesystem;
using namespace dockmend;

namespace {

std::vector<fs::path> dockerfiles(const fs::path& root) {
  std::vector<fs::path> out;
  for (auto& e : fs::recursive_directory_iterator(root)) {
    const auto name = e.path().filename().string();
    if (e.is_regular_file() && name != "result" && name != "error" && name != "README.md" && name != "manifest.tsv")
      out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST(Mutations, CorpusVariantsKeepWhatHoldsWithoutBuildkit) {
  DOCKMEND_REQUIRE_CORPUS(dir);
  std::vector<fs::path> files = dockerfiles(dir / "buildkit-differential");
  const auto real = dockerfiles(dir / "real");
  files.insert(files.end(), real.begin(), real.end());
  ASSERT_GT(files.size(), 1600u);
  std::vector<std::string> texts;
  for (const auto& f : files) texts.push_back(test::read_bytes(f));
  std::size_t variants = 0, rejected = 0;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    const std::string& other = texts[(i + 1) % texts.size()];
    for (int k = 0; k < fuzz::Mutator::k_kinds; ++k) {
      fuzz::Mutator m(i * 131 + static_cast<std::uint64_t>(k));
      std::string v = m.mutate(static_cast<fuzz::Mutator::Kind>(k), texts[i], other);
      if (k % 2 == 0) v = m.mutate(v, other);  // some stacked, as the differential runs did
      SCOPED_TRACE(files[i].string() + " mutation " + std::to_string(k));
      const syntax::Tree t = syntax::parse(v);
      ASSERT_EQ(syntax::print(t), v);
      const std::string dump = syntax::dump_buildkit(t);
      EXPECT_EQ(fuzz::invalid_utf8(dump), std::string_view::npos) << dump;
      EXPECT_EQ(syntax::dump_buildkit(syntax::parse(syntax::print(t))), dump);
      // And the fuzz target's own checks (they abort, naming the property).
      fuzz::check_tree(v);
      fuzz::check_dump_stable(v);
      ++variants;
      rejected += !t.buildkit_ok();
    }
  }
  std::printf("%zu variants of %zu files, %zu rejected by buildkit's rules\n", variants, files.size(), rejected);
}

TEST(Mutations, EachKindChangesTheFileAsItSays) {
  const std::string f = "FROM a\nRUN b c\n";
  using K = fuzz::Mutator::Kind;
  for (std::uint64_t seed = 0; seed < 64; ++seed) {
    fuzz::Mutator m(seed);
    const std::string ins = m.mutate(K::InsertToken, f);
    EXPECT_GT(ins.size(), f.size());
    const std::string del = m.mutate(K::DeleteToken, f);
    EXPECT_LT(del.size(), f.size());
    const std::string spliced = m.mutate(K::SpliceLines, f, "USER x\nCMD y\n");
    EXPECT_TRUE(spliced.find("USER x\n") != std::string::npos || spliced.find("CMD y\n") != std::string::npos)
        << spliced;
    const std::string endings = m.mutate(K::LineEndings, f);
    std::string stripped = endings;
    stripped.erase(std::remove(stripped.begin(), stripped.end(), '\r'), stripped.end());
    EXPECT_TRUE(stripped == f || stripped + "\n" == f || stripped == "FROM a\nRUN b c" ||
                std::count(stripped.begin(), stripped.end(), '\n') < 2)
        << endings;
    const std::string esc = m.mutate(K::EscapeDirective, f);
    EXPECT_TRUE(esc.find("scape") != std::string::npos || esc.find("SCAPE") != std::string::npos) << esc;
    EXPECT_NE(esc.find("FROM a"), std::string::npos);
  }
}
