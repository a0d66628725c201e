// health-endpoint (report only): the service's Python source has a route at
// health.path answering health.body. A textual look: route decorators and
// registrations (FastAPI, Flask, aiohttp, Starlette, Django) and the dict the
// handler returns. What was looked at is part of every result.
#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "model/text.hpp"
#include "syntax/dump.hpp"
#include "transforms/findings.hpp"
#include "transforms/rule.hpp"

namespace dockmend::transforms::rules {
namespace {

using model::ends_with;
using model::icontains;
using model::join;
using model::starts_with;

struct Literal {
  std::string value;
  std::size_t begin = 0, end = 0;  // in the line, quotes included
};

// String literals of one line ('...' or "...", with r/b/f prefixes ignored).
std::vector<Literal> literals(std::string_view line) {
  std::vector<Literal> out;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '#') break;
    if (line[i] != '"' && line[i] != '\'') continue;
    const char q = line[i];
    Literal l;
    l.begin = i;
    std::size_t j = i + 1;
    for (; j < line.size() && line[j] != q; ++j) {
      if (line[j] == '\\' && j + 1 < line.size()) ++j;
      l.value += line[j];
    }
    l.end = std::min(j + 1, line.size());
    out.push_back(std::move(l));
    i = j;
  }
  return out;
}

bool ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// ---- a small reader for Python literals, giving canonical JSON
struct PyReader {
  std::string_view s;
  std::size_t p = 0;
  void blanks() {
    while (p < s.size() && (std::isspace(static_cast<unsigned char>(s[p])) || s[p] == '\\')) ++p;
  }
  std::optional<std::string> value() {
    blanks();
    if (p >= s.size()) return std::nullopt;
    const char c = s[p];
    if (c == '{') return dict();
    if (c == '[' || c == '(') return list(c == '[' ? ']' : ')');
    if (c == '"' || c == '\'') {
      auto v = str();
      if (!v) return std::nullopt;
      return syntax::json_quote(*v);
    }
    std::size_t b = p;
    while (p < s.size() && (ident_char(s[p]) || s[p] == '.' || s[p] == '-' || s[p] == '+')) ++p;
    const auto word = s.substr(b, p - b);
    if (word == "True") return std::string("true");
    if (word == "False") return std::string("false");
    if (word == "None") return std::string("null");
    if (!word.empty() && (std::isdigit(static_cast<unsigned char>(word[0])) || word[0] == '-')) return std::string(word);
    if (word == "dict" && p < s.size() && s[p] == '(') return kwargs();
    return std::nullopt;
  }
  std::optional<std::string> str() {
    const char q = s[p++];
    std::string v;
    while (p < s.size() && s[p] != q) {
      if (s[p] == '\\' && p + 1 < s.size()) ++p;
      v += s[p++];
    }
    if (p >= s.size()) return std::nullopt;
    ++p;
    return v;
  }
  std::optional<std::string> dict() {
    ++p;
    std::string out = "{";
    bool first = true;
    for (;;) {
      blanks();
      if (p < s.size() && s[p] == '}') {
        ++p;
        return out + "}";
      }
      if (p >= s.size() || (s[p] != '"' && s[p] != '\'')) return std::nullopt;
      auto k = str();
      if (!k) return std::nullopt;
      blanks();
      if (p >= s.size() || s[p] != ':') return std::nullopt;
      ++p;
      auto v = value();
      if (!v) return std::nullopt;
      out += (first ? "" : ", ") + syntax::json_quote(*k) + ": " + *v;
      first = false;
      blanks();
      if (p < s.size() && s[p] == ',') ++p;
    }
  }
  std::optional<std::string> list(char close) {
    ++p;
    std::string out = "[";
    bool first = true;
    for (;;) {
      blanks();
      if (p < s.size() && s[p] == close) {
        ++p;
        return out + "]";
      }
      auto v = value();
      if (!v) return std::nullopt;
      out += (first ? "" : ", ") + *v;
      first = false;
      blanks();
      if (p < s.size() && s[p] == ',') ++p;
    }
  }
  // `(status="ok", code=1)` as a dict.
  std::optional<std::string> kwargs() {
    ++p;
    std::string out = "{";
    bool first = true;
    for (;;) {
      blanks();
      if (p < s.size() && s[p] == ')') {
        ++p;
        return out + "}";
      }
      std::size_t b = p;
      while (p < s.size() && ident_char(s[p])) ++p;
      if (b == p) return std::nullopt;
      const std::string key(s.substr(b, p - b));
      blanks();
      if (p >= s.size() || s[p] != '=') return std::nullopt;
      ++p;
      auto v = value();
      if (!v) return std::nullopt;
      out += (first ? "" : ", ") + syntax::json_quote(key) + ": " + *v;
      first = false;
      blanks();
      if (p < s.size() && s[p] == ',') ++p;
    }
  }
};

