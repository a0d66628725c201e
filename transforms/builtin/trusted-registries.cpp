// trusted-registries (hadolint DL3026): every image a build pulls comes from a
// registry the policy allows. Off until the policy lists the registries:
//   rules: {trusted-registries: {registries: [docker.io, "*.gcr.io"]}}
// A finding without a fix: dockmend cannot know which mirror holds the image.
//
// What counts follows hadolint's DL3026 (src/Hadolint/Rule/DL3026.hs): the image
// of each FROM, COPY --from and RUN --mount from= that is not an earlier stage
// or `scratch`; a pattern is `*` (any registry), `*suffix`, `prefix*` or an
// exact registry; an image without a registry is Docker Hub, allowed by
// `docker.io` or `hub.docker.com`. Unlike hadolint, which registry an image
// names is decided as docker does (distribution/reference: the first path
// component when it holds a `.` or `:` or is `localhost`, so `library/ubuntu`
// is Docker Hub), and Hub's other names (`index.docker.io`, `registry-1.docker.io`)
// are Docker Hub too; ${ARG} references are resolved through the ARG defaults.
#include <fmt/format.h>

#include "model/text.hpp"
#include "transforms/findings.hpp"
#include "transforms/engine.hpp"
#include "transforms/rule.hpp"

namespace dockmend::transforms::rules {
namespace {

constexpr std::string_view k_id = "trusted-registries";
constexpr std::string_view k_hub = "docker.io";

bool is_hub_name(std::string_view host) {
  return host == "docker.io" || host == "index.docker.io" || host == "registry-1.docker.io" ||
         host == "hub.docker.com";
}

// The registry `image` is pulled from, lower-cased ("docker.io" for Docker Hub).
std::string registry_of(std::string_view image) {
  const auto slash = image.find('/');
  if (slash == std::string_view::npos) return std::string(k_hub);
  const std::string first = model::lower(image.substr(0, slash));
  if (first.find_first_of(".:") == std::string::npos && first != "localhost") return std::string(k_hub);
  return is_hub_name(first) ? std::string(k_hub) : first;
}

// hadolint's matchRegistry: `*`, `*suffix`, `prefix*`, or the registry itself.
// A pattern naming Docker Hub by another name is Docker Hub.
bool matches(std::string_view pattern, std::string_view registry) {
  if (pattern == "*") return true;
  if (!pattern.empty() && pattern.front() == '*') {
    const auto suffix = pattern.substr(1);
    return registry.size() >= suffix.size() && registry.substr(registry.size() - suffix.size()) == suffix;
  }
  if (!pattern.empty() && pattern.back() == '*') return registry.substr(0, pattern.size() - 1) == pattern.substr(0, pattern.size() - 1);
  if (is_hub_name(pattern)) pattern = k_hub;
  return registry == pattern;
}

bool allowed(const std::vector<std::string>& patterns, const std::string& registry) {
  for (const auto& p : patterns) {
    if (matches(p, registry)) return true;
    // hadolint allows a Hub image by `hub.docker.com` as well as `docker.io`.
    if (registry == k_hub && matches(p, "hub.docker.com")) return true;
  }
  return false;
}

const Rule& self() {
  static const Rule* const k_rule = find_rule(k_id);
  return *k_rule;
}

struct Checker {
  const Context& ctx;
  const std::vector<std::string>& patterns;
  Outcome& out;
  std::string list = fmt::format("{}", fmt::join(patterns, ", "));

