// buildkit's own parser cases and 1,600 real Dockerfiles: every `result` must
// match our buildkit dump byte for byte, every rejected file must be rejected,
// and every file must print back from its tokens unchanged.
#include <gtest/gtest.h>

#include <algorithm>

#include "../test_support.hpp"
#include "syntax/dump.hpp"
#include "syntax/tree.hpp"

namespace fs = std::filesystem;
using namespace dockmend;

namespace {

struct Case {
  fs::path dockerfile;
  fs::path result;  // empty when buildkit rejects it
};

std::vector<Case> collect(const fs::path& root) {
  std::vector<Case> out;
  if (!fs::exists(root)) return out;
  for (auto& e : fs::recursive_directory_iterator(root)) {
    if (!e.is_directory()) continue;
    const bool has_result = fs::exists(e.path() / "result");
    const bool has_error = fs::exists(e.path() / "error");
    const bool negative = e.path().string().find("testfiles-negative") != std::string::npos;
    if (!has_result && !has_error && !negative) continue;
    for (auto& f : fs::directory_iterator(e.path())) {
      const auto name = f.path().filename().string();
      if (!f.is_regular_file() || name == "result" || name == "error") continue;
      out.push_back({f.path(), has_result ? e.path() / "result" : fs::path()});
      break;
    }
  }
  std::sort(out.begin(), out.end(), [](const Case& a, const Case& b) { return a.dockerfile < b.dockerfile; });
  return out;
}

void check_tokens_cover(const syntax::Tree& t) {
  std::uint32_t pos = 0;
  for (const auto& tok : t.tokens) {
    ASSERT_EQ(tok.span.begin, pos);
    ASSERT_LT(tok.span.begin, tok.span.end);
    pos = tok.span.end;
  }
  ASSERT_EQ(pos, t.source.size());
}

void run_corpus(const fs::path& root, std::size_t min_cases) {
  auto cases = collect(root);
  ASSERT_GE(cases.size(), min_cases) << root;
  std::size_t matched = 0, rejected = 0;
  for (const auto& c : cases) {
    const std::string src = test::read_bytes(c.dockerfile);
    auto tree = syntax::parse(src);
    ASSERT_EQ(syntax::print(tree), src) << c.dockerfile;
    check_tokens_cover(tree);
    if (!c.result.empty()) {
      EXPECT_TRUE(tree.buildkit_ok()) << c.dockerfile << ": " << tree.first_error()->message;
      EXPECT_EQ(syntax::dump_buildkit(tree), test::read_bytes(c.result)) << c.dockerfile;
      ++matched;
    } else {
      EXPECT_FALSE(tree.buildkit_ok()) << c.dockerfile << " should be rejected";
      ++rejected;
    }
  }
  std::printf("%s: %zu results matched, %zu rejections\n", root.filename().c_str(), matched, rejected);
}

}  // namespace

TEST(BuildkitCorpus, ParserTestfiles) {
  DOCKMEND_REQUIRE_CORPUS(dir);
  run_corpus(dir / "buildkit" / "testfiles", 30);
}

TEST(BuildkitCorpus, ParserNegativeTestfiles) {
  DOCKMEND_REQUIRE_CORPUS(dir);
  run_corpus(dir / "buildkit" / "testfiles-negative", 4);
}

TEST(BuildkitCorpus, RealDockerfiles) {
  DOCKMEND_REQUIRE_CORPUS(dir);
  run_corpus(dir / "real", 1600);
}

// Mutated real files (tokens inserted and deleted, lines spliced, line endings
// changed, escape directives added) on which an earlier reading disagreed with
// buildkit: keywords holding invalid UTF-8, flag words whose quote runs to the
// end of the line, `<<` inside an unterminated `${`. See its README.
TEST(BuildkitCorpus, MutatedDifferential) {
  DOCKMEND_REQUIRE_CORPUS(dir);
  run_corpus(dir / "buildkit-differential", 67);
}
