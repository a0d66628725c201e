// Every real Dockerfile of the corpus, fixed with a policy that turns every
// policy rule on (each file is the one service of its own repository): the
// result parses and prints back, a second run changes nothing and has no
// edits left, and no comment line of the input is lost unless it was inside
// (or attached to) an instruction that a pass removed whole.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>

#include "../test_support.hpp"
#include "syntax/tree.hpp"
#include "transforms/engine.hpp"
#include "transforms/rule.hpp"

namespace fs = std::filesystem;
using namespace dockmend;

namespace {

const char* const k_policy = R"(version: 1
defaults:
  base_image: {registry: docker.io/library}
  stages: [builder, runtime]
  user: {name: appuser, uid: 10001, gid: 10001}
  init: {tini: /usr/bin/tini}
  pip: {require_hashes: true}
  venv: {allowed: false}
  machine: {arg: MACHINE, default: mainpc, profiles: config/machine-profiles, profile_source: profiles}
  env: {TORCH_CUDA_ARCH_LIST: "8.9;8.6"}
  health:
    path: /health
    body: {status: ok}
    probe: curl -fsS http://localhost:${HEALTH_PORT}/health || exit 1
services:
  svc:
    dockerfile: Dockerfile
    ports: [8080, "9090/udp"]
    health_port: 8081
)";

// The same sections in other shapes, for a Dockerfile no service names: only the
// rules that need no service values run, with a user known by its ids only.
const char* const k_policy_unnamed = R"(version: 1
defaults:
  base_image: {families: [python, node, ubuntu, debian, alpine]}
  user: {uid: 1000, gid: 1000}
  init: {tini: /sbin/tini}
  pip: {require_hashes: true}
  venv: {allowed: false}
  machine: {arg: HW, profiles: profiles}
  env: {TORCH_CUDA_ARCH_LIST: "8.0", CUDA_MODULE_LOADING: LAZY}
  health: {path: /healthz}
services:
  other: {dockerfile: elsewhere/Dockerfile, ports: [1]}
)";

// The case's directory on disk, plus the profiles the policy copies from.
class CaseFiles final : public transforms::FileView {
 public:
  explicit CaseFiles(fs::path dir) : m_dir(std::move(dir)) {}
  std::optional<std::string> read(std::string_view path) const override {
    if (path == "profiles/mainpc.yaml") return std::string("gpu: rtx4090\n");
    if (path.find("..") != std::string_view::npos) return std::nullopt;
    const auto p = m_dir / std::string(path);
    if (!fs::is_regular_file(p)) return std::nullopt;
    return test::read_bytes(p);
  }
  bool exists(std::string_view path) const override {
    if (path == "profiles/mainpc.yaml" || path == "profiles") return true;
    if (path.find("..") != std::string_view::npos) return false;
    return fs::exists(m_dir / std::string(path));
  }
  std::vector<std::string> list(std::string_view dir) const override {
    if (dir == "profiles") return {"profiles/mainpc.yaml"};
    std::vector<std::string> out;
    const auto base = dir.empty() ? m_dir : m_dir / std::string(dir);
    if (!fs::is_directory(base)) return out;
    for (auto& e : fs::recursive_directory_iterator(base))
      if (e.is_regular_file()) out.push_back(e.path().lexically_relative(m_dir).generic_string());
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  fs::path m_dir;
};

std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> out;
  std::size_t b = 0;
  while (b < s.size()) {
    auto e = s.find('\n', b);
    if (e == std::string::npos) e = s.size();
    std::string l = s.substr(b, e - b);
    if (!l.empty() && l.back() == '\r') l.pop_back();
    out.push_back(std::move(l));
    b = e + 1;
  }
  return out;
}

// Which lines of `a` survive in `b` (a longest common subsequence of lines).
std::vector<bool> kept_lines(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<std::uint32_t>> L(n + 1, std::vector<std::uint32_t>(m + 1, 0));
  for (std::size_t i = n; i-- > 0;)
    for (std::size_t j = m; j-- > 0;)
      L[i][j] = a[i] == b[j] ? L[i + 1][j + 1] + 1 : std::max(L[i + 1][j], L[i][j + 1]);
  std::vector<bool> kept(n, false);
  for (std::size_t i = 0, j = 0; i < n && j < m;) {
    if (a[i] == b[j]) {
      kept[i] = true;
      ++i;
      ++j;
    } else if (L[i + 1][j] >= L[i][j + 1]) {
      ++i;
    } else {
      ++j;
    }
  }
  return kept;
}

