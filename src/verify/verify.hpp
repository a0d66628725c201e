// `dockmend verify`: proving fixes by building the original and the fixed
// Dockerfile with a real image builder and comparing the two images.
//
// This module holds what can be decided without touching the system: the
// command lines to run for each builder, reading what the builders print
// (inspect JSON, exported tar streams), comparing two images, explaining each
// difference by the fixes that were applied, and rendering the report.
// src/cli/verify.cpp runs the processes and reads and writes the files.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dockmend::verify {

// ------------------------------------------------------------------ builders

enum class BuilderKind { Docker, Podman, Buildah };

std::string_view builder_name(BuilderKind kind);
std::optional<BuilderKind> parse_builder(std::string_view name);

// A builder as found on this machine.
struct Builder {
  BuilderKind kind = BuilderKind::Podman;
  std::string program;       // "docker", "podman", "buildah" (looked up in PATH)
  std::string version;       // as the builder reports it, e.g. "1.28.2" ("" unknown)
  bool buildx = false;       // docker: `docker buildx build` is available
  bool has_podman = false;   // podman is there too (for run, export, healthcheck)
  bool has_buildah = false;  // buildah is there too (for its docker-format inspect)
};

// The buildah version that does the builds of this builder (podman 4.x vendors
// buildah; docker's BuildKit does everything): used to say which Dockerfile
// features the builder lacks. nullopt when unknown.
struct Version {
  int major = 0, minor = 0, patch = 0;
  friend bool operator<(const Version& a, const Version& b) {
    if (a.major != b.major) return a.major < b.major;
    if (a.minor != b.minor) return a.minor < b.minor;
    return a.patch < b.patch;
  }
};
std::optional<Version> parse_version(std::string_view text);  // the first N.N[.N] in text

// A Dockerfile feature some builders do not support.
struct MissingFeature {
  std::string feature;  // "heredoc RUN/COPY", "COPY --link"
  std::uint32_t line = 0;
  std::string why;      // "buildah 1.28.2 rejects heredocs (they need buildah 1.33)"
};
// The features used by `dockerfile` that `builder` lacks (empty: none known).
std::vector<MissingFeature> missing_features(const Builder& builder, std::string_view dockerfile);

struct BuildRequest {
  std::string dockerfile;               // path of the Dockerfile
  std::string context;                  // build context directory
  std::string tag;                      // dockmend-verify/...
  std::string pull;                     // "", "never", "missing", "always": the builder's --pull
  std::vector<std::string> build_args;  // KEY=VALUE
  std::string target;                   // --target stage, or ""
  std::vector<std::string> extra;       // the user's own builder options, passed through
};
// The command that builds one image. Always the docker image format (the OCI
// format drops SHELL and HEALTHCHECK) and never a push.
std::vector<std::string> build_argv(const Builder& builder, const BuildRequest& request);

// The image config, in docker's format, for image_config().
std::vector<std::string> inspect_argv(const Builder& builder, const std::string& image);
// Whether an image is in local storage (exit 0 when it is).
std::vector<std::string> image_exists_argv(const Builder& builder, const std::string& image);
std::vector<std::string> pull_argv(const Builder& builder, const std::string& image);
std::vector<std::string> remove_image_argv(const Builder& builder, const std::string& image);

// Why a build failed, read from its output: the first line that says so
// ("Error: ...", "ERROR: ..."), and what kind of failure it is.
struct BuildFailure {
  enum class Kind { Other, BaseNotFound, MissingFeature };
  Kind kind = Kind::Other;
  std::string line;  // the error line, trimmed ("" when none was found)
};
BuildFailure classify_build_failure(std::string_view log);

// The base images a Dockerfile pulls (FROM images that are not earlier stages
// or scratch), with global ARG defaults substituted; names still holding a
// variable are left out (the builder resolves them).
std::vector<std::string> base_images(std::string_view dockerfile, const std::vector<std::string>& build_args);

