#include <gtest/gtest.h>

#include <deque>
#include <optional>
#include <random>

#include "syntax/dump.hpp"
#include "syntax/tree.hpp"
#include "syntax/unicode.hpp"

using namespace dockmend::syntax;
using namespace std::string_literals;

namespace {

// The tree views its source: keep every source alive for the whole test run.
Tree roundtrip(const std::string& input) {
  static std::deque<std::string> sources;
  const std::string& s = sources.emplace_back(input);
  Tree t = parse(s);
  EXPECT_EQ(print(t), s);
  std::uint32_t pos = 0;
  for (const auto& tok : t.tokens) {
    EXPECT_EQ(tok.span.begin, pos);
    EXPECT_LT(tok.span.begin, tok.span.end);
    pos = tok.span.end;
  }
  EXPECT_EQ(pos, s.size());
  return t;
}

std::string kinds(const Tree& t) {
  std::string out;
  for (const auto& tok : t.tokens) {
    if (!out.empty()) out += ' ';
    out += token_kind_name(tok.kind);
  }
  return out;
}

}  // namespace

TEST(Parser, EmptyFileRoundTripsAndIsRejected) {
  Tree t = roundtrip("");
  EXPECT_FALSE(t.buildkit_ok());
  EXPECT_EQ(t.first_error()->message, "file with no instructions");
}

TEST(Parser, TokensOfASimpleFile) {
  Tree t = roundtrip("FROM alpine AS base\nRUN [\"echo\", \"hi\"]\n");
  EXPECT_EQ(kinds(t),
            "keyword whitespace word whitespace word whitespace word newline "
            "keyword whitespace json-punct json-string json-punct whitespace json-string json-punct newline");
  EXPECT_EQ(dump_buildkit(t), "(from \"alpine\" \"AS\" \"base\")\n(run \"echo\" \"hi\")\n");
  auto stages = t.stages();
  ASSERT_EQ(stages.size(), 1u);
  EXPECT_EQ(stages[0].name, "base");
}

TEST(Parser, CrlfBomNoFinalNewlineTabsNul) {
  const std::string s = "\xEF\xBB\xBF" "FROM a\r\n\tRUN x \\\r\n  y\r\nCMD [\"a\"]\r\nLABEL k=\"v\0w\"\r\nENV A=1"s;
  Tree t = roundtrip(s);
  ASSERT_TRUE(t.buildkit_ok());
  EXPECT_TRUE(t.has_bom);
  EXPECT_EQ(t.newline(), "\r\n");
  ASSERT_EQ(t.instructions.size(), 5u);
  EXPECT_EQ(t.instructions[1].values[0].text, "x   y");
  EXPECT_EQ(t.instructions[1].first_line, 1u);
  EXPECT_EQ(t.instructions[1].last_line, 2u);
}

TEST(Parser, ContinuationSkipsCommentsAndBlankLines) {
  Tree t = roundtrip("RUN a \\\n# comment \\\n\n   \n  b\n");
  ASSERT_EQ(t.instructions.size(), 1u);
  EXPECT_EQ(t.instructions[0].values[0].text, "a   b");
  EXPECT_EQ(t.lines[1].role, LineRole::ContinuationComment);
  EXPECT_EQ(t.lines[2].role, LineRole::ContinuationBlank);
}

TEST(Parser, EscapeDirectiveSwitchesContinuation) {
  Tree t = roundtrip("# escape=`\nFROM windows\nRUN dir `\n  c:\\\n");
  ASSERT_EQ(t.instructions.size(), 2u);
  EXPECT_EQ(t.escape, '`');
  EXPECT_EQ(t.instructions[1].values[0].text, "dir   c:\\");
  EXPECT_EQ(t.lines[0].role, LineRole::Directive);
}

TEST(Parser, DirectiveAfterCommentIsAComment) {
  Tree t = roundtrip("# hello\n# escape=`\nFROM x\nRUN a `\n");
  EXPECT_EQ(t.escape, '\\');
  EXPECT_EQ(t.lines[1].role, LineRole::Comment);
}

