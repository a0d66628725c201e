#include "cli/repo_view.hpp"

#include <algorithm>
#include <cerrno>

#include "io/read_file.hpp"

namespace dockmend::cli {

namespace fs = std::filesystem;

RepoView::RepoView(fs::path root) {
  std::error_code ec;
  m_root = fs::weakly_canonical(fs::absolute(root), ec);
  if (ec) m_root = fs::absolute(root);
}

namespace {
bool within(const fs::path& root, const fs::path& p) {
  auto r = p.lexically_relative(root);
  if (r.empty()) return false;
  auto first = *r.begin();
  return first != ".." && !r.is_absolute();
}
}  // namespace

std::optional<fs::path> RepoView::locate(std::string_view path) const {
  fs::path rel(std::string{path});
  if (rel.is_absolute()) return std::nullopt;
  fs::path joined = (m_root / rel).lexically_normal();
  if (joined != m_root && !within(m_root, joined)) return std::nullopt;
  // Resolve the links in whatever part exists: neither a link to a file outside nor
  // a linked parent directory of a file still to be created may lead out of the root.
  std::error_code ec;
  fs::path real = fs::weakly_canonical(joined, ec);
  if (ec || (real != m_root && !within(m_root, real))) return std::nullopt;
  return joined;
}

std::optional<std::string> RepoView::read(std::string_view path) const {
  auto p = locate(path);
  if (!p) return std::nullopt;
  // io::read_file's checks and limits; no stamp: rules never write back.
  io::ReadOptions options;
  options.stamp = false;
  auto r = io::read_file(p->string(), options);
  if (!r.ok()) {
    const int e = r.error->error_number;
    if (e != ENOENT && e != ENOTDIR) {
      io::IoError err = *r.error;
      const std::string shown(path);
      if (const auto at = err.message.find(p->string()); at != std::string::npos)
        err.message.replace(at, p->string().size(), shown);
      err.path = shown;
      const std::lock_guard<std::mutex> lock(m_mutex);
      const bool seen = std::any_of(m_read_errors.begin(), m_read_errors.end(),
                                    [&](const io::IoError& x) { return x.path == err.path; });
      if (!seen) m_read_errors.push_back(std::move(err));
    }
    return std::nullopt;
  }
  return std::move(r.bytes);
}

std::vector<io::IoError> RepoView::read_errors() const {
  const std::lock_guard<std::mutex> lock(m_mutex);
  return m_read_errors;
}

bool RepoView::exists(std::string_view path) const {
  auto p = locate(path);
  std::error_code ec;
  return p && fs::exists(*p, ec);
}

std::vector<std::string> RepoView::list(std::string_view dir) const {
  std::vector<std::string> out;
  auto p = locate(dir);
  std::error_code ec;
  if (!p || !fs::is_directory(*p, ec)) return out;
  for (auto it = fs::recursive_directory_iterator(*p, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const auto name = it->path().filename().string();
    if (it->is_directory(ec) && (name == ".git" || name == "node_modules" || name == "__pycache__")) {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_symlink(ec)) continue;
    if (it->is_regular_file(ec)) out.push_back(it->path().lexically_relative(m_root).generic_string());
    if (out.size() > 100000) break;
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace dockmend::cli
