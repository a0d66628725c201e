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

// The built-in default policy (`dockmend policy --default`).
const std::string& default_policy_yaml();

}  // namespace dockmend::cli