TEST(Parser, RepeatedDirectiveIsAnError) {
  Tree t = roundtrip("# syntax=a\n# syntax=b\nFROM x\n");
  ASSERT_FALSE(t.buildkit_ok());
  EXPECT_EQ(t.first_error()->message, "only one syntax parser directive can be used");
  EXPECT_EQ(t.first_error()->line, 2u);
}

TEST(Parser, Heredocs) {
  Tree t = roundtrip("FROM x\nRUN <<EOF cat >/a && 3<<-\"END\" cat\nline 1\n  EOF \nEOF\n\t\tEND\nCMD x\n");
  ASSERT_TRUE(t.buildkit_ok());
  ASSERT_EQ(t.instructions.size(), 3u);
  const auto& run = t.instructions[1];
  ASSERT_EQ(run.heredocs.size(), 2u);
  EXPECT_EQ(run.heredocs[0].name, "EOF");
  EXPECT_TRUE(run.heredocs[0].expand);
  EXPECT_EQ(run.heredocs[1].name, "END");
  EXPECT_TRUE(run.heredocs[1].chomp);
  EXPECT_FALSE(run.heredocs[1].expand);
  EXPECT_EQ(run.heredocs[1].fd, 3u);
  EXPECT_EQ(t.text(run.heredocs[0].body), "line 1\n  EOF \n");
  EXPECT_EQ(t.lines[4].role, LineRole::HeredocEnd);
  EXPECT_EQ(t.lines[5].role, LineRole::HeredocEnd);
}

TEST(Parser, HeredocOnlyWhereBuildkitSeesOne) {
  // Exec form, other instructions and quoted markers are not heredocs.
  Tree t = roundtrip("FROM x\nRUN [\"<<EOF\"]\nENV A=<<EOF\nRUN echo \"<<EOF\"\nRUN cat << EOF\n");
  for (const auto& i : t.instructions) EXPECT_TRUE(i.heredocs.empty()) << i.keyword;
  EXPECT_TRUE(t.buildkit_ok());
}

// buildkit's splitCommand lower-cases the keyword with Go's strings.ToLower:
// byte by byte when every byte is ASCII, else rune by rune through
// unicode.ToLower (simple case mapping), each byte that is not UTF-8 becoming
// U+FFFD. So the keyword can grow, and a non-ASCII capital can make a known one
// (KELVIN SIGN lowers to `k`, LATIN CAPITAL I WITH DOT ABOVE to `i`).
TEST(Parser, KeywordLowerCaseIsGosStringsToLower) {
  Tree t = roundtrip("FRO\xffM x\nHEALTHCHEC\u212A NONE\nENTRYPO\u0130NT [\"a\"]\n\u00c9CHO x\nFROM x\n");
  ASSERT_EQ(t.instructions.size(), 5u);
  EXPECT_EQ(t.instructions[0].keyword, "fro\xEF\xBF\xBDm");
  EXPECT_EQ(t.instructions[1].keyword, "healthcheck");
  EXPECT_EQ(t.instructions[2].keyword, "entrypoint");
  EXPECT_EQ(t.instructions[2].form, ArgsForm::Json);
  EXPECT_EQ(t.instructions[3].keyword, "\u00e9cho");
  EXPECT_EQ(dump_buildkit(t), "(fro\xEF\xBF\xBDm \"\")\n(healthcheck \"NONE\")\n(entrypoint \"a\")\n(\u00e9cho \"\")\n(from \"x\")\n");
  // The keyword token is the keyword's bytes in the source, not its lower case.
  EXPECT_EQ(t.text(t.tokens[0].span), "FRO\xffM");
  EXPECT_EQ(t.tokens[0].kind, TokenKind::Keyword);
}