std::vector<fs::path> dockerfiles(const fs::path& root) {
  std::vector<fs::path> out;
  for (auto& e : fs::recursive_directory_iterator(root)) {
    if (!e.is_directory() || !fs::exists(e.path() / "result")) continue;
    for (auto& f : fs::directory_iterator(e.path())) {
      const auto name = f.path().filename().string();
      if (f.is_regular_file() && name != "result" && name != "error") {
        out.push_back(f.path());
        break;
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

class PolicyCorpus : public ::testing::TestWithParam<const char*> {};

TEST_P(PolicyCorpus, FixesParseAreIdempotentAndKeepComments) {
  DOCKMEND_REQUIRE_CORPUS(corpus);
  const auto files = dockerfiles(corpus / "real");
  ASSERT_GE(files.size(), 1000u);
  auto loaded = policy::load_policy(GetParam(), "dockmend.yaml");
  ASSERT_TRUE(loaded.ok()) << loaded.errors().front().to_string();
  policy::Policy pol = std::move(loaded).policy();
  std::size_t changed = 0, findings = 0, failures = 0;
  std::map<std::string, std::size_t> by_rule;
  for (const auto& path : files) {
    // Each file is the Dockerfile of its own one-service repository.
    if (pol.services[0].name == "svc") pol.services[0].dockerfile = path.filename().generic_string();
    const CaseFiles view(path.parent_path());
    transforms::EngineConfig cfg;
    cfg.policy = &pol;
    cfg.files = &view;
    for (const auto* r : transforms::policy_rules()) cfg.selection.select.emplace_back(r->id);
    const std::string bytes = test::read_bytes(path);
    const auto rep = transforms::process_file(path.filename().generic_string(), bytes, cfg, true);
    ASSERT_FALSE(rep.error) << path;
    findings += rep.findings.size();
    for (const auto& f : rep.findings) ++by_rule[f.rule];
    if (!rep.changed()) continue;
    ++changed;
    const auto fixed = syntax::parse(rep.fixed);
    const bool ok = fixed.buildkit_ok() && syntax::print(fixed) == rep.fixed;
    if (!ok) {
      ADD_FAILURE() << path << ": the fix does not parse: " << (fixed.first_error() ? fixed.first_error()->message : "");
      ++failures;
    }
    for (const auto& n : rep.notes) ADD_FAILURE() << path << ": " << n;
    const auto again = transforms::process_file(path.filename().generic_string(), rep.fixed, cfg, true);
    if (again.fixed != rep.fixed) {
      ADD_FAILURE() << path << ": a second run changes the file again";
      ++failures;
    }
    for (const auto& f : again.findings)
      if (f.fix && !f.fix->edits.empty()) {
        ADD_FAILURE() << path << ": after the fix, " << f.rule << " still has edits: " << f.message;
        ++failures;
      }

    // Comment lines: lost only with an instruction removed whole.
    const auto before = syntax::parse(bytes, {false});
    const auto a = split_lines(bytes);
    const auto kept = kept_lines(a, split_lines(rep.fixed));
    std::vector<bool> may_go(a.size(), false);
    for (const auto& inst : before.instructions) {
      bool gone = true;
      for (auto l = inst.first_line; l <= inst.last_line && l < a.size(); ++l) gone = gone && !kept[l];
      if (!gone) continue;
      const auto first = inst.comments.empty() ? inst.first_line : inst.comments.front();
      for (auto l = first; l <= inst.last_line && l < a.size(); ++l) may_go[l] = true;
    }
    for (std::size_t l = 0; l < before.lines.size() && l < a.size(); ++l) {
      const auto role = before.lines[l].role;
      if ((role == syntax::LineRole::Comment || role == syntax::LineRole::ContinuationComment) && !kept[l] && !may_go[l]) {
        ADD_FAILURE() << path << ":" << l + 1 << ": comment line lost: " << a[l];
        ++failures;
      }
    }
    if (failures > 20) FAIL() << "stopping after 20 failures";
  }
  std::string summary;
  for (const auto& [r, c] : by_rule) summary += " " + r + "=" + std::to_string(c);
  std::cout << files.size() << " files, " << changed << " changed, " << findings << " findings:" << summary << "\n";
  EXPECT_GT(changed, files.size() / 2);
}

INSTANTIATE_TEST_SUITE_P(Policies, PolicyCorpus, ::testing::Values(k_policy, k_policy_unnamed),
                         [](const ::testing::TestParamInfo<const char*>& i) {
                           return std::string(i.index == 0 ? "OneServicePerFile" : "NoServiceNamesTheFile");
                         });
