#include <gtest/gtest.h>

#include "edit/builders.hpp"
#include "edit/edit.hpp"
#include "syntax/tree.hpp"

using namespace dockmend;
using edit::Edit;
using edit::EditSet;
using edit::Fix;

TEST(EditSet, AppliesSortedEditsInOnePass) {
  EditSet set;
  ASSERT_TRUE(set.add({"b", "", {{{6, 7}, "X"}}}));
  ASSERT_TRUE(set.add({"a", "", {{{0, 1}, "Y"}, {{3, 3}, "+"}}}));
  EXPECT_EQ(set.apply("abcdefgh"), "Ybc+defXh");
  ASSERT_EQ(set.edits().size(), 3u);
  EXPECT_EQ(set.edits()[0].rule, "a");
}

TEST(EditSet, MergesIdenticalEdits) {
  EditSet set;
  ASSERT_TRUE(set.add({"a", "", {{{1, 2}, "Z"}}}));
  ASSERT_TRUE(set.add({"b", "", {{{1, 2}, "Z"}}}));
  EXPECT_EQ(set.edits().size(), 1u);
  EXPECT_EQ(set.apply("abc"), "aZc");
}

TEST(EditSet, RefusesOverlapsAllOrNothing) {
  EditSet set;
  ASSERT_TRUE(set.add({"first", "", {{{2, 5}, "x"}}}));
  // The second fix has one fine edit and one overlapping: none of it applies.
  EXPECT_FALSE(set.add({"second", "", {{{0, 1}, "y"}, {{4, 6}, "z"}}}));
  EXPECT_EQ(set.apply("0123456789"), "01x56789");
  ASSERT_EQ(set.conflicts().size(), 1u);
  EXPECT_EQ(set.conflicts()[0].message(), "second (bytes 4-6) overlaps first (bytes 2-5)");
}

TEST(EditSet, TwoDifferentInsertionsAtOneOffsetConflict) {
  EditSet set;
  ASSERT_TRUE(set.add({"a", "", {{{3, 3}, "x"}}}));
  EXPECT_FALSE(set.add({"b", "", {{{3, 3}, "y"}}}));
  // An insertion at the edge of a replacement is fine; strictly inside is not.
  EXPECT_TRUE(set.add({"c", "", {{{3, 5}, "R"}}}));
  EXPECT_FALSE(set.add({"d", "", {{{4, 4}, "i"}}}));
  EXPECT_EQ(set.apply("0123456"), "012xR56");
}

namespace {
std::string apply_one(const std::string& src, const Edit& e) {
  EditSet set;
  EXPECT_TRUE(set.add({"t", "", {e}}));
  return set.apply(src);
}
}  // namespace

TEST(Builders, InsertBeforeKeepsIndentCrlfAndGoesAboveComments) {
  const std::string src = "FROM x\r\n  # run it\r\n  RUN a\r\n";
  auto tree = syntax::parse(src);
  auto e = edit::insert_before(tree, tree.instructions[1], {"USER app"});
  EXPECT_EQ(apply_one(src, e), "FROM x\r\n  USER app\r\n  # run it\r\n  RUN a\r\n");
}

TEST(Builders, InsertAfterLastLineWithoutNewline) {
  const std::string src = "FROM x\nRUN a \\\n  b";
  auto tree = syntax::parse(src);
  auto e = edit::insert_after(tree, tree.instructions[1], {"USER app"});
  EXPECT_EQ(apply_one(src, e), "FROM x\nRUN a \\\n  b\nUSER app");
}

TEST(Builders, InsertAfterHeredocBody) {
  const std::string src = "FROM x\nRUN <<EOF\necho\nEOF\nCMD y\n";
  auto tree = syntax::parse(src);
  auto e = edit::insert_after(tree, tree.instructions[1], {"USER app"});
  EXPECT_EQ(apply_one(src, e), "FROM x\nRUN <<EOF\necho\nEOF\nUSER app\nCMD y\n");
}

TEST(Builders, RemoveInstructionWithCommentsAndContinuations) {
  const std::string src = "FROM x\n# make a venv\nRUN python -m venv /v \\\n  # inside\n  && true\nCMD y\n";
  auto tree = syntax::parse(src);
  EXPECT_EQ(apply_one(src, edit::remove_instruction(tree, tree.instructions[1])), "FROM x\nCMD y\n");
  EXPECT_EQ(apply_one(src, edit::remove_instruction(tree, tree.instructions[1], false)),
            "FROM x\n# make a venv\nCMD y\n");
}

TEST(Builders, RemoveLastInstructionKeepsNoFinalNewline) {
  const std::string src = "FROM x\nCMD y";
  auto tree = syntax::parse(src);
  EXPECT_EQ(apply_one(src, edit::remove_instruction(tree, tree.instructions[1])), "FROM x");
}

TEST(Builders, ReplaceValueKeepsQuoting) {
  const std::string src = "FROM x\nCMD [\"/opt/venv/bin/python\", \"-m\", \"app\"]\nENV A=\"x\" B='y' C=z\n";
  auto tree = syntax::parse(src);
  EXPECT_EQ(apply_one(src, edit::replace_value(tree, tree.instructions[1], 0, "python")),
            "FROM x\nCMD [\"python\", \"-m\", \"app\"]\nENV A=\"x\" B='y' C=z\n");
  const auto& env = tree.instructions[2];
  EXPECT_EQ(apply_one(src, edit::replace_value(tree, env, 1, "1")),
            "FROM x\nCMD [\"/opt/venv/bin/python\", \"-m\", \"app\"]\nENV A=\"1\" B='y' C=z\n");
  EXPECT_EQ(apply_one(src, edit::replace_value(tree, env, 7, "a b")),
            "FROM x\nCMD [\"/opt/venv/bin/python\", \"-m\", \"app\"]\nENV A=\"x\" B='y' C=\"a b\"\n");
}

TEST(Builders, StyleFollowsTheFile) {
  auto lower = syntax::parse("from x\nrun a\r\n");
  auto st = edit::style_of(lower);
  EXPECT_FALSE(st.upper_keywords);
  EXPECT_EQ(edit::keyword(st, "HEALTHCHECK"), "healthcheck");
  EXPECT_EQ(edit::exec_form({"/usr/bin/tini", "--", "a \"b\""}), "[\"/usr/bin/tini\", \"--\", \"a \\\"b\\\"\"]");
  // JSON keeps UTF-8 and control bytes exactly (escaped); a byte that is not UTF-8 becomes U+FFFD.
  EXPECT_TRUE(edit::json_exact(std::string_view("caf\xc3\xa9 \x01 \"q\"")));
  EXPECT_FALSE(edit::json_exact(std::string_view("caf\xe9")));
  EXPECT_FALSE(edit::json_exact(std::vector<std::string>{"a", "\xff"}));
  EXPECT_EQ(edit::shell_word("a b"), "\"a b\"");
  EXPECT_EQ(edit::shell_word("/usr/local"), "/usr/local");
}
