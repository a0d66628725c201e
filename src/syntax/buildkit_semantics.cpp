#include "syntax/buildkit_semantics.hpp"

#include <fmt/format.h>

#include "grammar/grammar.hpp"
#include "syntax/unicode.hpp"

namespace dockmend::syntax::detail {
namespace {

using std::uint32_t;

// buildkit splits keyword and arguments, and whitespace-delimited lists, on [\t\v\f\r ]+.
bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r'; }

// unicode.IsSpace(rune(b)) for a single byte taken as Latin-1.
bool is_space_latin1(unsigned char c) { return (c >= 9 && c <= 13) || c == ' ' || c == 0x85 || c == 0xA0; }

// The keyword in lower case: one of buildkit's (static strings), else a copy in `store`.
std::string_view lower_keyword(std::string_view s, Storage& store) {
  static constexpr std::string_view known[] = {
      "add",   "arg",        "cmd",  "copy",  "entrypoint", "env",  "expose", "from",   "healthcheck",
      "label", "maintainer", "onbuild", "run", "shell",     "stopsignal", "user", "volume", "workdir"};
  for (const std::string_view k : known) {
    if (k.size() != s.size()) continue;
    std::size_t i = 0;
    while (i < s.size() && (s[i] | 0x20) == k[i]) ++i;  // k is lower-case letters only
    if (i == s.size()) return k;
  }
  char* out = store.allocate<char>(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) out[i] = (s[i] >= 'A' && s[i] <= 'Z') ? static_cast<char>(s[i] - 'A' + 'a') : s[i];
  return {out, s.size()};
}

struct Ctx {
  Instruction& inst;
  std::string_view text;
  char escape;
  SemanticsError& error;
  Builder& b;
  std::vector<Value>& values;  // b.values
};

void whitespace_delimited(Ctx& c, uint32_t b, uint32_t e) {
  if (b == e) return;
  uint32_t p = b;
  while (true) {
    uint32_t q = p;
    while (q < e && !is_blank(c.text[q])) ++q;
    c.values.push_back({c.text.substr(p, q - p), {p, q}});
    if (q == e) break;
    while (q < e && is_blank(c.text[q])) ++q;
    p = q;
    if (p == e) {  // regexp.Split yields a trailing empty field
      c.values.push_back({std::string_view(), {e, e}});
      break;
    }
  }
}

// parseJSON: Ok fills values; returns the grammar's status.
grammar::JsonStatus try_json(Ctx& c, uint32_t b, uint32_t e) {
  if (b == e || c.text[b] != '[') return grammar::JsonStatus::NotJson;
  grammar::JsonArray& arr = c.b.json;
  grammar::parse_json_array(c.text.data() + b, c.text.data() + e, arr);
  if (arr.status == grammar::JsonStatus::NotJson) return arr.status;
  if (arr.status == grammar::JsonStatus::NonString) {
    c.error = {"when using JSON array syntax, arrays must be comprised of strings only", b};
    return arr.status;
  }
  c.values.reserve(c.values.size() + arr.tokens.size() / 2);
  for (const auto& t : arr.tokens) {
    if (!t.is_string) continue;
    const std::string_view raw(c.text.data() + b + t.begin, t.end - t.begin);
    // Most strings have no escape and are ASCII: their value is their inner bytes.
    std::string_view value = raw.size() >= 2 ? raw.substr(1, raw.size() - 2) : std::string_view();
    bool plain = true;
    for (const char ch : value) plain = plain && ch != '\\' && static_cast<unsigned char>(ch) < 0x80;
    if (!plain) value = c.b.store->keep(value, decode_json_string(raw));
    c.values.push_back({value, {b + t.begin, b + t.end}});
  }
  c.inst.form = ArgsForm::Json;
  return arr.status;
}

bool maybe_json(Ctx& c, uint32_t b, uint32_t e) {
  if (b == e) return true;
  auto st = try_json(c, b, e);
  if (st == grammar::JsonStatus::NonString) return false;
  if (st == grammar::JsonStatus::Ok) return true;
  c.inst.form = ArgsForm::Shell;
  c.values.push_back({c.text.substr(b, e - b), {b, e}});
  return true;
}

bool maybe_json_to_list(Ctx& c, uint32_t b, uint32_t e) {
  auto st = try_json(c, b, e);
  if (st == grammar::JsonStatus::NonString) return false;
  if (st == grammar::JsonStatus::Ok) return true;
  if (b != e) c.inst.form = ArgsForm::Shell;
  whitespace_delimited(c, b, e);
  return true;
}

// parseWords: quotes and escapes are kept; runes decoded (invalid bytes become U+FFFD).
// One pass over [b, e) into c.b.words. With `build`, each word is built as
// buildkit builds it and viewed in the text where it equals its bytes (Storage::keep);
// without, a word is its bytes: the pass only finds the spans, and returns false
// when some word would not equal its bytes (a stray byte read as U+FFFD, an
// escape dropped at the very end), for the caller to run the building pass.
template <bool build>
bool scan_words(Ctx& c, uint32_t b, uint32_t e) {
  enum { in_spaces, in_word, in_quote } phase = in_spaces;
  std::vector<RawWord>& words = c.b.words;
  words.clear();
  std::string& word = c.b.word;
  word.clear();
  bool nonempty = false;  // the word has a rune (!word.empty() when building)
  bool differs = false;
  uint32_t word_start = b;
  char32_t quote = 0;
  bool blank_ok = false;
  std::string_view s(c.text.data(), e);
  const char32_t esc = static_cast<unsigned char>(c.escape);
  auto add = [&](go::Rune rune) {
    nonempty = true;
    if constexpr (build) go::append_utf8(word, rune.value);
    else differs |= rune.value == go::k_rune_error && rune.width == 1;
  };
  auto push = [&](uint32_t end) {
    if (!blank_ok && !nonempty) return;
    const std::string_view bytes = c.text.substr(word_start, end - word_start);
    if constexpr (build) words.push_back({c.b.store->keep(bytes, word), {word_start, end}});
    else words.push_back({bytes, {word_start, end}});
  };
  go::Rune r{0, 0};
  for (uint32_t pos = b; pos <= e; pos += r.width) {
    if (pos != e) r = go::decode_rune(s, pos);
    if (phase == in_spaces) {
      if (pos == e) break;
      if (go::is_space(r.value) && !(r.value == go::k_rune_error)) continue;
      phase = in_word;
      word_start = pos;
    }
    if (pos == e) {
      push(e);
      break;
    }
    // Plain ASCII bytes (most of them) decode to themselves: take a run at once.
    if (r.value < 0x80 && r.value != esc &&
        (phase == in_word ? !go::is_space(r.value) && r.value != '\'' && r.value != '"' : r.value != quote)) {
      uint32_t q = pos + 1;
      if (phase == in_word) {
        while (q < e && static_cast<unsigned char>(s[q]) < 0x80 && !go::is_space(s[q]) && s[q] != '\'' &&
               s[q] != '"' && s[q] != c.escape)
          ++q;
      } else {
        while (q < e && static_cast<unsigned char>(s[q]) < 0x80 && s[q] != static_cast<char>(quote) &&
               s[q] != c.escape)
          ++q;
      }
      if constexpr (build) word.append(s.data() + pos, q - pos);
      nonempty = true;
      r.width = q - pos;
      continue;
    }
    if (phase == in_word) {
      if (go::is_space(r.value)) {
        phase = in_spaces;
        push(pos);
        word.clear();
        nonempty = false;
        blank_ok = false;
        continue;
      }
      if (r.value == '\'' || r.value == '"') {
        quote = r.value;
        blank_ok = true;
        phase = in_quote;
      }
      if (r.value == esc) {
        if (pos + r.width == e) {
          differs = true;  // the escape is not part of the word
          continue;
        }
        add(r);
        pos += r.width;
        r = go::decode_rune(s, pos);
      }
      add(r);
      continue;
    }
    // in_quote
    if (r.value == quote) phase = in_word;
    if (r.value == esc && quote != '\'') {
      if (pos + r.width == e) {
        differs = true;
        phase = in_word;
        continue;
      }
      pos += r.width;
      add(go::Rune{esc, 1});
      r = go::decode_rune(s, pos);
    }
    add(r);
  }
  return build || !differs;
}

const std::vector<RawWord>& parse_words(Ctx& c, uint32_t b, uint32_t e) {
  if (!scan_words<false>(c, b, e)) scan_words<true>(c, b, e);
  return c.b.words;
}

bool name_val(Ctx& c, uint32_t b, uint32_t e, const char* key) {
  const auto& words = parse_words(c, b, e);
  if (words.empty()) return true;
  if (words[0].value.find('=') == std::string_view::npos) {
    uint32_t q = b;
    while (q < e && !is_blank(c.text[q])) ++q;
    if (q == e) {
      c.error = {fmt::format("{} must have two arguments", key), b};
      return false;
    }
    uint32_t v = q;
    while (v < e && is_blank(c.text[v])) ++v;
    c.values.push_back({c.text.substr(b, q - b), {b, q}});
    c.values.push_back({c.text.substr(v, e - v), {v, e}});
    c.values.push_back({std::string_view(), {q, q}});
    return true;
  }
  c.values.reserve(c.values.size() + words.size() * 3);
  for (const auto& w : words) {
    const auto eq = w.value.find('=');
    if (eq == std::string_view::npos) {
      c.error = {fmt::format("Syntax error - can't find = in {}. Must be of the form: name=value", go::quote(w.value)),
                 w.span.begin};
      return false;
    }
    // The raw word and its value agree up to the first '=' (both keep quotes and escapes)
    // except where U+FFFD replaced bytes; locate '=' in the source text itself.
    uint32_t eq_src = w.span.begin;
    while (eq_src < w.span.end && c.text[eq_src] != '=') ++eq_src;
    c.values.push_back({w.value.substr(0, eq), {w.span.begin, eq_src}});
    c.values.push_back({w.value.substr(eq + 1), {std::min(eq_src + 1, w.span.end), w.span.end}});
    c.values.push_back({std::string_view("="), {eq_src, std::min(eq_src + 1, w.span.end)}});
  }
  return true;
}

bool dispatch(Ctx& c, uint32_t b, uint32_t e);

bool sub_command(Ctx& c, uint32_t b, uint32_t e) {
  if (b == e) return true;
  Instruction* sub = new (c.b.store->allocate<Instruction>(1)) Instruction();
  sub->logical = c.inst.logical;
  sub->span = c.inst.span;
  if (!read_instruction(*sub, b, e, c.escape, c.b, c.error)) return false;
  c.inst.sub = sub;
  return true;
}

bool health(Ctx& c, uint32_t b, uint32_t e) {
  uint32_t sep = b;
  while (sep < e && !is_space_latin1(static_cast<unsigned char>(c.text[sep]))) ++sep;
  uint32_t next = sep;
  while (next < e && is_space_latin1(static_cast<unsigned char>(c.text[next]))) ++next;
  if (sep == b) return true;
  c.values.push_back({c.text.substr(b, sep - b), {b, sep}});
  return maybe_json(c, next, e);
}

bool dispatch(Ctx& c, uint32_t b, uint32_t e) {
  const std::string_view k = c.inst.keyword;
  if (k == "add" || k == "copy" || k == "volume") return maybe_json_to_list(c, b, e);
  if (k == "cmd" || k == "entrypoint" || k == "run" || k == "shell") return maybe_json(c, b, e);
  if (k == "env") return name_val(c, b, e, "ENV");
  if (k == "label") return name_val(c, b, e, "LABEL");
  if (k == "expose" || k == "from") {
    if (b != e) c.inst.form = ArgsForm::Shell;
    whitespace_delimited(c, b, e);
    return true;
  }
  if (k == "healthcheck") return health(c, b, e);
  if (k == "maintainer" || k == "stopsignal" || k == "user" || k == "workdir") {
    if (b != e) {
      c.inst.form = ArgsForm::Shell;
      c.values.push_back({c.text.substr(b, e - b), {b, e}});
    }
    return true;
  }
  if (k == "arg") {
    const auto& words = parse_words(c, b, e);
    for (const auto& w : words) c.values.push_back({w.value, w.span});
    return true;
  }
  if (k == "onbuild") return sub_command(c, b, e);
  // Unknown instructions keep one empty node (dumped as `""`).
  c.values.push_back({std::string_view(), {b, b}});
  return true;
}

}  // namespace

bool read_instruction(Instruction& inst, uint32_t begin, uint32_t end, char escape, Builder& builder,
                      SemanticsError& error) {
  const std::string_view text = inst.logical.text;
  // splitCommand: TrimSpace, then split once on [\t\v\f\r ]+.
  const auto tb = static_cast<uint32_t>(go::trim_left_space(text, begin, end));
  const auto te = static_cast<uint32_t>(go::trim_right_space(text, tb, end));
  uint32_t k = tb;
  while (k < te && !is_blank(text[k])) ++k;
  inst.keyword = lower_keyword(text.substr(tb, k - tb), *builder.store);
  inst.keyword_span = inst.logical.to_source(Span{tb, k});
  inst.keyword_logical_end = k;
  uint32_t args_begin = te;
  if (k < te) {
    uint32_t r = k;
    while (r < te && is_blank(text[r])) ++r;
    // extractBuilderFlags: byte by byte; the escape for flags is always a backslash.
    enum { in_spaces, in_word, in_quote } phase = in_spaces;
    std::string word;
    uint32_t word_start = r;
    char quote = 0;
    bool blank_ok = false;
    bool done = false;
    const std::size_t flags_base = builder.flags.size();
    auto push_flag = [&](uint32_t wend) {
      Flag f;
      f.raw = builder.store->keep(text.substr(word_start, wend - word_start), word);
      std::string_view w = f.raw;
      w.remove_prefix(2);
      const auto eq = w.find('=');
      f.name = w.substr(0, eq);
      if (eq != std::string_view::npos) {
        f.has_value = true;
        f.value = w.substr(eq + 1);
      }
      f.logical = {word_start, wend};
      builder.flags.push_back(f);
    };
    for (uint32_t pos = r; pos <= te && !done; ++pos) {
      const bool at_end = pos == te;
      char ch = at_end ? '\0' : text[pos];
      if (phase == in_spaces) {
        if (at_end) break;
        if (is_space_latin1(static_cast<unsigned char>(ch))) continue;
        if (ch != '-' || pos + 1 == te || text[pos + 1] != '-') {
          args_begin = pos;
          done = true;
          break;
        }
        phase = in_word;
        word_start = pos;
      }
      if (at_end) {
        if (word != "--" && (blank_ok || !word.empty())) push_flag(te);
        break;
      }
      if (phase == in_word) {
        if (is_space_latin1(static_cast<unsigned char>(ch))) {
          phase = in_spaces;
          if (word == "--") {
            args_begin = pos;
            done = true;
            break;
          }
          if (blank_ok || !word.empty()) push_flag(pos);
          word.clear();
          blank_ok = false;
          continue;
        }
        if (ch == '\'' || ch == '"') {
          quote = ch;
          blank_ok = true;
          phase = in_quote;
          continue;
        }
        if (ch == '\\') {
          if (pos + 1 == te) continue;
          ++pos;
          ch = text[pos];
        }
        word.push_back(ch);
        continue;
      }
      if (ch == quote) {
        phase = in_word;
        continue;
      }
      if (ch == '\\') {
        if (pos + 1 == te) {
          phase = in_word;
          continue;
        }
        ++pos;
        ch = text[pos];
      }
      word.push_back(ch);
    }
    inst.flags = builder.store->take(builder.flags, flags_base);
  }
  const auto ab = static_cast<uint32_t>(go::trim_left_space(text, args_begin, te));
  const auto ae = static_cast<uint32_t>(go::trim_right_space(text, ab, te));
  inst.args = {ab, ae};
  // ONBUILD reads its instruction with the same builder: each call keeps to the
  // values it added.
  const std::size_t values_base = builder.values.size();
  Ctx c{inst, text, escape, error, builder, builder.values};
  const bool ok = dispatch(c, ab, ae);
  inst.values = builder.store->take(builder.values, values_base);
  return ok;
}

namespace {

// buildkit's shell lexer in ProcessWords with RawQuotes and RawEscapes: words
// split on white space outside quotes, everything kept as written. Returns
// false where the lexer reports an error (unterminated quote), which makes
// buildkit find no heredocs at all.
struct LexWord {
  std::string text;
  Span span;
};
bool raw_words(std::string_view s, std::vector<LexWord>& out) {
  std::string cur;
  bool in_word = false;
  uint32_t start = 0;
  auto flush = [&](uint32_t end) {
    if (in_word) out.push_back({cur, {start, end}});
    cur.clear();
    in_word = false;
  };
  auto begin_word = [&](uint32_t pos) {
    if (!in_word) {
      in_word = true;
      start = pos;
    }
  };
  for (uint32_t i = 0; i < s.size();) {
    const char ch = s[i];
    if (ch == '\'') {
      const auto close = s.find('\'', i + 1);
      if (close == std::string_view::npos) return false;
      begin_word(i);
      cur.append(s.substr(i, close + 1 - i));
      i = static_cast<uint32_t>(close + 1);
      continue;
    }
    if (ch == '"') {
      uint32_t j = i + 1;
      while (j < s.size() && s[j] != '"') j += (s[j] == '\\' && j + 1 < s.size()) ? 2 : 1;
      if (j >= s.size()) return false;
      begin_word(i);
      cur.append(s.substr(i, j + 1 - i));
      i = j + 1;
      continue;
    }
    if (ch == '\\') {
      begin_word(i);
      cur.push_back(ch);
      if (i + 1 >= s.size()) break;
      cur.push_back(s[i + 1]);
      i += 2;
      continue;
    }
    go::Rune r = go::decode_rune(s, i);
    if (go::is_space(r.value)) {
      flush(i);
    } else {
      begin_word(i);
      cur.append(s.substr(i, r.width));
    }
    i += r.width;
  }
  flush(static_cast<uint32_t>(s.size()));
  return true;
}

// ProcessWords without raw quotes/escapes on a heredoc delimiter: quotes go,
// escapes resolve. Returns false unless it is exactly one word.
bool unquote_single_word(std::string_view s, std::string& out) {
  std::vector<std::string> words;
  std::string cur;
  bool in_word = false;
  for (std::size_t i = 0; i < s.size();) {
    const char ch = s[i];
    if (ch == '\'') {
      const auto close = s.find('\'', i + 1);
      if (close == std::string_view::npos) return false;
      cur.append(s.substr(i + 1, close - i - 1));
      in_word = true;
      i = close + 1;
      continue;
    }
    if (ch == '"') {
      std::size_t j = i + 1;
      for (; j < s.size() && s[j] != '"'; ++j) {
        if (s[j] == '\\' && j + 1 < s.size() &&
            (s[j + 1] == '"' || s[j + 1] == '\\' || s[j + 1] == '$' || s[j + 1] == '`'))
          ++j;
        cur.push_back(s[j]);
      }
      if (j >= s.size()) return false;
      in_word = true;
      i = j + 1;
      continue;
    }
    if (ch == '\\') {
      if (i + 1 < s.size()) cur.push_back(s[i + 1]);
      in_word = true;
      i += 2;
      continue;
    }
    go::Rune r = go::decode_rune(s, i);
    if (go::is_space(r.value)) {
      if (in_word) words.push_back(cur);
      cur.clear();
      in_word = false;
    } else {
      cur.append(s.substr(i, r.width));
      in_word = true;
    }
    i += r.width;
  }
  if (in_word) words.push_back(cur);
  if (words.size() != 1) return false;
  out = words[0];
  return true;
}

std::size_t count_quotes(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) n += (c == '\'' || c == '"');
  return n;
}

}  // namespace

