// pip-hashes: every `pip install -r FILE` runs with --require-hashes, and FILE
// (found in the build context) pins every requirement with --hash.
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "transforms/rule.hpp"
#include "transforms/policy_support.hpp"

namespace dockmend::transforms::rules {
namespace {

using namespace support;

struct Requirement {
  std::string name;
  std::uint32_t line = 0;
  bool hashed = false;
};

struct RequirementsFile {
  std::vector<Requirement> requirements;
  bool require_hashes_option = false;  // `--require-hashes` written in the file
};

RequirementsFile read_requirements(std::string_view text) {
  RequirementsFile out;
  std::uint32_t line_no = 0;
  std::string logical;
  std::uint32_t start = 0;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    auto nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string line(text.substr(pos, nl - pos));
    pos = nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (logical.empty()) start = line_no;
    // Comments: a # at the start or after blanks.
    for (std::size_t i = 0; i < line.size(); ++i)
      if (line[i] == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) {
        line.erase(i);
        break;
      }
    std::string trimmed = line;
    while (!trimmed.empty() && (trimmed.back() == ' ' || trimmed.back() == '\t')) trimmed.pop_back();
    if (!trimmed.empty() && trimmed.back() == '\\') {
      logical += trimmed.substr(0, trimmed.size() - 1) + " ";
      if (pos <= text.size()) continue;
    } else {
      logical += trimmed;
    }
    std::string_view l = logical;
    while (!l.empty() && (l.front() == ' ' || l.front() == '\t')) l.remove_prefix(1);
    if (!l.empty()) {
      if (l.front() == '-') {
        if (starts_with(l, "--require-hashes")) out.require_hashes_option = true;
      } else {
        Requirement r;
        r.name = std::string(l.substr(0, l.find_first_of(" \t;")));
        r.line = start;
        r.hashed = l.find("--hash") != std::string_view::npos;
        out.requirements.push_back(std::move(r));
      }
    }
    logical.clear();
    if (nl == text.size()) break;
  }
  return out;
}

bool truthy(std::string_view v) {
  const auto l = lower(v);
  return l == "1" || l == "true" || l == "yes" || l == "on";
}

void check(const Context& ctx, Outcome& out) {
  const auto& pip = ctx.settings.pip;
  const auto stages = stages_for_rule(pip && pip->require_hashes && *pip->require_hashes, ctx, out);
  if (!stages) return;
  const StageSet& st = *stages;
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
    const auto req = read_requirements(*text);
    if (!files_checked.insert(path).second) return req.require_hashes_option;
    std::vector<std::string> bare;
    std::uint32_t first = 0;
    for (const auto& r : req.requirements)
      if (!r.hashed) {
        if (!first) first = r.line;
        bare.push_back(r.name);
      }
    if (bare.empty()) {
      if (!req.requirements.empty()) good.push_back(fmt::format("{}: every requirement has --hash", path));
      return req.require_hashes_option;
    }
    auto f = finding(fmt::format("{} of {} requirement{} in {} {} no --hash (pip-compile --generate-hashes makes them)",
                                 bare.size(), req.requirements.size(), req.requirements.size() == 1 ? "" : "s", shown,
                                 bare.size() == 1 ? "has" : "have"),
                     at, join(bare, ", "), "every requirement pinned with --hash=sha256:...", ref);
    f.file = path;
    f.file_line = first;
    out.findings.push_back(std::move(f));
    return req.require_hashes_option;
  };

  for (const auto& sh : shell_texts(tree, all)) {
    const int stage = tree.stage_of(sh.instruction, st.list);
    if (stage < 0) continue;
    const auto& inst = *sh.inst;
    for (const auto& c : sh.script.commands) {
      const auto inv = shell::invocation(c);
      if (!inv) continue;
      bool pip_install = false;
      if (shell::same_program(inv->name, "pip")) {
        const auto sub = shell::subcommand(c);
        pip_install = sub && c.words[*sub].value == "install";
      } else if (inv->name == "uv") {
        pip_install = inv->args + 1 < c.words.size() && c.words[inv->args].value == "pip" &&
                      c.words[inv->args + 1].value == "install";
      }
      if (!pip_install) continue;
      const auto r = shell::find_option(c, {"-r", "--requirement"});
      if (!r) continue;
      any = true;
      const Span at = inst.keyword_span;
      const std::string file = r->value;
      // The requirements file, read from the build context.
      std::optional<std::string> path;
      if (!file.empty() && file.find('$') == std::string::npos) {
        std::string image_path = file;
        if (file[0] != '/') {
          const auto wd = workdir_at(st, stage, sh.instruction);
          image_path = (wd.empty() ? "/" : wd + "/") + file;
        }
        path = context_source(ctx, st, stage, image_path);
        if (!path && file[0] != '/' && ctx.files.exists(ctx.in_context(file))) path = ctx.in_context(file);
      }
      const bool file_option = path && check_file(*path, at, file);
      std::string cmd_text;
      for (char ch : sh.slice(c.span))
        if (!((ch == ' ' || ch == '\t') && !cmd_text.empty() && cmd_text.back() == ' ')) cmd_text += ch == '\t' ? ' ' : ch;
      if (shell::has_option(c, {"--require-hashes"}) || file_option) {
        good.push_back(fmt::format("`{}` requires hashes", cmd_text));
        continue;
      }
      const auto vars = st.vars_at(stage, sh.instruction);
      if (auto v = vars.find("PIP_REQUIRE_HASHES"); v != vars.end() && truthy(v->second)) {
        good.push_back(fmt::format("`{}` requires hashes (PIP_REQUIRE_HASHES)", cmd_text));
        continue;
      }
      auto f = finding(fmt::format("pip install -r {} runs without --require-hashes", file), at, cmd_text,
                       fmt::format("pip install --require-hashes -r {}", file), ref);
      edit::Fix fix;
      fix.reason = "pip install --require-hashes";
      const auto& w = c.words[r->word];
      fix.edits.push_back({sh.to_source({w.span.begin, w.span.begin}), "--require-hashes "});
      f.fix = std::move(fix);
      out.findings.push_back(std::move(f));
    }
  }
  // An exec-form RUN cannot be edited safely word by word: report it.
  for (auto i : all) {
    const auto& inst = tree.instructions[i];
    if (!inst.is("run") || inst.form != syntax::ArgsForm::Json) continue;
    std::vector<std::string> v;
    for (const auto& x : inst.values) v.emplace_back(x.text);
    const bool pip = std::any_of(v.begin(), v.end(), [](const std::string& s) { return shell::same_program(basename(s), "pip"); });
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

const RuleRegistration k_pip_hashes{RuleSpec("pip-hashes")
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
