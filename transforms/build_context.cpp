#include "transforms/build_context.hpp"

#include <vector>

#include "model/text.hpp"

namespace dockmend::transforms {

using model::basename;
using model::ends_with;
using model::lower;
using model::normalize_path;
using model::starts_with;

std::optional<std::string> context_source(const Context& ctx, std::int32_t stage, std::string_view image_path) {
  const auto ch = ctx.model.chain_instructions(stage);
  for (auto it = ch.rbegin(); it != ch.rend(); ++it) {
    const auto& in = ctx.tree.instructions[*it];
    if (!(in.is("copy") || in.is("add")) || in.flag("from") || in.values.size() < 2) continue;
    std::string dest(in.values.back().text);
    const bool dest_dir = ends_with(dest, "/") || dest == "." || in.values.size() > 2;
    if (!dest.empty() && dest[0] != '/') {
      const std::string wd = ctx.model.state_before(*it).workdir.value;
      dest = (wd.empty() ? "/" : wd + "/") + dest;
    }
    dest = normalize_path(dest);
    const std::string target = normalize_path(image_path);
    for (std::size_t s = 0; s + 1 < in.values.size(); ++s) {
      const std::string src = normalize_path(in.values[s].text);
      if (starts_with(src, "http://") || starts_with(src, "https://") || src.find('*') != std::string::npos) continue;
      std::vector<std::string> candidates;
      if (!dest_dir && target == dest) candidates.push_back(src);
      if (target == normalize_path(dest + "/" + std::string(model::basename(src)))) candidates.push_back(src);
      // A directory copied into dest: the file's path below it.
      if (starts_with(target, dest + "/")) candidates.push_back(normalize_path(src + "/" + target.substr(dest.size() + 1)));
      for (const auto& c : candidates) {
        if (starts_with(c, "..") || starts_with(c, "/")) continue;
        const auto rel = ctx.in_context(c);
        if (ctx.files.exists(rel)) return rel;
      }
    }
  }
  return std::nullopt;
}

namespace {
bool contains(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }
}  // namespace

std::string meant_as_base(const Context& ctx, const model::Stage& shipped, bool& sure) {
  const auto& tree = ctx.tree;
  sure = false;
  for (std::uint32_t i = shipped.from; i < shipped.end; ++i)
    if (tree.instructions[i].is("onbuild")) {
      sure = true;
      return "it has ONBUILD triggers: an image to build FROM";
    }
  // docker-library and its relatives: images published for others to build on.
  for (std::string_view marker : {"generate-stackbrew-library.sh", "apply-templates.sh"})
    if (ctx.files.exists(marker)) {
      sure = true;
      return "the repository publishes it as a base image (official-images layout)";
    }
  if (contains(tree.source.substr(0, 512), "THIS DOCKERFILE IS GENERATED VIA \"apply-templates.sh\"")) {
    sure = true;
    return "an official-images Dockerfile: an image to build FROM";
  }
  const std::string path = lower(ctx.path);
  const std::string_view file = basename(path);
  if (contains(file, "base") || contains(file, "builder") || starts_with(path, ".devcontainer/") ||
      contains(path, "/.devcontainer/"))
    return contains(path, ".devcontainer") ? "a devcontainer: its user is devcontainer.json's remoteUser"
                                           : "its name says it is a base image";
  const std::string_view dir = ctx.dir;
  if (basename(dir) == "base" || contains(lower(dir), "-base") || contains(lower(dir), "base-"))
    return "its directory says it is a base image";
  return "";
}

}  // namespace dockmend::transforms
