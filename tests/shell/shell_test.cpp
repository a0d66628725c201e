#include "shell/shell.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <string>
#include <vector>

namespace sh = dockmend::shell;
using sh::Separator;

namespace {

std::vector<std::string> programs(const sh::Script& s) {
  std::vector<std::string> out;
  for (const sh::Command& c : s.commands) out.emplace_back(c.program());
  return out;
}

std::vector<std::string> values(const sh::Command& c) {
  std::vector<std::string> out;
  for (const sh::Word& w : c.words) out.push_back(w.value);
  return out;
}

std::vector<std::string> raws(std::string_view text, const sh::Command& c) {
  std::vector<std::string> out;
  for (const sh::Word& w : c.words) out.emplace_back(sh::slice(text, w.span));
  return out;
}

std::vector<Separator> separators(const sh::Script& s) {
  std::vector<Separator> out;
  for (const sh::Command& c : s.commands) out.push_back(c.after);
  return out;
}

std::vector<int> depths(const sh::Script& s) {
  std::vector<int> out;
  for (const sh::Command& c : s.commands) out.push_back(c.depth);
  return out;
}

// Every span must lie inside the text, be ordered, and a plain word's value
// must be its raw bytes: the invariants passes rely on to edit byte ranges.
void check_invariants(std::string_view text, const sh::Script& s) {
  std::size_t previous_begin = 0;
  for (const sh::Command& c : s.commands) {
    ASSERT_LE(c.span.begin, c.span.end);
    ASSERT_LE(c.span.end, text.size());
    ASSERT_GE(c.span.begin, previous_begin);
    previous_begin = c.span.begin;
    auto check_word = [&](const sh::Word& w) {
      ASSERT_LE(w.span.begin, w.span.end);
      ASSERT_LE(w.span.end, text.size());
      ASSERT_GE(w.span.begin, c.span.begin);
      ASSERT_LE(w.span.end, c.span.end);
      if (!w.quoted && !w.has_expansion) {
        EXPECT_EQ(w.value, sh::slice(text, w.span));
      }
    };
    for (const sh::Word& w : c.assignments) check_word(w);
    for (const sh::Word& w : c.words) check_word(w);
    for (const sh::Redirect& r : c.redirects) {
      ASSERT_LE(r.span.end, c.span.end);
      ASSERT_GE(r.span.begin, c.span.begin);
    }
    if (c.after != Separator::None) {
      ASSERT_LE(c.separator_span.end, text.size());
      ASSERT_GE(c.separator_span.begin, c.span.end);
    }
  }
}

sh::Script parse_checked(std::string_view text) {
  sh::Script s = sh::parse(text);
  check_invariants(text, s);
  return s;
}

std::string insert_at(std::string text, std::optional<std::size_t> at, std::string_view what) {
  if (!at) return "<no insertion point>";
  text.insert(*at, what);
  return text;
}

// ------------------------------------------------------------------ parsing

TEST(ShellParse, EmptyAndBlank) {
  for (std::string_view text : {"", "   ", "\n\n", "# only a comment", " \t\r\n"}) {
    const sh::Script s = parse_checked(text);
    EXPECT_TRUE(s.commands.empty()) << text;
    EXPECT_TRUE(s.complete) << text;
  }
}

TEST(ShellParse, AptGetChain) {
  const std::string_view text =
      "apt-get update && apt-get install -y --no-install-recommends curl git && rm -rf /var/lib/apt/lists/*";
  const sh::Script s = parse_checked(text);
  ASSERT_TRUE(s.complete);
  ASSERT_EQ(s.commands.size(), 3u);
  EXPECT_EQ(programs(s), (std::vector<std::string>{"apt-get", "apt-get", "rm"}));
  EXPECT_EQ(separators(s), (std::vector<Separator>{Separator::AndIf, Separator::AndIf, Separator::None}));
  EXPECT_EQ(values(s.commands[1]),
            (std::vector<std::string>{"apt-get", "install", "-y", "--no-install-recommends", "curl", "git"}));
  EXPECT_EQ(sh::slice(text, s.commands[0].span), "apt-get update");
  EXPECT_EQ(sh::slice(text, s.commands[0].separator_span), "&&");
  EXPECT_EQ(sh::slice(text, s.commands[1].span), "apt-get install -y --no-install-recommends curl git");
  EXPECT_EQ(sh::slice(text, s.commands[2].span), "rm -rf /var/lib/apt/lists/*");
  EXPECT_EQ(s.commands[2].words[2].value, "/var/lib/apt/lists/*");  // globs are not expanded
  EXPECT_EQ(depths(s), (std::vector<int>{0, 0, 0}));
  EXPECT_TRUE(s.commands[2].separator_span.empty());
}

TEST(ShellParse, Quotes) {
  const std::string_view text = R"x(echo 'a b' "c d" e\ f "x\"y" 'it'\''s' "\$HOME" "a\qb" ''"")x";
  const sh::Script s = parse_checked(text);
  ASSERT_TRUE(s.complete);
  ASSERT_EQ(s.commands.size(), 1u);
  const auto& c = s.commands[0];
  EXPECT_EQ(values(c), (std::vector<std::string>{"echo", "a b", "c d", "e f", "x\"y", "it's", "$HOME", "a\\qb", ""}));
  EXPECT_EQ(raws(text, c), (std::vector<std::string>{"echo", "'a b'", "\"c d\"", "e\\ f", R"x("x\"y")x",
                                                      R"x('it'\''s')x", R"x("\$HOME")x", R"x("a\qb")x", "''\"\""}));
  EXPECT_FALSE(c.words[0].quoted);
  for (std::size_t i = 1; i < c.words.size(); ++i) EXPECT_TRUE(c.words[i].quoted) << i;
  EXPECT_FALSE(c.words[6].has_expansion);  // \$ is a literal dollar
}

TEST(ShellParse, AnsiCAndLocaleQuotes) {
  const std::string_view text = R"x(printf $'a\tb\n' $"hi $USER" $ x$)x";
  const sh::Script s = parse_checked(text);
  ASSERT_TRUE(s.complete);
  const auto& c = s.commands.at(0);
  EXPECT_EQ(values(c), (std::vector<std::string>{"printf", "a\tb\n", "hi $USER", "$", "x$"}));
  EXPECT_FALSE(c.words[1].has_expansion);
  EXPECT_TRUE(c.words[2].has_expansion);
  EXPECT_FALSE(c.words[3].has_expansion);
}

