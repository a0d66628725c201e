// The only translation unit that instantiates Spirit X3: the rules of
// rules_def.hpp and the public functions of grammar.hpp.
#include "grammar/grammar.hpp"
#include "grammar/rules_def.hpp"

namespace dockmend::grammar {
namespace rules {
BOOST_SPIRIT_INSTANTIATE(json_value_type, x3_config::iterator_type, x3_config::context_type)
BOOST_SPIRIT_INSTANTIATE(json_string_type, x3_config::iterator_type, x3_config::context_type)
}  // namespace rules

namespace x3 = boost::spirit::x3;
namespace {

std::uint32_t off(const char* base, const char* p) { return static_cast<std::uint32_t>(p - base); }

// Go's encoding/json refuses nesting deeper than 10000; we refuse (as "not JSON",
// the same outcome for buildkit) far earlier, to bound the recursion's stack.
constexpr int k_max_json_depth = 1000;

bool nesting_within_limit(const char* first, const char* last) {
  int depth = 0;
  bool in_string = false;
  for (const char* p = first; p != last; ++p) {
    const char c = *p;
    if (in_string) {
      if (c == '\\' && p + 1 != last) ++p;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > k_max_json_depth) return false;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return true;
}

}  // namespace

void parse_json_array(const char* first, const char* last, JsonArray& result) {
  result.status = JsonStatus::NotJson;
  result.tokens.clear();
  if (!nesting_within_limit(first, last)) return;
  const char* base = first;
  bool all_strings = true;
  auto punct = [&](auto& ctx) {
    auto r = x3::_attr(ctx);
    result.tokens.push_back({off(base, r.begin()), off(base, r.end()), false});
  };
  auto element = [&](auto& ctx) {
    auto r = x3::_attr(ctx);
    const bool is_string = *r.begin() == '"';
    if (!is_string) all_strings = false;
    result.tokens.push_back({off(base, r.begin()), off(base, r.end()), true});
  };
  auto const ws = x3::omit[*x3::char_(" \t\n\r")];
  auto const elem = x3::raw[rules::json_value()][element];
  auto const array = x3::raw[x3::lit('[')][punct] >> ws >>
                     -(elem >> ws >> *(x3::raw[x3::lit(',')][punct] >> ws >> elem >> ws)) >>
                     x3::raw[x3::lit(']')][punct];
  const char* it = first;
  const bool ok = x3::parse(it, last, ws >> array >> ws >> x3::eoi);
  if (!ok) {
    result.tokens.clear();
    return;
  }
  result.status = all_strings ? JsonStatus::Ok : JsonStatus::NonString;
}

bool match_directive(const char* first, const char* last, DirectiveMatch& out) {
  // Go's regexp \s is [\t\n\f\r ]: no \v.
  auto const space = x3::char_("\t\n\f\r ");
  const char* base = first;
  const char* key_b = nullptr;
  const char* key_e = nullptr;
  auto on_key = [&](auto& ctx) {
    key_b = x3::_attr(ctx).begin();
    key_e = x3::_attr(ctx).end();
  };
  const char* it = first;
  auto const head = x3::raw[rules::ascii_alpha >> *rules::ascii_alnum][on_key] >> *space >> x3::lit('=') >> *space;
  if (!x3::parse(it, last, head)) return false;
  // The value is lazy `(.+?)\s*$`: everything up to trailing white space, at least one byte.
  const char* value_e = last;
  while (value_e > it && (value_e[-1] == '\t' || value_e[-1] == '\n' || value_e[-1] == '\f' ||
                          value_e[-1] == '\r' || value_e[-1] == ' '))
    --value_e;
  if (value_e == it) {
    // `.+?` needs one byte; a lone white-space byte can serve when nothing else is left.
    if (it == last) return false;
    value_e = it + 1;
  }
  out.key_begin = off(base, key_b);
  out.key_end = off(base, key_e);
  out.value_begin = off(base, it);
  out.value_end = off(base, value_e);
  return true;
}

bool match_heredoc_word(const char* first, const char* last, HeredocWord& out) {
  const char* base = first;
  const char* it = first;
  bool chomp = false;
  const char* digits_end = nullptr;
  auto on_digits = [&](auto& ctx) { digits_end = x3::_attr(ctx).end(); };
  auto on_chomp = [&](auto&) { chomp = true; };
  auto const head = x3::raw[*rules::ascii_digit][on_digits] >> x3::lit("<<") >> -x3::lit('-')[on_chomp];
  if (!x3::parse(it, last, head)) return false;
  const char* rest = it;
  auto const tail = *(x3::char_ - x3::char_('<')) >> x3::eoi;
  if (!x3::parse(it, last, tail)) return false;
  out.fd_end = off(base, digits_end);
  out.chomp = chomp;
  out.rest_begin = off(base, rest);
  return true;
}

}  // namespace dockmend::grammar
