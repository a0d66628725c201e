// cuda-arch: every stage built from a policy family image has the policy's
// `env` variables (TORCH_CUDA_ARCH_LIST="8.9;8.6") in scope, with its values.
#include <algorithm>

#include <fmt/format.h>

#include "transforms/rule.hpp"
#include "transforms/policy_support.hpp"

namespace dockmend::transforms::rules {
namespace {

using namespace support;

void check(const Context& ctx, Outcome& out) {
  const auto& env = ctx.settings.env;
  if (!env || env->vars.empty()) {
    out.applicable = false;
    return;
  }
  StageSet st = stages_of(ctx);
  const auto& tree = ctx.tree;
  const auto style = edit::style_of(tree);
  // The stages whose root stage is built from a family image.
  std::vector<int> family_roots;
  for (int k = 0; k < static_cast<int>(st.list.size()); ++k) {
    const auto& s = st.list[static_cast<std::size_t>(k)];
    if (s.base_stage >= 0) continue;
    const auto base = st.resolved_base(k);
    if (!base || iequals(*base, "scratch")) continue;
    if (is_family_image(parse_image(*base), ctx)) family_roots.push_back(k);
  }
  if (family_roots.empty()) {
    out.applicable = false;
    return;
  }
  std::vector<std::string> ok;
  for (int k = 0; k < static_cast<int>(st.list.size()); ++k) {
    const int root = st.chain(k).front();
    if (std::find(family_roots.begin(), family_roots.end(), root) == family_roots.end()) continue;
    std::vector<std::string> missing_lines, missing_names;
    std::string ref;
    for (const auto& var : env->vars) {
      // The last ENV of the variable in the stage's chain is the one in scope.
      int where = -1;
      EnvEntry entry;
      for (auto i : st.chain_instructions(k)) {
        const auto& in = tree.instructions[i];
        if (!in.is("env")) continue;
        for (auto& e : env_entries(in))
          if (e.name == var.name) {
            where = static_cast<int>(i);
            entry = e;
          }
      }
      const std::string wanted = fmt::format("{}={}", var.name, edit::shell_word(var.value));
      const std::string vref = var.ref.empty() ? env->ref : var.ref;
      if (where < 0) {
        // Set once in the root stage: the stages built on it inherit it.
        if (k != root) continue;
        missing_lines.push_back(edit::keyword(style, "env") + " " + wanted);
        missing_names.push_back(var.name);
        ref = join_refs({ref, vref});
        continue;
      }
      // In an ancestor: reported there.
      if (where < static_cast<int>(st.list[static_cast<std::size_t>(k)].from)) continue;
      const auto& in = tree.instructions[static_cast<std::uint32_t>(where)];
      if (entry.value == var.value) {
        ok.push_back(fmt::format("{}: {}", st.list[static_cast<std::size_t>(k)].name.empty() ? stage_label(st, k) : st.list[static_cast<std::size_t>(k)].name, wanted));
        continue;
      }
      auto f = finding(fmt::format("{} sets {} to another value", stage_label(st, k), var.name), in.keyword_span,
                       fmt::format("{}={}", var.name, entry.raw), wanted, vref);
      edit::Fix fix;
      fix.reason = fmt::format("{} as the policy says", wanted);
      fix.edits.push_back(edit::replace_value(tree, in, entry.value_index, var.value));
      f.fix = std::move(fix);
      out.findings.push_back(std::move(f));
    }
    if (missing_lines.empty()) continue;
    const auto& from = tree.instructions[st.list[static_cast<std::size_t>(k)].from];
    std::vector<std::string> wanted;
    for (const auto& l : missing_lines) wanted.push_back(l.substr(4));
    auto f = finding(fmt::format("{} does not set {}", stage_label(st, k), join(missing_names, ", ")), from.keyword_span,
                     "not set", join(wanted, " "), ref);
    edit::Fix fix;
    fix.reason = fmt::format("set {} in {}", join(missing_names, ", "), stage_label(st, k));
    fix.edits.push_back(edit::insert_after(tree, tree.instructions[st.header_end(k)], missing_lines));
    f.fix = std::move(fix);
    out.findings.push_back(std::move(f));
  }
  if (out.findings.empty()) out.correct.push_back(join(ok, "; "));
}

}  // namespace

const RuleRegistration k_cuda_arch{RuleSpec("cuda-arch")
    .kind(RuleKind::Policy)
    .safety(FixSafety::Safe)
    .priority(3)
    .order(90)
    .summary("every stage built from a policy family image sets the policy's env variables "
        "(TORCH_CUDA_ARCH_LIST) to their values")
    .fix("adds ENV NAME=\"value\" after the stage's FROM/ARG lines, or corrects the value")
    .check(&check)};

}  // namespace dockmend::transforms::rules
