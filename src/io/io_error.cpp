#include "io/io_error.hpp"

#include <fmt/format.h>

#include <system_error>

namespace dockmend::io {

std::string errno_text(int error_number) {
  // std::generic_category().message is thread-safe where std::strerror is not.
  return std::generic_category().message(error_number);
}

IoError make_io_error(std::string_view action, std::string_view path, int error_number,
                      std::string_view detail) {
  std::string message = fmt::format("{} '{}'", action, path);
  if (!detail.empty()) message += fmt::format(": {}", detail);
  if (error_number != 0) message += fmt::format(": {}", errno_text(error_number));
  return IoError{std::move(message), std::string(path), error_number};
}

}  // namespace dockmend::io
