// tini: tini is PID 1 of the runtime image (ENTRYPOINT ["/usr/bin/tini", "--", ...])
// and the runtime stage installs it.
#include <algorithm>

#include <fmt/format.h>

#include "syntax/dump.hpp"
#include "transforms/rule.hpp"
#include "transforms/policy_support.hpp"

namespace dockmend::transforms::rules {
namespace {

using namespace support;

bool is_tini(std::string_view program) { return starts_with(basename(program), "tini"); }

bool is_root(std::string_view user) {
  const auto name = user.substr(0, user.find(':'));
  return name == "root" || name == "0";
}

// Options of dumb-init that take a value.
bool dumb_init_takes_value(std::string_view o) { return o == "-r" || o == "--rewrite"; }

std::string entrypoint_text(const syntax::Tree& tree, const syntax::Instruction& inst) {
  (void)tree;
  return "ENTRYPOINT " + std::string(inst.logical_args());
}

// The words of a shell-form ENTRYPOINT when no shell is needed to run it.
std::optional<std::vector<std::string>> simple_words(std::string_view text) {
  const auto script = shell::parse(text);
  if (!script.complete || script.commands.size() != 1) return std::nullopt;
  const auto& c = script.commands[0];
  if (!c.assignments.empty() || !c.redirects.empty() || c.words.empty() || c.after != shell::Separator::None)
    return std::nullopt;
  std::vector<std::string> out;
  for (std::size_t i = 0; i < c.words.size(); ++i) {
    const auto& w = c.words[i];
    if (w.has_expansion) return std::nullopt;
    const auto raw = shell::slice(text, w.span);
    if (!w.quoted && raw.find_first_of("*?[~") != std::string_view::npos) return std::nullopt;
    if (i == 0 && w.value == "exec" && c.words.size() > 1) continue;
    out.push_back(w.value);
  }
  return out;
}

void check(const Context& ctx, Outcome& out) {
  const auto& init = ctx.settings.init;
  const auto stages = stages_for_rule(init && init->tini, ctx, out);
  if (!stages) return;
  const StageSet& st = *stages;
  const auto& tree = ctx.tree;
  const auto style = edit::style_of(tree);
  const int fin = st.final_index();
  const auto& stage = st.list[static_cast<std::size_t>(fin)];
  const std::string ref = init->ref;
  bool guessed = false;
  const PackageManager pm = package_manager(st, fin, &guessed);
  // Alpine's tini package installs /sbin/tini, not the Debian/RHEL path.
  const std::string path = (pm == PackageManager::Apk && *init->tini == "/usr/bin/tini") ? "/sbin/tini" : *init->tini;

  // ---- PID 1
  const int ei = st.last_in_chain(fin, "entrypoint");
  const int ci = st.last_in_chain(fin, "cmd");
  const bool cmd_in_stage = ci >= 0 && static_cast<std::uint32_t>(ci) >= stage.from;
  const std::string wanted_prefix = edit::exec_form({path, "--"});
  if (ei >= 0 && tree.instructions[static_cast<std::uint32_t>(ei)].form == syntax::ArgsForm::Json &&
      !tree.instructions[static_cast<std::uint32_t>(ei)].values.empty() &&
      is_tini(tree.instructions[static_cast<std::uint32_t>(ei)].values[0].text)) {
    out.correct.push_back(fmt::format("tini is PID 1 ({})", entrypoint_text(tree, tree.instructions[static_cast<std::uint32_t>(ei)])));
  } else if (ei < 0) {
    auto f = finding("PID 1 is not tini: no ENTRYPOINT", tree.instructions[stage.from].keyword_span,
                     ci >= 0 ? "no ENTRYPOINT (CMD runs as PID 1)" : "no ENTRYPOINT",
                     "ENTRYPOINT " + wanted_prefix, ref);
    if (cmd_in_stage) {
      edit::Fix fix;
      fix.reason = "ENTRYPOINT runs tini";
      fix.edits.push_back(edit::insert_before(tree, tree.instructions[static_cast<std::uint32_t>(ci)],
                                              {edit::keyword(style, "entrypoint") + " " + wanted_prefix}));
      f.fix = std::move(fix);
    } else {
      // An ENTRYPOINT would reset the CMD this stage inherits: a person must say what runs.
      f.message += " (and no CMD in the runtime stage: the program to run is unknown)";
    }
    out.findings.push_back(std::move(f));
  } else {
    const auto& ep = tree.instructions[static_cast<std::uint32_t>(ei)];
    const std::string current = entrypoint_text(tree, ep);
    edit::Fix fix;
    fix.reason = "tini runs the entrypoint as PID 1";
    std::string expected;
    if (ep.form == syntax::ArgsForm::Json && ep.json_error.empty()) {
      std::vector<std::string> rest;
      for (const auto& v : ep.values) rest.emplace_back(v.text);
      std::size_t keep = 0;  // first value kept after `--`
      if (!rest.empty() && basename(rest[0]) == "dumb-init") {
        keep = 1;
        while (keep < rest.size() && starts_with(rest[keep], "-")) {
          const bool sep = rest[keep] == "--";
          keep += dumb_init_takes_value(rest[keep]) ? 2 : 1;
          if (sep) break;
        }
        keep = std::min(keep, rest.size());
      }
      std::vector<std::string> all{path, "--"};
      all.insert(all.end(), rest.begin() + static_cast<std::ptrdiff_t>(keep), rest.end());
      expected = "ENTRYPOINT " + edit::exec_form(all);
      if (rest.empty() || keep == rest.size()) {
        if (cmd_in_stage || !rest.empty()) fix.edits.push_back(edit::replace_args(ep, edit::exec_form(all)));
      } else {
        // Insert before the first element kept: the array keeps its layout.
        const auto b = ep.value_source(0).begin;
        const auto e = ep.value_source(keep).begin;
        fix.edits.push_back({{b, e}, syntax::json_quote(path) + ", \"--\", "});
      }
    } else if (ep.form == syntax::ArgsForm::Shell) {
      const std::string text(ep.logical_args());
      std::vector<std::string> all{path, "--"};
      auto words = simple_words(text);
      // A shell-form ENTRYPOINT ignores CMD; keep it ignored by keeping a shell when a CMD exists.
      if (words && ci < 0) {
        all.insert(all.end(), words->begin(), words->end());
        fix.reason = "tini runs the entrypoint as PID 1 (exec form)";
      } else {
        const int shi = st.last_in_chain(fin, "shell");
        std::vector<std::string> sh{"/bin/sh", "-c"};
        if (shi >= 0 && static_cast<std::uint32_t>(shi) < static_cast<std::uint32_t>(ei)) {
          sh.clear();
          for (const auto& v : tree.instructions[static_cast<std::uint32_t>(shi)].values) sh.emplace_back(v.text);
        }
        all.insert(all.end(), sh.begin(), sh.end());
        all.push_back(text);
        fix.reason = words ? "tini runs the entrypoint as PID 1 (through the shell, so CMD stays ignored as before)"
                           : "tini runs the entrypoint as PID 1 (through the shell it needs)";
      }
      expected = "ENTRYPOINT " + edit::exec_form(all);
      fix.edits.push_back(edit::replace_args(ep, edit::exec_form(all)));
    }
    auto f = finding("PID 1 is not tini", ep.keyword_span, current,
                     expected.empty() ? "ENTRYPOINT " + wanted_prefix + " ..." : expected, ref);
    if (!fix.edits.empty()) f.fix = std::move(fix);
    out.findings.push_back(std::move(f));
  }

  // ---- installed in the runtime image
  bool installed = false;
  for (auto i : st.chain_instructions(fin)) {
    const auto& in = tree.instructions[i];
    if (!(in.is("run") || in.is("add") || in.is("copy"))) continue;
    if (contains_token(in.logical.text, "tini") || contains_token(in.logical.text, "tini-static")) installed = true;
    for (const auto& h : in.heredocs)
      if (contains_token(tree.text(h.body), "tini")) installed = true;
  }
  if (installed) {
    out.correct.push_back("the runtime stage installs tini");
    return;
  }
  auto f = finding("the runtime stage does not install tini", tree.instructions[stage.from].keyword_span,
                   "not installed", fmt::format("{} installed ({})", path, package_manager_name(pm)), ref);
  if (pm == PackageManager::Unknown) {
    f.message += " (no package manager in this image: copy a static tini in by hand)";
    out.findings.push_back(std::move(f));
    return;
  }
  // Before the first switch away from root.
  std::uint32_t limit = stage.end;
  for (auto i : st.instructions(fin)) {
    const auto& in = tree.instructions[i];
    if (in.is("user") && !in.values.empty() && !is_root(in.values[0].text)) {
      limit = i;
      break;
    }
  }
  edit::Fix fix;
  // An install command of the same package manager in the runtime stage takes one more package.
  std::vector<std::uint32_t> before;
  for (auto i : st.instructions(fin))
    if (i < limit) before.push_back(i);
  const auto texts = shell_texts(tree, before);
  for (const auto& pi : package_installs(texts)) {
    if (pi.manager != pm || pi.packages.empty()) continue;
    const auto& sh = texts[pi.text];
    const auto& word = sh.script.commands[pi.command].words[pi.packages.back()];
    const auto at = sh.to_source({word.span.end, word.span.end});
    fix.edits = {{at, " tini"}};
    fix.reason = fmt::format("install tini with the runtime stage's {} install", package_manager_name(pm));
  }
  if (fix.edits.empty()) {
    const std::uint32_t where = limit < stage.end ? limit : st.tail_start(fin);
    fix.edits.push_back(insert_at(st, fin, where, {edit::keyword(style, "run") + " " + install_command(pm, {"tini"})}));
    fix.reason = guessed ? fmt::format("install tini ({}: the file uses no package manager, guessed from its base image)",
                                       package_manager_name(pm))
                         : fmt::format("install tini with {}", package_manager_name(pm));
  }
  f.fix = std::move(fix);
  out.findings.push_back(std::move(f));
}

}  // namespace

const RuleRegistration k_tini{RuleSpec("tini")
    .kind(RuleKind::Policy)
    .safety(FixSafety::Unsafe)
    .priority(1)
    .order(30)
    .summary("tini is PID 1 of the runtime image and installed in it (init.tini)")
    .fix("puts tini before the ENTRYPOINT's program (exec form; a shell only where one is needed), "
        "adds ENTRYPOINT [tini, --] before CMD, installs tini with the file's package manager")
    .check(&check)};

}  // namespace dockmend::transforms::rules
