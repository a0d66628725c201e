// Fuzz target: the whole fix pipeline with the example policy (examples/phase4,
// every built-in rule switched on as well) on any bytes. It never crashes; a
// file buildkit rejects is left as it is; otherwise the fixed text parses,
// prints back, is still accepted by buildkit, and fixing it again changes
// nothing. The reports made from the result are valid JSON.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "policy/policy.hpp"
#include "report/audit.hpp"
#include "syntax/tree.hpp"
#include "transforms/engine.hpp"

using namespace dockmend;
namespace fs = std::filesystem;

namespace {

// The example repository, read once into memory so every run sees the same files
// and rules that read the repository (requirements, profiles) are exercised.
class MemoryView final : public transforms::FileView {
 public:
  explicit MemoryView(const fs::path& root) {
    std::error_code ec;
    for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
      if (!it->is_regular_file(ec)) continue;
      std::ifstream in(it->path(), std::ios::binary);
      std::ostringstream ss;
      ss << in.rdbuf();
      m_files[it->path().lexically_relative(root).generic_string()] = ss.str();
    }
  }
  std::optional<std::string> read(std::string_view path) const override {
    auto it = m_files.find(std::string(path));
    if (it == m_files.end()) return std::nullopt;
    return it->second;
  }
  bool exists(std::string_view path) const override {
    const std::string p(path);
    auto it = m_files.lower_bound(p);
    return it != m_files.end() && (it->first == p || it->first.rfind(p + "/", 0) == 0);
  }
  std::vector<std::string> list(std::string_view dir) const override {
    std::vector<std::string> out;
    const std::string prefix = dir.empty() ? std::string() : std::string(dir) + "/";
    for (auto it = m_files.lower_bound(prefix); it != m_files.end() && it->first.rfind(prefix, 0) == 0; ++it)
      out.push_back(it->first);
    return out;
  }

 private:
  std::map<std::string, std::string> m_files;
};

struct Setup {
  policy::Policy policy;
  std::unique_ptr<MemoryView> view;
  std::vector<std::string> paths;  // the services' Dockerfiles, and one no service names
};

const Setup& setup() {
  static const Setup s = [] {
    Setup s;
    const fs::path root = fs::path(DOCKMEND_SOURCE_DIR) / "examples" / "phase4";
    auto res = policy::load_policy_file(root / "dockmend.yaml");
    if (!res.ok()) fuzz::fail("the example policy does not load", res.errors().front().to_string());
    s.policy = std::move(res).policy();
    // Policy rules and built-in rules alike.
    s.policy.extends_default = true;
    s.view = std::make_unique<MemoryView>(root);
    for (const auto& svc : s.policy.services) s.paths.push_back(svc.dockerfile);
    s.paths.push_back("tools/Dockerfile");
    return s;
  }();
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Setup& s = setup();
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  // The first byte picks whose Dockerfile this is, so every service's settings get fuzzed.
  const std::string& path = s.paths[size ? data[0] % s.paths.size() : 0];
  transforms::EngineConfig cfg;
  cfg.policy = &s.policy;
  cfg.files = s.view.get();

  const transforms::FileReport rep = transforms::process_file(path, bytes, cfg, true);
  fuzz::require(rep.original == bytes, "the report's original is not the input");
  if (rep.error || rep.ignored) {
    fuzz::require(rep.fixed == bytes, "a rejected or ignored file was changed");
    return 0;
  }
  for (const auto& f : rep.findings) {
    fuzz::require(f.line >= 1 && f.column >= 1 && f.at.begin <= f.at.end && f.at.end <= size,
                  "finding outside the file", f.rule);
  }
  const syntax::Tree fixed = syntax::parse(rep.fixed);
  fuzz::require(syntax::print(fixed) == rep.fixed, "the fixed text does not print back");
  if (const auto* e = fixed.first_error()) {
    fuzz::fail("a fix made buildkit reject the file: " + e->message, fuzz::changed_lines(bytes, rep.fixed));
  }
  const transforms::FileReport again = transforms::process_file(path, rep.fixed, cfg, true);
  if (again.fixed != rep.fixed) {
    std::string rules;
    for (const auto& f : again.findings)
      if (f.fix) rules += f.rule + " ";
    fuzz::fail("fixing twice changes the file again (rules with fixes: " + rules + ")",
               fuzz::changed_lines(rep.fixed, again.fixed));
  }

  // The reports of this file are valid JSON, whatever bytes it holds.
  report::AuditInput in;
  in.policy = &s.policy;
  in.tool_version = "fuzz";
  in.files.push_back(&rep);
  fuzz::require_json(report::render(in, report::Format::Json), "audit JSON");
  fuzz::require_json(report::sarif(in), "SARIF");
  (void)report::render(in, report::Format::Markdown);
  return 0;
}
