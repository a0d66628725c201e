// X3 rule definitions. Included once, by rules.cpp.
#pragma once
#include "grammar/rules.hpp"

namespace dockmend::grammar::rules {
namespace x3 = boost::spirit::x3;

// ASCII classes as byte ranges: X3's standard classes (x3::digit, x3::alpha, ...)
// hand a plain, signed char to <cctype>, which asserts (and is undefined
// behaviour in release builds) for every byte >= 0x80. Found by tests/fuzz.
auto const ascii_digit = x3::char_('0', '9');
auto const ascii_xdigit = x3::char_('0', '9') | x3::char_('a', 'f') | x3::char_('A', 'F');
auto const ascii_alpha = x3::char_('a', 'z') | x3::char_('A', 'Z');
auto const ascii_alnum = ascii_alpha | ascii_digit;

json_value_type const json_value_rule = "json value";
json_string_type const json_string_rule = "json string";
x3::rule<struct json_array_class> const json_array_rule = "json array";
x3::rule<struct json_object_class> const json_object_rule = "json object";

// JSON white space is exactly these four bytes (RFC 8259), as Go reads it.
auto const json_ws = x3::omit[*x3::char_(" \t\n\r")];
// Control bytes may not stand raw inside a string; any other byte may (Go replaces
// invalid UTF-8 with U+FFFD rather than rejecting it).
auto const json_plain = x3::char_ - x3::char_('"') - x3::char_('\\') - x3::char_('\x00', '\x1f');
auto const json_escape = x3::lit('\\') >> (x3::char_("\"\\/bfnrt") | (x3::lit('u') >> x3::repeat(4)[ascii_xdigit]));
auto const json_string_rule_def = x3::lit('"') >> *(json_plain | json_escape) >> x3::lit('"');
auto const json_number = -x3::lit('-') >> (x3::lit('0') | (x3::char_('1', '9') >> *ascii_digit)) >>
                         -(x3::lit('.') >> +ascii_digit) >>
                         -(x3::char_("eE") >> -x3::char_("+-") >> +ascii_digit);
auto const json_array_rule_def =
    x3::lit('[') >> json_ws >> -(json_value_rule >> json_ws >> *(x3::lit(',') >> json_ws >> json_value_rule >> json_ws)) >>
    x3::lit(']');
auto const json_member = json_string_rule >> json_ws >> x3::lit(':') >> json_ws >> json_value_rule >> json_ws;
auto const json_object_rule_def =
    x3::lit('{') >> json_ws >> -(json_member >> *(x3::lit(',') >> json_ws >> json_member)) >> x3::lit('}');
auto const json_value_rule_def = json_string_rule | json_number | json_array_rule | json_object_rule |
                                 x3::lit("true") | x3::lit("false") | x3::lit("null");

BOOST_SPIRIT_DEFINE(json_value_rule, json_string_rule, json_array_rule, json_object_rule)

json_value_type const& json_value() { return json_value_rule; }
json_string_type const& json_string() { return json_string_rule; }
}  // namespace dockmend::grammar::rules
