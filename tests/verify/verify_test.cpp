// The verify module without a builder: reading inspect output and tar streams,
// comparing images, explaining differences, the run-time checks, the report.
#include <gtest/gtest.h>

#include <cstring>

#include "verify/verify.hpp"

namespace dockmend::verify {
namespace {

// ------------------------------------------------------------------ a tar writer for the tests

std::string octal(std::uint64_t v, std::size_t width) {
  std::string s(width - 1, '0');
  for (std::size_t i = width - 1; i-- > 0 && v;) s[i] = static_cast<char>('0' + (v & 7)), v >>= 3;
  return s + '\0';
}

struct Tar {
  std::string bytes;
  void entry(const std::string& name, char type, std::uint32_t mode, std::uint32_t uid, std::uint32_t gid,
             const std::string& content = "", const std::string& link = "") {
    if (name.size() > 99) {  // a GNU long name record first
      std::string data = name + '\0';
      raw("././@LongLink", 'L', 0, 0, 0, data.size(), "");
      pad(data);
    }
    raw(name.substr(0, 99), type, mode, uid, gid, type == '0' ? content.size() : 0, link);
    if (type == '0') pad(content);
  }
  void pax(const std::string& key, const std::string& value) {
    std::string rec = " " + key + "=" + value + "\n";
    std::size_t len = rec.size() + 1;
    while (std::to_string(len).size() + rec.size() != len) ++len;
    std::string data = std::to_string(len) + rec;
    raw("PaxHeader", 'x', 0, 0, 0, data.size(), "");
    pad(data);
  }
  void end() { bytes.append(1024, '\0'); }