// ------------------------------------------------------------------ images

// The parts of an image's config that verify compares (docker's names).
struct ImageConfig {
  std::string user;
  std::vector<std::string> env;  // "KEY=VALUE", in image order
  std::optional<std::vector<std::string>> entrypoint;
  std::optional<std::vector<std::string>> cmd;
  std::string working_dir;
  std::vector<std::string> exposed_ports;  // "8000/tcp", sorted
  std::optional<std::vector<std::string>> healthcheck;  // Test: ["CMD-SHELL", "..."]
  std::string healthcheck_timing;  // "interval=30s timeout=..." (only the fields set)
  std::optional<std::vector<std::string>> shell;
  std::map<std::string, std::string> labels;
  std::string stop_signal;
  std::vector<std::string> volumes;  // sorted
  bool shell_known = true;        // false: the inspect output does not report Shell
  bool healthcheck_known = true;  // false: nor Healthcheck
};

// Reads `docker image inspect`, `podman image inspect` or `buildah inspect
// --type image` output. Errors are values: nullopt and `error` set.
std::optional<ImageConfig> parse_inspect(std::string_view json, std::string* error);

// One entry of an image's file tree.
struct FileEntry {
  std::string path;  // absolute, no trailing slash ("/" for the root)
  char type = 'f';   // f file, d directory, l symlink, h hard link, c b p: devices and fifos
  std::uint32_t mode = 0;  // permission bits incl. setuid/setgid/sticky (07777)
  std::uint32_t uid = 0, gid = 0;
  std::uint64_t size = 0;
  std::string link;        // symlink or hard link target
  std::uint64_t hash = 0;  // 64-bit FNV-1a of the content (regular files)
};

// The file tree, by path. Small files some explanations need (package lists,
// /etc/passwd) keep their content in `contents`.
struct FileTree {
  std::map<std::string, FileEntry> entries;
  std::map<std::string, std::string> contents;
};

// Whether verify keeps the content of this path (package databases, account files).
bool keep_content(std::string_view path);

// Reads a tar stream (`docker export`, `podman export`, `tar -c` of a mounted
// rootfs) in pieces of any size: ustar, GNU long names and PAX headers.
class TarReader {
 public:
  void feed(const char* data, std::size_t size);
  // After the last piece: false, with error(), when the stream was cut short or malformed.
  bool finish();
  const std::string& error() const { return m_error; }
  FileTree take() { return std::move(m_tree); }

 private:
  void header(const char* block);
  void end_entry();
  std::string m_pending;         // header bytes, or PAX / long-name data, being collected
  std::uint64_t m_left = 0;      // content bytes of the current entry still to come
  std::uint64_t m_padding = 0;   // padding after them
  enum class Want { Header, Content, Meta } m_want = Want::Header;
  char m_meta_type = 0;          // 'x', 'g', 'L', 'K' while reading Meta
  std::string m_next_path, m_next_link;  // from PAX or GNU long-name records
  std::optional<std::uint64_t> m_next_size;
  std::optional<std::uint32_t> m_next_uid, m_next_gid;
  FileEntry m_entry;
  bool m_keep = false;
  std::string m_content;
  std::uint64_t m_hash = 0;
  int m_zero_blocks = 0;
  bool m_done = false;
  std::string m_error;
  FileTree m_tree;
};

// "./usr/bin/" -> "/usr/bin"; "" and "." -> "/".
std::string normalize_path(std::string_view path);

// ------------------------------------------------------------------ comparing

struct Difference {
  enum class Kind { Config, Added, Removed, Changed };
  Kind kind = Kind::Config;
  std::string what;    // "Env PATH", "User", or a path
  std::string before;  // "" for Added
  std::string after;   // "" for Removed
  std::string explained_by;  // the rule ids that explain it, comma-separated; "" unexplained
  std::string because;       // why it is explained ("installed by the tini package")
};

