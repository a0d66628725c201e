// Accounts made by useradd/groupadd (shadow), Debian's adduser/addgroup and
// busybox's, with the IDs each gives (accounts.hpp says what each tool does).
//
// Sources relied on: busybox loginutils/adduser.c (passwd_study: without -u the
// UID starts at 1000, or at FIRST_SYSTEM_ID with -S, and is the first one whose
// GID is free too; the new group's GID = UID; -S without -G uses "nogroup");
// the Debian adduser(8) manual ("--system ... nogroup", "--group: a group with
// the same name and ID as the system user"); shadow useradd(8) (-U/-N,
// USERGROUPS_ENAB; the user group takes the UID as GID when it is free).
#include "model/accounts.hpp"

#include <algorithm>

namespace dockmend::model {
namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// The operands of a command after its options (the option table says which
// options take a value, so `-u 1000` is not an operand).
std::vector<std::size_t> operands(const shell::Command& c) {
  std::vector<std::size_t> out;
  const auto inv = shell::invocation(c);
  if (!inv) return out;
  bool options_done = false;
  for (std::size_t w = inv->args; w < c.words.size(); ++w) {
    const auto& v = c.words[w].value;
    if (!options_done && v == "--") {
      options_done = true;
      continue;
    }
    if (!options_done && v.size() > 1 && v[0] == '-') {
      if (v.find('=') == std::string::npos && shell::takes_argument(inv->name, v)) ++w;
      else if (v.size() > 2 && v[1] != '-') {
        // A cluster (-DSu 1000): its last letter may take the next word.
        const std::string last{'-', v.back()};
        if (shell::takes_argument(inv->name, last)) ++w;
      }
      continue;
    }
    out.push_back(w);
  }
  return out;
}

bool has_long_options(const shell::Command& c) {
  return std::any_of(c.words.begin(), c.words.end(), [](const shell::Word& w) { return starts_with(w.value, "--") && w.value.size() > 2; });
}

// Groups every image has, by name.
std::optional<std::int64_t> base_group_gid(std::string_view name, AdduserFlavor flavor) {
  if (name == "root") return 0;
  if (name == "users") return 100;
  if (name == "nogroup") {
    if (flavor == AdduserFlavor::Busybox) return 65533;  // Alpine's /etc/group
    if (flavor == AdduserFlavor::Debian) return 65534;
  }
  return std::nullopt;
}

class Reader {
 public:
  Reader(Accounts& out, AdduserFlavor flavor) : out_(out), flavor_(flavor) {}

  void command(const shell::Command& c, CommandAt at) {
    const auto inv = shell::invocation(c);
    if (!inv) return;
    const std::string_view name = inv->name;
    if (name == "useradd") useradd(c, at);
    else if (name == "groupadd") groupadd(c, at, AccountTool::Groupadd, {"-r", "--system"});
    else if (name == "usermod") usermod(c, at);
    else if (name == "groupmod") groupmod(c, at);
    else if (name == "adduser") adduser(c, at);
    else if (name == "addgroup") addgroup(c, at);
  }

 private:
  GroupFact* find_group(std::string_view name) {
    for (auto it = out_.groups.rbegin(); it != out_.groups.rend(); ++it)
      if (it->name == name) return &*it;
    return nullptr;
  }
  UserFact* find_user(std::string_view name) {
    for (auto it = out_.users.rbegin(); it != out_.users.rend(); ++it)
      if (it->name == name) return &*it;
    return nullptr;
  }
  bool gid_taken(std::int64_t gid) const { return out_.group_with_gid(gid) != nullptr; }

  // The primary group named by an option value (a name or a number).
  void set_primary(UserFact& u, const std::string& value, AdduserFlavor flavor) {
    if (auto n = parse_id(value)) {
      u.gid = n;
      u.gid_source = IdSource::Explicit;
      if (const auto* g = out_.group_with_gid(*n)) u.group = g->name;
      return;
    }
    u.group = value;
    if (const auto* g = find_group(value)) {
      u.gid = g->gid;
      u.gid_source = g->gid ? IdSource::Group : IdSource::Allocated;
    } else if (auto b = base_group_gid(value, flavor)) {
      u.gid = b;
      u.gid_source = IdSource::BaseImage;
    } else {
      u.gid_source = IdSource::Unknown;
    }
  }

