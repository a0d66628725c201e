#pragma once

#include <string_view>

namespace dockmend {

// dockmend's version, "MAJOR.MINOR.PATCH": the VERSION of the top-level
// CMakeLists.txt's project(), its only source. --version, the man page, the
// SARIF and JSON reports and the Debian package all show this one.
std::string_view version();

}  // namespace dockmend
