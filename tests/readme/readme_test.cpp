// Where the README shows a command, this runs it: every `dockmend ...` line of
// its ```sh blocks runs (in a copy of examples/phase4) without an error, and
// every command the help lists is documented in the README.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <regex>
#include <sstream>

#include "../test_support.hpp"

namespace fs = std::filesystem;

namespace {

struct Ran {
  int code;
  std::string out;
};

Ran shell(const std::string& cmd) {
  Ran r{0, ""};
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int status = ::pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  return r;
}

std::vector<std::string> readme_commands() {
  std::istringstream in(dockmend::test::read_bytes(dockmend::test::source_dir() / "README.md"));
  std::vector<std::string> cmds;
  bool in_sh = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("```", 0) == 0) {
      in_sh = !in_sh && line == "```sh";
      continue;
    }
    if (!in_sh) continue;
    auto hash = line.find("  #");
    if (hash != std::string::npos) line = line.substr(0, hash);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    if (line.rfind("dockmend ", 0) == 0) cmds.push_back(line.substr(9));
  }
  return cmds;
}

}  // namespace

TEST(Readme, EveryDockmendCommandRuns) {
  const auto cmds = readme_commands();
  ASSERT_GE(cmds.size(), 4u);
  const fs::path tmp = fs::temp_directory_path() / ("dockmend-readme-" + std::to_string(::getpid()));
  fs::remove_all(tmp);
  fs::copy(dockmend::test::source_dir() / "examples" / "phase4", tmp, fs::copy_options::recursive);
  for (auto& e : fs::recursive_directory_iterator(tmp))
    fs::permissions(e.path(), fs::perms::owner_write, fs::perm_options::add);
  for (const auto& c : cmds) {
    auto r = shell("cd '" + tmp.string() + "' && '" + DOCKMEND_BINARY + "' " + c);
    EXPECT_NE(r.code, 2) << "dockmend " << c << "\n" << r.out;
    EXPECT_EQ(r.out.find("error:"), std::string::npos) << "dockmend " << c << "\n" << r.out;
  }
  fs::remove_all(tmp);
}

TEST(Readme, DocumentsEveryCommandOfTheHelp) {
  auto help = shell(std::string("'") + DOCKMEND_BINARY + "' --help");
  ASSERT_EQ(help.code, 0);
  const std::string readme = dockmend::test::read_bytes(dockmend::test::source_dir() / "README.md");
  std::regex cmd_line(R"(\n  ([a-z]+) {2,})");
  int seen = 0;
  for (std::sregex_iterator it(help.out.begin(), help.out.end(), cmd_line), end; it != end; ++it) {
    const std::string name = (*it)[1];
    EXPECT_NE(readme.find("dockmend " + name), std::string::npos) << "README does not show `dockmend " << name << "`";
    ++seen;
  }
  EXPECT_GE(seen, 7);
  EXPECT_NE(readme.find("scripts/demo"), std::string::npos);
  EXPECT_NE(readme.find("scripts/test"), std::string::npos);
}

TEST(Readme, HelpOfEveryCommandWorks) {
  for (const char* c : {"check", "diff", "fix", "audit", "dump", "rules", "policy"}) {
    auto r = shell(std::string("'") + DOCKMEND_BINARY + "' help " + c);
    EXPECT_EQ(r.code, 0) << c;
    EXPECT_NE(r.out.find(std::string("usage: dockmend ") + c), std::string::npos) << r.out;
  }
}
