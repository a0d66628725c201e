// ports: the runtime stage exposes exactly the service's ports and its health
// port, in one EXPOSE; ENV variables naming an old port follow when the new
// value is certain.
#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "edit/builders.hpp"
#include "model/instruction_edits.hpp"
#include "model/text.hpp"
#include "model/values.hpp"
#include "transforms/findings.hpp"
#include "transforms/rule.hpp"

namespace dockmend::transforms::rules {
namespace {

using model::icontains;
using model::join;
using model::lower;

struct Wanted {
  int number = 0;
  std::string protocol;  // lower case
};

struct Exposed {
  std::uint32_t inst = 0;
  std::size_t value = 0;
  std::string raw;             // as written
  std::string resolved;        // variables expanded ("" when they cannot be)
  std::optional<int> number;   // a single port (not a range)
  std::string protocol = "tcp";
  bool explicit_protocol = false;
};

std::string show(int number, const std::string& protocol) {
  return protocol == "tcp" ? std::to_string(number) : fmt::format("{}/{}", number, protocol);
}

Exposed read_word(const model::Model& st, const model::Vars& vars, std::uint32_t i, std::size_t v) {
  const auto& inst = st.tree().instructions[i];
  Exposed e;
  e.inst = i;
  e.value = v;
  e.raw = inst.values[v].text;
  e.resolved = model::expand(model::unquote(e.raw), vars).value_or("");
  std::string_view r = e.resolved;
  if (const auto slash = r.find('/'); slash != std::string_view::npos) {
    e.protocol = lower(r.substr(slash + 1));
    e.explicit_protocol = true;
    r = r.substr(0, slash);
  }
  e.number = model::parse_port(r);
  return e;
}

// Where an added EXPOSE goes: before the stage's HEALTHCHECK/ENTRYPOINT/CMD
// block, else at the end of the stage.
std::uint32_t before_start_block(const syntax::Tree& tree, const model::Model& st, int stage) {
  for (auto i : st.instructions(stage)) {
    const auto& kw = tree.instructions[i].keyword;
    if (kw == "healthcheck" || kw == "entrypoint" || kw == "cmd") return i;
  }
  return st.stages()[static_cast<std::size_t>(stage)].end;
}

void check(const Context& ctx, Outcome& out) {
  const policy::Service* svc = ctx.service;
  const bool shared = ctx.policy.default_ports && !ctx.policy.default_ports->empty();
  if (!policy_rule_applies(svc && (svc->ports || svc->health_port || shared), ctx, out)) return;
  const model::Model& st = ctx.model;
  const int fin = st.shipped();
  const auto& tree = ctx.tree;
  const auto style = edit::style_of(tree);
  const std::string ref = svc->ref;

  std::vector<Wanted> wanted;
  // The service's ports, then the shared defaults.ports it does not list. A
  // service without `ports` has its own ports unchecked: it must expose the
  // shared ports and its health port, and may expose others (kept as they are).
  const bool exact_list = svc->ports.has_value();
  if (const auto ports = policy::service_ports(ctx.policy, *svc))
    for (const auto& p : *ports) wanted.push_back({p.number, lower(p.protocol)});
  else if (ctx.policy.default_ports)
    for (const auto& p : *ctx.policy.default_ports) wanted.push_back({p.number, lower(p.protocol)});
  if (svc->health_port &&
      std::none_of(wanted.begin(), wanted.end(), [&](const Wanted& w) { return w.number == *svc->health_port && w.protocol == "tcp"; }))
    wanted.push_back({*svc->health_port, "tcp"});
  std::vector<std::string> wanted_text;
  for (const auto& w : wanted) wanted_text.push_back(show(w.number, w.protocol));

  // What the image exposes: every EXPOSE of the runtime stage and the stages it builds on.
  std::vector<std::uint32_t> exposes;
  std::vector<Exposed> words;
  for (int s : st.chain(fin))
    for (auto i : st.instructions(s)) {
      const auto& inst = tree.instructions[i];
      if (!inst.is("expose")) continue;
      exposes.push_back(i);
      const model::Vars vars = st.state_before(i).vars;
      for (std::size_t v = 0; v < inst.values.size(); ++v) words.push_back(read_word(st, vars, i, v));
    }

  std::vector<std::string> current_text;
  std::set<std::pair<int, std::string>> current_set;
  // Split EXPOSE lines that list the right ports, each once, are as right as one line.
  bool exact = !exposes.empty();
  for (const auto& w : words) {
    if (w.number) {
      current_text.push_back(show(*w.number, w.protocol));
      if (!current_set.insert({*w.number, w.protocol}).second) exact = false;
    } else {
      current_text.push_back(w.resolved.empty() ? w.raw : w.resolved);
      exact = false;
    }
  }
  std::set<std::pair<int, std::string>> wanted_set;
  for (const auto& w : wanted) wanted_set.insert({w.number, w.protocol});
  exact = exact && current_set == wanted_set;

  const auto& final_from = tree.instructions[st.stages()[static_cast<std::size_t>(fin)].from];
  if (!exact_list) {
    // Only what is required: each wanted port exposed (literally or through a
    // resolved variable); the others stay.
    std::vector<Wanted> missing;
    for (const auto& w : wanted)
      if (std::none_of(words.begin(), words.end(), [&](const Exposed& e) {
            return e.number && *e.number == w.number && e.protocol == w.protocol;
          }))
        missing.push_back(w);
    if (missing.empty()) {
      out.correct.push_back(fmt::format("EXPOSE {} (shared and health ports; the service's own ports are not listed "
                                        "in the policy)",
                                        join(wanted_text, " ")));
      return;
    }
    std::vector<std::string> add;
    const bool all_explicit = !words.empty() && std::all_of(words.begin(), words.end(), [](const Exposed& w) {
      return w.protocol != "tcp" || w.explicit_protocol;
    });
    for (const auto& w : missing)
      add.push_back(w.protocol != "tcp" || all_explicit ? fmt::format("{}/{}", w.number, w.protocol)
                                                        : std::to_string(w.number));
    edit::Fix fix;
    fix.reason = fmt::format("EXPOSE {} as well", join(add, " "));
    syntax::Span at = final_from.keyword_span;
    if (!exposes.empty()) {
      // Appended to the last EXPOSE: the ports already there stay as written.
      const auto& last = tree.instructions[exposes.back()];
      at = last.keyword_span;
      const auto end = last.args_source().end;
      fix.edits.push_back(edit::Edit{{end, end}, " " + join(add, " ")});
    } else {
      const std::uint32_t where = before_start_block(tree, st, fin);
      fix.edits.push_back(model::insert_at(st, fin, where, {edit::keyword(style, "expose") + " " + join(add, " ")}));
    }
    std::vector<std::string> missing_text;
    for (const auto& w : missing) missing_text.push_back(show(w.number, w.protocol));
    auto f = finding(fmt::format("the image does not expose {} (shared or health port)", join(missing_text, ", ")), at,
                     current_text.empty() ? "nothing exposed" : join(current_text, ", "),
                     fmt::format("{} among the exposed ports", join(wanted_text, ", ")), ref);
    f.fix = std::move(fix);
    out.findings.push_back(std::move(f));
    return;
  }
  if (exact) {
    out.correct.push_back(fmt::format("EXPOSE {} (service port{} and health port)", join(wanted_text, " "),
                                      svc->ports && svc->ports->size() > 1 ? "s" : ""));
  } else {
    // The new word list: an existing word for a port is kept as written (a
    // variable stays a variable); new ones follow the file's /tcp habit.
    // The file's habit for TCP ports: `8080/tcp` when every TCP port it exposes is written so.
    const bool any_tcp = std::any_of(words.begin(), words.end(), [](const Exposed& w) { return w.protocol == "tcp"; });
    const bool all_explicit = any_tcp && std::all_of(words.begin(), words.end(), [](const Exposed& w) {
                                return w.protocol != "tcp" || w.explicit_protocol;
                              });
    auto format_new = [&](const Wanted& w) {
      return w.protocol != "tcp" || all_explicit ? fmt::format("{}/{}", w.number, w.protocol) : std::to_string(w.number);
    };
    edit::Fix fix;
    // `EXPOSE ${HEALTH_PORT}`: a variable whose name says health port takes the
    // health port in its ENV, and the word keeps the variable.
    std::vector<bool> health_var(words.size(), false);
    if (svc->health_port)
      for (std::size_t k = 0; k < words.size(); ++k) {
        const std::string& raw = words[k].raw;
        if (raw.empty() || raw[0] != '$' || (words[k].number && *words[k].number == *svc->health_port)) continue;
        std::string name = raw.substr(raw[1] == '{' ? 2 : 1);
        name = name.substr(0, name.find_first_of("}:-/"));
        const auto n = lower(name);
        if (n.find("health") == std::string::npos || n.find("port", n.find("health")) == std::string::npos) continue;
        const syntax::Instruction* def = nullptr;
        std::size_t value_index = 0;
        for (auto i : st.chain_instructions(fin)) {
          if (i >= words[k].inst) break;
          const auto& in = tree.instructions[i];
          if (in.is("env"))
            for (const auto& e : model::env_entries(in))
              if (e.name == name && !e.legacy) {
                def = &in;
                value_index = e.value_index;
              }
        }
        if (!def) continue;
        fix.edits.push_back(edit::replace_value(tree, *def, value_index, std::to_string(*svc->health_port)));
        words[k].number = *svc->health_port;
        words[k].protocol = "tcp";
        health_var[k] = true;
      }
    // In place: each wanted port keeps its word where it is; a word for a port not
    // wanted gives its place to a missing one; the rest are added at the end.
    std::vector<bool> used(wanted.size(), false);
    std::vector<std::size_t> keep_of_word(words.size(), std::string::npos);
    for (std::size_t k = 0; k < words.size(); ++k)
      for (std::size_t j = 0; j < wanted.size(); ++j)
        if (!used[j] && words[k].number && *words[k].number == wanted[j].number && words[k].protocol == wanted[j].protocol) {
          used[j] = true;
          keep_of_word[k] = j;
          break;
        }
    std::vector<std::string> new_words;
    std::size_t next_missing = 0;
    auto take_missing = [&]() -> std::optional<std::string> {
      while (next_missing < wanted.size() && used[next_missing]) ++next_missing;
      if (next_missing >= wanted.size()) return std::nullopt;
      used[next_missing] = true;
      return format_new(wanted[next_missing]);
    };
    for (std::size_t k = 0; k < words.size(); ++k) {
      if (keep_of_word[k] != std::string::npos) new_words.push_back(words[k].raw);
      else if (auto m = take_missing()) new_words.push_back(*m);
    }
    while (auto m = take_missing()) new_words.push_back(*m);
    (void)health_var;
    fix.reason = fmt::format("EXPOSE {}", join(new_words, " "));
    syntax::Span at = final_from.keyword_span;
    if (!exposes.empty()) {
      const auto& first = tree.instructions[exposes.front()];
      at = first.keyword_span;
      if (!new_words.empty()) {
        fix.edits.push_back(edit::replace_args(first, join(new_words, " ")));
      } else {
        fix.edits.push_back(model::remove_instruction(tree, first, std::vector<std::string>{}));
      }
      for (std::size_t k = 1; k < exposes.size(); ++k)
        fix.edits.push_back(edit::remove_instruction(tree, tree.instructions[exposes[k]], true));
    } else if (!new_words.empty()) {
      const std::uint32_t where = before_start_block(tree, st, fin);
      fix.edits.push_back(model::insert_at(st, fin, where, {edit::keyword(style, "expose") + " " + join(new_words, " ")}));
    }
    std::string message = exposes.size() > 1 ? fmt::format("{} EXPOSE instructions; the service exposes {}", exposes.size(),
                                                            join(wanted_text, ", "))
                          : exposes.empty() ? "no EXPOSE in the runtime stage"
                                            : "exposed ports are not the service's ports";
    auto f = finding(std::move(message), at, current_text.empty() ? "nothing exposed" : join(current_text, ", "),
                     join(wanted_text, ", "), ref);
    f.fix = std::move(fix);
    out.findings.push_back(std::move(f));
  }

  // ENV variables that name a port the image exposed before: follow the new ports
  // when only one new value fits.
  std::set<int> old_ports, new_ports;
  for (const auto& w : words)
    if (w.number) old_ports.insert(*w.number);
  for (const auto& w : wanted) new_ports.insert(w.number);
  struct PortVar {
    std::uint32_t inst;
    model::EnvEntry entry;
    int value;
  };
  std::vector<PortVar> stale;
  std::set<int> held;  // service ports some PORT variable already names
  for (int s : st.chain(fin))
    for (auto i : st.instructions(s)) {
      const auto& inst = tree.instructions[i];
      if (!inst.is("env")) continue;
      for (auto& e : model::env_entries(inst)) {
        if (!icontains(e.name, "port")) continue;
        const auto v = model::parse_port(e.value);
        if (!v) continue;
        if (new_ports.count(*v)) held.insert(*v);
        else if (old_ports.count(*v)) stale.push_back({i, e, *v});
      }
    }
  std::vector<std::optional<int>> target(stale.size());
  for (std::size_t k = 0; k < stale.size(); ++k) {
    std::vector<int> candidates;
    if (icontains(stale[k].entry.name, "health")) {
      if (svc->health_port) candidates.push_back(*svc->health_port);
    } else if (svc->ports) {
      for (const auto& p : *svc->ports)
        if (!held.count(p.number) && (!svc->health_port || p.number != *svc->health_port)) candidates.push_back(p.number);
    }
    if (candidates.size() == 1) target[k] = candidates[0];
  }
  // Two variables wanting the same new service port: neither mapping is certain.
  std::map<int, int> wanted_by;
  for (std::size_t k = 0; k < stale.size(); ++k)
    if (target[k] && !icontains(stale[k].entry.name, "health")) ++wanted_by[*target[k]];
  for (std::size_t k = 0; k < stale.size(); ++k)
    if (target[k] && !icontains(stale[k].entry.name, "health") && wanted_by[*target[k]] > 1) target[k].reset();
  for (std::size_t k = 0; k < stale.size(); ++k) {
    const auto& pv = stale[k];
    const auto& inst = tree.instructions[pv.inst];
    const syntax::Span at = model::to_source(inst, pv.entry.joined);
    const std::string current = fmt::format("{}={}", pv.entry.name, pv.value);
    if (target[k]) {
      auto f = finding(fmt::format("ENV {} names port {}, which the service no longer uses", pv.entry.name, pv.value), at,
                       current, fmt::format("{}={}", pv.entry.name, *target[k]), ref);
      edit::Fix fix;
      fix.reason = fmt::format("{} {} -> {}", pv.entry.name, pv.value, *target[k]);
      fix.edits.push_back(edit::replace_value(tree, inst, pv.entry.value_index, std::to_string(*target[k])));
      f.fix = std::move(fix);
      out.findings.push_back(std::move(f));
    } else {
      out.findings.push_back(finding(
          fmt::format("ENV {} names port {}, which the service no longer uses; no single new port fits", pv.entry.name,
                      pv.value),
          at, current, fmt::format("one of {}, or remove it (by hand)", join(wanted_text, ", ")), ref));
    }
  }
}

}  // namespace

const RuleRegistration k_ports{RuleSpec("ports")
    .example("FROM python:3.12-slim\n"
             "COPY . /app\n"
             "EXPOSE 5000\n"
             "CMD [\"python3\", \"/app/main.py\"]\n",
             "FROM python:3.12-slim\n"
             "COPY . /app\n"
             "EXPOSE 8080 8081\n"
             "CMD [\"python3\", \"/app/main.py\"]\n",
             "FROM python:3.12-slim\n"
             "COPY . /app\n"
             "EXPOSE 8080 8081\n"
             "CMD [\"python3\", \"/app/main.py\"]\n")
    .example_policy("services:\n"
                    "  api:\n"
                    "    dockerfile: Dockerfile\n"
                    "    ports: [8080]\n"
                    "    health_port: 8081\n")
    .kind(RuleKind::Policy)
    .safety(FixSafety::Unsafe)
    .priority(1)
    .order(10)
    .summary("the runtime stage exposes exactly the service's ports and health port (services.*.ports, health_port)")
    .fix("rewrites the first EXPOSE to list them (keeping /tcp, /udp and variables), removes the others; "
        "ENV *PORT* variables holding an old port follow when the new port is certain")
    .check(&check)};

}  // namespace dockmend::transforms::rules
