// `dockmend completion bash|zsh|fish`: every command and every option that
// `dockmend --help` and `dockmend help COMMAND` show is in each script, the
// scripts load in their shells, and completing a few command lines in bash and
// fish (fish's `complete -C`) gives what the program accepts.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <regex>
#include <set>
#include <sstream>

#include "cli/cli.hpp"
#include "release_support.hpp"

namespace fs = std::filesystem;
using namespace dockmend;

namespace {

std::string bin() { return test::quoted(DOCKMEND_BINARY); }

std::string script(const std::string& shell) {
  const auto r = test::run_capture(bin() + " completion " + shell);
  EXPECT_EQ(r.status, 0) << shell;
  return r.out;
}

// The commands `dockmend --help` lists, read from its text (not from command_table()).
std::vector<std::string> commands_in_help() {
  const auto r = test::run_capture(bin() + " --help");
  std::vector<std::string> names;
  std::istringstream in(r.out);
  std::string line;
  bool on = false;
  while (std::getline(in, line)) {
    if (line == "commands:") {
      on = true;
    } else if (on) {
      if (line.empty()) break;
      std::smatch m;
      if (std::regex_search(line, m, std::regex("^  ([a-z]+)  "))) names.push_back(m[1]);
    }
  }
  return names;
}

// The options `dockmend help COMMAND` lists: "--name" and "-x" at the start of a line.
std::set<std::string> options_in_help(const std::string& command) {
  const auto r = test::run_capture(bin() + " help " + command);
  std::set<std::string> opts;
  const std::regex lead(R"(^  (-[a-zA-Z])? ?(?:\[ )?(--[a-z][a-z-]*)?)");
  std::istringstream in(r.out);
  std::string line;
  while (std::getline(in, line)) {
    std::smatch m;
    if (!std::regex_search(line, m, lead)) continue;
    if (m[1].matched) opts.insert(m[1]);
    if (m[2].matched) opts.insert(m[2]);
  }
  return opts;
}

bool has_word(const std::string& text, const std::string& word) {
  return std::regex_search(text, std::regex("(^|[^A-Za-z0-9_-])" + std::regex_replace(word, std::regex("-"), "\\-") +
                                            "($|[^A-Za-z0-9_-])"));
}

// What bash's completion function offers for a command line (the last word is
// the one being completed; "" for a new word).
std::vector<std::string> bash_complete(const std::string& bash_script, const std::vector<std::string>& words) {
  const fs::path file = fs::temp_directory_path() / ("dockmend-completion-" + std::to_string(::getpid()) + ".bash");
  test::write_bytes(file, bash_script);
  std::string arr;
  for (const auto& w : words) arr += " " + test::quoted(w);
  const std::string cmd = "bash --norc --noprofile -c " +
                          test::quoted("source " + test::quoted(file.string()) + "; COMP_WORDS=(dockmend" + arr +
                                       "); COMP_CWORD=" + std::to_string(words.size()) +
                                       "; _dockmend; printf '%s\\n' \"${COMPREPLY[@]}\"");
  const auto r = test::run_capture(cmd);
  fs::remove(file);
  std::vector<std::string> out;
  std::istringstream in(r.out);
  for (std::string l; std::getline(in, l);)
    if (!l.empty()) out.push_back(l);
  return out;
}

std::vector<std::string> fish_complete(const std::string& fish_script, const std::string& line) {
  const fs::path file = fs::temp_directory_path() / ("dockmend-completion-" + std::to_string(::getpid()) + ".fish");
  test::write_bytes(file, fish_script);
  const auto r = test::run_capture("fish --no-config -c " +
                                   test::quoted("source " + test::quoted(file.string()) + "; complete -C " +
                                                test::quoted(line)));
  fs::remove(file);
  std::vector<std::string> out;
  std::istringstream in(r.out);
  for (std::string l; std::getline(in, l);) out.push_back(l.substr(0, l.find('\t')));
  return out;
}

// What zsh's completion system offers for a command line: an interactive zsh in
// a pseudo-terminal (zsh/zpty) with the script on fpath and compinit, where
// compadd is wrapped to print what it adds; Tab completes, then ^X prints an end
// marker. (The markers are spelt in two pieces so that the echoed input never
// contains them.)
std::vector<std::string> zsh_complete(const fs::path& fpath_dir, const std::string& line) {
  const fs::path harness = fpath_dir / "harness.zsh";
  test::write_bytes(harness,
                    "zmodload zsh/zpty || exit 3\n"
                    "zpty z zsh -f -i\n"
                    "zpty -w z \"PROMPT=; fpath=($1 \\$fpath); autoload -Uz compinit; compinit -u -D\"\n"
                    "zpty -w z 'compadd () { local -a __hits; builtin compadd -O __hits \"$@\"; local h; "
                    "for h in $__hits; do print -r -- \"MATCH\"\"X:$h\"; done }'\n"
                    "zpty -w z 'finish () { print -r -- \"THE\"\"END\"; }; zle -N finish; bindkey \"^X\" finish; "
                    "bindkey \"^I\" complete-word'\n"
                    "zpty -n -w z \"$2\"$'\\t'$'\\x18'\n"
                    "local out\n"
                    "zpty -r z out '*THEEND*'\n"
                    "print -r -- \"$out\"\n"
                    "zpty -d z\n");
  const auto r = test::run_capture("timeout 20 zsh -f " + test::quoted(harness.string()) + " " +
                                   test::quoted(fpath_dir.string()) + " " + test::quoted(line));
  std::set<std::string> found;
  std::istringstream in(r.out);
  for (std::string l; std::getline(in, l);) {
    const auto at = l.find("MATCHX:");
    if (at == std::string::npos) continue;
    std::string m = l.substr(at + 7);
    while (!m.empty() && (m.back() == '\r' || m.back() == '\n')) m.pop_back();
    found.insert(m);
  }
  return {found.begin(), found.end()};
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

TEST(Completion, TableIsWhatHelpShows) {
  const auto table = cli::command_table();
  std::vector<std::string> names;
  for (const auto& c : table) names.push_back(c.name);
  EXPECT_EQ(names, commands_in_help());
  EXPECT_TRUE(contains(names, "completion"));
  for (const auto& name : names) {
    if (name == "help") continue;  // `dockmend help help` is not a thing
    const auto r = test::run_capture(bin() + " help " + name);
    EXPECT_EQ(r.status, 0) << "dockmend help " << name;
    EXPECT_EQ(r.out.rfind("usage: dockmend " + name, 0), 0u) << r.out;
  }
  for (const auto& c : table) {
    if (c.name == "help" || c.name == "completion") continue;
    std::set<std::string> from_table;
    for (const auto& o : c.options) {
      from_table.insert("--" + o.long_name);
      if (o.short_name) from_table.insert(std::string("-") + o.short_name);
    }
    EXPECT_EQ(from_table, options_in_help(c.name)) << c.name;
  }
}

TEST(Completion, EveryCommandAndOptionIsInEveryScript) {
  for (const char* shell : {"bash", "zsh", "fish"}) {
    const std::string s = script(shell);
    ASSERT_FALSE(s.empty()) << shell;
    for (const auto& name : commands_in_help()) {
      EXPECT_TRUE(has_word(s, name)) << shell << ": command " << name;
      if (name == "help" || name == "completion") continue;
      for (const auto& opt : options_in_help(name)) {
        // fish spells them -l policy / -s j.
        const std::string spelled = std::string(shell) != "fish" ? opt
                                    : opt.rfind("--", 0) == 0     ? "-l " + opt.substr(2)
                                                                  : "-s " + opt.substr(1);
        EXPECT_NE(s.find(spelled), std::string::npos) << shell << ": " << name << " " << opt;
      }
    }
  }
}

TEST(Completion, UnknownShellIsAUsageError) {
  EXPECT_EQ(test::shell(bin() + " completion tcsh >/dev/null 2>&1"), 2);
  EXPECT_EQ(test::shell(bin() + " completion >/dev/null 2>&1"), 2);
  EXPECT_EQ(test::shell(bin() + " completion --help >/dev/null 2>&1"), 0);
}

TEST(Completion, BashCompletesCommandsOptionsAndValues) {
  if (!test::has_tool("bash")) GTEST_SKIP() << "bash not found";
  const std::string s = script("bash");
  auto top = bash_complete(s, {""});
  for (const auto& name : commands_in_help()) EXPECT_TRUE(contains(top, name)) << name;
  EXPECT_EQ(bash_complete(s, {"ch"}), std::vector<std::string>{"check"});
  EXPECT_EQ(bash_complete(s, {"check", "--format", ""}), (std::vector<std::string>{"text", "json", "sarif"}));
  EXPECT_EQ(bash_complete(s, {"audit", "--format", "=", "s"}), std::vector<std::string>{"sarif"});
  EXPECT_EQ(bash_complete(s, {"check", "--color", ""}), (std::vector<std::string>{"auto", "always", "never"}));
  EXPECT_EQ(bash_complete(s, {"completion", ""}), (std::vector<std::string>{"bash", "zsh", "fish"}));
  EXPECT_TRUE(contains(bash_complete(s, {"check", "--select", "DL30"}), "DL3008"));
  EXPECT_TRUE(contains(bash_complete(s, {"check", "--ignore", "apt-pin,DL30"}), "apt-pin,DL3008"));
  EXPECT_TRUE(bash_complete(s, {"check", "--jobs", ""}).empty());
  const auto opts = bash_complete(s, {"diff", "-"});
  for (const auto& o : options_in_help("diff")) EXPECT_TRUE(contains(opts, o)) << o;
  // Paths after a command that reads files.
  const auto paths = bash_complete(s, {"check", (test::source_dir() / "examples" / "phase4" / "dockm").string()});
  EXPECT_EQ(paths, std::vector<std::string>{(test::source_dir() / "examples" / "phase4" / "dockmend.yaml").string()});
}

TEST(Completion, FishCompletesCommandsOptionsAndValues) {
  if (!test::has_tool("fish")) GTEST_SKIP() << "fish not found (Debian's fish package)";
  const std::string s = script("fish");
  ASSERT_EQ(test::shell("fish --no-config -n /dev/stdin <<'EOF'\n" + s + "\nEOF"), 0);
  auto top = fish_complete(s, "dockmend ");
  for (const auto& name : commands_in_help()) EXPECT_TRUE(contains(top, name)) << name;
  EXPECT_EQ(fish_complete(s, "dockmend check --format "), (std::vector<std::string>{"json", "sarif", "text"}));
  EXPECT_TRUE(contains(fish_complete(s, "dockmend check --select DL30"), "DL3008"));
  const auto opts = fish_complete(s, "dockmend audit -");
  for (const auto& o : options_in_help("audit")) EXPECT_TRUE(contains(opts, o)) << o;
}

TEST(HeavyCompletion, ZshLoadsAndCompletesCommandsOptionsAndValues) {
  if (!test::has_tool("zsh")) GTEST_SKIP() << "zsh not found (Debian's zsh package)";
  const fs::path dir = fs::temp_directory_path() / ("dockmend-zsh-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  test::write_bytes(dir / "_dockmend", script("zsh"));
  EXPECT_EQ(test::shell("zsh -n " + test::quoted((dir / "_dockmend").string())), 0);
  // compinit finds it on fpath by its #compdef line and binds it to dockmend.
  const auto r = test::run_capture("zsh -f -c " + test::quoted("fpath=(" + test::quoted(dir.string()) +
                                                                " $fpath); autoload -Uz compinit; compinit -u -D; "
                                                                "print -r -- $_comps[dockmend]"));
  EXPECT_EQ(r.out, "_dockmend\n");
  // And completes, in an interactive zsh.
  const auto top = zsh_complete(dir, "dockmend ");
  for (const auto& name : commands_in_help()) EXPECT_TRUE(contains(top, name)) << name;
  EXPECT_EQ(zsh_complete(dir, "dockmend check --format "), (std::vector<std::string>{"json", "sarif", "text"}));
  // audit's formats, as its help lists them ("md, html, json or sarif"), sorted.
  std::vector<std::string> formats;
  for (const auto& c : cli::command_table())
    for (const auto& o : c.options)
      if (c.name == "audit" && o.long_name == "format") {
        const std::string list = std::regex_replace(o.help.substr(0, o.help.find(" (")), std::regex(",| or "), " ");
        std::istringstream words(list);
        for (std::string w; words >> w;) formats.push_back(w);
      }
  std::sort(formats.begin(), formats.end());
  ASSERT_GE(formats.size(), 3u);
  EXPECT_EQ(zsh_complete(dir, "dockmend audit --format="), formats);
  EXPECT_EQ(zsh_complete(dir, "dockmend completion "), (std::vector<std::string>{"bash", "fish", "zsh"}));
  EXPECT_TRUE(contains(zsh_complete(dir, "dockmend check --select DL30"), "DL3008"));
  const auto opts = zsh_complete(dir, "dockmend audit -");
  for (const auto& o : options_in_help("audit")) EXPECT_TRUE(contains(opts, o)) << o;
  fs::remove_all(dir);
}

// The words a completion offers for an option's value are the words the program
// accepts there, and the program refuses others.
TEST(Completion, OfferedValuesAreAccepted) {
  const fs::path dir = fs::temp_directory_path() / ("dockmend-values-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  test::write_bytes(dir / "Dockerfile", "FROM scratch\n");
  const std::regex list(R"(^([a-z][a-z0-9-]*)((?:, [a-z][a-z0-9-]*)*) or ([a-z][a-z0-9-]*))");
  std::size_t tried = 0;
  for (const auto& c : cli::command_table()) {
    // verify builds images with docker, podman or buildah: not a run for this test.
    if (c.name == "verify") continue;
    for (const auto& o : c.options) {
      std::smatch m;
      if (!o.takes_value || !std::regex_search(o.help, m, list)) continue;
      std::string words = std::string(m[1]) + std::regex_replace(std::string(m[2]), std::regex(","), "") + " " +
                          std::string(m[3]);
      std::istringstream in(words);
      for (std::string w; in >> w;) {
        const int rc = test::shell(bin() + " " + c.name + " --" + o.long_name + "=" + w + " " +
                                   test::quoted((dir / "Dockerfile").string()) + " >/dev/null 2>&1");
        EXPECT_TRUE(rc == 0 || rc == 1) << c.name << " --" << o.long_name << "=" << w << ": exit " << rc;
        ++tried;
      }
      // `policy` takes the common options but reads only --policy and --no-policy.
      if (c.name == "policy") continue;
      EXPECT_EQ(test::shell(bin() + " " + c.name + " --" + o.long_name + "=no-such-word " +
                            test::quoted((dir / "Dockerfile").string()) + " >/dev/null 2>&1"),
                2)
          << c.name << " --" << o.long_name;
    }
  }
  EXPECT_GE(tried, 10u);
  fs::remove_all(dir);
}

// A command whose usage takes rules (`dockmend rules [RULE...]`) completes rule
// ids and aliases after it; one that takes none offers nothing there.
TEST(Completion, RuleOperandsWhereTheUsageTakesThem) {
  if (!test::has_tool("bash")) GTEST_SKIP() << "bash not found";
  const std::string s = script("bash");
  std::size_t checked = 0;
  for (const auto& name : commands_in_help()) {
    if (name == "help" || name == "completion") continue;
    const std::string usage = test::run_capture(bin() + " help " + name).out;
    const std::string first = usage.substr(0, usage.find('\n'));
    const auto offered = bash_complete(s, {name, "DL30"});
    if (std::regex_search(first, std::regex(R"(\[(RULE|ID)\b)"))) {
      EXPECT_TRUE(contains(offered, "DL3008")) << first;
      ++checked;
    } else if (name == "rules" || name == "policy") {
      EXPECT_TRUE(offered.empty()) << first;
      ++checked;
    }
  }
  EXPECT_GE(checked, 2u);
}