 private:
  void raw(const std::string& name, char type, std::uint32_t mode, std::uint32_t uid, std::uint32_t gid,
           std::uint64_t size, const std::string& link) {
    char h[512];
    std::memset(h, 0, sizeof h);
    std::memcpy(h, name.data(), std::min<std::size_t>(name.size(), 100));
    std::memcpy(h + 100, octal(mode, 8).data(), 8);
    std::memcpy(h + 108, octal(uid, 8).data(), 8);
    std::memcpy(h + 116, octal(gid, 8).data(), 8);
    std::memcpy(h + 124, octal(size, 12).data(), 12);
    std::memcpy(h + 136, octal(0, 12).data(), 12);
    h[156] = type;
    std::memcpy(h + 157, link.data(), std::min<std::size_t>(link.size(), 100));
    std::memcpy(h + 257, "ustar\0" "00", 8);
    std::memset(h + 148, ' ', 8);
    unsigned sum = 0;
    for (unsigned char c : h) sum += c;
    std::memcpy(h + 148, octal(sum, 7).data(), 7);
    bytes.append(h, sizeof h);
  }
  void pad(const std::string& data) {
    bytes += data;
    bytes.append((512 - data.size() % 512) % 512, '\0');
  }
};

FileTree read_tar(const std::string& bytes, std::size_t piece) {
  TarReader r;
  for (std::size_t i = 0; i < bytes.size(); i += piece) r.feed(bytes.data() + i, std::min(piece, bytes.size() - i));
  EXPECT_TRUE(r.finish()) << r.error();
  return r.take();
}

TEST(VerifyTar, ReadsTypesModesOwnersSizesAndHashesInAnyPieces) {
  Tar t;
  t.entry("./", '5', 0755, 0, 0);
  t.entry("./usr/bin/tini", '0', 0755, 0, 0, std::string(1000, 'x'));
  t.entry("./home/appuser/", '5', 0700, 10001, 10001);
  t.entry("./usr/bin/sh", '2', 0777, 0, 0, "", "dash");
  t.entry("./etc/passwd", '0', 0644, 0, 0, "root:x:0:0::/root:/bin/sh\n");
  t.entry("./usr/bin/hard", '1', 0755, 0, 0, "", "./usr/bin/tini");
  t.end();
  for (std::size_t piece : {std::size_t{1}, std::size_t{7}, std::size_t{512}, std::size_t{1} << 20}) {
    const FileTree tree = read_tar(t.bytes, piece);
    ASSERT_EQ(tree.entries.size(), 6u) << piece;
    const auto& tini = tree.entries.at("/usr/bin/tini");
    EXPECT_EQ(tini.type, 'f');
    EXPECT_EQ(tini.mode, 0755u);
    EXPECT_EQ(tini.size, 1000u);
    EXPECT_NE(tini.hash, 0u);
    const auto& home = tree.entries.at("/home/appuser");
    EXPECT_EQ(home.type, 'd');
    EXPECT_EQ(home.uid, 10001u);
    EXPECT_EQ(home.mode, 0700u);
    EXPECT_EQ(tree.entries.at("/usr/bin/sh").link, "dash");
    EXPECT_EQ(tree.entries.at("/usr/bin/hard").link, "/usr/bin/tini");
    EXPECT_TRUE(tree.entries.count("/"));
    // Account files keep their content (the user fix's explanations read them).
    EXPECT_EQ(tree.contents.at("/etc/passwd"), "root:x:0:0::/root:/bin/sh\n");
  }
}

TEST(VerifyTar, LongNamesFromGnuAndPaxRecords) {
  Tar t;
  const std::string long_name = "./usr/share/" + std::string(120, 'a') + "/file";
  t.entry(long_name, '0', 0644, 0, 0, "hello");
  t.pax("path", "./opt/" + std::string(150, 'b'));
  t.pax("uid", "70000");
  t.entry("./placeholder", '0', 0600, 0, 0, "x");
  t.end();
  const FileTree tree = read_tar(t.bytes, 100);
  ASSERT_TRUE(tree.entries.count(normalize_path(long_name)));
  EXPECT_EQ(tree.entries.at(normalize_path(long_name)).size, 5u);
  // Each PAX record applies to the next entry only; the last one wins for path.
  const std::string pax_name = "/opt/" + std::string(150, 'b');
  ASSERT_TRUE(tree.entries.count(pax_name)) << tree.entries.begin()->first;
  EXPECT_EQ(tree.entries.at(pax_name).uid, 70000u);
  EXPECT_FALSE(tree.entries.count("/placeholder"));
}

TEST(VerifyTar, ContentDecidesTheHash) {
  Tar a, b;
  a.entry("./f", '0', 0644, 0, 0, "one");
  b.entry("./f", '0', 0644, 0, 0, "two");
  a.end(), b.end();
  EXPECT_NE(read_tar(a.bytes, 512).entries.at("/f").hash, read_tar(b.bytes, 512).entries.at("/f").hash);
}

TEST(VerifyTar, RefusesGarbageAndCutStreams) {
  TarReader r;
  const std::string junk(1024, 'j');
  r.feed(junk.data(), junk.size());
  EXPECT_FALSE(r.finish());
  EXPECT_NE(r.error().find("not a tar stream"), std::string::npos);

  Tar t;
  t.entry("./f", '0', 0644, 0, 0, std::string(2000, 'x'));
  TarReader cut;
  cut.feed(t.bytes.data(), 700);
  EXPECT_FALSE(cut.finish());
  EXPECT_NE(cut.error().find("ends inside"), std::string::npos);
}

TEST(VerifyPaths, Normalize) {
  EXPECT_EQ(normalize_path("./"), "/");
  EXPECT_EQ(normalize_path("."), "/");
  EXPECT_EQ(normalize_path("./usr/bin/"), "/usr/bin");
  EXPECT_EQ(normalize_path("usr//lib/../bin"), "/usr/bin");
}

// ------------------------------------------------------------------ inspect output

// As `buildah inspect --type image` prints it (abridged): the docker config under Docker.config.
const char* const k_buildah_inspect = R"({
  "Type": "buildah 0.0.1",
  "FromImage": "localhost/dockmend-verify/app:fixed",
  "OCIv1": {"config": {"User": "appuser", "Env": ["PATH=/usr/bin"]}},
  "Docker": {"config": {
    "User": "appuser",
    "Env": ["PATH=/usr/local/bin:/usr/bin", "LANG=C.UTF-8"],
    "Cmd": ["gunicorn", "-b", "0.0.0.0:8000", "app:app"],
    "Entrypoint": ["/usr/bin/tini", "--"],
    "WorkingDir": "/app",
    "ExposedPorts": {"8001/tcp": {}, "8000/tcp": {}},
    "Healthcheck": {"Test": ["CMD-SHELL", "curl -fsS http://localhost:8001/health || exit 1"],
                    "Interval": 30000000000, "Retries": 3},
    "Shell": ["/bin/bash", "-o", "pipefail", "-c"],
    "Labels": {"maintainer": "me"},
    "StopSignal": "SIGTERM",
    "Volumes": {"/data": {}}
  }}
})";

