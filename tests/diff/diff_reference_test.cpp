// unified_diff against the real tools: byte-equal to `diff -u` and `git diff
// --no-index` where the diff is unambiguous, and always accepted by `patch -p1`
// and `git apply`, turning the old text into exactly the new one.

#include "diff/unified_diff.hpp"

#include "diff_test_support.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace dockmend::diff {
namespace {

using testing::CommandResult;
using testing::quote;
using testing::run;
using testing::strip_git_preamble;
using testing::TempDir;
using testing::write_file;

struct TextPair {
  std::string old_text;
  std::string new_text;
};

// Lines are unique across both texts (a counter in each) and kept lines stay in
// order, so the longest common subsequence is unique and every correct diff tool
// must print the same hunks. Lines start with a digit so git finds no "function
// name" to append to the @@ line.
TextPair make_unique_pair(std::mt19937& rng) {
  int counter = 0;
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  const int crlf_mode = pick(3);  // 0: all LF, 1: all CRLF, 2: mixed
  auto eol = [&] { return crlf_mode == 0 ? "\n" : crlf_mode == 1 ? "\r\n" : (pick(2) ? "\r\n" : "\n"); };
  auto fresh = [&] { return std::to_string(++counter) + " RUN step " + std::to_string(pick(1000)) + eol(); };

  std::vector<std::string> old_lines;
  const int n = pick(4) == 0 ? pick(4) : pick(40);
  for (int i = 0; i < n; ++i) old_lines.push_back(fresh());

  std::vector<std::string> new_lines;
  for (const std::string& line : old_lines) {
    switch (pick(10)) {
      case 0: break;  // delete
      case 1: new_lines.push_back(fresh()); break;  // replace
      case 2:  // insert before
        new_lines.push_back(fresh());
        new_lines.push_back(line);
        break;
      case 3: {  // flip the line ending
        std::string flipped = line;
        if (flipped.size() >= 2 && flipped[flipped.size() - 2] == '\r') {
          flipped.erase(flipped.size() - 2, 1);
        } else {
          flipped.insert(flipped.size() - 1, "\r");
        }
        new_lines.push_back(flipped);
        break;
      }
      default: new_lines.push_back(line);
    }
  }
  for (int extra = pick(3); extra > 0; --extra) new_lines.push_back(fresh());

  auto join = [](const std::vector<std::string>& lines) {
    std::string text;
    for (const std::string& line : lines) text += line;
    return text;
  };
  TextPair pair{join(old_lines), join(new_lines)};
  // Sometimes drop the final newline on one or both sides.
  auto chop = [](std::string& text) {
    if (!text.empty() && text.back() == '\n') text.pop_back();
  };
  if (pick(4) == 0) chop(pair.old_text);
  if (pick(4) == 0) chop(pair.new_text);
  return pair;
}

// Few distinct lines, many repeats: the diff is ambiguous, so only its size and
// its effect can be checked.
TextPair make_repetitive_pair(std::mt19937& rng) {
  static const std::vector<std::string> k_alphabet = {"1 FROM a\n", "2 RUN b\n", "3 RUN c\n",
                                                      "4 RUN b\r\n", "\n"};
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  auto make = [&] {
    std::string text;
    for (int i = pick(25); i > 0; --i) text += k_alphabet[static_cast<std::size_t>(pick(5))];
    if (pick(5) == 0 && !text.empty()) text.pop_back();
    return text;
  };
  TextPair pair{make(), make()};
  if (pick(2) == 0) {  // mostly similar texts, too
    pair.new_text = pair.old_text;
    const std::size_t at = pair.old_text.empty() ? 0 : rng() % pair.old_text.size();
    pair.new_text.insert(at, k_alphabet[static_cast<std::size_t>(pick(5))]);
  }
  return pair;
}

DiffOptions git_labels(int context) {
  DiffOptions options;
  options.old_label = "a/o";
  options.new_label = "b/n";
  options.context = context;
  return options;
}

CommandResult reference_diff(const TempDir& dir, int context, const std::string& extra = "") {
  return run("cd " + quote(dir.path().string()) + " && diff " + extra + " -U" +
             std::to_string(context) + " --label a/o --label b/n o n");
}

std::string reference_git_diff(const TempDir& dir, int context, bool color) {
  const std::string flags = color ? "--color=always --ws-error-highlight=none" : "--no-color";
  const CommandResult result = run("cd " + quote(dir.path().string()) +
                                   " && git diff --no-index --no-ext-diff --no-textconv " + flags +
                                   " -U" + std::to_string(context) + " o n");
  return strip_git_preamble(result.output);
}

// Counts "-" and "+" lines of a diff body (after the two header lines).
std::pair<int, int> count_changes(const std::string& diff) {
  int removed = 0, added = 0, line_number = 0;
  std::size_t at = 0;
  while (at < diff.size()) {
    const std::size_t nl = diff.find('\n', at);
    const std::size_t end = nl == std::string::npos ? diff.size() : nl + 1;
    if (++line_number > 2) {
      if (diff[at] == '-') ++removed;
      if (diff[at] == '+') ++added;
    }
    at = end;
  }
  return {removed, added};
}

TEST(DiffReference, ByteEqualToDiffAndGitOnUnambiguousPairs) {
  std::mt19937 rng(20240611);
  TempDir dir;
  const int k_contexts[] = {0, 1, 3, 10};
  int compared = 0;
  for (int round = 0; round < 300; ++round) {
    const TextPair pair = make_unique_pair(rng);
    const int context = k_contexts[round % 4];
    write_file(dir / "o", pair.old_text);
    write_file(dir / "n", pair.new_text);
    const std::string ours = unified_diff(pair.old_text, pair.new_text, git_labels(context));

    const CommandResult gnu = reference_diff(dir, context);
    ASSERT_EQ(gnu.status, pair.old_text == pair.new_text ? 0 : 1);
    ASSERT_EQ(ours, gnu.output) << "round " << round << " context " << context;

    const std::string git = reference_git_diff(dir, context, false);
    ASSERT_EQ(ours, git) << "round " << round << " context " << context;
    ++compared;
  }
  EXPECT_EQ(compared, 300);
}

TEST(DiffReference, ColorByteEqualToGit) {
  std::mt19937 rng(7);
  TempDir dir;
  for (int round = 0; round < 60; ++round) {
    const TextPair pair = make_unique_pair(rng);
    write_file(dir / "o", pair.old_text);
    write_file(dir / "n", pair.new_text);
    DiffOptions options = git_labels(3);
    options.color = true;
    ASSERT_EQ(unified_diff(pair.old_text, pair.new_text, options), reference_git_diff(dir, 3, true))
        << "round " << round;
  }
}

TEST(DiffReference, MinimalOnRepetitiveInput) {
  // dtl's O(NP) algorithm finds a shortest edit script: as many changed lines as
  // `diff --minimal`, even when the lines it picks differ.
  std::mt19937 rng(99);
  TempDir dir;
  for (int round = 0; round < 150; ++round) {
    const TextPair pair = make_repetitive_pair(rng);
    write_file(dir / "o", pair.old_text);
    write_file(dir / "n", pair.new_text);
    const std::string ours = unified_diff(pair.old_text, pair.new_text, git_labels(3));
    const CommandResult gnu = reference_diff(dir, 3, "--minimal");
    ASSERT_EQ(count_changes(ours), count_changes(gnu.output))
        << "round " << round << "\nours:\n" << ours << "\ndiff:\n" << gnu.output;
  }
}

// Applies `patch_text` with GNU patch and with git apply (each in a fresh copy of
// the old tree) and checks that both accept it (dry run first) and produce `new_text`.
void expect_applies(const std::string& old_text, const std::string& new_text, int context,
                    bool new_file = false, bool deleted_file = false) {
  DiffOptions options;
  options.old_label = new_file ? "/dev/null" : "a/svc/Dockerfile";
  options.new_label = deleted_file ? "/dev/null" : "b/svc/Dockerfile";
  options.context = context;
  const std::string patch_text = unified_diff(old_text, new_text, options);
  ASSERT_FALSE(patch_text.empty());

  for (const bool use_git : {false, true}) {
    SCOPED_TRACE(use_git ? "git apply" : "patch");
    TempDir dir;
    const std::string target = dir / "svc/Dockerfile";
    if (!new_file) write_file(target, old_text);
    std::filesystem::create_directories(dir.path() / "svc");
    write_file(dir / "change.patch", patch_text);
    const std::string cd = "cd " + quote(dir.path().string()) + " && ";
    // git needs --unidiff-zero to accept hunks without context lines.
    const std::string git_flags = context == 0 ? " --unidiff-zero" : "";
    const std::string check = use_git ? "git apply --check" + git_flags + " change.patch 2>&1"
                                      : "patch -p1 --dry-run -s < change.patch 2>&1";
    const CommandResult checked = run(cd + check);
    ASSERT_EQ(checked.status, 0) << checked.output << "\npatch:\n" << patch_text;
    const std::string apply = use_git ? "git apply" + git_flags + " change.patch 2>&1"
                                      : "patch -p1 -s --no-backup-if-mismatch < change.patch 2>&1";
    const CommandResult applied = run(cd + apply);
    ASSERT_EQ(applied.status, 0) << applied.output << "\npatch:\n" << patch_text;
    if (deleted_file) {
      EXPECT_FALSE(std::filesystem::exists(target));
    } else {
      EXPECT_EQ(testing::read_file(target), new_text) << "patch:\n" << patch_text;
    }
  }
}

std::string numbered(int from, int to, const char* eol = "\n") {
  std::string text;
  for (int i = from; i <= to; ++i) text += std::to_string(i) + " RUN echo " + std::to_string(i) + eol;
  return text;
}

TEST(DiffApplies, CrlfFiles) {
  const std::string old_text = numbered(1, 12, "\r\n");
  std::string new_text = old_text;
  new_text.replace(new_text.find("5 RUN echo 5\r\n"), 14, "5 RUN changed\r\n");
  for (int context : {0, 3, 10}) expect_applies(old_text, new_text, context);
  // CRLF -> LF on some lines only.
  std::string mixed = old_text;
  mixed.replace(mixed.find("7 RUN echo 7\r\n"), 14, "7 RUN echo 7\n");
  expect_applies(old_text, mixed, 3);
}

TEST(DiffApplies, NoFinalNewlineOnEitherSide) {
  const std::string base = numbered(1, 6);
  const std::string chopped = base.substr(0, base.size() - 1);
  for (int context : {0, 3, 10}) {
    expect_applies(base, chopped, context);
    expect_applies(chopped, base, context);
    expect_applies(chopped, chopped + "\n7 added", context);
    expect_applies("1 RUN a\n2 RUN b", "0 FROM x\n1 RUN a\n2 RUN b", context);
  }
}

TEST(DiffApplies, NewAndDeletedFiles) {
  expect_applies("", numbered(1, 5), 3, /*new_file=*/true);
  expect_applies("", "1 FROM x", 3, /*new_file=*/true);
  expect_applies(numbered(1, 5), "", 3, false, /*deleted_file=*/true);
}

TEST(DiffApplies, DeletedContent) {
  const std::string old_text = numbered(1, 30);
  std::string new_text = numbered(1, 10) + numbered(21, 30);
  for (int context : {0, 1, 3, 10}) expect_applies(old_text, new_text, context);
  expect_applies(old_text, "", 3);  // emptied, file kept
}

TEST(DiffApplies, ChangesAtStartAndEnd) {
  const std::string old_text = numbered(1, 20);
  const std::string new_text = "0 FROM new\n" + numbered(2, 19) + "20 RUN last\n21 RUN more\n";
  for (int context : {0, 1, 3, 10}) expect_applies(old_text, new_text, context);
}

TEST(DiffApplies, ManyHunks) {
  const std::string old_text = numbered(1, 400);
  std::string new_text;
  for (int i = 1; i <= 400; ++i) {
    if (i % 11 == 0) continue;                                      // deletions
    if (i % 17 == 0) new_text += std::to_string(i) + " RUN new\n";  // insertions
    new_text += std::to_string(i) + (i % 13 == 0 ? " RUN edited\n" : " RUN echo " + std::to_string(i) + "\n");
  }
  for (int context : {0, 1, 3, 10}) expect_applies(old_text, new_text, context);
}

TEST(DiffApplies, RandomPairs) {
  std::mt19937 rng(4242);
  for (int round = 0; round < 40; ++round) {
    const TextPair pair = round % 2 ? make_unique_pair(rng) : make_repetitive_pair(rng);
    if (pair.old_text == pair.new_text || pair.old_text.empty()) continue;
    SCOPED_TRACE("round " + std::to_string(round));
    expect_applies(pair.old_text, pair.new_text, round % 4 == 0 ? 0 : 3);
  }
}

}  // namespace
}  // namespace dockmend::diff
