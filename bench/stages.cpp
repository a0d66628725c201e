// Throughput of each stage of dockmend over every file of the corpus, loaded into
// memory once so that only our code is timed: parse+print, the buildkit dump,
// every pass with the example policy (and each rule on its own), and diff
// rendering, next to a memchr newline count over the same bytes, the ceiling
// that any reader of these bytes is measured against. Rules come from the
// registry, so every rule is measured as soon as it is registered: under the
// example policy where it is on there, else under the built-in default policy.
// scripts/bench runs it on one core and prints the summary table it ends with.
//
//   bench_stages [--corpus DIR] [--policy FILE] [google benchmark flags]
//   (defaults: $DOCKMEND_CORPUS or ../shared/corpus, examples/phase4/dockmend.yaml)
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <new>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/cli.hpp"
#include "diff/unified_diff.hpp"
#include "policy/policy.hpp"
#include "syntax/dump.hpp"
#include "syntax/tree.hpp"
#include "transforms/engine.hpp"

// ---------------------------------------------------------------- heap accounting
// Only for the "memory per file" figure: counts live heap bytes while `g_track`
// is set (the timed stages run with it off, so they pay one predictable branch).
namespace {
bool g_track = false;
long long g_live = 0;
long long g_peak = 0;

void* counted_alloc(std::size_t n) {
  void* p = std::malloc(n ? n : 1);
  if (!p) throw std::bad_alloc();
  if (g_track) {
    g_live += static_cast<long long>(malloc_usable_size(p));
    g_peak = std::max(g_peak, g_live);
  }
  return p;
}

void counted_free(void* p) {
  if (!p) return;
  if (g_track) g_live -= static_cast<long long>(malloc_usable_size(p));
  std::free(p);
}
}  // namespace

void* operator new(std::size_t n) { return counted_alloc(n); }
void* operator new[](std::size_t n) { return counted_alloc(n); }
void operator delete(void* p) noexcept { counted_free(p); }
void operator delete[](void* p) noexcept { counted_free(p); }
void operator delete(void* p, std::size_t) noexcept { counted_free(p); }
void operator delete[](void* p, std::size_t) noexcept { counted_free(p); }

