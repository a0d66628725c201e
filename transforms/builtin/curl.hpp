// What the curl and wget rules share: whether a command fetches a URL, and the
// leading cluster of curl's flag letters (-fsSL) a letter can join.
#pragma once
#include <optional>
#include <string_view>

#include "shell/shell.hpp"
#include "model/commands.hpp"

namespace dockmend::transforms::rules::curl {

// Letters of curl's short options that take an argument (a cluster holding one cannot grow).
inline constexpr std::string_view k_curl_arg_letters = "AbcCdDeEFHKmoPQrtTuUwxXyYz";

inline bool has_url(const shell::Command& cmd, std::size_t from) {
  for (std::size_t i = from; i < cmd.words.size(); ++i) {
    const std::string_view v = cmd.words[i].value;
    if (v.find("://") != std::string_view::npos || (v.find('.') != std::string_view::npos && v[0] != '-'))
      return true;
  }
  return false;
}

// The first word after the program when it is a plain cluster of flag letters ("-sS").
inline std::optional<std::size_t> flag_cluster(const shell::Command& cmd, std::size_t program) {
  const std::size_t i = program + 1;
  if (i >= cmd.words.size()) return std::nullopt;
  const auto& w = cmd.words[i];
  if (w.quoted || w.has_expansion || w.value.size() < 2 || w.value[0] != '-' || w.value[1] == '-') return std::nullopt;
  for (char c : std::string_view(w.value).substr(1))
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) || k_curl_arg_letters.find(c) != std::string_view::npos)
      return std::nullopt;
  return i;
}

// A curl that fetches something (not a probe of a status code or headers).
inline bool fetches(const shell::Command& cmd, const shell::Invocation& inv) {
  if (!has_url(cmd, inv.args)) return false;
  return !shell::has_option(cmd, {"-w", "--write-out", "-I", "--head", "-V", "--version", "-h", "--help", "-X",
                                  "--request", "-d", "--data", "--data-raw", "--data-binary", "-T",
                                  "--upload-file", "-F", "--form"}) &&
         !model::options_may_hide(cmd);
}

}  // namespace dockmend::transforms::rules::curl