void find_heredocs(std::string_view logical, Storage& store, std::vector<Heredoc>& docs) {
  docs.clear();
  std::vector<LexWord> words;
  if (!raw_words(logical, words)) return;
  for (const auto& w : words) {
    grammar::HeredocWord hw;
    if (!grammar::match_heredoc_word(w.text.data(), w.text.data() + w.text.size(), hw)) continue;
    std::string_view rest = std::string_view(w.text).substr(hw.rest_begin);
    if (rest.empty()) continue;
    Heredoc h;
    std::string name;
    if (!unquote_single_word(rest, name)) continue;
    h.name = store.copy(name);
    h.chomp = hw.chomp;
    h.expand = count_quotes(name) == count_quotes(rest);
    unsigned fd = 0;
    for (uint32_t i = 0; i < hw.fd_end && i < 9; ++i) fd = fd * 10 + static_cast<unsigned>(w.text[i] - '0');
    h.fd = fd;
    h.marker = w.span;
    docs.push_back(h);
  }
}

std::string decode_json_string(std::string_view token) {
  std::string out;
  if (token.size() < 2) return out;
  std::string_view s = token.substr(1, token.size() - 2);
  auto hex4 = [&](std::size_t i) -> int {
    if (i + 4 > s.size()) return -1;
    int v = 0;
    for (std::size_t k = i; k < i + 4; ++k) {
      const char c = s[k];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= c - '0';
      else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') v |= c - 'A' + 10;
      else return -1;
    }
    return v;
  };
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '\\' && i + 1 < s.size()) {
      const char e = s[i + 1];
      i += 2;
      switch (e) {
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case 'u': {
          int v = hex4(i);
          i += 4;
          char32_t r = static_cast<char32_t>(v);
          if (v >= 0xD800 && v < 0xDC00) {
            // A high surrogate pairs with a following \uDC00-\uDFFF, else it is U+FFFD.
            if (i + 1 < s.size() && s[i] == '\\' && s[i + 1] == 'u') {
              int lo = hex4(i + 2);
              if (lo >= 0xDC00 && lo < 0xE000) {
                r = 0x10000 + ((static_cast<char32_t>(v) - 0xD800) << 10) + (static_cast<char32_t>(lo) - 0xDC00);
                i += 6;
              } else {
                r = go::k_rune_error;
              }
            } else {
              r = go::k_rune_error;
            }
          } else if (v >= 0xDC00 && v < 0xE000) {
            r = go::k_rune_error;
          }
          go::append_utf8(out, r);
          break;
        }
        default: out.push_back(e); break;
      }
      continue;
    }
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    go::Rune r = go::decode_rune(s, i);
    if (r.value == go::k_rune_error && r.width == 1) go::append_utf8(out, go::k_rune_error);
    else out.append(s.substr(i, r.width));
    i += r.width;
  }
  return out;
}

}  // namespace dockmend::syntax::detail