// Flags are escaped with the file's escape character (BUILDKIT-NOTES: it
// "changes continuation, word and flag parsing"). Under `# escape=``, a
// backslash is a plain byte in a flag, also when it ends the line inside a
// quote: buildkit dumps `ARCH="$(dpkg --print-architecture)"; \` with the flag
// `--print-architecture); \` (corpus buildkit-differential/, e.g. s2-c121).
TEST(Parser, FlagsAreEscapedWithTheFilesEscapeCharacter) {
  Tree t = roundtrip("# escape=`\nFROM x\nRUN --a=\"b \\\nRUN --a=b\\c x\nRUN --a=\"b`\"c\" x\nRUN --a=b``c x\n");
  ASSERT_TRUE(t.buildkit_ok());
  ASSERT_EQ(t.instructions.size(), 5u);
  std::vector<std::string> flags;
  for (std::size_t i = 1; i < 5; ++i) {
    ASSERT_EQ(t.instructions[i].flags.size(), 1u) << i;
    flags.emplace_back(t.instructions[i].flags[0].raw);
  }
  EXPECT_EQ(flags, (std::vector<std::string>{"--a=b \\", "--a=b\\c", "--a=b\"c", "--a=b`c"}));
  Tree d = roundtrip("FROM x\nRUN --a=\"b\\\"c\" --d=e\\f x\n");
  ASSERT_EQ(d.instructions[1].flags.size(), 2u);
  EXPECT_EQ(d.instructions[1].flags[0].raw, "--a=b\"c");
  EXPECT_EQ(d.instructions[1].flags[1].raw, "--d=ef");
}

// Heredoc words come from buildkit's shell lexer, whose errors leave the line
// without heredocs: `${` with an unsupported modifier (a space, a `<`) or no `}`,
// even inside double quotes. An expansion's text is split on white space like
// plain text, so `${B:-"a <<EOF"}` makes the word `<<EOF"}`, whose delimiter
// `EOF"}` cannot be read on its own: buildkit rejects the file.
TEST(Parser, HeredocsAsBuildkitsShellLexerSplitsTheLine) {
  for (const char* line : {"RUN a ${B C <<EOF", "RUN a ${B<<EOF", "RUN a \"${B\" <<EOF", "RUN a ${B:-<<EOF",
                           "COPY ${ <<EOF /a", "RUN ${B/x <<EOF"}) {
    Tree t = roundtrip("FROM x\n"s + line + "\n");
    EXPECT_TRUE(t.buildkit_ok()) << line;
    EXPECT_TRUE(t.instructions.back().heredocs.empty()) << line;
  }
  Tree found = roundtrip("FROM x\nRUN cat ${B:-x y} $C \"${D}\" <<EOF\nbody\nEOF\n");
  ASSERT_TRUE(found.buildkit_ok());
  ASSERT_EQ(found.instructions[1].heredocs.size(), 1u);
  EXPECT_EQ(found.instructions[1].heredocs[0].name, "EOF");
  Tree dollar = roundtrip("FROM x\nRUN cat <<EOF$\nbody\nEOF$\n");
  ASSERT_TRUE(dollar.buildkit_ok());
  ASSERT_EQ(dollar.instructions[1].heredocs.size(), 1u);
  EXPECT_EQ(dollar.instructions[1].heredocs[0].name, "EOF$");
  Tree split = roundtrip("FROM x\nRUN cat ${B:-\"a <<EOF\"}\n");
  ASSERT_FALSE(split.buildkit_ok());
  EXPECT_EQ(split.first_error()->message,
            "failed to process \"EOF\\\"}\": unexpected end of statement while looking for matching double-quote");
}

TEST(Parser, UnterminatedHeredocIsAnErrorButRoundTrips) {
  Tree t = roundtrip("FROM x\nCOPY <<EOF /a\nbody\n");
  ASSERT_FALSE(t.buildkit_ok());
  EXPECT_EQ(t.first_error()->message, "unterminated heredoc");
  EXPECT_EQ(t.first_error()->line, 2u);
}

TEST(Parser, ExecFormFallsBackToShellForm) {
  Tree t = roundtrip("FROM x\nCMD ['a']\nCMD [\"a\"] x\nENTRYPOINT [\"a\",\n");
  EXPECT_EQ(t.instructions[1].form, ArgsForm::Shell);
  EXPECT_EQ(t.instructions[2].form, ArgsForm::Shell);
  EXPECT_EQ(t.instructions[3].form, ArgsForm::Shell);
  Tree bad = roundtrip("FROM x\nCMD [\"a\", 1]\n");
  ASSERT_FALSE(bad.buildkit_ok());
  EXPECT_EQ(bad.first_error()->line, 2u);
  EXPECT_EQ(bad.first_error()->column, 5u);
}