  // One image reference: `written` as in the file, `resolved` with the ARG defaults (nullopt: unknown).
  void image(std::string_view what, std::string_view written, const std::optional<std::string>& resolved,
             syntax::Span at) {
    if (!resolved) {
      Finding f;
      f.message = fmt::format("{} {} depends on a build argument without a default: its registry cannot be "
                              "checked against the allowed ones ({})",
                              what, written, list);
      f.at = at;
      f.current = std::string(written);
      f.expected = "an image from " + list;
      out.findings.push_back(std::move(f));
      return;
    }
    const std::string registry = registry_of(*resolved);
    if (allowed(patterns, registry)) return;
    Finding f;
    const std::string shown = *resolved == written ? std::string(written)
                                                   : fmt::format("{} ({})", written, *resolved);
    f.message = fmt::format("{} {}: {} is not an allowed registry ({})", what, shown,
                            registry == k_hub ? std::string("Docker Hub (docker.io)") : registry, list);
    f.at = at;
    f.current = *resolved;
    f.expected = "an image from " + list;
    out.findings.push_back(std::move(f));
  }
};

void check(const Context& ctx, Outcome& out) {
  const auto* option = rule_option(self(), ctx.policy, ctx.service, "registries");
  if (!option || option->values.empty()) {
    out.applicable = false;  // no list: nothing to check
    return;
  }
  Checker c{ctx, option->values, out};
  const model::Model& m = ctx.model;
  const auto& tree = ctx.tree;
  bool any = false;
  for (const model::Stage& st : m.stages()) {
    if (st.base_stage >= 0) continue;  // an earlier stage, not an image
    const auto& from = tree.instructions[st.from];
    const syntax::Span at = from.values.empty() ? from.keyword_span : from.value_source(0);
    if (st.base_image) {
      // `FROM $BASE` whose default names a stage builds on that stage.
      const std::int32_t k = m.stage_named(*st.base_image);
      if (model::iequals(*st.base_image, "scratch") || (k >= 0 && k < st.index)) continue;
    }
    any = true;
    c.image("FROM", st.base_written, st.base_image, at);
  }
  // The images COPY --from= and RUN --mount from= read (the model's copies_from_images, with places).
  for (std::uint32_t i = 0; i < tree.instructions.size(); ++i) {
    const auto& inst = tree.instructions[i];
    auto source = [&](std::string_view what, std::string_view value, syntax::Span at) {
      if (value.empty() || m.stage_named(value) >= 0 || model::iequals(value, "scratch")) return;
      std::optional<std::string> resolved = std::string(value);
      if (value.find('$') != std::string_view::npos) resolved = model::expand(value, m.global_args());
      if (resolved && (m.stage_named(*resolved) >= 0 || model::iequals(*resolved, "scratch"))) return;
      any = true;
      c.image(what, value, resolved, at);
    };
    if (inst.is("copy") || inst.is("add")) {
      if (const auto* f = inst.flag("from"))
        source(inst.is("copy") ? "COPY --from" : "ADD --from", f->value, inst.logical.to_source(f->logical));
    } else if (inst.is("run")) {
      for (const auto& f : inst.flags) {
        if (f.name != "mount") continue;
        for (std::string_view v = f.value; !v.empty();) {
          const auto comma = v.find(',');
          const std::string_view item = v.substr(0, comma);
          if (item.substr(0, 5) == "from=") source("RUN --mount from", item.substr(5), inst.logical.to_source(f.logical));
          if (comma == std::string_view::npos) break;
          v.remove_prefix(comma + 1);
        }
      }
    }
  }
  conclude(out, any, fmt::format("every image comes from an allowed registry ({})", c.list));
}

}  // namespace

const RuleRegistration k_trusted_registries{RuleSpec(k_id)
    .example("FROM quay.io/prometheus/busybox:latest AS tools\n"
             "FROM ubuntu:24.04\n"
             "COPY --from=tools /bin/busybox /bin/busybox\n",
             "FROM quay.io/prometheus/busybox:latest AS tools\n"
             "FROM ubuntu:24.04\n"
             "COPY --from=tools /bin/busybox /bin/busybox\n",
             "FROM mirror.gcr.io/library/busybox:latest AS tools\n"
             "FROM ubuntu:24.04\n"
             "COPY --from=tools /bin/busybox /bin/busybox\n")
    .example_setting("{registries: [docker.io, \"*.gcr.io\"]}")
    .aliases("DL3026")
    .safety(FixSafety::ReportOnly)
    .priority(1)
    .order(75)
    .summary("an image from a registry the policy does not list (`registries:`; off without a list)")
    .description("An allow-list of registries keeps builds from pulling base images from places nobody "
                 "vetted. Each FROM, COPY --from and RUN --mount from= image that is not an earlier stage or "
                 "scratch must come from one of the registries (`*`, `*.example.com` and `prefix*` patterns "
                 "as hadolint's trustedRegistries); an image without a registry is Docker Hub (docker.io).")
    .options("registries")
    .off_by_default()
    .check(&check)};

}  // namespace dockmend::transforms::rules
