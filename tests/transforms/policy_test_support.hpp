// Runs the policy rules in-process: a policy written as YAML, Dockerfiles and
// other repository files held in memory, the engine's fix rounds.
#pragma once
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "policy/policy.hpp"
#include "syntax/tree.hpp"
#include "transforms/engine.hpp"

namespace dockmend::test {

// A repository in memory (root-relative paths).
class MemFiles final : public transforms::FileView {
 public:
  MemFiles() = default;
  MemFiles(std::initializer_list<std::pair<const std::string, std::string>> files) : m_files(files) {}
  void put(const std::string& path, std::string content) { m_files[path] = std::move(content); }
  std::optional<std::string> read(std::string_view path) const override {
    auto it = m_files.find(std::string(path));
    if (it == m_files.end()) return std::nullopt;
    return it->second;
  }
  bool exists(std::string_view path) const override {
    const std::string p(path);
    if (m_files.count(p)) return true;
    for (const auto& [k, v] : m_files)
      if (k.rfind(p + "/", 0) == 0) return true;
    return false;
  }
  std::vector<std::string> list(std::string_view dir) const override {
    std::vector<std::string> out;
    const std::string prefix = dir.empty() ? std::string() : std::string(dir) + "/";
    for (const auto& [k, v] : m_files)
      if (k.rfind(prefix, 0) == 0) out.push_back(k);
    return out;
  }

 private:
  std::map<std::string, std::string> m_files;
};

inline policy::Policy load(const std::string& yaml) {
  auto r = policy::load_policy(yaml, "dockmend.yaml");
  if (!r.ok()) {
    std::string msg;
    for (const auto& e : r.errors()) msg += e.to_string() + "\n";
    ADD_FAILURE() << "policy does not load:\n" << msg;
    return {};
  }
  return std::move(r).policy();
}

struct PolicyRun {
  transforms::FileReport report;
  std::vector<const transforms::Finding*> of(const std::string& rule) const {
    std::vector<const transforms::Finding*> out;
    for (const auto& f : report.findings)
      if (f.rule == rule) out.push_back(&f);
    return out;
  }
  bool applicable(const std::string& rule) const {
    for (const auto& r : report.rules)
      if (r.rule->id == rule) return r.applicable;
    return false;
  }
  std::vector<std::string> correct(const std::string& rule) const {
    for (const auto& r : report.rules)
      if (r.rule->id == rule) return r.correct;
    return {};
  }
  const std::string& fixed() const { return report.fixed; }
};

// Runs `rules` (all when empty) of `policy` on the Dockerfile at `path`, fixing,
// and checks what every fix must give: a file buildkit reads, and a second run
// that finds nothing to change.
inline PolicyRun run_policy(const policy::Policy& pol, const std::string& path, const std::string& text,
                            const transforms::FileView& files, const std::vector<std::string>& rules = {}) {
  transforms::EngineConfig cfg;
  cfg.policy = &pol;
  cfg.files = &files;
  cfg.selection.select = rules;
  PolicyRun r{transforms::process_file(path, text, cfg, true)};
  const auto tree = syntax::parse(r.report.fixed);
  EXPECT_TRUE(tree.buildkit_ok()) << "the fix does not parse:\n" << r.report.fixed;
  EXPECT_EQ(syntax::print(tree), r.report.fixed);
  const auto again = transforms::process_file(path, r.report.fixed, cfg, true);
  EXPECT_EQ(again.fixed, r.report.fixed) << "not idempotent";
  for (const auto& f : again.findings)
    EXPECT_FALSE(f.fix && !f.fix->edits.empty()) << "after the fix, " << f.rule << " still edits: " << f.message;
  return r;
}

}  // namespace dockmend::test