  // A group named after the user whose GID is its UID.
  void private_group(UserFact& u, AccountTool tool) {
    u.private_group = true;
    u.group = u.name;
    if (u.uid && !gid_taken(*u.uid)) {
      u.gid = u.uid;
      u.gid_source = IdSource::FollowsUid;
    } else {
      u.gid_source = IdSource::Allocated;
    }
    GroupFact g;
    g.name = u.name;
    g.gid = u.gid;
    g.gid_source = u.gid_source;
    g.tool = tool;
    g.at = u.at;
    g.implicit = true;
    g.system = u.system;
    out_.groups.push_back(std::move(g));
  }

  UserFact start_user(const shell::Command& c, CommandAt at, AccountTool tool, std::size_t name_word,
                      std::initializer_list<std::string_view> uid_names) {
    UserFact u;
    u.name = c.words[name_word].value;
    u.name_word = name_word;
    u.tool = tool;
    u.at = at;
    u.long_options = has_long_options(c);
    u.uid_option = shell::find_option(c, uid_names);
    if (u.uid_option) {
      u.uid = parse_id(u.uid_option->value);
      u.uid_source = u.uid ? IdSource::Explicit : IdSource::Unknown;
    } else {
      u.uid_source = IdSource::Allocated;
    }
    return u;
  }

  void useradd(const shell::Command& c, CommandAt at) {
    const auto ops = operands(c);
    if (ops.size() != 1) return;
    UserFact u = start_user(c, at, AccountTool::Useradd, ops[0], {"-u", "--uid"});
    u.system = shell::has_option(c, {"-r", "--system"});
    u.home_given = shell::has_option(c, {"-d", "--home-dir"});
    u.group_option = shell::find_option(c, {"-g", "--gid"});
    if (u.group_option) {
      set_primary(u, u.group_option->value, flavor_);
      out_.users.push_back(std::move(u));
    } else if (shell::has_option(c, {"-N", "--no-user-group"})) {
      // GROUP=100 in /etc/default/useradd (Debian, RHEL).
      u.group = "users";
      u.gid = 100;
      u.gid_source = IdSource::Default;
      out_.users.push_back(std::move(u));
    } else {
      // USERGROUPS_ENAB yes (Debian's and RHEL's login.defs), or -U.
      out_.users.push_back(std::move(u));
      private_group(out_.users.back(), AccountTool::Useradd);
    }
  }

  void groupadd(const shell::Command& c, CommandAt at, AccountTool tool, std::initializer_list<std::string_view> system,
                std::initializer_list<std::string_view> gid_names = {"-g", "--gid"}) {
    const auto ops = operands(c);
    if (ops.size() != 1) return;
    GroupFact g;
    g.name = c.words[ops[0]].value;
    g.name_word = ops[0];
    g.tool = tool;
    g.at = at;
    g.system = shell::has_option(c, system);
    g.gid_option = shell::find_option(c, gid_names);
    if (g.gid_option) {
      g.gid = parse_id(g.gid_option->value);
      g.gid_source = g.gid ? IdSource::Explicit : IdSource::Unknown;
    } else {
      g.gid_source = IdSource::Allocated;
    }
    out_.groups.push_back(std::move(g));
  }

  void usermod(const shell::Command& c, CommandAt at) {
    const auto ops = operands(c);
    if (ops.size() != 1) return;
    UserFact* u = find_user(c.words[ops[0]].value);
    if (!u) return;
    u->changed_by.push_back(at);
    if (auto o = shell::find_option(c, {"-u", "--uid"})) {
      u->uid = parse_id(o->value);
      u->uid_source = u->uid ? IdSource::Explicit : IdSource::Unknown;
    }
    if (auto o = shell::find_option(c, {"-g", "--gid"})) set_primary(*u, o->value, flavor_);
    if (auto o = shell::find_option(c, {"-l", "--login"})) u->name = o->value;
  }

  void groupmod(const shell::Command& c, CommandAt at) {
    const auto ops = operands(c);
    if (ops.size() != 1) return;
    GroupFact* g = find_group(c.words[ops[0]].value);
    if (!g) return;
    g->changed_by.push_back(at);
    const std::string old = g->name;
    if (auto o = shell::find_option(c, {"-g", "--gid"})) {
      g->gid = parse_id(o->value);
      g->gid_source = g->gid ? IdSource::Explicit : IdSource::Unknown;
      for (auto& u : out_.users)
        if (u.group == old) {
          u.gid = g->gid;
          u.gid_source = IdSource::Group;
        }
    }
    if (auto o = shell::find_option(c, {"-n", "--new-name"})) {
      g->name = o->value;
      for (auto& u : out_.users)
        if (u.group == old) u.group = o->value;
    }
  }

