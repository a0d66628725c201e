// The image model: what a Dockerfile's image is, worked out once per tree and
// read by every rule and by `dockmend inspect`. Stages as a graph (bases, COPY
// --from edges, which stage ships), the OS, distribution and package manager
// of each stage with how sure that is, the shell and commands of every RUN
// (spans in source coordinates), and the state of a stage after any of its
// instructions (USER, WORKDIR, SHELL, ENV and ARG values, EXPOSEd ports, the
// HEALTHCHECK, ENTRYPOINT and CMD), inherited through FROM <stage>.
//
// A Model views the tree it was built from: it lives no longer than the tree.
// It is read-only after build(); facts other modules derive from it (accounts,
// Python packaging) are computed on first use and kept with it (derived<T>()).
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/coordinates.hpp"
#include "shell/shell.hpp"
#include "syntax/tree.hpp"

namespace dockmend::model {

// ------------------------------------------------------------------ platform

// How a fact about a stage's platform is known, weakest first.
enum class Evidence : std::uint8_t {
  None,            // nothing says (scratch, an unknown image and no package command)
  Guessed,         // an image name that usually means it (python:3.12 is Debian unless its tag says otherwise)
  InRepoBase,      // the stage it builds FROM (in this file) says so
  ImageName,       // the base image's name or tag says so (alpine, ubi9, debian:bookworm)
  PackageCommand,  // the stage (or a stage it builds on) runs that package manager
};
const char* evidence_name(Evidence e);  // "none", "guessed", "base stage", "image name", "package command"

enum class OsFamily : std::uint8_t { Unknown, Linux, Windows };
enum class Distro : std::uint8_t { Unknown, Debian, Alpine, Rhel, Suse, Busybox, Scratch, Distroless, Windows };
enum class PackageManager : std::uint8_t { Unknown, None, Apt, Apk, Dnf, Microdnf, Yum, Tdnf, Zypper };
const char* os_name(OsFamily f);               // "linux", "windows", "unknown"
const char* distro_name(Distro d);             // "debian", "alpine", "rhel", ...
const char* package_manager_name(PackageManager pm);  // "apt", "apk", "dnf", ..., "none", "unknown"

template <class T>
struct Known {
  T value{};
  Evidence evidence = Evidence::None;
};

struct Platform {
  Known<OsFamily> os;
  Known<Distro> distro;
  Known<PackageManager> package_manager;
  bool windows() const { return os.value == OsFamily::Windows; }
};

// ------------------------------------------------------------------ values

// A variable visible at some point: an ARG (with or without a default) or an ENV.
struct Var {
  std::string value;          // unquoted, with earlier variables expanded where they are known
  bool known = true;          // false: an ARG without a default (its value comes from the build)
  bool from_env = false;      // ENV (kept in the image) rather than ARG (build time only)
  std::int32_t set_at = -1;   // instruction index of the ARG/ENV; -1 for a global ARG's default seen by FROM
};
using Vars = std::map<std::string, Var, std::less<>>;

// Expands $NAME, ${NAME}, ${NAME:-word}, ${NAME-word}, ${NAME:+word}, ${NAME+word}
// as buildkit's shell lexer does; nullopt when a referenced variable has no known
// value (the result depends on the build).
std::optional<std::string> expand(std::string_view text, const Vars& vars);

// A setting of the image config (USER, WORKDIR, ...) and the instruction that set it.
struct Setting {
  std::string value;          // as buildkit records it, variables expanded where known
  std::string written;        // as written
  std::int32_t set_at = -1;   // instruction index; -1 when the base image's (unknown to us) applies
  bool set() const { return set_at >= 0; }
};

struct Port {
  std::string written;        // "8080/tcp", "${PORT}"
  std::optional<int> number;  // resolved, when it is one number
  std::string protocol;       // "tcp" or "udp"
  std::uint32_t instruction = 0;
};

// HEALTHCHECK, parsed.
struct Probe {
  std::uint32_t instruction = 0;
  bool none = false;          // HEALTHCHECK NONE
  bool exec_form = false;     // CMD ["curl", ...] (CMD-SHELL otherwise)
  std::vector<std::string> argv;  // exec form: the array; shell form: the shell text as one word
  std::vector<std::pair<std::string, std::string>> options;  // --interval=30s ... as name, value
  // What the probe asks, when it is a known HTTP tool.
  std::string tool;           // "curl", "wget", "python" (urllib), "" when not recognised
  std::string url;            // as written (variables expanded where known)
  std::string scheme;         // "http", "https"
  std::string host;
  std::optional<int> port;    // explicit or the scheme's default
  std::string path;           // "/health" ("/" when none)
};

// Init wrappers that run as PID 1 and start the real program.
enum class Init : std::uint8_t { None, Tini, DumbInit, Other };
const char* init_name(Init init);  // "", "tini", "dumb-init", "other"

// ENTRYPOINT and CMD and what they make PID 1.
struct Process {
  std::vector<std::string> entrypoint;  // exec form as the array; shell form as [shell..., text]
  std::vector<std::string> cmd;
  bool entrypoint_shell_form = false, cmd_shell_form = false;
  std::int32_t entrypoint_at = -1, cmd_at = -1;  // instruction indexes; -1: the base image's
  // The command line the container runs (entrypoint + cmd, as docker joins them).
  std::vector<std::string> argv;
  Init init = Init::None;
  std::vector<std::string> init_options;  // tini's -g, -s, ... dumb-init's --rewrite ...
  std::string program;  // PID 1's program after the init wrapper ("" when unknown); basename
  std::size_t program_index = 0;  // its index in argv
};

// The state of a stage's image after an instruction.
struct State {
  Setting user;     // USER as written, e.g. "app", "1000:1000"
  Setting workdir;  // absolute, resolved against the previous WORKDIR
  std::vector<std::string> shell;  // SHELL argv; ["/bin/sh", "-c"] (Windows: ["cmd", "/S", "/C"]) by default
  std::int32_t shell_at = -1;
  Vars vars;        // ARGs in scope and ENVs (ENV overrides ARG, as in buildkit)
  std::vector<Port> ports;
  std::optional<Probe> healthcheck;
  Process process;
  std::string stopsignal;
};

// ------------------------------------------------------------------ RUN

enum class ShellKind : std::uint8_t { Posix, Cmd, PowerShell, Other, Exec };

// One RUN: the shell that runs it and, for a POSIX shell, its commands.
struct Run {
  std::uint32_t instruction = 0;  // index in Tree::instructions
  std::int32_t stage = -1;
  ShellKind shell = ShellKind::Posix;
  std::string shell_program;      // "/bin/sh", "bash", "powershell", the heredoc's shebang program
  // The script: a shell-form RUN's arguments (continuations joined), or a
  // heredoc's body when the heredoc is the script (`RUN <<EOF`, `RUN bash <<EOF`).
  // Empty (and `parsed` false) unless shell == Posix.
  std::string text;
  shell::Script script;
  bool parsed = false;
  bool heredoc = false;           // text is a heredoc body (source offsets), else joined arguments
  std::uint32_t base = 0;         // where text[0] is: a joined offset, or a source offset for heredocs
  // Safe to edit: the script parsed completely, and the RUN has no heredoc
  // other than its own body (an edit never lands in data).
  bool editable = false;

