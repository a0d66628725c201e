// Reading what builders print: the image config from inspect JSON, the file
// tree from an exported tar stream.
#include <algorithm>
#include <cstring>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "verify/verify.hpp"

namespace dockmend::verify {

namespace {

// yaml-cpp reads JSON (a YAML subset): the inspect output needs no other parser.
std::optional<std::vector<std::string>> string_list(const YAML::Node& n) {
  if (!n || n.IsNull()) return std::nullopt;
  std::vector<std::string> out;
  if (n.IsSequence()) {
    for (const auto& e : n) out.push_back(e.IsScalar() ? e.as<std::string>() : std::string());
  } else if (n.IsScalar()) {
    out.push_back(n.as<std::string>());
  }
  return out;
}

std::string scalar(const YAML::Node& n) { return n && n.IsScalar() ? n.as<std::string>() : std::string(); }

std::vector<std::string> keys(const YAML::Node& n) {
  std::vector<std::string> out;
  if (n && n.IsMap())
    for (const auto& kv : n) out.push_back(kv.first.as<std::string>());
  std::sort(out.begin(), out.end());
  return out;
}

// A duration in nanoseconds as docker prints it ("30s", "1m30s", "500ms").
std::string duration(const YAML::Node& n) {
  if (!n || !n.IsScalar()) return "";
  long long ns = 0;
  try {
    ns = n.as<long long>();
  } catch (const YAML::Exception&) {
    return n.as<std::string>();
  }
  if (ns == 0) return "";
  if (ns % 1000000000LL == 0) {
    long long s = ns / 1000000000LL;
    std::string out;
    if (s >= 3600) out += fmt::format("{}h", s / 3600), s %= 3600;
    if (s >= 60) out += fmt::format("{}m", s / 60), s %= 60;
    if (s || out.empty()) out += fmt::format("{}s", s);
    return out;
  }
  if (ns % 1000000LL == 0) return fmt::format("{}ms", ns / 1000000LL);
  return fmt::format("{}ns", ns);
}

void read_healthcheck(const YAML::Node& h, ImageConfig& c) {
  if (!h || !h.IsMap()) return;
  c.healthcheck = string_list(h["Test"]);
  std::string timing;
  for (const char* k : {"Interval", "Timeout", "StartPeriod", "StartInterval"}) {
    const std::string d = duration(h[k]);
    if (!d.empty()) timing += fmt::format("{}{}={}", timing.empty() ? "" : " ", k, d);
  }
  const std::string retries = scalar(h["Retries"]);
  if (!retries.empty() && retries != "0") timing += fmt::format("{}Retries={}", timing.empty() ? "" : " ", retries);
  c.healthcheck_timing = timing;
}

}  // namespace

std::optional<ImageConfig> parse_inspect(std::string_view json, std::string* error) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(json));
  } catch (const YAML::Exception& e) {
    if (error) *error = fmt::format("cannot read the inspect output: {}", e.what());
    return std::nullopt;
  }
  if (root.IsSequence()) {
    if (root.size() == 0) {
      if (error) *error = "the inspect output lists no image";
      return std::nullopt;
    }
    root = root[0];
  }
  if (!root.IsMap()) {
    if (error) *error = "the inspect output is not a JSON object";
    return std::nullopt;
  }
  ImageConfig c;
  YAML::Node cfg;
  if (root["Docker"] && root["Docker"].IsMap() && root["Docker"]["config"]) {
    cfg = root["Docker"]["config"];  // buildah inspect --type image
  } else if (root["Config"] && root["Config"].IsMap()) {
    cfg = root["Config"];  // docker / podman image inspect
    // podman's Config is the OCI config: no Shell, and the healthcheck (when the
    // image has one) beside it.
    if (!root["ManifestType"].IsDefined() && !root["NamesHistory"].IsDefined()) {
      // docker: everything is in Config
    } else {
      c.shell_known = false;
      if (!cfg["Healthcheck"] && root["HealthCheck"]) read_healthcheck(root["HealthCheck"], c);
      if (!cfg["Healthcheck"] && root["Healthcheck"]) read_healthcheck(root["Healthcheck"], c);
    }
  } else {
    if (error) *error = "the inspect output has no image config (Config or Docker.config)";
    return std::nullopt;
  }
  try {
    c.user = scalar(cfg["User"]);
    if (auto e = string_list(cfg["Env"])) c.env = *e;
    c.entrypoint = string_list(cfg["Entrypoint"]);
    if (c.entrypoint && c.entrypoint->empty()) c.entrypoint.reset();  // [] and null: none
    c.cmd = string_list(cfg["Cmd"]);
    if (c.cmd && c.cmd->empty()) c.cmd.reset();
    c.working_dir = scalar(cfg["WorkingDir"]);
    c.exposed_ports = keys(cfg["ExposedPorts"]);
    if (cfg["Healthcheck"]) read_healthcheck(cfg["Healthcheck"], c);
    c.shell = string_list(cfg["Shell"]);
    if (c.shell && c.shell->empty()) c.shell.reset();
    if (cfg["Labels"] && cfg["Labels"].IsMap())
      for (const auto& kv : cfg["Labels"]) c.labels[kv.first.as<std::string>()] = scalar(kv.second);
    c.stop_signal = scalar(cfg["StopSignal"]);
    c.volumes = keys(cfg["Volumes"]);
  } catch (const YAML::Exception& e) {
    if (error) *error = fmt::format("cannot read the image config: {}", e.what());
    return std::nullopt;
  }
  return c;
}