namespace dockmend::bench {
namespace {

namespace fs = std::filesystem;

struct CorpusFile {
  std::string path;  // relative to the corpus root
  std::string bytes;
};

struct Corpus {
  fs::path root;
  std::vector<CorpusFile> files;
  std::size_t bytes = 0;
};

std::string read_all(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

// Every file of the corpus but the expectations stored beside the Dockerfiles.
Corpus load_corpus(const fs::path& root) {
  Corpus c;
  c.root = root;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
    if (!it->is_regular_file()) continue;
    const std::string name = it->path().filename().string();
    const std::string ext = it->path().extension().string();
    if (name == "result" || name == "error" || ext == ".md" || ext == ".tsv") continue;
    c.files.push_back({it->path().lexically_relative(root).generic_string(), read_all(it->path())});
  }
  std::sort(c.files.begin(), c.files.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  for (const auto& f : c.files) c.bytes += f.bytes.size();
  return c;
}

// The corpus as the repository the rules see (nothing touches the disk while timing).
class MemoryView final : public transforms::FileView {
 public:
  explicit MemoryView(const Corpus& c) {
    for (const auto& f : c.files) m_files.emplace(f.path, &f.bytes);
  }
  std::optional<std::string> read(std::string_view path) const override {
    auto it = m_files.find(std::string(path));
    if (it == m_files.end()) return std::nullopt;
    return *it->second;
  }
  bool exists(std::string_view path) const override { return m_files.count(std::string(path)) != 0; }
  std::vector<std::string> list(std::string_view dir) const override {
    std::vector<std::string> out;
    const std::string prefix = dir.empty() ? std::string() : std::string(dir) + "/";
    for (auto it = m_files.lower_bound(prefix); it != m_files.end() && it->first.compare(0, prefix.size(), prefix) == 0;
         ++it)
      out.push_back(it->first);
    return out;
  }

 private:
  std::map<std::string, const std::string*> m_files;
};

// A policy and the engine configuration that runs it over the corpus.
struct PolicyRun {
  std::string name;
  policy::Policy policy;
  transforms::EngineConfig config;
};

// What the stages share, prepared once before timing.
struct World {
  Corpus corpus;
  std::unique_ptr<MemoryView> view;
  PolicyRun example;   // examples/phase4/dockmend.yaml (or --policy)
  PolicyRun builtin;   // the built-in default policy (`dockmend policy --default`)
  std::vector<syntax::Tree> trees;               // engine view (no tokens), one per file
  std::vector<std::string> fixed;                // each file after `dockmend fix`
  std::vector<std::size_t> changed;              // files the fixes change
  std::size_t changed_bytes = 0;
  std::vector<std::string> altered;              // every 8th line of each file changed
};

World& world() {
  static World w;
  return w;
}

std::size_t files_count() { return world().corpus.files.size(); }

void set_rates(benchmark::State& state, std::size_t bytes, std::size_t files) {
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(bytes));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(files));
}

// ---------------------------------------------------------------- stages

void memchr_newlines(benchmark::State& state) {
  const auto& files = world().corpus.files;
  for (auto _ : state) {
    std::size_t lines = 0;
    for (const auto& f : files) {
      const char* p = f.bytes.data();
      const char* end = p + f.bytes.size();
      while (p < end) {
        const void* nl = std::memchr(p, '\n', static_cast<std::size_t>(end - p));
        if (!nl) break;
        ++lines;
        p = static_cast<const char*>(nl) + 1;
      }
    }
    benchmark::DoNotOptimize(lines);
  }
  set_rates(state, world().corpus.bytes, files_count());
}

void parse_print(benchmark::State& state) {
  const auto& files = world().corpus.files;
  for (auto _ : state) {
    for (const auto& f : files) {
      const syntax::Tree tree = syntax::parse(f.bytes);
      std::string out = syntax::print(tree);
      benchmark::DoNotOptimize(out.data());
    }
  }
  set_rates(state, world().corpus.bytes, files_count());
}

void parse_engine_view(benchmark::State& state) {
  const auto& files = world().corpus.files;
  for (auto _ : state) {
    for (const auto& f : files) {
      const syntax::Tree tree = syntax::parse(f.bytes, {false});
      benchmark::DoNotOptimize(tree.instructions.data());
    }
  }
  set_rates(state, world().corpus.bytes, files_count());
}

void buildkit_dump(benchmark::State& state) {
  const auto& files = world().corpus.files;
  for (auto _ : state) {
    for (const auto& f : files) {
      const syntax::Tree tree = syntax::parse(f.bytes, {false});
      if (!tree.buildkit_ok()) continue;  // `dockmend dump` reports the error instead
      std::string out = syntax::dump_buildkit(tree);
      benchmark::DoNotOptimize(out.data());
    }
  }
  set_rates(state, world().corpus.bytes, files_count());
}

void passes(benchmark::State& state, const PolicyRun* run, bool fix) {
  World& w = world();
  for (auto _ : state) {
    for (const auto& f : w.corpus.files) {
      transforms::FileReport rep = transforms::process_file(f.path, f.bytes, run->config, fix);
      benchmark::DoNotOptimize(rep.findings.data());
    }
  }
  set_rates(state, w.corpus.bytes, files_count());
}

// The files a rule is on for under `run`'s policy.
std::size_t files_enabled(const PolicyRun& run, const transforms::Rule& rule) {
  std::size_t n = 0;
  for (const auto& f : world().corpus.files)
    n += transforms::rule_enabled(rule, run.policy, policy::service_for(run.policy, f.path)) ? 1 : 0;
  return n;
}

// One rule's check over the pre-parsed trees, in the context the engine gives it.
void one_rule(benchmark::State& state, const transforms::Rule* rule, const PolicyRun* run) {
  World& w = world();
  const policy::Policy& pol = run->policy;
  struct Prepared {
    std::size_t file;
    const policy::Service* service;
    policy::Settings settings;
  };
  std::vector<Prepared> todo;
  std::size_t bytes = 0;
  for (std::size_t i = 0; i < w.corpus.files.size(); ++i) {
    if (!w.trees[i].buildkit_ok()) continue;  // the engine runs no rule on those
    const auto* service = policy::service_for(pol, w.corpus.files[i].path);
    if (!transforms::rule_enabled(*rule, pol, service)) continue;
    todo.push_back({i, service, service ? policy::effective_settings(pol, *service) : pol.defaults});
    bytes += w.corpus.files[i].bytes.size();
  }
  if (todo.empty()) {
    state.SkipWithError("off for every file under this policy");
    return;
  }
  // Each file's model is built once, as the engine does, outside the timing of the rule.
  std::vector<model::Model> models;
  models.reserve(todo.size());
  for (const auto& p : todo) {
    model::BuildOptions options;
    if (p.settings.stages) options.stages = p.settings.stages->names;
    models.push_back(model::Model::build(w.trees[p.file], options));
  }
  for (auto _ : state) {
    for (std::size_t k = 0; k < todo.size(); ++k) {
      const auto& p = todo[k];
      const auto& path = w.corpus.files[p.file].path;
      const auto slash = path.rfind('/');
      transforms::Context ctx{w.trees[p.file], path, slash == std::string::npos ? std::string() : path.substr(0, slash),
                              pol, p.service, p.settings, *w.view, models[k]};
      transforms::Outcome out;
      rule->check(ctx, out);
      benchmark::DoNotOptimize(out.findings.data());
    }
  }
  set_rates(state, bytes, todo.size());
}

void diff_fixes(benchmark::State& state) {
  World& w = world();
  if (w.changed.empty()) {
    state.SkipWithError("no file is changed by the fixes");
    return;
  }
  for (auto _ : state) {
    for (std::size_t i : w.changed) {
      diff::DiffOptions d;
      d.old_label = "a/" + w.corpus.files[i].path;
      d.new_label = "b/" + w.corpus.files[i].path;
      std::string out = diff::unified_diff(w.corpus.files[i].bytes, w.fixed[i], d);
      benchmark::DoNotOptimize(out.data());
    }
  }
  set_rates(state, w.changed_bytes, w.changed.size());
}

void diff_altered(benchmark::State& state) {
  World& w = world();
  for (auto _ : state) {
    for (std::size_t i = 0; i < w.corpus.files.size(); ++i) {
      diff::DiffOptions d;
      d.old_label = "a/" + w.corpus.files[i].path;
      d.new_label = "b/" + w.corpus.files[i].path;
      std::string out = diff::unified_diff(w.corpus.files[i].bytes, w.altered[i], d);
      benchmark::DoNotOptimize(out.data());
    }
  }
  set_rates(state, w.corpus.bytes, files_count());
}

// ---------------------------------------------------------------- setup

// Every 8th line gets a marker appended: a diff with many small hunks, whatever
// the rules do.
std::string alter_lines(const std::string& s) {
  std::string out;
  out.reserve(s.size() + s.size() / 16);
  std::size_t line = 0, pos = 0;
  while (pos < s.size()) {
    std::size_t nl = s.find('\n', pos);
    const std::size_t end = nl == std::string::npos ? s.size() : nl;
    out.append(s, pos, end - pos);
    if (line++ % 8 == 3) out += " #";
    if (nl != std::string::npos) out += '\n';
    pos = end + 1;
  }
  return out;
}

bool prepare(const fs::path& corpus_root, const fs::path& policy_file) {
  World& w = world();
  std::error_code ec;
  if (!fs::is_directory(corpus_root, ec)) {
    std::fprintf(stderr, "bench_stages: corpus not found at %s (set DOCKMEND_CORPUS or --corpus)\n",
                 corpus_root.c_str());
    return false;
  }
  w.corpus = load_corpus(corpus_root);
  if (w.corpus.files.empty()) {
    std::fprintf(stderr, "bench_stages: no files under %s\n", corpus_root.c_str());
    return false;
  }
  auto loaded = policy::load_policy_file(policy_file);
  if (!loaded.ok()) {
    std::fprintf(stderr, "bench_stages: %s\n", loaded.errors().front().to_string().c_str());
    return false;
  }
  auto builtin = policy::load_policy(cli::default_policy_yaml(), "<built-in default policy>");
  if (!builtin.ok()) {
    std::fprintf(stderr, "bench_stages: built-in policy: %s\n", builtin.errors().front().to_string().c_str());
    return false;
  }
  w.view = std::make_unique<MemoryView>(w.corpus);
  w.example.name = policy_file.string();
  w.example.policy = std::move(loaded).policy();
  w.builtin.name = "built-in default policy";
  w.builtin.policy = std::move(builtin).policy();
  for (PolicyRun* run : {&w.example, &w.builtin}) {
    run->config.policy = &run->policy;
    run->config.files = w.view.get();
    transforms::prepare(run->config);  // as the CLI does
  }

  // Numbers for a parser that loses bytes would mean nothing: check first.
  for (const auto& f : w.corpus.files) {
    if (syntax::print(syntax::parse(f.bytes)) != f.bytes) {
      std::fprintf(stderr, "bench_stages: %s does not print back from its tree\n", f.path.c_str());
      return false;
    }
  }
  w.trees.reserve(w.corpus.files.size());
  for (std::size_t i = 0; i < w.corpus.files.size(); ++i) {
    const auto& f = w.corpus.files[i];
    w.trees.push_back(syntax::parse(f.bytes, {false}));
    // The diff stage renders what both policies' fixes do together.
    const std::string fixed = transforms::process_file(f.path, f.bytes, w.example.config, true).fixed;
    w.fixed.push_back(transforms::process_file(f.path, fixed, w.builtin.config, true).fixed);
    if (w.fixed.back() != f.bytes) {
      w.changed.push_back(i);
      w.changed_bytes += f.bytes.size();
    }
    w.altered.push_back(alter_lines(f.bytes));
  }
  return true;
}

// Peak heap while parsing one file, relative to the file's size.
struct HeapFigures {
  double overall = 0;     // sum of peaks / sum of sizes
  double median = 0;      // of the files of 1 KB or more
  double worst_1k = 0;    // worst file of 1 KB or more
  std::string worst_path;
};

HeapFigures measure_heap(bool tokens) {
  HeapFigures h;
  long long total_peak = 0;
  std::vector<double> ratios;
  for (const auto& f : world().corpus.files) {
    g_live = 0;
    g_peak = 0;
    g_track = true;
    {
      const syntax::Tree tree = syntax::parse(f.bytes, {tokens});
      benchmark::DoNotOptimize(tree.tokens.data());
    }
    g_track = false;
    total_peak += g_peak;
    if (f.bytes.size() >= 1024) {
      const double r = static_cast<double>(g_peak) / static_cast<double>(f.bytes.size());
      ratios.push_back(r);
      if (r > h.worst_1k) {
        h.worst_1k = r;
        h.worst_path = f.path;
      }
    }
  }
  h.overall = static_cast<double>(total_peak) / static_cast<double>(world().corpus.bytes);
  if (!ratios.empty()) {
    std::nth_element(ratios.begin(), ratios.begin() + static_cast<std::ptrdiff_t>(ratios.size() / 2), ratios.end());
    h.median = ratios[ratios.size() / 2];
  }
  return h;
}

// ---------------------------------------------------------------- summary

struct StageResult {
  double bytes_per_second = 0;
  double items_per_second = 0;
  std::string error;
};

class SummaryReporter final : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const auto& r : runs) {
      // With --benchmark_repetitions, keep the median.
      if (r.run_type == Run::RT_Aggregate && r.aggregate_name != "median") continue;
      StageResult s;
      if (r.error_occurred) s.error = r.error_message;
      if (auto it = r.counters.find("bytes_per_second"); it != r.counters.end()) s.bytes_per_second = it->second;
      if (auto it = r.counters.find("items_per_second"); it != r.counters.end()) s.items_per_second = it->second;
      const std::string name = r.run_name.function_name;
      if (m_results.count(name) == 0) m_order.push_back(name);
      m_results[name] = s;
    }
    ConsoleReporter::ReportRuns(runs);
  }
  const std::vector<std::string>& order() const { return m_order; }
  const std::map<std::string, StageResult>& results() const { return m_results; }

 private:
  std::vector<std::string> m_order;
  std::map<std::string, StageResult> m_results;
};