struct Route {
  std::string file;
  std::uint32_t line = 0;
  std::string path;                 // normalised: leading /, no trailing /
  std::string handler;              // function name, "" when unknown
  std::optional<std::string> body;  // canonical JSON of what it returns
};

std::string normal_route(std::string p) {
  if (p.empty() || p[0] != '/') p = "/" + p;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

bool healthish(std::string_view p) {
  for (const char* w : {"health", "live", "ready", "ping", "status", "alive"})
    if (icontains(p, w)) return true;
  return false;
}

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> out;
  std::size_t b = 0;
  while (b <= text.size()) {
    auto e = text.find('\n', b);
    if (e == std::string_view::npos) e = text.size();
    std::string l(text.substr(b, e - b));
    if (!l.empty() && l.back() == '\r') l.pop_back();
    out.push_back(std::move(l));
    if (e == text.size()) break;
    b = e + 1;
  }
  return out;
}

std::size_t indent_of(const std::string& l) {
  std::size_t n = 0;
  while (n < l.size() && (l[n] == ' ' || l[n] == '\t')) ++n;
  return n;
}

// What the function `name` (defined in `lines`) returns: the first dict it
// returns or passes to a JSON response.
std::optional<std::string> handler_body(const std::vector<std::string>& lines, const std::string& name) {
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto& l = lines[i];
    const auto t = std::string_view(l).substr(indent_of(l));
    if (!(starts_with(t, "def " + name + "(") || starts_with(t, "async def " + name + "("))) continue;
    const auto ind = indent_of(l);
    std::string body;
    for (std::size_t k = i + 1; k < lines.size(); ++k) {
      if (!lines[k].empty() && indent_of(lines[k]) <= ind && lines[k].find_first_not_of(" \t") != std::string::npos) break;
      body += lines[k] + "\n";
    }
    for (std::size_t at = body.find("return"); at != std::string::npos; at = body.find("return", at + 1)) {
      std::size_t p = at + 6;
      // return {...} / JSONResponse({...}) / web.json_response({...}); else jsonify(k=v) / dict(k=v).
      const auto stop = body.find('\n', p);
      const std::string_view seg = std::string_view(body).substr(p, stop == std::string::npos ? std::string::npos : stop - p);
      PyReader r{body, 0};
      if (const auto brace = seg.find('{'); brace != std::string_view::npos) {
        r.p = p + brace;
        if (auto v = r.value()) return v;
      }
      for (auto paren = seg.find('('); paren != std::string_view::npos; paren = seg.find('(', paren + 1)) {
        r.p = p + paren;
        if (auto v = r.kwargs()) return v;
      }
    }
    return std::nullopt;
  }
  return std::nullopt;
}

