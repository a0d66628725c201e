#include "io/gitignore.hpp"

#include <gtest/gtest.h>

namespace dockmend::io {
namespace {

struct WildCase {
  const char* pattern;
  const char* text;
  bool expected;
};

// Mostly from git's t/t3070-wildmatch.sh (the WM_PATHNAME column).
TEST(Wildmatch, GitTestSuiteCases) {
  const WildCase k_cases[] = {
      {"foo", "foo", true},
      {"bar", "foo", false},
      {"", "", true},
      {"???", "foo", true},
      {"??", "foo", false},
      {"*", "foo", true},
      {"f*", "foo", true},
      {"*f", "foo", false},
      {"*foo*", "foo", true},
      {"*ob*a*r*", "foobar", true},
      {"*ab", "aaaaaaabababab", true},
      {"foo\\*", "foo*", true},
      {"foo\\*bar", "foobar", false},
      {"f\\\\oo", "f\\oo", true},
      {"*[al]?", "ball", true},
      {"[ten]", "ten", false},
      {"**[!te]", "ten", true},
      {"**[!ten]", "ten", false},
      {"t[a-g]n", "ten", true},
      {"t[!a-g]n", "ten", false},
      {"t[!a-g]n", "ton", true},
      {"t[^a-g]n", "ton", true},
      {"a[]]b", "a]b", true},
      {"a[]-]b", "a-b", true},
      {"a[]-]b", "a]b", true},
      {"a[]-]b", "aab", false},
      {"a[]a-]b", "aab", true},
      {"]", "]", true},
      {"foo*bar", "foo/baz/bar", false},
      {"foo**bar", "foo/baz/bar", false},
      {"foo**bar", "foobazbar", true},
      {"foo/**/bar", "foo/baz/bar", true},
      {"foo/**/**/bar", "foo/baz/bar", true},
      {"foo/**/bar", "foo/b/a/z/bar", true},
      {"foo/**/**/bar", "foo/b/a/z/bar", true},
      {"foo/**/bar", "foo/bar", true},
      {"foo/**/**/bar", "foo/bar", true},
      {"foo?bar", "foo/bar", false},
      {"foo[/]bar", "foo/bar", false},
      {"foo[^a-z]bar", "foo/bar", false},
      {"f[^eiu][^eiu][^eiu][^eiu][^eiu]r", "foo/bar", false},
      {"f[^eiu][^eiu][^eiu][^eiu][^eiu]r", "foo-bar", true},
      {"**/foo", "foo", true},
      {"**/foo", "XXX/foo", true},
      {"**/foo", "bar/baz/foo", true},
      {"*/foo", "bar/baz/foo", false},
      {"**/bar*", "foo/bar/baz", false},
      {"**/bar/*", "deep/foo/bar/baz", true},
      {"**/bar/*", "deep/foo/bar/baz/", false},
      {"**/bar/**", "deep/foo/bar/baz/", true},
      {"**/bar/*", "deep/foo/bar", false},
      {"**/bar/**", "deep/foo/bar/", true},
      {"**/bar**", "foo/bar/baz", false},
      {"*/bar/**", "foo/bar/baz/x", true},
      {"*/bar/**", "deep/foo/bar/baz/x", false},
      {"**/bar/*/*", "deep/foo/bar/baz/x", true},
      {"a/**", "a/b/c", true},
      {"a/**", "a", false},
      {"[[:alpha:]][[:digit:]][[:upper:]]", "a1B", true},
      {"[[:digit:][:upper:][:space:]]", "a", false},
      {"[[:digit:][:upper:][:space:]]", "A", true},
      {"[[:digit:][:upper:][:space:]]", "1", true},
      {"[[:xdigit:]]", "5", true},
      {"[a-c[:digit:]x-z]", "5", true},
      {"[a-c[:digit:]x-z]", "b", true},
      {"[a-c[:digit:]x-z]", "q", false},
      {"[[:nope:]]", "a", false},
      {"[\\-^]", "]", false},
      {"[\\-^]", "-", true},
      {"[\\]]", "]", true},
      {"[\\]]", "\\]", false},
      {"a[c-c]st", "acrt", false},
      {"a[c-c]rt", "acrt", true},
      {"[!]-]", "]", false},
      {"[!]-]", "a", true},
      {"\\", "", false},
      {"\\", "\\", false},
      {"*/\\", "/\\", false},
      {"foo", "foo", true},
      {"@foo", "@foo", true},
      {"@foo", "foo", false},
      {"\\[ab]", "[ab]", true},
      {"[[]ab]", "[ab]", true},
      {"[[:]ab]", "[ab]", true},
      {"[[::]ab]", "[ab]", false},
      {"[[:digit]ab]", "[ab]", true},
      {"[\\[:]ab]", "[ab]", true},
      {"\\??\\?b", "?a?b", true},
      {"\\a\\b\\c", "abc", true},
      {"**/t[o]", "foo/bar/baz/to", true},
      {"-*-*-*-*-*-*-12-*-*-*-m-*-*-*", "-adobe-courier-bold-o-normal--12-120-75-75-m-70-iso8859-1", true},
      {"-*-*-*-*-*-*-12-*-*-*-m-*-*-*", "-adobe-courier-bold-o-normal--12-120-75-75-X-70-iso8859-1", false},
      {"XXX/*/*/*/*/*/*/12/*/*/*/m/*/*/*", "XXX/adobe/courier/bold/o/normal//12/120/75/75/m/70/iso8859/1", true},
      {"XXX/*/*/*/*/*/*/12/*/*/*/m/*/*/*", "XXX/adobe/courier/bold/o/normal//12/120/75/75/X/70/iso8859/1", false},
      {"**/*a*b*g*n*t", "abcd/abcdefg/abcdefghijk/abcdefghijklmnop.txt", true},
      {"**/*a*b*g*n*t", "abcd/abcdefg/abcdefghijk/abcdefghijklmnop.txtz", false},
      {"*/*/*", "foo/bba/arr", true},
      {"*/*/*", "foo/bb/aa/rr", false},
      {"**/**/**", "foo/bb/aa/rr", true},
      {"*X*i", "abcXdefXghi", true},
      {"*/*X*/*/*i", "ab/cXd/efXg/hi", true},
      {"**/*X*/**/*i", "ab/cXd/efXg/hi", true},
  };
  for (const WildCase& c : k_cases) {
    EXPECT_EQ(wildmatch(c.pattern, c.text), c.expected) << "pattern '" << c.pattern << "' text '" << c.text << "'";
  }
}

TEST(Wildmatch, PathologicalPatternStaysFast) {
  const std::string text(200, 'a');
  EXPECT_FALSE(wildmatch("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", text));
}

using Verdict = IgnoreFile::Verdict;

TEST(IgnoreFile, GitSyntax) {
  const IgnoreFile file("",
                        "\xEF\xBB\xBF# comment\r\n"
                        "\n"
                        "*.log\n"
                        "!keep.log\n"
                        "/root-only\n"
                        "build/\n"
                        "docs/**/Dockerfile\n"
                        "trailing   \n"
                        "escaped\\ \n"
                        "\\#hash\n"
                        "\\!bang\n");
  EXPECT_EQ(file.match("a.log", false), Verdict::ignored);
  EXPECT_EQ(file.match("deep/dir/a.log", false), Verdict::ignored);
  EXPECT_EQ(file.match("deep/keep.log", false), Verdict::included);
  EXPECT_EQ(file.match("root-only", false), Verdict::ignored);
  EXPECT_EQ(file.match("sub/root-only", false), Verdict::none);
  EXPECT_EQ(file.match("build", true), Verdict::ignored);
  EXPECT_EQ(file.match("build", false), Verdict::none);  // only directories
  EXPECT_EQ(file.match("x/build", true), Verdict::ignored);
  EXPECT_EQ(file.match("docs/Dockerfile", false), Verdict::ignored);
  EXPECT_EQ(file.match("docs/a/b/Dockerfile", false), Verdict::ignored);
  EXPECT_EQ(file.match("other/docs/Dockerfile", false), Verdict::none);
  EXPECT_EQ(file.match("trailing", false), Verdict::ignored);
  EXPECT_EQ(file.match("escaped ", false), Verdict::ignored);
  EXPECT_EQ(file.match("#hash", false), Verdict::ignored);
  EXPECT_EQ(file.match("!bang", false), Verdict::ignored);
  EXPECT_EQ(file.match("comment", false), Verdict::none);
}

TEST(IgnoreFile, RelativeToItsDirectory) {
  const IgnoreFile file("svc", "/Dockerfile.dev\nlocal/\n");
  EXPECT_EQ(file.match("svc/Dockerfile.dev", false), Verdict::ignored);
  EXPECT_EQ(file.match("svc/x/Dockerfile.dev", false), Verdict::none);
  EXPECT_EQ(file.match("Dockerfile.dev", false), Verdict::none);  // outside svc
  EXPECT_EQ(file.match("svcx/Dockerfile.dev", false), Verdict::none);
  EXPECT_EQ(file.match("svc/a/local", true), Verdict::ignored);
}

TEST(IgnoreStack, DeeperFilesWin) {
  IgnoreStack stack;
  stack.push(IgnoreFile("", "Dockerfile.*\n"));
  stack.push(IgnoreFile("svc", "!Dockerfile.prod\n"));
  EXPECT_TRUE(stack.ignored("svc/Dockerfile.dev", false));
  EXPECT_FALSE(stack.ignored("svc/Dockerfile.prod", false));
  EXPECT_FALSE(stack.ignored("svc/Dockerfile", false));
  stack.pop();
  EXPECT_TRUE(stack.ignored("svc/Dockerfile.prod", false));
}

}  // namespace
}  // namespace dockmend::io