void print_summary(const SummaryReporter& rep, const HeapFigures& engine, const HeapFigures& full) {
  const World& w = world();
  const auto& res = rep.results();
  double ceiling = 0;
  if (auto it = res.find("memchr newline count"); it != res.end()) ceiling = it->second.bytes_per_second;
  std::printf("\n== dockmend stages over %zu corpus files (%.2f MB), one thread\n", w.corpus.files.size(),
              static_cast<double>(w.corpus.bytes) / 1e6);
  std::printf("   example policy: %s; %zu rules registered\n", w.example.name.c_str(), transforms::all_rules().size());
  std::printf("%-46s %10s %12s %11s\n", "stage", "MB/s", "files/s", "of memchr");
  for (const auto& name : rep.order()) {
    const StageResult& s = res.at(name);
    if (!s.error.empty()) {
      std::printf("%-46s %s\n", name.c_str(), s.error.c_str());
      continue;
    }
    const std::string share = ceiling > 0 ? fmt::format("{:.1f}%", 100.0 * s.bytes_per_second / ceiling) : "-";
    std::printf("%-46s %10.1f %12.0f %11s\n", name.c_str(), s.bytes_per_second / 1e6, s.items_per_second,
                share.c_str());
  }
  std::printf("   (rule rows: the rule's check alone on parsed trees, over the files it is on for, under\n");
  std::printf("    the example policy, or [default] the built-in one where the example turns it off;\n");
  std::printf("    diff of the fixes: the %zu files the two policies' fixes change, %.2f MB)\n", w.changed.size(),
              static_cast<double>(w.changed_bytes) / 1e6);
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::printf("peak RSS: %.1f MB (corpus held in memory: %.1f MB, plus its parsed trees and fixed texts)\n",
              static_cast<double>(ru.ru_maxrss) / 1024.0, static_cast<double>(w.corpus.bytes) / 1e6);
  for (const auto* h : {&engine, &full})
    std::printf("peak heap parsing a file (%s): %.2fx its size over the corpus; files >= 1 KB: median %.2fx, worst %.2fx (%s)\n",
                h == &engine ? "engine view" : "with tokens", h->overall, h->median, h->worst_1k, h->worst_path.c_str());
  std::printf("   (besides: %.1f KB the parsing thread keeps between parses, sized by the largest file)\n",
              static_cast<double>(syntax::parse_scratch_bytes()) / 1024.0);
}

