// Golden cases: golden/<area>/<case>/ holds a small repository (Dockerfiles,
// maybe a dockmend.yaml and other files) next to what dockmend prints for it:
//   expected.diff      `dockmend diff`            (always)
//   expected.check     `dockmend check`           (always)
//   expected.audit.md  `dockmend audit`           (when present)
//   expected.inspect, expected.inspect.json
//                      `dockmend inspect`, text and --format json (golden/inspect/ cases)
//   expected.check.err `dockmend check`'s stderr (when present)
//   args               extra arguments for every command (optional, one a line)
// DOCKMEND_UPDATE_GOLDEN=1 rewrites the expectations (review their diff like code).
// Every case also checks, for free: each Dockerfile prints back from its tree,
// `fix` then `diff` gives an empty patch, and a second `fix` changes nothing.
#include <gtest/gtest.h>

#include <unistd.h>

#include <set>
#include <sstream>

#include "../test_support.hpp"
#include "cli/cli.hpp"
#include "io/discover.hpp"
#include "syntax/tree.hpp"

std::string fmt_tmp_name();

namespace fs = std::filesystem;
using namespace dockmend;

namespace {

struct CmdResult {
  int code;
  std::string out, err;
};

CmdResult run_cli(const std::vector<std::string>& args, const std::string& input = "") {
  std::istringstream in(input);
  std::ostringstream out, err;
  cli::Streams st{in, out, err, false, false};
  int code = cli::run(args, st);
  return {code, out.str(), err.str()};
}

bool is_expectation(const std::string& name) { return name.rfind("expected.", 0) == 0 || name == "args"; }

void copy_case(const fs::path& from, const fs::path& to) {
  for (auto& e : fs::recursive_directory_iterator(from)) {
    const auto rel = e.path().lexically_relative(from);
    if (is_expectation(rel.begin()->string())) continue;
    if (e.is_directory()) fs::create_directories(to / rel);
    else fs::copy_file(e.path(), to / rel, fs::copy_options::overwrite_existing);
  }
}

std::vector<fs::path> cases() {
  std::vector<fs::path> out;
  const fs::path root = test::source_dir() / "golden";
  if (!fs::exists(root)) return out;
  const bool update = std::getenv("DOCKMEND_UPDATE_GOLDEN") != nullptr;
  // A case is a folder with expectations or, when updating, a new folder with a
  // Dockerfile; folders inside a case belong to it (a case is a whole repository).
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
    if (!it->is_directory()) continue;
    bool is_case = fs::exists(it->path() / "expected.diff");
    if (!is_case && update) {
      for (auto& f : fs::directory_iterator(it->path()))
        if (f.is_regular_file() && io::is_dockerfile_name(f.path().filename().string())) {
          is_case = true;
          break;
        }
    }
    if (is_case) {
      out.push_back(it->path());
      it.disable_recursion_pending();
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

struct Cwd {
  fs::path saved = fs::current_path();
  explicit Cwd(const fs::path& p) { fs::current_path(p); }
  ~Cwd() { fs::current_path(saved); }
};

void expect_file(const fs::path& p, const std::string& actual, bool update) {
  if (update) {
    test::write_bytes(p, actual);
    return;
  }
  ASSERT_TRUE(fs::exists(p)) << p << " is missing (run with DOCKMEND_UPDATE_GOLDEN=1)";
  EXPECT_EQ(actual, test::read_bytes(p)) << "golden mismatch: " << p;
}

std::vector<std::string> read_args(const fs::path& dir) {
  std::vector<std::string> args;
  if (!fs::exists(dir / "args")) return args;
  std::istringstream in(test::read_bytes(dir / "args"));
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) args.push_back(line);
  return args;
}

}  // namespace

std::string fmt_tmp_name() {
  // A parameterised test is named "Case/<case>": the slash would make the
  // directory a child of one that nobody removes.
  std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
  for (char& c : name)
    if (c == '/') c = '_';
  return "dockmend-golden-" + std::to_string(::getpid()) + "-" + name;
}

class Golden : public ::testing::TestWithParam<fs::path> {};

TEST_P(Golden, Case) {
  const fs::path src = GetParam();
  const bool update = std::getenv("DOCKMEND_UPDATE_GOLDEN") != nullptr;
  const fs::path tmp = fs::temp_directory_path() / fmt_tmp_name();
  fs::remove_all(tmp);
  fs::create_directories(tmp);
  copy_case(src, tmp);
  const auto extra = read_args(src);
  auto cmd = [&](std::string name) {
    std::vector<std::string> a{std::move(name), "--color=never", "--jobs=1"};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  {
    Cwd cwd(tmp);
    // The tree prints back every Dockerfile of the case.
    for (auto& e : fs::recursive_directory_iterator(tmp)) {
      if (!e.is_regular_file() || !io::is_dockerfile_name(e.path().filename().string())) continue;
      const std::string bytes = test::read_bytes(e.path());
      EXPECT_EQ(syntax::print(syntax::parse(bytes)), bytes) << e.path();
    }
    auto diff = run_cli(cmd("diff"));
    EXPECT_NE(diff.code, 2) << diff.err;
    EXPECT_EQ(diff.code, diff.out.empty() ? 0 : 1) << diff.err;
    expect_file(src / "expected.diff", diff.out, update);
    auto check = run_cli(cmd("check"));
    EXPECT_NE(check.code, 2) << check.err;
    expect_file(src / "expected.check", check.out, update);
    if (fs::exists(src / "expected.inspect") || src.parent_path().filename() == "inspect") {
      std::vector<std::string> a{"inspect"};
      a.insert(a.end(), extra.begin(), extra.end());
      auto text = run_cli(a);
      EXPECT_EQ(text.code, 0) << text.err;
      expect_file(src / "expected.inspect", text.out, update);
      a.push_back("--format=json");
      auto json = run_cli(a);
      EXPECT_EQ(json.code, 0) << json.err;
      expect_file(src / "expected.inspect.json", json.out, update);
    }
    // The notes on stderr (files left alone, unsafe fixes left out), where a case keeps them.
    if (fs::exists(src / "expected.check.err")) expect_file(src / "expected.check.err", check.err, update);
    if (fs::exists(src / "expected.audit.md") || fs::exists(src / "args.audit")) {
      auto audit = run_cli(cmd("audit"));
      EXPECT_EQ(audit.code, 0) << audit.err;
      expect_file(src / "expected.audit.md", audit.out, update);
    }
    // Fixing gives what the diff showed, and fixing again changes nothing.
    auto fix = run_cli(cmd("fix"));
    EXPECT_EQ(fix.code, 0) << fix.err;
    auto again = run_cli(cmd("diff"));
    EXPECT_EQ(again.code, 0) << "not idempotent:\n" << again.out << again.err;
    EXPECT_EQ(again.out, "");
  }
  fs::remove_all(tmp);
}

std::string case_name(const ::testing::TestParamInfo<fs::path>& info) {
  std::string s = info.param.lexically_relative(test::source_dir() / "golden").generic_string();
  for (char& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return s;
}

INSTANTIATE_TEST_SUITE_P(Cases, Golden, ::testing::ValuesIn(cases()), case_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(Golden);
