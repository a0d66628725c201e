// Removals and insertions (model/instruction_edits.hpp, and the removals in a
// RUN's script of model/script_edits.hpp): nothing but what goes is touched,
// and comments inside continuations stay.
#include <gtest/gtest.h>

#include "built.hpp"
#include "edit/edit.hpp"
#include "model/instruction_edits.hpp"
#include "model/script_edits.hpp"
#include "model/values.hpp"

using namespace dockmend;
using test::Built;

namespace {

std::string apply_edits(std::string_view text, const std::vector<edit::Edit>& edits) {
  edit::EditSet set;
  edit::Fix fix;
  fix.rule = "t";
  fix.edits = edits;
  EXPECT_TRUE(set.add(fix));
  return set.apply(text);
}

// Removes the commands at `indexes` of the first RUN.
std::string remove(const std::string& text, const std::vector<std::size_t>& indexes, bool* everything = nullptr) {
  Built b(text);
  const model::Run& run = b.model.runs().front();
  auto r = model::remove_commands(b.tree, run, indexes);
  if (!r) return "<refused>";
  if (everything) *everything = r->everything;
  return apply_edits(text, r->edits);
}

}  // namespace

TEST(ModelEdits, RemovesCommandsWithTheirOperators) {
  EXPECT_EQ(remove("FROM a\nRUN x && y && z\n", {0}), "FROM a\nRUN y && z\n");
  EXPECT_EQ(remove("FROM a\nRUN x && y && z\n", {1}), "FROM a\nRUN x && z\n");
  EXPECT_EQ(remove("FROM a\nRUN x && y && z\n", {2}), "FROM a\nRUN x && y\n");
  EXPECT_EQ(remove("FROM a\nRUN x; y\n", {0}), "FROM a\nRUN y\n");
  // Continuation lines: the removed line goes whole.
  EXPECT_EQ(remove("FROM a\nRUN x \\\n && y \\\n && z\n", {1}), "FROM a\nRUN x \\\n && z\n");
  EXPECT_EQ(remove("FROM a\nRUN x \\\n && y\n", {1}), "FROM a\nRUN x\n");
  // A comment inside the continuation stays.
  EXPECT_EQ(remove("FROM a\nRUN x \\\n    # note\n && y\n", {0}), "FROM a\nRUN \\\n    # note\n y\n");
  // A heredoc script: its line goes.
  EXPECT_EQ(remove("# syntax=docker/dockerfile:1\nFROM a\nRUN <<EOF\nx\ny\nEOF\n", {0}),
            "# syntax=docker/dockerfile:1\nFROM a\nRUN <<EOF\ny\nEOF\n");
  // What would change the meaning of the rest is refused.
  EXPECT_EQ(remove("FROM a\nRUN x || y\n", {1}), "<refused>");
  EXPECT_EQ(remove("FROM a\nRUN x | y\n", {0}), "<refused>");
  EXPECT_EQ(remove("FROM a\nRUN if true; then x; fi\n", {1}), "<refused>");
  bool everything = false;
  remove("FROM a\nRUN x && y\n", {0, 1}, &everything);
  EXPECT_TRUE(everything);
}

TEST(ModelEdits, RemovesJoinedRangesAroundComments) {
  const std::string text = "FROM a\nENV A=1 \\\n    # keep me\n    B=2 \\\n    C=3\n";
  Built b(text);
  const auto& env = b.tree.instructions[1];
  const auto e = model::env_entries(env);
  ASSERT_EQ(e.size(), 3u);
  // B=2 and the blank before C: the line holding only B goes whole, the comment stays.
  const auto edits = model::remove_joined(b.tree, env, {e[1].joined.begin, e[2].joined.begin});
  EXPECT_EQ(apply_edits(text, edits), "FROM a\nENV A=1 \\\n    # keep me\n    C=3\n");
}

TEST(ModelEdits, RemovesAnInstructionWithTheCommentAboutIt) {
  const std::string text = "FROM a\n# the venv\nENV VIRTUAL_ENV=/v\n# ---- section\nENV X=1\n";
  Built b(text);
  EXPECT_EQ(apply_edits(text, {model::remove_instruction(b.tree, b.tree.instructions[1], {"venv"})}),
            "FROM a\n# ---- section\nENV X=1\n");
  EXPECT_EQ(apply_edits(text, {model::remove_instruction(b.tree, b.tree.instructions[2], {"venv"})}),
            "FROM a\n# the venv\nENV VIRTUAL_ENV=/v\n# ---- section\n");
}

TEST(ModelEdits, InsertsAtAPointOfAStage) {
  const std::string text = "FROM a AS one\nRUN x\n\nFROM b\nCMD [\"y\"]\n";
  Built b(text);
  // At the stage's end: after its last instruction, not before the next FROM's comments.
  EXPECT_EQ(apply_edits(text, {model::insert_at(b.model, 0, b.model.stages()[0].end, {"USER app"})}),
            "FROM a AS one\nRUN x\nUSER app\n\nFROM b\nCMD [\"y\"]\n");
  EXPECT_EQ(apply_edits(text, {model::insert_at(b.model, 1, 3, {"EXPOSE 80"})}),
            "FROM a AS one\nRUN x\n\nFROM b\nEXPOSE 80\nCMD [\"y\"]\n");
}