// ------------------------------------------------------------------ tar

std::string normalize_path(std::string_view p) {
  std::string out = "/";
  std::size_t i = 0;
  while (i < p.size()) {
    std::size_t e = p.find('/', i);
    if (e == std::string_view::npos) e = p.size();
    const std::string_view part = p.substr(i, e - i);
    if (part == "..") {
      const auto slash = out.rfind('/');
      out.resize(slash == 0 ? 1 : slash);
    } else if (!part.empty() && part != ".") {
      if (out.size() > 1) out += '/';
      out += part;
    }
    i = e + 1;
  }
  return out;
}

bool keep_content(std::string_view path) {
  auto starts = [&](std::string_view p) { return path.substr(0, p.size()) == p; };
  auto ends = [&](std::string_view s) { return path.size() >= s.size() && path.substr(path.size() - s.size()) == s; };
  if (path == "/var/lib/dpkg/status" || path == "/lib/apk/db/installed" || path == "/etc/passwd" ||
      path == "/etc/group")
    return true;
  return starts("/var/lib/dpkg/info/") && ends(".list");
}

namespace {

constexpr std::size_t k_block = 512;

std::uint64_t fnv1a(std::uint64_t h, const char* p, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    h ^= static_cast<unsigned char>(p[i]);
    h *= 1099511628211ULL;
  }
  return h;
}
constexpr std::uint64_t k_fnv_basis = 14695981039346656037ULL;

// A numeric header field: octal text, or base-256 when the high bit is set.
std::optional<std::uint64_t> number(const char* f, std::size_t n) {
  if (n && (static_cast<unsigned char>(f[0]) & 0x80)) {
    std::uint64_t v = static_cast<unsigned char>(f[0]) & 0x7f;
    for (std::size_t i = 1; i < n; ++i) v = (v << 8) | static_cast<unsigned char>(f[i]);
    return v;
  }
  std::uint64_t v = 0;
  std::size_t i = 0;
  while (i < n && (f[i] == ' ' || f[i] == '\0')) ++i;
  bool any = false;
  for (; i < n && f[i] >= '0' && f[i] <= '7'; ++i) {
    v = v * 8 + static_cast<std::uint64_t>(f[i] - '0');
    any = true;
  }
  if (!any) return i >= n || f[i] == '\0' || f[i] == ' ' ? std::optional<std::uint64_t>(0) : std::nullopt;
  return v;
}

std::string field(const char* f, std::size_t n) {
  std::size_t len = 0;
  while (len < n && f[len]) ++len;
  return std::string(f, len);
}

}  // namespace

std::uint64_t content_hash(std::string_view content) { return fnv1a(k_fnv_basis, content.data(), content.size()); }

void TarReader::feed(const char* data, std::size_t size) {
  while (size && m_error.empty()) {
    if (m_want == Want::Content || m_want == Want::Meta) {
      if (m_left) {
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(m_left, size));
        if (m_want == Want::Meta) {
          m_pending.append(data, n);
        } else {
          m_hash = fnv1a(m_hash, data, n);
          if (m_keep) m_content.append(data, n);
        }
        m_left -= n, data += n, size -= n;
      } else if (m_padding) {
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(m_padding, size));
        m_padding -= n, data += n, size -= n;
      }
      if (!m_left && !m_padding) end_entry();
      continue;
    }
    // Want::Header: collect one block.
    const std::size_t need = k_block - m_pending.size();
    const std::size_t n = std::min(need, size);
    m_pending.append(data, n);
    data += n, size -= n;
    if (m_pending.size() == k_block) {
      std::string block;
      block.swap(m_pending);
      header(block.data());
    }
  }
}

