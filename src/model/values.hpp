// Values as Dockerfiles write them: quotes, escapes and ARG/ENV declarations.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/coordinates.hpp"
#include "syntax/tree.hpp"

namespace dockmend::model {

// A value written the way ENV, ARG and LABEL values are: quotes removed and
// backslash escapes resolved as buildkit's shell lexer does ($ references kept,
// `\$` kept escaped so that expand() leaves it alone).
std::string unquote(std::string_view raw);

// Whether `text` references variable `name` ($NAME or ${NAME...}).
bool references(std::string_view text, std::string_view name);

struct ArgDecl {
  std::string name;
  std::optional<std::string> value;  // the default, unquoted
  std::size_t value_index = 0;       // index in Instruction::values of its word
};
std::vector<ArgDecl> arg_decls(const syntax::Instruction& arg);

struct EnvEntry {
  std::string name;
  std::string value;         // unquoted
  std::string raw;           // as written (quotes kept)
  std::size_t value_index;   // index in Instruction::values of the value
  JoinedSpan joined;         // the whole NAME=value word (the whole args in the legacy form)
  bool legacy = false;       // `ENV NAME value`
};
std::vector<EnvEntry> env_entries(const syntax::Instruction& env);

// A decimal number 0..65535 (the whole string), else nullopt.
std::optional<int> parse_port(std::string_view s);

// Splits a shell-form command line into words as buildkit's shell lexer would
// for CMD/ENTRYPOINT display (quotes removed); good enough to name a program.
std::vector<std::string> split_words(std::string_view text);

}  // namespace dockmend::model
