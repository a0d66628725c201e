// The command lines for each builder, the features they lack, and reading a
// failed build's output.
#include <algorithm>
#include <cctype>
#include <map>

#include <fmt/format.h>

#include "syntax/tree.hpp"
#include "verify/verify.hpp"

namespace dockmend::verify {

std::string_view builder_name(BuilderKind kind) {
  switch (kind) {
    case BuilderKind::Docker: return "docker";
    case BuilderKind::Podman: return "podman";
    case BuilderKind::Buildah: return "buildah";
  }
  return "?";
}

std::optional<BuilderKind> parse_builder(std::string_view name) {
  if (name == "docker") return BuilderKind::Docker;
  if (name == "podman") return BuilderKind::Podman;
  if (name == "buildah") return BuilderKind::Buildah;
  return std::nullopt;
}

std::optional<Version> parse_version(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) continue;
    if (i > 0 && (std::isalnum(static_cast<unsigned char>(text[i - 1])) || text[i - 1] == '.')) continue;
    int parts[3] = {0, 0, 0};
    int n = 0;
    std::size_t j = i;
    while (n < 3 && j < text.size() && std::isdigit(static_cast<unsigned char>(text[j]))) {
      int v = 0;
      while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j])) && v < 100000)
        v = v * 10 + (text[j++] - '0');
      parts[n++] = v;
      if (j + 1 < text.size() && text[j] == '.' && std::isdigit(static_cast<unsigned char>(text[j + 1])))
        ++j;
      else
        break;
    }
    if (n >= 2) return Version{parts[0], parts[1], parts[2]};
  }
  return std::nullopt;
}

namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string version_text(const Version& v) { return fmt::format("{}.{}.{}", v.major, v.minor, v.patch); }

// The buildah that builds: buildah itself, or the one podman vendors (which
// Builder::version holds for podman, from `podman info`). Docker's BuildKit has
// every Dockerfile feature dockmend knows of.
std::optional<Version> buildah_version(const Builder& b) {
  if (b.kind == BuilderKind::Docker) return std::nullopt;
  return parse_version(b.version);
}

}  // namespace

std::vector<MissingFeature> missing_features(const Builder& builder, std::string_view dockerfile) {
  std::vector<MissingFeature> out;
  const auto v = buildah_version(builder);
  if (!v) return out;
  const auto tree = syntax::parse(dockerfile, {false});
  const std::string who = fmt::format("{} (buildah {})", builder_name(builder.kind), version_text(*v));
  // Heredocs were first recognised in buildah 1.33 (openshift/builder#469); older
  // ones read each body line as an instruction ("Unknown instruction").
  const Version heredoc_since{1, 33, 0};
  // COPY/ADD --link came with buildah 1.41 (buildah#4325); older ones refuse the flag.
  const Version link_since{1, 41, 0};
  bool heredoc_said = false, link_said = false;
  for (const auto& ins : tree.instructions) {
    if (!ins.heredocs.empty() && *v < heredoc_since && !heredoc_said) {
      heredoc_said = true;
      out.push_back({"heredoc", ins.first_line + 1,
                     fmt::format("{} does not support heredocs (<<EOF) in {}; they need buildah 1.33 or later", who,
                                 upper(ins.keyword))});
    }
    if ((ins.is("copy") || ins.is("add")) && ins.flag("link") && *v < link_since && !link_said) {
      link_said = true;
      out.push_back({"COPY --link", ins.first_line + 1,
                     fmt::format("{} refuses {} --link; it needs buildah 1.41 or later", who,
                                 ins.is("copy") ? "COPY" : "ADD")});
    }
  }
  return out;
}

std::vector<std::string> build_argv(const Builder& b, const BuildRequest& r) {
  std::vector<std::string> a;
  switch (b.kind) {
    case BuilderKind::Docker:
      a = {b.program};
      if (b.buildx)
        a.insert(a.end(), {"buildx", "build", "--load"});  // into the local image store; never --push
      else
        a.push_back("build");
      break;
    case BuilderKind::Podman:
      a = {b.program, "build", "--format", "docker"};
      break;
    case BuilderKind::Buildah:
      a = {b.program, "bud", "--format", "docker"};
      break;
  }
  if (!r.pull.empty()) {
    if (b.kind == BuilderKind::Docker) {
      // docker build knows only --pull (always); "never"/"missing" are its default.
      if (r.pull == "always") a.push_back("--pull");
    } else {
      a.push_back("--pull=" + r.pull);
    }
  }
  for (const auto& ba : r.build_args) a.insert(a.end(), {"--build-arg", ba});
  if (!r.target.empty()) a.insert(a.end(), {"--target", r.target});
  a.insert(a.end(), r.extra.begin(), r.extra.end());
  a.insert(a.end(), {"-f", r.dockerfile, "-t", r.tag, r.context});
  return a;
}

std::vector<std::string> inspect_argv(const Builder& b, const std::string& image) {
  // buildah's own inspect reports the docker config (Healthcheck, Shell); podman's
  // image inspect reports the OCI one.
  if (b.kind == BuilderKind::Buildah || (b.kind == BuilderKind::Podman && b.has_buildah))
    return {"buildah", "inspect", "--type", "image", image};
  return {b.program, "image", "inspect", image};
}

