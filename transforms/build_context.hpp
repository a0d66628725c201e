// The build context as rules see it: which file of the repository an image
// path was copied from.
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

}  // namespace dockmend::transforms
