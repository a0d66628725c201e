// venv: no virtual environments. Their creation, activation, ENV entries and
// copies go; programs called through the venv's bin/ are called by name; the
// packages still reach the runtime image (pip --prefix=/install in the stage
// that built the venv, COPY --from=<it> /install /usr/local in the runtime).
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "edit/builders.hpp"
#include "model/instruction_edits.hpp"
#include "model/script_edits.hpp"
#include "model/text.hpp"
#include "model/values.hpp"
#include "transforms/findings.hpp"
#include "transforms/rule.hpp"

namespace dockmend::transforms::rules {
namespace {

using model::basename;
using model::ends_with;
using model::icontains;
using model::join;
using model::lower;
using model::normalize_path;
using model::starts_with;
using syntax::Span;

bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

struct Found {
  std::set<std::string> dirs;  // absolute and as written
  std::vector<std::string> what;
};

bool is_pip_install(const shell::Command& c, std::size_t* install_word = nullptr) {
  const auto inv = shell::invocation(c);
  if (!inv || !shell::same_program(inv->name, "pip")) return false;
  const auto sub = shell::subcommand(c);
  if (!sub || c.words[*sub].value != "install") return false;
  if (install_word) *install_word = *sub;
  return true;
}

// `pip install -U pip setuptools wheel`: tooling, not the application's packages.
bool tooling_only(const shell::Command& c, std::size_t install_word) {
  if (shell::has_option(c, {"-r", "--requirement", "-e", "--editable"})) return false;
  bool any = false;
  for (std::size_t w = install_word + 1; w < c.words.size(); ++w) {
    const auto& v = c.words[w].value;
    if (v.empty() || v[0] == '-') {
      if (v.find('=') == std::string::npos && shell::takes_argument("pip", v)) ++w;
      continue;
    }
    std::string name = lower(v.substr(0, v.find_first_of("<>=!~[ ")));
    if (name != "pip" && name != "setuptools" && name != "wheel" && name != "pip-tools" && name != "uv") return false;
    any = true;
  }
  return any;
}

bool installs_elsewhere(const shell::Command& c) {
  return shell::has_option(c, {"--prefix", "--target", "-t", "--user", "--root", "--system", "--python"});
}

// `uv pip install ...`: the index of its `install` word. uv's pip interface
// installs into the active (or ./.venv) environment and, with none, refuses
// unless told --system (the image's Python) or --prefix (uv docs: "uv pip install
// --system", "--prefix <PREFIX>": the same layout as pip's --prefix).
std::optional<std::size_t> uv_pip_install(const shell::Command& c) {
  const auto inv = shell::invocation(c);
  if (!inv || inv->name != "uv") return std::nullopt;
  const auto sub = shell::subcommand(c);
  if (!sub || c.words[*sub].value != "pip") return std::nullopt;
  for (std::size_t w = *sub + 1; w < c.words.size(); ++w) {
    const auto& v = c.words[w].value;
    if (v == "install" || v == "sync") return w;
    if (v.empty() || v[0] != '-') return std::nullopt;
  }
  return std::nullopt;
}

// The package words of a `pip install` (after `install`, options and their values skipped).
std::vector<std::size_t> pip_packages(const shell::Command& c, std::size_t install_word) {
  std::vector<std::size_t> out;
  for (std::size_t w = install_word + 1; w < c.words.size(); ++w) {
    const auto& v = c.words[w].value;
    if (v.empty() || v[0] == '-') {
      if (v.find('=') == std::string::npos && shell::takes_argument("pip", v)) ++w;
      continue;
    }
    out.push_back(w);
  }
  return out;
}
std::string package_name(std::string_view v) { return lower(v.substr(0, v.find_first_of("<>=!~[ ;"))); }

void check(const Context& ctx, Outcome& out) {
  const auto& pv = ctx.settings.venv;
  if (!policy_rule_applies(pv && pv->allowed && !*pv->allowed, ctx, out)) return;
  const model::Model& st = ctx.model;
  const auto& tree = ctx.tree;
  const std::string ref = pv->ref;
  std::vector<const model::Run*> texts;
  for (const auto& r : st.runs())
    if (r.parsed) texts.push_back(&r);

  // ---- where the venvs are
  Found found;
  struct Creation {
    std::size_t text, command;
    int stage;
  };
  std::vector<Creation> creations;
  std::set<int> venv_stages;
  auto add_dir = [&](const std::string& written, int stage, std::uint32_t inst) {
    if (written.empty()) return;
    const std::string w = normalize_path(written);
    found.dirs.insert(w);
    if (w[0] != '/' && w[0] != '$') {
      const std::string wd = stage < 0 ? std::string() : st.state_at(stage, inst).workdir.value;
      found.dirs.insert(normalize_path((wd.empty() ? "/" : wd + "/") + w));
    }
  };
  for (std::size_t t = 0; t < texts.size(); ++t) {
    const auto& sh = *texts[t];
    const int stage = st.stage_of(sh.instruction);
    for (std::size_t c = 0; c < sh.script.commands.size(); ++c) {
      const auto& cmd = sh.script.commands[c];
      const auto inv = shell::invocation(cmd);
      if (!inv) continue;
      std::size_t first = inv->args;
      std::string default_dir;
      // `python3 -m venv` (any python, `python${VERSION}` too).
      bool module = false;
      if (starts_with(basename(cmd.words[inv->program].value), "python")) {
        for (std::size_t w = inv->program + 1; w + 1 < cmd.words.size(); ++w) {
          if (cmd.words[w].value == "-m" && (cmd.words[w + 1].value == "venv" || cmd.words[w + 1].value == "virtualenv")) {
            first = w + 2;
            module = true;
            break;
          }
          if (cmd.words[w].value.empty() || cmd.words[w].value[0] != '-') break;
        }
      }
      if (module || inv->name == "venv" || inv->name == "virtualenv") {
      } else if (inv->name == "uv" && first < cmd.words.size() && cmd.words[first].value == "venv") {
        ++first;
        default_dir = ".venv";
      } else {
        continue;
      }
      std::string dir = default_dir;
      for (std::size_t w = first; w < cmd.words.size(); ++w) {
        const auto& v = cmd.words[w].value;
        if (v.empty() || v[0] == '-') {
          if (v == "--prompt" || v == "-p" || v == "--python") ++w;
          continue;
        }
        dir = v;
        break;
      }
      if (dir.empty()) continue;
      add_dir(dir, stage, sh.instruction);
      creations.push_back({t, c, stage});
      venv_stages.insert(stage);
      found.what.push_back(std::string(sh.slice(cmd.span)));
    }
  }
  for (std::uint32_t i = 0; i < tree.instructions.size(); ++i) {
    const auto& inst = tree.instructions[i];
    if (!inst.is("env")) continue;
    for (const auto& e : model::env_entries(inst)) {
      if (e.name == "VIRTUAL_ENV") add_dir(e.value, st.stage_of(i), i);
      if (e.name == "PATH") {
        // An element .../venv/bin or .../.venv/bin names a venv even without its creation here.
        std::size_t start = 0;
        for (std::size_t k = 0; k <= e.value.size(); ++k) {
          if (k < e.value.size() && e.value[k] != ':') continue;
          const std::string el = e.value.substr(start, k - start);
          start = k + 1;
          if (!ends_with(el, "/bin")) continue;
          const std::string parent = el.substr(0, el.size() - 4);
          if (icontains(basename(parent), "venv") || icontains(basename(parent), "virtualenv"))
            add_dir(parent, st.stage_of(i), i);
        }
      }
    }
  }
  if (found.dirs.empty()) {
    out.correct.push_back("no virtual environment");
    return;
  }
  auto is_venv_path = [&](std::string_view p) {
    const std::string n = normalize_path(p);
    for (const auto& d : found.dirs)
      if (n == d || starts_with(n, d + "/")) return true;
    return false;
  };
  std::vector<std::string> bin_prefixes = {"$VIRTUAL_ENV/bin/", "${VIRTUAL_ENV}/bin/"};
  for (const auto& d : found.dirs) bin_prefixes.push_back(d + "/bin/");

  // Tools that only served the venv: virtualenv, and uv when no command but
  // `uv venv` runs it. Their `pip install` goes (or loses that package).
  bool uv_used = false;
  for (const auto* sh : texts)
    for (const auto& c : sh->script.commands)
      if (const auto inv = shell::invocation(c); inv && inv->name == "uv" &&
                                                  !(inv->args < c.words.size() && c.words[inv->args].value == "venv"))
        uv_used = true;
  auto only_served_venv = [&](std::string_view name) { return name == "virtualenv" || (name == "uv" && !uv_used); };

  edit::Fix fix;
  fix.reason = "no virtual environment";
  bool fixable = true;
  std::vector<std::string> what;
  Span at{0, 0};
  bool have_at = false;
  auto note_at = [&](Span s) {
    if (!have_at || s.begin < at.begin) at = s;
    have_at = true;
  };
  std::set<std::uint32_t> removed;  // instructions removed whole
  std::vector<edit::Edit> whole;     // their removals
  std::vector<Span> removed_ranges;  // source ranges removed inside instructions

  // ---- creation and activation commands, per script
  for (std::size_t t = 0; t < texts.size(); ++t) {
    const auto& sh = *texts[t];
    const auto& inst = tree.instructions[sh.instruction];
    std::vector<std::size_t> drop;
    for (std::size_t c = 0; c < sh.script.commands.size(); ++c) {
      const auto& cmd = sh.script.commands[c];
      const bool created = std::any_of(creations.begin(), creations.end(),
                                       [&](const Creation& k) { return k.text == t && k.command == c; });
      bool activate = false;
      if (!cmd.words.empty() && (cmd.words[0].value == "." || cmd.words[0].value == "source") && cmd.words.size() >= 2) {
        const auto& p = cmd.words[1].value;
        activate = ends_with(p, "/bin/activate") &&
                   (is_venv_path(p.substr(0, p.size() - 13)) || starts_with(p, "$VIRTUAL_ENV") || starts_with(p, "${VIRTUAL_ENV}"));
      }
      std::size_t iw = 0;
      if (!created && !activate && is_pip_install(cmd, &iw) &&
          !shell::has_option(cmd, {"-r", "--requirement", "-e", "--editable", "-c", "--constraint"})) {
        const auto pkgs = pip_packages(cmd, iw);
        std::vector<std::size_t> served;
        for (auto w : pkgs)
          if (!cmd.words[w].has_expansion && only_served_venv(package_name(cmd.words[w].value))) served.push_back(w);
        if (!served.empty() && served.size() == pkgs.size()) {
          drop.push_back(c);
          continue;
        }
        for (auto w : served) {
          // The word and the blank before it.
          const auto b = cmd.words[w - 1].span.end, e = cmd.words[w].span.end;
          what.push_back(std::string(sh.slice(cmd.span)));
          note_at(inst.keyword_span);
          const auto src = sh.source(tree, {b, e});
          removed_ranges.push_back(src);
          fix.edits.push_back({src, std::string()});
        }
      }
      if (created || activate) drop.push_back(c);
    }
    if (drop.empty()) continue;
    note_at(inst.keyword_span);
    for (auto c : drop)
      if (std::none_of(creations.begin(), creations.end(), [&](const Creation& k) { return k.text == t && k.command == c; }))
        what.push_back(std::string(sh.slice(sh.script.commands[c].span)));
    auto r = model::remove_commands(tree, sh, drop);
    if (!r) {
      fixable = false;
      continue;
    }
    if (r->everything && !sh.heredoc) {
      removed.insert(sh.instruction);
      whole.push_back(model::remove_instruction(tree, inst, {"venv", "virtualenv", "virtual env"}));
    } else {
      for (auto& e : r->edits) {
        removed_ranges.push_back(e.range);
        fix.edits.push_back(std::move(e));
      }
    }
  }
  for (const auto& c : creations) what.insert(what.begin(), std::string(texts[c.text]->slice(texts[c.text]->script.commands[c.command].span)));

  // ---- ENV entries
  for (std::uint32_t i = 0; i < tree.instructions.size(); ++i) {
    const auto& inst = tree.instructions[i];
    if (!inst.is("env")) continue;
    const auto entries = model::env_entries(inst);
    std::vector<bool> gone(entries.size(), false);
    for (std::size_t k = 0; k < entries.size(); ++k) {
      const auto& e = entries[k];
      if (e.name == "VIRTUAL_ENV") {
        gone[k] = true;
        what.push_back("ENV VIRTUAL_ENV=" + e.value);
        continue;
      }
      if (e.name != "PATH") continue;
      std::vector<std::string> keep;
      bool changed = false;
      std::size_t start = 0;
      for (std::size_t p = 0; p <= e.value.size(); ++p) {
        if (p < e.value.size() && e.value[p] != ':') continue;
        const std::string el = e.value.substr(start, p - start);
        start = p + 1;
        const bool venv_bin = (ends_with(el, "/bin") && is_venv_path(el.substr(0, el.size() - 4))) ||
                              el == "$VIRTUAL_ENV/bin" || el == "${VIRTUAL_ENV}/bin";
        if (venv_bin) changed = true;
        else keep.push_back(el);
      }
      if (!changed) continue;
      what.push_back("ENV PATH=" + e.value);
      if (keep.empty() || (keep.size() == 1 && (keep[0] == "$PATH" || keep[0] == "${PATH}"))) {
        gone[k] = true;
      } else {
        note_at(inst.keyword_span);
        fix.edits.push_back(edit::replace_value(tree, inst, e.value_index, join(keep, ":")));
      }
    }
    if (std::none_of(gone.begin(), gone.end(), [](bool g) { return g; })) continue;
    note_at(inst.keyword_span);
    if (std::all_of(gone.begin(), gone.end(), [](bool g) { return g; })) {
      // Drop the value edits made above for this instruction: it goes whole.
      fix.edits.erase(std::remove_if(fix.edits.begin(), fix.edits.end(),
                                     [&](const edit::Edit& e) { return e.range.begin >= inst.span.begin && e.range.end <= inst.span.end; }),
                      fix.edits.end());
      removed.insert(i);
      whole.push_back(model::remove_instruction(tree, inst, {"venv", "virtualenv", "virtual env"}));
      continue;
    }
    // Runs of removed entries: up to the next kept entry, or from the previous one.
    for (std::size_t a = 0; a < entries.size();) {
      if (!gone[a]) {
        ++a;
        continue;
      }
      std::size_t b = a;
      while (b + 1 < entries.size() && gone[b + 1]) ++b;
      const model::JoinedSpan joined = b + 1 < entries.size()
                                           ? model::JoinedSpan{entries[a].joined.begin, entries[b + 1].joined.begin}
                                           : model::JoinedSpan{entries[a - 1].joined.end, entries[b].joined.end};
      for (auto& e : model::remove_joined(tree, inst, joined)) {
        removed_ranges.push_back(e.range);
        fix.edits.push_back(std::move(e));
      }
      a = b + 1;
    }
  }

  // ---- the stages whose venv another stage copies, and those copies
  struct VenvCopy {
    std::uint32_t inst;
    int from_stage;
  };
  std::vector<VenvCopy> copies;
  for (std::uint32_t i = 0; i < tree.instructions.size(); ++i) {
    const auto& inst = tree.instructions[i];
    if (!(inst.is("copy") || inst.is("add")) || inst.values.size() < 2) continue;
    const auto* from = inst.flag("from");
    if (!from) continue;
    bool all_venv = true;
    for (std::size_t s = 0; s + 1 < inst.values.size(); ++s) all_venv = all_venv && is_venv_path(inst.values[s].text);
    if (!all_venv) continue;
    copies.push_back({i, st.stage_named(from->value)});
    what.push_back(fmt::format("COPY --from={} {}", from->value, inst.values[0].text));
    note_at(inst.keyword_span);
  }
  // pip installs of a venv stage that another stage copies go to /install instead.
  std::set<int> prefixed;
  for (const auto& cp : copies) {
    const auto& inst = tree.instructions[cp.inst];
    if (cp.from_stage < 0) {
      fixable = false;  // copied from an image: where its packages come from is unknown
      continue;
    }
    bool has_packages = false;
    for (std::size_t t = 0; t < texts.size(); ++t) {
      const auto& sh = *texts[t];
      if (st.stage_of(sh.instruction) != cp.from_stage) continue;
      for (const auto& c : sh.script.commands) {
        if (const auto uw = uv_pip_install(c)) {
          has_packages = true;
          if (!installs_elsewhere(c) && !prefixed.count(cp.from_stage))
            fix.edits.push_back({sh.source(tree, {c.words[*uw].span.end, c.words[*uw].span.end}), " --prefix=/install"});
          continue;
        }
        std::size_t iw = 0;
        if (!is_pip_install(c, &iw) || tooling_only(c, iw)) continue;
        has_packages = true;
        if (installs_elsewhere(c) || prefixed.count(cp.from_stage)) continue;
        const auto p = shell::insertion_point(c, shell::InsertAt::AfterSubcommand);
        if (p) fix.edits.push_back({sh.source(tree, {*p, *p}), " --prefix=/install"});
      }
    }
    prefixed.insert(cp.from_stage);
    // Does the copying stage already take /install from that stage?
    const int stage = st.stage_of(cp.inst);
    bool already = false;
    for (auto i : st.instructions(stage)) {
      const auto& in = tree.instructions[i];
      const auto* f = in.flag("from");
      if (!in.is("copy") || !f || st.stage_named(f->value) != cp.from_stage || in.values.size() != 2) continue;
      if (normalize_path(in.values[0].text) == "/install") already = true;
    }
    if (has_packages && !already) {
      fix.edits.push_back(edit::replace_args(inst, "/install /usr/local"));
      fix.reason = fmt::format("no virtual environment: packages install with --prefix=/install and reach the runtime "
                               "by COPY --from={} /install /usr/local",
                               inst.flag("from")->value);
    } else {
      removed.insert(cp.inst);
      whole.push_back(model::remove_instruction(tree, inst, {"venv", "virtualenv", "virtual env"}));
    }
  }

  // ---- programs called through the venv: by name
  for (std::uint32_t i = 0; i < tree.instructions.size(); ++i) {
    const auto& inst = tree.instructions[i];
    if (removed.count(i)) continue;
    if (!(inst.is("run") || inst.is("cmd") || inst.is("entrypoint") || inst.is("healthcheck") || inst.is("shell")))
      continue;
    auto scan = [&](std::string_view text, auto&& to_source) {
      for (const auto& pfx : bin_prefixes) {
        for (auto p = text.find(pfx); p != std::string_view::npos; p = text.find(pfx, p + 1)) {
          const auto e = p + pfx.size();
          if (e >= text.size() || !name_char(text[e]) || text.substr(e, 8) == "activate") continue;
          if (p > 0 && (name_char(text[p - 1]) || text[p - 1] == '/')) continue;  // part of a longer path
          const Span src = to_source(p, e);
          if (std::any_of(removed_ranges.begin(), removed_ranges.end(),
                          [&](const Span& r) { return src.begin < r.end && r.begin < src.end; }))
            continue;
          note_at(inst.keyword_span);
          std::size_t n = e;
          while (n < text.size() && name_char(text[n])) ++n;
          what.push_back(std::string(text.substr(p, n - p)));
          fix.edits.push_back({src, std::string()});
        }
      }
    };
    scan(inst.logical_args(), [&](std::size_t b, std::size_t e) {
      return inst.logical.to_source(Span{inst.args.begin + static_cast<std::uint32_t>(b), inst.args.begin + static_cast<std::uint32_t>(e)});
    });
    if (inst.is("run"))
      for (const auto& h : inst.heredocs)
        scan(tree.text(h.body), [&](std::size_t b, std::size_t e) {
          return Span{h.body.begin + static_cast<std::uint32_t>(b), h.body.begin + static_cast<std::uint32_t>(e)};
        });
  }

  // Packages that reach a venv other than by pip (uv sync, poetry, conda, ...)
  // cannot be redirected to /install: then only a person can remove it.
  // `uv pip install` into the venv installs into the image's Python instead
  // (--system), unless its stage's packages now go to /install (above).
  std::string blocker;
  for (const auto* shp : texts) {
    const auto& sh = *shp;
    const int stage = st.stage_of(sh.instruction);
    if (!venv_stages.empty() && !venv_stages.count(stage)) continue;
    for (const auto& c : sh.script.commands) {
      const auto inv = shell::invocation(c);
      if (!inv) continue;
      if (const auto uw = uv_pip_install(c)) {
        if (!installs_elsewhere(c) && !prefixed.count(stage)) {
          fix.edits.push_back({sh.source(tree, {c.words[*uw].span.end, c.words[*uw].span.end}), " --system"});
          what.push_back(std::string(sh.slice(c.span)));
        }
        continue;
      }
      for (const char* other : {"uv", "poetry", "pipenv", "pdm", "conda", "mamba", "micromamba", "pipx", "easy_install", "hatch"})
        if (inv->name == other && !(inv->name == "uv" && inv->args < c.words.size() && c.words[inv->args].value == "venv"))
          blocker = std::string(inv->name);
      if (starts_with(inv->name, "python") && std::any_of(c.words.begin(), c.words.end(), [](const shell::Word& w) { return w.value == "setup.py"; }))
        blocker = "setup.py";
    }
  }
  // Every remaining mention of the venv must be one the edits take care of.
  std::string dangling;
  for (std::uint32_t i = 0; i < tree.instructions.size() && dangling.empty(); ++i) {
    const auto& inst = tree.instructions[i];
    if (removed.count(i) || inst.is("from")) continue;
    auto covered = [&](Span src) {
      auto in = [&](const edit::Edit& e) { return e.range.begin <= src.begin && src.end <= e.range.end; };
      return std::any_of(fix.edits.begin(), fix.edits.end(), in) || std::any_of(whole.begin(), whole.end(), in);
    };
    auto scan = [&](std::string_view text, auto&& to_source) {
      for (const auto& d : found.dirs) {
        for (auto p = text.find(d); p != std::string_view::npos; p = text.find(d, p + 1)) {
          const auto e = p + d.size();
          if (p > 0 && (name_char(text[p - 1]) || (d[0] != '/' && text[p - 1] == '/'))) continue;
          if (e < text.size() && name_char(text[e])) continue;
          if (!covered(to_source(p, e))) {
            dangling = std::string(tree.text(inst.keyword_span)) + " on line " + std::to_string(tree.position(inst.keyword_span.begin).first);
            return;
          }
        }
      }
    };
    scan(inst.logical.text, [&](std::size_t b, std::size_t e) {
      return inst.logical.to_source(Span{static_cast<std::uint32_t>(b), static_cast<std::uint32_t>(e)});
    });
    for (const auto& h : inst.heredocs)
      scan(tree.text(h.body), [&](std::size_t b, std::size_t e) {
        return Span{h.body.begin + static_cast<std::uint32_t>(b), h.body.begin + static_cast<std::uint32_t>(e)};
      });
  }

  // The same edit may come from two venv spellings ("/opt/venv" and "$VIRTUAL_ENV"): keep one.
  std::sort(fix.edits.begin(), fix.edits.end(), [](const edit::Edit& a, const edit::Edit& b) {
    return std::tie(a.range.begin, a.range.end, a.text) < std::tie(b.range.begin, b.range.end, b.text);
  });
  fix.edits.erase(std::unique(fix.edits.begin(), fix.edits.end()), fix.edits.end());
  // Edits inside an instruction that goes whole go with it.
  for (auto i : removed) {
    const auto& inst = tree.instructions[i];
    fix.edits.erase(std::remove_if(fix.edits.begin(), fix.edits.end(),
                                   [&](const edit::Edit& e) {
                                     return e.range.begin >= inst.text.begin && e.range.end <= inst.text.end;
                                   }),
                    fix.edits.end());
  }
  fix.edits.insert(fix.edits.end(), whole.begin(), whole.end());
  std::vector<std::string> dirs(found.dirs.begin(), found.dirs.end());
  dirs.erase(std::remove_if(dirs.begin(), dirs.end(), [](const std::string& d) { return d.empty() || d[0] != '/'; }), dirs.end());
  std::vector<std::string> uniq;
  for (const auto& w : what)
    if (std::find(uniq.begin(), uniq.end(), w) == uniq.end()) uniq.push_back(w);
  auto f = finding(fmt::format("virtual environment {}", dirs.empty() ? *found.dirs.begin() : join(dirs, ", ")),
                   have_at ? at : tree.instructions[st.stages().front().from].keyword_span, join(uniq, "; "),
                   "no virtual environment (packages in the image's Python)", ref);
  if (!blocker.empty()) f.message += fmt::format(" (packages reach it through {}: remove it by hand)", blocker);
  else if (!dangling.empty()) f.message += fmt::format(" ({} still uses it: remove it by hand)", dangling);
  else if (!fixable) f.message += " (remove it by hand)";
  if (fixable && blocker.empty() && dangling.empty() && !fix.edits.empty()) f.fix = std::move(fix);
  out.findings.push_back(std::move(f));
}

}  // namespace

const RuleRegistration k_venv{RuleSpec("venv")
    .example("FROM python:3.12-slim\n"
             "RUN python3 -m venv /venv\n"
             "ENV PATH=\"/venv/bin:$PATH\"\n"
             "RUN pip install --no-cache-dir flask==3.0.3\n"
             "COPY app.py /app/\n"
             "CMD [\"python3\", \"/app/app.py\"]\n",
             "FROM python:3.12-slim\n"
             "RUN pip install --no-cache-dir flask==3.0.3\n"
             "COPY app.py /app/\n"
             "CMD [\"python3\", \"/app/app.py\"]\n",
             "FROM python:3.12-slim\n"
             "RUN pip install --no-cache-dir flask==3.0.3\n"
             "COPY app.py /app/\n"
             "CMD [\"python3\", \"/app/app.py\"]\n")
    .example_policy("defaults:\n"
                    "  venv: {allowed: false}\n")
    .kind(RuleKind::Policy)
    .safety(FixSafety::Unsafe)
    .priority(2)
    .order(50)
    .summary("no virtual environments (venv.allowed: false)")
    .fix("removes venv creation and activation, VIRTUAL_ENV and the venv's PATH entry, COPY of the venv; "
        "calls its programs by name; the stage that built it installs with --prefix=/install and the "
        "runtime copies /install to /usr/local")
    .check(&check)};

}  // namespace dockmend::transforms::rules
