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

// The keyword in lower case as splitCommand's strings.ToLower makes it: one of
// buildkit's (static strings), else a copy in `store`. A keyword with a byte
// that is not ASCII goes rune by rune through unicode.ToLower, and each byte that
// is not UTF-8 becomes U+FFFD: `FRO\xffM` is `fro\uFFFDm` (an unknown
// instruction), and a Kelvin sign lowers to `k`, so `HEALTHCHEC\u212A` is a
// HEALTHCHECK.
std::string_view lower_keyword(std::string_view s, Storage& store) {
  static constexpr std::string_view known[] = {
      "add",   "arg",        "cmd",  "copy",  "entrypoint", "env",  "expose", "from",   "healthcheck",
      "label", "maintainer", "onbuild", "run", "shell",     "stopsignal", "user", "volume", "workdir"};
  auto find_known = [&](std::string_view lower) -> std::string_view {
    for (const std::string_view k : known)
      if (k == lower) return k;
    return {};
  };
  bool ascii = true;
  for (const char ch : s) ascii = ascii && static_cast<unsigned char>(ch) < 0x80;
  if (!ascii) {
    const std::string lower = go::to_lower(s);
    if (const auto k = find_known(lower); !k.empty()) return k;
    return store.copy(lower);
  }
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
  inst.keyword_logical_begin = tb;
  inst.keyword_logical_end = k;
  uint32_t args_begin = te;
  if (k < te) {
    uint32_t r = k;
    while (r < te && is_blank(text[r])) ++r;
    // extractBuilderFlags: byte by byte, escaped with the file's escape
    // character (BUILDKIT-NOTES: it "changes continuation, word and flag
    // parsing"). With `# escape=``, a backslash is a plain byte in a flag:
    // `ARCH="$(dpkg --print-architecture)"; \` has the flag
    // `--print-architecture); \`, as buildkit dumps it (corpus
    // buildkit-differential/, e.g. s2-c121), where a backslash escape would drop
    // the last byte. An escape that ends the line is dropped.
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
        if (ch == escape) {
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
      if (ch == escape) {
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

// buildkit's shell lexer (frontend/dockerfile/shell/lex.go, ProcessWords) as
// heredoc detection runs it: NewLex('\\') with SkipUnsetEnv and no environment,
// so every `$name` and `${name...}` comes back re-assembled as written, and any
// error it reports ends the reading of the whole line: an unterminated quote;
// `${` with no name, with an unsupported modifier (`${A B`, `${A<<EOF`) or
// without its `}`. An expansion's text is split on white space like plain text
// (`${A:-"x <<EOF"}` is the words `${A:-"x` and `<<EOF"}`), and quoted text is
// not. Underneath is Go's text/scanner: runes, each byte that is not UTF-8 read
// as U+FFFD, a BOM skipped as the very first rune.
struct LexWord {
  std::string text;
  Span span;  // the source bytes it was made from
};

class ShellLex {
 public:
  ShellLex(std::string_view s, bool raw_quotes, bool raw_escapes)
      : m_s(s), m_raw_quotes(raw_quotes), m_raw_escapes(raw_escapes) {
    read();
    if (m_ch == 0xFEFF) read();
  }

  // The words, or false and error() where the lexer fails.
  bool words(std::vector<LexWord>& out) {
    Words w;
    w.out = &out;
    std::string result;
    return stop_on(k_eof, m_raw_escapes, result, &w);
  }
  const std::string& error() const { return m_error; }

 private:
  static constexpr std::int32_t k_eof = -1;

  // wordsStruct: words split on white space as characters arrive.
  struct Words {
    std::vector<LexWord>* out = nullptr;
    std::string word;
    bool in_word = false;
    bool open = false;  // `begin` is set
    uint32_t begin = 0, end = 0;

    void mark(uint32_t b, uint32_t e) {
      if (!open) begin = b;
      open = true;
      end = e;
    }
    void add_raw_char(std::int32_t c, uint32_t b, uint32_t e) {
      append(word, c);
      in_word = true;
      mark(b, e);
    }
    void add_char(std::int32_t c, uint32_t b, uint32_t e) {
      const bool space = go::is_space(static_cast<char32_t>(c));
      if (space && in_word) {
        if (!word.empty()) {
          out->push_back({word, {begin, end}});
          word.clear();
          in_word = false;
          open = false;
        }
      } else if (!space) {
        add_raw_char(c, b, e);
      }
    }
    void add_string(std::string_view s, uint32_t b, uint32_t e) {
      for (std::size_t i = 0; i < s.size();) {
        const go::Rune r = go::decode_rune(s, i);
        add_char(static_cast<std::int32_t>(r.value), b, e);
        i += r.width;
      }
    }
    void add_raw_string(std::string_view s, uint32_t b, uint32_t e) {
      word += s;
      in_word = true;
      mark(b, e);
    }
    void finish() {
      if (!word.empty()) out->push_back({word, {begin, end}});
    }
  };

  // string(rune): EOF (-1) is not a rune and writes U+FFFD, as Go does.
  static void append(std::string& out, std::int32_t c) {
    go::append_utf8(out, c < 0 ? go::k_rune_error : static_cast<char32_t>(c));
  }

  void read() {
    m_at = m_next;
    if (m_next >= m_s.size()) {
      m_ch = k_eof;
      return;
    }
    const go::Rune r = go::decode_rune(m_s, m_next);
    m_ch = static_cast<std::int32_t>(r.value);
    m_next += r.width;
  }
  std::int32_t peek() const { return m_ch; }
  std::int32_t next() {
    const std::int32_t c = m_ch;
    if (c != k_eof) read();
    return c;
  }
  bool fail(std::string message) {
    if (m_error.empty()) m_error = std::move(message);
    return false;
  }

  // processStopOn: up to `stop` (consumed), or the end when stop is k_eof.
  bool stop_on(std::int32_t stop, bool raw_escapes, std::string& result, Words* w) {
    const bool saved = m_raw_escapes;
    m_raw_escapes = raw_escapes;
    const bool ok = stop_on_body(stop, result, w);
    m_raw_escapes = saved;
    return ok;
  }
  bool stop_on_body(std::int32_t stop, std::string& result, Words* w) {
    while (peek() != k_eof) {
      const std::int32_t ch = peek();
      const auto start = static_cast<uint32_t>(m_at);
      if (stop != k_eof && ch == stop) {
        next();
        return true;
      }
      if (ch == '$' || ch == '\'' || ch == '"') {
        std::string tmp;
        const bool ok = ch == '$' ? dollar(tmp) : ch == '\'' ? single_quote(tmp) : double_quote(tmp);
        if (!ok) return false;
        result += tmp;
        if (w) {
          if (ch == '$') w->add_string(tmp, start, static_cast<uint32_t>(m_at));
          else w->add_raw_string(tmp, start, static_cast<uint32_t>(m_at));
        }
        continue;
      }
      std::int32_t c = next();
      if (c == '\\') {
        if (m_raw_escapes) {
          if (w) w->add_raw_char(c, start, static_cast<uint32_t>(m_at));
          append(result, c);
        }
        c = next();
        if (c == k_eof) break;
        if (w) w->add_raw_char(c, start, static_cast<uint32_t>(m_at));
      } else if (w) {
        w->add_char(c, start, static_cast<uint32_t>(m_at));
      }
      append(result, c);
    }
    if (stop != k_eof) {
      std::string s;
      append(s, stop);
      return fail("unexpected end of statement while looking for matching " + s);
    }
    if (w) w->finish();
    return true;
  }

  bool single_quote(std::string& out) {
    const std::int32_t open = next();
    if (m_raw_quotes) append(out, open);
    while (true) {
      const std::int32_t c = next();
      if (c == k_eof) return fail("unexpected end of statement while looking for matching single-quote");
      if (c == '\'') {
        if (m_raw_quotes) append(out, c);
        return true;
      }
      append(out, c);
    }
  }

  bool double_quote(std::string& out) {
    const std::int32_t open = next();
    if (m_raw_quotes) append(out, open);
    while (true) {
      const std::int32_t p = peek();
      if (p == k_eof) return fail("unexpected end of statement while looking for matching double-quote");
      if (p == '"') {
        next();
        if (m_raw_quotes) append(out, p);
        return true;
      }
      if (p == '$') {
        std::string value;
        if (!dollar(value)) return false;
        out += value;
        continue;
      }
      std::int32_t c = next();
      if (c == '\\') {
        if (m_raw_escapes) append(out, c);
        const std::int32_t after = peek();
        if (after == k_eof) continue;  // the loop then fails on the missing quote
        if (after == '"' || after == '$' || after == '\\') c = next();
      }
      append(out, c);
    }
  }

  static bool special_param(std::int32_t c) {
    return c == '@' || c == '*' || c == '#' || c == '?' || c == '-' || c == '$' || c == '!' || c == '0';
  }

  std::string name() {
    std::string out;
    while (peek() != k_eof) {
      const std::int32_t c = peek();
      const auto r = static_cast<char32_t>(c);
      if (out.empty() && go::is_digit(r)) {
        while (peek() != k_eof && go::is_digit(static_cast<char32_t>(peek()))) append(out, next());
        return out;
      }
      if (out.empty() && special_param(c)) {
        append(out, next());
        return out;
      }
      if (!go::is_letter(r) && !go::is_digit(r) && c != '_') break;
      append(out, next());
    }
    return out;
  }

  // processDollar, an unset variable kept as written.
  bool dollar(std::string& out) {
    next();  // $
    if (peek() != '{') {
      out = "$" + name();
      return true;
    }
    next();  // {
    const std::int32_t first = peek();
    if (first == k_eof) return fail("syntax error: missing '}'");
    if (first == '{' || first == '}' || first == ':') return fail("syntax error: bad substitution");
    const std::string var = name();
    std::int32_t c = next();
    std::string modifier;
    append(modifier, c);
    if (c == '}') {
      out = "${" + var + "}";
      return true;
    }
    if (c == ':') {
      c = next();
      append(modifier, c);
    } else if (c == '/') {
      if (peek() == '/') next();
      std::string pattern, replacement;
      if (!stop_on('/', true, pattern, nullptr)) return peek() == k_eof ? fail("syntax error: missing '/' in ${}") : false;
      if (!stop_on('}', true, replacement, nullptr)) return peek() == k_eof ? fail("syntax error: missing '}'") : false;
      out = "${" + var + "/" + pattern + "/" + replacement + "}";
      return true;
    } else if (!(c == '+' || c == '-' || c == '?' || c == '#' || c == '%')) {
      return fail("unsupported modifier (" + modifier + ") in substitution");
    }
    std::string word;
    if (!stop_on('}', c == '#' || c == '%', word, nullptr)) return false;
    out = "${" + var + modifier + word + "}";
    return true;
  }

  std::string_view m_s;
  std::size_t m_at = 0;    // where the peeked rune starts
  std::size_t m_next = 0;  // after it
  std::int32_t m_ch = k_eof;
  bool m_raw_quotes;
  bool m_raw_escapes;
  std::string m_error;
};

std::size_t count_quotes(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) n += (c == '\'' || c == '"');
  return n;
}

}  // namespace

bool find_heredocs(std::string_view logical, Storage& store, std::vector<Heredoc>& docs, std::string& error) {
  docs.clear();
  // heredocsFromLine ignores the line's lexing error: such a line has no heredocs.
  std::vector<LexWord> words;
  if (!ShellLex(logical, true, true).words(words)) return true;
  std::vector<LexWord> plain, raw;
  for (const auto& w : words) {
    grammar::HeredocWord hw;
    if (!grammar::match_heredoc_word(w.text.data(), w.text.data() + w.text.size(), hw)) continue;
    const std::string_view rest = std::string_view(w.text).substr(hw.rest_begin);
    if (rest.empty()) continue;
    // heredocFromMatch: the delimiter read again on its own, without and with
    // its quotes; an error here is the parser's error.
    plain.clear();
    raw.clear();
    ShellLex unquoted(rest, false, false);
    if (!unquoted.words(plain)) {
      error = fmt::format("failed to process {}: {}", go::quote(rest), unquoted.error());
      return false;
    }
    if (plain.size() != 1) continue;
    ShellLex quoted(rest, true, false);
    if (!quoted.words(raw)) {
      error = fmt::format("failed to process {}: {}", go::quote(rest), quoted.error());
      return false;
    }
    if (raw.size() != plain.size()) {
      error = fmt::format("internal lexing of heredoc produced inconsistent results: {}", rest);
      return false;
    }
    Heredoc h;
    h.name = store.copy(plain[0].text);
    h.chomp = hw.chomp;
    h.expand = count_quotes(plain[0].text) == count_quotes(raw[0].text);
    unsigned fd = 0;
    for (uint32_t i = 0; i < hw.fd_end && i < 9; ++i) fd = fd * 10 + static_cast<unsigned>(w.text[i] - '0');
    h.fd = fd;
    h.marker = w.span;
    docs.push_back(h);
  }
  return true;
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