TEST(VerifyInspect, BuildahDockerConfig) {
  std::string error;
  const auto c = parse_inspect(k_buildah_inspect, &error);
  ASSERT_TRUE(c) << error;
  EXPECT_EQ(c->user, "appuser");
  EXPECT_EQ(c->env.size(), 2u);
  ASSERT_TRUE(c->entrypoint);
  EXPECT_EQ((*c->entrypoint)[0], "/usr/bin/tini");
  EXPECT_EQ(c->cmd->size(), 4u);
  EXPECT_EQ(c->working_dir, "/app");
  EXPECT_EQ(c->exposed_ports, (std::vector<std::string>{"8000/tcp", "8001/tcp"}));
  ASSERT_TRUE(c->healthcheck);
  EXPECT_EQ((*c->healthcheck)[0], "CMD-SHELL");
  EXPECT_EQ(c->healthcheck_timing, "Interval=30s Retries=3");
  ASSERT_TRUE(c->shell);
  EXPECT_EQ(c->shell->size(), 4u);
  EXPECT_EQ(c->labels.at("maintainer"), "me");
  EXPECT_EQ(c->stop_signal, "SIGTERM");
  EXPECT_EQ(c->volumes, std::vector<std::string>{"/data"});
  EXPECT_TRUE(c->shell_known);
}

TEST(VerifyInspect, DockerArrayAndPodmanOciConfig) {
  std::string error;
  const auto d = parse_inspect(R"([{"Id": "sha256:1", "Config": {"User": "", "Cmd": ["bash"], "Entrypoint": null,
                                    "Shell": ["/bin/sh", "-c"]}}])",
                               &error);
  ASSERT_TRUE(d) << error;
  EXPECT_FALSE(d->entrypoint);
  EXPECT_TRUE(d->shell_known);
  // podman image inspect: the OCI config, which has no Shell; the healthcheck beside it.
  const auto p = parse_inspect(R"([{"Id": "1", "ManifestType": "application/vnd.docker.distribution.manifest.v2+json",
                                    "Config": {"Cmd": ["bash"]},
                                    "HealthCheck": {"Test": ["CMD", "true"]}}])",
                               &error);
  ASSERT_TRUE(p) << error;
  EXPECT_FALSE(p->shell_known);
  ASSERT_TRUE(p->healthcheck);
  EXPECT_EQ((*p->healthcheck)[1], "true");
}

TEST(VerifyInspect, ErrorsAreValues) {
  std::string error;
  EXPECT_FALSE(parse_inspect("[]", &error));
  EXPECT_NE(error.find("no image"), std::string::npos);
  EXPECT_FALSE(parse_inspect("{\"Id\": 1}", &error));
  EXPECT_NE(error.find("no image config"), std::string::npos);
  EXPECT_FALSE(parse_inspect("{[", &error));
  EXPECT_FALSE(error.empty());
}

// ------------------------------------------------------------------ comparing and explaining

FileEntry file(std::string path, std::uint64_t size, std::uint64_t hash, std::uint32_t uid = 0) {
  FileEntry e;
  e.path = std::move(path);
  e.type = 'f';
  e.mode = 0644;
  e.size = size;
  e.hash = hash;
  e.uid = e.gid = uid;
  return e;
}
FileEntry dir(std::string path, std::uint32_t uid = 0) {
  FileEntry e;
  e.path = std::move(path);
  e.type = 'd';
  e.mode = 0755;
  e.uid = e.gid = uid;
  return e;
}
void put(FileTree& t, FileEntry e) { t.entries[e.path] = std::move(e); }

const Difference* find(const std::vector<Difference>& ds, std::string_view what) {
  for (const auto& d : ds)
    if (d.what == what) return &d;
  return nullptr;
}

Expectations policy_expect() {
  Expectations e;
  e.user_name = "appuser";
  e.uid = 10001;
  e.gid = 10001;
  e.tini = "/usr/bin/tini";
  e.ports = {"8000/tcp", "8001/tcp"};
  e.health_probe = "curl -fsS http://localhost:8001/health || exit 1";
  return e;
}

