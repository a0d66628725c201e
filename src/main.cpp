#include "cli/cli.hpp"

int main(int argc, char** argv) { return dockmend::cli::run(argc, argv); }
