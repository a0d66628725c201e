// checksum-two-spaces: `echo "SUM FILE" | sha256sum -c` needs two spaces (or " *")
// between the sum and the file name.
#include <algorithm>
#include <fmt/format.h>

#include "transforms/builtin/downloads.hpp"

namespace dockmend::transforms::rules {
namespace {

using namespace downloads;

void check_checksum(const Context& ctx, Outcome& out) {
  const model::Model& m = ctx.model;
  bool any = false;
  for (const model::Run& run : m.runs()) {
    if (!run.parsed) continue;
    const auto& cmds = run.script.commands;
    for (std::size_t i = 1; i < cmds.size(); ++i) {
      const auto& prev = cmds[i - 1];
      if (prev.after != shell::Separator::Pipe) continue;
      auto inv = shell::invocation(cmds[i]);
      if (!inv || (inv->name != "sha256sum" && inv->name != "sha512sum" && inv->name != "sha1sum" &&
                   inv->name != "md5sum" && inv->name != "sha384sum" && inv->name != "sha224sum"))
        continue;
      if (!shell::has_option(cmds[i], {"-c", "--check"})) continue;
      if (prev.words.size() != 2 || prev.words[0].value != "echo") continue;
      any = true;
      const auto& w = prev.words[1];
      const std::string& v = w.value;
      const auto space = v.find(' ');
      if (space == std::string::npos || v.find(' ', space + 1) != std::string::npos || space + 1 >= v.size() ||
          v[space + 1] == '*')
        continue;
      std::vector<edit::Edit> edits;
      const std::string_view raw = shell::slice(run.text, w.span);
      const auto raw_space = raw.find(' ');
      if (run.editable && raw_space != std::string_view::npos && raw.find(' ', raw_space + 1) == std::string_view::npos) {
        const auto at = run.source_after(ctx.tree, w.span.begin + raw_space + 1);
        edits.push_back({{at, at}, " "});
      }
      auto f = command_finding(ctx.tree, run, prev,
                               fmt::format("`{} -c` expects two spaces between the sum and the file name",
                                                    inv->name),
                                        "two spaces between sum and file", std::move(edits));
      f.expected = "echo \"<sum>  <file>\"";
      out.findings.push_back(std::move(f));
    }
  }
  conclude(out, any, "checksum lines use two spaces");
}

}  // namespace

const RuleRegistration k_checksum_two_spaces{RuleSpec("checksum-two-spaces")
    .example("FROM debian:12\nRUN echo \"0123abcd /tmp/a.tgz\" | sha256sum -c\n",
             "FROM debian:12\nRUN echo \"0123abcd  /tmp/a.tgz\" | sha256sum -c\n",
             "FROM debian:12\nRUN echo \"0123abcd  /tmp/a.tgz\" | sha256sum -c\n")
    .aliases("sha256sumEchoOneSpaces")
    .safety(FixSafety::Safe)
    .priority(2)
    .order(340)
    .summary("echo \"SUM FILE\" | sha256sum -c with one space")
    .fix("puts two spaces between the sum and the file name")
    .check(&check_checksum)};

}  // namespace dockmend::transforms::rules