  // The conversions from the script's offsets (the only ones):
  SourceSpan source(const syntax::Tree& tree, shell::Span span) const;
  // The source offset right after text[end - 1] (before a continuation, not after it).
  std::uint32_t source_after(const syntax::Tree& tree, std::size_t end) const;
  // The joined range of text[span] (not for heredoc scripts).
  JoinedSpan joined(shell::Span span) const;
  std::string_view slice(shell::Span span) const { return shell::slice(text, span); }
};

// ------------------------------------------------------------------ stages

struct Stage {
  std::int32_t index = 0;
  std::string name;             // `AS name` as written ("" when none); buildkit compares it lower-cased
  std::uint32_t from = 0;       // its FROM's instruction index
  std::uint32_t end = 0;        // one past its last instruction
  std::string base_written;     // FROM's image as written
  std::optional<std::string> base_image;  // with ARG defaults expanded; nullopt when it builds on a stage
                                          // or depends on a build argument
  std::int32_t base_stage = -1;           // the stage it builds FROM, if any
  std::string platform;                   // FROM --platform as written
  std::vector<std::int32_t> copies_from;  // stages its COPY --from= / RUN --mount from= read, in order, once each
  std::vector<std::string> copies_from_images;  // images read the same way (COPY --from=nginx:latest)
  bool built_on = false;        // a later stage builds FROM it
  bool copied_from = false;     // a later stage copies files from it
  bool ships = false;           // the shipped stage, or one it builds FROM: its layers are in the image
  bool shipped = false;         // the stage that ships itself (Model::shipped)
  bool tests_only = false;      // built FROM a shipped stage after it, to test it (FROM runtime AS test)
  Platform platform_facts;
};

// Inputs the policy gives (all optional).
struct BuildOptions {
  std::string target;              // the stage `docker build --target` would pick (policy `target`)
  std::vector<std::string> stages; // the policy's `stages` names, in order: "runtime", else the last, ships
};

class Model {
 public:
  static Model build(const syntax::Tree& tree, const BuildOptions& options = {});

  const syntax::Tree& tree() const { return *m_tree; }
  const std::vector<Stage>& stages() const { return m_stages; }
  bool empty() const { return m_stages.empty(); }
  // The stage the image is: the policy's target when it names one, else the
  // stage the policy's `stages` calls the runtime, else the last stage that no
  // later stage only tests. -1 when there is no FROM.
  std::int32_t shipped() const { return m_shipped; }
  const Stage* shipped_stage() const { return m_shipped < 0 ? nullptr : &m_stages[m_shipped]; }
  // Why that stage: "target", "policy stages", "last stage", "last stage not a test".
  std::string_view shipped_reason() const { return m_shipped_reason; }

