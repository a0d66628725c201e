// The audit for people: `--format html` is one self-contained, well-formed page
// with a bar per service and the tables below (and renders in headless
// Chromium when it is installed), and both the HTML and the Markdown audit stay
// readable at scale: past a few, Dockerfiles of no service are summarised per
// rule instead of getting a section each.
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "report_test_support.hpp"

namespace fs = std::filesystem;
using namespace dockmend::test;

namespace {

std::size_t count(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (auto p = s.find(what); p != std::string::npos; p = s.find(what, p + what.size())) ++n;
  return n;
}

// Tags balance (void elements aside), attribute values are quoted, entities
// are the ones the writer uses, and nothing but text sits between tags.
// Returns "" or what is wrong.
std::string well_formed(const std::string& html) {
  static const std::set<std::string> k_void = {"meta", "br", "hr", "img", "link", "input", "col", "wbr"};
  std::vector<std::string> open;
  std::size_t p = 0;
  if (html.rfind("<!DOCTYPE html>", 0) != 0) return "no <!DOCTYPE html>";
  p = html.find('>') + 1;
  while (p < html.size()) {
    const auto lt = html.find('<', p);
    const std::string text = html.substr(p, lt == std::string::npos ? std::string::npos : lt - p);
    for (std::size_t a = text.find('&'); a != std::string::npos; a = text.find('&', a + 1)) {
      static const std::regex entity("^&(amp|lt|gt|quot|#39|#[0-9]+);");
      if (!std::regex_search(text.substr(a, 10), entity)) return "bare & in text: " + text.substr(a, 20);
    }
    if (text.find('>') != std::string::npos && (open.empty() || (open.back() != "style")))
      return "> in text: " + text.substr(0, 80);
    if (lt == std::string::npos) break;
    const auto gt = html.find('>', lt);
    if (gt == std::string::npos) return "unterminated tag";
    const std::string tag = html.substr(lt + 1, gt - lt - 1);
    p = gt + 1;
    if (!open.empty() && open.back() == "style" && tag != "/style") return "tag inside <style>: " + tag;
    if (tag.empty()) return "empty tag";
    if (tag[0] == '/') {
      const std::string name = tag.substr(1);
      if (open.empty() || open.back() != name) return "</" + name + "> closes <" + (open.empty() ? "" : open.back()) + ">";
      open.pop_back();
      continue;
    }
    const std::string name = tag.substr(0, tag.find(' '));
    // Attributes: name="value" pairs only.
    static const std::regex attrs(R"re(^[a-z0-9]+( [a-z-]+="[^"<>]*")*$)re");
    if (!std::regex_match(tag, attrs)) return "odd tag: <" + tag + ">";
    if (!k_void.count(name)) open.push_back(name);
  }
  if (!open.empty()) return "unclosed <" + open.back() + ">";
  return "";
}

std::string fmt_width(double percent) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "width: %.1f%%", percent);
  return buf;
}

// A phase4-like repository: the example's policy and services, plus `others`
// Dockerfiles that no service names.
void make_repo(const TempDir& repo, int others) {
  const fs::path example = source_dir() / "examples" / "phase4";
  fs::copy(example, repo.path, fs::copy_options::recursive);
  // The built-in rules too, so that Dockerfiles of no service have checks of their own.
  repo.write("dockmend.yaml", "extends: default\n" + read_bytes(example / "dockmend.yaml"));
  for (int i = 0; i < others; ++i) {
    std::string body = "FROM debian:12\nMAINTAINER team\n";
    // File 7 is the worst: many unpinned installs.
    for (int k = 0; k < (i == 7 ? 5 : 1); ++k) body += "RUN apt-get update && apt-get install -y curl" + std::to_string(k) + "\n";
    repo.write("tools/t" + std::to_string(i) + "/Dockerfile", body + "USER app\n");
  }
}

TEST(AuditHtml, OneSelfContainedPageWithABarPerService) {
  TempDir repo;
  make_repo(repo, 0);
  // Text a page must escape, in a finding's Current column.
  repo.write("model_ops_coordinator/Dockerfile",
             read_bytes(repo.path / "model_ops_coordinator" / "Dockerfile") + "MAINTAINER <script>alert(\"x\")</script> & co\n");
  const CliRun r = run_dockmend(repo.path, "audit --format html -q");
  ASSERT_EQ(r.code, 0) << r;
  const std::string& html = r.out;
  EXPECT_EQ(well_formed(html), "");
  // Self-contained: nothing fetched, no script. URLs may be text (a HEALTHCHECK's
  // curl http://localhost/...), never in a tag or the style sheet.
  std::string tags_and_style;
  for (std::size_t p = html.find('<'); p != std::string::npos; p = html.find('<', p + 1))
    tags_and_style += html.substr(p, html.find('>', p) - p + 1);
  tags_and_style += html.substr(html.find("<style>"), html.find("</style>") - html.find("<style>"));
  EXPECT_EQ(tags_and_style.find("http:"), std::string::npos);
  EXPECT_EQ(tags_and_style.find("https:"), std::string::npos);
  EXPECT_EQ(tags_and_style.find("//"), std::string::npos);
  EXPECT_EQ(html.find(" src="), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<iframe"), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  for (std::size_t p = html.find("href=\""); p != std::string::npos; p = html.find("href=\"", p + 1))
    EXPECT_EQ(html[p + 6], '#') << "a link leaves the page: " << html.substr(p, 60);
  EXPECT_NE(html.find("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co"), std::string::npos);

  // A bar per service (and the overall one), as wide as its score.
  EXPECT_EQ(count(html, "<div class=\"bar-row\">"), 3u);
  EXPECT_EQ(count(html, "<div class=\"bar-row overall\">"), 1u);
  const CliRun json = run_dockmend(repo.path, "audit --format json -q");
  const auto j = parse_json(json.out);
  ASSERT_TRUE(j) << json;
  for (const auto& s : (*j)["services"].array()) {
    const std::string name = s["name"].str();
    const std::string row = html.substr(html.find("<span class=\"name\" title=\"" + name + "\">"), 400);
    const auto* score = std::get_if<double>(&s["score"].v);
    ASSERT_TRUE(score);
    EXPECT_NE(row.find(fmt_width(*score)), std::string::npos) << name << ": " << row;
    // Its section, with the table.
    const auto section = html.find("</code>", html.find(". " + name + " <code>"));
    ASSERT_NE(section, std::string::npos) << name;
    EXPECT_NE(html.find("<th>Issue</th><th>Current</th><th>Should Be</th><th>Line Ref</th>", section), std::string::npos);
  }
  EXPECT_NE(html.find("<h2>Required fixes</h2>"), std::string::npos);
  EXPECT_NE(html.find("<h2>Summary</h2>"), std::string::npos);
}