TEST(VerifyCompare, ConfigByFieldAndEnvByVariable) {
  ImageConfig a, b;
  a.env = {"PATH=/usr/bin", "A=1"};
  b.env = {"PATH=/venv/bin:/usr/bin", "A=1", "B=2"};
  b.user = "appuser";
  b.entrypoint = std::vector<std::string>{"/usr/bin/tini", "--"};
  const auto ds = compare_config(a, b);
  ASSERT_TRUE(find(ds, "Env PATH"));
  EXPECT_EQ(find(ds, "Env B")->before, "(unset)");
  EXPECT_FALSE(find(ds, "Env A"));
  EXPECT_EQ(find(ds, "User")->after, "appuser");
  EXPECT_EQ(find(ds, "Entrypoint")->before, "(none)");
  EXPECT_FALSE(find(ds, "Cmd"));
}

TEST(VerifyCompare, TreesAddedRemovedChangedAndNoiseIgnored) {
  FileTree a, b;
  put(a, file("/etc/passwd", 10, 1));
  put(b, file("/etc/passwd", 20, 2));
  put(b, file("/usr/bin/tini", 5, 3));
  put(a, file("/var/lib/apt/lists/x_Packages", 5, 4));
  put(a, file("/var/log/dpkg.log", 5, 5));
  put(b, file("/var/log/dpkg.log", 9, 6));
  put(a, file("/app/x.pyc", 5, 7));
  put(b, file("/app/x.pyc", 5, 8));
  const auto ds = compare_trees(a, b);
  EXPECT_EQ(find(ds, "/etc/passwd")->kind, Difference::Kind::Changed);
  EXPECT_EQ(find(ds, "/usr/bin/tini")->kind, Difference::Kind::Added);
  EXPECT_EQ(find(ds, "/var/lib/apt/lists/x_Packages")->kind, Difference::Kind::Removed);
  EXPECT_FALSE(find(ds, "/var/log/dpkg.log"));
  EXPECT_FALSE(find(ds, "/app/x.pyc"));
  // Same size, other content.
  FileTree c, d;
  put(c, file("/f", 3, 1));
  put(d, file("/f", 3, 2));
  const auto cd = compare_trees(c, d);
  ASSERT_EQ(cd.size(), 1u);
  EXPECT_NE(cd[0].after.find("content differs"), std::string::npos);
}

TEST(VerifyExplain, TiniExplainsItsFilesAndEntrypointButNotEnv) {
  FileTree a, b;
  a.contents["/var/lib/dpkg/status"] = "Package: bash\nStatus: install ok installed\n\n";
  b.contents["/var/lib/dpkg/status"] =
      "Package: bash\nStatus: install ok installed\n\nPackage: tini\nStatus: install ok installed\n\n";
  b.contents["/var/lib/dpkg/info/tini.list"] = "/.\n/usr\n/usr/bin\n/usr/bin/tini\n/usr/bin/tini-static\n/usr/share/doc/tini\n"
                                                "/usr/share/doc/tini/copyright\n";
  put(b, file("/usr/bin/tini", 5, 1));
  put(b, file("/usr/bin/tini-static", 5, 2));
  put(b, dir("/usr/share/doc/tini"));
  put(b, file("/usr/share/doc/tini/copyright", 5, 3));
  put(a, file("/var/lib/dpkg/status", 10, 4));
  put(b, file("/var/lib/dpkg/status", 20, 5));
  ImageConfig ca, cb;
  cb.entrypoint = std::vector<std::string>{"/usr/bin/tini", "--"};
  cb.env = {"DEBUG=1"};
  auto ds = compare_config(ca, cb);
  for (auto& d : compare_trees(a, b)) ds.push_back(d);
  explain(ds, {{"tini", "PID 1 is not tini"}}, policy_expect(), a, b);
  EXPECT_EQ(find(ds, "Entrypoint")->explained_by, "tini");
  EXPECT_EQ(find(ds, "/usr/bin/tini")->explained_by, "tini");
  EXPECT_EQ(find(ds, "/usr/share/doc/tini/copyright")->explained_by, "tini");
  EXPECT_NE(find(ds, "/usr/share/doc/tini/copyright")->because.find("package tini"), std::string::npos);
  EXPECT_EQ(find(ds, "/usr/share/doc/tini")->explained_by, "tini");
  EXPECT_EQ(find(ds, "/var/lib/dpkg/status")->explained_by, "tini");
  EXPECT_EQ(find(ds, "Env DEBUG")->explained_by, "") << "a tini fix does not explain a changed Env";
}