std::vector<std::string> image_exists_argv(const Builder& b, const std::string& image) {
  switch (b.kind) {
    case BuilderKind::Docker: return {b.program, "image", "inspect", "--format", "{{.Id}}", image};
    case BuilderKind::Podman: return {b.program, "image", "exists", image};
    case BuilderKind::Buildah: return {b.program, "inspect", "--type", "image", "--format", "{{.FromImageID}}", image};
  }
  return {};
}

std::vector<std::string> pull_argv(const Builder& b, const std::string& image) {
  return {b.program, "pull", image};
}

std::vector<std::string> remove_image_argv(const Builder& b, const std::string& image) {
  if (b.kind == BuilderKind::Buildah) return {b.program, "rmi", image};
  return {b.program, "image", "rm", image};
}

namespace {

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

bool contains(std::string_view hay, std::string_view needle) { return hay.find(needle) != std::string_view::npos; }

}  // namespace

BuildFailure classify_build_failure(std::string_view log) {
  BuildFailure f;
  // The last error line: builders print warnings ("WARN", "level=warning") before.
  std::size_t pos = 0;
  while (pos < log.size()) {
    std::size_t end = log.find('\n', pos);
    if (end == std::string_view::npos) end = log.size();
    const std::string_view line = log.substr(pos, end - pos);
    if (line.rfind("Error: ", 0) == 0 || line.rfind("ERROR: ", 0) == 0 || line.rfind("ERROR ", 0) == 0 ||
        line.rfind("error: ", 0) == 0 || contains(line, "level=error") || contains(line, "failed to solve:"))
      f.line = trim(line);
    pos = end + 1;
  }
  const std::string_view l = f.line;
  if (contains(l, "Unknown instruction") || contains(l, "COPY only supports") || contains(l, "ADD only supports") ||
      contains(l, "unknown flag: link") || contains(l, "flag provided but not defined"))
    f.kind = BuildFailure::Kind::MissingFeature;
  else if (contains(l, "pull access denied") || contains(l, "manifest unknown") || contains(l, "not found in") ||
           contains(l, "image not known") || contains(l, "failed to resolve source metadata") ||
           contains(l, "short-name") || contains(l, "pinging container registry") ||
           contains(l, "initializing source") || contains(l, "no such image") || contains(l, "repository does not exist"))
    f.kind = BuildFailure::Kind::BaseNotFound;
  return f;
}

std::vector<std::string> base_images(std::string_view dockerfile, const std::vector<std::string>& build_args) {
  const auto tree = syntax::parse(dockerfile, {false});
  // Global ARGs (before the first FROM) with their defaults, then --build-arg.
  std::map<std::string, std::string> args;
  for (const auto& ins : tree.instructions) {
    if (ins.is("from")) break;
    if (!ins.is("arg")) continue;
    for (const auto& v : ins.values) {
      const std::string_view t = v.text;
      const auto eq = t.find('=');
      if (eq == std::string_view::npos) continue;
      std::string val(t.substr(eq + 1));
      if (val.size() >= 2 && (val.front() == '"' || val.front() == '\'') && val.back() == val.front())
        val = val.substr(1, val.size() - 2);
      args[std::string(t.substr(0, eq))] = val;
    }
  }
  for (const auto& ba : build_args) {
    const auto eq = ba.find('=');
    if (eq != std::string::npos) args[ba.substr(0, eq)] = ba.substr(eq + 1);
  }
  auto expand = [&](const std::string& s) -> std::optional<std::string> {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] != '$') {
        out += s[i];
        continue;
      }
      std::string name;
      std::size_t j = i + 1;
      if (j < s.size() && s[j] == '{') {
        const auto close = s.find('}', j);
        if (close == std::string::npos) return std::nullopt;
        name = s.substr(j + 1, close - j - 1);
        i = close;
      } else {
        while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_')) name += s[j++];
        i = j - 1;
      }
      // ${NAME:-default} and the like: too clever to guess; the builder resolves it.
      const auto it = args.find(name);
      if (name.empty() || it == args.end() || name.find_first_of(":-+?") != std::string::npos) return std::nullopt;
      out += it->second;
    }
    return out;
  };
  std::vector<std::string> out;
  std::vector<std::string> stage_names;
  for (const auto& st : tree.stages()) {
    std::string base = st.base;
    const auto name = expand(base);
    std::string lower_name;
    if (name) {
      lower_name = *name;
      std::transform(lower_name.begin(), lower_name.end(), lower_name.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    }
    const bool is_stage = name && std::find(stage_names.begin(), stage_names.end(), lower_name) != stage_names.end();
    if (name && !is_stage && lower_name != "scratch" && !name->empty() &&
        std::find(out.begin(), out.end(), *name) == out.end())
      out.push_back(*name);
    std::string sn = st.name;
    std::transform(sn.begin(), sn.end(), sn.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (!sn.empty()) stage_names.push_back(sn);
  }
  return out;
}

}  // namespace dockmend::verify
