// pip-hashes: every `pip install -r FILE` runs with --require-hashes, and FILE
// (found in the build context) pins every requirement with --hash.
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "model/python.hpp"
#include "model/script_edits.hpp"
#include "model/text.hpp"
#include "transforms/build_context.hpp"
#include "transforms/findings.hpp"
#include "transforms/rule.hpp"

namespace dockmend::transforms::rules {
namespace {

using model::join;
using model::normalize_path;
using model::starts_with;
using syntax::Span;

// Whether `vars` give `name` a true value ("1", "true", "yes", "on").
bool set_true(const model::Vars& vars, std::string_view name) {
  const auto v = vars.find(name);
  return v != vars.end() && v->second.known && model::truthy(v->second.value);
}

void check(const Context& ctx, Outcome& out) {
  const auto& pip = ctx.settings.pip;
  if (!policy_rule_applies(pip && pip->require_hashes && *pip->require_hashes, ctx, out)) return;
  const model::Model& st = ctx.model;
  const auto& tree = ctx.tree;
  const std::string ref = pip->ref;
  std::vector<std::uint32_t> all;
  for (std::uint32_t i = 0; i < tree.instructions.size(); ++i) all.push_back(i);
  bool any = false;
  std::set<std::string> files_checked;
  std::vector<std::string> good;

  auto check_file = [&](const std::string& path, Span at, const std::string& shown) -> bool {
    // true when the file itself turns on --require-hashes
    const auto text = ctx.files.read(path);
    if (!text) return false;
    const auto req = model::read_requirements(*text);
    if (!files_checked.insert(path).second) return req.require_hashes;
    std::vector<std::string> bare;
    std::uint32_t first = 0;
    for (const auto& r : req.requirements)
      if (!r.hashed) {
        if (!first) first = r.line;
        bare.push_back(r.name);
      }
    if (bare.empty()) {
      if (!req.requirements.empty()) good.push_back(fmt::format("{}: every requirement has --hash", path));
      return req.require_hashes;
    }
    auto f = finding(fmt::format("{} of {} requirement{} in {} {} no --hash (pip-compile --generate-hashes makes them)",
                                 bare.size(), req.requirements.size(), req.requirements.size() == 1 ? "" : "s", shown,
                                 bare.size() == 1 ? "has" : "have"),
                     at, join(bare, ", "), "every requirement pinned with --hash=sha256:...", ref);
    f.file = path;
    f.file_line = first;
    out.findings.push_back(std::move(f));
    return req.require_hashes;
  };

  std::vector<const model::Run*> texts;
  for (const auto& r : st.runs())
    if (r.parsed) texts.push_back(&r);
  std::vector<const shell::Script*> scripts;
  for (const auto* t : texts) scripts.push_back(&t->script);
  const model::PythonFacts py = model::read_python(scripts);
  auto text_of = [&](const shell::Command& c, const model::Run& sh) {
    std::string cmd_text;
    for (char ch : sh.slice(c.span))
      if (!((ch == ' ' || ch == '\t') && !cmd_text.empty() && cmd_text.back() == ' ')) cmd_text += ch == '\t' ? ' ' : ch;
    return cmd_text;
  };
  for (const auto& pi : py.installs) {
    if (pi.requirement_files.empty()) continue;
    const auto& sh = *texts[pi.at.script];
    const int stage = st.stage_of(sh.instruction);
    if (stage < 0) continue;
    const auto& c = sh.script.commands[pi.at.command];
    const auto& inst = tree.instructions[sh.instruction];
    const Span at = inst.keyword_span;
    const std::string cmd_text = text_of(c, sh);
    // Wheels built in the build (`pip wheel -r ... -w DIR`, then `--no-index --find-links DIR`):
    // the hashes are checked where they are downloaded, by the pip wheel step.
    if (pi.installer == model::Installer::Pip && pi.no_index) {
      bool from_wheels = false;
      for (const auto& w : py.installs)
        if (w.installer == model::Installer::PipWheel && w.wheel_dir &&
            std::find(pi.find_links.begin(), pi.find_links.end(), *w.wheel_dir) != pi.find_links.end())
          from_wheels = true;
      if (from_wheels) {
        any = true;
        good.push_back(fmt::format("`{}` installs wheels built in the build (hashes are checked by pip wheel)", cmd_text));
        continue;
      }
    }
    if (pi.installer == model::Installer::PipDownload) continue;
    any = true;
    bool file_option = false;
    edit::Fix generator_fix;
    std::string generator_problem;
    for (const auto& r : pi.requirement_files) {
      const std::string file = r.value;
      if (file.empty() || file.find('$') != std::string::npos) continue;
      std::string image_path = file;
      if (file[0] != '/') {
        const std::string wd = st.state_before(sh.instruction).workdir.value;
        image_path = (wd.empty() ? "/" : wd + "/") + file;
      }
      image_path = normalize_path(image_path);
      // A requirements file written in the build: its generator decides whether it has hashes.
      if (const auto* g = py.generator_for(image_path, pi.at); g || (g = py.generator_for(file, pi.at))) {
        if (g->hashes) continue;
        const auto& gsh = *texts[g->at.script];
        const auto& gc = gsh.script.commands[g->at.command];
        const std::string tool = model::generator_tool_name(g->tool);
        if (g->without_hashes) {
          const auto& w = gc.words[g->without_hashes->word];
          const std::size_t from = g->without_hashes->word > 0 ? gc.words[g->without_hashes->word - 1].span.end : w.span.begin;
          for (auto& e : model::remove_script_range(tree, gsh, {from, w.span.end})) generator_fix.edits.push_back(std::move(e));
          generator_problem = fmt::format("{} is written by `{}` {}", file, tool, std::string(gsh.slice(w.span)));
        } else if (auto p = shell::insertion_point(gc, shell::InsertAt::AfterSubcommand)) {
          // pip-compile and uv pip compile write hashes only when asked.
          const auto point = g->tool == model::GeneratorTool::PipCompile ? shell::insertion_point(gc, shell::InsertAt::AfterProgram) : p;
          generator_fix.edits.push_back({gsh.source(tree, {*point, *point}), " --generate-hashes"});
          generator_problem = fmt::format("{} is written by `{}` without --generate-hashes", file, tool);
        }
        continue;
      }
      // The requirements file, read from the build context.
      std::optional<std::string> path = context_source(ctx, stage, image_path);
      if (!path && file[0] != '/' && ctx.files.exists(ctx.in_context(file))) path = ctx.in_context(file);
      if (path && check_file(*path, at, file)) file_option = true;
    }
    if (generator_problem.empty() && (pi.require_hashes_flag || file_option)) {
      good.push_back(fmt::format("`{}` requires hashes", cmd_text));
      continue;
    }
    const model::Vars vars = st.state_before(sh.instruction).vars;
    const bool env_demands = pi.require_hashes_env || set_true(vars, "PIP_REQUIRE_HASHES") ||
                             (pi.installer == model::Installer::UvPip && set_true(vars, "UV_REQUIRE_HASHES"));
    if (generator_problem.empty() && env_demands) {
      good.push_back(fmt::format("`{}` requires hashes ({})", cmd_text,
                                 pi.installer == model::Installer::UvPip ? "UV_REQUIRE_HASHES or PIP_REQUIRE_HASHES" : "PIP_REQUIRE_HASHES"));
      continue;
    }
    const std::string file = pi.requirement_files.front().value;
    const std::string installer = pi.installer == model::Installer::UvPip ? "uv pip install" : pi.installer == model::Installer::PipWheel ? "pip wheel" : "pip install";
    edit::Fix fix = std::move(generator_fix);
    if (!pi.require_hashes_flag && !env_demands) {
      const auto& w = c.words[pi.requirement_files.front().word];
      fix.edits.push_back({sh.source(tree, {w.span.begin, w.span.begin}), "--require-hashes "});
    }
    auto f = finding(generator_problem.empty() ? fmt::format("{} -r {} runs without --require-hashes", installer, file)
                                               : fmt::format("{}: --require-hashes needs the hashes it leaves out", generator_problem),
                     at, cmd_text, fmt::format("{} --require-hashes -r {}", installer, file), ref);
    fix.reason = generator_problem.empty() ? fmt::format("{} --require-hashes", installer)
                                           : "the generated requirements file carries hashes, and the install requires them";
    if (!fix.edits.empty()) f.fix = std::move(fix);
    out.findings.push_back(std::move(f));
  }
  // An exec-form RUN cannot be edited safely word by word: report it.
  for (auto i : all) {
    const auto& inst = tree.instructions[i];
    if (!inst.is("run") || inst.form != syntax::ArgsForm::Json) continue;
    std::vector<std::string> v;
    for (const auto& x : inst.values) v.emplace_back(x.text);
    const bool pip = std::any_of(v.begin(), v.end(), [](const std::string& s) { return shell::same_program(model::basename(s), "pip"); });
    const bool req = std::any_of(v.begin(), v.end(), [](const std::string& s) { return s == "-r" || starts_with(s, "--requirement"); });
    const bool hashes = std::find(v.begin(), v.end(), "--require-hashes") != v.end();
    if (!pip || !req) continue;
    any = true;
    if (hashes) continue;
    out.findings.push_back(finding("pip install -r without --require-hashes (exec form: add it by hand)", inst.keyword_span,
                                   std::string(inst.logical_args()), "\"--require-hashes\" before \"-r\"", ref));
  }
  out.applicable = any;
  for (auto& g : good) out.correct.push_back(std::move(g));
}

}  // namespace

// The examples show --require-hashes; whether a requirements file has its
// hashes needs that file in the build context, which an example cannot hold.
const RuleRegistration k_pip_hashes{RuleSpec("pip-hashes")
    .example("FROM python:3.12-slim\n"
             "WORKDIR /app\n"
             "COPY requirements.txt .\n"
             "RUN pip install --no-cache-dir -r requirements.txt\n",
             "FROM python:3.12-slim\n"
             "WORKDIR /app\n"
             "COPY requirements.txt .\n"
             "RUN pip install --no-cache-dir --require-hashes -r requirements.txt\n",
             "FROM python:3.12-slim\n"
             "WORKDIR /app\n"
             "COPY requirements.txt .\n"
             "RUN pip install --no-cache-dir --require-hashes -r requirements.txt\n")
    .example_policy("defaults:\n"
                    "  pip: {require_hashes: true}\n")
    .kind(RuleKind::Policy)
    .safety(FixSafety::Safe)
    .priority(2)
    .order(80)
    .summary("every `pip install -r FILE` uses --require-hashes and FILE pins every requirement with --hash "
        "(pip.require_hashes)")
    .fix("adds --require-hashes before -r; requirements without hashes are reported (pip-compile "
        "--generate-hashes makes them; dockmend does not run it)")
    .check(&check)};

}  // namespace dockmend::transforms::rules
