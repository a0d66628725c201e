// Mutations of Dockerfiles of the kinds that found dockmend reading files
// differently from buildkit (../shared/corpus/buildkit-differential/): a token
// inserted or deleted, lines spliced in from another file, line endings
// changed, an escape directive added. Used by the fuzz_mutate target (as
// libFuzzer's custom mutator and cross-over) and by the syntax tests, which
// replay fixed seeds of them over the corpus.
#pragma once
#include <algorithm>
#include <cstdint>
#include <iterator>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace dockmend::fuzz {

class Mutator {
 public:
  enum class Kind { InsertToken, DeleteToken, SpliceLines, LineEndings, EscapeDirective };
  static constexpr int k_kinds = 5;

  explicit Mutator(std::uint64_t seed) : m_rng(seed) {}

  // One mutation of a kind picked at random. `other` is the file lines are
  // spliced from (the input itself when empty).
  std::string mutate(std::string_view bytes, std::string_view other = {}) {
    return mutate(static_cast<Kind>(pick(k_kinds)), bytes, other);
  }

  std::string mutate(Kind kind, std::string_view bytes, std::string_view other = {}) {
    switch (kind) {
      case Kind::InsertToken: return insert_token(bytes);
      case Kind::DeleteToken: return delete_token(bytes);
      case Kind::SpliceLines: return splice_lines(bytes, other.empty() ? bytes : other);
      case Kind::LineEndings: return line_endings(bytes);
      case Kind::EscapeDirective: return escape_directive(bytes);
    }
    return std::string(bytes);
  }

 private:
  std::size_t pick(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(m_rng() % n); }

  // Tokens that steer buildkit's reading: quotes and escapes, expansions,
  // heredoc markers, flags, JSON punctuation, white space of every kind, bytes
  // that are not UTF-8, runes whose lower case or spacing is special.
  static const std::vector<std::string_view>& tokens() {
    static const std::vector<std::string_view> t = {
        "\"", "'", "\\", "`", "$", "${", "}", "${A", "${A:-", "${A/", "$(", ")", "<<", "<<EOF", "<<-EOF", "<<'EOF'",
        "<<\"EOF\"", "EOF", "--", "--x", "--x=", "--mount=type=cache,target=/x", "=", "[", "]", ",", "[\"a\"]", "#",
        "# ", " ", "\t", "\v", "\f", "\r", "\n", "\r\n", "\\\n", "`\n", " \\", "\xff", "\xc3", "\xe2\x80",
        "\xc2\xa0", "\xc2\x85", "\xe2\x80\xa8", "\xe2\x84\xaa", "\xc4\xb0", "\xef\xbb\xbf", "\xef\xbf\xbd",
        std::string_view("\0", 1), "RUN", "FROM", "COPY", "ADD", "ENV", "ARG", "LABEL", "ONBUILD", "HEALTHCHECK",
        "CMD", "SHELL", "AS", "a=b", "a b", "&&", ";", "|"};
    return t;
  }