std::string take_option(int& argc, char** argv, const char* name) {
  std::string value;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], name) != 0 || i + 1 >= argc) continue;
    value = argv[i + 1];
    for (int k = i; k + 2 <= argc; ++k) argv[k] = argv[k + 2];
    argc -= 2;
    break;
  }
  return value;
}

}  // namespace
}  // namespace dockmend::bench

int main(int argc, char** argv) {
  using namespace dockmend::bench;
  namespace fs = std::filesystem;
  const fs::path source = DOCKMEND_SOURCE_DIR;
  std::string corpus = take_option(argc, argv, "--corpus");
  if (corpus.empty()) {
    const char* env = std::getenv("DOCKMEND_CORPUS");
    corpus = env && *env ? env : (source.parent_path() / "shared" / "corpus").string();
  }
  std::string policy_file = take_option(argc, argv, "--policy");
  if (policy_file.empty()) policy_file = (source / "examples" / "phase4" / "dockmend.yaml").string();
  if (!prepare(corpus, policy_file)) return 2;

  benchmark::RegisterBenchmark("memchr newline count", memchr_newlines)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("parse+print", parse_print)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("parse (engine view: no tokens)", parse_engine_view)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("buildkit dump (parse+dump)", buildkit_dump)->Unit(benchmark::kMillisecond);
  World& w = world();
  benchmark::RegisterBenchmark("passes: check, example policy", passes, &w.example, false)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("passes: fix, example policy", passes, &w.example, true)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("passes: check, default policy", passes, &w.builtin, false)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("passes: fix, default policy", passes, &w.builtin, true)->Unit(benchmark::kMillisecond);
  for (const auto* rule : dockmend::transforms::all_rules()) {
    const bool in_example = files_enabled(w.example, *rule) > 0;
    const PolicyRun* run = in_example ? &w.example : &w.builtin;
    benchmark::RegisterBenchmark(fmt::format("  rule {}{}", rule->id, in_example ? "" : " [default]").c_str(), one_rule,
                                 rule, run)
        ->Unit(benchmark::kMillisecond);
  }
  benchmark::RegisterBenchmark("diff rendering (the fixes)", diff_fixes)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("diff rendering (every 8th line changed)", diff_altered)->Unit(benchmark::kMillisecond);

  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  SummaryReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  const HeapFigures engine = measure_heap(false);
  const HeapFigures full = measure_heap(true);
  print_summary(reporter, engine, full);
  benchmark::Shutdown();
  return 0;
}