std::vector<Difference> compare_config(const ImageConfig& before, const ImageConfig& after);
std::vector<Difference> compare_trees(const FileTree& before, const FileTree& after);

// A fix that was applied, and what the policy asked of it.
struct AppliedFix {
  std::string rule;  // rule id
  std::string detail;  // the finding's message
};

// What the policy says the fixed image must be (for the run-time checks and
// to explain differences precisely). Empty fields: not asked.
struct Expectations {
  std::string user_name;
  std::optional<std::int64_t> uid, gid;
  std::string tini;                 // path of tini
  std::vector<std::string> ports;   // "8000/tcp"
  std::string health_probe;         // with ${HEALTH_PORT} already substituted
  std::optional<int> health_port;   // a HEALTHCHECK that probes this port does what the policy asks
  // content_hash() of each file the fixes wrote into the build context (the
  // fixed Dockerfile, new files): an image that copies its context (COPY . .)
  // holds them, changed.
  std::vector<std::uint64_t> fixed_files;
};

// The hash FileEntry::hash holds for this content.
std::uint64_t content_hash(std::string_view content);

// Marks each difference explained (or not) by the applied fixes: each rule says
// what it may change (config fields, paths, files of the packages it installs or
// removes, as the two images' package databases tell). A difference no applied
// fix accounts for stays unexplained.
void explain(std::vector<Difference>& diffs, const std::vector<AppliedFix>& fixes, const Expectations& expect,
             const FileTree& before, const FileTree& after);

// Differences that appear between two builds of the very same Dockerfile
// (logs, caches stamped with the time): never reported.
bool is_build_noise(std::string_view path);

// ------------------------------------------------------------------ run-time checks

struct RunCheck {
  std::string name;      // "user", "pid1", "health"
  bool ok = false;
  bool skipped = false;  // could not be checked (the message says why)
  std::string expected;
  std::string actual;
  std::string message;
};

// `id` output -> "UID:GID" ("" when unreadable).
std::string parse_id_output(std::string_view id_output);
// /proc/1/cmdline (NUL-separated) -> its arguments.
std::vector<std::string> parse_cmdline(std::string_view raw);
// The checks of the user and PID 1 from what was read in the container.
RunCheck check_user(const Expectations& expect, std::string_view id_output);
RunCheck check_pid1(const Expectations& expect, std::string_view cmdline_raw);
// The fixed image's config against what the policy asks: "config-user",
// "config-entrypoint" (tini first), "config-ports", "config-healthcheck"; only
// those the policy asks for.
std::vector<RunCheck> check_config(const Expectations& expect, const ImageConfig& fixed);
// Whether a HEALTHCHECK test (its words joined) reaches ":PORT".
bool probes_port(const std::string& test, std::optional<int> port);
// The command that runs a HEALTHCHECK test inside the container (exec argv
// after the container name); empty for NONE or an unreadable test.
std::vector<std::string> health_exec_argv(const std::vector<std::string>& test);

// ------------------------------------------------------------------ the report

struct FileResult {
  enum class Status { Verified, Unexplained, FixedFailed, CannotVerify, Unchanged };
  std::string path;  // as shown
  Status status = Status::CannotVerify;
  std::string reason;    // for FixedFailed and CannotVerify: one line saying why
  std::string log;       // the build log's path ("" none)
  std::vector<AppliedFix> fixes;
  std::vector<Difference> differences;
  std::vector<RunCheck> run_checks;
  std::string original_image, fixed_image;  // the tags (kept with --keep)
};

std::string_view status_name(FileResult::Status status);

// Exit code: 1 when any file has an unexplained difference, a failed fixed
// build or a failed run-time check; else 2 when any could not be verified;
// else 0.
int exit_code(const std::vector<FileResult>& results);

std::string render_text(const std::vector<FileResult>& results, std::string_view builder, bool verbose);
std::string render_json(const std::vector<FileResult>& results, std::string_view builder);

}  // namespace dockmend::verify
