// Comparing two images and explaining each difference by the applied fixes.
#include <cctype>
#include <algorithm>
#include <functional>
#include <set>

#include <fmt/format.h>

#include "verify/verify.hpp"

namespace dockmend::verify {

namespace {

bool starts(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool ends(std::string_view s, std::string_view x) { return s.size() >= x.size() && s.substr(s.size() - x.size()) == x; }
bool under(std::string_view path, std::string_view dir) {
  return path == dir || (starts(path, dir) && path.size() > dir.size() && path[dir.size()] == '/');
}

std::string json_list(const std::optional<std::vector<std::string>>& v) {
  if (!v) return "(none)";
  std::string out = "[";
  for (std::size_t i = 0; i < v->size(); ++i) {
    out += i ? ", " : "";
    out += '"';
    for (char c : (*v)[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "]";
}

std::string join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? std::string(sep) : "") + v[i];
  return out;
}

void add_config(std::vector<Difference>& out, std::string what, std::string before, std::string after) {
  if (before == after) return;
  Difference d;
  d.kind = Difference::Kind::Config;
  d.what = std::move(what);
  d.before = std::move(before);
  d.after = std::move(after);
  out.push_back(std::move(d));
}

std::string or_none(const std::string& s) { return s.empty() ? "(none)" : s; }

std::string describe(const FileEntry& e) {
  std::string s;
  switch (e.type) {
    case 'd': s = "directory"; break;
    case 'l': s = "symlink -> " + e.link; break;
    case 'h': s = "hard link -> " + e.link; break;
    case 'c': s = "character device"; break;
    case 'b': s = "block device"; break;
    case 'p': s = "fifo"; break;
    default: s = fmt::format("file, {} bytes", e.size); break;
  }
  return fmt::format("{} {:04o} {}:{}", s, e.mode, e.uid, e.gid);
}

}  // namespace

std::vector<Difference> compare_config(const ImageConfig& a, const ImageConfig& b) {
  std::vector<Difference> out;
  add_config(out, "User", or_none(a.user), or_none(b.user));
  // Env, by variable: a fix that sets one variable explains that one only.
  std::map<std::string, std::string> ea, eb;
  for (const auto& kv : a.env) ea[kv.substr(0, kv.find('='))] = kv.find('=') == std::string::npos ? "" : kv.substr(kv.find('=') + 1);
  for (const auto& kv : b.env) eb[kv.substr(0, kv.find('='))] = kv.find('=') == std::string::npos ? "" : kv.substr(kv.find('=') + 1);
  std::set<std::string> names;
  for (const auto& [k, v] : ea) names.insert(k);
  for (const auto& [k, v] : eb) names.insert(k);
  for (const auto& k : names) {
    const auto ia = ea.find(k), ib = eb.find(k);
    add_config(out, "Env " + k, ia == ea.end() ? "(unset)" : ia->second, ib == eb.end() ? "(unset)" : ib->second);
  }
  add_config(out, "Entrypoint", json_list(a.entrypoint), json_list(b.entrypoint));
  add_config(out, "Cmd", json_list(a.cmd), json_list(b.cmd));
  add_config(out, "WorkingDir", or_none(a.working_dir), or_none(b.working_dir));
  add_config(out, "ExposedPorts", or_none(join(a.exposed_ports, " ")), or_none(join(b.exposed_ports, " ")));
  if (a.healthcheck_known && b.healthcheck_known) {
    add_config(out, "Healthcheck", json_list(a.healthcheck), json_list(b.healthcheck));
    add_config(out, "Healthcheck timing", or_none(a.healthcheck_timing), or_none(b.healthcheck_timing));
  }
  if (a.shell_known && b.shell_known) add_config(out, "Shell", json_list(a.shell), json_list(b.shell));
  std::set<std::string> labels;
  for (const auto& [k, v] : a.labels) labels.insert(k);
  for (const auto& [k, v] : b.labels) labels.insert(k);
  for (const auto& k : labels) {
    const auto ia = a.labels.find(k), ib = b.labels.find(k);
    add_config(out, "Label " + k, ia == a.labels.end() ? "(unset)" : ia->second,
               ib == b.labels.end() ? "(unset)" : ib->second);
  }
  add_config(out, "StopSignal", or_none(a.stop_signal), or_none(b.stop_signal));
  add_config(out, "Volumes", or_none(join(a.volumes, " ")), or_none(join(b.volumes, " ")));
  return out;
}

bool is_build_noise(std::string_view p) {
  // Files two builds of one Dockerfile write differently: logs, caches keyed by
  // time, and compiled Python stamped with its source's time.
  return under(p, "/var/log") || under(p, "/var/cache/ldconfig") || ends(p, ".pyc") ||
         under(p, "/var/cache/debconf") || p == "/var/cache/apt/pkgcache.bin" || p == "/var/cache/apt/srcpkgcache.bin" || p == "/etc/machine-id" || p == "/var/lib/dbus/machine-id" ||
         p == "/etc/hostname" || p == "/etc/hosts" || p == "/etc/resolv.conf" || under(p, "/run") ||
         under(p, "/proc") || under(p, "/sys") || under(p, "/dev") ||
         p == "/var/lib/apt/extended_states" || p == "/var/lib/dpkg/status-old" || p == "/var/lib/dpkg/lock" ||
         p == "/var/lib/dpkg/lock-frontend" || p == "/var/lib/dpkg/triggers/Lock" || ends(p, "/__pycache__");
}

std::vector<Difference> compare_trees(const FileTree& a, const FileTree& b) {
  std::vector<Difference> out;
  auto ia = a.entries.begin(), ib = b.entries.begin();
  auto emit = [&](Difference::Kind k, const std::string& path, std::string before, std::string after) {
    if (is_build_noise(path) && k == Difference::Kind::Changed) return;
    Difference d;
    d.kind = k;
    d.what = path;
    d.before = std::move(before);
    d.after = std::move(after);
    out.push_back(std::move(d));
  };
  while (ia != a.entries.end() || ib != b.entries.end()) {
    if (ib == b.entries.end() || (ia != a.entries.end() && ia->first < ib->first)) {
      if (!is_build_noise(ia->first)) emit(Difference::Kind::Removed, ia->first, describe(ia->second), "");
      ++ia;
    } else if (ia == a.entries.end() || ib->first < ia->first) {
      if (!is_build_noise(ib->first)) emit(Difference::Kind::Added, ib->first, "", describe(ib->second));
      ++ib;
    } else {
      const FileEntry& x = ia->second;
      const FileEntry& y = ib->second;
      const bool content = x.type == 'f' && y.type == 'f' && (x.size != y.size || x.hash != y.hash);
      if (x.type != y.type || x.mode != y.mode || x.uid != y.uid || x.gid != y.gid || x.link != y.link || content) {
        std::string before = describe(x), after = describe(y);
        if (content && before == after) after += " (content differs)";
        emit(Difference::Kind::Changed, ia->first, before, after);
      }
      ++ia, ++ib;
    }
  }
  return out;
}

// ------------------------------------------------------------------ explaining

namespace {

// Installed packages and the files each owns, from the image's package database.
struct Packages {
  std::set<std::string> installed;
  std::map<std::string, std::string> owner;  // path -> package
};

Packages read_packages(const FileTree& t) {
  Packages p;
  if (auto it = t.contents.find("/var/lib/dpkg/status"); it != t.contents.end()) {
    const std::string& s = it->second;
    std::string name;
    std::size_t pos = 0;
    while (pos < s.size()) {
      std::size_t e = s.find('\n', pos);
      if (e == std::string::npos) e = s.size();
      const std::string_view line(s.data() + pos, e - pos);
      if (starts(line, "Package: ")) name = std::string(line.substr(9));
      if (starts(line, "Status: ") && ends(line, " installed") && !name.empty()) p.installed.insert(name);
      if (line.empty()) name.clear();
      pos = e + 1;
    }
  }
  if (auto it = t.contents.find("/lib/apk/db/installed"); it != t.contents.end()) {
    // apk: "P:name" starts a package, "F:dir" a directory, "R:file" a file in it.
    const std::string& s = it->second;
    std::string name, dir;
    std::size_t pos = 0;
    while (pos < s.size()) {
      std::size_t e = s.find('\n', pos);
      if (e == std::string::npos) e = s.size();
      const std::string_view line(s.data() + pos, e - pos);
      if (starts(line, "P:")) name = std::string(line.substr(2)), p.installed.insert(name);
      else if (starts(line, "F:")) dir = std::string(line.substr(2)), p.owner["/" + dir] = name;
      else if (starts(line, "R:")) p.owner[normalize_path(dir + "/" + std::string(line.substr(2)))] = name;
      pos = e + 1;
    }
  }
  for (const auto& [path, content] : t.contents) {
    if (!starts(path, "/var/lib/dpkg/info/") || !ends(path, ".list")) continue;
    std::string pkg = path.substr(19, path.size() - 19 - 5);
    pkg = pkg.substr(0, pkg.find(':'));  // "libc6:amd64"
    std::size_t pos = 0;
    while (pos < content.size()) {
      std::size_t e = content.find('\n', pos);
      if (e == std::string::npos) e = content.size();
      if (e > pos) {
        const std::string file = normalize_path(std::string_view(content).substr(pos, e - pos));
        p.owner[file] = pkg;
        // Merged /usr (Debian since bookworm, Ubuntu): /lib, /bin, /sbin and /lib64 are
        // symlinks into /usr, and a package that still lists /lib/x86_64-linux-gnu/libkeyutils.so.1
        // puts it where the image's tree shows /usr/lib/x86_64-linux-gnu/libkeyutils.so.1.
        for (std::string_view top : {"/lib/", "/bin/", "/sbin/", "/lib32/", "/lib64/", "/libx32/"})
          if (starts(file, top)) p.owner.emplace("/usr" + file, pkg);
      }
      pos = e + 1;
    }
  }
  return p;
}

// The package manager's own bookkeeping, which any install or removal changes.
bool package_state(std::string_view p) {
  return under(p, "/var/lib/dpkg") || under(p, "/var/lib/apt") || under(p, "/var/cache/apt") ||
         under(p, "/var/cache/debconf") || p == "/var/cache/apt/pkgcache.bin" || p == "/var/cache/apt/srcpkgcache.bin" || p == "/etc/ld.so.cache" || under(p, "/etc/alternatives") ||
         under(p, "/lib/apk") || under(p, "/var/cache/apk") || p == "/etc/apk/world" || under(p, "/var/lib/rpm") ||
         under(p, "/var/lib/dnf") || under(p, "/var/cache/dnf") || under(p, "/var/cache/yum") ||
         under(p, "/usr/lib/sysimage/rpm") || under(p, "/var/cache/zypp") || under(p, "/var/lib/systemd") ||
         p == "/usr/share/info/dir" || under(p, "/usr/lib/mime") || under(p, "/usr/share/mime") ||
         under(p, "/var/lib/ucf") || under(p, "/etc/ssl/certs");
}

bool account_file(std::string_view p) {
  for (const char* f : {"/etc/passwd", "/etc/group", "/etc/shadow", "/etc/gshadow", "/etc/subuid", "/etc/subgid"})
    if (p == f || (starts(p, f) && p.size() == std::string_view(f).size() + 1 && p.back() == '-')) return true;
  return p == "/etc/.pwd.lock" || p == "/var/log/lastlog" || p == "/var/log/faillog";
}

struct Ctx {
  const Expectations& expect;
  const FileTree& before;
  const FileTree& after;
  const Packages& pb;
  const Packages& pa;
  std::set<std::string> venv_roots;  // directories holding pyvenv.cfg in the original
};

// Why `rule`'s fix accounts for `d`, or "" when it does not.
using Explainer = std::function<std::string(const Difference&, const Ctx&)>;

bool is_config(const Difference& d, std::string_view what) { return d.kind == Difference::Kind::Config && d.what == what; }
bool is_file(const Difference& d) { return d.kind != Difference::Kind::Config; }

// A file added or removed with a package, by the two images' package databases.
std::string package_file(const Difference& d, const Ctx& c) {
  if (!is_file(d)) return "";
  if (package_state(d.what)) return "package manager state";
  const auto ia = c.pa.owner.find(d.what);
  const auto ib = c.pb.owner.find(d.what);
  if (ia != c.pa.owner.end() && (!c.pb.installed.count(ia->second) || d.kind == Difference::Kind::Changed))
    return fmt::format("installed by the package {}", ia->second);
  if (ib != c.pb.owner.end() && !c.pa.installed.count(ib->second))
    return fmt::format("belonged to the package {}, no longer installed", ib->second);
  return "";
}

std::string user_change(const Difference& d, const Ctx& c, bool policy_user) {
  const auto& e = c.expect;
  if (is_config(d, "User")) {
    if (!policy_user) return d.after != "(none)" && d.after != "root" && d.after != "0" ? "the non-root USER" : "";
    std::vector<std::string> ok;
    if (!e.user_name.empty()) ok.push_back(e.user_name);
    if (e.uid) ok.push_back(std::to_string(*e.uid));
    if (e.uid && e.gid) ok.push_back(fmt::format("{}:{}", *e.uid, *e.gid));
    if (!e.user_name.empty() && e.gid) ok.push_back(fmt::format("{}:{}", e.user_name, *e.gid));
    if (ok.empty() || std::find(ok.begin(), ok.end(), d.after) != ok.end()) return "the policy's user";
    return "";
  }
  // A renamed account's home moves with it (/home/appuser/app -> /home/app/app):
  // the same path with the old home's name replaced by the policy user's.
  auto in_renamed_home = [&](const std::string& from, const std::string& to) {
    if (!policy_user || e.user_name.empty() || from.rfind("/home/", 0) != 0) return false;
    const auto slash = from.find('/', 6);
    const std::string moved = "/home/" + e.user_name + (slash == std::string::npos ? "" : from.substr(slash));
    return moved != from && moved == to;
  };
  if (is_config(d, "WorkingDir")) return in_renamed_home(d.before, d.after) ? "the renamed user's home" : "";
  if (!is_file(d)) return "";
  if (account_file(d.what)) return "the user's account";
  if (d.kind == Difference::Kind::Removed && policy_user && !e.user_name.empty() && d.what.rfind("/home/", 0) == 0) {
    const auto slash = d.what.find('/', 6);
    const std::string moved = "/home/" + e.user_name + (slash == std::string::npos ? "" : d.what.substr(slash));
    if (moved != d.what && c.after.entries.count(moved)) return "the renamed user's home";
  }
  if (under(d.what, "/home") || under(d.what, "/var/mail") || under(d.what, "/var/spool/mail")) {
    // The new user's home and mail spool.
    if (d.kind == Difference::Kind::Added) return "the user's home";
  }
  if (d.kind == Difference::Kind::Changed) {
    // Ownership handed to the user (chown, COPY --chown): only uid/gid changed.
    const auto ia = c.before.entries.find(d.what), ib = c.after.entries.find(d.what);
    if (ia != c.before.entries.end() && ib != c.after.entries.end()) {
      FileEntry x = ia->second, y = ib->second;
      const bool to_user = (!e.uid || y.uid == static_cast<std::uint32_t>(*e.uid)) &&
                           (!e.gid || y.gid == static_cast<std::uint32_t>(*e.gid));
      x.uid = y.uid, x.gid = y.gid;
      if (to_user && x.type == y.type && x.mode == y.mode && x.size == y.size && x.hash == y.hash && x.link == y.link)
        return "owned by the new user";
    }
  }
  return package_file(d, c);  // the account tools, when a fix installs them
}

bool removed_under(const Difference& d, std::initializer_list<std::string_view> dirs) {
  if (d.kind != Difference::Kind::Removed) return false;
  for (auto dir : dirs)
    if (under(d.what, dir)) return true;
  return false;
}

// A Cmd/Entrypoint/Healthcheck whose new form is the old command run by the new SHELL.
bool via_new_shell(const Difference& d, const Ctx& c) {
  (void)c;
  return d.kind == Difference::Kind::Config &&
         (d.what == "Cmd" || d.what == "Entrypoint" || d.what == "Healthcheck") &&
         d.after.find("pipefail") != std::string::npos;
}

// An ENV whose name says health port (HEALTH_PORT, APP_HEALTHCHECK_PORT) set to
// the service's health port: the healthcheck fix sets it so that a probe (and the
// EXPOSE) reading the variable reach that port.
bool health_port_env(const Difference& d, const Ctx& c) {
  if (d.kind != Difference::Kind::Config || !starts(d.what, "Env ") || !c.expect.health_port) return false;
  std::string name = d.what.substr(4);
  for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  const auto h = name.find("health");
  return h != std::string::npos && name.find("port", h) != std::string::npos &&
         d.after == std::to_string(*c.expect.health_port);
}

const std::map<std::string, Explainer, std::less<>>& explainers() {
  static const std::map<std::string, Explainer, std::less<>> k = {
      {"ports",
       [](const Difference& d, const Ctx& c) -> std::string {
         if (health_port_env(d, c)) return "the health port variable";
         if (!is_config(d, "ExposedPorts")) return "";
         if (c.expect.ports.empty()) return "the service's ports";
         std::vector<std::string> want = c.expect.ports;
         std::sort(want.begin(), want.end());
         std::string w;
         for (const auto& p : want) w += (w.empty() ? "" : " ") + p;
         return d.after == w ? "the service's ports" : "";
       }},
      {"healthcheck",
       [](const Difference& d, const Ctx& c) -> std::string {
         if (is_config(d, "Healthcheck")) {
           if (c.expect.health_probe.empty() || d.after.find(c.expect.health_probe) != std::string::npos)
             return "the policy's health probe";
           if (probes_port(d.after, c.expect.health_port)) return "a probe of the service's health port";
           return "";
         }
         if (is_config(d, "Healthcheck timing")) return "the policy's health probe";
         if (health_port_env(d, c)) return "the health port variable";
         return package_file(d, c);  // the probe's tool, when the fix installs it
       }},
      {"tini",
       [](const Difference& d, const Ctx& c) -> std::string {
         const std::string tini = c.expect.tini.empty() ? "tini" : c.expect.tini;
         if (is_config(d, "Entrypoint"))
           return d.after.find(tini) != std::string::npos ? "tini as PID 1" : "";
         if (is_file(d) && (d.what == tini || ends(d.what, "/tini") || ends(d.what, "/tini-static")))
           return "tini itself";
         return package_file(d, c);
       }},
      {"user", [](const Difference& d, const Ctx& c) { return user_change(d, c, true); }},
      {"non-root-user", [](const Difference& d, const Ctx& c) { return user_change(d, c, false); }},
      {"venv",
       [](const Difference& d, const Ctx& c) -> std::string {
         if (d.kind == Difference::Kind::Config && (d.what == "Env PATH" || d.what == "Env VIRTUAL_ENV"))
           return "the virtual environment's variables";
         // A command that named the environment's programs (/venv/bin/gunicorn)
         // now names the system's: the same command with "<venv>/bin/" left out.
         if (d.kind == Difference::Kind::Config &&
             (d.what == "Cmd" || d.what == "Entrypoint" || d.what == "Healthcheck"))
           for (const auto& r : c.venv_roots) {
             std::string without = d.before;
             const std::string bin = r + "/bin/";
             for (auto at = without.find(bin); at != std::string::npos; at = without.find(bin, at))
               without.erase(at, bin.size());
             if (without != d.before && without == d.after) return "the virtual environment's programs";
           }
         if (d.kind == Difference::Kind::Removed)
           for (const auto& r : c.venv_roots)
             if (under(d.what, r)) return "the virtual environment";
         if (d.kind == Difference::Kind::Added &&
             (under(d.what, "/usr/local/lib") || under(d.what, "/usr/local/bin") || under(d.what, "/usr/lib/python3")))
           return "the packages installed into the system's Python";
         return "";
       }},
      {"machine-profile",
       [](const Difference& d, const Ctx&) -> std::string {
         if (is_file(d) && d.kind != Difference::Kind::Removed && ends(d.what, "/machine-profile.yaml"))
           return "the machine profile";
         return "";
       }},
      {"cuda-arch",
       [](const Difference& d, const Ctx&) -> std::string {
         return d.kind == Difference::Kind::Config && starts(d.what, "Env ") && d.what.find("ARCH") != std::string::npos
                    ? "the CUDA arch list"
                    : "";
       }},
      {"base-image",
       [](const Difference&, const Ctx&) -> std::string { return "a different base image"; }},
      {"exec-form",
       [](const Difference& d, const Ctx&) -> std::string {
         return d.kind == Difference::Kind::Config && (d.what == "Cmd" || d.what == "Entrypoint") ? "the exec form" : "";
       }},
      {"maintainer",
       [](const Difference& d, const Ctx&) -> std::string {
         return d.kind == Difference::Kind::Config && starts(d.what, "Label ") ? "MAINTAINER as a LABEL" : "";
       }},
      {"pipefail",
       [](const Difference& d, const Ctx& c) -> std::string {
         if (is_config(d, "Shell")) return "the SHELL with pipefail";
         return via_new_shell(d, c) ? "run by the SHELL with pipefail" : "";
       }},
      {"apt-no-install-recommends", [](const Difference& d, const Ctx& c) { return package_file(d, c); }},
      {"apt-update-install", [](const Difference& d, const Ctx& c) { return package_file(d, c); }},
      {"apt-lists-cleanup",
       [](const Difference& d, const Ctx&) -> std::string {
         return removed_under(d, {"/var/lib/apt/lists", "/var/cache/apt"}) ? "apt's lists removed" : "";
       }},
      {"apk-no-cache",
       [](const Difference& d, const Ctx&) -> std::string {
         return removed_under(d, {"/var/cache/apk", "/etc/apk/cache"}) ? "apk's cache not kept" : "";
       }},
      {"yum-clean",
       [](const Difference& d, const Ctx&) -> std::string {
         return removed_under(d, {"/var/cache/yum", "/var/cache/dnf", "/var/lib/dnf"}) ? "the yum/dnf cache removed" : "";
       }},
      {"zypper-clean",
       [](const Difference& d, const Ctx&) -> std::string {
         return removed_under(d, {"/var/cache/zypp"}) ? "zypper's cache removed" : "";
       }},
      {"pip-no-cache-dir",
       [](const Difference& d, const Ctx&) -> std::string {
         if (d.kind != Difference::Kind::Removed) return "";
         if (d.what.find("/.cache/pip") != std::string::npos || ends(d.what, "/.cache")) return "pip's cache not kept";
         return "";
       }},
      {"npm-cache-clean",
       [](const Difference& d, const Ctx&) -> std::string {
         return d.kind == Difference::Kind::Removed && d.what.find("/.npm") != std::string::npos ? "npm's cache removed" : "";
       }},
      {"npm-cache-force",
       [](const Difference& d, const Ctx&) -> std::string {
         return d.kind == Difference::Kind::Removed && d.what.find("/.npm") != std::string::npos ? "npm's cache removed" : "";
       }},
      {"yarn-cache-clean",
       [](const Difference& d, const Ctx&) -> std::string {
         return d.kind == Difference::Kind::Removed && d.what.find("/yarn") != std::string::npos ? "yarn's cache removed" : "";
       }},
      {"gem-no-document",
       [](const Difference& d, const Ctx&) -> std::string {
         return d.kind == Difference::Kind::Removed && (d.what.find("/doc/") != std::string::npos || ends(d.what, "/doc") ||
                                                        d.what.find("/ri/") != std::string::npos)
                    ? "gem documentation not installed"
                    : "";
       }},
      {"gem-update-system-cleanup",
       [](const Difference& d, const Ctx&) -> std::string {
         return d.kind == Difference::Kind::Removed && d.what.find("gem") != std::string::npos ? "old gems cleaned up" : "";
       }},
      {"tar-rm-archive",
       [](const Difference& d, const Ctx&) -> std::string {
         for (const char* x : {".tar", ".tar.gz", ".tgz", ".tar.xz", ".txz", ".tar.bz2", ".tbz2", ".tar.zst", ".zip"})
           if (d.kind == Difference::Kind::Removed && ends(d.what, x)) return "the archive removed after extracting";
         return "";
       }},
      {"gpg-signature-cleanup",
       [](const Difference& d, const Ctx&) -> std::string {
         if (d.kind != Difference::Kind::Removed) return "";
         for (const char* x : {".asc", ".sig", ".gpg", ".sign"})
           if (ends(d.what, x)) return "the signature removed after checking";
         return d.what.find("gnupg") != std::string::npos ? "the keyring removed after checking" : "";
       }},
      {"mktemp-cleanup",
       [](const Difference& d, const Ctx&) -> std::string {
         return removed_under(d, {"/tmp", "/var/tmp"}) ? "the temporary directory removed" : "";
       }},
  };
  return k;
}

}  // namespace

void explain(std::vector<Difference>& diffs, const std::vector<AppliedFix>& fixes, const Expectations& expect,
             const FileTree& before, const FileTree& after) {
  const Packages pb = read_packages(before), pa = read_packages(after);
  Ctx c{expect, before, after, pb, pa, {}};
  for (const auto& [path, e] : before.entries)
    if (ends(path, "/pyvenv.cfg")) c.venv_roots.insert(path.substr(0, path.size() - 11));
  std::vector<std::string> rules;
  for (const auto& f : fixes)
    if (std::find(rules.begin(), rules.end(), f.rule) == rules.end()) rules.push_back(f.rule);
  for (auto& d : diffs) {
    std::vector<std::string> by;
    std::string because;
    // A file the fixes wrote, copied into the image by the build (COPY . .).
    if (d.kind == Difference::Kind::Added || d.kind == Difference::Kind::Changed) {
      const auto it = after.entries.find(d.what);
      if (it != after.entries.end() && it->second.type == 'f' &&
          std::find(expect.fixed_files.begin(), expect.fixed_files.end(), it->second.hash) != expect.fixed_files.end()) {
        d.explained_by = join(rules, ",");
        d.because = "a file the fixes wrote, copied from the build context";
        continue;
      }
    }
    for (const auto& r : rules) {
      const auto it = explainers().find(r);
      if (it == explainers().end()) continue;
      const std::string why = it->second(d, c);
      if (why.empty()) continue;
      by.push_back(r);
      if (because.empty()) because = why;
    }
    d.explained_by = join(by, ",");
    d.because = because;
  }
  // A directory added or removed is explained when what it holds is: it came
  // with the files (a package's directory, the user's home).
  for (auto& d : diffs) {
    if (!d.explained_by.empty() || !is_file(d) || d.kind == Difference::Kind::Changed) continue;
    const auto& tree = d.kind == Difference::Kind::Added ? after : before;
    const auto it = tree.entries.find(d.what);
    if (it == tree.entries.end() || it->second.type != 'd') continue;
    for (const auto& o : diffs) {
      if (&o == &d || o.kind != d.kind || o.explained_by.empty() || !under(o.what, d.what)) continue;
      d.explained_by = o.explained_by;
      d.because = "holds " + o.what;
      break;
    }
  }
}

}  // namespace dockmend::verify
