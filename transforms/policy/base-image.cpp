// base-image: every stage built from an image uses the policy's registry and
// the service's family (an ARG-indirected FROM is resolved through the ARG's
// default); the stages are named as `stages` lists them. Image references are
// reported only: choosing an image is a person's decision. An unnamed stage
// is named, which changes nothing else.
#include <algorithm>

#include <fmt/format.h>

#include "edit/builders.hpp"
#include "model/text.hpp"
#include "transforms/findings.hpp"
#include "transforms/rule.hpp"

namespace dockmend::transforms::rules {
namespace {

using model::iequals;
using model::join;

std::string stage_name(const model::Model& st, int k) {
  const auto& s = st.stages()[static_cast<std::size_t>(k)];
  return s.name.empty() ? fmt::format("#{}", k) : s.name;
}

void check(const Context& ctx, Outcome& out) {
  const auto& bi = ctx.settings.base_image;
  const auto& stages_policy = ctx.settings.stages;
  const bool images = bi && (bi->registry || bi->families || (ctx.service && ctx.service->family));
  const bool names = stages_policy && !stages_policy->names.empty();
  if (!policy_rule_applies(images || names, ctx, out)) return;
  const model::Model& st = ctx.model;
  const auto& tree = ctx.tree;

  if (images) {
    const std::string ref = bi->ref;
    std::vector<std::string> good_stages;
    std::vector<std::string> good_images;
    for (int k = 0; k < static_cast<int>(st.stages().size()); ++k) {
      const auto& s = st.stages()[static_cast<std::size_t>(k)];
      if (s.base_stage >= 0 || iequals(s.base_written, "scratch")) continue;
      const auto& from = tree.instructions[s.from];
      const auto& resolved = s.base_image;
      const bool indirect = s.base_written.find('$') != std::string::npos;
      if (!resolved) {
        out.findings.push_back(finding(fmt::format("FROM {} depends on a build argument without a default", s.base_written),
                                       from.keyword_span, s.base_written, "an image of the policy's registry and family", ref));
        continue;
      }
      const auto image = model::parse_image(*resolved);
      std::vector<std::string> problems;
      std::string want_path = image.path, want_name = image.name;
      if (bi->registry && model::canonical_repository(image.path) != model::canonical_repository(*bi->registry)) {
        problems.push_back(fmt::format("registry {}", image.path.empty() ? "(Docker Hub)" : image.path));
        want_path = *bi->registry;
      }
      if (ctx.service && ctx.service->family) {
        if (!iequals(image.name, *ctx.service->family)) {
          problems.push_back(fmt::format("family {}", image.name));
          want_name = *ctx.service->family;
        }
      } else if (bi->families &&
                 std::none_of(bi->families->begin(), bi->families->end(), [&](const std::string& f) { return iequals(f, image.name); })) {
        problems.push_back(fmt::format("image {} is not a policy family", image.name));
        want_name = join(*bi->families, " or ");
      }
      const std::string shown = indirect ? fmt::format("{} (= {})", s.base_written, *resolved) : *resolved;
      if (problems.empty()) {
        good_stages.push_back(stage_name(st, k));
        if (std::find(good_images.begin(), good_images.end(), shown) == good_images.end()) good_images.push_back(shown);
        continue;
      }
      std::string expected = want_path.empty() ? want_name : want_path + "/" + want_name;
      if (!image.tag.empty()) expected += ":" + image.tag;
      out.findings.push_back(finding(fmt::format("stage {} is built from the wrong base image ({})", stage_name(st, k),
                                                 join(problems, ", ")),
                                     from.keyword_span, shown, expected, ref));
    }
    if (!good_images.empty() && out.findings.empty())
      out.correct.push_back(fmt::format("base image{} {} (stage{} {})", good_images.size() > 1 ? "s" : "", join(good_images, ", "),
                                        good_stages.size() > 1 ? "s" : "", join(good_stages, ", ")));
  }

  if (names) {
    const auto& want = stages_policy->names;
    std::vector<std::string> have;
    for (const auto& s : st.stages()) have.push_back(s.name.empty() ? std::string("(unnamed)") : s.name);
    bool same = have.size() == want.size();
    for (std::size_t k = 0; same && k < want.size(); ++k) same = iequals(have[k], want[k]);
    if (same) {
      out.correct.push_back(fmt::format("stages {}", join(want, ", ")));
      return;
    }
    const std::string current = join(have, ", ");
    const std::string expected = join(want, ", ");
    if (have.size() != want.size()) {
      out.findings.push_back(finding(fmt::format("{} stages; the policy has {}", have.size(), want.size()),
                                     tree.instructions[st.stages().front().from].keyword_span, current, expected,
                                     stages_policy->ref));
      return;
    }
    const auto style = edit::style_of(tree);
    for (std::size_t k = 0; k < want.size(); ++k) {
      const auto& s = st.stages()[k];
      if (iequals(s.name, want[k])) continue;
      const auto& from = tree.instructions[s.from];
      auto f = finding(s.name.empty() ? fmt::format("stage #{} is not named {}", k, want[k])
                                      : fmt::format("stage {} should be named {}", s.name, want[k]),
                       from.keyword_span, current, expected, stages_policy->ref);
      // Naming an unnamed stage is safe when no stage has that name yet; a
      // rename would have to follow every --from= and FROM that uses the name.
      // Only `FROM image` (one argument) can take ` AS name`: on any other shape
      // the name would not take, and every fix round would append another
      // (found by tests/fuzz, regressions/fix/base-image-from-extra-args).
      if (s.name.empty() && st.stage_named(want[k]) < 0 && from.values.size() == 1) {
        edit::Fix fix;
        fix.reason = fmt::format("name the stage {}", want[k]);
        const auto end = from.args_source().end;
        fix.edits.push_back({{end, end}, fmt::format(" {} {}", style.upper_keywords ? "AS" : "as", want[k])});
        f.fix = std::move(fix);
      }
      out.findings.push_back(std::move(f));
    }
  }
}

}  // namespace

const RuleRegistration k_base_image{RuleSpec("base-image")
    .example("FROM golang:1.22\n"
             "RUN go build -o /out/server ./cmd/server\n"
             "\n"
             "FROM ghcr.io/acme/distroless-base:12\n"
             "COPY --from=0 /out/server /server\n",
             "FROM golang:1.22 AS builder\n"
             "RUN go build -o /out/server ./cmd/server\n"
             "\n"
             "FROM ghcr.io/acme/distroless-base:12 AS runtime\n"
             "COPY --from=0 /out/server /server\n",
             "FROM ghcr.io/acme/golang:1.22 AS builder\n"
             "RUN go build -o /out/server ./cmd/server\n"
             "\n"
             "FROM ghcr.io/acme/distroless-base:12 AS runtime\n"
             "COPY --from=builder /out/server /server\n")
    .example_policy("defaults:\n"
                    "  base_image: {registry: ghcr.io/acme}\n"
                    "  stages: [builder, runtime]\n")
    .kind(RuleKind::Policy)
    .safety(FixSafety::Unsafe)
    .priority(2)
    .order(100)
    .summary("FROM uses the policy's registry and the service's family (ARG-indirected FROM resolved through "
        "the ARG's default); stages are named as `stages` lists them (base_image, stages)")
    .fix("report only for images; names an unnamed stage as `stages` says")
    .check(&check)};

}  // namespace dockmend::transforms::rules
