// The repository as rules see it: read-only, and never outside its root.
#pragma once
#include <filesystem>

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

 private:
  std::filesystem::path m_root;
};

}  // namespace dockmend::cli
