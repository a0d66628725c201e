// Python packaging in a Dockerfile's RUN steps: the package installs (pip, pip3,
// python -m pip, uv pip, pip wheel), the requirement files they read and whether
// hashes are demanded, the requirement files the build itself writes (poetry
// export, pip-compile, uv export, uv pip compile, pdm export) and whether those
// carry hashes, and the virtualenvs made (venv, virtualenv, uv venv, poetry).
//
// What the tools do, as relied on here:
//  - pip demands hashes with --require-hashes, with PIP_REQUIRE_HASHES set to a
//    true value, or with a `--require-hashes` line inside a requirement file; any
//    `--hash` in a file also turns hash checking on for that install.
//  - `poetry export` writes hashes unless --without-hashes; `uv export` unless
//    --no-hashes; `pdm export` unless --no-hashes; `pip-compile` and
//    `uv pip compile` only with --generate-hashes. Their output goes to -o /
//    --output / --output-file, else to stdout (a `>` redirect); pip-compile
//    without -o writes requirements.txt beside its input (requirements.in).
//  - `poetry install` makes a virtualenv unless virtualenvs.create is false
//    (POETRY_VIRTUALENVS_CREATE=false, or `poetry config virtualenvs.create false`).
//  - `uv venv` without a path makes .venv.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/accounts.hpp"  // CommandAt
#include "shell/shell.hpp"

namespace dockmend::model {

// One requirement of a requirements file.
struct RequirementLine {
  std::string name;        // as written up to the first blank or ';'
  std::uint32_t line = 0;  // 1-based, the first line of a continued requirement
  bool hashed = false;     // carries --hash=
};

struct RequirementsText {
  std::vector<RequirementLine> requirements;
  bool require_hashes = false;                // a `--require-hashes` line
  std::vector<std::string> included;          // -r / -c files it names, as written
  std::size_t unhashed() const;
};
RequirementsText read_requirements(std::string_view text);

enum class Installer {
  Pip,          // pip / pip3 / pip3.11 / python -m pip ... install
  UvPip,        // uv pip install / uv pip sync
  PipWheel,     // pip wheel (builds wheels for a later --no-index install)
  PipDownload,  // pip download
};

struct PipInstall {
  CommandAt at;
  Installer installer = Installer::Pip;
  std::vector<shell::OptionMatch> requirement_files;  // -r / --requirement (uv pip sync: its operands)
  std::vector<shell::OptionMatch> constraint_files;   // -c / --constraint
  std::vector<std::size_t> packages;                  // operand words (package specs, wheels, paths)
  bool require_hashes_flag = false;                   // --require-hashes
  bool require_hashes_env = false;                    // PIP_REQUIRE_HASHES=1 written on the command
  bool no_index = false;                              // --no-index
  std::vector<std::string> find_links;                // -f / --find-links
  std::optional<std::string> prefix;                  // --prefix
  std::optional<std::string> target;                  // -t / --target
  std::optional<std::string> wheel_dir;               // pip wheel -w / --wheel-dir
  bool user = false;                                  // --user
  bool system = false;                                // uv pip --system
};

enum class GeneratorTool { PoetryExport, PipCompile, UvExport, UvPipCompile, PdmExport };
const char* generator_tool_name(GeneratorTool tool);

// A requirements file written during the build.
struct RequirementsGenerator {
  CommandAt at;
  GeneratorTool tool = GeneratorTool::PoetryExport;
  std::string output;     // the image path as written ("" when not known)
  bool hashes = false;    // whether what it writes carries --hash lines
  std::optional<shell::OptionMatch> without_hashes;  // --without-hashes / --no-hashes (remove it to get hashes)
};

enum class VenvTool { Venv, Virtualenv, UvVenv, Poetry };
const char* venv_tool_name(VenvTool tool);

struct VenvCreation {
  CommandAt at;
  VenvTool tool = VenvTool::Venv;
  std::string path;  // as written; "" when the tool picks (poetry)
};

struct PythonFacts {
  std::vector<PipInstall> installs;
  std::vector<RequirementsGenerator> generators;
  std::vector<VenvCreation> venvs;
  // `pip install virtualenv` / `pip install uv` for a `uv venv`: installs that only serve a venv.
  std::vector<CommandAt> venv_tool_installs;

  // The generator that writes `image_path` (equal as written, or a relative path
  // that ends the other, absolute one), the last one before `before` in build order.
  const RequirementsGenerator* generator_for(std::string_view image_path, CommandAt before) const;
};

// Reads the python packaging commands of `scripts` (in build order).
// `poetry_creates_venv`: false when the stage sets POETRY_VIRTUALENVS_CREATE=false.
PythonFacts read_python(const std::vector<const shell::Script*>& scripts, bool poetry_creates_venv = true);

// Whether a PIP_* style value is true ("1", "true", "yes", "on").
bool truthy(std::string_view value);

}  // namespace dockmend::model