TEST(ShellParse, CommandSubstitutionIsOneWordAndItsCommandsAreReported) {
  const std::string_view text = R"x(echo "v=$(cat "/etc/os-release" | grep '^ID=' | cut -d= -f2)" done)x";
  const sh::Script s = parse_checked(text);
  ASSERT_TRUE(s.complete);
  ASSERT_EQ(s.commands.size(), 4u);
  EXPECT_EQ(programs(s), (std::vector<std::string>{"echo", "cat", "grep", "cut"}));
  EXPECT_EQ(depths(s), (std::vector<int>{0, 1, 1, 1}));
  const auto& echo = s.commands[0];
  ASSERT_EQ(echo.words.size(), 3u);
  EXPECT_EQ(echo.words[1].value, R"x(v=$(cat "/etc/os-release" | grep '^ID=' | cut -d= -f2))x");
  EXPECT_TRUE(echo.words[1].has_expansion);
  EXPECT_TRUE(echo.words[1].quoted);
  EXPECT_EQ(echo.words[2].value, "done");  // not a reserved word here
  EXPECT_EQ(s.commands[1].after, Separator::Pipe);
  EXPECT_EQ(s.commands[2].words[1].value, "^ID=");
  EXPECT_EQ(s.commands[3].after, Separator::None);
  EXPECT_EQ(sh::slice(text, s.commands[3].span), "cut -d= -f2");
}

TEST(ShellParse, NestedSubstitutions) {
  const std::string_view text = "X=$(dirname $(readlink -f $(which java))) ls \"$X\"";
  const sh::Script s = parse_checked(text);
  ASSERT_TRUE(s.complete);
  EXPECT_EQ(programs(s), (std::vector<std::string>{"ls", "dirname", "readlink", "which"}));
  EXPECT_EQ(depths(s), (std::vector<int>{0, 1, 2, 3}));
  ASSERT_EQ(s.commands[0].assignments.size(), 1u);
  EXPECT_EQ(s.commands[0].assignments[0].value, "X=$(dirname $(readlink -f $(which java)))");
  EXPECT_EQ(s.commands[0].words[1].value, "$X");
}

TEST(ShellParse, SubstitutionWithParensAndCaseInside) {
  const std::string_view text = "echo $( (cd /tmp && pwd) ) $(case $x in a) echo A;; esac) end";
  const sh::Script s = parse_checked(text);
  ASSERT_TRUE(s.complete);
  EXPECT_EQ(programs(s), (std::vector<std::string>{"echo", "cd", "pwd", "echo"}));
  EXPECT_EQ(depths(s), (std::vector<int>{0, 2, 2, 2}));
  EXPECT_EQ(values(s.commands[0]).back(), "end");
  EXPECT_EQ(s.commands[0].words.size(), 4u);
}

TEST(ShellParse, Backquotes) {
  const std::string_view text = "export KVER=`uname -r` && echo \"`date +%s`\"";
  const sh::Script s = parse_checked(text);
  ASSERT_TRUE(s.complete);
  EXPECT_EQ(programs(s), (std::vector<std::string>{"export", "uname", "echo", "date"}));
  EXPECT_EQ(depths(s), (std::vector<int>{0, 1, 0, 1}));
  EXPECT_EQ(s.commands[0].words[1].value, "KVER=`uname -r`");
  EXPECT_EQ(s.commands[0].after, Separator::AndIf);
  EXPECT_EQ(s.commands[2].words[1].value, "`date +%s`");
}

