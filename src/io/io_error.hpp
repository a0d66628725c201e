#pragma once
// Errors as values for the io module: nothing here prints or exits.

#include <string>
#include <string_view>

namespace dockmend::io {

struct IoError {
  std::string message;    // complete and ready to show: "cannot read 'x': Permission denied"
  std::string path;       // the path as the caller spelled it
  int error_number = 0;   // errno of the failing call, or 0 when the OS did not fail
};

// Builds "<action> '<path>': <detail>: <strerror(error_number)>", leaving out the
// parts that are empty / zero.
IoError make_io_error(std::string_view action, std::string_view path, int error_number,
                      std::string_view detail = {});

// Thread-safe strerror.
std::string errno_text(int error_number);

}  // namespace dockmend::io
