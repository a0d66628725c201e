// The pieces every data format shares: positions in code points, and the
// findings' keys that SARIF's partialFingerprints are made of.
#include <gtest/gtest.h>

#include "report/findings.hpp"

using namespace dockmend;

namespace {

TEST(Positions, LinesAndColumnsCountCodePointsFromOne) {
  const std::string text = "ab\r\ncafé→x\n\tz\n";
  const report::Positions pos(text);
  EXPECT_EQ(pos.at(0).line, 1u);
  EXPECT_EQ(pos.at(0).column, 1u);
  EXPECT_EQ(pos.at(2).column, 3u);  // the \r ends the line's content
  const auto x = static_cast<std::uint32_t>(text.find('x'));
  EXPECT_EQ(pos.at(x).line, 2u);
  EXPECT_EQ(pos.at(x).column, 6u);  // c a f é → : five code points before it, nine bytes
  EXPECT_EQ(pos.at(x).chars, 4u + 5u);
  EXPECT_EQ(report::char_column(text, x), 6u);
  const auto z = static_cast<std::uint32_t>(text.find('z'));
  EXPECT_EQ(pos.at(z).line, 3u);
  EXPECT_EQ(pos.at(z).column, 2u);  // a tab is one column
  // The end of the text, and past it, is the last position.
  EXPECT_EQ(pos.at(static_cast<std::uint32_t>(text.size())).line, 4u);
  EXPECT_EQ(pos.at(1000).column, 1u);
}

TEST(Positions, InvalidUtf8CountsEveryByteThatStartsASequence) {
  // A lone lead byte counts; a stray continuation byte (0x80-0xBF) does not.
  const std::string text = std::string("a\xC3") + "b" + "\x80" + "c";
  EXPECT_EQ(report::char_column(text, 4), 4u);  // a, \xC3, b before c (\x80 continues)
  EXPECT_EQ(report::Positions(text).at(4).column, 4u);
}

transforms::Finding finding(std::string rule, std::uint32_t b, std::uint32_t e) {
  transforms::Finding f;
  f.rule = std::move(rule);
  f.at = {b, e};
  f.message = "m";
  return f;
}

TEST(FindingKey, TheLinesTextNotItsNumber) {
  transforms::FileReport a;
  a.path = "svc/Dockerfile";
  a.original = "FROM alpine\nMAINTAINER me\n";
  transforms::FileReport b = a;
  b.original = "# added\n\nFROM alpine\n  MAINTAINER   me\r\n";
  const auto ka = report::finding_key(a, finding("maintainer", 12, 22));
  const auto kb = report::finding_key(b, finding("maintainer", static_cast<std::uint32_t>(b.original.find("MAINTAINER")),
                                                 static_cast<std::uint32_t>(b.original.find("MAINTAINER")) + 10));
  EXPECT_EQ(ka, kb) << "moved and re-indented, same finding";
  EXPECT_EQ(ka.size(), 16u);
  // Another rule, another file or other text: another key.
  EXPECT_NE(ka, report::finding_key(a, finding("exec-form", 12, 22)));
  transforms::FileReport c = a;
  c.path = "other/Dockerfile";
  EXPECT_NE(ka, report::finding_key(c, finding("maintainer", 12, 22)));
  transforms::FileReport d = a;
  d.original = "FROM alpine\nMAINTAINER you\n";
  EXPECT_NE(ka, report::finding_key(d, finding("maintainer", 12, 22)));
  // A file-level finding (an empty span at 0) is keyed by the text of line 1.
  EXPECT_NE(report::finding_key(a, finding("r", 0, 0)), report::finding_key(b, finding("r", 0, 0)));
  transforms::FileReport e = a;
  e.original = "FROM   alpine\nMAINTAINER them\n";
  EXPECT_EQ(report::finding_key(a, finding("r", 0, 0)), report::finding_key(e, finding("r", 0, 0)));
}

TEST(FindingKey, FindingsAboutAnotherFileUseTheirMessage) {
  transforms::FileReport a;
  a.path = "Dockerfile";
  a.original = "FROM python\n";
  auto f = finding("pip-hashes", 0, 0);
  f.file = "requirements.txt";
  f.message = "2 of 2 requirements have no --hash";
  auto g = f;
  g.message = "1 of 2 requirements have no --hash";
  EXPECT_NE(report::finding_key(a, f), report::finding_key(a, g));
  transforms::FileReport moved = a;
  moved.original = "# x\nFROM python\n";
  EXPECT_EQ(report::finding_key(a, f), report::finding_key(moved, f));
}

}  // namespace
