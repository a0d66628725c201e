// A small, forgiving parser for the shell text of a Dockerfile RUN instruction
// (shell form). It finds the simple commands inside the text, with the exact
// byte ranges of every word, so that passes can edit a single command (add a
// flag after `install`, rewrite a `pip install -r`) rather than the whole line.
//
// The input is the logical text of the RUN: line continuations have already
// been removed by the caller. Every Span is a byte offset into that text.
//
// What it understands:
//  - words: '...', "...", backslash escapes, $'...', $name, ${...}, $(...),
//    $((...)), `...`, <(...) and >(...) stay inside one word, with nested
//    parentheses and quotes; commands inside $(...), `...` and <(...) are
//    reported too (one level deeper);
//  - operators && || ; | |& & and newlines between commands; ;; ;& ;;& in case;
//  - comments (# at the start of a word, to the end of the line);
//  - redirections with an optional fd: < > >> >| <> <& >& &> &>> << <<- <<<
//    (here-document bodies after the newline are skipped);
//  - ( ... ), { ...; }, if/then/elif/else/fi, for/select ... do ... done,
//    while/until ... do ... done, case ... in pat) ...;; esac, [[ ... ]],
//    (( ... )), function definitions `f() {` and `function f {`; reserved words
//    are never reported as programs, the word after them is;
//  - leading assignments (A=1 B=2 cmd); `export A=1` is an ordinary command.
// Not followed: commands inside $((...)) and inside backquotes nested with
// \` (the words are still scanned correctly), aliases, and eval/sh -c strings
// (`sh -c "a && b"` is one command whose argument is the string).
//
// It does not throw (bar std::bad_alloc), never loops and runs in linear time
// (no regex). On input a shell would reject (unterminated quote, stray `)`,
// missing `fi`, `a &&` at the end, <<EOF without its body) or nested more than
// 64 substitutions deep, it still returns what it found, with
// Script::complete set to false; callers should then avoid editing that RUN.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dockmend::shell {

/// A half-open byte range [begin, end) of the parsed text.
struct Span {
  std::size_t begin = 0;
  std::size_t end = 0;

  std::size_t size() const { return end - begin; }
  bool empty() const { return end == begin; }
};

/// text.substr(span), clamped to the text (an out-of-range span gives "").
std::string_view slice(std::string_view text, Span span);

struct Word {
  Span span;                   ///< raw bytes of the word, quotes included
  std::string value;           ///< quotes removed, escapes resolved, expansions kept verbatim
                               ///< ("$HOME"/x -> $HOME/x, $(id -u) -> $(id -u))
  bool quoted = false;         ///< some part was quoted or backslash-escaped
  bool has_expansion = false;  ///< contains $var, ${..}, $(..), $((..)), `..`, <(..) or >(..)
  // When neither quoted nor has_expansion, value is exactly the raw bytes.
};

/// One redirection, e.g. "2>&1", "> /dev/null", "<<<\"$x\"".
struct Redirect {
  Span span;         ///< from the fd (or operator) to the end of the target
  int fd = -1;       ///< explicit fd before the operator ("2>" -> 2), -1 when none
  std::string op;    ///< the operator alone: "<", ">", ">>", ">|", "<>", "<&", ">&", "&>", "&>>",
                     ///< "<<", "<<-", "<<<"
  Word target;       ///< what follows the operator ("2>&1" -> value "1"); empty span if missing
};

enum class Separator {
  None,        ///< end of text, or the command is the last one inside ( ), { }, if, loops...
  AndIf,       ///< &&
  OrIf,        ///< ||
  Semicolon,   ///< ;
  Pipe,        ///< |
  PipeAll,     ///< |&  (pipes stderr too)
  Background,  ///< &
  Newline,     ///< \n
  CaseBreak,   ///< ;; ;& ;;&  (end of a case item)
};

/// A simple command: assignments, words and redirections, between operators.
struct Command {
  Span span;                        ///< first to last of its assignments, words and redirects
  std::vector<Word> assignments;    ///< leading NAME=value / NAME+=value words
  std::vector<Word> words;          ///< argv: words[0] is the program (may be empty: `> file`)
  std::vector<Redirect> redirects;  ///< in order, wherever they appear in the command
  Separator after = Separator::None;  ///< the operator right after this command
  Span separator_span;              ///< where that operator is (empty when None)
  /// Nesting level: 0 at top level, +1 for each enclosing ( ), { }, $( ), ` `,
  /// <( ), if/elif/else body or condition, loop (condition or body) and case item.
  /// So `cd x` at depth 0 changes the directory of everything after it.
  int depth = 0;

  /// Basename of words[0].value ("/usr/bin/apt-get" -> "apt-get"); "" when no words.
  /// Does not look through wrappers: see invocation().
  std::string_view program() const;

  /// invocation() and the option table of its program, worked out once by
  /// parse() (rules ask for them many times per command). Code that builds a
  /// Command by hand, or changes its words, leaves or resets it to {}: the
  /// helpers then work it out on each call.
  struct Resolved {
    bool valid = false;
    std::uint32_t program = 0, args = 0;  ///< as in Invocation
    std::uint32_t name_word = 0;          ///< the word whose value holds the name
    std::uint32_t name_offset = 0, name_size = 0;
    std::int32_t spec = -1;               ///< row of the option table, -1 when none
  };
  Resolved resolved;
};