TEST(ShellParse, BracedParameters) {
  const std::string_view text = R"x(echo ${A:-"x y"} ${B:-${C:-$(id -u)}} "${D#*/}" ${#E[@]})x";
  const sh::Script s = parse_checked(text);
  ASSERT_TRUE(s.complete);
  EXPECT_EQ(programs(s), (std::vector<std::string>{"echo", "id"}));
  EXPECT_EQ(values(s.commands[0]), (std::vector<std::string>{"echo", R"x(${A:-"x y"})x", "${B:-${C:-$(id -u)}}",
                                                              "${D#*/}", "${#E[@]}"}));
}

TEST(ShellParse, Arithmetic) {
  const std::string_view text = "N=$(( (2 + 3) * 4 )) && (( N > 1 )) && echo $((N-1))";
  const sh::Script s = parse_checked(text);
  ASSERT_TRUE(s.complete);
  ASSERT_EQ(s.commands.size(), 2u);  // (( )) runs no program
  EXPECT_EQ(s.commands[0].assignments.at(0).value, "N=$(( (2 + 3) * 4 ))");
  EXPECT_TRUE(s.commands[0].words.empty());
  EXPECT_EQ(s.commands[0].program(), "");
  EXPECT_EQ(values(s.commands[1]), (std::vector<std::string>{"echo", "$((N-1))"}));
}

TEST(ShellParse, AllSeparators) {
  const std::string_view text = "a && b || c ; d | e |& f & g\nh";
  const sh::Script s = parse_checked(text);
  ASSERT_TRUE(s.complete);
  EXPECT_EQ(programs(s), (std::vector<std::string>{"a", "b", "c", "d", "e", "f", "g", "h"}));
  EXPECT_EQ(separators(s),
            (std::vector<Separator>{Separator::AndIf, Separator::OrIf, Separator::Semicolon, Separator::Pipe,
                                    Separator::PipeAll, Separator::Background, Separator::Newline,
                                    Separator::None}));
  const std::vector<std::string> ops = {"&&", "||", ";", "|", "|&", "&", "\n"};
  for (std::size_t i = 0; i < ops.size(); ++i) {
    EXPECT_EQ(sh::slice(text, s.commands[i].separator_span), ops[i]) << i;
  }
}

TEST(ShellParse, OperatorsWithoutSpaces) {
  const std::string_view text = "a&&b||c;d|e>f 2>&1&";
  const sh::Script s = parse_checked(text);
  ASSERT_TRUE(s.complete);
  EXPECT_EQ(programs(s), (std::vector<std::string>{"a", "b", "c", "d", "e"}));
  EXPECT_EQ(s.commands[4].after, Separator::Background);
  ASSERT_EQ(s.commands[4].redirects.size(), 2u);
  EXPECT_EQ(s.commands[4].redirects[0].target.value, "f");
  EXPECT_EQ(s.commands[4].redirects[1].fd, 2);
}

TEST(ShellParse, NewlinesAfterOperatorsContinueTheList) {
  const std::string_view text = "set -eux;\napt-get update &&\n  apt-get install -y make\n\nmake";
  const sh::Script s = parse_checked(text);
  ASSERT_TRUE(s.complete);
  EXPECT_EQ(programs(s), (std::vector<std::string>{"set", "apt-get", "apt-get", "make"}));
  EXPECT_EQ(separators(s),
            (std::vector<Separator>{Separator::Semicolon, Separator::AndIf, Separator::Newline, Separator::None}));
}

TEST(ShellParse, Comments) {
  const std::string_view text = "echo a#b # trailing comment && not-a-command\nls # x";
  const sh::Script s = parse_checked(text);
  ASSERT_TRUE(s.complete);
  EXPECT_EQ(programs(s), (std::vector<std::string>{"echo", "ls"}));
  EXPECT_EQ(values(s.commands[0]), (std::vector<std::string>{"echo", "a#b"}));
  EXPECT_EQ(sh::slice(text, s.commands[0].span), "echo a#b");
  EXPECT_EQ(s.commands[0].after, Separator::Newline);
}

TEST(ShellParse, Redirections) {
  const std::string_view text = "make >/dev/null 2>&1 && cat < in >> out && cmd &> log && tr a b <<< \"$x\" 3<>f >|g";
  const sh::Script s = parse_checked(text);
  ASSERT_TRUE(s.complete);
  ASSERT_EQ(s.commands.size(), 4u);
  const auto& make = s.commands[0];
  EXPECT_EQ(values(make), (std::vector<std::string>{"make"}));
  ASSERT_EQ(make.redirects.size(), 2u);
  EXPECT_EQ(make.redirects[0].op, ">");
  EXPECT_EQ(make.redirects[0].fd, -1);
  EXPECT_EQ(make.redirects[0].target.value, "/dev/null");
  EXPECT_EQ(sh::slice(text, make.redirects[0].span), ">/dev/null");
  EXPECT_EQ(make.redirects[1].op, ">&");
  EXPECT_EQ(make.redirects[1].fd, 2);
  EXPECT_EQ(make.redirects[1].target.value, "1");
  EXPECT_EQ(sh::slice(text, make.redirects[1].span), "2>&1");
  EXPECT_EQ(sh::slice(text, make.span), "make >/dev/null 2>&1");

  const auto& cat = s.commands[1];
  ASSERT_EQ(cat.redirects.size(), 2u);
  EXPECT_EQ(cat.redirects[0].op, "<");
  EXPECT_EQ(cat.redirects[1].op, ">>");
  EXPECT_EQ(sh::slice(text, cat.redirects[0].span), "< in");
  EXPECT_EQ(sh::slice(text, cat.redirects[0].target.span), "in");

  EXPECT_EQ(s.commands[2].redirects.at(0).op, "&>");
  const auto& tr = s.commands[3];
  EXPECT_EQ(values(tr), (std::vector<std::string>{"tr", "a", "b"}));
  ASSERT_EQ(tr.redirects.size(), 3u);
  EXPECT_EQ(tr.redirects[0].op, "<<<");
  EXPECT_EQ(tr.redirects[0].target.value, "$x");
  EXPECT_EQ(tr.redirects[1].op, "<>");
  EXPECT_EQ(tr.redirects[1].fd, 3);
  EXPECT_EQ(tr.redirects[2].op, ">|");
}

TEST(ShellParse, RedirectionFirstAndDigitsThatAreWords) {
  const std::string_view text = ">/tmp/log echo 10 2 >x";
  const sh::Script s = parse_checked(text);
  ASSERT_EQ(s.commands.size(), 1u);
  EXPECT_EQ(s.commands[0].span.begin, 0u);
  EXPECT_EQ(values(s.commands[0]), (std::vector<std::string>{"echo", "10", "2"}));
  EXPECT_EQ(s.commands[0].program(), "echo");
  ASSERT_EQ(s.commands[0].redirects.size(), 2u);
  EXPECT_EQ(s.commands[0].redirects[1].fd, -1);
}

TEST(ShellParse, ProcessSubstitution) {
  const std::string_view text = "diff <(sort a) <(sort b) && tee >(gzip > x.gz)";
  const sh::Script s = parse_checked(text);
  ASSERT_TRUE(s.complete);
  EXPECT_EQ(programs(s), (std::vector<std::string>{"diff", "sort", "sort", "tee", "gzip"}));
  EXPECT_EQ(raws(text, s.commands[0]), (std::vector<std::string>{"diff", "<(sort a)", "<(sort b)"}));
  EXPECT_TRUE(s.commands[0].words[1].has_expansion);
}

TEST(ShellParse, HereDocumentBodyIsSkipped) {
  const std::string_view text = "cat <<EOF > /etc/x.conf && echo done\nrm -rf /\nEOF\nls\ncat <<-'END'\n\tbody\n\tEND\npwd";
  const sh::Script s = parse_checked(text);
  ASSERT_TRUE(s.complete);
  EXPECT_EQ(programs(s), (std::vector<std::string>{"cat", "echo", "ls", "cat", "pwd"}));
  EXPECT_EQ(s.commands[0].redirects.at(0).op, "<<");
  EXPECT_EQ(s.commands[0].redirects.at(0).target.value, "EOF");
  EXPECT_EQ(s.commands[3].redirects.at(0).op, "<<-");
  EXPECT_EQ(s.commands[3].redirects.at(0).target.value, "END");

  EXPECT_FALSE(sh::parse("cat <<EOF\nno end").complete);
}

TEST(ShellParse, SubshellAndGroup) {
  const std::string_view text = "(cd /src && make) && { echo ok; echo more; } > log; cd /";
  const sh::Script s = parse_checked(text);
  ASSERT_TRUE(s.complete);
  EXPECT_EQ(programs(s), (std::vector<std::string>{"cd", "make", "echo", "echo", "cd"}));
  EXPECT_EQ(depths(s), (std::vector<int>{1, 1, 1, 1, 0}));
  EXPECT_EQ(separators(s), (std::vector<Separator>{Separator::AndIf, Separator::None, Separator::Semicolon,
                                                   Separator::Semicolon, Separator::None}));
  EXPECT_EQ(sh::slice(text, s.commands[1].span), "make");
}

TEST(ShellParse, BracesInWordsAreNotGroups) {
  const std::string_view text = "mkdir -p /a/{b,c} && echo } {x}";
  const sh::Script s = parse_checked(text);
  ASSERT_TRUE(s.complete);
  EXPECT_EQ(values(s.commands[0]), (std::vector<std::string>{"mkdir", "-p", "/a/{b,c}"}));
  EXPECT_EQ(values(s.commands[1]), (std::vector<std::string>{"echo", "}", "{x}"}));
  EXPECT_EQ(depths(s), (std::vector<int>{0, 0}));
}

TEST(ShellParse, IfThenElse) {
  const std::string_view text =
      "if [ -f requirements.txt ]; then pip install -r requirements.txt; "
      "elif test -f setup.py; then pip install .; else echo none; fi && echo after";
  const sh::Script s = parse_checked(text);
  ASSERT_TRUE(s.complete);
  EXPECT_EQ(programs(s), (std::vector<std::string>{"[", "pip", "test", "pip", "echo", "echo"}));
  EXPECT_EQ(depths(s), (std::vector<int>{1, 1, 1, 1, 1, 0}));
  EXPECT_EQ(values(s.commands[0]), (std::vector<std::string>{"[", "-f", "requirements.txt", "]"}));
  EXPECT_EQ(sh::slice(text, s.commands[1].span), "pip install -r requirements.txt");
}

TEST(ShellParse, IfOnSeveralLines) {
  const std::string_view text = "if command -v apt-get\nthen\n  apt-get update\nelse\n  apk update\nfi";
  const sh::Script s = parse_checked(text);
  ASSERT_TRUE(s.complete);
  EXPECT_EQ(programs(s), (std::vector<std::string>{"command", "apt-get", "apk"}));
}

TEST(ShellParse, ReservedWordsOnlyInCommandPosition) {
  const std::string_view text = "echo if then fi && ! grep -q x f && for=1 env";
  const sh::Script s = parse_checked(text);
  ASSERT_TRUE(s.complete);
  EXPECT_EQ(programs(s), (std::vector<std::string>{"echo", "grep", "env"}));
  EXPECT_EQ(values(s.commands[0]), (std::vector<std::string>{"echo", "if", "then", "fi"}));
  EXPECT_EQ(s.commands[2].assignments.at(0).value, "for=1");
  const sh::Script quoted = parse_checked("'if' x");
  EXPECT_EQ(programs(quoted), (std::vector<std::string>{"if"}));
}

TEST(ShellParse, ForLoops) {
  const std::string_view text =
      "for f in a b $(ls /x); do echo \"$f\"; done; for ((i=0; i<3; i++)); do touch $i; done; "
      "for x do rm $x; done";
  const sh::Script s = parse_checked(text);
  ASSERT_TRUE(s.complete);
  EXPECT_EQ(programs(s), (std::vector<std::string>{"ls", "echo", "touch", "rm"}));
  EXPECT_EQ(depths(s), (std::vector<int>{1, 1, 1, 1}));
}

TEST(ShellParse, WhileUntilLoops) {
  const std::string_view text =
      "while read -r line; do echo \"$line\"; done < list.txt\nuntil curl -sf localhost; do sleep 1; done";
  const sh::Script s = parse_checked(text);
  ASSERT_TRUE(s.complete);
  EXPECT_EQ(programs(s), (std::vector<std::string>{"read", "echo", "curl", "sleep"}));
  EXPECT_EQ(depths(s), (std::vector<int>{1, 1, 1, 1}));
  EXPECT_TRUE(s.commands[1].redirects.empty());  // `< list.txt` belongs to the loop
}

TEST(ShellParse, Case) {
  const std::string_view text =
      "case \"$(uname -m)\" in\n  x86_64|amd64) ARCH=amd64 ;;\n  (aarch64) ARCH=arm64; echo arm ;;\n"
      "  *) echo unsupported; exit 1 ;;\nesac && echo $ARCH";
  const sh::Script s = parse_checked(text);
  ASSERT_TRUE(s.complete);
  EXPECT_EQ(programs(s), (std::vector<std::string>{"uname", "", "", "echo", "echo", "exit", "echo"}));
  EXPECT_EQ(depths(s), (std::vector<int>{1, 1, 1, 1, 1, 1, 0}));
  EXPECT_EQ(s.commands[1].assignments.at(0).value, "ARCH=amd64");
  EXPECT_EQ(s.commands[1].after, Separator::CaseBreak);
}

TEST(ShellParse, DoubleBrackets) {
  const std::string_view text = "[[ -f /a && ( -n \"$x\" || $y < 3 ) ]] && echo yes";
  const sh::Script s = parse_checked(text);
  ASSERT_TRUE(s.complete);
  EXPECT_EQ(programs(s), (std::vector<std::string>{"[[", "echo"}));
  EXPECT_EQ(s.commands[0].words.back().value, "]]");
  EXPECT_TRUE(s.commands[0].redirects.empty());
}

TEST(ShellParse, FunctionDefinitions) {
  const std::string_view text = "retry() { \"$@\" || \"$@\"; }; function fetch { curl -fsSL \"$1\"; }; retry fetch x";
  const sh::Script s = parse_checked(text);
  ASSERT_TRUE(s.complete);
  EXPECT_EQ(programs(s), (std::vector<std::string>{"$@", "$@", "curl", "retry"}));
  EXPECT_EQ(depths(s), (std::vector<int>{1, 1, 1, 0}));
}

TEST(ShellParse, Assignments) {
  const std::string_view text = "A=1 B=\"two words\" C+=x DEBIAN_FRONTEND=noninteractive apt-get install -y tzdata X=2";
  const sh::Script s = parse_checked(text);
  ASSERT_EQ(s.commands.size(), 1u);
  const auto& c = s.commands[0];
  ASSERT_EQ(c.assignments.size(), 4u);
  EXPECT_EQ(c.assignments[1].value, "B=two words");
  EXPECT_EQ(sh::slice(text, c.assignments[1].span), "B=\"two words\"");
  EXPECT_EQ(c.program(), "apt-get");
  EXPECT_EQ(c.words.back().value, "X=2");  // after the program: an argument
  EXPECT_EQ(c.span.begin, 0u);
}

TEST(ShellParse, ExportAndArrays) {
  const std::string_view text = "export PATH=/opt/venv/bin:$PATH LANG=C.UTF-8 && ARR=(a \"b c\" $(echo d)) && ls";
  const sh::Script s = parse_checked(text);
  ASSERT_TRUE(s.complete);
  EXPECT_EQ(programs(s), (std::vector<std::string>{"export", "", "echo", "ls"}));
  EXPECT_TRUE(s.commands[0].assignments.empty());
  EXPECT_EQ(values(s.commands[0]), (std::vector<std::string>{"export", "PATH=/opt/venv/bin:$PATH", "LANG=C.UTF-8"}));
  EXPECT_EQ(s.commands[1].assignments.at(0).value, "ARR=(a \"b c\" $(echo d))");
}

TEST(ShellParse, ExtglobStaysInTheWord) {
  const sh::Script s = parse_checked("rm -rf !(keep|also) @(x)");
  ASSERT_TRUE(s.complete);
  EXPECT_EQ(values(s.commands.at(0)), (std::vector<std::string>{"rm", "-rf", "!(keep|also)", "@(x)"}));
}

TEST(ShellParse, SourceActivateAndCd) {
  const std::string_view text = ". /opt/venv/bin/activate && cd /app && source ~/.bashrc && pip install -e .";
  const sh::Script s = parse_checked(text);
  ASSERT_TRUE(s.complete);
  EXPECT_EQ(programs(s), (std::vector<std::string>{".", "cd", "source", "pip"}));
  EXPECT_EQ(s.commands[2].words[1].value, "~/.bashrc");
}

TEST(ShellParse, ProgramIsBasename) {
  const sh::Script s = parse_checked("/usr/bin/apt-get update; ./configure; \"/opt/my tools/run\" x; dir/");
  EXPECT_EQ(programs(s), (std::vector<std::string>{"apt-get", "configure", "run", ""}));
}

TEST(ShellParse, CarriageReturnsAreBlanks) {
  const sh::Script s = parse_checked("apt-get update && \r\napt-get install -y curl\r");
  ASSERT_TRUE(s.complete);
  ASSERT_EQ(s.commands.size(), 2u);
  EXPECT_EQ(values(s.commands[1]).back(), "curl");
}

TEST(ShellParse, LeftoverLineContinuations) {
  const std::string_view text = "apt-get install -y \\\n  curl \\\n  git";
  const sh::Script s = parse_checked(text);
  ASSERT_TRUE(s.complete);
  ASSERT_EQ(s.commands.size(), 1u);
  EXPECT_EQ(values(s.commands[0]), (std::vector<std::string>{"apt-get", "install", "-y", "curl", "git"}));
}

TEST(ShellParse, RealisticRunLines) {
  struct Case {
    std::string_view text;
    std::vector<std::string> programs;
  };
  const std::vector<Case> cases = {
      {"apk add --no-cache --virtual .build-deps gcc musl-dev && pip install -r /req.txt && apk del .build-deps",
       {"apk", "pip", "apk"}},
      {"yum install -y epel-release && yum -y install nginx && yum clean all && rm -rf /var/cache/yum",
       {"yum", "yum", "yum", "rm"}},
      {"dnf -y update && dnf -y install python3 && dnf clean all", {"dnf", "dnf", "dnf"}},
      {"npm ci --only=production && npm cache clean --force", {"npm", "npm"}},
      {"groupadd -r -g 10001 rtap && useradd -r -u 10001 -g rtap -s /sbin/nologin -d /app rtap",
       {"groupadd", "useradd"}},
      {"curl -fsSL https://deb.nodesource.com/setup_18.x | bash - && apt-get install -y nodejs",
       {"curl", "bash", "apt-get"}},
      {"wget -qO- https://get.docker.com | sh", {"wget", "sh"}},
      {"set -eux; \\\n apt-get update; apt-get install -y --no-install-recommends ca-certificates; "
       "rm -rf /var/lib/apt/lists/*",
       {"set", "apt-get", "apt-get", "rm"}},
      {"python -m venv /opt/venv && . /opt/venv/bin/activate && pip install --upgrade pip",
       {"python", ".", "pip"}},
      {"echo 'deb http://x stable main' > /etc/apt/sources.list.d/x.list && apt-key adv --keyserver "
       "hkp://keyserver.ubuntu.com:80 --recv-keys ABC",
       {"echo", "apt-key"}},
      {"mkdir -p /app && chown -R app:app /app && chmod 0755 /app", {"mkdir", "chown", "chmod"}},
      {"sudo -E apt-get -qq update >/dev/null", {"sudo"}},
      {"go build -ldflags=\"-s -w\" -o /bin/app ./cmd/app", {"go"}},
      {"GO111MODULE=on CGO_ENABLED=0 go install github.com/x/y@latest", {"go"}},
      {"ln -sf /dev/stdout /var/log/nginx/access.log && ln -sf /dev/stderr /var/log/nginx/error.log", {"ln", "ln"}},
      {"tar -xzf /tmp/a.tgz -C /opt && rm /tmp/a.tgz", {"tar", "rm"}},
      {"test -n \"$VERSION\" || { echo 'VERSION missing' >&2; exit 1; }", {"test", "echo", "exit"}},
      {"useradd -m -s /bin/bash dev && echo 'dev ALL=(ALL) NOPASSWD:ALL' >> /etc/sudoers", {"useradd", "echo"}},
      {"curl -sSL https://install.python-poetry.org | POETRY_HOME=/opt/poetry python3 -", {"curl", "python3"}},
  };
  for (const Case& c : cases) {
    const sh::Script s = parse_checked(c.text);
    EXPECT_TRUE(s.complete) << c.text;
    EXPECT_EQ(programs(s), c.programs) << c.text;
  }
}

// ---------------------------------------------------------- incomplete input

TEST(ShellParse, IncompleteInput) {
  for (std::string_view text : {
           "echo 'unterminated", "echo \"unterminated", "echo $(unterminated", "echo `unterminated",
           "echo ${unterminated", "echo $((1 + 2)", "a )", "(a", "{ a; ", "if true; then a", "for x in a b; do a",
           "case x in a) b;;", "a &&", "a |", "a ||", "&& a", "echo > ", "while true; do a; fi", "fi", "done",
           "esac", "}", "then a", "echo $'abc", "cat <<EOF", "a && && b", "x=(a b", "for x in a b",
       }) {
    const sh::Script s = parse_checked(text);
    EXPECT_FALSE(s.complete) << text;
  }
}

TEST(ShellParse, IncompleteInputStillReportsWhatItFound) {
  const std::string_view text = "apt-get install -y curl && echo \"oops";
  const sh::Script s = parse_checked(text);
  EXPECT_FALSE(s.complete);
  ASSERT_EQ(s.commands.size(), 2u);
  EXPECT_EQ(values(s.commands[0]), (std::vector<std::string>{"apt-get", "install", "-y", "curl"}));
  EXPECT_EQ(s.commands[1].words.at(1).value, "oops");
}

TEST(ShellParse, StrayCloseParenDoesNotStopParsing) {
  const sh::Script s = parse_checked("a ) b ; c");
  EXPECT_FALSE(s.complete);
  EXPECT_EQ(programs(s), (std::vector<std::string>{"a", "b", "c"}));
}

// ------------------------------------------------------------------ hostile

TEST(ShellHostile, RandomBytes) {
  std::mt19937 rng(12345);
  const std::string alphabet = "ab $(){}[]<>|&;'\"`\\#\n\t=-!*?~0123456789 if then fi do done case esac in for";
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    const int len = static_cast<int>(rng() % 200);
    for (int i = 0; i < len; ++i) {
      if (rng() % 4 == 0) {
        text.push_back(static_cast<char>(rng() % 256));
      } else {
        text.push_back(alphabet[rng() % alphabet.size()]);
      }
    }
    const sh::Script s = parse_checked(text);
    for (const sh::Command& c : s.commands) {
      (void)sh::invocation(c);
      (void)sh::subcommand(c);
      (void)sh::find_option(c, {"-y", "--yes", "-name"});
      (void)sh::insertion_point(c, sh::InsertAt::AfterProgram);
      (void)sh::insertion_point(c, sh::InsertAt::AfterSubcommand);
    }
  }
}

