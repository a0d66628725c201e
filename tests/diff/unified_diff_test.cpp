// Hand-written expectations for unified_diff: the format rules one by one.

#include "diff/unified_diff.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace dockmend::diff {
namespace {

DiffOptions labels(int context = 3) {
  DiffOptions options;
  options.old_label = "a/Dockerfile";
  options.new_label = "b/Dockerfile";
  options.context = context;
  return options;
}

int count_hunks(const std::string& diff) {
  int hunks = 0;
  for (std::size_t at = diff.find("\n@@ "); at != std::string::npos; at = diff.find("\n@@ ", at + 1)) {
    ++hunks;
  }
  return hunks;
}

TEST(UnifiedDiff, EqualTextsGiveEmptyString) {
  EXPECT_EQ(unified_diff("", "", labels()), "");
  EXPECT_EQ(unified_diff("FROM a\n", "FROM a\n", labels()), "");
  EXPECT_EQ(unified_diff("FROM a", "FROM a", labels()), "");
}

TEST(UnifiedDiff, SingleLineChange) {
  EXPECT_EQ(unified_diff("FROM a\n", "FROM b\n", labels()),
            "--- a/Dockerfile\n"
            "+++ b/Dockerfile\n"
            "@@ -1 +1 @@\n"
            "-FROM a\n"
            "+FROM b\n");
}

TEST(UnifiedDiff, ContextAroundChange) {
  const std::string old_text = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
  const std::string new_text = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n";
  EXPECT_EQ(unified_diff(old_text, new_text, labels()),
            "--- a/Dockerfile\n"
            "+++ b/Dockerfile\n"
            "@@ -2,7 +2,7 @@\n"
            " 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n");
  EXPECT_EQ(unified_diff(old_text, new_text, labels(1)),
            "--- a/Dockerfile\n"
            "+++ b/Dockerfile\n"
            "@@ -4,3 +4,3 @@\n"
            " 4\n-5\n+five\n 6\n");
}

TEST(UnifiedDiff, ContextZeroInsertionUsesLineBefore) {
  EXPECT_EQ(unified_diff("1\n2\n", "1\nx\n2\n", labels(0)),
            "--- a/Dockerfile\n"
            "+++ b/Dockerfile\n"
            "@@ -1,0 +2 @@\n"
            "+x\n");
  EXPECT_EQ(unified_diff("1\n2\n", "x\n1\n2\n", labels(0)),
            "--- a/Dockerfile\n"
            "+++ b/Dockerfile\n"
            "@@ -0,0 +1 @@\n"
            "+x\n");
  EXPECT_EQ(unified_diff("1\n2\n3\n", "1\n3\n", labels(0)),
            "--- a/Dockerfile\n"
            "+++ b/Dockerfile\n"
            "@@ -2 +1,0 @@\n"
            "-2\n");
}

TEST(UnifiedDiff, NewFileFromDevNull) {
  DiffOptions options = labels();
  options.old_label = "/dev/null";
  EXPECT_EQ(unified_diff("", "FROM a\nRUN b\n", options),
            "--- /dev/null\n"
            "+++ b/Dockerfile\n"
            "@@ -0,0 +1,2 @@\n"
            "+FROM a\n"
            "+RUN b\n");
}

TEST(UnifiedDiff, DeletedFileToDevNull) {
  DiffOptions options = labels();
  options.new_label = "/dev/null";
  EXPECT_EQ(unified_diff("FROM a\n", "", options),
            "--- a/Dockerfile\n"
            "+++ /dev/null\n"
            "@@ -1 +0,0 @@\n"
            "-FROM a\n");
}

TEST(UnifiedDiff, MissingFinalNewlineOnEitherSide) {
  EXPECT_EQ(unified_diff("FROM a", "FROM a\n", labels()),
            "--- a/Dockerfile\n"
            "+++ b/Dockerfile\n"
            "@@ -1 +1 @@\n"
            "-FROM a\n"
            "\\ No newline at end of file\n"
            "+FROM a\n");
  EXPECT_EQ(unified_diff("FROM a\nRUN x\n", "FROM a\nRUN y", labels()),
            "--- a/Dockerfile\n"
            "+++ b/Dockerfile\n"
            "@@ -1,2 +1,2 @@\n"
            " FROM a\n"
            "-RUN x\n"
            "+RUN y\n"
            "\\ No newline at end of file\n");
  // An unchanged last line without newline is shown as context with the marker.
  EXPECT_EQ(unified_diff("FROM a\nEND", "FROM b\nEND", labels()),
            "--- a/Dockerfile\n"
            "+++ b/Dockerfile\n"
            "@@ -1,2 +1,2 @@\n"
            "-FROM a\n"
            "+FROM b\n"
            " END\n"
            "\\ No newline at end of file\n");
}

TEST(UnifiedDiff, CrlfToLfIsAChangeAndBytesAreKept) {
  EXPECT_EQ(unified_diff("FROM a\r\nRUN b\r\n", "FROM a\nRUN b\r\n", labels()),
            "--- a/Dockerfile\n"
            "+++ b/Dockerfile\n"
            "@@ -1,2 +1,2 @@\n"
            "-FROM a\r\n"
            "+FROM a\n"
            " RUN b\r\n");
}

TEST(UnifiedDiff, LoneCarriageReturnAtEndOfFile) {
  // "a\r" without "\n": the CR is kept and the line still lacks a newline.
  EXPECT_EQ(unified_diff("x\na\r", "x\nb\r", labels()),
            "--- a/Dockerfile\n+++ b/Dockerfile\n@@ -1,2 +1,2 @@\n x\n"
            "-a\r\n\\ No newline at end of file\n"
            "+b\r\n\\ No newline at end of file\n");
  DiffOptions options = labels();
  options.color = true;
  EXPECT_EQ(unified_diff("x\na\r", "x\nb\r", options),
            "\x1b[1m--- a/Dockerfile\x1b[m\n\x1b[1m+++ b/Dockerfile\x1b[m\n"
            "\x1b[36m@@ -1,2 +1,2 @@\x1b[m\n x\x1b[m\n"
            "\x1b[31m-a\x1b[m\r\n\\ No newline at end of file\x1b[m\n"
            "\x1b[32m+b\x1b[m\r\n\\ No newline at end of file\x1b[m\n");
}

TEST(UnifiedDiff, AdjacentHunksMergeWithinTwiceTheContext) {
  // Changes at lines 2 and 9: 6 unchanged lines between them (= 2 * 3) -> one hunk.
  std::string old_text, merged, split;
  for (int i = 1; i <= 20; ++i) {
    old_text += std::to_string(i) + "\n";
    merged += (i == 2 || i == 9 ? "x" : std::to_string(i)) + "\n";
    split += (i == 2 || i == 10 ? "x" : std::to_string(i)) + "\n";
  }
  const std::string one = unified_diff(old_text, merged, labels());
  EXPECT_EQ(count_hunks(one), 1) << one;
  EXPECT_NE(one.find("@@ -1,12 +1,12 @@\n"), std::string::npos) << one;
  // 7 unchanged lines between -> two hunks.
  const std::string two = unified_diff(old_text, split, labels());
  EXPECT_EQ(count_hunks(two), 2) << two;
  EXPECT_NE(two.find("@@ -1,5 +1,5 @@\n"), std::string::npos) << two;
  EXPECT_NE(two.find("@@ -7,7 +7,7 @@\n"), std::string::npos) << two;
}

TEST(UnifiedDiff, ColorMatchesGitEscapes) {
  DiffOptions options = labels();
  options.color = true;
  EXPECT_EQ(unified_diff("a\nb\r\nc", "a\nB\r\nc", options),
            "\x1b[1m--- a/Dockerfile\x1b[m\n"
            "\x1b[1m+++ b/Dockerfile\x1b[m\n"
            "\x1b[36m@@ -1,3 +1,3 @@\x1b[m\n"
            " a\x1b[m\n"
            "\x1b[31m-b\x1b[m\r\n"
            "\x1b[32m+B\x1b[m\r\n"
            " c\x1b[m\n"
            "\\ No newline at end of file\x1b[m\n");
}

TEST(UnifiedDiff, LabelWithSpaceGetsTrailingTabLikeGit) {
  DiffOptions options;
  options.old_label = "a/my dir/Dockerfile";
  options.new_label = "b/my dir/Dockerfile";
  EXPECT_EQ(unified_diff("x\n", "y\n", options),
            "--- a/my dir/Dockerfile\t\n"
            "+++ b/my dir/Dockerfile\t\n"
            "@@ -1 +1 @@\n-x\n+y\n");
}

TEST(UnifiedDiff, NegativeContextCountsAsZero) {
  EXPECT_EQ(unified_diff("1\n2\n3\n", "1\nx\n3\n", labels(-5)),
            unified_diff("1\n2\n3\n", "1\nx\n3\n", labels(0)));
}

// The "IsFast" tests guard against quadratic time, not for speed (scripts/bench
// measures that): linear, each takes well under a second in Release; quadratic,
// hours. The limit is wide enough for a sanitizer build on a loaded machine.
constexpr long k_not_quadratic_ms = 60000;

TEST(UnifiedDiff, CompleteRewriteOfLargeFileIsFast) {
  // Every line differs: unique lines never reach dtl, so this stays linear.
  std::string old_text, new_text;
  for (int i = 0; i < 200000; ++i) {
    old_text += "old " + std::to_string(i) + "\n";
    new_text += "new " + std::to_string(i) + "\n";
  }
  const auto start = std::chrono::steady_clock::now();
  const std::string out = unified_diff(old_text, new_text, labels());
  const auto elapsed = std::chrono::steady_clock::now() - start;
  const std::string expected_head =
      "--- a/Dockerfile\n+++ b/Dockerfile\n@@ -1,200000 +1,200000 @@\n-old 0\n";
  EXPECT_EQ(out.substr(0, expected_head.size()), expected_head);
  EXPECT_LT(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count(), k_not_quadratic_ms);
}

TEST(UnifiedDiff, MillionLinesWithOneChangeIsFast) {
  std::string old_text;
  old_text.reserve(16 * 1000000);
  for (int i = 0; i < 1000000; ++i) old_text += "RUN step " + std::to_string(i) + "\n";
  std::string new_text = old_text;
  const std::string needle = "RUN step 500000\n";
  new_text.replace(new_text.find(needle), needle.size(), "RUN changed\n");

  const auto start = std::chrono::steady_clock::now();
  const std::string out = unified_diff(old_text, new_text, labels());
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(out,
            "--- a/Dockerfile\n+++ b/Dockerfile\n"
            "@@ -499998,7 +499998,7 @@\n"
            " RUN step 499997\n RUN step 499998\n RUN step 499999\n"
            "-RUN step 500000\n+RUN changed\n"
            " RUN step 500001\n RUN step 500002\n RUN step 500003\n");
  EXPECT_LT(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count(), k_not_quadratic_ms);
}

TEST(UnifiedDiff, MillionLinesWithChangesAtBothEndsIsFast) {
  // Head/tail trimming cannot help; the edited lines occur on one side only, so
  // once they are set aside the rest matches head-to-tail without dtl.
  std::string old_text;
  for (int i = 0; i < 1000000; ++i) old_text += "RUN step " + std::to_string(i) + "\n";
  const std::string new_text = "FROM first\n" + old_text.substr(old_text.find('\n') + 1) + "END\n";

  const auto start = std::chrono::steady_clock::now();
  const std::string out = unified_diff(old_text, new_text, labels());
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(out.substr(0, out.find("@@ -999998")),
            "--- a/Dockerfile\n+++ b/Dockerfile\n"
            "@@ -1,4 +1,4 @@\n"
            "-RUN step 0\n+FROM first\n RUN step 1\n RUN step 2\n RUN step 3\n");
  EXPECT_NE(out.find("@@ -999998,3 +999998,4 @@\n RUN step 999997\n RUN step 999998\n"
                     " RUN step 999999\n+END\n"),
            std::string::npos);
  EXPECT_LT(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count(), k_not_quadratic_ms);
}

TEST(UnifiedDiff, MillionLinesWithAMovedLineStaysLinear) {
  // The moved line occurs on both sides, so dtl must align all million lines;
  // with an edit distance of 2 its O((M+N)·D) algorithm is still linear. The
  // limit is loose (sanitizer builds), it only guards against quadratic blowup.
  std::string body;
  for (int i = 1; i < 1000000; ++i) body += "RUN step " + std::to_string(i) + "\n";
  const std::string old_text = "RUN step 0\n" + body;
  const std::string new_text = body + "RUN step 0\n";

  const auto start = std::chrono::steady_clock::now();
  const std::string out = unified_diff(old_text, new_text, labels(1));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(out,
            "--- a/Dockerfile\n+++ b/Dockerfile\n"
            "@@ -1,2 +1 @@\n-RUN step 0\n RUN step 1\n"
            "@@ -1000000 +999999,2 @@\n RUN step 999999\n+RUN step 0\n");
  EXPECT_LT(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count(), 30000);
}

}  // namespace
}  // namespace dockmend::diff
