// The build context as rules see it: which file of the repository an image
// path was copied from, and whether the repository builds the image for others
// to build FROM.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "transforms/rule.hpp"

namespace dockmend::transforms {

// The build-context file (root-relative) that image path `image_path` was
// copied from by a COPY/ADD (without --from) of the chain of `stage`, the
// latest first, when that file exists.
std::optional<std::string> context_source(const Context& ctx, std::int32_t stage, std::string_view image_path);

// Why the image of stage `shipped` looks meant to be built FROM (a base image:
// its USER is for the images built on it to choose), "" when it does not.
// `sure` is set when there is no doubt: ONBUILD triggers, docker-library's
// official-images layout. Otherwise the reason is a hint from the file's name
// or directory (`Dockerfile.base`, `base/`) or a devcontainer.
std::string meant_as_base(const Context& ctx, const model::Stage& shipped, bool& sure);

}  // namespace dockmend::transforms
