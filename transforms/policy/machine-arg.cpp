// machine-arg: every stage that uses the machine ARG (and the runtime stage,
// which selects the profile) declares it with the policy's default.
#include <algorithm>
#include <fmt/format.h>

#include "edit/builders.hpp"
#include "model/text.hpp"
#include "model/values.hpp"
#include "syntax/dump.hpp"
#include "transforms/findings.hpp"
#include "transforms/rule.hpp"

namespace dockmend::transforms::rules {
namespace {

void check_arg(const Context& ctx, Outcome& out) {
  const auto& m = ctx.settings.machine;
  if (!policy_rule_applies(m && m->arg, ctx, out)) return;
  const model::Model& st = ctx.model;
  const auto& tree = ctx.tree;
  const auto style = edit::style_of(tree);
  const std::string& name = *m->arg;
  const auto& def = m->default_profile;
  const std::string decl = def ? fmt::format("ARG {}={}", name, edit::shell_word(*def)) : "ARG " + name;
  std::vector<std::string> ok;
  for (int k = 0; k < static_cast<int>(st.stages().size()); ++k) {
    const auto insts = st.instructions(k);
    int declared = -1;
    std::optional<model::ArgDecl> d;
    int first_use = -1;
    for (auto i : insts) {
      const auto& in = tree.instructions[i];
      if (in.is("from")) continue;
      if (in.is("arg") && declared < 0) {
        for (auto& a : model::arg_decls(in))
          if (a.name == name) {
            declared = static_cast<int>(i);
            d = a;
          }
        if (declared >= 0) continue;
      }
      if (first_use < 0 && model::references(in.logical.text, name)) first_use = static_cast<int>(i);
      for (const auto& h : in.heredocs)
        if (first_use < 0 && model::references(tree.text(h.body), name)) first_use = static_cast<int>(i);
    }
    const bool required = k == st.shipped() || first_use >= 0;
    if (!required && declared < 0) continue;
    const auto& from = tree.instructions[st.stages()[static_cast<std::size_t>(k)].from];
    if (declared < 0) {
      auto f = finding(fmt::format("{} does not declare ARG {}", stage_label(st, k), name), from.keyword_span, "not declared",
                       decl, m->ref);
      edit::Fix fix;
      fix.reason = fmt::format("declare {} in {}", decl, stage_label(st, k));
      fix.edits.push_back(edit::insert_after(tree, tree.instructions[st.header_end(k)],
                                             {edit::keyword(style, "arg") + decl.substr(3)}));
      f.fix = std::move(fix);
      out.findings.push_back(std::move(f));
      continue;
    }
    const auto& arg = tree.instructions[static_cast<std::uint32_t>(declared)];
    std::optional<std::string> value = d->value;
    if (!value)
      if (auto g = st.global_args().find(name); g != st.global_args().end() && g->second.known) value = g->second.value;
    if (first_use >= 0 && first_use < declared) {
      out.findings.push_back(finding(fmt::format("{} uses ${} before its ARG {}", stage_label(st, k), name, name),
                                     tree.instructions[static_cast<std::uint32_t>(first_use)].keyword_span,
                                     fmt::format("used on line {}, declared on line {}",
                                                 tree.position(tree.instructions[static_cast<std::uint32_t>(first_use)].keyword_span.begin).first,
                                                 tree.position(arg.keyword_span.begin).first),
                                     "declared right after FROM", m->ref));
      continue;
    }
    if (def && (!value || *value != *def)) {
      auto f = finding(fmt::format("ARG {} in {} defaults to {}", name, stage_label(st, k), value ? *value : "nothing"),
                       arg.keyword_span, value ? fmt::format("{}={}", name, *value) : name, decl.substr(4), m->ref);
      edit::Fix fix;
      fix.reason = fmt::format("ARG {} defaults to {}", name, *def);
      fix.edits.push_back({arg.value_source(d->value_index), fmt::format("{}={}", name, edit::shell_word(*def))});
      f.fix = std::move(fix);
      out.findings.push_back(std::move(f));
      continue;
    }
    ok.push_back(st.stages()[static_cast<std::size_t>(k)].name.empty() ? stage_label(st, k) : st.stages()[static_cast<std::size_t>(k)].name);
  }
  if (out.findings.empty())
    out.correct.push_back(fmt::format("{} declared in {}", decl, model::join(ok, ", ")));
}

}  // namespace

const RuleRegistration k_machine_arg{RuleSpec("machine-arg")
    .example("FROM python:3.12-slim\n"
             "COPY . /app\n"
             "CMD [\"python3\", \"/app/main.py\"]\n",
             "FROM python:3.12-slim\n"
             "ARG MACHINE=mainpc\n"
             "COPY . /app\n"
             "CMD [\"python3\", \"/app/main.py\"]\n",
             "FROM python:3.12-slim\n"
             "ARG MACHINE=mainpc\n"
             "COPY . /app\n"
             "CMD [\"python3\", \"/app/main.py\"]\n")
    .example_policy("defaults:\n"
                    "  machine: {arg: MACHINE, default: mainpc}\n")
    .kind(RuleKind::Policy)
    .safety(FixSafety::Safe)
    .priority(2)
    .order(60)
    .summary("every stage that uses the machine ARG, and the runtime stage, declares it with the policy's "
        "default (machine.arg, machine.default)")
    .fix("adds ARG MACHINE=<default> after the stage's FROM/ARG lines, or corrects its default")
    .check(&check_arg)};

}  // namespace dockmend::transforms::rules
