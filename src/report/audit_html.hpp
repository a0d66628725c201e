// `dockmend audit --format html`: one self-contained page (no network).
#pragma once
#include <string>

#include "report/audit.hpp"

namespace dockmend::report {

std::string audit_html(const AuditInput& input);

}  // namespace dockmend::report
