// Where the built-in rules put flags and cleanup commands in a file's layout
// (through model/script_edits.hpp), and what the registry holds. What the model
// says about stages and RUN scripts is tested in tests/model.
#include <gtest/gtest.h>

#include <set>

#include "builtin_test_support.hpp"
#include "transforms/rule.hpp"

using namespace dockmend;

// Appending a cleanup goes to the end of the RUN's shell text, in the file's layout.
TEST(BuiltinAppend, PlacesAndRefusals) {
  auto fixed = [](const std::string& run) {
    return test::fix_with("apt-lists-cleanup", "FROM debian\nRUN " + run + "\nUSER x\n");
  };
  EXPECT_EQ(fixed("apt-get update && apt-get install -y x"),
            "FROM debian\nRUN apt-get update && apt-get install -y x && rm -rf /var/lib/apt/lists/*\nUSER x\n");
  // Before a trailing `;`, not inside `-exec ... \;`.
  EXPECT_EQ(fixed("apt-get update && apt-get install -y x;"),
            "FROM debian\nRUN apt-get update && apt-get install -y x && rm -rf /var/lib/apt/lists/*;\nUSER x\n");
  EXPECT_EQ(fixed("apt-get update && apt-get install -y x && find / -name y -exec rm {} \\;"),
            "FROM debian\nRUN apt-get update && apt-get install -y x && find / -name y -exec rm {} \\; && rm -rf "
            "/var/lib/apt/lists/*\nUSER x\n");
  // A trailing comment, a background job or an exit: left alone.
  for (const std::string run : {"apt-get update && apt-get install -y x # done", "apt-get update && apt-get install -y x &",
                                "apt-get update && apt-get install -y x; exit 0"})
    EXPECT_EQ(fixed(run), "FROM debian\nRUN " + run + "\nUSER x\n") << run;
}

TEST(BuiltinAppend, ContinuationAndCrlfLayoutKept) {
  const std::string src = "FROM debian\r\nRUN apt-get update \\\r\n  # why\r\n  && apt-get install -y x\r\nUSER x\r\n";
  EXPECT_EQ(test::fix_with("apt-lists-cleanup", src),
            "FROM debian\r\nRUN apt-get update \\\r\n  # why\r\n  && apt-get install -y x && rm -rf "
            "/var/lib/apt/lists/*\r\nUSER x\r\n");
}

TEST(BuiltinFlags, FlagGoesBeforeTheContinuation) {
  // `install` ends its line: the flag lands on that line, before the backslash.
  const std::string src = "FROM debian\nRUN apt-get install\\\n  curl\nUSER x\n";
  EXPECT_EQ(test::fix_with("apt-get-yes", src), "FROM debian\nRUN apt-get install -y\\\n  curl\nUSER x\n");
}

TEST(BuiltinFlags, BacktickEscapeFile) {
  const std::string src = "# escape=`\nFROM debian\nRUN apt-get update && `\n    apt-get install curl\nUSER x\n";
  EXPECT_EQ(test::fix_with("apt-get-yes", src),
            "# escape=`\nFROM debian\nRUN apt-get update && `\n    apt-get install -y curl\nUSER x\n");
}

TEST(BuiltinRegistry, IdsAliasesAndSafety) {
  std::set<std::string> ids;
  for (const auto* r : transforms::builtin_rules()) {
    const std::string id(r->id);
    EXPECT_TRUE(ids.insert(id).second) << "duplicate id " << id;
    for (char c : id) EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') << id;
    EXPECT_EQ(r->kind, transforms::RuleKind::Builtin) << id;
    EXPECT_FALSE(r->aliases.empty()) << id << " has no hadolint/buildkit/Parfum name";
    EXPECT_EQ(r->fix.empty(), r->safety == transforms::FixSafety::ReportOnly) << id;
    EXPECT_NE(r->check, nullptr) << id;
  }
  EXPECT_GE(ids.size(), 40u);
  for (const char* alias : {"DL3014", "DL3015", "DL3009", "DL3025", "JSONArgsRecommended", "DL3020", "DL4006",
                            "DL3002", "LegacyKeyValueFormat", "FromAsCasing", "StageNameCasing", "DL3042", "DL3019"}) {
    const auto* r = transforms::find_rule(alias);
    ASSERT_NE(r, nullptr) << alias;
    EXPECT_EQ(r->kind, transforms::RuleKind::Builtin) << alias;
  }
}

TEST(BuiltinRegistry, OffUnlessTheDefaultIsExtended) {
  policy::Policy plain;  // a dockmend.yaml without `extends: default`
  const auto r = test::run_rules("FROM debian\nRUN apt-get install curl\n", {}, plain);
  EXPECT_TRUE(r.findings.empty());
  EXPECT_EQ(r.fixed, "FROM debian\nRUN apt-get install curl\n");
}
