// The parser: a hand-written scanner plus a flat state machine for compound
// commands. Compound commands ((, {, if, loops, case) live on an explicit
// stack so that deeply nested input cannot overflow the C++ stack; only
// substitutions inside words ($(..), `..`, ${..}) recurse, and that recursion
// is bounded by k_max_nesting.
#include "shell/shell.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace dockmend::shell {

std::string_view slice(std::string_view text, Span span) {
  if (span.begin >= text.size() || span.end <= span.begin) return {};
  return text.substr(span.begin, std::min(span.end, text.size()) - span.begin);
}

std::string_view Command::program() const {
  if (words.empty()) return {};
  std::string_view v = words.front().value;
  const std::size_t slash = v.rfind('/');
  return slash == std::string_view::npos ? v : v.substr(slash + 1);
}

namespace {

// Deeper substitutions than this are not real Dockerfiles; stopping there keeps
// the recursion (a few hundred bytes of stack per level) far from any limit.
constexpr int k_max_nesting = 64;

enum class TokenKind { Word, Operator, Redirect, Newline, End };
enum class Op { AndIf, OrIf, Semi, CaseBreak, Pipe, PipeAll, Amp, LParen, RParen };

struct Token {
  TokenKind kind = TokenKind::End;
  Span span;
  Op op = Op::Semi;
  Word word;
  int fd = -1;
  std::string_view redirect_op;
};

// Kinds of compound command that can be open; the counts per kind let a closer
// know in O(1) whether a matching opener exists, keeping stray closers linear.
enum class FrameKind { Paren, Brace, If, Loop, Case, Count };

struct Frame {
  FrameKind kind;
  bool expect_pattern = false;  // Case only: the next words are a pattern, not a command
};

struct PendingHeredoc {
  std::string delimiter;
  bool strip_tabs;
};

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

bool is_meta(char c) {
  switch (c) {
    case ' ': case '\t': case '\r': case '\n': case ';': case '&': case '|':
    case '(': case ')': case '<': case '>':
      return true;
    default:
      return false;
  }
}

bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Bytes a word takes as they are: not meta, no quote, escape or expansion.
struct PlainTable {
  bool plain[256];
  constexpr PlainTable() : plain() {
    for (int c = 0; c < 256; ++c) plain[c] = true;
    for (unsigned char c : std::string_view(" \t\r\n;&|()<>\\'\"$`")) plain[c] = false;
  }
};
constexpr PlainTable k_plain{};
bool is_plain(char c) { return k_plain.plain[static_cast<unsigned char>(c)]; }

// NAME= or NAME+= at the start of raw word text (quotes cannot appear in NAME,
// so looking at the raw text is enough).
std::size_t assignment_prefix(std::string_view raw) {
  if (raw.empty() || !is_name_start(raw[0])) return 0;
  std::size_t i = 1;
  while (i < raw.size() && is_name_char(raw[i])) ++i;
  if (i < raw.size() && raw[i] == '=') return i + 1;
  if (i + 1 < raw.size() && raw[i] == '+' && raw[i + 1] == '=') return i + 2;
  return 0;
}

class Parser {
 public:
  Parser(std::string_view text, Script& out) : text_(text), end_(text.size()), out_(out) {}

