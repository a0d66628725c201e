// `dockmend inspect`: the image model of each Dockerfile, for people (text) and
// programs (JSON, docs/inspect.md).
#pragma once
#include <iosfwd>
#include <string>
#include <vector>

#include <boost/program_options/variables_map.hpp>
#include <filesystem>

#include "cli/cli.hpp"
#include "policy/policy.hpp"

namespace dockmend::cli {

// The command: PATHs (files, directories searched for Dockerfiles, - for standard
// input), read and shown; `root` is the policy's directory.
int run_inspect_command(const boost::program_options::variables_map& vm, const std::vector<std::string>& paths,
                        const policy::Policy& policy, const std::filesystem::path& root, Streams& streams);

struct InspectInput {
  std::string display;  // as the user named it
  std::string path;     // relative to the policy's root (for its services)
  std::string bytes;
};

// Prints each input's model; returns 2 when a file could not be read as a Dockerfile, else 0.
int run_inspect(const std::vector<InspectInput>& inputs, const policy::Policy& policy, bool json, std::ostream& out,
                std::ostream& err);

}  // namespace dockmend::cli