TEST(Parser, FlagsOnbuildHealthcheck) {
  Tree t = roundtrip(
      "FROM --platform=$BUILDPLATFORM x AS b\nCOPY --from=b --chown=u:g --link a /b\n"
      "ONBUILD RUN --mount=type=cache,target=/c make\nHEALTHCHECK --interval=5s CMD curl -f http://x/ || exit 1\n"
      "HEALTHCHECK NONE\nfoo bar\n");
  ASSERT_TRUE(t.buildkit_ok());
  const auto& copy = t.instructions[1];
  ASSERT_EQ(copy.flags.size(), 3u);
  EXPECT_EQ(copy.flag("from")->value, "b");
  EXPECT_FALSE(copy.flag("link")->has_value);
  EXPECT_EQ(t.text(copy.value_source(0)), "a");
  ASSERT_TRUE(t.instructions[2].sub);
  EXPECT_EQ(t.instructions[2].sub->keyword, "run");
  EXPECT_EQ(t.instructions[2].sub->flag("mount")->value, "type=cache,target=/c");
  EXPECT_EQ(dump_buildkit(t),
            "(from [\"--platform=$BUILDPLATFORM\"] \"x\" \"AS\" \"b\")\n"
            "(copy [\"--from=b\" \"--chown=u:g\" \"--link\"] \"a\" \"/b\")\n"
            "(onbuild (run [\"--mount=type=cache,target=/c\"] \"make\"))\n"
            "(healthcheck [\"--interval=5s\"] \"CMD\" \"curl -f http://x/ || exit 1\")\n"
            "(healthcheck \"NONE\")\n"
            "(foo \"\")\n");
}

TEST(Parser, EnvForms) {
  Tree t = roundtrip("FROM x\nENV A 1 2\nENV B=\"x y\" C=3 \\\n    D=4\nLABEL a=b\n");
  ASSERT_TRUE(t.buildkit_ok());
  const auto& legacy = t.instructions[1];
  ASSERT_EQ(legacy.values.size(), 3u);
  EXPECT_EQ(legacy.values[1].text, "1 2");
  const auto& env = t.instructions[2];
  ASSERT_EQ(env.values.size(), 9u);
  EXPECT_EQ(env.values[1].text, "\"x y\"");
  EXPECT_EQ(t.text(env.value_source(9 - 2)), "4");
}

TEST(Parser, CommentsAttachToTheNextInstruction) {
  Tree t = roundtrip("FROM x\n\n# one\n# two\nRUN a\n# far\n\nRUN b\n");
  const auto& c = t.instructions[1].comments;
  EXPECT_EQ(std::vector<std::uint32_t>(c.begin(), c.end()), (std::vector<std::uint32_t>{2, 3}));
  EXPECT_TRUE(t.instructions[2].comments.empty());
}