struct Script {
  /// Every simple command, in source order (by span.begin): a command found in
  /// a $( ) comes after the command whose word contains it.
  std::vector<Command> commands;
  bool complete = true;  ///< false when the text is not valid shell (see top of file)
};

Script parse(std::string_view text);

// ---------------------------------------------------------------------------
// Helpers for passes. They work on the words' values (quotes removed), so
// "-y" and '-y' count as options, and they use a small built-in table of which
// options take an argument (apt-get -o, pip -r/-c/-e/-t/-i/--prefix, apk -X/-t,
// yum/dnf --setopt, useradd -u/-g/-G/-d/-s, curl -o/-H, tar -f/-C, ...), so that
// the argument of an option is never taken for an option or a subcommand.

/// What a command really runs. Wrappers are skipped, with their own options
/// and operands: sudo, doas, env (and its NAME=value), nohup, time, exec, nice,
/// ionice, stdbuf, timeout DURATION, xargs, gosu USER, su-exec USER,
/// chroot DIR, eatmydata, busybox. `command` is skipped too, except
/// `command -v/-V` (a lookup, nothing runs). A wrapper with no command after it
/// (`sudo -v`, `exec >log`, `env`) is itself the program.
/// `python -m MODULE` (any python, python3, python3.11...) names the module:
/// `python3 -m pip install x` has name "pip" and args at "install".
struct Invocation {
  std::size_t program = 0;  ///< index in Command::words of the program word (the python word for -m)
  std::size_t args = 0;     ///< index in Command::words of the first argument
  std::string_view name;    ///< basename of the program, or the module; views into Command::words
};

namespace detail {
std::optional<Invocation> unresolved_invocation(const Command& cmd);
bool same_program_tail(std::string_view name, std::string_view family);
}  // namespace detail

/// nullopt when the command has no words. (Inline: rules ask for it for every
/// command, many times; parse() worked the answer out already.)
inline std::optional<Invocation> invocation(const Command& cmd) {
  const Command::Resolved& r = cmd.resolved;
  if (r.valid && r.name_word < cmd.words.size() &&
      std::size_t{r.name_offset} + r.name_size <= cmd.words[r.name_word].value.size()) {
    Invocation inv;
    inv.program = r.program;
    inv.args = r.args;
    inv.name = std::string_view(cmd.words[r.name_word].value.data() + r.name_offset, r.name_size);
    return inv;
  }
  return detail::unresolved_invocation(cmd);
}

/// Fills cmd.resolved from its words (parse() does this for every command).
void resolve(Command& cmd);

/// True when `name` is `family` itself or a versioned form of it:
/// same_program("pip3.11", "pip"), same_program("python3", "python"), same_program("gcc-12", "gcc").
inline bool same_program(std::string_view name, std::string_view family) {
  // The length and the first byte first: most calls compare unrelated names.
  if (family.empty() || name.size() < family.size() || name[0] != family[0]) return false;
  return detail::same_program_tail(name, family);
}

/// Whether `option` ("-o", "--requirement") of `program` (a name or a family as
/// above) takes an argument, according to the built-in table.
bool takes_argument(std::string_view program, std::string_view option);

struct OptionMatch {
  std::size_t word = 0;                   ///< index in Command::words of the option word
  std::string value;                      ///< its argument when it takes one ("--uid=1", "-u1", "-u 1"), else ""
  std::optional<std::size_t> value_word;  ///< index of the argument word when it is a separate word
};

/// First occurrence, among the arguments of invocation(cmd), of any of `names`.
/// Names are spelled as written: "-y" (matched inside clusters: "-qy" contains
/// it, unless an earlier letter of the cluster takes an argument), "--yes"
/// (also matches "--yes=..."), or a long single-dash name such as "-name"
/// (matched whole, or as "-name=..."). Options may follow operands
/// (`apt-get install curl -y`); scanning stops at "--".
std::optional<OptionMatch> find_option(const Command& cmd, std::initializer_list<std::string_view> names);

inline bool has_option(const Command& cmd, std::initializer_list<std::string_view> names) {
  return find_option(cmd, names).has_value();
}

/// Index in Command::words of the first operand of invocation(cmd), skipping
/// options and their arguments: "install" in `apt-get -q -o X=1 install curl`
/// and in `pip --no-cache-dir install -r r.txt`. nullopt when none.
/// For programs without subcommands this is just the first operand
/// (`useradd -u 1 app` -> "app"). A word that is only an unquoted expansion
/// ($OPTS, ${FLAGS}) is skipped: it may expand to options or to nothing.
std::optional<std::size_t> subcommand(const Command& cmd);

enum class InsertAt {
  AfterProgram,     ///< after the program word (after the module for `python -m pip`)
  AfterSubcommand,  ///< after subcommand(cmd)
};

/// Byte offset just after the program or subcommand word, where " --flag"
/// (note the leading space) can be inserted so that it applies to that
/// command: after `install` in `sudo apt-get -q install curl`.
/// nullopt when there is no such word.
std::optional<std::size_t> insertion_point(const Command& cmd, InsertAt where = InsertAt::AfterSubcommand);

}  // namespace dockmend::shell