TEST(VerifyExplain, PackageFilesListedUnderLibAreFoundUnderMergedUsr) {
  // Debian bookworm's libkeyutils1 lists /lib/x86_64-linux-gnu/libkeyutils.so.1; with
  // merged /usr (/lib -> usr/lib) the exported tree has it under /usr/lib. Found in the
  // build check of golden/policy/shell-entrypoint-needs-shell, whose fix installs curl.
  FileTree a, b;
  a.contents["/var/lib/dpkg/status"] = "Package: bash\nStatus: install ok installed\n\n";
  b.contents["/var/lib/dpkg/status"] =
      "Package: bash\nStatus: install ok installed\n\nPackage: libkeyutils1\nStatus: install ok installed\n\n";
  b.contents["/var/lib/dpkg/info/libkeyutils1:amd64.list"] =
      "/.\n/lib\n/lib/x86_64-linux-gnu\n/lib/x86_64-linux-gnu/libkeyutils.so.1.10\n"
      "/lib/x86_64-linux-gnu/libkeyutils.so.1\n";
  put(b, file("/usr/lib/x86_64-linux-gnu/libkeyutils.so.1.10", 5, 1));
  put(b, file("/usr/bin/unowned", 5, 2));
  auto ds = compare_trees(a, b);
  explain(ds, {{"healthcheck", "the probe's program is not installed"}}, policy_expect(), a, b);
  ASSERT_TRUE(find(ds, "/usr/lib/x86_64-linux-gnu/libkeyutils.so.1.10"));
  EXPECT_EQ(find(ds, "/usr/lib/x86_64-linux-gnu/libkeyutils.so.1.10")->explained_by, "healthcheck");
  EXPECT_NE(find(ds, "/usr/lib/x86_64-linux-gnu/libkeyutils.so.1.10")->because.find("package libkeyutils1"),
            std::string::npos);
  EXPECT_EQ(find(ds, "/usr/bin/unowned")->explained_by, "") << "a file no package owns stays unexplained";
}

TEST(VerifyExplain, NothingIsExplainedWithoutTheFixThatCouldExplainIt) {
  FileTree a, b;
  put(b, file("/usr/bin/tini", 5, 1));
  ImageConfig ca, cb;
  cb.user = "appuser";
  auto ds = compare_config(ca, cb);
  for (auto& d : compare_trees(a, b)) ds.push_back(d);
  explain(ds, {{"ports", "exposed ports are not the service's ports"}}, policy_expect(), a, b);
  for (const auto& d : ds) EXPECT_EQ(d.explained_by, "") << d.what;
}

TEST(VerifyExplain, UserExplainsAccountFilesHomeAndOwnershipToTheUserOnly) {
  FileTree a, b;
  put(a, file("/etc/passwd", 10, 1));
  put(b, file("/etc/passwd", 40, 2));
  put(b, file("/etc/passwd-", 10, 1));
  put(b, dir("/home/appuser", 10001));
  put(b, file("/home/appuser/.bashrc", 3, 9, 10001));
  put(a, file("/app/main.py", 3, 7, 0));
  put(b, file("/app/main.py", 3, 7, 10001));
  put(a, file("/app/other.py", 3, 7, 0));
  put(b, file("/app/other.py", 3, 8, 10001));  // content changed too: not an ownership change
  put(a, file("/app/third.py", 3, 7, 0));
  put(b, file("/app/third.py", 3, 7, 555));  // handed to someone else
  ImageConfig ca, cb;
  cb.user = "appuser";
  auto ds = compare_config(ca, cb);
  for (auto& d : compare_trees(a, b)) ds.push_back(d);
  explain(ds, {{"user", "the runtime stage runs as root"}}, policy_expect(), a, b);
  EXPECT_EQ(find(ds, "User")->explained_by, "user");
  EXPECT_EQ(find(ds, "/etc/passwd")->explained_by, "user");
  EXPECT_EQ(find(ds, "/etc/passwd-")->explained_by, "user");
  EXPECT_EQ(find(ds, "/home/appuser")->explained_by, "user");
  EXPECT_EQ(find(ds, "/app/main.py")->explained_by, "user");
  EXPECT_EQ(find(ds, "/app/other.py")->explained_by, "");
  EXPECT_EQ(find(ds, "/app/third.py")->explained_by, "");
}

