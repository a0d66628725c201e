// `dockmend inspect`: what the image model knows about each Dockerfile, stage
// by stage, as `docker inspect` would show the image after a build: the base
// and what it resolves to, OS and package manager with how sure that is, user,
// shell, WORKDIR, ENV, ports, the health probe, PID 1, and which stage ships.
// Text for people; --format json (docs/inspect.md) for programs.
#include "cli/inspect.hpp"

#include <istream>
#include <iterator>
#include <ostream>

#include <fmt/format.h>

#include "io/discover.hpp"
#include "io/read_file.hpp"
#include "model/identity.hpp"
#include "model/model.hpp"
#include "syntax/dump.hpp"

namespace dockmend::cli {

namespace {

using model::Model;
using model::Stage;
using model::State;
using syntax::json_quote;

constexpr int k_format_version = 1;

std::string line_of(const syntax::Tree& tree, std::int32_t instruction) {
  if (instruction < 0) return "";
  return std::to_string(tree.position(tree.instructions[static_cast<std::size_t>(instruction)].span.begin).first);
}

std::uint32_t line_number(const syntax::Tree& tree, std::int32_t instruction) {
  if (instruction < 0) return 0;
  return tree.position(tree.instructions[static_cast<std::size_t>(instruction)].span.begin).first;
}

std::string stage_label(const Stage& s) {
  return s.name.empty() ? fmt::format("#{}", s.index) : fmt::format("#{} {}", s.index, s.name);
}

std::string argv_json(const std::vector<std::string>& argv) {
  std::string out = "[";
  for (std::size_t i = 0; i < argv.size(); ++i) out += (i ? ", " : "") + json_quote(argv[i]);
  return out + "]";
}

// Who the stage runs as and with which IDs, as text: "app (10001:10001)",
// "app (UID:GID unknown)" when the base image's /etc/passwd decides.
std::string user_text(const model::Identity& id) {
  const std::string ids = model::uid_gid_text(id);
  if (id.windows) return id.user;
  if (ids.empty()) return id.user + " (UID:GID unknown)";
  return ids == id.user ? id.user : fmt::format("{} ({})", id.user, ids);
}

std::string id_json(const std::optional<std::int64_t>& v) { return v ? std::to_string(*v) : "null"; }

std::string where(const syntax::Tree& tree, std::int32_t at, std::string_view unset) {
  return at < 0 ? std::string(unset) : fmt::format("line {}", line_of(tree, at));
}

void text_stage(const Model& m, const Stage& s, std::ostream& out) {
  const auto& tree = m.tree();
  const State& st = m.final_state(s.index);
  std::string role;
  if (s.shipped) role = " (ships)";
  else if (s.ships) role = " (in the shipped image: built FROM by it)";
  else if (s.tests_only) role = " (tests only)";
  else if (s.copied_from) role = " (files copied from it)";
  out << fmt::format("  stage {}{}, line {}\n", stage_label(s), role, line_number(tree, static_cast<std::int32_t>(s.from)));
  if (s.base_stage >= 0)
    out << fmt::format("    base:      stage {}\n", stage_label(m.stages()[static_cast<std::size_t>(s.base_stage)]));
  else if (s.base_image && *s.base_image != s.base_written)
    out << fmt::format("    base:      {} (written {})\n", *s.base_image, s.base_written);
  else
    out << fmt::format("    base:      {}{}\n", s.base_written, s.base_image ? "" : " (depends on a build argument)");
  if (!s.platform.empty()) out << fmt::format("    platform:  {}\n", s.platform);
  const auto& p = s.platform_facts;
  out << fmt::format("    os:        {} ({}), distro {} ({}), package manager {} ({})\n", model::os_name(p.os.value),
                     model::evidence_name(p.os.evidence), model::distro_name(p.distro.value),
                     model::evidence_name(p.distro.evidence), model::package_manager_name(p.package_manager.value),
                     model::evidence_name(p.package_manager.evidence));
  if (!s.copies_from.empty() || !s.copies_from_images.empty()) {
    std::string from;
    for (auto k : s.copies_from) from += (from.empty() ? "" : ", ") + stage_label(m.stages()[static_cast<std::size_t>(k)]);
    for (const auto& img : s.copies_from_images) from += (from.empty() ? "" : ", ") + img;
    out << fmt::format("    copies:    from {}\n", from);
  }
  out << fmt::format("    user:      {} ({})\n", user_text(model::identity(m, s.index)),
                     where(tree, st.user.set_at, "default"));
  out << fmt::format("    shell:     {} ({})\n", argv_json(st.shell), where(tree, st.shell_at, "default"));
  out << fmt::format("    workdir:   {} ({})\n", st.workdir.set() ? st.workdir.value : "/",
                     where(tree, st.workdir.set_at, "default"));
  bool env = false;
  for (const auto& [name, v] : st.vars) {
    if (!v.from_env) continue;
    out << fmt::format("    {}{}={}{} (line {})\n", env ? "           " : "env:       ", name, v.value,
                       v.known ? "" : " (not all of it known before the build)", line_of(tree, v.set_at));
    env = true;
  }
  if (!st.ports.empty()) {
    std::string ports;
    for (const auto& port : st.ports) {
      std::string shown = port.number ? fmt::format("{}/{}", *port.number, port.protocol) : port.written;
      if (port.number && port.written.find('$') != std::string::npos) shown += " (" + port.written + ")";
      ports += (ports.empty() ? "" : ", ") + shown;
    }
    out << fmt::format("    ports:     {}\n", ports);
  }
  if (st.healthcheck) {
    const auto& h = *st.healthcheck;
    if (h.none) {
      out << fmt::format("    health:    none (line {})\n", line_of(tree, static_cast<std::int32_t>(h.instruction)));
    } else {
      std::string opts;
      for (const auto& [k, v] : h.options) opts += fmt::format(" --{}={}", k, v);
      out << fmt::format("    health:   {} CMD {} (line {})\n", opts, h.exec_form ? argv_json(h.argv) : h.argv.front(),
                         line_of(tree, static_cast<std::int32_t>(h.instruction)));
      if (!h.tool.empty())
        out << fmt::format("               probes {}://{}:{}{} with {}\n", h.scheme, h.host,
                           h.port ? std::to_string(*h.port) : "?", h.path, h.tool);
    }
  }
  const auto& pr = st.process;
  if (!pr.argv.empty()) {
    out << fmt::format("    pid 1:     {}\n", argv_json(pr.argv));
    std::string init = pr.init == model::Init::None ? "no init" : std::string("init ") + model::init_name(pr.init);
    for (const auto& o : pr.init_options) init += " " + o;
    out << fmt::format("               program {}, {}\n", pr.program.empty() ? "unknown" : pr.program, init);
  }
}

std::string known_json(const char* value, model::Evidence e) {
  return fmt::format("{{\"value\": {}, \"evidence\": {}}}", json_quote(value), json_quote(model::evidence_name(e)));
}

std::string setting_json(const syntax::Tree& tree, const model::Setting& s, std::string_view fallback) {
  return fmt::format("{{\"value\": {}, \"written\": {}, \"line\": {}}}", json_quote(s.set() ? s.value : fallback),
                     json_quote(s.written), line_number(tree, s.set_at));
}

std::string stage_json(const Model& m, const Stage& s) {
  const auto& tree = m.tree();
  const State& st = m.final_state(s.index);
  const auto& p = s.platform_facts;
  std::string copies;
  for (auto k : s.copies_from) copies += (copies.empty() ? "" : ", ") + std::to_string(k);
  std::string images;
  for (const auto& i : s.copies_from_images) images += (images.empty() ? "" : ", ") + json_quote(i);
  std::string env;
  for (const auto& [name, v] : st.vars) {
    if (!v.from_env) continue;
    env += fmt::format("{}{{\"name\": {}, \"value\": {}, \"known\": {}, \"line\": {}}}", env.empty() ? "" : ", ",
                       json_quote(name), json_quote(v.value), v.known, line_number(tree, v.set_at));
  }
  std::string ports;
  for (const auto& port : st.ports)
    ports += fmt::format("{}{{\"written\": {}, \"number\": {}, \"protocol\": {}, \"line\": {}}}",
                         ports.empty() ? "" : ", ", json_quote(port.written),
                         port.number ? std::to_string(*port.number) : "null", json_quote(port.protocol),
                         line_number(tree, static_cast<std::int32_t>(port.instruction)));
  std::string health = "null";
  if (st.healthcheck) {
    const auto& h = *st.healthcheck;
    std::string opts;
    for (const auto& [k, v] : h.options) opts += fmt::format("{}{}: {}", opts.empty() ? "" : ", ", json_quote(k), json_quote(v));
    health = fmt::format(
        "{{\"none\": {}, \"exec_form\": {}, \"argv\": {}, \"options\": {{{}}}, \"tool\": {}, \"url\": {}, "
        "\"scheme\": {}, \"host\": {}, \"port\": {}, \"path\": {}, \"line\": {}}}",
        h.none, h.exec_form, argv_json(h.argv), opts, json_quote(h.tool), json_quote(h.url), json_quote(h.scheme),
        json_quote(h.host), h.port ? std::to_string(*h.port) : "null", json_quote(h.path),
        line_number(tree, static_cast<std::int32_t>(h.instruction)));
  }
  const auto& pr = st.process;
  const std::string process = fmt::format(
      "{{\"entrypoint\": {}, \"entrypoint_line\": {}, \"cmd\": {}, \"cmd_line\": {}, \"argv\": {}, \"init\": {}, "
      "\"init_options\": {}, \"program\": {}}}",
      argv_json(pr.entrypoint), line_number(tree, pr.entrypoint_at), argv_json(pr.cmd), line_number(tree, pr.cmd_at),
      argv_json(pr.argv), json_quote(model::init_name(pr.init)), argv_json(pr.init_options), json_quote(pr.program));
  const model::Identity id = model::identity(m, s.index);
  return fmt::format(
      "{{\"index\": {}, \"name\": {}, \"line\": {}, \"base\": {{\"written\": {}, \"image\": {}, \"stage\": {}, "
      "\"platform\": {}}}, \"os\": {}, \"distro\": {}, \"package_manager\": {}, \"copies_from\": [{}], "
      "\"copies_from_images\": [{}], \"built_on\": {}, \"copied_from\": {}, \"ships\": {}, \"shipped\": {}, "
      "\"tests_only\": {}, \"user\": {}, \"uid_gid\": {}, \"uid\": {}, \"gid\": {}, "
      "\"shell\": {{\"argv\": {}, \"line\": {}}}, \"workdir\": {}, "
      "\"env\": [{}], \"ports\": [{}], \"healthcheck\": {}, \"process\": {}}}",
      s.index, json_quote(s.name), line_number(tree, static_cast<std::int32_t>(s.from)), json_quote(s.base_written),
      s.base_image ? json_quote(*s.base_image) : "null", s.base_stage >= 0 ? std::to_string(s.base_stage) : "null",
      json_quote(s.platform), known_json(model::os_name(p.os.value), p.os.evidence),
      known_json(model::distro_name(p.distro.value), p.distro.evidence),
      known_json(model::package_manager_name(p.package_manager.value), p.package_manager.evidence), copies, images,
      s.built_on, s.copied_from, s.ships, s.shipped, s.tests_only, setting_json(tree, st.user, id.user),
      json_quote(model::uid_gid_text(id)), id_json(id.uid), id_json(id.gid), argv_json(st.shell),
      line_number(tree, st.shell_at),
      setting_json(tree, st.workdir, "/"), env, ports, health, process);
}

}  // namespace

int run_inspect(const std::vector<InspectInput>& inputs, const policy::Policy& pol, bool json, std::ostream& out,
                std::ostream& err) {
  int code = 0;
  std::string files_json;
  for (const auto& in : inputs) {
    const syntax::Tree tree = syntax::parse(in.bytes, {false});
    if (const auto* e = tree.first_error()) {
      err << fmt::format("dockmend: error: {}:{}:{}: {}\n", in.display, e->line, e->column, e->message);
      code = 2;
      continue;
    }
    const policy::Service* service = policy::service_for(pol, in.path);
    const policy::Settings settings = service ? policy::effective_settings(pol, *service) : pol.defaults;
    model::BuildOptions options;
    if (settings.stages) options.stages = settings.stages->names;
    const Model m = Model::build(tree, options);
    if (json) {
      std::string stages;
      for (const auto& s : m.stages()) stages += (stages.empty() ? "" : ", ") + stage_json(m, s);
      files_json += fmt::format("{}{{\"path\": {}, \"service\": {}, \"shipped\": {}, \"shipped_reason\": {}, "
                                "\"stages\": [{}]}}",
                                files_json.empty() ? "" : ",\n  ", json_quote(in.display),
                                service ? json_quote(service->name) : "null",
                                m.shipped() >= 0 ? std::to_string(m.shipped()) : "null",
                                json_quote(m.shipped_reason()), stages);
      continue;
    }
    out << fmt::format("{}{}\n", in.display, service ? fmt::format(" (service {})", service->name) : "");
    if (m.empty()) {
      out << "  no FROM: no image\n";
      continue;
    }
    const Stage& shipped = m.stages()[static_cast<std::size_t>(m.shipped())];
    out << fmt::format("  ships: stage {} ({})\n", stage_label(shipped), m.shipped_reason());
    for (const auto& s : m.stages()) text_stage(m, s, out);
  }
  if (json) out << fmt::format("{{\"version\": {}, \"files\": [\n  {}\n]}}\n", k_format_version, files_json);
  return code;
}

int run_inspect_command(const boost::program_options::variables_map& vm, const std::vector<std::string>& paths,
                        const policy::Policy& pol, const std::filesystem::path& root, Streams& st) {
  const auto format = vm["format"].as<std::string>();
  if (format != "text" && format != "json") {
    st.err << fmt::format("dockmend: error: --format takes text or json, not '{}'\n", format);
    return 2;
  }
  std::vector<InspectInput> inputs;
  int code = 0;
  auto relative = [&](const std::string& p) {
    std::error_code ec;
    const auto abs = std::filesystem::weakly_canonical(std::filesystem::absolute(p), ec);
    auto rel = abs.lexically_relative(root).generic_string();
    return rel.empty() || rel.rfind("..", 0) == 0 ? p : rel;
  };
  if (paths.size() == 1 && paths[0] == "-") {
    InspectInput in;
    in.display = vm.count("stdin-filename") ? vm["stdin-filename"].as<std::string>() : "Dockerfile";
    in.path = in.display;
    in.bytes.assign(std::istreambuf_iterator<char>(st.in), std::istreambuf_iterator<char>());
    inputs.push_back(std::move(in));
  } else {
    const auto found = io::discover(paths.empty() ? std::vector<std::string>{"."} : paths);
    for (const auto& e : found.errors) {
      st.err << fmt::format("dockmend: error: {}\n", e.message);
      code = 2;
    }
    for (const auto& f : found.files) {
      auto r = io::read_file(f);
      if (!r.ok()) {
        st.err << fmt::format("dockmend: error: {}\n", r.error->message);
        code = 2;
        continue;
      }
      inputs.push_back({f, relative(f), std::move(r.bytes)});
    }
  }
  const int shown = run_inspect(inputs, pol, format == "json", st.out, st.err);
  return std::max(code, shown);
}

}  // namespace dockmend::cli