// Instructions own nothing: their strings view the source or the tree's
// Storage, which copies of the tree share. A copy must stay readable after the
// tree it was copied from is gone (ASan checks the reads), and every kind of
// stored string must hold what buildkit reads.
TEST(Parser, CopiesOfATreeKeepItsStorage) {
  const std::string src =
      "FROM x AS b\n"
      "COPY --from=\"b\" --chmod='7 5' a \\\n  c/\n"
      "CMD [\"a\\tb\", \"\\u00e9\", \"plain\"]\n"
      "ENV \"K\"=\"v w\" X=\xff\n"
      "onBuild RUN echo \\\n  hi\n"
      "RUN <<'EO F' cat\nbody\nEO F\n"
      "Frobnicate a\n";
  std::optional<Tree> copy;
  {
    const Tree t = parse(src);
    copy = t;
    EXPECT_EQ(copy->storage.get(), t.storage.get());
  }
  const Tree& t = *copy;
  ASSERT_EQ(t.instructions.size(), 7u);
  const auto& cp = t.instructions[1];
  EXPECT_EQ(cp.logical.text, "COPY --from=\"b\" --chmod='7 5' a   c/");
  ASSERT_EQ(cp.flags.size(), 2u);
  EXPECT_EQ(cp.flags[0].raw, "--from=b");
  EXPECT_EQ(cp.flags[0].value, "b");
  EXPECT_EQ(cp.flags[1].name, "chmod");
  EXPECT_EQ(cp.flags[1].value, "7 5");
  ASSERT_EQ(cp.values.size(), 2u);
  EXPECT_EQ(cp.values[1].text, "c/");
  const auto& cmd = t.instructions[2];
  ASSERT_EQ(cmd.values.size(), 3u);
  EXPECT_EQ(cmd.values[0].text, "a\tb");
  EXPECT_EQ(cmd.values[1].text, "\xc3\xa9");
  EXPECT_EQ(cmd.values[2].text, "plain");
  const auto& env = t.instructions[3];
  ASSERT_EQ(env.values.size(), 6u);
  EXPECT_EQ(env.values[0].text, "\"K\"");
  EXPECT_EQ(env.values[1].text, "\"v w\"");
  EXPECT_EQ(env.values[4].text, "\xef\xbf\xbd");  // parseWords reads the stray byte as U+FFFD
  const auto& on = t.instructions[4];
  EXPECT_EQ(on.keyword, "onbuild");
  ASSERT_NE(on.sub, nullptr);
  EXPECT_EQ(on.sub->keyword, "run");
  EXPECT_EQ(on.sub->values[0].text, "echo   hi");
  EXPECT_EQ(on.sub->span, on.span);
  ASSERT_EQ(t.instructions[5].heredocs.size(), 1u);
  EXPECT_EQ(t.instructions[5].heredocs[0].name, "EO F");
  EXPECT_EQ(t.instructions[6].keyword, "frobnicate");
  EXPECT_EQ(dump_buildkit(t),
            "(from \"x\" \"AS\" \"b\")\n"
            "(copy [\"--from=b\" \"--chmod=7 5\"] \"a\" \"c/\")\n"
            "(cmd \"a\\tb\" \"\u00e9\" \"plain\")\n"
            "(env \"\\\"K\\\"\" \"\\\"v w\\\"\" \"=\" \"X\" \"\ufffd\" \"=\")\n"
            "(onbuild (run \"echo   hi\"))\n"
            "(run \"<<'EO F' cat\")\n"
            "(frobnicate \"\")\n");
}

// A parse reuses its thread's scratch vectors: nothing of a tree may live
// there. Parse a file, then another that overwrites the scratch, and read the
// first again.
TEST(Parser, TreesDoNotShareTheParsersScratch) {
  const std::string a = "FROM a AS one\nCOPY --from=one [\"x\", \"y\"] /z\n# c\nENV K=v \\\n  L=w\nRUN <<EOF\nhi\nEOF\n";
  const Tree first = parse(a);
  const std::string dump = dump_buildkit(first);
  const std::string json = dump_json(first, "a");
  std::string b;
  for (int i = 0; i < 200; ++i) b += "FROM b" + std::to_string(i) + "\nCOPY --chown=u:g [\"p\", \"q\"] /r\nENV M=n \\\n  O=p\n# d\n";
  const Tree second = parse(b);
  EXPECT_GE(parse_scratch_bytes(), second.lines.size() * sizeof(std::uint32_t) * 2);
  EXPECT_EQ(dump_buildkit(first), dump);
  EXPECT_EQ(dump_json(first, "a"), json);
  EXPECT_EQ(first.instructions.size(), 4u);
  EXPECT_EQ(second.instructions.size(), 600u);
}

// print() concatenates the tokens' bytes in the tokens' order, whatever they
// are (a tree from parse() has them adjacent, and then prints its source): a
// token that does not follow on, anywhere in a block of four, starts a new run.
// After a large file the thread does not keep its lists: each over 1 MiB is
// given back (here the instructions' and the tokens', 16 and 10 MB).
TEST(Parser, ScratchOfALargeFileIsGivenBack) {
  std::string big;
  while (big.size() < (1u << 20)) big += "RUN a b c d\n";
  {
    const Tree t = parse(big);
    EXPECT_EQ(t.instructions.size(), big.size() / 12);
    EXPECT_EQ(print(t), big);
  }
  EXPECT_LT(parse_scratch_bytes(), std::size_t{4} << 20);
  const Tree small = parse("FROM x\nRUN y\n");
  EXPECT_EQ(dump_buildkit(small), "(from \"x\")\n(run \"y\")\n");
}

