// `check --format text|json|sarif` through the binary: the three agree on
// where each finding is (1-based lines, columns in code points), the JSON list
// has the documented fields (docs/json.md) and its fix edits are byte ranges
// that really apply, files that could not be checked are reported in both data
// formats, SARIF has what GitHub code scanning needs (rule help, helpUri
// anchors that exist, partialFingerprints that survive unrelated edits), and a
// run of more than 25,000 findings keeps the most severe and says so.
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <set>
#include <sstream>

#include "report_test_support.hpp"

namespace fs = std::filesystem;
using namespace dockmend::test;

namespace {

// Non-ASCII text before the findings on their line, CRLF line ends, and a
// continuation: byte columns and code point columns differ on lines 3 and 4.
const std::string k_dockerfile =
    "FROM debian:12\r\n"
    "LABEL description=\"café ☕\"\r\n"
    "RUN echo \"naïve → ok\" && apt-get install curl\r\n"
    "RUN echo \"日本語\" && \\\r\n"
    "    pip install flask\r\n"
    "MAINTAINER Zoë <z@example.com>\r\n"
    "CMD echo hi\r\n";

struct Place {
  std::string path, rule;
  long line = 0, column = 0;
  bool operator==(const Place& o) const { return std::tie(path, rule, line, column) == std::tie(o.path, o.rule, o.line, o.column); }
};
std::ostream& operator<<(std::ostream& os, const Place& p) {
  return os << p.path << ":" << p.line << ":" << p.column << ": " << p.rule;
}

std::vector<Place> from_text(const std::string& out) {
  std::vector<Place> v;
  std::istringstream in(out);
  std::string line;
  const std::regex re(R"(^([^:]+):(\d+):(\d+): ([a-z0-9-]+): .*$)");
  for (std::smatch m; std::getline(in, line);)
    if (std::regex_match(line, m, re)) v.push_back({m[1], m[4], std::stol(m[2]), std::stol(m[3])});
  return v;
}

// Code points in the UTF-8 text.
long code_points(std::string_view s) {
  return static_cast<long>(std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

TEST(CheckFormats, TextJsonAndSarifCountColumnsTheSameWay) {
  TempDir repo;
  repo.write("Dockerfile", k_dockerfile);
  const CliRun text = run_dockmend(repo.path, "check --no-policy --color never .");
  const CliRun json = run_dockmend(repo.path, "check --no-policy --format json .");
  const CliRun sarif = run_dockmend(repo.path, "check --no-policy --format sarif .");
  ASSERT_EQ(text.code, 1) << text;
  ASSERT_EQ(json.code, 1) << json;
  ASSERT_EQ(sarif.code, 1) << sarif;
  const auto j = parse_json(json.out);
  const auto s = parse_json(sarif.out);
  ASSERT_TRUE(j) << json.out;
  ASSERT_TRUE(s) << sarif.out;

  const std::vector<Place> t = from_text(text.out);
  std::vector<Place> jp, sp;
  for (const auto& f : (*j)["findings"].array()) jp.push_back({f["path"].str(), f["rule"].str(), f["line"].num(), f["column"].num()});
  const auto& run = (*s)["runs"][0];
  EXPECT_EQ(run["columnKind"].str(), "unicodeCodePoints");
  for (const auto& r : run["results"].array()) {
    const auto& loc = r["locations"][0]["physicalLocation"];
    sp.push_back({loc["artifactLocation"]["uri"].str(), r["ruleId"].str(), loc["region"]["startLine"].num(),
                  loc["region"]["startColumn"].num()});
  }
  ASSERT_FALSE(t.empty()) << text;
  EXPECT_EQ(t, jp);
  EXPECT_EQ(t, sp);

  // apt-get on line 3 is after "RUN echo \"naïve → ok\" && ": 25 code points, 28 bytes.
  const std::string line3 = "RUN echo \"naïve → ok\" && ";
  const auto apt = std::find_if(t.begin(), t.end(), [](const Place& p) { return p.rule == "apt-get-yes"; });
  ASSERT_NE(apt, t.end()) << text;
  EXPECT_EQ(apt->line, 3);
  EXPECT_EQ(apt->column, code_points(line3) + 1);
  EXPECT_NE(apt->column, static_cast<long>(line3.size()) + 1);

  // The JSON's byte span is where the text is in the file.
  for (const auto& f : (*j)["findings"].array()) {
    if (f["rule"].str() != "apt-get-yes") continue;
    const auto off = static_cast<std::size_t>(f["offset"].num());
    EXPECT_EQ(k_dockerfile.substr(off, 7), "apt-get");
    EXPECT_EQ(f["end"]["line"].num(), 3);
    EXPECT_GT(f["end"]["column"].num(), f["column"].num());
  }
}

TEST(CheckFormats, JsonIsAVersionedListWithFixesAsByteEdits) {
  TempDir repo;
  repo.write("Dockerfile", k_dockerfile);
  const CliRun json = run_dockmend(repo.path, "check --no-policy --format json .");
  const auto j = parse_json(json.out);
  ASSERT_TRUE(j) << json.out;
  EXPECT_EQ((*j)["version"].num(), 1);
  EXPECT_EQ((*j)["tool"]["name"].str(), "dockmend");
  EXPECT_FALSE((*j)["tool"]["version"].str().empty());
  EXPECT_FALSE((*j).has("services")) << "the audit's JSON, not check's";
  const auto& findings = (*j)["findings"].array();
  ASSERT_FALSE(findings.empty());
  std::size_t fixes = 0;
  for (const auto& f : findings) {
    for (const char* key : {"rule", "severity", "path", "line", "column", "end", "offset", "length", "message", "fix"})
      EXPECT_TRUE(f.has(key)) << key << " missing in a finding of " << f["rule"].str();
    EXPECT_TRUE(std::set<std::string>({"error", "warning", "info", "style"}).count(f["severity"].str())) << f["severity"].str();
    if (f["fix"].is_null()) continue;
    ++fixes;
    EXPECT_TRUE(std::set<std::string>({"safe", "unsafe"}).count(f["fix"]["safety"].str())) << f["fix"]["safety"].str();
    EXPECT_FALSE(f["fix"]["edits"].array().empty());
  }
  EXPECT_GT(fixes, 0u);
  EXPECT_EQ((*j)["summary"]["files"].num(), 1);
  EXPECT_EQ((*j)["summary"]["findings"].num(), static_cast<long>(findings.size()));
  EXPECT_EQ((*j)["summary"]["fixable"].num(), static_cast<long>(fixes));

  // One fix's edits, applied to the original bytes, give what `dockmend fix`
  // makes of the file with that rule alone.
  // Both are safe fixes, which `fix` applies without being asked for unsafe ones.
  for (const std::string rule : {"maintainer", "apt-get-yes"}) {
    const auto it = std::find_if(findings.begin(), findings.end(), [&](const Json& f) { return f["rule"].str() == rule; });
    ASSERT_NE(it, findings.end()) << rule;
    std::vector<std::tuple<long, long, std::string>> edits;
    for (const auto& e : (*it)["fix"]["edits"].array()) {
      EXPECT_EQ(e["path"].str(), "Dockerfile");
      edits.emplace_back(e["start"].num(), e["end"].num(), e["replacement"].str());
    }
    std::sort(edits.rbegin(), edits.rend());
    std::string fixed = k_dockerfile;
    for (const auto& [b, e, text] : edits) fixed.replace(static_cast<std::size_t>(b), static_cast<std::size_t>(e - b), text);
    const CliRun one = run_dockmend(repo.path, "fix --no-policy --select " + rule + " - < Dockerfile");
    EXPECT_EQ(fixed, one.out) << rule;
  }
}

TEST(CheckFormats, FilesThatCannotBeCheckedAreInJsonAndSarif) {
  TempDir repo;
  repo.write("Dockerfile", "FROM alpine\nMAINTAINER x\n");
  repo.write("bin/Dockerfile", std::string("FROM a\n\0\x01", 9));
  repo.write("open/Dockerfile", "FROM alpine\nCOPY <<EOF /x\nnever ends\n");
  for (const std::string fmt : {"json", "sarif"}) {
    const CliRun r = run_dockmend(repo.path, "check --no-policy --format " + fmt + " . missing");
    EXPECT_EQ(r.code, 2) << r;
    const auto j = parse_json(r.out);
    ASSERT_TRUE(j) << r;
    std::vector<std::string> seen;
    if (fmt == "json") {
      for (const auto& e : (*j)["errors"].array())
        seen.push_back((e["path"].is_null() ? "-" : e["path"].str()) + ":" + std::to_string(e["line"].num()) + ": " +
                       e["message"].str());
      EXPECT_EQ((*j)["summary"]["errors"].num(), 3);
    } else {
      const auto& inv = (*j)["runs"][0]["invocations"][0];
      EXPECT_FALSE(std::get<bool>(inv["executionSuccessful"].v));
      for (const auto& n : inv["toolExecutionNotifications"].array()) {
        EXPECT_EQ(n["level"].str(), "error");
        const auto& loc = n["locations"][0]["physicalLocation"];
        seen.push_back((loc["artifactLocation"]["uri"].str().empty() ? "-" : loc["artifactLocation"]["uri"].str()) + ":" +
                       std::to_string(loc["region"]["startLine"].num()) + ": " + n["message"]["text"].str());
      }
    }
    std::sort(seen.begin(), seen.end());
    ASSERT_EQ(seen.size(), 3u) << r;
    EXPECT_NE(seen[0].find("-:-1: cannot access 'missing'"), std::string::npos) << seen[0];
    EXPECT_NE(seen[1].find("bin/Dockerfile:2: not a Dockerfile: binary content"), std::string::npos) << seen[1];
    EXPECT_NE(seen[2].find("open/Dockerfile:2: buildkit rejects the file: unterminated heredoc"), std::string::npos) << seen[2];
  }
}

const std::vector<std::string>& anchors() {
  static const std::vector<std::string> a = [] {
    std::vector<std::string> out;
    const std::regex id_re(R"re(<a id="([a-z0-9-]+)"></a>)re"), heading(R"re(^## ([a-z0-9-]+)\s*$)re");
    for (const char* page : {"docs/rules.md", "docs/rules-policy.md"}) {
      std::istringstream in(read_bytes(source_dir() / page));
      std::string line;
      while (std::getline(in, line)) {
        std::smatch m;
        if (std::regex_search(line, m, id_re) || std::regex_match(line, m, heading)) out.push_back(std::string(page) + "#" + m[1].str());
      }
    }
    return out;
  }();
  return a;
}

TEST(CheckFormats, SarifRulesCarryHelpAndAnchorsThatExist) {
  TempDir repo;
  repo.write("Dockerfile", k_dockerfile);
  const CliRun r = run_dockmend(repo.path, "check --no-policy --format sarif .");
  const auto s = parse_json(r.out);
  ASSERT_TRUE(s) << r;
  const auto& driver = (*s)["runs"][0]["tool"]["driver"];
  EXPECT_EQ(driver["name"].str(), "dockmend");
  const auto& rules = driver["rules"].array();
  ASSERT_GT(rules.size(), 40u);
  for (const auto& rule : rules) {
    const std::string id = rule["id"].str();
    EXPECT_FALSE(rule["shortDescription"]["text"].str().empty()) << id;
    EXPECT_FALSE(rule["fullDescription"]["text"].str().empty()) << id;
    EXPECT_NE(rule["fullDescription"]["text"].str(), rule["shortDescription"]["text"].str()) << id;
    EXPECT_FALSE(rule["help"]["text"].str().empty()) << id;
    EXPECT_NE(rule["help"]["markdown"].str().find("**" + id + "**"), std::string::npos) << id;
    const std::string uri = rule["helpUri"].str();
    EXPECT_EQ(uri.rfind("https://", 0), 0u) << uri;
    const auto docs = uri.find("/docs/");
    ASSERT_NE(docs, std::string::npos) << uri;
    const std::string anchor = uri.substr(docs + 1);
    EXPECT_NE(std::find(anchors().begin(), anchors().end(), anchor), anchors().end())
        << id << ": " << anchor << " is not an anchor of docs/ (scripts/rules-report writes docs/rules.md's)";
  }
  for (const auto& res : (*s)["runs"][0]["results"].array()) {
    EXPECT_FALSE(res["partialFingerprints"]["dockmendFinding/v1"].str().empty());
    EXPECT_EQ(res["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"].str(), "%SRCROOT%");
    EXPECT_EQ(rules[static_cast<std::size_t>(res["ruleIndex"].num())]["id"].str(), res["ruleId"].str());
  }
}

std::map<std::string, std::string> fingerprints(const TempDir& repo) {
  const CliRun r = run_dockmend(repo.path, "check --no-policy --format sarif .");
  const auto s = parse_json(r.out);
  std::map<std::string, std::string> out;  // fingerprint -> rule:line
  if (!s) return out;
  for (const auto& res : (*s)["runs"][0]["results"].array())
    out[res["partialFingerprints"]["dockmendFinding/v1"].str()] =
        res["ruleId"].str() + ":" + std::to_string(res["locations"][0]["physicalLocation"]["region"]["startLine"].num());
  return out;
}

TEST(CheckFormats, FingerprintsSurviveUnrelatedEditsAndTellTwinsApart) {
  TempDir repo;
  const std::string body = "FROM alpine\nMAINTAINER a\nRUN apk add curl\nMAINTAINER a\nCMD echo hi\n";
  repo.write("Dockerfile", body);
  const auto before = fingerprints(repo);
  ASSERT_GE(before.size(), 4u);
  std::size_t maintainers = 0;
  for (const auto& [fp, what] : before) maintainers += what.rfind("maintainer:", 0) == 0;
  EXPECT_EQ(maintainers, 2u) << "two identical MAINTAINER lines, two fingerprints";
  // Lines added above and the instructions re-indented: every finding moves, none is new.
  repo.write("Dockerfile", "# syntax=docker/dockerfile:1\n# a comment\n\nFROM alpine\n\nMAINTAINER a\nRUN   apk add curl\nMAINTAINER a\nCMD echo hi\n");
  const auto after = fingerprints(repo);
  std::set<std::string> b, a;
  for (const auto& [fp, what] : before) b.insert(fp);
  for (const auto& [fp, what] : after) a.insert(fp);
  EXPECT_EQ(a, b);
  EXPECT_NE(before.begin()->second, after.at(before.begin()->first)) << "the line moved";
  // A real change to the instruction is a new finding.
  repo.write("Dockerfile", "FROM alpine\nMAINTAINER b\nRUN apk add curl\nMAINTAINER a\nCMD echo hi\n");
  const auto changed = fingerprints(repo);
  std::size_t kept = 0;
  for (const auto& [fp, what] : changed) kept += b.count(fp);
  EXPECT_EQ(kept, before.size() - 1);
}

TEST(CheckFormats, SarifKeepsTheMostSevere25000ResultsAndSaysSo) {
  // 25,010 MAINTAINER lines (maintainer: an error, as hadolint's DL4000) and,
  // at the end, a shell-form CMD (exec-form: a warning, DL3025): the first
  // 25,000 errors in line order are kept; ten errors and the warning go.
  TempDir repo;
  std::string body = "FROM alpine\nUSER app\n";
  for (int i = 0; i < 25010; ++i) body += "MAINTAINER m" + std::to_string(i) + "\n";
  body += "CMD echo hi\n";
  repo.write("Dockerfile", body);
  const CliRun r = run_dockmend(repo.path, "check --no-policy --select maintainer,exec-form --format sarif .");
  EXPECT_EQ(r.code, 1) << r.err;
  const auto s = parse_json(r.out);
  ASSERT_TRUE(s) << r.err;
  const auto& run = (*s)["runs"][0];
  const auto& results = run["results"].array();
  ASSERT_EQ(results.size(), 25000u);
  EXPECT_EQ(run["properties"]["findings"].num(), 25011);
  EXPECT_EQ(run["properties"]["resultsOmitted"].num(), 11);
  for (const auto& res : results) ASSERT_EQ(res["ruleId"].str(), "maintainer") << "the warning goes first";
  EXPECT_EQ(results.back()["level"].str(), "error");
  // The errors kept are the first ones in line order.
  EXPECT_EQ(results.front()["locations"][0]["physicalLocation"]["region"]["startLine"].num(), 3);
  EXPECT_EQ(results[24998]["locations"][0]["physicalLocation"]["region"]["startLine"].num(), 3 + 24998);
  const auto& notes = run["invocations"][0]["toolExecutionNotifications"].array();
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0]["level"].str(), "warning");
  EXPECT_NE(notes[0]["message"]["text"].str().find("25011 findings"), std::string::npos) << notes[0]["message"]["text"].str();
  EXPECT_NE(notes[0]["message"]["text"].str().find("11 are left out"), std::string::npos);
  EXPECT_TRUE(std::get<bool>(run["invocations"][0]["executionSuccessful"].v));
  EXPECT_FALSE(run.has("automationDetails"));
  // JSON keeps them all.
  const CliRun j = run_dockmend(repo.path, "check --no-policy --select maintainer,exec-form --format json .");
  const auto jj = parse_json(j.out);
  ASSERT_TRUE(jj);
  EXPECT_EQ((*jj)["findings"].array().size(), 25011u);
  // Split into shards, each run says which it is: code scanning keeps one
  // analysis per category, and would otherwise let one shard replace another.
  repo.write("b/Dockerfile", "FROM alpine\nMAINTAINER x\n");
  std::set<std::string> ids;
  for (const char* k : {"1", "2"}) {
    const CliRun part = run_dockmend(repo.path, std::string("check --no-policy --select maintainer --format sarif -q --shard ") + k + "/2 .");
    const auto ps = parse_json(part.out);
    ASSERT_TRUE(ps) << part;
    ids.insert((*ps)["runs"][0]["automationDetails"]["id"].str());
  }
  EXPECT_EQ(ids, (std::set<std::string>{"dockmend/shard-1-of-2/", "dockmend/shard-2-of-2/"}));
}

}  // namespace
