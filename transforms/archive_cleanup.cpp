// What a RUN downloads or creates only for itself should not stay in its
// layer: an archive it unpacked, a temporary directory from mktemp -d.
#include <algorithm>

#include <fmt/format.h>

#include "transforms/builtin_support.hpp"
#include "transforms/rules.hpp"

namespace dockmend::transforms::rules {
namespace {

using builtin::RunScript;

std::string_view basename(std::string_view p) {
  const auto slash = p.rfind('/');
  return slash == std::string_view::npos ? p : p.substr(slash + 1);
}

// The file a curl or wget command writes, or "" (stdout, unknown).
std::string download_target(const shell::Command& cmd) {
  auto inv = shell::invocation(cmd);
  if (!inv) return "";
  std::string url;
  for (std::size_t i = inv->args; i < cmd.words.size(); ++i)
    if (cmd.words[i].value.find("://") != std::string::npos) url = cmd.words[i].value;
  if (inv->name == "curl") {
    if (auto o = shell::find_option(cmd, {"-o", "--output"})) return o->value == "-" ? "" : o->value;
    if (shell::has_option(cmd, {"-O", "--remote-name"}) && !url.empty()) return std::string(basename(url));
  } else if (inv->name == "wget") {
    if (auto o = shell::find_option(cmd, {"-O", "--output-document"})) return o->value == "-" ? "" : o->value;
    if (!url.empty() && !shell::has_option(cmd, {"-P", "--directory-prefix"})) return std::string(basename(url));
  }
  return "";
}

// The archive a tar command extracts (-x ... -f FILE, or the old `tar xzf FILE`).
std::optional<std::size_t> extracted_archive(const shell::Command& cmd) {
  auto inv = shell::invocation(cmd);
  if (!inv || inv->name != "tar" || inv->args >= cmd.words.size()) return std::nullopt;
  const std::string_view first = cmd.words[inv->args].value;
  if (!first.empty() && first[0] != '-' && first.find_first_not_of("xzjJvfopPaZ") == std::string_view::npos &&
      first.find('x') != std::string_view::npos) {
    // Old style: the letters' arguments follow in order; only f takes one here.
    if (first.find('f') == std::string_view::npos || inv->args + 1 >= cmd.words.size()) return std::nullopt;
    return inv->args + 1;
  }
  if (!shell::has_option(cmd, {"-x", "--extract", "--get"})) return std::nullopt;
  auto f = shell::find_option(cmd, {"-f", "--file"});
  if (!f || !f->value_word) return std::nullopt;
  return *f->value_word;
}

// The signature a gpg/gpgv command verifies: the first operand after --verify
// (gpgv: the first operand), when it is a detached signature file (.asc, .sig).
std::optional<std::size_t> verified_signature(const shell::Command& cmd) {
  auto inv = shell::invocation(cmd);
  if (!inv || (inv->name != "gpg" && inv->name != "gpg2" && inv->name != "gpgv")) return std::nullopt;
  bool verify = inv->name == "gpgv";
  for (std::size_t i = inv->args; i < cmd.words.size(); ++i) {
    const std::string_view v = cmd.words[i].value;
    if (v == "--verify") {
      verify = true;
      continue;
    }
    if (v.empty() || v[0] == '-' || !verify) continue;
    const bool signature = (v.size() > 4 && (v.substr(v.size() - 4) == ".asc" || v.substr(v.size() - 4) == ".sig"));
    if (!signature) return std::nullopt;
    return i;
  }
  return std::nullopt;
}

std::string_view dirname(std::string_view p) {
  const auto slash = p.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : p.substr(0, slash);
}

// `rm *.tar.gz` may remove the archive: a glob in the archive's own directory.
bool glob_covers(std::string_view glob, std::string_view path) {
  return glob.find_first_of("*?[") != std::string_view::npos && dirname(glob) == dirname(path) &&
         dirname(glob).find_first_of("*?[") == std::string_view::npos;
}

// Whether any command after `from` in the script mentions `value` (or a
// glob or parent directory that may cover it, for rm: `rm -rf /tmp/build/`
// removes /tmp/build/x.tgz).
bool mentioned_after(const RunScript& run, std::size_t from, std::string_view value, bool* removed) {
  bool any = false;
  for (std::size_t i = from + 1; i < run.script.commands.size(); ++i) {
    const auto& c = run.script.commands[i];
    const bool rm = builtin::runs(c, "rm");
    for (const auto& w : c.words) {
      std::string_view v = w.value;
      if (rm)
        while (v.size() > 1 && v.back() == '/') v.remove_suffix(1);
      const bool covers = v == value || (rm && (glob_covers(v, value) ||
                                                (!v.empty() && builtin::starts_with(value, std::string(v) + "/"))));
      if (!covers && v.find(value) == std::string_view::npos) continue;
      any = true;
      if (rm && covers && removed) *removed = true;
    }
  }
  return any;
}

// What a cleanup check looks for: the command that consumes a downloaded file
// (tar extracting it, gpg verifying it), and how to say so.
struct Consumer {
  std::optional<std::size_t> (*file_word)(const shell::Command&);
  const char* verb;       // "unpacked", "verified"
  const char* command;    // "tar", "gpg --verify"
  const char* correct;    // the Outcome's "what is right"
};

// A file this RUN downloaded and then consumed, never removed and not used
// later (in the RUN or by a later instruction): append `rm -f FILE` right after
// the consuming command.
void check_consumed_download(const Context& ctx, Outcome& out, const Consumer& consumer) {
  const auto& ff = builtin::facts(ctx.tree);
  bool any = false;
  for (const auto& run : ff.runs) {
    if (!ff.stages[run.stage].shipped) continue;
    const auto& cmds = run.script.commands;
    for (std::size_t i = 0; i < cmds.size(); ++i) {
      auto w = consumer.file_word(cmds[i]);
      if (!w) continue;
      const auto& word = cmds[i].words[*w];
      const std::string& archive = word.value;
      if (archive.empty() || archive == "-") continue;
      // Only an archive this RUN downloaded: anything else may come from (or be needed by) another layer.
      bool downloaded = false;
      for (std::size_t k = 0; k < i; ++k)
        if (download_target(cmds[k]) == archive) downloaded = true;
      if (!downloaded) continue;
      any = true;
      bool removed = false;
      const bool used = mentioned_after(run, i, archive, &removed);
      // A relative archive in a directory the script entered (`cd /tmp/b`, or
      // `cd "$dir"`, `mkdir -p x && cd x`) and later removes whole, or a parent of it.
      if (!removed && archive.front() != '/') {
        std::vector<std::string> entered;
        std::string cwd;  // the last absolute (or variable) directory entered, "" when unknown
        for (std::size_t k = 0; k < i; ++k)
          if (cmds[k].depth == 0 && cmds[k].words.size() == 2 && cmds[k].words[0].value == "cd") {
            std::string d = cmds[k].words[1].value;
            while (d.size() > 1 && d.back() == '/') d.pop_back();
            entered.push_back(d);
            if (!d.empty() && (d[0] == '/' || d[0] == '$')) cwd = d;
            else if (!cwd.empty() && d != "..") cwd += "/" + d;
            else cwd.clear();
          }
        for (std::size_t k = i + 1; k < cmds.size() && !removed; ++k)
          if (builtin::runs(cmds[k], "rm"))
            for (const auto& w : cmds[k].words) {
              std::string_view v = w.value;
              while (v.size() > 1 && v.back() == '/') v.remove_suffix(1);
              if (std::find(entered.begin(), entered.end(), v) != entered.end()) removed = true;
              if (!cwd.empty() && !v.empty() && (v == cwd || builtin::starts_with(cwd, std::string(v) + "/")))
                removed = true;
            }
      }
      if (removed) continue;
      // A later instruction naming the file still needs it.
      bool later = false;
      for (std::size_t k = run.index + 1; k < ctx.tree.instructions.size(); ++k)
        if (ctx.tree.text(ctx.tree.instructions[k].text).find(basename(archive)) != std::string_view::npos) later = true;
      std::vector<edit::Edit> edits;
      if (!used && !later) {
        const std::string raw(shell::slice(run.text, word.span));
        if (auto e = builtin::append_after_command(ctx.tree, run, i, "rm -f " + raw)) edits.push_back(*e);
      }
      auto f = builtin::command_finding(
          ctx.tree, run, cmds[i],
          fmt::format("{} is {} but never removed: it stays in the layer", archive, consumer.verb),
          fmt::format("remove {} after {} it", archive, consumer.verb), std::move(edits));
      f.expected = fmt::format("{} ... && rm -f {}", consumer.command, archive);
      out.findings.push_back(std::move(f));
    }
  }
  builtin::conclude(out, any, consumer.correct);
}

void check_tar(const Context& ctx, Outcome& out) {
  check_consumed_download(ctx, out,
                          {&extracted_archive, "unpacked", "tar", "downloaded archives are removed after extraction"});
}

void check_gpg_signature(const Context& ctx, Outcome& out) {
  check_consumed_download(ctx, out,
                          {&verified_signature, "verified", "gpg --verify",
                           "downloaded signatures are removed after verification"});
}

// NAME=$(mktemp -d) (or export NAME=...): the variable name.
std::string mktemp_var(const shell::Command& c) {
  auto match = [](std::string_view v) -> std::string {
    const auto eq = v.find('=');
    if (eq == std::string_view::npos || eq == 0) return "";
    const std::string_view rhs = v.substr(eq + 1);
    if ((builtin::starts_with(rhs, "$(mktemp") || builtin::starts_with(rhs, "`mktemp")) &&
        (rhs.find(" -d") != std::string_view::npos || rhs.find("--directory") != std::string_view::npos))
      return std::string(v.substr(0, eq));
    return "";
  };
  if (c.words.empty()) {
    for (const auto& a : c.assignments)
      if (auto n = match(a.value); !n.empty()) return n;
    return "";
  }
  if (c.words[0].value == "export" && c.words.size() == 2) return match(c.words[1].value);
  return "";
}

void check_mktemp(const Context& ctx, Outcome& out) {
  const auto& ff = builtin::facts(ctx.tree);
  bool any = false;
  for (const auto& run : ff.runs) {
    if (!ff.stages[run.stage].shipped) continue;
    const auto& cmds = run.script.commands;
    for (std::size_t i = 0; i < cmds.size(); ++i) {
      if (cmds[i].depth != 0) continue;
      const std::string var = mktemp_var(cmds[i]);
      if (var.empty()) continue;
      any = true;
      bool removed = false;
      for (std::size_t k = i + 1; k < cmds.size() && !removed; ++k) {
        if (!builtin::runs(cmds[k], "rm")) continue;
        for (const auto& w : cmds[k].words)
          if (w.value == "$" + var || w.value == "${" + var + "}" || builtin::starts_with(w.value, "$" + var + "/") ||
              builtin::starts_with(w.value, "${" + var + "}/"))
            removed = true;
      }
      if (removed) continue;
      std::vector<edit::Edit> edits;
      if (auto e = builtin::append_command(ctx.tree, run, fmt::format("rm -rf \"${}\"", var))) edits.push_back(*e);
      auto f = builtin::command_finding(ctx.tree, run, cmds[i],
                                        fmt::format("the directory from mktemp -d (${}) is never removed", var),
                                        fmt::format("append && rm -rf \"${}\"", var), std::move(edits));
      f.expected = fmt::format("... && rm -rf \"${}\"", var);
      out.findings.push_back(std::move(f));
    }
  }
  builtin::conclude(out, any, "temporary directories are removed");
}

// echo "<sum> <file>" | sha256sum -c: the check format needs two spaces (or " *").
void check_checksum(const Context& ctx, Outcome& out) {
  const auto& ff = builtin::facts(ctx.tree);
  bool any = false;
  for (const auto& run : ff.runs) {
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
        const auto at = builtin::source_after(ctx.tree, run, w.span.begin + raw_space + 1);
        edits.push_back({{at, at}, " "});
      }
      auto f = builtin::command_finding(ctx.tree, run, prev,
                                        fmt::format("`{} -c` expects two spaces between the sum and the file name",
                                                    inv->name),
                                        "two spaces between sum and file", std::move(edits));
      f.expected = "echo \"<sum>  <file>\"";
      out.findings.push_back(std::move(f));
    }
  }
  builtin::conclude(out, any, "checksum lines use two spaces");
}

}  // namespace