TEST(Parser, PrintConcatenatesTheTokensInTheirOrder) {
  const std::string src = "abcdefghijklmnopqrstuvwxyz";
  std::mt19937 rng(7);
  for (int round = 0; round < 500; ++round) {
    Tree t;
    t.source = src;
    std::string expected;
    const int count = 1 + static_cast<int>(rng() % 14);
    for (int k = 0; k < count; ++k) {
      const auto b = static_cast<std::uint32_t>(rng() % src.size());
      const auto e = b + static_cast<std::uint32_t>(rng() % (src.size() - b + 1));
      t.tokens.push_back({{b, e}, TokenKind::Word});
      expected += src.substr(b, e - b);
    }
    EXPECT_EQ(print(t), expected);
  }
  Tree whole;
  whole.source = src;
  for (std::uint32_t b = 0; b < src.size(); b += 3)
    whole.tokens.push_back({{b, std::min<std::uint32_t>(b + 3, static_cast<std::uint32_t>(src.size()))}, TokenKind::Word});
  EXPECT_EQ(print(whole), src);
}

TEST(Parser, LongLinesAndLineLimit) {
  std::string ok = "FROM x\nRUN " + std::string(65531, 'a') + "\n";
  EXPECT_TRUE(roundtrip(ok).buildkit_ok());
  std::string bad = "FROM x\nRUN " + std::string(65532, 'a') + "\n";
  Tree t = roundtrip(bad);
  ASSERT_FALSE(t.buildkit_ok());
  EXPECT_EQ(t.first_error()->line, 2u);
  std::string mb = "FROM x\nRUN " + std::string(1 << 20, 'b');
  roundtrip(mb);
}

TEST(Parser, RandomBytesAlwaysRoundTrip) {
  std::mt19937 rng(42);
  const std::string alphabet = "RUN FROM\\`#\n\r\t \"'[],=<<-EOF\x00\xff\xc3\xa9" "abc"s;
  for (int n = 0; n < 3000; ++n) {
    std::string s;
    const int len = static_cast<int>(rng() % 200);
    for (int i = 0; i < len; ++i) s.push_back(alphabet[rng() % alphabet.size()]);
    roundtrip(s);
  }
}

// The generated tables against values of Go's unicode package.
TEST(Unicode, CaseLettersAndDigitsAsGosUnicodePackage) {
  namespace go = dockmend::syntax::go;
  EXPECT_EQ(go::to_lower(U'\u03A3'), U'\u03C3');      // GREEK CAPITAL SIGMA
  EXPECT_EQ(go::to_lower(U'\uFF21'), U'\uFF41');      // FULLWIDTH A
  EXPECT_EQ(go::to_lower(U'\u01C4'), U'\u01C6');      // DŽ
  EXPECT_EQ(go::to_lower(U'\u01C5'), U'\u01C6');      // Dž (title case)
  EXPECT_EQ(go::to_lower(U'\u0100'), U'\u0101');      // an upper/lower pair run
  EXPECT_EQ(go::to_lower(U'\u0101'), U'\u0101');
  EXPECT_EQ(go::to_lower(U'\u2126'), U'\u03C9');      // OHM SIGN
  EXPECT_EQ(go::to_lower(U'\U00010400'), U'\U00010428');
  EXPECT_EQ(go::to_lower(U'\u00DF'), U'\u00DF');      // ß has no simple lower case change
  EXPECT_EQ(go::to_lower(go::k_rune_error), go::k_rune_error);
  EXPECT_EQ(go::to_lower("A\xff\xC3\x89"), "a\xEF\xBF\xBD\xC3\xA9");
  EXPECT_EQ(go::to_lower("ABC"), "abc");
  EXPECT_TRUE(go::is_letter(U'\u00E9'));
  EXPECT_TRUE(go::is_letter(U'\u4E2D'));
  EXPECT_FALSE(go::is_letter(U'\u20AC'));  // €
  EXPECT_FALSE(go::is_letter(go::k_rune_error));
  EXPECT_TRUE(go::is_digit(U'\u0660'));    // ARABIC-INDIC ZERO
  EXPECT_FALSE(go::is_digit(U'\u00B2'));   // ² is No, not Nd
}