  void adduser(const shell::Command& c, CommandAt at) {
    const auto ops = operands(c);
    const AdduserFlavor flavor = adduser_flavor(c, flavor_);
    if (flavor == AdduserFlavor::Busybox) {
      const auto inv = shell::invocation(c);
      const bool any_option = inv && std::any_of(c.words.begin() + static_cast<std::ptrdiff_t>(inv->args), c.words.end(),
                                                 [](const shell::Word& w) { return starts_with(w.value, "-"); });
      // `adduser USER GROUP` without options adds a member.
      if (ops.empty() || (ops.size() == 2 && !any_option) || ops.size() > 2) return;
      UserFact u = start_user(c, at, AccountTool::BusyboxAdduser, ops[0], {"-u", "--uid"});
      u.system = shell::has_option(c, {"-S", "--system"});
      u.home_given = shell::has_option(c, {"-h", "--home"});
      u.group_option = shell::find_option(c, {"-G", "--ingroup"});
      if (u.group_option) {
        set_primary(u, u.group_option->value, AdduserFlavor::Busybox);
      } else if (u.system) {
        u.group = "nogroup";
        u.gid = base_group_gid("nogroup", AdduserFlavor::Busybox);
        u.gid_source = IdSource::Nogroup;
      } else {
        // GID = UID; with -u the UID cannot move, so the build fails when that GID is taken.
        out_.users.push_back(std::move(u));
        private_group(out_.users.back(), AccountTool::BusyboxAdduser);
        return;
      }
      out_.users.push_back(std::move(u));
      return;
    }
    // Debian's adduser (or one the options do not tell: the defaults agree).
    if (shell::has_option(c, {"--group"}) && !shell::has_option(c, {"--system"})) {
      groupadd(c, at, AccountTool::DebianAddgroup, {"--system"}, {"--gid"});
      return;
    }
    if (ops.size() != 1) return;  // `adduser USER GROUP` adds a member
    UserFact u = start_user(c, at, AccountTool::DebianAdduser, ops[0], {"--uid"});
    u.system = shell::has_option(c, {"--system"});
    u.home_given = shell::has_option(c, {"--home"});
    u.group_option = shell::find_option(c, {"--ingroup", "--gid"});
    if (u.group_option) {
      set_primary(u, u.group_option->value, AdduserFlavor::Debian);
    } else if (u.system && !shell::has_option(c, {"--group"})) {
      u.group = "nogroup";
      u.gid = base_group_gid("nogroup", flavor == AdduserFlavor::Unknown ? AdduserFlavor::Debian : flavor);
      u.gid_source = IdSource::Nogroup;
    } else {
      out_.users.push_back(std::move(u));
      private_group(out_.users.back(), AccountTool::DebianAdduser);
      return;
    }
    out_.users.push_back(std::move(u));
  }

  void addgroup(const shell::Command& c, CommandAt at) {
    const AdduserFlavor flavor = adduser_flavor(c, flavor_);
    if (flavor == AdduserFlavor::Busybox) groupadd(c, at, AccountTool::BusyboxAddgroup, {"-S", "--system"});
    else groupadd(c, at, AccountTool::DebianAddgroup, {"--system"}, {"--gid"});
  }

  Accounts& out_;
  AdduserFlavor flavor_;
};

}  // namespace

const char* account_tool_name(AccountTool tool) {
  switch (tool) {
    case AccountTool::Useradd: return "useradd";
    case AccountTool::Groupadd: return "groupadd";
    case AccountTool::Usermod: return "usermod";
    case AccountTool::Groupmod: return "groupmod";
    case AccountTool::DebianAdduser: return "adduser (Debian)";
    case AccountTool::DebianAddgroup: return "addgroup (Debian)";
    case AccountTool::BusyboxAdduser: return "adduser (busybox)";
    case AccountTool::BusyboxAddgroup: return "addgroup (busybox)";
  }
  return "?";
}