const Rule& tar_rm_archive() {
  static const Rule r{"tar-rm-archive", "an archive downloaded and unpacked in a RUN is not removed",
                      "adds rm -f ARCHIVE right after the tar command, with the script's own separator", "tarSomethingRmTheSomething",
                      RuleKind::Builtin, FixSafety::Safe, 2, &check_tar};
  return r;
}

const Rule& gpg_signature_cleanup() {
  static const Rule r{"gpg-signature-cleanup", "a signature downloaded and verified in a RUN is not removed",
                      "adds rm -f SIGNATURE right after the gpg --verify command, with the script's own separator", "gpgVerifyAscRmAsc",
                      RuleKind::Builtin, FixSafety::Safe, 3, &check_gpg_signature};
  return r;
}

const Rule& mktemp_cleanup() {
  static const Rule r{"mktemp-cleanup", "the directory of DIR=$(mktemp -d) is not removed in the RUN",
                      "appends && rm -rf \"$DIR\" to the RUN", "rmRecursiveAfterMktempD", RuleKind::Builtin,
                      FixSafety::Safe, 3, &check_mktemp};
  return r;
}

const Rule& checksum_two_spaces() {
  static const Rule r{"checksum-two-spaces", "echo \"SUM FILE\" | sha256sum -c with one space",
                      "puts two spaces between the sum and the file name", "sha256sumEchoOneSpaces",
                      RuleKind::Builtin, FixSafety::Safe, 2, &check_checksum};
  return r;
}

}  // namespace dockmend::transforms::rules