  void run() {
    parse_list(0, false);
    if (!heredocs_.empty()) fail();  // <<EOF with no body at all
    // Substitutions finish before the command holding them; restore source order.
    std::stable_sort(out_.commands.begin(), out_.commands.end(),
                     [](const Command& a, const Command& b) { return a.span.begin < b.span.begin; });
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t end_;  // scanning limit; shrinks while inside `...`
  Script& out_;
  int nesting_ = 0;
  bool aborted_ = false;
  int depth_now_ = 0;  // depth of the command being scanned, for substitutions inside it
  std::optional<Token> lookahead_;
  std::vector<PendingHeredoc> heredocs_;

  void fail() { out_.complete = false; }

  char at(std::size_t i) const { return i < end_ ? text_[i] : '\0'; }

  // RAII guard for recursive scanning; returns false (and aborts the whole
  // parse) when nesting is too deep.
  bool enter() {
    if (nesting_ >= k_max_nesting) {
      fail();
      aborted_ = true;
      pos_ = end_;
      return false;
    }
    ++nesting_;
    return true;
  }
  void leave() { --nesting_; }

  // ------------------------------------------------------------------ lexer

  Token next_token(bool dbracket) {
    if (lookahead_) {
      Token t = std::move(*lookahead_);
      lookahead_.reset();
      return t;
    }
    Token t;
    for (;;) {
      if (aborted_) pos_ = std::max(pos_, end_);
      while (pos_ < end_) {
        if (is_blank(text_[pos_])) {
          ++pos_;
        } else if (text_[pos_] == '\\' && at(pos_ + 1) == '\n') {
          pos_ += 2;  // a continuation the caller left in
        } else {
          break;
        }
      }
      if (pos_ >= end_) {
        t.kind = TokenKind::End;
        t.span = {end_, end_};
        return t;
      }
      if (text_[pos_] != '#') break;
      while (pos_ < end_ && text_[pos_] != '\n') ++pos_;
    }

    const std::size_t start = pos_;
    const char c = text_[pos_];
    const char n = at(pos_ + 1);
    auto op = [&](Op o, std::size_t len) {
      t.kind = TokenKind::Operator;
      t.op = o;
      pos_ += len;
      t.span = {start, pos_};
      return t;
    };
    auto redirect = [&](std::string_view o, int fd, std::size_t op_begin) {
      t.kind = TokenKind::Redirect;
      t.redirect_op = o;
      t.fd = fd;
      pos_ = op_begin + o.size();
      t.span = {start, pos_};
      return t;
    };

    if (c == '\n') {
      t.kind = TokenKind::Newline;
      t.span = {start, start + 1};
      ++pos_;
      skip_heredoc_bodies();
      return t;
    }
    if (dbracket && (c == '&' || c == '|' || c == '<' || c == '>' || c == '(' || c == ')')) {
      // Inside [[ ]] these are operands of the test, not shell operators.
      const std::size_t len = ((c == '&' || c == '|') && n == c) ? 2 : 1;
      t.kind = TokenKind::Word;
      t.word.value.assign(text_.substr(start, len));
      pos_ += len;
      t.word.span = t.span = {start, pos_};
      return t;
    }
    switch (c) {
      case '&':
        if (n == '&') return op(Op::AndIf, 2);
        if (n == '>') return redirect(at(pos_ + 2) == '>' ? "&>>" : "&>", -1, start);
        return op(Op::Amp, 1);
      case '|':
        if (n == '|') return op(Op::OrIf, 2);
        if (n == '&') return op(Op::PipeAll, 2);
        return op(Op::Pipe, 1);
      case ';':
        if (n == ';') return op(Op::CaseBreak, at(pos_ + 2) == '&' ? 3 : 2);
        if (n == '&') return op(Op::CaseBreak, 2);
        return op(Op::Semi, 1);
      case '(':
        return op(Op::LParen, 1);
      case ')':
        return op(Op::RParen, 1);
      case '<':
      case '>':
        if (n != '(') return redirect(redirect_operator(start), -1, start);
        break;  // process substitution: a word
      default:
        break;
    }
    if (is_digit(c)) {
      std::size_t j = pos_;
      int fd = 0;
      while (j < end_ && is_digit(text_[j])) {
        // Clamp: an absurd fd number is still a redirection, just not a usable fd.
        fd = fd > 100000 ? 100000 : fd * 10 + (text_[j] - '0');
        ++j;
      }
      if ((at(j) == '<' || at(j) == '>') && at(j + 1) != '(') {
        return redirect(redirect_operator(j), fd, j);
      }
    }
    t.kind = TokenKind::Word;
    t.word = scan_word();
    t.span = t.word.span;
    return t;
  }

  std::string_view redirect_operator(std::size_t p) const {
    const char c = text_[p];
    const char n = at(p + 1);
    if (c == '<') {
      if (n == '<') {
        if (at(p + 2) == '<') return "<<<";
        if (at(p + 2) == '-') return "<<-";
        return "<<";
      }
      if (n == '&') return "<&";
      if (n == '>') return "<>";
      return "<";
    }
    if (n == '>') return ">>";
    if (n == '&') return ">&";
    if (n == '|') return ">|";
    return ">";
  }

  // After the newline that ends a line with <<WORD, the body runs up to a line
  // that is exactly WORD; it is data, not commands.
  void skip_heredoc_bodies() {
    for (const PendingHeredoc& h : heredocs_) {
      bool found = false;
      while (pos_ < end_ && !found) {
        std::size_t e = pos_;
        while (e < end_ && text_[e] != '\n') ++e;
        std::string_view line = text_.substr(pos_, e - pos_);
        if (h.strip_tabs) {
          while (!line.empty() && line.front() == '\t') line.remove_prefix(1);
        }
        found = line == h.delimiter;
        pos_ = e < end_ ? e + 1 : e;
      }
      if (!found) fail();
    }
    heredocs_.clear();
  }

  Word scan_word() {
    Word w;
    const std::size_t start = pos_;
    while (pos_ < end_ && !aborted_) {
      const char c = text_[pos_];
      if (is_meta(c)) {
        if ((c == '<' || c == '>') && at(pos_ + 1) == '(') {
          const std::size_t s = pos_;
          pos_ += 2;
          command_substitution(w);
          w.value.append(text_.substr(s, pos_ - s));
          continue;
        }
        if (c == '(' && pos_ > start) {
          const std::string_view raw = text_.substr(start, pos_ - start);
          const char prev = raw.back();
          // A=(a b c) arrays, and extglob patterns like !(keep) or @(a|b).
          if (assignment_prefix(raw) == raw.size() || prev == '!' || prev == '@' || prev == '?' ||
              prev == '*' || prev == '+') {
            const std::size_t s = pos_;
            skip_parenthesized();
            w.value.append(text_.substr(s, pos_ - s));
            continue;
          }
        }
        break;
      }
      switch (c) {
        case '\\':
          if (pos_ + 1 >= end_) {
            w.value.push_back('\\');
            ++pos_;
          } else if (text_[pos_ + 1] == '\n') {
            w.quoted = true;  // so that value == raw bytes still means "plain word"
            pos_ += 2;
          } else {
            w.value.push_back(text_[pos_ + 1]);
            w.quoted = true;
            pos_ += 2;
          }
          break;
        case '\'': {
          w.quoted = true;
          const std::size_t close = text_.substr(0, end_).find('\'', pos_ + 1);
          if (close == std::string_view::npos) {
            fail();
            w.value.append(text_.substr(pos_ + 1, end_ - pos_ - 1));
            pos_ = end_;
          } else {
            w.value.append(text_.substr(pos_ + 1, close - pos_ - 1));
            pos_ = close + 1;
          }
          break;
        }
        case '"':
          scan_double_quoted(w);
          break;
        case '$':
          scan_dollar(w, false);
          break;
        case '`':
          scan_backquoted(w);
          break;
        default: {
          // A run of plain bytes at once.
          std::size_t e = pos_ + 1;
          while (e < end_ && is_plain(text_[e])) ++e;
          w.value.append(text_.data() + pos_, e - pos_);
          pos_ = e;
          break;
        }
      }
    }
    if (pos_ == start && pos_ < end_ && !aborted_) {
      // Cannot happen by construction (callers only start words on non-meta
      // bytes); kept so a future change cannot make the lexer spin.
      w.value.push_back(text_[pos_++]);
    }
    w.span = {start, pos_};
    return w;
  }

  void scan_double_quoted(Word& w) {
    w.quoted = true;
    ++pos_;
    while (pos_ < end_ && !aborted_) {
      const char c = text_[pos_];
      if (c == '"') {
        ++pos_;
        return;
      }
      if (c == '\\') {
        const char n = at(pos_ + 1);
        if (n == '\n') {
          pos_ += 2;
        } else if (n == '$' || n == '`' || n == '"' || n == '\\') {
          w.value.push_back(n);
          pos_ += 2;
        } else {
          w.value.push_back('\\');
          ++pos_;
        }
      } else if (c == '$') {
        scan_dollar(w, true);
      } else if (c == '`') {
        scan_backquoted(w);
      } else {
        w.value.push_back(c);
        ++pos_;
      }
    }
    fail();  // unterminated "
  }

  // pos_ is on '$'. Expansions are kept verbatim in the value.
  void scan_dollar(Word& w, bool in_double_quotes) {
    const std::size_t s = pos_;
    const char n = at(pos_ + 1);
    if (n == '(') {
      w.has_expansion = true;
      if (at(pos_ + 2) == '(') {
        pos_ += 1;
        skip_arithmetic();
      } else {
        pos_ += 2;
        command_substitution(w);
      }
      w.value.append(text_.substr(s, pos_ - s));
    } else if (n == '{') {
      w.has_expansion = true;
      scan_braced_parameter(in_double_quotes);
      w.value.append(text_.substr(s, pos_ - s));
    } else if (n == '\'' && !in_double_quotes) {
      scan_ansi_c(w);
    } else if (n == '"' && !in_double_quotes) {
      ++pos_;  // $"..." is a translated string: same as "..."
      scan_double_quoted(w);
    } else if (is_name_start(n)) {
      w.has_expansion = true;
      pos_ += 2;
      while (pos_ < end_ && is_name_char(text_[pos_])) ++pos_;
      w.value.append(text_.substr(s, pos_ - s));
    } else if (is_digit(n) || n == '@' || n == '*' || n == '#' || n == '?' || n == '$' || n == '!' ||
               n == '-') {
      w.has_expansion = true;
      pos_ += 2;
      w.value.append(text_.substr(s, 2));
    } else {
      w.value.push_back('$');  // a lone $ is literal
      ++pos_;
    }
  }

  // pos_ is just after "$(" (or "<(" / ">("): parse the commands up to the
  // matching ')', which parse_list consumes.
  void command_substitution(Word& w) {
    w.has_expansion = true;
    if (!enter()) return;
    const int saved_depth = depth_now_;  // the inner list overwrites it
    parse_list(depth_now_ + 1, true);
    depth_now_ = saved_depth;
    leave();
  }

  // pos_ is on the first '(' of "((": skip to the matching "))".
  void skip_arithmetic() {
    int open = 0;
    while (pos_ < end_) {
      const char c = text_[pos_++];
      if (c == '(') {
        ++open;
      } else if (c == ')') {
        if (--open == 0) return;
      }
    }
    fail();
  }

  // pos_ is on '(' of an array or extglob: skip to the matching ')', honouring quotes.
  void skip_parenthesized() {
    if (!enter()) return;
    Word scratch;
    int open = 0;
    while (pos_ < end_ && !aborted_) {
      const char c = text_[pos_];
      if (c == '(') {
        ++open;
        ++pos_;
      } else if (c == ')') {
        ++pos_;
        if (--open == 0) break;
      } else if (c == '\\') {
        pos_ += 2;
      } else if (c == '\'') {
        skip_single_quoted();
      } else if (c == '"') {
        scan_double_quoted(scratch);
      } else if (c == '$') {
        scan_dollar(scratch, false);
      } else if (c == '`') {
        scan_backquoted(scratch);
      } else {
        ++pos_;
      }
    }
    pos_ = std::min(pos_, end_);
    if (open != 0) fail();
    leave();
  }

  void skip_single_quoted() {
    const std::size_t close = text_.substr(0, end_).find('\'', pos_ + 1);
    if (close == std::string_view::npos) {
      fail();
      pos_ = end_;
    } else {
      pos_ = close + 1;
    }
  }

  // pos_ is on '$' of "${": skip to the matching '}'.
  void scan_braced_parameter(bool in_double_quotes) {
    if (!enter()) return;
    Word scratch;
    pos_ += 2;
    int open = 1;
    while (pos_ < end_ && !aborted_) {
      const char c = text_[pos_];
      if (c == '}') {
        ++pos_;
        if (--open == 0) break;
      } else if (c == '\\') {
        pos_ += 2;
      } else if (c == '\'' && !in_double_quotes) {
        skip_single_quoted();
      } else if (c == '"') {
        scan_double_quoted(scratch);
      } else if (c == '$' && at(pos_ + 1) == '{') {
        ++open;
        pos_ += 2;
      } else if (c == '$') {
        scan_dollar(scratch, in_double_quotes);
      } else if (c == '`') {
        scan_backquoted(scratch);
      } else {
        ++pos_;
      }
    }
    pos_ = std::min(pos_, end_);
    if (open != 0) fail();
    leave();
  }

  // pos_ is on '$' of "$'...'": C-style escapes, no expansion.
  void scan_ansi_c(Word& w) {
    w.quoted = true;
    pos_ += 2;
    while (pos_ < end_) {
      const char c = text_[pos_];
      if (c == '\'') {
        ++pos_;
        return;
      }
      if (c == '\\' && pos_ + 1 < end_) {
        const char n = text_[pos_ + 1];
        pos_ += 2;
        switch (n) {
          case 'n': w.value.push_back('\n'); break;
          case 't': w.value.push_back('\t'); break;
          case 'r': w.value.push_back('\r'); break;
          case 'a': w.value.push_back('\a'); break;
          case 'b': w.value.push_back('\b'); break;
          case 'f': w.value.push_back('\f'); break;
          case 'v': w.value.push_back('\v'); break;
          case 'e': case 'E': w.value.push_back('\x1b'); break;
          case '\\': case '\'': case '"': case '?': w.value.push_back(n); break;
          default:  // \x41, \0nn, \u...: kept as written; passes only compare plain words
            w.value.push_back('\\');
            w.value.push_back(n);
            break;
        }
      } else {
        w.value.push_back(c);
        ++pos_;
      }
    }
    fail();
  }

  // pos_ is on '`': the commands between the backquotes are parsed with the
  // scanning limit moved to the closing backquote.
  void scan_backquoted(Word& w) {
    w.has_expansion = true;
    const std::size_t s = pos_;
    std::size_t close = pos_ + 1;
    while (close < end_ && text_[close] != '`') close += text_[close] == '\\' ? 2 : 1;
    const bool closed = close < end_;
    close = std::min(close, end_);
    if (!closed) fail();
    if (!enter()) return;
    const std::size_t saved_end = end_;
    end_ = close;
    pos_ = s + 1;
    const int saved_depth = depth_now_;
    parse_list(depth_now_ + 1, false);
    depth_now_ = saved_depth;
    end_ = saved_end;
    leave();
    if (aborted_) return;
    pos_ = closed ? close + 1 : close;
    w.value.append(text_.substr(s, pos_ - s));
  }

  // --------------------------------------------------------------- parser

  struct State {
    std::vector<Frame> frames;
    std::array<int, static_cast<std::size_t>(FrameKind::Count)> open{};
    Command cmd;
    bool started = false;       // cmd has something in it
    bool after_close = false;   // a compound command just ended: only operators or redirects may follow
    bool need_more = false;     // after && || | : a command must follow
    bool dbracket = false;      // inside [[ ... ]]
    enum class Header { None, For, Case, Function } header = Header::None;
    int header_words = 0;
  };

  int count(const State& st, FrameKind k) const { return st.open[static_cast<std::size_t>(k)]; }

  void push(State& st, FrameKind k) {
    st.frames.push_back({k});
    ++st.open[static_cast<std::size_t>(k)];
  }

  void pop(State& st) {
    --st.open[static_cast<std::size_t>(st.frames.back().kind)];
    st.frames.pop_back();
  }

  // Closes the innermost frame of kind k; frames opened inside it and never
  // closed make the text invalid, but closing them too keeps the depth right.
  bool close_frame(State& st, FrameKind k) {
    if (count(st, k) == 0) return false;
    while (st.frames.back().kind != k) {
      fail();
      pop(st);
    }
    pop(st);
    return true;
  }

  void extend(Command& c, Span s, bool& started) {
    if (!started) {
      c.span = s;
      started = true;
    } else {
      c.span.end = std::max(c.span.end, s.end);
    }
  }

  void finish(State& st, int base_depth, Separator sep, Span sep_span) {
    if (st.started) {
      st.cmd.after = sep;
      if (sep != Separator::None) st.cmd.separator_span = sep_span;
      st.cmd.depth = base_depth + static_cast<int>(st.frames.size());
      resolve(st.cmd);
      out_.commands.push_back(std::move(st.cmd));
    }
    st.cmd = Command{};
    st.started = false;
    st.dbracket = false;
  }

  // Skips "()" after a function name, if present.
  void skip_function_parens() {
    std::size_t p = pos_;
    while (p < end_ && is_blank(text_[p])) ++p;
    if (at(p) != '(') return;
    ++p;
    while (p < end_ && is_blank(text_[p])) ++p;
    if (at(p) == ')') pos_ = p + 1;
  }

  // Handles a reserved word at the start of a command; false when `w` is not one.
  bool reserved_word(State& st, const Word& w) {
    if (w.quoted || w.has_expansion) return false;
    const std::string_view v = w.value;
    if (v == "{") {
      push(st, FrameKind::Brace);
    } else if (v == "}") {
      if (!close_frame(st, FrameKind::Brace)) fail();
      st.after_close = true;
    } else if (v == "if") {
      push(st, FrameKind::If);
    } else if (v == "then" || v == "elif" || v == "else") {
      if (count(st, FrameKind::If) == 0) fail();
    } else if (v == "fi") {
      if (!close_frame(st, FrameKind::If)) fail();
      st.after_close = true;
    } else if (v == "while" || v == "until") {
      push(st, FrameKind::Loop);
    } else if (v == "for" || v == "select") {
      push(st, FrameKind::Loop);
      st.header = State::Header::For;
      st.header_words = 0;
    } else if (v == "do") {
      if (count(st, FrameKind::Loop) == 0) fail();
    } else if (v == "done") {
      if (!close_frame(st, FrameKind::Loop)) fail();
      st.after_close = true;
    } else if (v == "case") {
      push(st, FrameKind::Case);
      st.header = State::Header::Case;
      st.header_words = 0;
    } else if (v == "esac") {
      if (!close_frame(st, FrameKind::Case)) fail();
      st.after_close = true;
    } else if (v == "function") {
      st.header = State::Header::Function;
    } else if (v == "!") {
      // negation: the command follows
    } else {
      return false;
    }
    return true;
  }

  // Parses commands until the end of the scanning limit or, when until_paren,
  // until the ')' closing a substitution (consumed).
  void parse_list(int base_depth, bool until_paren) {
    State st;
    while (!aborted_) {
      // Words of a for/case header are expanded once, outside the compound.
      depth_now_ = base_depth + static_cast<int>(st.frames.size()) -
                   (st.header == State::Header::For || st.header == State::Header::Case ? 1 : 0);
      Token t = next_token(st.dbracket);
      Frame* top = st.frames.empty() ? nullptr : &st.frames.back();
      const bool in_pattern = top && top->kind == FrameKind::Case && top->expect_pattern &&
                              st.header == State::Header::None;

      if (t.kind == TokenKind::End) {
        finish(st, base_depth, Separator::None, {});
        if (!st.frames.empty() || until_paren || st.need_more || st.header != State::Header::None) fail();
        return;
      }

      // Headers of for/case/function: words that are neither commands nor programs.
      if (st.header == State::Header::For) {
        if (t.kind == TokenKind::Word) {
          ++st.header_words;
          if (st.header_words == 2 && !t.word.quoted && std::string_view(t.word.value) == "do") st.header = State::Header::None;
        } else if (t.kind == TokenKind::Newline || (t.kind == TokenKind::Operator && t.op == Op::Semi)) {
          st.header = State::Header::None;
        } else if (t.kind == TokenKind::Operator && t.op == Op::LParen && st.header_words == 0 &&
                   at(pos_) == '(') {
          pos_ -= 1;
          skip_arithmetic();  // for ((i = 0; i < n; i++))
          ++st.header_words;
        } else {
          fail();
          st.header = State::Header::None;
        }
        continue;
      }
      if (st.header == State::Header::Case) {
        if (t.kind == TokenKind::Word) {
          if (++st.header_words == 2) {
            if (t.word.quoted || std::string_view(t.word.value) != "in") fail();
            st.header = State::Header::None;
            st.frames.back().expect_pattern = true;
          }
        } else if (t.kind != TokenKind::Newline) {
          fail();
          st.header = State::Header::None;
          st.frames.back().expect_pattern = true;
        }
        continue;
      }
      if (st.header == State::Header::Function) {
        st.header = State::Header::None;
        if (t.kind == TokenKind::Word) {
          skip_function_parens();
          continue;
        }
        fail();
      }

      if (in_pattern) {
        // case items: [(] pattern [| pattern]... )
        if (t.kind == TokenKind::Word) {
          if (!t.word.quoted && std::string_view(t.word.value) == "esac") {
            close_frame(st, FrameKind::Case);
            st.after_close = true;
          }
        } else if (t.kind == TokenKind::Operator && t.op == Op::RParen) {
          top->expect_pattern = false;
        } else if (t.kind == TokenKind::Operator && (t.op == Op::LParen || t.op == Op::Pipe)) {
          // part of the pattern syntax
        } else if (t.kind != TokenKind::Newline) {
          fail();
        }
        continue;
      }

      switch (t.kind) {
        case TokenKind::Newline:
          finish(st, base_depth, Separator::Newline, t.span);
          st.after_close = false;
          break;

        case TokenKind::Operator:
          switch (t.op) {
            case Op::AndIf:
            case Op::OrIf:
            case Op::Pipe:
            case Op::PipeAll:
              if (!st.started && !st.after_close) fail();  // "&& x" or "a && && b"
              finish(st, base_depth,
                     t.op == Op::AndIf  ? Separator::AndIf
                     : t.op == Op::OrIf ? Separator::OrIf
                     : t.op == Op::Pipe ? Separator::Pipe
                                        : Separator::PipeAll,
                     t.span);
              st.after_close = false;
              st.need_more = true;
              break;
            case Op::Semi:
            case Op::Amp:
              finish(st, base_depth, t.op == Op::Semi ? Separator::Semicolon : Separator::Background, t.span);
              st.after_close = false;
              break;
            case Op::CaseBreak:
              finish(st, base_depth, Separator::CaseBreak, t.span);
              st.after_close = false;
              if (count(st, FrameKind::Case) == 0) {
                fail();
              } else {
                while (st.frames.back().kind != FrameKind::Case) {
                  fail();
                  pop(st);
                }
                st.frames.back().expect_pattern = true;
              }
              break;
            case Op::LParen:
              st.need_more = false;
              if (st.started) {
                if (st.cmd.words.size() == 1 && st.cmd.assignments.empty() && st.cmd.redirects.empty()) {
                  // name() { ...; }: a function definition, not a command.
                  std::size_t p = pos_;
                  while (p < end_ && is_blank(text_[p])) ++p;
                  if (at(p) == ')') {
                    pos_ = p + 1;
                    st.cmd = Command{};
                    st.started = false;
                    break;
                  }
                }
                fail();
                finish(st, base_depth, Separator::None, {});
              }
              if (at(pos_) == '(') {
                pos_ -= 1;
                skip_arithmetic();  // (( expr )) runs no program
                st.after_close = true;
                break;
              }
              st.after_close = false;
              push(st, FrameKind::Paren);
              break;
            case Op::RParen:
              finish(st, base_depth, Separator::None, {});
              if (close_frame(st, FrameKind::Paren)) {
                st.after_close = true;
                break;
              }
              if (until_paren) {
                if (!st.frames.empty()) fail();
                return;
              }
              fail();  // stray ')'
              break;
          }
          break;

        case TokenKind::Redirect: {
          Redirect r;
          r.fd = t.fd;
          r.op.assign(t.redirect_op);
          r.span = t.span;
          Token target = next_token(false);
          if (target.kind == TokenKind::Word) {
            r.target = std::move(target.word);
            r.span.end = r.target.span.end;
            if (r.op == "<<" || r.op == "<<-") heredocs_.push_back({r.target.value, r.op == "<<-"});
          } else {
            fail();
            r.target.span = {r.span.end, r.span.end};
            lookahead_ = std::move(target);
          }
          if (st.after_close && !st.started) break;  // `done < file`: belongs to the compound
          st.need_more = false;
          extend(st.cmd, r.span, st.started);
          st.cmd.redirects.push_back(std::move(r));
          break;
        }

        case TokenKind::Word: {
          st.need_more = false;
          if (!st.started) {
            if (reserved_word(st, t.word)) break;
            if (st.after_close) fail();  // `fi x`
            st.after_close = false;
            if (!t.word.quoted && std::string_view(t.word.value) == "[[") st.dbracket = true;
          } else if (st.dbracket && !t.word.quoted && std::string_view(t.word.value) == "]]") {
            st.dbracket = false;
          }
          extend(st.cmd, t.word.span, st.started);
          if (st.cmd.words.empty() && assignment_prefix(slice(text_, t.word.span)) != 0) {
            st.cmd.assignments.push_back(std::move(t.word));
          } else {
            if (st.cmd.words.empty()) st.cmd.words.reserve(8);  // one allocation for most commands
            st.cmd.words.push_back(std::move(t.word));
          }
          break;
        }

        case TokenKind::End:
          break;  // handled above
      }
    }
  }
};

}  // namespace

Script parse(std::string_view text) {
  Script script;
  script.commands.reserve(8);  // growing it moves every Command (three vectors each)
  Parser(text, script).run();
  return script;
}

}  // namespace dockmend::shell