TEST(VerifyExplain, ConfigMustBeWhatThePolicyAsks) {
  ImageConfig ca, cb;
  cb.user = "nobody";
  cb.exposed_ports = {"8000/tcp"};
  cb.entrypoint = std::vector<std::string>{"/sbin/dumb-init", "--"};
  auto ds = compare_config(ca, cb);
  FileTree t;
  explain(ds, {{"user", ""}, {"ports", ""}, {"tini", ""}}, policy_expect(), t, t);
  EXPECT_EQ(find(ds, "User")->explained_by, "") << "not the policy's user";
  EXPECT_EQ(find(ds, "ExposedPorts")->explained_by, "") << "not the service's ports";
  EXPECT_EQ(find(ds, "Entrypoint")->explained_by, "") << "not tini";
  const auto checks = check_config(policy_expect(), cb);
  ASSERT_EQ(checks.size(), 4u);  // user, entrypoint, ports, and the missing healthcheck
  for (const auto& c : checks) EXPECT_FALSE(c.ok) << c.name;
}

TEST(VerifyExplain, TheFixedDockerfileCopiedIntoTheImage) {
  // COPY . . copies the Dockerfile itself: the fixed one differs, and only its
  // own content is explained so.
  const std::string fixed = "FROM debian\nUSER appuser\n";
  FileTree a, b;
  put(a, file("/app/Dockerfile", 12, content_hash("FROM debian\n")));
  put(b, file("/app/Dockerfile", fixed.size(), content_hash(fixed)));
  put(a, file("/app/main.py", 3, 1));
  put(b, file("/app/main.py", 3, 2));
  Expectations e;
  e.fixed_files = {content_hash(fixed)};
  auto ds = compare_trees(a, b);
  explain(ds, {{"non-root-user", ""}}, e, a, b);
  EXPECT_EQ(find(ds, "/app/Dockerfile")->explained_by, "non-root-user");
  EXPECT_EQ(find(ds, "/app/main.py")->explained_by, "");
}

TEST(VerifyExplain, VenvExplainsItsDirectoryVariablesAndProgramPaths) {
  FileTree a, b;
  put(a, dir("/venv"));
  put(a, file("/venv/pyvenv.cfg", 5, 1));
  put(a, file("/venv/bin/gunicorn", 5, 2));
  put(b, file("/usr/local/bin/gunicorn", 5, 3));
  ImageConfig ca, cb;
  ca.cmd = std::vector<std::string>{"/venv/bin/gunicorn", "app:app"};
  cb.cmd = std::vector<std::string>{"gunicorn", "app:app"};
  ca.env = {"VIRTUAL_ENV=/venv", "PATH=/venv/bin:/usr/bin"};
  cb.env = {"PATH=/usr/bin"};
  ca.entrypoint = std::vector<std::string>{"/venv/bin/other"};
  cb.entrypoint = std::vector<std::string>{"something-else"};
  auto ds = compare_config(ca, cb);
  for (auto& d : compare_trees(a, b)) ds.push_back(d);
  explain(ds, {{"venv", ""}}, {}, a, b);
  EXPECT_EQ(find(ds, "Cmd")->explained_by, "venv");
  EXPECT_EQ(find(ds, "Env VIRTUAL_ENV")->explained_by, "venv");
  EXPECT_EQ(find(ds, "/venv/bin/gunicorn")->explained_by, "venv");
  EXPECT_EQ(find(ds, "/usr/local/bin/gunicorn")->explained_by, "venv");
  EXPECT_EQ(find(ds, "Entrypoint")->explained_by, "") << "not the same command without the venv";
}

TEST(VerifyExplain, AnotherProbeOfTheHealthPortIsWhatThePolicyAsks) {
  auto e = policy_expect();
  e.health_port = 8001;
  ImageConfig c;
  c.healthcheck = std::vector<std::string>{"CMD-SHELL", "python -c \"urlopen('http://localhost:8001/health')\""};
  bool seen = false;
  for (const auto& r : check_config(e, c))
    if (r.name == "config-healthcheck") {
      EXPECT_TRUE(r.ok) << r.message;
      seen = true;
    }
  EXPECT_TRUE(seen);
  c.healthcheck = std::vector<std::string>{"CMD-SHELL", "curl -f http://localhost:18001/ || exit 1"};
  for (const auto& r : check_config(e, c))
    if (r.name == "config-healthcheck") {
      EXPECT_FALSE(r.ok) << "port 18001 is not 8001";
    }
}

