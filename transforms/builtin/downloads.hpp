// What the download-cleanup rules share: the file a curl or wget writes, the
// archive tar extracts, the signature gpg verifies, and the check that a RUN
// removes what it downloaded and consumed.
#pragma once
#include <algorithm>
#include <fmt/format.h>
#include "model/commands.hpp"
#include "model/script_edits.hpp"
#include "model/text.hpp"
#include "transforms/findings.hpp"
#include "transforms/rule.hpp"

namespace dockmend::transforms::rules::downloads {

inline std::string_view basename(std::string_view p) {
  const auto slash = p.rfind('/');
  return slash == std::string_view::npos ? p : p.substr(slash + 1);
}

// The file a curl or wget command writes, or "" (stdout, unknown).
inline std::string download_target(const shell::Command& cmd) {
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
inline std::optional<std::size_t> extracted_archive(const shell::Command& cmd) {
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
inline std::optional<std::size_t> verified_signature(const shell::Command& cmd) {
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

inline std::string_view dirname(std::string_view p) {
  const auto slash = p.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : p.substr(0, slash);
}

// `rm *.tar.gz` may remove the archive: a glob in the archive's own directory.
inline bool glob_covers(std::string_view glob, std::string_view path) {
  return glob.find_first_of("*?[") != std::string_view::npos && dirname(glob) == dirname(path) &&
         dirname(glob).find_first_of("*?[") == std::string_view::npos;
}

// Whether any command after `from` in the script mentions `value` (or a
// glob or parent directory that may cover it, for rm).
inline bool mentioned_after(const model::Run& run, std::size_t from, std::string_view value, bool* removed) {
  bool any = false;
  for (std::size_t i = from + 1; i < run.script.commands.size(); ++i) {
    const auto& c = run.script.commands[i];
    const bool rm = model::runs(c, "rm");
    for (const auto& w : c.words) {
      std::string_view v = w.value;
      if (rm)
        while (v.size() > 1 && v.back() == '/') v.remove_suffix(1);
      const bool covers = v == value || (rm && (glob_covers(v, value) ||
                                                (!v.empty() && model::starts_with(value, std::string(v) + "/"))));
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
inline void check_consumed_download(const Context& ctx, Outcome& out, const Consumer& consumer) {
  const model::Model& m = ctx.model;
  bool any = false;
  for (const model::Run& run : m.runs()) {
    if (!run.parsed) continue;
    if (!m.stages()[static_cast<std::size_t>(run.stage)].ships) continue;
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
          if (model::runs(cmds[k], "rm"))
            for (const auto& w : cmds[k].words) {
              std::string_view v = w.value;
              while (v.size() > 1 && v.back() == '/') v.remove_suffix(1);
              if (std::find(entered.begin(), entered.end(), v) != entered.end()) removed = true;
              if (!cwd.empty() && !v.empty() && (v == cwd || model::starts_with(cwd, std::string(v) + "/")))
                removed = true;
            }
      }
      if (removed) continue;
      // A later instruction naming the file still needs it.
      bool later = false;
      for (std::size_t k = run.instruction + 1; k < ctx.tree.instructions.size(); ++k)
        if (ctx.tree.text(ctx.tree.instructions[k].text).find(basename(archive)) != std::string_view::npos) later = true;
      std::vector<edit::Edit> edits;
      if (!used && !later) {
        const std::string raw(shell::slice(run.text, word.span));
        if (auto e = model::append_after_command(ctx.tree, run, i, "rm -f " + raw)) edits.push_back(*e);
      }
      auto f = command_finding(
          ctx.tree, run, cmds[i],
          fmt::format("{} is {} but never removed: it stays in the layer", archive, consumer.verb),
          fmt::format("remove {} after {} it", archive, consumer.verb), std::move(edits));
      f.expected = fmt::format("{} ... && rm -f {}", consumer.command, archive);
      out.findings.push_back(std::move(f));
    }
  }
  conclude(out, any, consumer.correct);
}

}  // namespace dockmend::transforms::rules::downloads
