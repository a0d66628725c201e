// The example end to end, through the dockmend binary: the audit before the
// fix finds what the hand audit found and what it missed; after `dockmend fix`
// only what a person must fix is left. The JSON and SARIF reports are valid
// JSON with the structure consumers read. golden/phase4 holds the same example.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <variant>

#include "../test_support.hpp"

namespace fs = std::filesystem;

namespace {

// ---- a small JSON reader, enough to check the reports' structure
struct Json {
  std::variant<std::nullptr_t, bool, double, std::string, std::vector<Json>, std::map<std::string, Json>> v;
  const Json& operator[](const std::string& k) const {
    static const Json none;
    const auto* o = std::get_if<std::map<std::string, Json>>(&v);
    if (!o) return none;
    auto it = o->find(k);
    return it == o->end() ? none : it->second;
  }
  const std::vector<Json>& array() const {
    static const std::vector<Json> none;
    const auto* a = std::get_if<std::vector<Json>>(&v);
    return a ? *a : none;
  }
  std::string str() const {
    const auto* s = std::get_if<std::string>(&v);
    return s ? *s : std::string();
  }
  double num() const {
    const auto* d = std::get_if<double>(&v);
    return d ? *d : -1;
  }
  bool is_object() const { return std::holds_alternative<std::map<std::string, Json>>(v); }
};

struct Reader {
  const std::string& s;
  std::size_t p = 0;
  bool ok = true;
  void ws() {
    while (p < s.size() && (s[p] == ' ' || s[p] == '\n' || s[p] == '\t' || s[p] == '\r')) ++p;
  }
  bool eat(char c) {
    ws();
    if (p < s.size() && s[p] == c) {
      ++p;
      return true;
    }
    return false;
  }
  std::string string() {
    std::string out;
    if (!eat('"')) {
      ok = false;
      return out;
    }
    while (p < s.size() && s[p] != '"') {
      if (static_cast<unsigned char>(s[p]) < 0x20) ok = false;
      if (s[p] == '\\') {
        ++p;
        if (p >= s.size()) break;
        const char e = s[p];
        if (e == 'u') {
          if (p + 4 >= s.size()) ok = false;
          p += 4;
          out += '?';
        } else if (std::string("\"\\/bfnrt").find(e) == std::string::npos) {
          ok = false;
        } else {
          out += e == 'n' ? '\n' : e == 't' ? '\t' : e;
        }
        ++p;
        continue;
      }
      out += s[p++];
    }
    if (p >= s.size()) ok = false;
    ++p;
    return out;
  }
  Json value() {
    ws();
    Json j;
    if (p >= s.size()) {
      ok = false;
      return j;
    }
    if (s[p] == '{') {
      ++p;
      std::map<std::string, Json> o;
      if (!eat('}')) {
        do {
          ws();
          auto k = string();
          if (!eat(':')) ok = false;
          o[k] = value();
        } while (ok && eat(','));
        if (!eat('}')) ok = false;
      }
      j.v = std::move(o);
    } else if (s[p] == '[') {
      ++p;
      std::vector<Json> a;
      if (!eat(']')) {
        do a.push_back(value());
        while (ok && eat(','));
        if (!eat(']')) ok = false;
      }
      j.v = std::move(a);
    } else if (s[p] == '"') {
      j.v = string();
    } else if (s.compare(p, 4, "true") == 0) {
      p += 4;
      j.v = true;
    } else if (s.compare(p, 5, "false") == 0) {
      p += 5;
      j.v = false;
    } else if (s.compare(p, 4, "null") == 0) {
      p += 4;
    } else {
      std::size_t used = 0;
      try {
        j.v = std::stod(s.substr(p), &used);
      } catch (...) {
        ok = false;
      }
      if (!used) ok = false;
      p += used;
    }
    return j;
  }
};

std::optional<Json> parse_json(const std::string& text) {
  Reader r{text};
  Json j = r.value();
  r.ws();
  if (!r.ok || r.p != text.size()) return std::nullopt;
  return j;
}

struct Output {
  int code = -1;
  std::string out;
};

Output run_cli(const fs::path& cwd, const std::string& args) {
  const std::string cmd = "cd '" + cwd.string() + "' && '" DOCKMEND_BINARY "' " + args + " 2>/dev/null";
  Output o;
  std::unique_ptr<FILE, int (*)(FILE*)> p(popen(cmd.c_str(), "r"), pclose);
  if (!p) return o;
  char buf[4096];
  for (std::size_t n; (n = fread(buf, 1, sizeof buf, p.get())) > 0;) o.out.append(buf, n);
  const int status = pclose(p.release());
  o.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return o;
}

// service -> failing rule ids, from `audit --format json`.
std::map<std::string, std::set<std::string>> failing(const Json& audit) {
  std::map<std::string, std::set<std::string>> out;
  for (const auto& s : audit["services"].array()) {
    auto& f = out[s["name"].str()];
    for (const auto& c : s["checks"].array())
      if (!std::get<bool>(c["passed"].v)) f.insert(c["rule"].str());
  }
  return out;
}

struct TempCopy {
  fs::path dir;
  explicit TempCopy(const fs::path& from) {
    dir = fs::temp_directory_path() / ("dockmend-report-" + std::to_string(::getpid()) + "-" +
                                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::copy(from, dir, fs::copy_options::recursive);
  }
  ~TempCopy() { fs::remove_all(dir); }
};

const fs::path k_example = dockmend::test::source_dir() / "examples" / "phase4";

}  // namespace

TEST(PolicyExample, GoldenCaseIsTheExample) {
  const fs::path golden = dockmend::test::source_dir() / "golden" / "phase4";
  std::set<std::string> in_example, in_golden;
  for (auto& e : fs::recursive_directory_iterator(k_example))
    if (e.is_regular_file()) in_example.insert(e.path().lexically_relative(k_example).generic_string());
  for (auto& e : fs::recursive_directory_iterator(golden)) {
    const auto rel = e.path().lexically_relative(golden).generic_string();
    if (e.is_regular_file() && rel.rfind("expected.", 0) != 0 && rel != "args") in_golden.insert(rel);
  }
  EXPECT_EQ(in_golden, in_example);
  for (const auto& f : in_example)
    EXPECT_EQ(dockmend::test::read_bytes(golden / f), dockmend::test::read_bytes(k_example / f)) << f;
}

TEST(PolicyExample, AuditBeforeAndAfterTheFix) {
  TempCopy repo(k_example);
  auto before = run_cli(repo.dir, "audit --format json --jobs 1");
  ASSERT_EQ(before.code, 0);
  auto audit = parse_json(before.out);
  ASSERT_TRUE(audit) << before.out;
  auto fail = failing(*audit);
  // What the hand audit found, and what it missed (--require-hashes, ARG MACHINE, TORCH_CUDA_ARCH_LIST).
  EXPECT_EQ(fail["model_ops_coordinator"], (std::set<std::string>{"ports", "healthcheck", "pip-hashes", "cuda-arch"}));
  EXPECT_EQ(fail["real_time_audio_pipeline"],
            (std::set<std::string>{"ports", "healthcheck", "tini", "user", "machine-arg", "machine-profile", "pip-hashes", "cuda-arch"}));
  EXPECT_EQ(fail["affective_processing_center"].size(), 11u);
  EXPECT_EQ(audit->operator[]("applicable").num(), 33);
  EXPECT_EQ(run_cli(repo.dir, "audit --fail-under 50").code, 1);
  EXPECT_EQ(run_cli(repo.dir, "audit --fail-under 25").code, 0);

  ASSERT_EQ(run_cli(repo.dir, "fix --jobs 1").code, 0);
  EXPECT_TRUE(fs::exists(repo.dir / "real_time_audio_pipeline" / "config" / "machine-profiles" / "pc2.yaml"));
  auto after = parse_json(run_cli(repo.dir, "audit --format json").out);
  ASSERT_TRUE(after);
  fail = failing(*after);
  // Only what a person must fix: requirements without hashes, APC's health route.
  EXPECT_EQ(fail["model_ops_coordinator"], std::set<std::string>{});
  EXPECT_EQ(fail["real_time_audio_pipeline"], std::set<std::string>{"pip-hashes"});
  EXPECT_EQ(fail["affective_processing_center"], (std::set<std::string>{"pip-hashes", "health-endpoint"}));
  for (const auto& s : (*after)["services"].array())
    for (const auto& f : s["findings"].array()) EXPECT_FALSE(std::get<bool>(f["fixable"].v)) << f["message"].str();
  EXPECT_EQ(run_cli(repo.dir, "diff").out, "");
}

TEST(PolicyExample, SarifHasResultsAndFixes) {
  auto out = run_cli(k_example, "audit --format sarif");
  ASSERT_EQ(out.code, 0);
  auto sarif = parse_json(out.out);
  ASSERT_TRUE(sarif) << out.out;
  EXPECT_EQ((*sarif)["version"].str(), "2.1.0");
  const auto& run = (*sarif)["runs"].array().at(0);
  const auto& rules = run["tool"]["driver"]["rules"].array();
  ASSERT_FALSE(rules.empty());
  std::size_t with_fix = 0, new_files = 0;
  const auto& results = run["results"].array();
  ASSERT_GE(results.size(), 30u);
  for (const auto& r : results) {
    EXPECT_FALSE(r["ruleId"].str().empty());
    const auto index = static_cast<std::size_t>(r["ruleIndex"].num());
    ASSERT_LT(index, rules.size());
    EXPECT_EQ(rules[index]["id"].str(), r["ruleId"].str());
    EXPECT_TRUE(r["level"].str() == "error" || r["level"].str() == "warning" || r["level"].str() == "note");
    const auto& loc = r["locations"].array().at(0)["physicalLocation"];
    EXPECT_FALSE(loc["artifactLocation"]["uri"].str().empty());
    EXPECT_GE(loc["region"]["startLine"].num(), 1);
    for (const auto& fx : r["fixes"].array()) {
      ++with_fix;
      for (const auto& ch : fx["artifactChanges"].array()) {
        EXPECT_FALSE(ch["replacements"].array().empty());
        for (const auto& rep : ch["replacements"].array()) EXPECT_TRUE(rep["deletedRegion"].is_object());
        new_files += ch["artifactLocation"]["uri"].str().find("config/machine-profiles/") != std::string::npos;
      }
    }
  }
  EXPECT_GE(with_fix, 25u);
  EXPECT_EQ(new_files, 4u);  // two profiles for two services
}
