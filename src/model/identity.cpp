#include "model/identity.hpp"

#include <vector>

namespace dockmend::model {

namespace {

// Accounts whose IDs are the same in every image of a distribution (its base
// files: Debian's and Ubuntu's base-passwd, Alpine's and busybox's /etc/passwd,
// distroless' base image). RHEL is left out: CentOS 7 and older have nobody as 99.
std::optional<std::int64_t> well_known_id(std::string_view name, Distro distro) {
  const bool standard = distro == Distro::Debian || distro == Distro::Alpine || distro == Distro::Busybox;
  if (name == "nobody" && standard) return 65534;
  if (name == "nonroot" && distro == Distro::Distroless) return 65532;
  return std::nullopt;
}

}  // namespace

Identity identity(const Model& m, std::int32_t stage) {
  Identity id;
  const Stage& s = m.stages()[static_cast<std::size_t>(stage)];
  const State& st = m.final_state(stage);
  if (s.platform_facts.windows()) {
    id.windows = true;
    if (st.user.set()) {
      id.user = st.user.value;
    } else {
      const std::string base = s.base_image.value_or(s.base_written);
      id.user = base.find("nanoserver") != std::string::npos ? "ContainerUser" : "ContainerAdministrator";
    }
    return id;
  }
  id.user = st.user.set() ? st.user.value : "root";
  if (id.user.find('$') != std::string::npos) return id;  // a build argument decides

  // The accounts the stage and the stages it builds on create, in build order.
  std::vector<const shell::Script*> scripts;
  for (const std::int32_t k : m.chain(stage))
    for (const Run& r : m.runs())
      if (r.stage == k && r.parsed) scripts.push_back(&r.script);
  const PackageManager pm = s.platform_facts.package_manager.value;
  const AdduserFlavor flavor = pm == PackageManager::Apk   ? AdduserFlavor::Busybox
                               : pm == PackageManager::Apt ? AdduserFlavor::Debian
                                                           : AdduserFlavor::Unknown;
  const Accounts accounts = read_accounts(scripts, flavor);
  const RunAs run = accounts.run_as(id.user == "root" ? std::string_view() : std::string_view(id.user));
  id.created = run.account != nullptr;
  id.uid = run.uid;
  id.uid_source = run.uid_source;
  id.gid = run.gid;
  id.gid_source = run.gid_source;
  // run_as() takes nobody for 65534:65534 everywhere; only where the base files say so.
  const Distro distro = s.platform_facts.distro.value;
  if (!run.root && !run.numeric && !run.account) {
    id.uid = well_known_id(run.user, distro);
    id.uid_source = id.uid ? IdSource::BaseImage : IdSource::Unknown;
    if (run.group.empty()) {
      id.gid = id.uid;  // nobody's group is nogroup/nobody with the same ID; nonroot's is nonroot
      id.gid_source = id.uid_source;
    }
  }
  if (!run.group.empty() && !parse_id(run.group) && !accounts.group(run.group) && run.group != "root") {
    // A group the file does not create: the base's, known only for the same accounts.
    id.gid = well_known_id(run.group, distro);
    id.gid_source = id.gid ? IdSource::BaseImage : IdSource::Unknown;
  }
  return id;
}

std::string uid_gid_text(const Identity& id) {
  if (id.windows || (!id.uid && !id.gid)) return "";
  return (id.uid ? std::to_string(*id.uid) : "?") + ":" + (id.gid ? std::to_string(*id.gid) : "?");
}

}  // namespace dockmend::model
