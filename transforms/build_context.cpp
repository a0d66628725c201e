#include "transforms/build_context.hpp"

#include <vector>

#include "model/text.hpp"

namespace dockmend::transforms {

using model::ends_with;
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

}  // namespace dockmend::transforms
