#include "version/version.hpp"

// Defined for this translation unit alone (CMakeLists.txt), so a new version
// recompiles one file.
#ifndef DOCKMEND_VERSION
#error "DOCKMEND_VERSION must be defined by the build (project VERSION in CMakeLists.txt)"
#endif

namespace dockmend {

std::string_view version() { return DOCKMEND_VERSION; }

}  // namespace dockmend
