// The repository as rules see it: read-only, and never outside its root.
#pragma once
#include <filesystem>
#include <mutex>
#include <vector>

#include "io/io_error.hpp"
#include "transforms/rule.hpp"

namespace dockmend::cli {

class RepoView final : public transforms::FileView {
 public:
  explicit RepoView(std::filesystem::path root);
  std::optional<std::string> read(std::string_view path) const override;
  bool exists(std::string_view path) const override;
  std::vector<std::string> list(std::string_view dir) const override;
  // The absolute path of a root-relative path, or nullopt when it would leave the root
  // (`..`, an absolute path, or a symlink whose target is outside).
  std::optional<std::filesystem::path> locate(std::string_view path) const;
  const std::filesystem::path& root() const { return m_root; }
  // The reads that failed for a reason other than the file being absent
  // (permissions, a directory or FIFO in its place, over the size limit), in
  // the order they happened, each once: the rules took those files as
  // missing, which the CLI reports. Their messages name the root-relative path.
  std::vector<io::IoError> read_errors() const;

 private:
  std::filesystem::path m_root;
  mutable std::mutex m_mutex;  // read() runs on the worker threads
  mutable std::vector<io::IoError> m_read_errors;
};

}  // namespace dockmend::cli