TEST(VerifyExplain, CleanupRulesExplainRemovalsOnly) {
  FileTree a, b;
  put(a, file("/var/lib/apt/lists/deb.debian.org_Packages", 5, 1));
  put(a, file("/root/.cache/pip/http/x", 5, 2));
  put(b, file("/var/lib/apt/lists/new_Packages", 5, 3));
  std::vector<Difference> ds = compare_trees(a, b);
  explain(ds, {{"apt-lists-cleanup", ""}, {"pip-no-cache-dir", ""}}, {}, a, b);
  EXPECT_EQ(find(ds, "/var/lib/apt/lists/deb.debian.org_Packages")->explained_by, "apt-lists-cleanup");
  EXPECT_EQ(find(ds, "/root/.cache/pip/http/x")->explained_by, "pip-no-cache-dir");
  EXPECT_EQ(find(ds, "/var/lib/apt/lists/new_Packages")->explained_by, "") << "cleanup adds nothing";
}

// ------------------------------------------------------------------ builders

TEST(VerifyBuilder, BuildCommandsAlwaysDockerFormatNeverPush) {
  BuildRequest r;
  r.dockerfile = "/w/Dockerfile";
  r.context = "/w";
  r.tag = "localhost/dockmend-verify/app:fixed";
  r.pull = "never";
  r.build_args = {"A=1"};
  r.extra = {"--network=host"};
  Builder buildah;
  buildah.kind = BuilderKind::Buildah;
  buildah.program = "buildah";
  EXPECT_EQ(build_argv(buildah, r),
            (std::vector<std::string>{"buildah", "bud", "--format", "docker", "--pull=never", "--build-arg", "A=1",
                                      "--network=host", "-f", "/w/Dockerfile", "-t",
                                      "localhost/dockmend-verify/app:fixed", "/w"}));
  Builder podman = buildah;
  podman.kind = BuilderKind::Podman;
  podman.program = "podman";
  EXPECT_EQ(build_argv(podman, r)[1], "build");
  EXPECT_EQ(build_argv(podman, r)[3], "docker");
  Builder docker = buildah;
  docker.kind = BuilderKind::Docker;
  docker.program = "docker";
  docker.buildx = true;
  const auto d = build_argv(docker, r);
  EXPECT_EQ(std::vector<std::string>(d.begin(), d.begin() + 4),
            (std::vector<std::string>{"docker", "buildx", "build", "--load"}));
  for (const auto* b : {&buildah, &podman, &docker})
    for (const auto& a : build_argv(*b, r)) EXPECT_EQ(a.find("push"), std::string::npos);
}

TEST(VerifyBuilder, FeaturesBookwormsBuildahLacks) {
  Builder b;
  b.kind = BuilderKind::Podman;
  b.program = "podman";
  b.version = "1.28.2";
  const auto m = missing_features(b, "FROM debian\nRUN <<EOF\necho hi\nEOF\nCOPY --link a /b\n");
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].feature, "heredoc");
  EXPECT_EQ(m[0].line, 2u);
  EXPECT_NE(m[0].why.find("buildah 1.28.2"), std::string::npos);
  EXPECT_NE(m[0].why.find("1.33"), std::string::npos);
  EXPECT_EQ(m[1].feature, "COPY --link");
  EXPECT_EQ(m[1].line, 5u);
  b.version = "1.41.0";
  EXPECT_TRUE(missing_features(b, "FROM debian\nRUN <<EOF\necho hi\nEOF\nCOPY --link a /b\n").empty());
  b.kind = BuilderKind::Docker;
  b.version = "28.2.2";
  EXPECT_TRUE(missing_features(b, "FROM debian\nRUN <<EOF\necho hi\nEOF\n").empty());
}

TEST(VerifyBuilder, BaseImagesWithArgsStagesAndScratch) {
  EXPECT_EQ(base_images("ARG BASE=python:3.12-slim\nFROM ${BASE} AS build\nFROM build\nFROM scratch\n"
                        "FROM --platform=linux/amd64 debian:bookworm\nFROM $UNSET\n",
                        {}),
            (std::vector<std::string>{"python:3.12-slim", "debian:bookworm"}));
  EXPECT_EQ(base_images("ARG BASE=a\nFROM $BASE\n", {"BASE=b:1"}), std::vector<std::string>{"b:1"});
}