TEST(ShellHostile, RandomTokens) {
  std::mt19937 rng(777);
  const std::vector<std::string> tokens = {
      "if", "then", "else", "fi", "for", "x", "in", "do", "done", "case", "esac", "while", "{", "}", "(", ")",
      ";", ";;", "&&", "||", "|", "&", "\n", "$(", "`", "\"", "'", "${", "<<EOF", "EOF", "[[", "]]", "((", "))",
      "2>&1", ">", "<", "sudo", "-u", "env", "A=1", "apt-get", "install", "-y", "python", "-m", "pip", "--", "#",
      "function", "f()", "!", "\\"};
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    const int len = static_cast<int>(rng() % 40);
    for (int i = 0; i < len; ++i) {
      text += tokens[rng() % tokens.size()];
      text += rng() % 3 ? " " : "";
    }
    const sh::Script s = parse_checked(text);
    for (const sh::Command& c : s.commands) {
      (void)sh::subcommand(c);
      (void)sh::find_option(c, {"-y"});
    }
  }
}

// parse() works out each command's invocation and option table once
// (Command::resolved); the helpers must answer as they do without it.
TEST(ShellHelpers, ResolvedCommandsAnswerAsUnresolvedOnes) {
  std::mt19937 rng(4242);
  const std::vector<std::string> tokens = {
      "sudo", "-u", "root", "env", "A=1", "-i", "nice", "-n", "5", "timeout", "10", "gosu", "app", "command", "-v",
      "xargs", "-n1", "apt-get", "/usr/bin/apt-get", "-o", "X=1", "install", "-y", "--yes", "curl", "python3.11",
      "python", "-m", "-mpip", "pip", "pip3", "-r", "r.txt", "--requirement", "useradd", "-u", "1000", "tar", "-xzf",
      "a.tgz", "-C", "/", "$OPTS", "\"-y\"", "--", "&&", "|", ";", "\n", "$(", ")", "busybox", "wget", "-qO-"};
  std::size_t commands = 0, resolved = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    const int len = static_cast<int>(rng() % 24);
    for (int i = 0; i < len; ++i) {
      text += tokens[rng() % tokens.size()];
      text += ' ';
    }
    const sh::Script s = parse_checked(text);
    for (const sh::Command& c : s.commands) {
      sh::Command plain = c;
      plain.resolved = {};
      ++commands;
      resolved += c.resolved.valid ? 1 : 0;
      const auto a = sh::invocation(c), b = sh::invocation(plain);
      ASSERT_EQ(a.has_value(), b.has_value()) << text;
      if (a) {
        EXPECT_EQ(a->program, b->program) << text;
        EXPECT_EQ(a->args, b->args) << text;
        EXPECT_EQ(a->name, b->name) << text;
      }
      EXPECT_EQ(sh::subcommand(c), sh::subcommand(plain)) << text;
      const auto o1 = sh::find_option(c, {"-y", "--yes", "-r", "-u", "-C"});
      const auto o2 = sh::find_option(plain, {"-y", "--yes", "-r", "-u", "-C"});
      ASSERT_EQ(o1.has_value(), o2.has_value()) << text;
      if (o1) {
        EXPECT_EQ(o1->word, o2->word) << text;
        EXPECT_EQ(o1->value, o2->value) << text;
      }
    }
  }
  EXPECT_GT(commands, 1000u);
  EXPECT_GT(resolved, commands / 2);
}

