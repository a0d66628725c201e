#pragma once
// Running a helper program (git, an image builder) without a shell and capturing its output.

#include <string>
#include <vector>

namespace dockmend::io {

struct ProcessResult {
  int spawn_errno = 0;  // non-zero: the program could not be started (e.g. ENOENT)
  int exit_code = -1;   // -1 when it did not exit normally (signal)
  std::string out;      // everything it wrote to stdout
};

// Runs argv[0] (looked up in PATH) with stdin and stderr on /dev/null, so the
// library never prints; no shell is involved, so arguments need no quoting.
ProcessResult run_process(const std::vector<std::string>& argv);

// The same, with stdout and stderr going elsewhere: appended to `output_file`
// when set (a build log; `out` stays empty), or both captured in `out`.
struct ProcessOptions {
  std::string output_file;
  bool merge_stderr = false;  // without output_file: stderr into `out` too
};
ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options);

}  // namespace dockmend::io
