// cuda-arch: every stage built from a policy family image has the policy's
// `env` variables (TORCH_CUDA_ARCH_LIST="8.9;8.6") in scope, with its values.
#include <algorithm>

#include <cctype>

#include <fmt/format.h>

#include "edit/builders.hpp"
#include "model/text.hpp"
#include "model/values.hpp"
#include "transforms/findings.hpp"
#include "transforms/rule.hpp"

namespace dockmend::transforms::rules {
namespace {

using model::iequals;
using model::join;

// Whether a stage built from `image` is built from a policy family image: its
// name is the service's family (or one of base_image.families) under the
// registry. With no family known anywhere, every image counts.
bool is_family_image(const model::ImageRef& image, const Context& ctx) {
  const auto& bi = ctx.settings.base_image;
  if (bi && bi->registry && model::canonical_repository(image.path) != model::canonical_repository(*bi->registry))
    return false;
  bool known = false;
  if (ctx.service && ctx.service->family) {
    known = true;
    if (iequals(image.name, *ctx.service->family)) return true;
  }
  if (bi && bi->families) {
    known = true;
    for (const auto& f : *bi->families)
      if (iequals(image.name, f)) return true;
  }
  return !known;
}

// NAME when `value` is exactly $NAME or ${NAME}.
std::optional<std::string> lone_reference(std::string_view value) {
  if (value.size() < 2 || value[0] != '$') return std::nullopt;
  std::string_view n = value.substr(1);
  if (n.front() == '{') {
    if (n.back() != '}') return std::nullopt;
    n = n.substr(1, n.size() - 2);
  }
  if (n.empty() || std::isdigit(static_cast<unsigned char>(n[0]))) return std::nullopt;
  for (char c : n)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return std::nullopt;
  return std::string(n);
}

// The ENV of stage k at `where` reads ARG `name`: the ARG declared in the stage's
// chain (its default, or the global default an `ARG NAME` without one takes) must
// give the policy's value. A global ARG not declared in the stage is empty there.
void check_through_arg(const Context& ctx, const model::Model& st, int k, std::uint32_t where, const std::string& name,
                       const policy::EnvVar& var, const std::string& vref, const std::string& wanted,
                       std::vector<std::string>& ok, Outcome& out) {
  const auto& tree = ctx.tree;
  const auto style = edit::style_of(tree);
  const syntax::Instruction* stage_arg = nullptr;
  std::optional<model::ArgDecl> stage_decl;
  for (auto i : st.chain_instructions(k)) {
    if (i >= where) break;
    const auto& in = tree.instructions[i];
    if (!in.is("arg")) continue;
    for (auto& d : model::arg_decls(in))
      if (d.name == name) {
        stage_arg = &in;
        stage_decl = d;
      }
  }
  const syntax::Instruction* global_arg = nullptr;
  std::optional<model::ArgDecl> global_decl;
  for (std::uint32_t i = 0; i < tree.instructions.size() && !tree.instructions[i].is("from"); ++i)
    if (tree.instructions[i].is("arg"))
      for (auto& d : model::arg_decls(tree.instructions[i]))
        if (d.name == name) {
          global_arg = &tree.instructions[i];
          global_decl = d;
        }
  const auto& env_inst = tree.instructions[where];
  const std::string label = stage_label(st, k);
  const std::string arg_word = fmt::format("{}={}", name, edit::shell_word(var.value));
  if (!stage_arg) {
    if (!global_arg) return;  // an ARG of the build only (--build-arg): not the file's to say
    // Declared before FROM only: the stage does not see it, so the ENV is empty.
    auto f = finding(fmt::format("{} reads the global ARG {} without declaring it (ARG {}): {} is empty there", label, name,
                                 name, var.name),
                     env_inst.keyword_span, fmt::format("{}=${{{}}} (empty)", var.name, name), wanted, vref);
    edit::Fix fix;
    fix.reason = fmt::format("declare ARG {} in {}", name, label);
    fix.edits.push_back(edit::insert_after(tree, tree.instructions[st.header_end(k)], {edit::keyword(style, "arg") + " " + name}));
    if (global_decl->value != var.value)
      fix.edits.push_back(edit::replace_logical(*global_arg, global_arg->values[global_decl->value_index].logical, arg_word));
    f.fix = std::move(fix);
    out.findings.push_back(std::move(f));
    return;
  }
  // The default that applies, and where it is written.
  const syntax::Instruction* def_inst = stage_decl->value ? stage_arg : global_arg;
  const std::optional<model::ArgDecl>& def = stage_decl->value ? stage_decl : global_decl;
  const std::optional<std::string> value = def ? def->value : std::nullopt;
  if (value && *value == var.value) {
    ok.push_back(fmt::format("{}: {} (through ARG {})", label, wanted, name));
    return;
  }
  auto f = finding(fmt::format("{} sets {} through ARG {}, whose default is {}", label, var.name, name,
                               value ? "another value" : "empty"),
                   def_inst && def ? def_inst->keyword_span : env_inst.keyword_span,
                   fmt::format("ARG {}{}", name, value ? "=" + *value : std::string()), "ARG " + arg_word, vref);
  edit::Fix fix;
  fix.reason = fmt::format("ARG {} defaults to the policy's value", arg_word);
  if (def_inst && def) fix.edits.push_back(edit::replace_logical(*def_inst, def_inst->values[def->value_index].logical, arg_word));
  else fix.edits.push_back(edit::replace_logical(*stage_arg, stage_arg->values[stage_decl->value_index].logical, arg_word));
  f.fix = std::move(fix);
  out.findings.push_back(std::move(f));
}

void check(const Context& ctx, Outcome& out) {
  const auto& env = ctx.settings.env;
  if (!env || env->vars.empty()) {
    out.applicable = false;
    return;
  }
  const model::Model& st = ctx.model;
  const auto& tree = ctx.tree;
  const auto style = edit::style_of(tree);
  // The stages whose root stage is built from a family image.
  std::vector<int> family_roots;
  for (int k = 0; k < static_cast<int>(st.stages().size()); ++k) {
    const auto& s = st.stages()[static_cast<std::size_t>(k)];
    if (s.base_stage >= 0) continue;
    const auto& base = s.base_image;
    if (!base || iequals(*base, "scratch")) continue;
    if (is_family_image(model::parse_image(*base), ctx)) family_roots.push_back(k);
  }
  if (family_roots.empty()) {
    out.applicable = false;
    return;
  }
  std::vector<std::string> ok;
  for (int k = 0; k < static_cast<int>(st.stages().size()); ++k) {
    const int root = st.chain(k).front();
    if (std::find(family_roots.begin(), family_roots.end(), root) == family_roots.end()) continue;
    std::vector<std::string> missing_lines, missing_names;
    std::string ref;
    for (const auto& var : env->vars) {
      // The last ENV of the variable in the stage's chain is the one in scope.
      int where = -1;
      model::EnvEntry entry;
      for (auto i : st.chain_instructions(k)) {
        const auto& in = tree.instructions[i];
        if (!in.is("env")) continue;
        for (auto& e : model::env_entries(in))
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
      if (where < static_cast<int>(st.stages()[static_cast<std::size_t>(k)].from)) continue;
      const auto& in = tree.instructions[static_cast<std::uint32_t>(where)];
      // `ENV X=${X}` fed by an ARG: the value is the ARG's default, fixed there.
      if (auto arg_name = lone_reference(entry.value)) {
        check_through_arg(ctx, st, k, static_cast<std::uint32_t>(where), *arg_name, var, vref, wanted, ok, out);
        continue;
      }
      if (entry.value == var.value) {
        ok.push_back(fmt::format("{}: {}", st.stages()[static_cast<std::size_t>(k)].name.empty() ? stage_label(st, k) : st.stages()[static_cast<std::size_t>(k)].name, wanted));
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
    const auto& from = tree.instructions[st.stages()[static_cast<std::size_t>(k)].from];
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
    .example("FROM ghcr.io/acme/family-torch-cu121:2024.06\n"
             "ENV TORCH_CUDA_ARCH_LIST=8.0\n"
             "RUN pip wheel -w /wheels flash-attn==2.5.9\n",
             "FROM ghcr.io/acme/family-torch-cu121:2024.06\n"
             "ENV TORCH_CUDA_ARCH_LIST=\"8.9;8.6\"\n"
             "RUN pip wheel -w /wheels flash-attn==2.5.9\n",
             "FROM ghcr.io/acme/family-torch-cu121:2024.06\n"
             "ENV TORCH_CUDA_ARCH_LIST=\"8.9;8.6\"\n"
             "RUN pip wheel -w /wheels flash-attn==2.5.9\n")
    .example_policy("defaults:\n"
                    "  base_image: {families: [family-torch-cu121]}\n"
                    "  env:\n"
                    "    TORCH_CUDA_ARCH_LIST: \"8.9;8.6\"\n")
    .kind(RuleKind::Policy)
    .safety(FixSafety::Safe)
    .priority(3)
    .order(90)
    .summary("every stage built from a policy family image sets the policy's env variables "
        "(TORCH_CUDA_ARCH_LIST) to their values")
    .fix("adds ENV NAME=\"value\" after the stage's FROM/ARG lines, or corrects the value")
    .check(&check)};

}  // namespace dockmend::transforms::rules
