#include "cli/suggest.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "transforms/rule.hpp"

namespace dockmend::cli {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Optimal string alignment distance.
std::size_t distance(const std::string& a, const std::string& b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i)
    for (std::size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

}  // namespace

std::optional<std::string> nearest_word(std::string_view word, const std::vector<std::string>& candidates) {
  const std::string w = lower(word);
  std::optional<std::string> best;
  std::size_t best_d = 0;
  for (const auto& c : candidates) {
    const std::string lc = lower(c);
    const std::size_t d = distance(w, lc);
    const std::size_t allowed = std::max<std::size_t>(1, lc.size() / 3);
    if (d <= allowed && (!best || d < best_d)) {
      best = c;
      best_d = d;
    }
  }
  return best;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  const auto near = nearest_word(word, candidates);
  return near ? fmt::format(" (did you mean '{}'?)", *near) : std::string();
}

std::vector<std::string> rule_names() {
  std::vector<std::string> out;
  for (const auto* r : transforms::all_rules()) {
    out.emplace_back(r->id);
    std::string_view a = r->aliases;
    while (!a.empty()) {
      const auto comma = a.find(',');
      std::string_view one = a.substr(0, comma);
      while (!one.empty() && one.front() == ' ') one.remove_prefix(1);
      while (!one.empty() && one.back() == ' ') one.remove_suffix(1);
      if (!one.empty()) out.emplace_back(one);
      if (comma == std::string_view::npos) break;
      a.remove_prefix(comma + 1);
    }
  }
  return out;
}

}  // namespace dockmend::cli