  // Per instruction: its stage (-1 before the first FROM).
  std::int32_t stage_of(std::uint32_t instruction) const;
  // The stage and the stages it builds FROM, the root first.
  std::vector<std::int32_t> chain(std::int32_t stage) const;
  // The stage a `--from=` value or FROM name designates (by name, case-insensitive, or index), or -1.
  std::int32_t stage_named(std::string_view name) const;
  // Indexes of the instructions of `stage` (its FROM first); of its whole chain, the root's first.
  std::vector<std::uint32_t> instructions(std::int32_t stage) const;
  std::vector<std::uint32_t> chain_instructions(std::int32_t stage) const;
  // The last instruction with `keyword` in the chain of `stage` (what the image keeps), or -1.
  std::int32_t last_in_chain(std::int32_t stage, std::string_view keyword) const;
  // The first instruction of the stage's trailing run of metadata-only
  // instructions (EXPOSE, HEALTHCHECK, ENTRYPOINT, CMD, USER, LABEL, ENV, ARG, ...):
  // where a step that must still run before the image is finished goes. The
  // stage's end when it ends with a build step.
  std::uint32_t tail_start(std::int32_t stage) const;
  // The last of the stage's FROM and the ARG lines right after it.
  std::uint32_t header_end(std::int32_t stage) const;

  // Global ARGs (before the first FROM) with their defaults.
  const Vars& global_args() const { return m_globals; }
  // The state of the stage of `instruction` right before it (after the instruction before it).
  State state_before(std::uint32_t instruction) const;
  // ... and right after it.
  State state_after(std::uint32_t instruction) const;
  // The state of `stage` right before its instruction `at`, or after its last
  // instruction when `at` is the stage's end (a point where an edit inserts).
  State state_at(std::int32_t stage, std::uint32_t at) const;
  // Whether a RUN inserted at that point (as state_at) runs in a POSIX shell: the
  // SHELL in effect is sh, bash, ... and the stage is not a Windows one. A RUN of
  // useradd or apt-get put under `SHELL ["powershell", ...]` would not do what it says.
  bool posix_shell_at(std::int32_t stage, std::uint32_t at) const;
  // After the stage's last instruction: what the image's config says (computed on first use).
  const State& final_state(std::int32_t stage) const;

  // Every RUN in file order (exec-form ones too, with shell == Exec and no script).
  const std::vector<Run>& runs() const { return m_runs; }
  // The RUN of instruction `instruction`, or null.
  const Run* run_at(std::uint32_t instruction) const;
  // The RUNs among `instructions` whose scripts parsed, in that order.
  std::vector<const Run*> parsed_runs(const std::vector<std::uint32_t>& instructions) const;

  // Facts another module derives from the model (accounts, Python packaging),
  // computed on first use by `T::compute(const Model&)` and kept with the model.
  // Not thread-safe: a model is read by one thread at a time (the engine's).
  template <class T>
  const T& derived() const;

 private:
  // The SHELL in effect at the end of `stage` (its chain's last SHELL, else the default).
  std::vector<std::string> final_shell_of(std::int32_t stage, bool windows) const;
  // Applies instruction `i` of stage `stage` to `state`.
  void apply(State& state, std::uint32_t i, bool& cmd_set) const;

  const syntax::Tree* m_tree = nullptr;
  std::vector<Stage> m_stages;
  std::vector<std::int32_t> m_stage_of;
  std::vector<Run> m_runs;
  std::vector<std::int32_t> m_run_of;  // per instruction: index in m_runs, -1
  Vars m_globals;
  std::int32_t m_shipped = -1;
  std::string_view m_shipped_reason;
  mutable std::vector<std::unique_ptr<State>> m_final;
  struct Derived {
    const void* key;
    std::shared_ptr<const void> value;
  };
  mutable std::vector<Derived> m_derived;
};

template <class T>
const T& Model::derived() const {
  static const char k_key = 0;  // one per T
  for (const Derived& d : m_derived)
    if (d.key == &k_key) return *static_cast<const T*>(d.value.get());
  auto value = std::make_shared<const T>(T::compute(*this));
  const T& ref = *value;
  m_derived.push_back({&k_key, std::move(value)});
  return ref;
}

// ------------------------------------------------------------------ image references

// `[registry/][namespace/]name[:tag][@digest]`.
struct ImageRef {
  std::string path;    // everything before the name ("ghcr.io/org"), "" for "ubuntu"
  std::string name;    // the last path component
  std::string tag;     // "" when none
  std::string digest;  // "" when none
};
ImageRef parse_image(std::string_view ref);
// The repository path as the registry knows it: "" -> docker.io/library,
// "nvidia" -> docker.io/nvidia, "ghcr.io/Org" -> ghcr.io/org (Docker Hub's short names).
std::string canonical_repository(std::string_view path);

// The platform an image reference implies by its name and tag alone.
Platform platform_of_image(std::string_view ref);

}  // namespace dockmend::model
