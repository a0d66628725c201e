// `dockmend verify`: builds each Dockerfile that `fix` would change, before and
// after its fixes, with a real image builder and compares the two images.
#pragma once
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "cli/cli.hpp"

namespace dockmend::cli {

const char* verify_usage();
const char* verify_about();
void add_verify_options(boost::program_options::options_description& d);
int run_verify(const boost::program_options::variables_map& vm, const std::vector<std::string>& paths, Streams& st);

}  // namespace dockmend::cli