TEST(AuditHtml, RendersInHeadlessChromium) {
  if (std::system("command -v chromium >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "chromium not installed (Debian: apt-get install chromium): the page was not rendered";
  TempDir repo;
  make_repo(repo, 30);
  const CliRun r = run_dockmend(repo.path, "audit --format html -q");
  ASSERT_EQ(r.code, 0) << r;
  const fs::path page = repo.write("audit.html", r.out);
  TempDir profile;
  // No network: the page must need none (and Chromium is told not to fetch its own).
  const std::string flags = "--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update "
                            "--disable-sync --no-first-run --user-data-dir='" + profile.path.string() + "'";
  const std::string dom_file = (repo.path / "dom.html").string();
  ASSERT_EQ(std::system(("timeout 120 chromium " + flags + " --dump-dom 'file://" + page.string() + "' > '" + dom_file +
                         "' 2>/dev/null").c_str()),
            0);
  const std::string dom = read_bytes(dom_file);
  // The browser's DOM has what the page has: nothing was dropped as malformed.
  EXPECT_EQ(count(dom, "class=\"bar-row\""), count(r.out, "class=\"bar-row\""));
  EXPECT_NE(dom.find("id=\"s3\""), std::string::npos);
  EXPECT_NE(dom.find("id=\"others\""), std::string::npos);
  EXPECT_NE(dom.find("<h2>Summary</h2>"), std::string::npos);
  const fs::path shot = repo.path / "audit.png";
  ASSERT_EQ(std::system(("timeout 120 chromium " + flags + " --window-size=1200,1600 --screenshot='" + shot.string() +
                         "' 'file://" + page.string() + "' >/dev/null 2>&1").c_str()),
            0);
  const std::string png = read_bytes(shot);
  ASSERT_GT(png.size(), 10000u) << "an empty screenshot";
  EXPECT_EQ(png.substr(1, 3), "PNG");
}

// ---- at scale

TEST(AuditScale, ServicesKeepTheirTablesOtherDockerfilesAreSummarised) {
  TempDir repo;
  make_repo(repo, 30);
  const CliRun md = run_dockmend(repo.path, "audit -q");
  ASSERT_EQ(md.code, 0) << md;
  // The three services have their sections; the 30 others have none.
  for (const char* svc : {"## 1. model_ops_coordinator", "## 2. affective_processing_center", "## 3. real_time_audio_pipeline"})
    EXPECT_NE(md.out.find(svc), std::string::npos) << svc;
  EXPECT_EQ(md.out.find("## 4."), std::string::npos);
  EXPECT_NE(md.out.find("## Other Dockerfiles: 30 that no service names"), std::string::npos) << md.out;
  // Per rule: files failing and findings; the worst file first.
  EXPECT_NE(md.out.find("| `maintainer` | 30 | 30 | 30 |"), std::string::npos) << md.out;
  const auto pin = md.out.find("| `apt-pin` | 30 | 34 | 0 | `tools/t7/Dockerfile` (5), ");
  EXPECT_NE(pin, std::string::npos) << md.out;
  EXPECT_NE(md.out.find("Least compliant:"), std::string::npos);
  // The fixes name the services, and count the others.
  EXPECT_NE(md.out.find("**maintainer** — 30 other Dockerfiles:"), std::string::npos) << md.out;
  EXPECT_NE(md.out.find("| 30 other Dockerfiles | |"), std::string::npos);
  EXPECT_EQ(md.out.find("| tools/t12/Dockerfile | `tools/t12/Dockerfile` |"), std::string::npos) << "no summary row per other file";

  // A few others keep their own sections.
  TempDir small;
  make_repo(small, 5);
  const CliRun few = run_dockmend(small.path, "audit -q");
  EXPECT_NE(few.out.find("## 8. tools/t4/Dockerfile"), std::string::npos) << few.out;
  EXPECT_EQ(few.out.find("## Other Dockerfiles"), std::string::npos);
}

TEST(AuditScale, TheRealCorpusGivesAPageNotTwentyNineMegabytes) {
  DOCKMEND_REQUIRE_CORPUS(corpus);
  for (const char* format : {"md", "html"}) {
    const CliRun r = run_dockmend(corpus / "real", std::string("audit --no-policy -q --format ") + format + " .");
    EXPECT_EQ(r.code, 2) << "the corpus holds files buildkit rejects";
    EXPECT_LT(r.out.size(), 200u * 1024) << format;
    EXPECT_NE(r.out.find("Other Dockerfiles: "), std::string::npos) << format;
    if (std::string(format) == "html") {
      EXPECT_EQ(well_formed(r.out), "");
    }
  }
}

}  // namespace