  // Where words of `s` start and end, to insert at or delete whole tokens.
  static std::vector<std::pair<std::size_t, std::size_t>> words(std::string_view s) {
    std::vector<std::pair<std::size_t, std::size_t>> out;
    std::size_t i = 0;
    while (i < s.size()) {
      while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
      const std::size_t b = i;
      while (i < s.size() && !(s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
      if (i > b) out.emplace_back(b, i);
    }
    return out;
  }

  static std::vector<std::string_view> lines(std::string_view s) {
    std::vector<std::string_view> out;
    while (!s.empty()) {
      const auto nl = s.find('\n');
      out.push_back(s.substr(0, nl == std::string_view::npos ? s.size() : nl + 1));
      s.remove_prefix(out.back().size());
    }
    return out;
  }

  std::string insert_token(std::string_view s) {
    std::string token;
    const auto w = words(s);
    if (!w.empty() && pick(4) == 0) {
      const auto [b, e] = w[pick(w.size())];  // a word of the file itself
      token = std::string(s.substr(b, e - b));
    } else {
      token = std::string(tokens()[pick(tokens().size())]);
    }
    std::size_t at;
    switch (pick(3)) {
      case 0: at = pick(s.size() + 1); break;  // anywhere, inside a keyword or a rune too
      case 1: at = w.empty() ? 0 : w[pick(w.size())].first; break;
      default: at = w.empty() ? s.size() : w[pick(w.size())].second; break;
    }
    std::string out(s);
    out.insert(at, token);
    return out;
  }

  std::string delete_token(std::string_view s) {
    std::string out(s);
    if (s.empty()) return out;
    const auto w = words(s);
    if (w.empty() || pick(3) == 0) {
      const std::size_t at = pick(s.size());
      out.erase(at, 1 + pick(4));
    } else {
      const auto [b, e] = w[pick(w.size())];
      const std::size_t cut = pick(2) == 0 ? e - b : 1 + pick(e - b);  // the word, or its start
      out.erase(b, cut);
    }
    return out;
  }

  std::string splice_lines(std::string_view s, std::string_view from) {
    auto mine = lines(s);
    const auto theirs = lines(from);
    if (theirs.empty()) return std::string(s);
    const std::size_t first = pick(theirs.size());
    const std::size_t n = 1 + pick(std::min<std::size_t>(4, theirs.size() - first));
    const std::size_t at = pick(mine.size() + 1);
    const bool replace = at < mine.size() && pick(2) == 0;
    std::string out;
    for (std::size_t i = 0; i < at; ++i) out += mine[i];
    if (!out.empty() && out.back() != '\n') out += '\n';
    for (std::size_t i = first; i < first + n; ++i) out += theirs[i];
    if (at < mine.size() && !out.empty() && out.back() != '\n') out += '\n';
    for (std::size_t i = at + (replace ? 1 : 0); i < mine.size(); ++i) out += mine[i];
    return out;
  }

  std::string line_endings(std::string_view s) {
    std::string out;
    const auto ls = lines(s);
    const std::size_t mode = pick(5);
    switch (mode) {
      case 0:    // every line CRLF
      case 1: {  // every line LF
        for (auto l : ls) {
          const bool nl = !l.empty() && l.back() == '\n';
          if (nl) l.remove_suffix(1);
          if (nl && !l.empty() && l.back() == '\r') l.remove_suffix(1);
          out += l;
          if (nl) out += mode == 0 ? "\r\n" : "\n";
        }
        return out;
      }
      case 2: {  // one line's ending swapped
        if (ls.empty()) return std::string(s);
        const std::size_t k = pick(ls.size());
        for (std::size_t i = 0; i < ls.size(); ++i) {
          std::string_view l = ls[i];
          if (i != k || l.empty() || l.back() != '\n') {
            out += l;
            continue;
          }
          l.remove_suffix(1);
          if (!l.empty() && l.back() == '\r') {
            l.remove_suffix(1);
            out += l;
            out += '\n';
          } else {
            out += l;
            out += "\r\n";
          }
        }
        return out;
      }
      case 3: {  // a lone CR in place of a newline, or an extra one
        out = std::string(s);
        const auto nl = out.find('\n', pick(out.size() + 1));
        if (nl == std::string::npos) return out + "\r";
        if (pick(2) == 0) out[nl] = '\r';
        else out.insert(nl, "\r");
        return out;
      }
      default:  // the final newline taken away or added
        out = std::string(s);
        if (!out.empty() && out.back() == '\n') {
          out.pop_back();
          if (!out.empty() && out.back() == '\r' && pick(2) == 0) out.pop_back();
        } else {
          out += pick(2) == 0 ? "\n" : "\r\n";
        }
        return out;
    }
  }

  std::string escape_directive(std::string_view s) {
    static constexpr std::string_view directives[] = {
        "# escape=`\n", "# escape=\\\n", "#escape=`\n", "# ESCAPE = `\n", "# escape=`\r\n", "  # escape=`\n",
        "# syntax=docker/dockerfile:1\n# escape=`\n", "# escape=x\n"};
    const std::string_view d = directives[pick(std::size(directives))];
    std::string out(s);
    // At the top, or after the first line (where a directive still counts only
    // if that line is itself a directive).
    const auto nl = out.find('\n');
    const std::size_t at = (pick(4) == 0 && nl != std::string::npos) ? nl + 1 : 0;
    out.insert(at, d);
    return out;
  }

  std::mt19937_64 m_rng;
};

}  // namespace dockmend::fuzz