std::vector<Route> find_routes(const std::string& file, std::string_view text) {
  std::vector<Route> out;
  const auto lines = split_lines(text);
  static const char* const k_calls[] = {"add_get(",  "add_route(", "add_api_route(", "add_url_rule(", "web.get(",
                                        "web.route(", "Route(",    "path(",          "re_path(",      "url("};
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto& l = lines[i];
    const auto t = std::string_view(l).substr(indent_of(l));
    const auto lits = literals(l);
    if (lits.empty()) continue;
    Route r;
    r.file = file;
    r.line = static_cast<std::uint32_t>(i + 1);
    if (!t.empty() && t[0] == '@' &&
        (t.find(".get(") != std::string_view::npos || t.find(".route(") != std::string_view::npos ||
         t.find(".api_route(") != std::string_view::npos || t.find(".head(") != std::string_view::npos)) {
      const auto* lit = &lits[0];
      if (lit->value.empty() || lit->value[0] != '/') continue;
      r.path = normal_route(lit->value);
      // The function below the decorators.
      for (std::size_t k = i + 1; k < lines.size() && k < i + 20; ++k) {
        const auto d = std::string_view(lines[k]).substr(indent_of(lines[k]));
        std::string_view rest;
        if (starts_with(d, "def ")) rest = d.substr(4);
        else if (starts_with(d, "async def ")) rest = d.substr(10);
        else continue;
        r.handler = std::string(rest.substr(0, rest.find('(')));
        break;
      }
    } else {
      bool call = false;
      for (const char* c : k_calls) {
        const auto at = t.find(c);
        if (at == std::string_view::npos) continue;
        // `path(` must be the call itself, not part of another name (os.path(...) is not a route).
        if (at > 0 && (ident_char(t[at - 1]) || (t[at - 1] == '.' && std::string_view(c) == "path("))) continue;
        call = true;
      }
      if (!call) continue;
      const Literal* lit = nullptr;
      for (const auto& x : lits)
        if (!x.value.empty() && (x.value[0] == '/' || x.value.find("health") != std::string::npos ||
                                 x.value.find("ready") != std::string::npos || x.value.find("live") != std::string::npos)) {
          lit = &x;
          break;
        }
      if (!lit) continue;
      r.path = normal_route(lit->value);
      // The handler: the first identifier argument after the path.
      std::size_t p = lit->end;
      while (p < l.size() && (l[p] == ',' || l[p] == ' ')) ++p;
      std::size_t b = p;
      while (p < l.size() && (ident_char(l[p]) || l[p] == '.')) ++p;
      std::string h = l.substr(b, p - b);
      if (const auto dot = h.rfind('.'); dot != std::string::npos) h = h.substr(dot + 1);
      r.handler = h;
    }
    if (!r.handler.empty()) r.body = handler_body(lines, r.handler);
    out.push_back(std::move(r));
  }
  return out;
}

