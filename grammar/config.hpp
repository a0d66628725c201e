// The one iterator and context type the grammar is instantiated for. Must be
// identical at the call sites and in BOOST_SPIRIT_INSTANTIATE.
#pragma once
#include <boost/spirit/home/x3.hpp>

namespace dockmend::grammar::x3_config {
namespace x3 = boost::spirit::x3;
using iterator_type = const char*;
using context_type = x3::unused_type;
}  // namespace dockmend::grammar::x3_config
