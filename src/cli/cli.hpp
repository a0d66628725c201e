// The command line: the only place that reads and writes files or prints.
#pragma once
#include <iosfwd>
#include <string>
#include <vector>

namespace dockmend::cli {

struct Streams {
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
  bool out_is_tty = false;
  bool err_is_tty = false;
};

// Runs one command line (args[0] is the first argument after the program name).
// Returns the exit code: 0 fine, 1 changes or findings (diff, check), 2 errors.
int run(const std::vector<std::string>& args, Streams& streams);
int run(int argc, char** argv);

// The command table, for shell completions and the man page: each command as
// `dockmend --help` lists it, with the options `dockmend help COMMAND` lists.
struct OptionInfo {
  std::string long_name;   // "policy"
  char short_name = 0;     // 'j', or 0
  bool takes_value = false;
  bool numeric = false;    // its value is a number (--jobs N), not a word or a path
  bool repeatable = false; // may be given more than once (--exclude GLOB)
  std::string help;        // its line in --help
};
struct CommandInfo {
  std::string name;
  std::string summary;     // its line in `dockmend --help`
  std::string usage;       // "dockmend check [OPTIONS] [PATH...]" (`help COMMAND`'s first line)
  std::vector<OptionInfo> options;
};
std::vector<CommandInfo> command_table();

// `dockmend completion SHELL` (completion.cpp): args[0] is "completion".
int run_completion(const std::vector<std::string>& args, Streams& streams);

// The built-in default policy (`dockmend policy --default`).
const std::string& default_policy_yaml();

}  // namespace dockmend::cli
