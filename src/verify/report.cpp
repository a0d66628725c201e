// Run-time checks read from the container, and the report (text and JSON).
#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "syntax/dump.hpp"
#include "verify/verify.hpp"

namespace dockmend::verify {

std::string parse_id_output(std::string_view s) {
  // "uid=10001(appuser) gid=10001(appuser) groups=10001(appuser)"
  auto num_after = [&](std::string_view key) -> std::string {
    const auto p = s.find(key);
    if (p == std::string_view::npos) return "";
    std::size_t i = p + key.size(), j = i;
    while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
    return std::string(s.substr(i, j - i));
  };
  const std::string u = num_after("uid="), g = num_after("gid=");
  if (u.empty() || g.empty()) return "";
  return u + ":" + g;
}

std::vector<std::string> parse_cmdline(std::string_view raw) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < raw.size()) {
    std::size_t e = raw.find('\0', i);
    if (e == std::string_view::npos) e = raw.size();
    out.emplace_back(raw.substr(i, e - i));
    i = e + 1;
  }
  return out;
}

RunCheck check_user(const Expectations& e, std::string_view id_output) {
  RunCheck c;
  c.name = "user";
  c.actual = parse_id_output(id_output);
  if (!e.uid && !e.gid && e.user_name.empty()) {
    c.skipped = true;
    c.message = "the policy names no user";
    return c;
  }
  if (c.actual.empty()) {
    c.message = fmt::format("could not read `id` in the container: {}", std::string(id_output.substr(0, 200)));
    return c;
  }
  const auto colon = c.actual.find(':');
  const std::string uid = c.actual.substr(0, colon), gid = c.actual.substr(colon + 1);
  c.expected = fmt::format("{}:{}", e.uid ? std::to_string(*e.uid) : "*", e.gid ? std::to_string(*e.gid) : "*");
  bool ok = (!e.uid || uid == std::to_string(*e.uid)) && (!e.gid || gid == std::to_string(*e.gid));
  if (!e.uid && !e.gid) ok = uid != "0";  // a name only: at least not root
  if (!e.user_name.empty() && id_output.find("(" + e.user_name + ")") == std::string_view::npos) ok = false;
  if (!e.user_name.empty()) c.expected += " (" + e.user_name + ")";
  c.ok = ok;
  c.message = ok ? fmt::format("runs as {}", c.actual)
                 : fmt::format("runs as {} ({}), the policy asks {}", c.actual, std::string(id_output.substr(0, 120)),
                               c.expected);
  return c;
}

RunCheck check_pid1(const Expectations& e, std::string_view raw) {
  RunCheck c;
  c.name = "pid1";
  if (e.tini.empty()) {
    c.skipped = true;
    c.message = "the policy asks for no init";
    return c;
  }
  const auto args = parse_cmdline(raw);
  c.expected = e.tini;
  c.actual = args.empty() ? "" : args[0];
  for (std::size_t i = 1; i < args.size() && i < 4; ++i) c.actual += " " + args[i];
  if (args.empty()) {
    c.message = "could not read /proc/1/cmdline in the container";
    return c;
  }
  // tini may be started by another path to the same program (`tini`, a link).
  const std::string& p = args[0];
  const auto base = [](const std::string& s) { return s.substr(s.rfind('/') == std::string::npos ? 0 : s.rfind('/') + 1); };
  c.ok = p == e.tini || base(p) == base(e.tini);
  c.message = c.ok ? fmt::format("PID 1 is {}", c.actual) : fmt::format("PID 1 is {}, not {}", c.actual, e.tini);
  return c;
}

bool probes_port(const std::string& test, std::optional<int> port) {
  if (!port || test.empty() || test == "NONE") return false;
  const std::string p = std::to_string(*port);
  for (auto at = test.find(p); at != std::string::npos; at = test.find(p, at + 1)) {
    const bool before = at > 0 && test[at - 1] == ':';
    const bool after = at + p.size() == test.size() || !std::isdigit(static_cast<unsigned char>(test[at + p.size()]));
    if (before && after) return true;
  }
  return false;
}