// The tests below guard against quadratic time (or worse) on long input, not for
// speed (scripts/bench measures that): linear, each parse takes milliseconds;
// quadratic, minutes. The limit is wide enough for a sanitizer build on a loaded
// machine.
constexpr double k_not_quadratic_s = 30.0;

template <class F>
double seconds(F&& f) {
  const auto start = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

TEST(ShellHostile, HugeLines) {
  std::string words = "apt-get install -y";
  for (int i = 0; i < 100000; ++i) words += " pkg" + std::to_string(i);
  sh::Script s;
  EXPECT_LT(seconds([&] { s = sh::parse(words); }), k_not_quadratic_s);
  ASSERT_EQ(s.commands.size(), 1u);
  EXPECT_EQ(s.commands[0].words.size(), 100003u);
  EXPECT_TRUE(sh::has_option(s.commands[0], {"-y"}));
  EXPECT_EQ(*sh::subcommand(s.commands[0]), 1u);

  std::string chain;
  for (int i = 0; i < 50000; ++i) chain += "a && ";
  chain += "b";
  EXPECT_LT(seconds([&] { s = sh::parse(chain); }), k_not_quadratic_s);
  EXPECT_EQ(s.commands.size(), 50001u);
  EXPECT_TRUE(s.complete);
}

TEST(ShellHostile, DeepNesting) {
  const std::vector<std::pair<std::string, std::string>> patterns = {
      {"$(", ")"}, {"( ", ")"}, {"{ ", "; }"}, {"`", "`"}, {"\"$(", ")\""}, {"${", "}"}, {"if ", ""},
      {"for x in a; do ", " done"}, {"case x in a) ", ""}, {"while ", ""}, {"A=(", ")"}, {"$((", "))"},
      {"<(", ")"}, {"[[ ", ""}, {"\"${x:-", "}\""}};
  for (const auto& [open, close] : patterns) {
    std::string text;
    for (int i = 0; i < 100000; ++i) text += open;
    text += "echo x";
    for (int i = 0; i < 100000; ++i) text += close;
    sh::Script s;
    EXPECT_LT(seconds([&] { s = sh::parse(text); }), k_not_quadratic_s) << open;
    check_invariants(text, s);
    // Only unbalanced input, or nesting beyond what the parser follows, may be incomplete.
    if (open == "( " || open == "{ ") {
      EXPECT_TRUE(s.complete) << open;
      ASSERT_EQ(s.commands.size(), 1u) << open;
      EXPECT_EQ(s.commands[0].depth, 100000) << open;
    }
  }
}

TEST(ShellHostile, ManyStrayClosers) {
  for (const std::string unit : {")", "} ", "fi ", "done ", "esac ", ";; ", "\n", "&& ", "| "}) {
    std::string text;
    for (int i = 0; i < 100000; ++i) text += unit;
    sh::Script s;
    EXPECT_LT(seconds([&] { s = sh::parse(text); }), k_not_quadratic_s) << unit;
    EXPECT_TRUE(s.commands.empty()) << unit;
  }
  std::string mixed;
  for (int i = 0; i < 50000; ++i) mixed += "if ";
  for (int i = 0; i < 50000; ++i) mixed += ") ";
  sh::Script s;
  EXPECT_LT(seconds([&] { s = sh::parse(mixed); }), k_not_quadratic_s);
  EXPECT_FALSE(s.complete);
}

TEST(ShellHostile, ModerateSubstitutionNestingIsFollowed) {
  std::string text = "echo ";
  for (int i = 0; i < 20; ++i) text += "$(a ";
  for (int i = 0; i < 20; ++i) text += ")";
  const sh::Script s = parse_checked(text);
  EXPECT_TRUE(s.complete);
  EXPECT_EQ(s.commands.size(), 21u);
  EXPECT_EQ(s.commands.back().depth, 20);
}

// ------------------------------------------------------------------ helpers

sh::Command first(std::string_view text) {
  sh::Script s = sh::parse(text);
  EXPECT_FALSE(s.commands.empty()) << text;
  return s.commands.empty() ? sh::Command{} : s.commands.front();
}

std::string invoked(std::string_view text) {
  const sh::Command c = first(text);
  const auto inv = sh::invocation(c);
  return inv ? std::string(inv->name) : "<none>";
}

TEST(ShellHelpers, InvocationSkipsWrappers) {
  EXPECT_EQ(invoked("apt-get install x"), "apt-get");
  EXPECT_EQ(invoked("sudo apt-get install x"), "apt-get");
  EXPECT_EQ(invoked("sudo -E -u root apt-get install x"), "apt-get");
  EXPECT_EQ(invoked("sudo --user=root -- apt-get install x"), "apt-get");
  EXPECT_EQ(invoked("sudo DEBIAN_FRONTEND=noninteractive apt-get install x"), "apt-get");
  EXPECT_EQ(invoked("env -i PATH=/bin HOME=/ /usr/bin/pip install x"), "pip");
  EXPECT_EQ(invoked("env -u FOO - A=1 make"), "make");
  EXPECT_EQ(invoked("nohup time -p nice -n 10 ionice -c3 make -j4"), "make");
  EXPECT_EQ(invoked("timeout -s KILL 60s curl -f x"), "curl");
  EXPECT_EQ(invoked("stdbuf -o L xargs -0 -n1 -I {} rm -f {}"), "rm");
  EXPECT_EQ(invoked("gosu app:app python3 app.py"), "python3");
  EXPECT_EQ(invoked("su-exec nobody id"), "id");
  EXPECT_EQ(invoked("eatmydata apt-get install -y x"), "apt-get");
  EXPECT_EQ(invoked("exec -a name /usr/sbin/nginx -g 'daemon off;'"), "nginx");
  EXPECT_EQ(invoked("command pip install x"), "pip");
  EXPECT_EQ(invoked("busybox wget -q x"), "wget");
  EXPECT_EQ(invoked("chroot /mnt apt-get update"), "apt-get");
  // The wrapper is the program when nothing follows, or for a lookup.
  EXPECT_EQ(invoked("sudo -v"), "sudo");
  EXPECT_EQ(invoked("env"), "env");
  EXPECT_EQ(invoked("exec >/dev/null"), "exec");
  EXPECT_EQ(invoked("command -v curl"), "command");
  EXPECT_EQ(invoked("xargs"), "xargs");
  EXPECT_EQ(invoked("A=1 > x"), "<none>");
}

TEST(ShellHelpers, InvocationIndices) {
  const sh::Command c = first("sudo -u app env A=1 pip3 install x");
  const auto inv = sh::invocation(c);
  ASSERT_TRUE(inv);
  EXPECT_EQ(inv->program, 5u);
  EXPECT_EQ(inv->args, 6u);
  EXPECT_EQ(inv->name, "pip3");
}

TEST(ShellHelpers, PythonModules) {
  EXPECT_EQ(invoked("python -m pip install x"), "pip");
  EXPECT_EQ(invoked("python3.11 -u -m pip install x"), "pip");
  EXPECT_EQ(invoked("/usr/local/bin/python3 -W ignore -mpip install x"), "pip");
  EXPECT_EQ(invoked("python3 -m venv /opt/venv"), "venv");
  EXPECT_EQ(invoked("python -c 'import sys' -m pip"), "python");
  EXPECT_EQ(invoked("python setup.py -m install"), "python");
  EXPECT_EQ(invoked("python -m"), "python");
  EXPECT_EQ(invoked("sudo python3 -m pip install x"), "pip");

  const sh::Command c = first("python3 -m pip install --no-cache-dir -r requirements.txt");
  const auto inv = sh::invocation(c);
  ASSERT_TRUE(inv);
  EXPECT_EQ(inv->program, 0u);
  EXPECT_EQ(inv->args, 3u);
  EXPECT_EQ(c.words[*sh::subcommand(c)].value, "install");
  const auto r = sh::find_option(c, {"-r", "--requirement"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->value, "requirements.txt");
}

TEST(ShellHelpers, SameProgram) {
  EXPECT_TRUE(sh::same_program("pip", "pip"));
  EXPECT_TRUE(sh::same_program("pip3", "pip"));
  EXPECT_TRUE(sh::same_program("pip3.11", "pip"));
  EXPECT_TRUE(sh::same_program("pip-3.8", "pip"));
  EXPECT_TRUE(sh::same_program("python3", "python"));
  EXPECT_FALSE(sh::same_program("pipx", "pip"));
  EXPECT_FALSE(sh::same_program("apt-get", "apt"));
  EXPECT_FALSE(sh::same_program("pip-", "pip"));
  EXPECT_FALSE(sh::same_program("pi", "pip"));
  EXPECT_FALSE(sh::same_program("pip", ""));
}

TEST(ShellHelpers, TakesArgument) {
  EXPECT_TRUE(sh::takes_argument("apt-get", "-o"));
  EXPECT_TRUE(sh::takes_argument("pip3", "-r"));
  EXPECT_TRUE(sh::takes_argument("pip", "--prefix"));
  EXPECT_TRUE(sh::takes_argument("useradd", "-u"));
  EXPECT_FALSE(sh::takes_argument("apt-get", "-y"));
  EXPECT_FALSE(sh::takes_argument("pip", "--prefix=/x"));
  EXPECT_FALSE(sh::takes_argument("unknown-tool", "-o"));
  EXPECT_FALSE(sh::takes_argument("apt-get", "o"));
}

bool has(std::string_view text, std::initializer_list<std::string_view> names) {
  return sh::has_option(first(text), names);
}

TEST(ShellHelpers, HasOption) {
  const auto yes = {std::string_view("-y"), std::string_view("--yes"), std::string_view("--assume-yes")};
  EXPECT_TRUE(has("apt-get install -y curl", yes));
  EXPECT_TRUE(has("apt-get install curl -y", yes));
  EXPECT_TRUE(has("apt-get -qy install curl", yes));
  EXPECT_TRUE(has("apt-get install --yes curl", yes));
  EXPECT_TRUE(has("apt-get install --assume-yes=true curl", yes));
  EXPECT_TRUE(has("sudo apt-get install \"-y\" curl", yes));
  EXPECT_FALSE(has("apt-get install curl", yes));
  EXPECT_FALSE(has("apt-get install -- -y", yes));
  EXPECT_FALSE(has("apt-get install --yesno curl", yes));
  EXPECT_FALSE(has("apt-get install -o APT::y=1 curl", yes));     // argument of -o
  EXPECT_FALSE(has("apt-get install -oAPT::Get::y=1 curl", yes));  // attached argument of -o
  EXPECT_FALSE(has("sudo -y apt-get install curl", yes));          // sudo's option, not apt-get's
  EXPECT_FALSE(has("apt-get install curl; echo -y", yes));
  EXPECT_FALSE(has("apt-get install pkg-y", yes));
  EXPECT_TRUE(has("apk add --no-cache curl", {"--no-cache"}));
  EXPECT_TRUE(has("pip install --no-cache-dir=1 x", {"--no-cache-dir"}));
  EXPECT_TRUE(has("find / -name x", {"-name"}));
  EXPECT_TRUE(has("java -Xmx=1g -jar a.jar", {"-Xmx"}));
  EXPECT_FALSE(has("find / -namex", {"-name"}));
}

TEST(ShellHelpers, FindOptionValues) {
  const sh::Command c = first("useradd -r -u 10001 -g10001 --shell=/sbin/nologin --home-dir /app rtap");
  auto u = sh::find_option(c, {"-u", "--uid"});
  ASSERT_TRUE(u);
  EXPECT_EQ(u->word, 2u);
  EXPECT_EQ(u->value, "10001");
  ASSERT_TRUE(u->value_word);
  EXPECT_EQ(*u->value_word, 3u);

  auto g = sh::find_option(c, {"-g", "--gid"});
  ASSERT_TRUE(g);
  EXPECT_EQ(g->value, "10001");
  EXPECT_FALSE(g->value_word);

  auto s = sh::find_option(c, {"-s", "--shell"});
  ASSERT_TRUE(s);
  EXPECT_EQ(s->value, "/sbin/nologin");

  auto d = sh::find_option(c, {"-d", "--home-dir"});
  ASSERT_TRUE(d);
  EXPECT_EQ(d->value, "/app");
  EXPECT_EQ(*d->value_word, 7u);

  auto r = sh::find_option(c, {"-r", "--system"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->value, "");
  EXPECT_FALSE(r->value_word);

  EXPECT_FALSE(sh::find_option(c, {"-m"}));
  EXPECT_EQ(c.words[*sh::subcommand(c)].value, "rtap");

  // An option taking an argument at the end of the command has no value.
  const auto last = sh::find_option(first("pip install -r"), {"-r"});
  ASSERT_TRUE(last);
  EXPECT_EQ(last->value, "");
  EXPECT_FALSE(last->value_word);

  const auto pip_r = sh::find_option(first("pip install --no-cache-dir -rrequirements.txt"), {"-r", "--requirement"});
  ASSERT_TRUE(pip_r);
  EXPECT_EQ(pip_r->value, "requirements.txt");
}

std::string sub(std::string_view text) {
  const sh::Command c = first(text);
  const auto i = sh::subcommand(c);
  return i ? c.words[*i].value : "<none>";
}

TEST(ShellHelpers, Subcommand) {
  EXPECT_EQ(sub("apt-get install curl"), "install");
  EXPECT_EQ(sub("apt-get -q install x"), "install");
  EXPECT_EQ(sub("apt-get -o Dpkg::Options::=--force-confold -qq install x"), "install");
  EXPECT_EQ(sub("apt-get -t bookworm-backports install x"), "install");
  EXPECT_EQ(sub("sudo -u root apt-get -y update"), "update");
  EXPECT_EQ(sub("pip --no-cache-dir install x"), "install");
  EXPECT_EQ(sub("pip -q --index-url https://x install y"), "install");
  EXPECT_EQ(sub("pip3 install -r requirements.txt"), "install");
  EXPECT_EQ(sub("npm ci"), "ci");
  EXPECT_EQ(sub("npm --prefix /app install"), "install");
  EXPECT_EQ(sub("apk --no-cache add curl"), "add");
  EXPECT_EQ(sub("apk -X http://x/edge add y"), "add");
  EXPECT_EQ(sub("yum --setopt tsflags=nodocs -y install x"), "install");
  EXPECT_EQ(sub("git -C /src clone --depth 1 x"), "clone");
  EXPECT_EQ(sub("apt-get $APT_OPTS install x"), "install");
  EXPECT_EQ(sub("apt-get \"$CMD\" x"), "$CMD");
  EXPECT_EQ(sub("apt-get -y"), "<none>");
  EXPECT_EQ(sub("apt-get -- -x"), "-x");
  EXPECT_EQ(sub("apt-get --"), "<none>");
  EXPECT_EQ(sub("python -m venv /opt/venv"), "/opt/venv");
  EXPECT_EQ(sub("sudo -v"), "<none>");
}

TEST(ShellHelpers, InsertionPoints) {
  {
    const std::string text = "apt-get update && sudo apt-get -q install curl git && rm -rf /x";
    const sh::Script s = sh::parse(text);
    ASSERT_EQ(s.commands.size(), 3u);
    EXPECT_EQ(insert_at(text, sh::insertion_point(s.commands[1]), " --no-install-recommends"),
              "apt-get update && sudo apt-get -q install --no-install-recommends curl git && rm -rf /x");
    EXPECT_EQ(insert_at(text, sh::insertion_point(s.commands[1], sh::InsertAt::AfterProgram), " -y"),
              "apt-get update && sudo apt-get -y -q install curl git && rm -rf /x");
  }
  {
    const std::string text = "python3 -m pip install -r req.txt";
    const sh::Command c = first(text);
    EXPECT_EQ(insert_at(text, sh::insertion_point(c), " --no-cache-dir"),
              "python3 -m pip install --no-cache-dir -r req.txt");
    EXPECT_EQ(insert_at(text, sh::insertion_point(c, sh::InsertAt::AfterProgram), " -q"),
              "python3 -m pip -q install -r req.txt");
  }
  {
    const std::string text = "apk add curl";
    EXPECT_EQ(insert_at(text, sh::insertion_point(first(text)), " --no-cache"), "apk add --no-cache curl");
  }
  {
    const std::string text = "echo x | \"apt-get\" 'install' y";
    const sh::Script s = sh::parse(text);
    EXPECT_EQ(insert_at(text, sh::insertion_point(s.commands.at(1)), " -y"), "echo x | \"apt-get\" 'install' -y y");
  }
  EXPECT_FALSE(sh::insertion_point(first("apt-get")));
  EXPECT_TRUE(sh::insertion_point(first("apt-get"), sh::InsertAt::AfterProgram));
  EXPECT_FALSE(sh::insertion_point(first("> x"), sh::InsertAt::AfterProgram));
}

TEST(ShellHelpers, FindPipInstallRequirementsInRealRun) {
  const std::string_view text =
      "python -m venv /opt/venv && . /opt/venv/bin/activate && "
      "pip install --upgrade pip && pip install --no-cache-dir -r requirements.txt";
  const sh::Script s = parse_checked(text);
  int found = 0;
  for (const sh::Command& c : s.commands) {
    const auto inv = sh::invocation(c);
    if (!inv || !sh::same_program(inv->name, "pip")) continue;
    const auto i = sh::subcommand(c);
    if (!i || c.words[*i].value != "install") continue;
    if (const auto r = sh::find_option(c, {"-r", "--requirement"})) {
      ++found;
      EXPECT_EQ(r->value, "requirements.txt");
      EXPECT_EQ(sh::slice(text, c.words[*r->value_word].span), "requirements.txt");
    }
  }
  EXPECT_EQ(found, 1);
}

TEST(ShellHelpers, CurlPipedToShell) {
  const sh::Script s = parse_checked("curl -fsSL -o /tmp/x https://x/install.sh | sudo -E bash -s -- --yes");
  ASSERT_EQ(s.commands.size(), 2u);
  EXPECT_EQ(s.commands[0].after, Separator::Pipe);
  EXPECT_EQ(sh::invocation(s.commands[1])->name, "bash");
  const sh::Command& curl = s.commands[0];
  EXPECT_EQ(curl.words[*sh::subcommand(curl)].value, "https://x/install.sh");
  EXPECT_EQ(sh::find_option(curl, {"-o", "--output"})->value, "/tmp/x");
  EXPECT_TRUE(sh::has_option(curl, {"-L"}));
}

TEST(ShellHelpers, SliceClamps) {
  EXPECT_EQ(sh::slice("abc", {1, 2}), "b");
  EXPECT_EQ(sh::slice("abc", {1, 10}), "bc");
  EXPECT_EQ(sh::slice("abc", {5, 10}), "");
  EXPECT_EQ(sh::slice("abc", {2, 1}), "");
}

}  // namespace