TEST(VerifyBuilder, ClassifiesFailures) {
  EXPECT_EQ(classify_build_failure("STEP 1/2: FROM x\nError: creating build container: short-name resolution "
                                   "enforced but cannot prompt without a TTY\n")
                .kind,
            BuildFailure::Kind::BaseNotFound);
  const auto f = classify_build_failure(
      "STEP 2/7: RUN <<EOF\nError: building at STEP \"ECHO \": Build error: Unknown instruction: \"ECHO\"\n");
  EXPECT_EQ(f.kind, BuildFailure::Kind::MissingFeature);
  EXPECT_EQ(f.line.rfind("Error: building at STEP", 0), 0u);
  EXPECT_EQ(classify_build_failure("Error: building at STEP \"RUN false\": exit status 1\n").kind,
            BuildFailure::Kind::Other);
}

TEST(VerifyBuilder, Versions) {
  EXPECT_EQ(parse_version("buildah version 1.28.2 (image-spec 1.1.0-rc2)")->minor, 28);
  EXPECT_EQ(parse_version("1.33")->major, 1);
  EXPECT_FALSE(parse_version("none"));
}

// ------------------------------------------------------------------ run-time checks and the report

TEST(VerifyRun, UserAndPid1) {
  const auto e = policy_expect();
  EXPECT_TRUE(check_user(e, "uid=10001(appuser) gid=10001(appuser) groups=10001(appuser)\n").ok);
  const auto bad = check_user(e, "uid=0(root) gid=0(root) groups=0(root)\n");
  EXPECT_FALSE(bad.ok);
  EXPECT_NE(bad.message.find("10001:10001"), std::string::npos);
  EXPECT_FALSE(check_user(e, "").ok);
  EXPECT_TRUE(check_pid1(e, std::string("/usr/bin/tini\0--\0gunicorn\0", 26)).ok);
  const auto p = check_pid1(e, std::string("gunicorn\0-b\0", 12));
  EXPECT_FALSE(p.ok);
  EXPECT_NE(p.message.find("not /usr/bin/tini"), std::string::npos);
  Expectations none;
  EXPECT_TRUE(check_pid1(none, "").skipped);
  EXPECT_EQ(health_exec_argv({"CMD-SHELL", "curl -f x || exit 1"}),
            (std::vector<std::string>{"/bin/sh", "-c", "curl -f x || exit 1"}));
  EXPECT_EQ(health_exec_argv({"CMD", "/bin/probe", "-q"}), (std::vector<std::string>{"/bin/probe", "-q"}));
  EXPECT_TRUE(health_exec_argv({"NONE"}).empty());
}

TEST(VerifyReport, ExitCodesAndJson) {
  FileResult ok;
  ok.path = "Dockerfile";
  ok.status = FileResult::Status::Verified;
  FileResult cannot = ok;
  cannot.status = FileResult::Status::CannotVerify;
  cannot.reason = "the base image x cannot be pulled";
  FileResult bad = ok;
  bad.status = FileResult::Status::Unexplained;
  Difference d;
  d.what = "Env DEBUG";
  d.before = "(unset)";
  d.after = "1";
  bad.differences.push_back(d);
  EXPECT_EQ(exit_code({ok}), 0);
  EXPECT_EQ(exit_code({ok, cannot}), 2);
  EXPECT_EQ(exit_code({cannot, bad}), 1);
  FileResult failed_check = ok;
  RunCheck c;
  c.name = "pid1";
  failed_check.run_checks.push_back(c);
  EXPECT_EQ(exit_code({failed_check}), 1);
  const std::string text = render_text({bad, cannot}, "podman", false);
  EXPECT_NE(text.find("UNEXPLAINED Env DEBUG: (unset) -> 1"), std::string::npos) << text;
  EXPECT_NE(text.find("cannot-verify: the base image x cannot be pulled"), std::string::npos) << text;
  const std::string json = render_json({bad}, "podman");
  EXPECT_NE(json.find("\"explained_by\": null"), std::string::npos) << json;
  EXPECT_NE(json.find("\"exit_code\": 1"), std::string::npos) << json;
}

}  // namespace
}  // namespace dockmend::verify