std::vector<RunCheck> check_config(const Expectations& e, const ImageConfig& c) {
  std::vector<RunCheck> out;
  auto add = [&](std::string name, bool ok, std::string expected, std::string actual) {
    RunCheck r;
    r.name = std::move(name);
    r.ok = ok;
    r.expected = std::move(expected);
    r.actual = actual.empty() ? "(none)" : std::move(actual);
    r.message = ok ? fmt::format("{} as the policy asks", r.actual)
                   : fmt::format("{}, the policy asks {}", r.actual, r.expected);
    out.push_back(std::move(r));
  };
  if (!e.user_name.empty() || e.uid) {
    std::vector<std::string> accepted;
    if (!e.user_name.empty()) accepted.push_back(e.user_name);
    if (e.uid) accepted.push_back(std::to_string(*e.uid));
    if (e.uid && e.gid) accepted.push_back(fmt::format("{}:{}", *e.uid, *e.gid));
    if (!e.user_name.empty() && e.gid) accepted.push_back(fmt::format("{}:{}", e.user_name, *e.gid));
    const bool ok = std::find(accepted.begin(), accepted.end(), c.user) != accepted.end();
    add("config-user", ok, accepted.front(), c.user);
  }
  if (!e.tini.empty()) {
    const bool ok = c.entrypoint && !c.entrypoint->empty() && (*c.entrypoint)[0] == e.tini;
    std::string actual;
    if (c.entrypoint)
      for (const auto& a : *c.entrypoint) actual += (actual.empty() ? "" : " ") + a;
    add("config-entrypoint", ok, e.tini + " first", actual);
  }
  if (!e.ports.empty()) {
    std::vector<std::string> want = e.ports;
    std::sort(want.begin(), want.end());
    std::string w, a;
    for (const auto& p : want) w += (w.empty() ? "" : " ") + p;
    for (const auto& p : c.exposed_ports) a += (a.empty() ? "" : " ") + p;
    add("config-ports", want == c.exposed_ports, w, a);
  }
  if (!e.health_probe.empty() && c.healthcheck_known) {
    std::string a;
    if (c.healthcheck)
      for (const auto& x : *c.healthcheck) a += (a.empty() ? "" : " ") + x;
    // The policy's probe, or another one of the service's health port (the
    // healthcheck rule accepts any probe of that port).
    const bool ok = a.find(e.health_probe) != std::string::npos || probes_port(a, e.health_port);
    add("config-healthcheck", ok, e.health_probe, a);
  }
  return out;
}

std::vector<std::string> health_exec_argv(const std::vector<std::string>& test) {
  if (test.empty()) return {};
  if (test[0] == "CMD-SHELL" && test.size() >= 2) return {"/bin/sh", "-c", test[1]};
  if (test[0] == "CMD" && test.size() >= 2) return std::vector<std::string>(test.begin() + 1, test.end());
  return {};  // NONE, or an unknown form
}

// ------------------------------------------------------------------ the report

std::string_view status_name(FileResult::Status s) {
  switch (s) {
    case FileResult::Status::Verified: return "verified";
    case FileResult::Status::Unexplained: return "unexplained-differences";
    case FileResult::Status::FixedFailed: return "fixed-build-failed";
    case FileResult::Status::CannotVerify: return "cannot-verify";
    case FileResult::Status::Unchanged: return "unchanged";
  }
  return "?";
}

int exit_code(const std::vector<FileResult>& results) {
  bool bad = false, cannot = false;
  for (const auto& r : results) {
    if (r.status == FileResult::Status::Unexplained || r.status == FileResult::Status::FixedFailed) bad = true;
    for (const auto& c : r.run_checks)
      if (!c.ok && !c.skipped) bad = true;
    if (r.status == FileResult::Status::CannotVerify) cannot = true;
  }
  return bad ? 1 : cannot ? 2 : 0;
}

namespace {

std::string_view kind_name(Difference::Kind k) {
  switch (k) {
    case Difference::Kind::Config: return "config";
    case Difference::Kind::Added: return "added";
    case Difference::Kind::Removed: return "removed";
    case Difference::Kind::Changed: return "changed";
  }
  return "?";
}

std::string diff_line(const Difference& d) {
  switch (d.kind) {
    case Difference::Kind::Config: return fmt::format("{}: {} -> {}", d.what, d.before, d.after);
    case Difference::Kind::Added: return fmt::format("+ {} ({})", d.what, d.after);
    case Difference::Kind::Removed: return fmt::format("- {} ({})", d.what, d.before);
    case Difference::Kind::Changed: return fmt::format("~ {} ({} -> {})", d.what, d.before, d.after);
  }
  return "";
}

}  // namespace