void TarReader::end_entry() {
  if (m_want == Want::Meta) {
    const std::string data = std::move(m_pending);
    m_pending.clear();
    if (m_meta_type == 'L') {
      m_next_path = field(data.data(), data.size());
    } else if (m_meta_type == 'K') {
      m_next_link = field(data.data(), data.size());
    } else if (m_meta_type == 'x') {
      // PAX records: "LEN key=value\n".
      std::size_t i = 0;
      while (i < data.size()) {
        const auto sp = data.find(' ', i);
        if (sp == std::string::npos) break;
        std::size_t len = 0;
        for (std::size_t k = i; k < sp; ++k) len = len * 10 + static_cast<std::size_t>(data[k] - '0');
        if (len == 0 || i + len > data.size()) break;
        const std::string rec = data.substr(sp + 1, i + len - sp - 2);  // without the newline
        const auto eq = rec.find('=');
        if (eq != std::string::npos) {
          const std::string k = rec.substr(0, eq), v = rec.substr(eq + 1);
          if (k == "path") m_next_path = v;
          else if (k == "linkpath") m_next_link = v;
          else if (k == "size") m_next_size = std::strtoull(v.c_str(), nullptr, 10);
          else if (k == "uid") m_next_uid = static_cast<std::uint32_t>(std::strtoul(v.c_str(), nullptr, 10));
          else if (k == "gid") m_next_gid = static_cast<std::uint32_t>(std::strtoul(v.c_str(), nullptr, 10));
        }
        i += len;
      }
    }
    // 'g' (global PAX headers) carry nothing verify compares.
    m_want = Want::Header;
    return;
  }
  m_entry.hash = m_entry.type == 'f' ? m_hash : 0;
  if (m_keep) m_tree.contents[m_entry.path] = std::move(m_content);
  m_content.clear();
  m_tree.entries[m_entry.path] = std::move(m_entry);
  m_entry = FileEntry{};
  m_want = Want::Header;
}

void TarReader::header(const char* b) {
  if (m_done) return;  // blocks after the end marker: padding
  bool zero = true;
  for (std::size_t i = 0; i < k_block && zero; ++i) zero = b[i] == '\0';
  if (zero) {
    if (++m_zero_blocks == 2) m_done = true;
    return;
  }
  m_zero_blocks = 0;
  // The checksum: the header's bytes summed with the checksum field as spaces.
  const auto stored = number(b + 148, 8);
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < k_block; ++i)
    sum += (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>(b[i]);
  if (!stored || *stored != sum) {
    m_error = "not a tar stream (bad header checksum)";
    return;
  }
  const char type = b[156];
  const auto size = number(b + 124, 12);
  if (!size) {
    m_error = "not a tar stream (bad size field)";
    return;
  }
  std::uint64_t content = m_next_size && type != 'x' && type != 'g' && type != 'L' && type != 'K' ? *m_next_size : *size;
  if (type == 'x' || type == 'g' || type == 'L' || type == 'K') {
    if (content > (64u << 20)) {
      m_error = "tar metadata record too large";
      return;
    }
    m_want = Want::Meta;
    m_meta_type = type;
    m_left = content;
    m_padding = (k_block - content % k_block) % k_block;
    if (m_left == 0 && m_padding == 0) end_entry();
    return;
  }
  std::string name = field(b, 100);
  const bool ustar = std::memcmp(b + 257, "ustar", 5) == 0;
  if (ustar) {
    const std::string prefix = field(b + 345, 155);
    if (!prefix.empty() && std::memcmp(b + 257, "ustar\0", 6) == 0) name = prefix + "/" + name;
  }
  if (!m_next_path.empty()) name = m_next_path;
  std::string link = m_next_link.empty() ? field(b + 157, 100) : m_next_link;
  FileEntry e;
  e.path = normalize_path(name);
  e.mode = static_cast<std::uint32_t>(number(b + 100, 8).value_or(0) & 07777);
  e.uid = m_next_uid ? *m_next_uid : static_cast<std::uint32_t>(number(b + 108, 8).value_or(0));
  e.gid = m_next_gid ? *m_next_gid : static_cast<std::uint32_t>(number(b + 116, 8).value_or(0));
  switch (type) {
    case '0': case '\0': case '7': e.type = 'f'; break;
    case '1': e.type = 'h'; break;
    case '2': e.type = 'l'; break;
    case '3': e.type = 'c'; break;
    case '4': e.type = 'b'; break;
    case '5': e.type = 'd'; break;
    case '6': e.type = 'p'; break;
    default: e.type = 'f'; break;
  }
  if (e.type == 'l' || e.type == 'h') e.link = e.type == 'h' ? normalize_path(link) : link;
  e.size = e.type == 'f' ? content : 0;
  m_next_path.clear();
  m_next_link.clear();
  m_next_size.reset();
  m_next_uid.reset();
  m_next_gid.reset();
  m_entry = std::move(e);
  m_keep = m_entry.type == 'f' && keep_content(m_entry.path) && content <= (32u << 20);
  m_hash = k_fnv_basis;
  m_content.clear();
  // Only regular files (and old-style contiguous ones) carry content; a hard
  // link's size field is 0 in every tar verify reads.
  m_want = Want::Content;
  m_left = m_entry.type == 'f' ? content : 0;
  m_padding = (k_block - m_left % k_block) % k_block;
  if (m_left == 0 && m_padding == 0) end_entry();
}

bool TarReader::finish() {
  if (!m_error.empty()) return false;
  if (m_want != Want::Header || !m_pending.empty()) {
    m_error = "the tar stream ends inside an entry";
    return false;
  }
  return true;
}

}  // namespace dockmend::verify
