// machine-profile: the runtime stage copies <profiles>/${ARG}.yaml from its own
// build context, and every service directory holds the profile files.
#include <algorithm>
#include <fmt/format.h>

#include "edit/builders.hpp"
#include "model/instruction_edits.hpp"
#include "model/text.hpp"
#include "syntax/dump.hpp"
#include "transforms/findings.hpp"
#include "transforms/rule.hpp"

namespace dockmend::transforms::rules {
namespace {

using model::basename;
using model::icontains;
using model::join;
using model::normalize_path;
using model::starts_with;

void check_profile(const Context& ctx, Outcome& out) {
  const auto& m = ctx.settings.machine;
  if (!policy_rule_applies(m && m->profiles && m->arg, ctx, out)) return;
  const model::Model& st = ctx.model;
  const auto& tree = ctx.tree;
  const auto style = edit::style_of(tree);
  const int fin = st.shipped();
  const auto& stage = st.stages()[static_cast<std::size_t>(fin)];
  const std::string profiles = normalize_path(*m->profiles);
  const std::string expected = fmt::format("{}/${{{}}}.yaml", profiles, *m->arg);
  const std::string dir_name(basename(profiles));
  // The profiles' file names (mainpc.yaml, ...): a COPY of one of them is a profile copy wherever it comes from.
  std::vector<std::string> profile_names;
  for (const auto& dir : {m->profile_source ? normalize_path(*m->profile_source) : std::string(), ctx.in_context(profiles)})
    if (!dir.empty())
      for (const auto& f : ctx.files.list(dir)) profile_names.emplace_back(basename(f));
  auto same_as_expected = [&](const std::string& src) {
    return src == expected || src == fmt::format("{}/${}.yaml", profiles, *m->arg);
  };

  // A COPY of ${MACHINE}.yaml builds only when the default profile is in the build
  // context, or will be (copied from profile_source by this fix).
  const std::string default_name = (m->default_profile ? *m->default_profile : std::string("default")) + ".yaml";
  const bool profile_available =
      ctx.files.exists(ctx.in_context(profiles + "/" + default_name)) ||
      (m->profile_source && ctx.files.exists(normalize_path(*m->profile_source) + "/" + default_name));
  const std::string unavailable = fmt::format(" (no {}/{} in the build context: add the profiles, or profile_source, first)",
                                              profiles, default_name);

  // ---- the COPY of the profile
  bool copied = false;
  std::uint32_t last_copy = 0;
  bool have_copy = false;
  for (auto i : st.chain_instructions(fin)) {
    const auto& in = tree.instructions[i];
    if (!(in.is("copy") || in.is("add")) || in.values.size() < 2) continue;
    if (i >= stage.from && i < st.tail_start(fin)) {
      last_copy = i;
      have_copy = true;
    }
    if (in.flag("from")) continue;
    const std::string dest(in.values.back().text);
    for (std::size_t v = 0; v + 1 < in.values.size(); ++v) {
      const std::string src = normalize_path(in.values[v].text);
      const bool profile = starts_with(src, profiles + "/") || src.find("/" + dir_name + "/") != std::string::npos ||
                           starts_with(src, dir_name + "/") || icontains(dest, "machine-profile") ||
                           icontains(dest, dir_name) ||
                           std::find(profile_names.begin(), profile_names.end(), std::string(basename(src))) != profile_names.end();
      if (!profile) continue;
      if (same_as_expected(src)) {
        copied = true;
        out.correct.push_back(fmt::format("the runtime stage copies {} from its build context", expected));
        continue;
      }
      std::string message;
      if (starts_with(src, "../") || src == ".." || starts_with(in.values[v].text, "/"))
        message = "machine profile copied from outside the build context";
      else if (src == profiles)
        message = fmt::format("every machine profile copied: ${} does not select one", *m->arg);
      else
        message = fmt::format("machine profile is fixed: ${} does not select it", *m->arg);
      auto f = finding(message, in.keyword_span, std::string(in.values[v].text), expected, m->ref);
      if (src != profiles && !profile_available) {
        f.message += unavailable;
      } else if (src != profiles) {
        edit::Fix fix;
        fix.reason = fmt::format("copy {} from the build context", expected);
        fix.edits.push_back({in.value_source(v), in.form == syntax::ArgsForm::Json ? syntax::json_quote(expected) : expected});
        f.fix = std::move(fix);
      }
      copied = true;
      out.findings.push_back(std::move(f));
    }
  }
  if (!copied) {
    auto f = finding("the runtime stage does not copy its machine profile", tree.instructions[stage.from].keyword_span,
                     "no profile copied", expected, m->ref);
    const std::uint32_t after = have_copy ? last_copy : st.tail_start(fin);
    // Relative to the WORKDIR when there is one (so a renamed WORKDIR needs no second edit).
    const std::string wd = st.state_at(fin, have_copy ? last_copy + 1 : after).workdir.value;
    const std::string dest = wd.empty() || wd == "/" ? "/config/machine-profile.yaml" : "config/machine-profile.yaml";
    const std::string line = edit::keyword(style, "copy") + " " + expected + " " + dest;
    edit::Fix fix;
    fix.reason = fmt::format("copy {} to {}", expected, dest);
    fix.edits.push_back(have_copy ? edit::insert_after(tree, tree.instructions[last_copy], {line})
                                  : model::insert_at(st, fin, after, {line}));
    f.expected = fmt::format("COPY {} {}", expected, dest);
    if (profile_available) f.fix = std::move(fix);
    else f.message += unavailable;
    out.findings.push_back(std::move(f));
  }

  // ---- the profile files in the build context
  if (!m->profile_source) return;
  const std::string source = normalize_path(*m->profile_source);
  const std::string target_dir = normalize_path(ctx.in_context(profiles));
  if (target_dir == source) {
    out.correct.push_back(fmt::format("{} holds the profiles (the policy's profile_source)", target_dir));
    return;
  }
  std::vector<std::string> missing, present;
  std::vector<NewFile> files;
  for (const auto& file : ctx.files.list(source)) {
    const std::string rel = file.substr(source.size() + 1);
    const std::string target = target_dir + "/" + rel;
    if (ctx.files.exists(target)) {
      present.push_back(rel);
      continue;
    }
    missing.push_back(rel);
    if (auto content = ctx.files.read(file))
      files.push_back({target, *content, "machine-profile", fmt::format("copy of {}", file)});
  }
  if (missing.empty()) {
    if (!present.empty()) out.correct.push_back(fmt::format("{} holds the profiles ({})", target_dir, join(present, ", ")));
    return;
  }
  auto f = finding(fmt::format("machine profiles missing from the build context ({})", target_dir), {0, 0},
                   present.empty() ? fmt::format("only in {}", source) : fmt::format("missing: {}", join(missing, ", ")),
                   fmt::format("{}/ with {} (copied from {})", target_dir, join(missing, ", "), source), m->ref);
  edit::Fix fix;  // no Dockerfile edits: the new files are the fix
  fix.reason = fmt::format("copy {} into {}", join(missing, ", "), target_dir);
  f.fix = std::move(fix);
  out.findings.push_back(std::move(f));
  for (auto& nf : files) out.new_files.push_back(std::move(nf));
}

}  // namespace

const RuleRegistration k_machine_profile{RuleSpec("machine-profile")
    .example("FROM python:3.12-slim\n"
             "ARG MACHINE=mainpc\n"
             "COPY . /app\n"
             "COPY config/machine-profiles/mainpc.yaml /etc/app/machine.yaml\n"
             "CMD [\"python3\", \"/app/main.py\"]\n",
             "FROM python:3.12-slim\n"
             "ARG MACHINE=mainpc\n"
             "COPY . /app\n"
             "COPY config/machine-profiles/${MACHINE}.yaml /etc/app/machine.yaml\n"
             "CMD [\"python3\", \"/app/main.py\"]\n",
             "FROM python:3.12-slim\n"
             "ARG MACHINE=mainpc\n"
             "COPY . /app\n"
             "COPY config/machine-profiles/${MACHINE}.yaml /etc/app/machine.yaml\n"
             "CMD [\"python3\", \"/app/main.py\"]\n")
    .example_policy("defaults:\n"
                    "  machine: {arg: MACHINE, default: mainpc, profiles: config/machine-profiles}\n")
    .example_file("config/machine-profiles/mainpc.yaml", "gpus: 1\n")
    .example_file("config/machine-profiles/gpu2.yaml", "gpus: 2\n")
    .kind(RuleKind::Policy)
    .safety(FixSafety::Unsafe)
    .priority(2)
    .order(70)
    .summary("the runtime stage copies <machine.profiles>/${MACHINE}.yaml from its own build context, and the "
        "service directory holds the profiles (machine.profiles, machine.profile_source)")
    .fix("points a profile COPY from outside the context (or a fixed profile) at the selected one, adds the "
        "COPY when missing, and copies the profile files into the service directory (new files)")
    .check(&check_profile)};

}  // namespace dockmend::transforms::rules
