#include "cli/policy_set.hpp"

#include <sys/stat.h>

#include <algorithm>

#include <fmt/format.h>

#include "cli/cli.hpp"
#include "io/gitignore.hpp"
#include "cli/suggest.hpp"
#include "io/read_file.hpp"
#include "policy/compose.hpp"
#include "policy/hadolint.hpp"

namespace dockmend::cli {

namespace fs = std::filesystem;

namespace {

constexpr std::uint64_t k_policy_max_bytes = 16 * 1024 * 1024;
constexpr const char* k_hadolint_names[] = {".hadolint.yaml", ".hadolint.yml"};

fs::path canonical_dir(const fs::path& p) {
  std::error_code ec;
  fs::path abs = fs::absolute(p, ec);
  fs::path c = fs::weakly_canonical(abs, ec);
  return ec ? abs.lexically_normal() : c;
}

bool exists_entry(const fs::path& p) {
  struct stat st {};
  return ::lstat(p.c_str(), &st) == 0;
}

bool is_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

// `inner` at or below `outer` (both canonical): the relative path, else nullopt.
std::optional<std::string> below(const fs::path& inner, const fs::path& outer) {
  const fs::path rel = inner.lexically_relative(outer);
  if (rel.empty()) return std::nullopt;
  const std::string s = rel.generic_string();
  if (s == ".") return std::string();
  if (s == ".." || s.rfind("../", 0) == 0) return std::nullopt;
  return s;
}

std::string read_policy_text(const fs::path& file) {
  auto read = io::read_file(file.string(), {k_policy_max_bytes});
  if (!read.ok()) throw PolicyError{read.error->message};
  return std::move(read.bytes);
}

std::string errors_text(const std::vector<policy::Error>& errors) {
  std::string msg;
  for (const auto& e : errors) msg += (msg.empty() ? "" : "\ndockmend: error: ") + e.to_string();
  return msg;
}

// Rule ids named in the policy must exist.
void check_rule_ids(const policy::Policy& p, const std::string& shown) {
  for (const auto& m : p.rule_ids)
    if (!transforms::find_rule(m.id))
      throw PolicyError{
          fmt::format("{}:{}:{}: unknown rule '{}'{} (see dockmend rules)", shown, m.mark.line, m.mark.col, m.id,
                      did_you_mean(m.id, rule_names()))};
  // An option only for a rule that takes it (`registries` is trusted-registries').
  auto check_options = [&](const std::vector<policy::RuleSetting>& rules) {
    for (const auto& r : rules) {
      const auto* rule = transforms::find_rule(r.id);
      for (const auto& o : r.options) {
        bool takes = false;
        for (std::string_view a = rule ? rule->options : std::string_view(); !a.empty();) {
          const auto comma = a.find(',');
          std::string_view item = a.substr(0, comma);
          while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
          takes = takes || item == o.key;
          if (comma == std::string_view::npos) break;
          a.remove_prefix(comma + 1);
        }
        if (!takes)
          throw PolicyError{fmt::format("{}:{}:{}: rule '{}' takes no option '{}'{}", shown, o.mark.line, o.mark.col,
                                        r.id, o.key,
                                        rule && !rule->options.empty()
                                            ? fmt::format(" (it takes: {})", rule->options)
                                            : std::string(" (only severity)"))};
      }
    }
  };
  check_options(p.rules);
  for (const auto& s : p.services) check_options(s.rules);
}

}  // namespace

fs::path repository_root(const fs::path& start) {
  const fs::path dir = canonical_dir(start);
  for (fs::path d = dir;; d = d.parent_path()) {
    if (exists_entry(d / ".git")) return d;
    if (d.parent_path() == d || d.parent_path().empty()) break;
  }
  if (auto file = policy::find_policy_file(dir)) return canonical_dir(file->parent_path());
  // Outside a repository and a project: the current directory when what is
  // searched is inside it (paths are shown as they were named), else the
  // directory searched.
  std::error_code ec;
  const fs::path cwd = canonical_dir(fs::current_path(ec));
  if (!ec && below(dir, cwd)) return cwd;
  return dir;
}

PolicySet::PolicySet(fs::path root, Options options) : m_root(std::move(root)), m_options(std::move(options)) {
  if (m_options.none) {
    m_single = &keep(policy::Policy{}, "", false);
  } else if (m_options.file) {
    std::error_code ec;
    if (!fs::exists(*m_options.file, ec))
      throw PolicyError{fmt::format("{}: policy file not found", m_options.file->string())};
    std::vector<std::string> chain;
    policy::Policy p = load_file(*m_options.file, chain);
    m_single = &keep(std::move(p), m_options.file->string(), true);
  }
}

std::string PolicySet::anchor_of(const fs::path& policy_file) const {
  return below(canonical_dir(policy_file.parent_path()), m_root).value_or("");
}

policy::Policy PolicySet::load_file(const fs::path& file, std::vector<std::string>& chain) {
  const std::string canon = canonical_dir(file).string();
  if (std::find(chain.begin(), chain.end(), canon) != chain.end())
    throw PolicyError{fmt::format("{}: extends itself (through {})", file.string(), fmt::join(chain, " -> "))};
  const std::string shown = file.string();
  policy::PolicyResult res = [&] {
    const std::string text = read_policy_text(file);
    const std::string name = file.filename().string();
    if (name == k_hadolint_names[0] || name == k_hadolint_names[1]) {
      auto conv = policy::from_hadolint(text, shown, [](std::string_view code) -> std::optional<std::string> {
        if (const auto* r = transforms::find_rule(code)) return std::string(r->id);
        return std::nullopt;
      });
      if (!conv.errors.empty()) return policy::PolicyResult(std::move(conv.errors));
      return policy::load_policy(conv.yaml, shown);
    }
    // A compose file beside the policy supplies services' build context and
    // Dockerfile (policy::load_policy).
    for (std::string_view compose : policy::k_compose_file_names) {
      const fs::path c = file.parent_path() / std::string(compose);
      if (!is_file(c)) continue;
      policy::ComposeText ct{read_policy_text(c), c.string()};
      return policy::load_policy(text, shown, &ct);
    }
    return policy::load_policy(text, shown);
  }();
  if (!res.ok()) throw PolicyError{errors_text(res.errors())};
  policy::Policy p = std::move(res).policy();
  check_rule_ids(p, shown);
  policy::rebase(p, anchor_of(file));
  if (p.extends.empty()) return p;
  chain.push_back(canon);
  std::optional<policy::Policy> parents;
  for (const auto& link : p.extends) {
    fs::path target(link.path);
    if (target.is_relative()) target = file.parent_path() / target;
    if (!is_file(target))
      throw PolicyError{fmt::format("{}:{}:{}: extends: '{}' is not a policy file", shown, link.mark.line,
                                    link.mark.col, link.path)};
    policy::Policy parent = load_file(target, chain);
    parents = parents ? policy::inherit(std::move(parent), *parents) : std::move(parent);
  }
  chain.pop_back();
  return policy::inherit(std::move(p), *parents);
}

const GoverningPolicy& PolicySet::keep(policy::Policy p, std::string source, bool from_file) {
  if (!from_file) {
    auto res = policy::load_policy(default_policy_yaml(), "<built-in default policy>");
    if (!res.ok()) throw PolicyError{"built-in default policy: " + res.errors().front().to_string()};
    p = std::move(res).policy();
  }
  GoverningPolicy& g = m_loaded.emplace_back();
  g.policy = std::move(p);
  g.source = std::move(source);
  g.from_file = from_file;
  g.cfg.policy = &g.policy;
  g.cfg.files = m_options.files;
  g.cfg.selection = m_options.selection;
  g.cfg.collect_correct = m_options.collect_correct;
  g.cfg.unsafe_fixes = m_options.unsafe_fixes || g.policy.unsafe_fixes;
  transforms::prepare(g.cfg);
  return g;
}

// The policy found in `dir` itself (relative to the root), or for the root,
// the nearest one above the repository, a hadolint configuration or the
// built-in default; nullptr: look in the parent directory.
const GoverningPolicy* PolicySet::load_top(const std::string& dir) {
  const fs::path abs = dir.empty() ? m_root : m_root / dir;
  auto from = [&](const fs::path& file) -> const GoverningPolicy* {
    const std::string canon = canonical_dir(file).string();
    if (auto it = m_by_file.find(canon); it != m_by_file.end()) return it->second;
    std::vector<std::string> chain;
    policy::Policy p = load_file(file, chain);
    const GoverningPolicy* g = &keep(std::move(p), file.string(), true);
    m_by_file.emplace(canon, g);
    return g;
  };
  const fs::path here = abs / policy::k_policy_file_name;
  if (is_file(here)) return from(here);
  if (!dir.empty()) return nullptr;
  if (auto above = policy::find_policy_file(m_root.parent_path()); above && m_root.has_relative_path())
    return from(*above);
  std::error_code ec;
  for (const fs::path& d : {m_root, fs::current_path(ec)})
    for (const char* name : k_hadolint_names)
      if (is_file(d / name)) return from(d / name);
  return &keep(policy::Policy{}, "", false);
}

const GoverningPolicy& PolicySet::for_dir(const std::string& dir_in) {
  if (m_single) return *m_single;
  std::string dir = dir_in == "." || dir_in == ".." || dir_in.rfind("../", 0) == 0 ? std::string() : dir_in;
  std::vector<std::string> visited;
  const GoverningPolicy* found = nullptr;
  for (;;) {
    if (auto it = m_by_dir.find(dir); it != m_by_dir.end()) {
      found = it->second;
      break;
    }
    visited.push_back(dir);
    if ((found = load_top(dir))) break;
    const auto slash = dir.rfind('/');
    dir = slash == std::string::npos ? std::string() : dir.substr(0, slash);
  }
  for (const auto& d : visited) m_by_dir.emplace(d, found);
  return *found;
}

bool policy_excludes(const policy::Policy& policy, std::string_view path) {
  for (const auto& g : policy.exclude) {
    std::string_view sub = path;
    if (!g.base.empty()) {
      if (sub.size() <= g.base.size() || sub.compare(0, g.base.size(), g.base) != 0 || sub[g.base.size()] != '/')
        continue;
      sub.remove_prefix(g.base.size() + 1);
    }
    std::string_view glob = g.glob;
    while (glob.rfind("./", 0) == 0) glob.remove_prefix(2);
    const bool dir_only = !glob.empty() && glob.back() == '/';
    if (dir_only) glob.remove_suffix(1);
    if (glob.empty()) continue;
    // Each parent directory of the file, then the file itself.
    for (std::size_t end = sub.find('/');; end = sub.find('/', end + 1)) {
      const bool is_dir = end != std::string_view::npos;
      const std::string_view prefix = sub.substr(0, is_dir ? end : sub.size());
      const auto slash = prefix.rfind('/');
      const std::string_view base = slash == std::string_view::npos ? prefix : prefix.substr(slash + 1);
      if ((is_dir || !dir_only) && (io::wildmatch(glob, prefix) || io::wildmatch(glob, base))) return true;
      if (!is_dir) break;
    }
  }
  return false;
}

}  // namespace dockmend::cli
