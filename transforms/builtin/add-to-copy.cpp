// ADD of local files and directories is COPY with surprises (it unpacks
// archives and fetches URLs): say COPY when that is all it does.
#include <fmt/format.h>

#include "model/text.hpp"
#include "transforms/findings.hpp"
#include "edit/builders.hpp"
#include "transforms/rule.hpp"

namespace dockmend::transforms::rules {
namespace {

bool archive_name(std::string_view name) {
  const std::string n = model::lower(name);
  for (std::string_view ext : {".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tbz2", ".tar.xz", ".txz", ".tar.zst",
                               ".tzst", ".tar.lz", ".tar.lzma", ".tlz", ".gz", ".bz2", ".xz", ".zst", ".lz4", ".lzma",
                               ".z", ".tar.lz4"})
    if (model::ends_with(n, ext)) return true;
  return false;
}

bool remote(std::string_view src) {
  return src.find("://") != std::string_view::npos || model::starts_with(src, "git@");
}

enum class Source { Local, Archive, Remote, Unknown };

Source classify(std::string_view src) {
  if (remote(src)) return Source::Remote;
  if (src.find('$') != std::string_view::npos) return Source::Unknown;
  if (archive_name(src)) return Source::Archive;
  if (src.find_first_of("*?[") != std::string_view::npos) {
    // A glob may match archives, unless its name ends in a literal, non-archive extension.
    const auto last_glob = src.find_last_of("*?]");
    const std::string_view tail = src.substr(last_glob + 1);
    if (tail.find('.') == std::string_view::npos || tail.find('/') != std::string_view::npos) return Source::Unknown;
    return Source::Local;
  }
  return Source::Local;
}

void check(const Context& ctx, Outcome& out) {
  const auto& tree = ctx.tree;
  bool any = false;
  for (const auto& inst : tree.instructions) {
    if (!inst.is("add")) continue;
    any = true;
    if (!inst.heredocs.empty() || inst.values.size() < 2) continue;
    // Flags only ADD has change what it does.
    bool add_only = false;
    for (const auto& fl : inst.flags)
      if (fl.name != "chown" && fl.name != "chmod" && fl.name != "link" && fl.name != "exclude") add_only = true;
    if (add_only) continue;
    bool all_local = true, any_special = false;
    for (std::size_t i = 0; i + 1 < inst.values.size(); ++i) {
      const Source s = classify(inst.values[i].text);
      if (s == Source::Remote || s == Source::Archive) any_special = true;
      if (s != Source::Local) all_local = false;
    }
    if (any_special) continue;  // ADD is there for what only ADD does
    Finding f;
    f.message = "ADD of local files: use COPY (ADD also unpacks archives and fetches URLs)";
    f.at = inst.keyword_span;
    f.current = fmt::format("ADD {}", inst.logical_args());
    f.expected = fmt::format("COPY {}", inst.logical_args());
    if (all_local) {
      edit::Fix fix;
      fix.reason = "ADD -> COPY";
      fix.edits.push_back({inst.keyword_span, edit::same_case(tree.text(inst.keyword_span), "copy")});
      f.fix = std::move(fix);
    }
    out.findings.push_back(std::move(f));
  }
  conclude(out, any, "ADD is only used for archives and URLs");
}

}  // namespace

const RuleRegistration k_add_to_copy{RuleSpec("add-to-copy")
    .example("FROM debian:12\nADD app.py /app/\n",
             "FROM debian:12\nCOPY app.py /app/\n",
             "FROM debian:12\nADD app.tar.gz /app/\nCOPY app.py /app/\n")
    .aliases("DL3020")
    .safety(FixSafety::Safe)
    .priority(2)
    .order(20)
    .summary("ADD of local files or directories (not archives, not URLs)")
    .fix("ADD -> COPY (sources with variables or globs that may match archives are left alone)")
    .check(&check)};

}  // namespace dockmend::transforms::rules
