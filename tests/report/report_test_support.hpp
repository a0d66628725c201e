// Helpers for the report tests: run the dockmend binary, read its JSON.
#pragma once
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "../test_support.hpp"

namespace dockmend::test {

struct Json {
  std::variant<std::nullptr_t, bool, double, std::string, std::vector<Json>, std::map<std::string, Json>> v;
  const Json& operator[](const std::string& k) const {
    static const Json none;
    const auto* o = std::get_if<std::map<std::string, Json>>(&v);
    if (!o) return none;
    auto it = o->find(k);
    return it == o->end() ? none : it->second;
  }
  const Json& operator[](std::size_t i) const {
    static const Json none;
    const auto& a = array();
    return i < a.size() ? a[i] : none;
  }
  const std::vector<Json>& array() const {
    static const std::vector<Json> none;
    const auto* a = std::get_if<std::vector<Json>>(&v);
    return a ? *a : none;
  }
  std::string str() const {
    const auto* s = std::get_if<std::string>(&v);
    return s ? *s : std::string();
  }
  long num() const {
    const auto* d = std::get_if<double>(&v);
    return d ? static_cast<long>(*d) : -1;
  }
  bool is_null() const { return std::holds_alternative<std::nullptr_t>(v); }
  bool has(const std::string& k) const {
    const auto* o = std::get_if<std::map<std::string, Json>>(&v);
    return o && o->count(k);
  }
};

// RFC 8259, strict enough to catch a writer's mistakes (control characters in
// strings, trailing commas, junk after the value); \u escapes decoded to UTF-8.
class JsonReader {
 public:
  explicit JsonReader(const std::string& s) : m_s(s) {}
  std::optional<Json> parse() {
    Json j = value();
    ws();
    if (!m_ok || m_p != m_s.size()) return std::nullopt;
    return j;
  }

 private:
  void ws() {
    while (m_p < m_s.size() && (m_s[m_p] == ' ' || m_s[m_p] == '\n' || m_s[m_p] == '\t' || m_s[m_p] == '\r')) ++m_p;
  }
  bool eat(char c) {
    ws();
    if (m_p < m_s.size() && m_s[m_p] == c) {
      ++m_p;
      return true;
    }
    return false;
  }
  static void utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) out += static_cast<char>(cp);
    else if (cp < 0x800) out += static_cast<char>(0xC0 | (cp >> 6)), out += static_cast<char>(0x80 | (cp & 0x3F));
    else if (cp < 0x10000)
      out += static_cast<char>(0xE0 | (cp >> 12)), out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F)),
          out += static_cast<char>(0x80 | (cp & 0x3F));
    else
      out += static_cast<char>(0xF0 | (cp >> 18)), out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F)),
          out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F)), out += static_cast<char>(0x80 | (cp & 0x3F));
  }
  unsigned hex4() {
    if (m_p + 4 > m_s.size()) {
      m_ok = false;
      return 0;
    }
    unsigned v = static_cast<unsigned>(std::stoul(m_s.substr(m_p, 4), nullptr, 16));
    m_p += 4;
    return v;
  }
  std::string string() {
    std::string out;
    if (!eat('"')) {
      m_ok = false;
      return out;
    }
    while (m_p < m_s.size() && m_s[m_p] != '"') {
      if (static_cast<unsigned char>(m_s[m_p]) < 0x20) m_ok = false;
      if (m_s[m_p] != '\\') {
        out += m_s[m_p++];
        continue;
      }
      if (++m_p >= m_s.size()) break;
      const char e = m_s[m_p++];
      switch (e) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case '"': case '\\': case '/': out += e; break;
        case 'u': {
          unsigned cp = hex4();
          if (cp >= 0xD800 && cp < 0xDC00 && m_s.compare(m_p, 2, "\\u") == 0) {
            m_p += 2;
            const unsigned lo = hex4();
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          utf8(out, cp);
          break;
        }
        default: m_ok = false;
      }
    }
    if (m_p >= m_s.size()) m_ok = false;
    ++m_p;
    return out;
  }
  Json value() {
    ws();
    Json j;
    if (m_p >= m_s.size()) {
      m_ok = false;
      return j;
    }
    const char c = m_s[m_p];
    if (c == '{') {
      ++m_p;
      std::map<std::string, Json> o;
      if (!eat('}')) {
        do {
          ws();
          auto k = string();
          if (!eat(':')) m_ok = false;
          o[k] = value();
        } while (m_ok && eat(','));
        if (!eat('}')) m_ok = false;
      }
      j.v = std::move(o);
    } else if (c == '[') {
      ++m_p;
      std::vector<Json> a;
      if (!eat(']')) {
        do a.push_back(value());
        while (m_ok && eat(','));
        if (!eat(']')) m_ok = false;
      }
      j.v = std::move(a);
    } else if (c == '"') {
      j.v = string();
    } else if (m_s.compare(m_p, 4, "true") == 0) {
      m_p += 4;
      j.v = true;
    } else if (m_s.compare(m_p, 5, "false") == 0) {
      m_p += 5;
      j.v = false;
    } else if (m_s.compare(m_p, 4, "null") == 0) {
      m_p += 4;
    } else {
      std::size_t used = 0;
      try {
        j.v = std::stod(m_s.substr(m_p, 40), &used);
      } catch (...) {
        m_ok = false;
      }
      if (!used) m_ok = false;
      m_p += used;
    }
    return j;
  }
  const std::string& m_s;
  std::size_t m_p = 0;
  bool m_ok = true;
};

inline std::optional<Json> parse_json(const std::string& text) { return JsonReader(text).parse(); }

struct CliRun {
  int code = -1;
  std::string out, err;
};

inline std::ostream& operator<<(std::ostream& os, const CliRun& r) {
  return os << "exit " << r.code << "\n--- stdout\n" << r.out.substr(0, 4000) << "\n--- stderr\n" << r.err.substr(0, 4000);
}

// Runs `dockmend ARGS` in `cwd` through the shell (ARGS are shell words).
inline CliRun run_dockmend(const std::filesystem::path& cwd, const std::string& args, const std::string& env = "") {
  static int counter = 0;
  const auto err_file = std::filesystem::temp_directory_path() /
                        ("dockmend-report-test-" + std::to_string(::getpid()) + "-" + std::to_string(++counter) + ".err");
  const std::string cmd = "cd '" + cwd.string() + "' && " + env + " '" DOCKMEND_BINARY "' " + args + " 2>'" +
                          err_file.string() + "'";
  CliRun r;
  std::unique_ptr<FILE, int (*)(FILE*)> p(popen(cmd.c_str(), "r"), pclose);
  if (!p) return r;
  char buf[65536];
  for (std::size_t n; (n = fread(buf, 1, sizeof buf, p.get())) > 0;) r.out.append(buf, n);
  const int status = pclose(p.release());
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.err = read_bytes(err_file);
  std::filesystem::remove(err_file);
  return r;
}

// A scratch directory, removed at the end.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char tmpl[] = "/tmp/dockmend-report-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::filesystem::path write(const std::string& rel, const std::string& bytes) const {
    const auto p = path / rel;
    std::filesystem::create_directories(p.parent_path());
    write_bytes(p, bytes);
    return p;
  }
};

}  // namespace dockmend::test
