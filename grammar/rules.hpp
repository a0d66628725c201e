// X3 rule declarations. Internal to grammar/: include only from grammar/*.cpp.
#pragma once
#include "grammar/config.hpp"

namespace dockmend::grammar::rules {
namespace x3 = boost::spirit::x3;

// Any JSON value (validated, no attribute).
struct json_value_class;
using json_value_type = x3::rule<json_value_class>;
BOOST_SPIRIT_DECLARE(json_value_type)

// A JSON string token, quotes included.
struct json_string_class;
using json_string_type = x3::rule<json_string_class>;
BOOST_SPIRIT_DECLARE(json_string_type)

json_value_type const& json_value();
json_string_type const& json_string();
}  // namespace dockmend::grammar::rules