std::optional<std::int64_t> parse_id(std::string_view s) {
  if (s.empty() || s.size() > 10) return std::nullopt;
  std::int64_t v = 0;
  for (char ch : s) {
    if (ch < '0' || ch > '9') return std::nullopt;
    v = v * 10 + (ch - '0');
  }
  return v;
}

AdduserFlavor adduser_flavor(const shell::Command& c, AdduserFlavor flavor) {
  const auto inv = shell::invocation(c);
  if (!inv) return flavor;
  for (std::size_t w = inv->args; w < c.words.size(); ++w) {
    const std::string& v = c.words[w].value;
    if (v == "--") break;
    // Debian's adduser has no short options (bar -h for help, -q, -d for debug).
    if (v.size() >= 2 && v[0] == '-' && v[1] != '-' && v != "-q" && v != "-d") return AdduserFlavor::Busybox;
    for (std::string_view debian_only : {"--disabled-login", "--gecos", "--group", "--quiet", "--comment",
                                         "--firstuid", "--lastuid", "--add_extra_groups", "--add-extra-groups",
                                         "--force-badname", "--allow-bad-names", "--allow-all-names", "--conf"})
      if (v == debian_only) return AdduserFlavor::Debian;
    if (v == "--gid" && inv->name == "adduser") return AdduserFlavor::Debian;  // busybox adduser has no --gid
  }
  return flavor;
}

const UserFact* Accounts::user(std::string_view key) const {
  for (auto it = users.rbegin(); it != users.rend(); ++it)
    if (it->name == key) return &*it;
  if (auto n = parse_id(key))
    for (auto it = users.rbegin(); it != users.rend(); ++it)
      if (it->uid && *it->uid == *n) return &*it;
  return nullptr;
}

const GroupFact* Accounts::group(std::string_view key) const {
  for (auto it = groups.rbegin(); it != groups.rend(); ++it)
    if (it->name == key) return &*it;
  if (auto n = parse_id(key)) return group_with_gid(*n);
  return nullptr;
}

const GroupFact* Accounts::group_with_gid(std::int64_t gid) const {
  for (auto it = groups.rbegin(); it != groups.rend(); ++it)
    if (it->gid && *it->gid == gid) return &*it;
  return nullptr;
}

RunAs Accounts::run_as(std::string_view value) const {
  RunAs r;
  r.value = std::string(value);
  const auto colon = value.find(':');
  r.user = std::string(value.substr(0, colon));
  if (colon != std::string_view::npos) r.group = std::string(value.substr(colon + 1));
  if (r.user.empty() || r.user == "root" || r.user == "0") {
    r.root = true;
    r.uid = 0;
    r.uid_source = IdSource::BaseImage;
    r.numeric = r.user == "0";
    if (r.group.empty()) {
      r.gid = 0;
      r.gid_source = IdSource::BaseImage;
    }
  } else if (auto n = parse_id(r.user)) {
    r.numeric = true;
    r.uid = n;
    r.uid_source = IdSource::Explicit;
    r.account = user(r.user);
  } else {
    r.account = user(r.user);
    if (r.account) {
      r.uid = r.account->uid;
      r.uid_source = r.account->uid_source;
    } else if (r.user == "nobody") {
      r.uid = 65534;
      r.uid_source = IdSource::BaseImage;
    }
  }
  if (r.group.empty()) {
    if (r.account) {
      r.gid = r.account->gid;
      r.gid_source = r.account->gid_source;
    } else if (!r.root && r.user == "nobody") {
      r.gid = 65534;
      r.gid_source = IdSource::BaseImage;
    }
  } else if (auto g = parse_id(r.group)) {
    r.gid = g;
    r.gid_source = IdSource::Explicit;
  } else if (const auto* grp = group(r.group)) {
    r.gid = grp->gid;
    r.gid_source = IdSource::Group;
  } else if (r.group == "root") {
    r.gid = 0;
    r.gid_source = IdSource::BaseImage;
  }
  return r;
}

Accounts read_accounts(const std::vector<const shell::Script*>& scripts, AdduserFlavor flavor) {
  Accounts out;
  Reader reader(out, flavor);
  for (std::size_t s = 0; s < scripts.size(); ++s) {
    if (!scripts[s]) continue;
    const auto& cmds = scripts[s]->commands;
    for (std::size_t c = 0; c < cmds.size(); ++c) reader.command(cmds[c], {s, c});
  }
  return out;
}

}  // namespace dockmend::model
