// "Did you mean ...?" for a mistyped command or rule id.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dockmend::cli {

// The candidate nearest to `word` (case-insensitive, a transposition counting
// as one typo), when at most a third of it is wrong; nullopt otherwise.
std::optional<std::string> nearest_word(std::string_view word, const std::vector<std::string>& candidates);

// " (did you mean 'x'?)" or "".
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

// Every rule id and alias (DL3008, JSONArgsRecommended, ...).
std::vector<std::string> rule_names();

}  // namespace dockmend::cli