std::string render_text(const std::vector<FileResult>& results, std::string_view builder, bool verbose) {
  std::string out;
  for (const auto& r : results) {
    out += fmt::format("{}: {}", r.path, status_name(r.status));
    if (!r.reason.empty()) out += ": " + r.reason;
    out += "\n";
    if (!r.log.empty()) out += fmt::format("  build log: {}\n", r.log);
    if (!r.fixes.empty()) {
      std::vector<std::string> ids;
      for (const auto& f : r.fixes)
        if (std::find(ids.begin(), ids.end(), f.rule) == ids.end()) ids.push_back(f.rule);
      std::string s;
      for (const auto& i : ids) s += (s.empty() ? "" : ", ") + i;
      out += fmt::format("  fixes applied: {}\n", s);
    }
    std::size_t unexplained = 0;
    std::map<std::string, std::vector<const Difference*>> by_rule;
    for (const auto& d : r.differences) {
      if (d.explained_by.empty()) {
        ++unexplained;
        out += fmt::format("  UNEXPLAINED {}\n", diff_line(d));
      } else {
        by_rule[d.explained_by].push_back(&d);
      }
    }
    for (const auto& [rule, ds] : by_rule) {
      const std::size_t shown = verbose ? ds.size() : std::min<std::size_t>(ds.size(), 5);
      out += fmt::format("  explained by {} ({} difference{}):\n", rule, ds.size(), ds.size() == 1 ? "" : "s");
      for (std::size_t i = 0; i < shown; ++i) out += fmt::format("    {}  [{}]\n", diff_line(*ds[i]), ds[i]->because);
      if (shown < ds.size()) out += fmt::format("    ... {} more (--verbose lists them)\n", ds.size() - shown);
    }
    for (const auto& c : r.run_checks)
      out += fmt::format("  check {}: {}: {}\n", c.name, c.skipped ? "skipped" : c.ok ? "ok" : "FAILED", c.message);
    if (!r.original_image.empty() || !r.fixed_image.empty())
      out += fmt::format("  images kept: {} {}\n", r.original_image, r.fixed_image);
    (void)unexplained;
  }
  std::size_t counts[5] = {0, 0, 0, 0, 0};
  for (const auto& r : results) ++counts[static_cast<int>(r.status)];
  out += fmt::format("dockmend verify ({}): {} verified, {} with unexplained differences, {} fixed build{} failed, "
                     "{} could not be verified, {} unchanged\n",
                     builder, counts[0], counts[1], counts[2], counts[2] == 1 ? "" : "s", counts[3], counts[4]);
  return out;
}

std::string render_json(const std::vector<FileResult>& results, std::string_view builder) {
  using syntax::json_quote;
  std::string out = fmt::format("{{\n  \"builder\": {},\n  \"files\": [", json_quote(builder));
  for (std::size_t i = 0; i < results.size(); ++i) {
    const auto& r = results[i];
    out += i ? ",\n    {" : "\n    {";
    out += fmt::format("\"path\": {}, \"status\": {}, \"reason\": {}, \"log\": {},", json_quote(r.path),
                       json_quote(status_name(r.status)), json_quote(r.reason), json_quote(r.log));
    out += "\n     \"fixes\": [";
    for (std::size_t j = 0; j < r.fixes.size(); ++j)
      out += fmt::format("{}{{\"rule\": {}, \"message\": {}}}", j ? ", " : "", json_quote(r.fixes[j].rule),
                         json_quote(r.fixes[j].detail));
    out += "],\n     \"differences\": [";
    for (std::size_t j = 0; j < r.differences.size(); ++j) {
      const auto& d = r.differences[j];
      out += fmt::format("{}\n       {{\"kind\": {}, \"what\": {}, \"before\": {}, \"after\": {}, \"explained_by\": {}, "
                         "\"because\": {}}}",
                         j ? "," : "", json_quote(kind_name(d.kind)), json_quote(d.what), json_quote(d.before),
                         json_quote(d.after), d.explained_by.empty() ? "null" : json_quote(d.explained_by),
                         json_quote(d.because));
    }
    out += "],\n     \"run_checks\": [";
    for (std::size_t j = 0; j < r.run_checks.size(); ++j) {
      const auto& c = r.run_checks[j];
      out += fmt::format("{}{{\"name\": {}, \"ok\": {}, \"skipped\": {}, \"expected\": {}, \"actual\": {}, "
                         "\"message\": {}}}",
                         j ? ", " : "", json_quote(c.name), c.ok ? "true" : "false", c.skipped ? "true" : "false",
                         json_quote(c.expected), json_quote(c.actual), json_quote(c.message));
    }
    out += fmt::format("],\n     \"images\": [{}, {}]}}", json_quote(r.original_image), json_quote(r.fixed_image));
  }
  out += fmt::format("\n  ],\n  \"exit_code\": {}\n}}\n", exit_code(results));
  return out;
}

}  // namespace dockmend::verify
