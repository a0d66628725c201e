// Every built-in rule over every real Dockerfile of the corpus, with the
// built-in default policy: the fixed files keep buildkit's verdict, print back
// from their tree, are a fixpoint (a second fix changes nothing), keep every
// comment line and every line that no fix touched, in order; and most rules
// find something somewhere. Counts are not pinned: docs/rules.md has them.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "../test_support.hpp"
#include "builtin_test_support.hpp"
#include "shell/shell.hpp"
#include "transforms/rule.hpp"

namespace fs = std::filesystem;
using namespace dockmend;

namespace {

std::vector<fs::path> real_files(const fs::path& corpus) {
  std::vector<fs::path> out;
  const fs::path real = corpus / "real";
  if (!fs::exists(real)) return out;
  for (auto& e : fs::recursive_directory_iterator(real)) {
    if (!e.is_regular_file()) continue;
    const auto name = e.path().filename().string();
    if (name == "result" || name == "error" || e.path().parent_path() == real) continue;
    out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> lines_of(const syntax::Tree& t, bool (*keep)(syntax::LineRole)) {
  std::vector<std::string> out;
  for (const auto& l : t.lines)
    if (keep(l.role)) out.emplace_back(t.source.substr(l.begin, l.content_end - l.begin));
  return out;
}

bool is_comment(syntax::LineRole r) {
  return r == syntax::LineRole::Comment || r == syntax::LineRole::ContinuationComment ||
         r == syntax::LineRole::Directive;
}
bool not_instruction(syntax::LineRole r) {
  return r == syntax::LineRole::Comment || r == syntax::LineRole::Blank || r == syntax::LineRole::Directive ||
         r == syntax::LineRole::ContinuationComment;
}

// `sub` appears in `all` in order (other lines may be inserted between).
bool subsequence(const std::vector<std::string>& sub, const std::vector<std::string>& all) {
  std::size_t j = 0;
  for (const auto& s : sub) {
    while (j < all.size() && all[j] != s) ++j;
    if (j == all.size()) return false;
    ++j;
  }
  return true;
}

}  // namespace

TEST(BuiltinCorpus, FixesKeepEveryInvariant) {
  DOCKMEND_REQUIRE_CORPUS(corpus);
  const auto files = real_files(corpus);
  if (files.empty()) GTEST_SKIP() << "no real/ folder in " << corpus;
  const policy::Policy pol = test::default_policy();
  std::map<std::string, std::size_t> findings, fixes;
  std::size_t changed = 0, rejected = 0;
  for (const auto& p : files) {
    const std::string bytes = test::read_bytes(p);
    const std::string name = p.lexically_relative(corpus).generic_string();
    const syntax::Tree before = syntax::parse(bytes, {false});
    auto r = test::run_rules(bytes, {}, pol, name);
    if (r.error) {
      ++rejected;
      EXPECT_FALSE(before.buildkit_ok()) << name;
      EXPECT_EQ(r.fixed, bytes) << name << ": a rejected file must not change";
      continue;
    }
    for (const auto& f : r.findings) {
      ++findings[f.rule];
      if (f.fix) ++fixes[f.rule];
    }
    if (r.fixed == bytes) continue;
    ++changed;
    const syntax::Tree after = syntax::parse(r.fixed);
    EXPECT_TRUE(after.buildkit_ok()) << name << ": the fixed file does not parse: " << after.first_error()->message;
    EXPECT_EQ(syntax::print(after), r.fixed) << name;
    // A second run finds nothing more to fix.
    auto again = test::run_rules(r.fixed, {}, pol, name);
    EXPECT_EQ(again.fixed, r.fixed) << name << ": not idempotent";
    // No comment line is lost, and lines outside instructions stay, in order.
    EXPECT_TRUE(subsequence(lines_of(before, is_comment), lines_of(after, is_comment))) << name << ": comments lost";
    EXPECT_TRUE(subsequence(lines_of(before, not_instruction), lines_of(after, not_instruction)))
        << name << ": a line outside the changed instructions changed";
    // Instructions are kept (ADD may become COPY, MAINTAINER a LABEL), more may be inserted.
    std::vector<std::string> kw_before, kw_after;
    for (const auto& i : before.instructions) kw_before.emplace_back(i.keyword == "add" ? std::string_view("copy") : i.keyword == "maintainer" ? std::string_view("label") : i.keyword);
    for (const auto& i : after.instructions) kw_after.emplace_back(i.keyword == "add" ? std::string_view("copy") : i.keyword);
    EXPECT_TRUE(subsequence(kw_before, kw_after)) << name << ": instructions lost";
    // Shell text that was valid stays valid (fixes insert whole words and commands).
    std::size_t complete_before = 0, complete_after = 0;
    for (const auto& i : before.instructions)
      if (i.is("run") && i.form == syntax::ArgsForm::Shell && i.heredocs.empty())
        complete_before += shell::parse(i.logical_args()).complete;
    for (const auto& i : after.instructions)
      if (i.is("run") && i.form == syntax::ArgsForm::Shell && i.heredocs.empty())
        complete_after += shell::parse(i.logical_args()).complete;
    EXPECT_GE(complete_after, complete_before) << name << ": a RUN no longer parses as shell";
  }
  std::size_t fired = 0;
  const auto& rules = transforms::builtin_rules();
  for (const auto* r : rules) fired += findings.count(std::string(r->id)) ? 1 : 0;
  std::size_t fixable = 0, fixed_somewhere = 0;
  for (const auto* r : rules) {
    if (r->safety == transforms::FixSafety::ReportOnly) continue;
    ++fixable;
    fixed_somewhere += fixes.count(std::string(r->id)) ? 1 : 0;
  }
  EXPECT_GE(fired * 4, rules.size() * 3) << "fewer than 3/4 of the built-in rules fire on " << files.size() << " files";
  EXPECT_GE(fixed_somewhere * 3, fixable * 2) << "fewer than 2/3 of the fixable rules fix anything";
  EXPECT_GT(changed * 2, files.size()) << "most real files have something to fix";
  EXPECT_LT(rejected * 100, files.size()) << "more than 1% of the corpus rejected";
  // Report-only rules never carry a fix.
  for (const auto* r : rules) {
    if (r->safety == transforms::FixSafety::ReportOnly) {
      EXPECT_EQ(fixes.count(std::string(r->id)), 0u) << r->id;
    }
  }
}
