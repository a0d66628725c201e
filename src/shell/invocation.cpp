// Helpers that look at one parsed command: which program really runs, its
// options and its subcommand. The tables below only need to list options
// that take an argument: everything else is assumed to be a flag.
#include <algorithm>
#include <array>
#include <iterator>
#include <vector>
#include <cctype>
#include <string>

#include "shell/shell.hpp"

namespace dockmend::shell {

namespace {

struct OptionSpec {
  std::string_view program;     // a family, matched with same_program()
  std::string_view short_args;  // letters of the short options taking an argument
  std::string_view long_args;   // long options taking an argument, space separated
};

// Only options whose argument is commonly written as a separate word matter
// here; "--opt=value" never needs the table.
constexpr OptionSpec k_option_specs[] = {
    {"apt-get", "acot", "--option --config-file --target-release --default-release --host-architecture"},
    {"apt", "acot", "--option --config-file --target-release --default-release --host-architecture"},
    {"apt-cache", "co", "--option --config-file"},
    {"apk", "Xpt", "--repository --root --virtual --repositories-file --keys-dir --arch --cache-dir "
                   "--cache-max-age --timeout"},
    {"yum", "cdexR", "--config --installroot --releasever --setopt --enablerepo --disablerepo --exclude "
                     "--repo --repoid --downloaddir --destdir --color --forcearch --rpmverbosity"},
    {"dnf", "cdexR", "--config --installroot --releasever --setopt --enablerepo --disablerepo --exclude "
                     "--repo --repoid --downloaddir --destdir --color --forcearch --rpmverbosity"},
    {"microdnf", "", "--config --installroot --releasever --setopt --enablerepo --disablerepo"},
    {"tdnf", "c", "--config --installroot --releasever --setopt --enablerepo --disablerepo"},
    {"zypper", "cR", "--config --root --reposd-dir --cache-dir"},
    {"dpkg-reconfigure", "fp", "--frontend --priority"},
    {"pip", "rcetifCdw", "--requirement --constraint --editable --target --index-url --extra-index-url "
                         "--find-links --config-settings --dest --wheel-dir --src --root --prefix "
                         "--upgrade-strategy --no-binary --only-binary --platform --python-version "
                         "--implementation --abi --progress-bar --cache-dir --log --log-file --proxy "
                         "--retries --timeout --exists-action --trusted-host --cert --client-cert "
                         "--global-option --install-option --root-user-action --report --python "
                         "--keyring-provider --use-feature --use-deprecated"},
    {"venv", "", "--prompt"},
    {"python", "cWX", "--check-hash-based-pycs"},
    {"npm", "wC", "--prefix --registry --cache --loglevel --userconfig --globalconfig --workspace --omit "
                  "--include --tag"},
    {"yarn", "", "--cwd --modules-folder --cache-folder --network-timeout --registry --mutex "
                 "--global-folder --link-folder --network-concurrency"},
    {"pnpm", "CF", "--dir --filter --store-dir --registry"},
    {"gem", "vi", "--version --install-dir --bindir --source --platform"},
    {"bundle", "j", "--jobs --retry --without --with --path --gemfile"},
    {"composer", "d", "--working-dir"},
    {"cargo", "jFZ", "--version --root --git --branch --tag --rev --path --features --target --bin "
                     "--profile --jobs --registry --index --config"},
    {"conda", "cnp", "--channel --name --prefix --file"},
    {"mamba", "cnp", "--channel --name --prefix --file"},
    {"micromamba", "cnpr", "--channel --name --prefix --file --root-prefix"},
    {"git", "Ccbjou", "--git-dir --work-tree --namespace --depth --branch --origin --reference --config "
                      "--filter --jobs --separate-git-dir --template --shallow-since --shallow-exclude"},
    {"useradd", "bcdefgGkKpPRsuZ", "--base-dir --comment --home-dir --expiredate --inactive --gid "
                                   "--groups --skel --key --password --root --prefix --shell --uid "
                                   "--selinux-user"},
    {"usermod", "cdefgGlpPRsuvwZ", "--comment --home --expiredate --inactive --gid --groups --login "
                                   "--password --root --prefix --shell --uid --selinux-user"},
    {"groupadd", "gKpPR", "--gid --key --password --root --prefix"},
    {"groupmod", "gnpPR", "--gid --new-name --password --root --prefix"},
    // busybox adduser/addgroup take short options; Debian's take long ones.
    {"adduser", "hgsGuk", "--home --shell --uid --gid --ingroup --gecos --comment --firstuid --lastuid "
                          "--conf"},
    {"addgroup", "g", "--gid --conf"},
    {"curl", "AbcCdDeEFHKmoPQrtTuUwxXyYz",
     "--output --header --data --data-raw --data-binary --data-urlencode --user --request --user-agent "
     "--retry --retry-delay --retry-max-time --max-time --connect-timeout --proto --proto-redir "
     "--cacert --cert --key --form --url --write-out --referer --proxy --limit-rate --output-dir "
     "--config --range --resolve --ciphers --cookie --cookie-jar --dump-header --upload-file "
     "--continue-at --interface"},
    {"wget", "aABDeiIlOoPQRtTUwX", "--output-document --output-file --append-output --directory-prefix "
                                   "--user-agent --header --tries --timeout --input-file --post-data "
                                   "--user --password --ca-certificate --execute --wait --quota "
                                   "--level --accept --reject"},
    {"tar", "bCfgHIKLNTVX", "--file --directory --files-from --exclude-from --blocking-factor --format "
                            "--listed-incremental --starting-file --newer --label "
                            "--use-compress-program --tape-length --exclude --transform "
                            "--strip-components --owner --group --mode --mtime --xform"},
    {"unzip", "d", ""},
    {"install", "mogtS", "--mode --owner --group --target-directory --suffix"},
    {"mkdir", "m", "--mode"},
    {"cp", "tS", "--target-directory --suffix"},
    {"mv", "tS", "--target-directory --suffix"},
    {"ln", "tS", "--target-directory --suffix"},
    {"sed", "ef", "--expression --file"},
    {"grep", "efmABCdD", "--regexp --file --max-count --after-context --before-context --context"},
    {"gpg", "ou", "--keyserver --homedir --output --local-user --recipient"},
};

struct WrapperSpec {
  std::string_view name;
  std::string_view short_args;  // as in OptionSpec
  std::string_view long_args;
  int operands;      // operands before the wrapped command (gosu USER, timeout DURATION)
  bool assignments;  // NAME=value words may precede the wrapped command
};

constexpr WrapperSpec k_wrappers[] = {
    {"sudo", "ugCDhprtUTR", "--user --group --close-from --chdir --host --prompt --role --type "
                            "--other-user --command-timeout --chroot",
     0, true},
    {"doas", "uC", "", 0, false},
    {"env", "uCS", "--unset --chdir --split-string", 0, true},
    {"nohup", "", "", 0, false},
    {"time", "fo", "--format --output", 0, false},
    {"exec", "a", "", 0, false},
    {"command", "", "", 0, false},
    {"nice", "n", "--adjustment", 0, false},
    {"ionice", "cnp", "--class --classdata --pid --pgid --uid", 0, false},
    {"stdbuf", "ioe", "--input --output --error", 0, false},
    {"timeout", "sk", "--signal --kill-after", 1, false},
    {"xargs", "aEdILnPs", "--arg-file --delimiter --max-lines --max-args --max-procs --max-chars "
                          "--process-slot-var",
     0, false},
    {"gosu", "", "", 1, false},
    {"su-exec", "", "", 1, false},
    {"chroot", "", "--userspec --groups", 1, false},
    {"eatmydata", "", "", 0, false},
    {"busybox", "", "", 0, false},
};

std::string_view basename(std::string_view v) {
  const std::size_t slash = v.rfind('/');
  return slash == std::string_view::npos ? v : v.substr(slash + 1);
}

bool in_list(std::string_view list, std::string_view name) {
  while (!list.empty()) {
    const std::size_t space = list.find(' ');
    const std::string_view item = list.substr(0, space);
    if (item == name) return true;
    if (space == std::string_view::npos) break;
    list.remove_prefix(space + 1);
  }
  return false;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

bool is_option(std::string_view v) { return v.size() > 1 && v[0] == '-'; }

bool is_assignment(std::string_view v) {
  if (v.empty() || !(std::isalpha(static_cast<unsigned char>(v[0])) || v[0] == '_')) return false;
  for (std::size_t i = 1; i < v.size(); ++i) {
    if (v[i] == '=') return true;
    if (!(std::isalnum(static_cast<unsigned char>(v[i])) || v[i] == '_')) return false;
  }
  return false;
}

// The rows of a table whose name starts with each byte, in table order:
// every command of every RUN asks, most of them for a program in no table.
template <class Row, std::size_t N>
struct FirstByteIndex {
  std::array<std::vector<const Row*>, 256> rows;
  explicit FirstByteIndex(const Row (&table)[N]) {
    for (const Row& r : table) rows[static_cast<unsigned char>(name_of(r)[0])].push_back(&r);
  }
  static std::string_view name_of(const OptionSpec& s) { return s.program; }
  static std::string_view name_of(const WrapperSpec& w) { return w.name; }
  const std::vector<const Row*>& starting(std::string_view name) const {
    return rows[static_cast<unsigned char>(name[0])];
  }
};

const OptionSpec* find_spec(std::string_view program) {
  if (program.empty()) return nullptr;
  static const FirstByteIndex<OptionSpec, std::size(k_option_specs)> index(k_option_specs);
  for (const OptionSpec* s : index.starting(program)) {
    if (same_program(program, s->program)) return s;
  }
  return nullptr;
}

const WrapperSpec* find_wrapper(std::string_view program) {
  if (program.empty()) return nullptr;
  static const FirstByteIndex<WrapperSpec, std::size(k_wrappers)> index(k_wrappers);
  for (const WrapperSpec* w : index.starting(program)) {
    if (program == w->name) return w;
  }
  return nullptr;
}

// Whether option word `v` (is_option(v), not "--") leaves its argument in the
// next word: "-o" or "-qo" for apt-get, "--option" but not "--option=x".
bool consumes_next(std::string_view short_args, std::string_view long_args, std::string_view v) {
  if (starts_with(v, "--")) return v.find('=') == std::string_view::npos && in_list(long_args, v);
  for (std::size_t k = 1; k < v.size(); ++k) {
    if (short_args.find(v[k]) != std::string_view::npos) return k + 1 == v.size();
  }
  return false;
}

// A word that is only an unquoted expansion ($OPTS, ${FLAGS}) may expand to
// options or to nothing, so it cannot be taken for the subcommand.
bool bare_expansion(const Word& w) { return w.has_expansion && !w.quoted && starts_with(w.value, "$"); }

// Index of the word after the wrapper at `i` and its options, operands and
// assignments; `lookup` is set for `command -v`, which runs nothing.
std::size_t skip_wrapper(const Command& cmd, std::size_t i, const WrapperSpec& spec, bool& lookup) {
  const std::size_t n = cmd.words.size();
  std::size_t j = i + 1;
  while (j < n) {
    const std::string_view v = cmd.words[j].value;
    if (v == "--") {
      ++j;
      break;
    }
    if (v == "-" && spec.name == "env") {  // `env -` is `env -i`
      ++j;
      continue;
    }
    if (is_option(v)) {
      if (spec.name == "command" && !starts_with(v, "--") &&
          (v.find('v') != std::string_view::npos || v.find('V') != std::string_view::npos)) {
        lookup = true;
      }
      j += consumes_next(spec.short_args, spec.long_args, v) ? 2 : 1;
      continue;
    }
    if (spec.assignments && is_assignment(v)) {
      ++j;
      continue;
    }
    break;
  }
  return j + static_cast<std::size_t>(spec.operands);
}

}  // namespace

namespace detail {

bool same_program_tail(std::string_view name, std::string_view family) {
  if (!starts_with(name, family)) return false;
  std::string_view rest = name.substr(family.size());
  if (rest.empty()) return true;
  if (rest.front() == '-') rest.remove_prefix(1);
  if (rest.empty() || !std::isdigit(static_cast<unsigned char>(rest.front()))) return false;
  return std::all_of(rest.begin(), rest.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || c == '.'; });
}

}  // namespace detail

bool takes_argument(std::string_view program, std::string_view option) {
  const OptionSpec* spec = find_spec(program);
  if (!spec || !is_option(option)) return false;
  if (starts_with(option, "--")) return in_list(spec->long_args, option);
  return option.size() == 2 && spec->short_args.find(option[1]) != std::string_view::npos;
}

namespace detail {

// invocation() worked out from the words: what parse() records in
// Command::resolved, and the answer for a command that has none.
std::optional<Invocation> unresolved_invocation(const Command& cmd) {
  const std::size_t n = cmd.words.size();
  if (n == 0) return std::nullopt;
  std::size_t i = 0;
  // Each round skips one wrapper and its options, so this ends after at most n rounds.
  for (;;) {
    const WrapperSpec* spec = find_wrapper(basename(cmd.words[i].value));
    if (!spec) break;
    bool lookup = false;
    const std::size_t next = skip_wrapper(cmd, i, *spec, lookup);
    if (lookup || next >= n) break;  // the wrapper is the program
    i = next;
  }

  Invocation inv;
  inv.program = i;
  inv.args = i + 1;
  inv.name = basename(cmd.words[i].value);
  if (!same_program(inv.name, "python")) return inv;

  // python [options] -m module args: the module is what runs.
  for (std::size_t j = i + 1; j < n; ++j) {
    const std::string_view v = cmd.words[j].value;
    if (v == "--" || !is_option(v)) break;  // a script, stdin or the end of options
    if (starts_with(v, "--")) continue;      // --version, --help...
    for (std::size_t k = 1; k < v.size(); ++k) {
      const char c = v[k];
      if (c == 'c') return inv;  // python -c CODE: no module
      if (c == 'm') {
        if (k + 1 < v.size()) {
          inv.name = v.substr(k + 1);
          inv.args = j + 1;
        } else if (j + 1 < n) {
          inv.name = cmd.words[j + 1].value;
          inv.args = j + 2;
        }
        return inv;
      }
      if (c == 'W' || c == 'X') {
        if (k + 1 == v.size()) ++j;  // the argument is the next word
        break;
      }
    }
  }
  return inv;
}

}  // namespace detail

namespace {

// The option table row of the command's program (nullptr when none).
const OptionSpec* spec_of(const Command& cmd, std::string_view name) {
  if (cmd.resolved.valid) return cmd.resolved.spec < 0 ? nullptr : &k_option_specs[cmd.resolved.spec];
  return find_spec(name);
}

}  // namespace

void resolve(Command& cmd) {
  cmd.resolved = {};
  const std::optional<Invocation> inv = detail::unresolved_invocation(cmd);
  if (!inv) return;
  Command::Resolved r;
  r.program = static_cast<std::uint32_t>(inv->program);
  r.args = static_cast<std::uint32_t>(inv->args);
  // The name views one word's value: find which, to keep an offset (the
  // strings move with the Command; offsets stay right).
  for (std::size_t i = 0; i < cmd.words.size(); ++i) {
    const std::string& v = cmd.words[i].value;
    if (inv->name.data() >= v.data() && inv->name.data() + inv->name.size() <= v.data() + v.size()) {
      r.name_word = static_cast<std::uint32_t>(i);
      r.name_offset = static_cast<std::uint32_t>(inv->name.data() - v.data());
      r.name_size = static_cast<std::uint32_t>(inv->name.size());
      r.valid = true;
      break;
    }
  }
  if (!r.valid) return;  // an empty name outside every word: work it out on each call
  const OptionSpec* spec = find_spec(inv->name);
  r.spec = spec ? static_cast<std::int32_t>(spec - k_option_specs) : -1;
  cmd.resolved = r;
}

std::optional<OptionMatch> find_option(const Command& cmd, std::initializer_list<std::string_view> names) {
  const std::optional<Invocation> inv = invocation(cmd);
  if (!inv) return std::nullopt;
  const OptionSpec* spec = spec_of(cmd, inv->name);
  const std::string_view short_args = spec ? spec->short_args : std::string_view{};
  const std::string_view long_args = spec ? spec->long_args : std::string_view{};
  const std::size_t n = cmd.words.size();
  auto wanted = [&](std::string_view name) { return std::find(names.begin(), names.end(), name) != names.end(); };

  for (std::size_t i = inv->args; i < n; ++i) {
    const std::string_view v = cmd.words[i].value;
    if (v == "--") break;
    if (!is_option(v)) continue;
    OptionMatch m;
    m.word = i;

    if (starts_with(v, "--")) {
      const std::size_t eq = v.find('=');
      const bool takes = eq == std::string_view::npos && in_list(long_args, v);
      if (wanted(v.substr(0, eq))) {
        if (eq != std::string_view::npos) {
          m.value.assign(v.substr(eq + 1));
        } else if (takes && i + 1 < n) {
          m.value_word = i + 1;
          m.value = cmd.words[i + 1].value;
        }
        return m;
      }
      if (takes) ++i;
      continue;
    }

    for (std::string_view name : names) {  // single-dash long names: -name, -Xmx
      if (name.size() > 2 && name[0] == '-' && name[1] != '-' &&
          (v == name || starts_with(v, std::string(name) + "="))) {
        if (v.size() > name.size()) m.value.assign(v.substr(name.size() + 1));
        return m;
      }
    }
    for (std::size_t k = 1; k < v.size(); ++k) {
      const bool takes = short_args.find(v[k]) != std::string_view::npos;
      const char option[2] = {'-', v[k]};
      if (wanted(std::string_view(option, 2))) {
        if (takes && k + 1 < v.size()) {
          m.value.assign(v.substr(k + 1));
        } else if (takes && i + 1 < n) {
          m.value_word = i + 1;
          m.value = cmd.words[i + 1].value;
        }
        return m;
      }
      if (takes) {
        if (k + 1 == v.size()) ++i;
        break;  // the rest of the cluster is the argument
      }
    }
  }
  return std::nullopt;
}

std::optional<std::size_t> subcommand(const Command& cmd) {
  const std::optional<Invocation> inv = invocation(cmd);
  if (!inv) return std::nullopt;
  const OptionSpec* spec = spec_of(cmd, inv->name);
  const std::string_view short_args = spec ? spec->short_args : std::string_view{};
  const std::string_view long_args = spec ? spec->long_args : std::string_view{};
  const std::size_t n = cmd.words.size();
  for (std::size_t i = inv->args; i < n; ++i) {
    const Word& w = cmd.words[i];
    if (std::string_view(w.value) == "--") return i + 1 < n ? std::optional<std::size_t>(i + 1) : std::nullopt;
    if (is_option(w.value)) {
      if (consumes_next(short_args, long_args, w.value)) ++i;
      continue;
    }
    if (bare_expansion(w)) continue;
    return i;
  }
  return std::nullopt;
}

std::optional<std::size_t> insertion_point(const Command& cmd, InsertAt where) {
  if (where == InsertAt::AfterProgram) {
    const std::optional<Invocation> inv = invocation(cmd);
    if (!inv) return std::nullopt;
    return cmd.words[inv->args - 1].span.end;
  }
  const std::optional<std::size_t> sub = subcommand(cmd);
  if (!sub) return std::nullopt;
  return cmd.words[*sub].span.end;
}

}  // namespace dockmend::shell