void check(const Context& ctx, Outcome& out) {
  const auto& health = ctx.settings.health;
  if (!ctx.service || !health || (!health->path && !health->body)) {
    out.applicable = false;
    return;
  }
  const std::string want_path = health->path ? normal_route(*health->path) : std::string();
  const std::string want_body = health->body ? health->body->json : std::string();
  const std::string wanted = fmt::format("GET {} returns {}", want_path.empty() ? "(any path)" : want_path,
                                         want_body.empty() ? "(any body)" : want_body);
  // The source that goes into the image: what its COPY/ADD instructions take from
  // the build context (relative to the service's context, which may be the
  // repository root of a compose monorepo), else the whole context.
  std::vector<std::string> sources;
  bool whole_context = false;
  for (const auto& in : ctx.tree.instructions) {
    if (!(in.is("copy") || in.is("add")) || in.flag("from") || in.values.size() < 2) continue;
    for (std::size_t v = 0; v + 1 < in.values.size(); ++v) {
      std::string src(in.values[v].text);
      if (starts_with(src, "<<") || src.find("://") != std::string::npos || src.find('$') != std::string::npos) continue;
      if (const auto glob = src.find_first_of("*?["); glob != std::string::npos) {
        const auto slash = src.rfind('/', glob);
        src = slash == std::string::npos ? std::string(".") : src.substr(0, slash);
      }
      while (src.size() > 1 && src.back() == '/') src.pop_back();
      while (starts_with(src, "./")) src.erase(0, 2);
      if (src.empty() || src == ".") {
        whole_context = true;
        continue;
      }
      sources.push_back(ctx.in_context(src));
    }
  }
  auto copied = [&](const std::string& f) {
    if (whole_context || sources.empty()) return true;
    for (const auto& src : sources)
      if (f == src || starts_with(f, src + "/")) return true;
    return false;
  };
  std::vector<std::string> looked;
  std::vector<Route> routes;
  for (const auto& f : ctx.files.list(ctx.dir)) {
    if (!ends_with(f, ".py") || !copied(f)) continue;
    if (f.find("/site-packages/") != std::string::npos || f.find("/.venv/") != std::string::npos ||
        f.find("/venv/") != std::string::npos || f.find("/node_modules/") != std::string::npos)
      continue;
    looked.push_back(f);
    if (auto text = ctx.files.read(f)) {
      auto r = find_routes(f, *text);
      routes.insert(routes.end(), r.begin(), r.end());
    }
  }
  const std::string scope = ctx.dir.empty() ? std::string("the repository") : ctx.dir + "/";
  const bool only_copied = !whole_context && !sources.empty();
  const std::string seen = fmt::format("looked at {} Python file{} {}{}", looked.size(), looked.size() == 1 ? "" : "s",
                                       only_copied ? "the Dockerfile copies from " : "under ", scope);
  const std::string ref = health->ref;
  auto describe = [](const Route& r) {
    return fmt::format("{} returns {} in {}:{}", r.path, r.body ? *r.body : std::string("an unrecognised body"), r.file, r.line);
  };
  // The route at the policy's path, else the health-like ones.
  const Route* exact = nullptr;
  for (const auto& r : routes)
    if (!want_path.empty() && r.path == want_path) {
      exact = &r;
      break;
    }
  if (exact) {
    if (want_body.empty() || (exact->body && *exact->body == want_body)) {
      out.correct.push_back(fmt::format("GET {} ({})", describe(*exact), seen));
      return;
    }
    auto f = finding(fmt::format("the health endpoint answers another body ({})", seen), {0, 0}, describe(*exact), wanted, ref);
    f.file = exact->file;
    f.file_line = exact->line;
    out.findings.push_back(std::move(f));
    return;
  }
  std::vector<const Route*> near;
  for (const auto& r : routes)
    if (healthish(r.path)) near.push_back(&r);
  if (want_path.empty() && !near.empty()) {
    // No path in the policy: any health route with the body will do.
    for (const auto* r : near)
      if (r->body && *r->body == want_body) {
        out.correct.push_back(fmt::format("GET {} ({})", describe(*r), seen));
        return;
      }
  }
  if (!near.empty()) {
    std::vector<std::string> d;
    for (const auto* r : near) d.push_back(describe(*r));
    auto f = finding(fmt::format("no {} route: a health route with another path ({})", want_path, seen), {0, 0}, join(d, "; "),
                     wanted, ref);
    f.file = near.front()->file;
    f.file_line = near.front()->line;
    out.findings.push_back(std::move(f));
    return;
  }
  auto f = finding(looked.empty() ? fmt::format("❓ no Python source under {}: the health route cannot be checked", scope)
                                 : fmt::format("❓ no health route found ({})", seen),
                   {0, 0},
                   looked.empty() ? "no Python source" : fmt::format("not found in {}", join(looked, ", ")), wanted, ref);
  out.findings.push_back(std::move(f));
}

}  // namespace

const RuleRegistration k_health_endpoint{RuleSpec("health-endpoint")
    .example("FROM python:3.12-slim\n"
             "COPY legacy/ /app/\n"
             "CMD [\"python3\", \"/app/main.py\"]\n",
             "FROM python:3.12-slim\n"
             "COPY legacy/ /app/\n"
             "CMD [\"python3\", \"/app/main.py\"]\n",
             "FROM python:3.12-slim\n"
             "COPY service/ /app/\n"
             "CMD [\"python3\", \"/app/main.py\"]\n")
    .example_policy("defaults:\n"
                    "  health: {path: /health, body: {status: ok}}\n"
                    "services:\n"
                    "  app: {dockerfile: Dockerfile}\n")
    // What each Dockerfile copies is what is looked at: legacy/ answers /healthz only.
    .example_file("legacy/main.py",
                  "from fastapi import FastAPI\n"
                  "app = FastAPI()\n"
                  "\n"
                  "@app.get(\"/healthz\")\n"
                  "def health():\n"
                  "    return {\"status\": \"ok\"}\n")
    .example_file("service/main.py",
                  "from fastapi import FastAPI\n"
                  "app = FastAPI()\n"
                  "\n"
                  "@app.get(\"/health\")\n"
                  "def health():\n"
                  "    return {\"status\": \"ok\"}\n")
    .kind(RuleKind::Policy)
    .safety(FixSafety::ReportOnly)
    .priority(3)
    .order(110)
    .summary("the service's Python source has a health.path route answering health.body (a textual look at "
        "route decorators and registrations)")
    .check(&check)};

}  // namespace dockmend::transforms::rules
