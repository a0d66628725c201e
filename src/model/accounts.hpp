// The accounts a Dockerfile's RUN steps create, with the UID and GID each tool
// really gives them, and the identity a USER value names.
//
// What each tool does (read from their sources and manuals; see accounts.cpp):
//  - shadow `useradd` (Debian, Ubuntu, RHEL/UBI/Fedora): -u/--uid sets the UID,
//    else the next free one (unknown here). -g/--gid names the primary group (a
//    name or a number, which must exist). Without -g, USERGROUPS_ENAB (yes in the
//    login.defs of Debian and RHEL) or -U creates a private group named after the
//    user whose GID is the UID when that GID is free; -N gives the default group
//    (GROUP=100 in /etc/default/useradd).
//  - shadow `groupadd`: -g/--gid, else the next free GID.
//  - Debian `adduser` (perl): --uid; --ingroup GROUP or --gid N; --system users go
//    to nogroup (65534) unless --group (a group with the user's name and ID),
//    --ingroup or --gid; normal users get a private group (USERGROUPS=yes) whose
//    GID follows the UID. `adduser --group NAME` and `addgroup NAME` make a group;
//    `adduser USER GROUP` only adds a member.
//  - busybox `adduser` (Alpine): -u UID, -G GROUP (existing), -S system (implies
//    -D; without -G the user goes to nogroup, 65533 on Alpine), -D no password,
//    -H no home, -h DIR home, -g is the GECOS field (not a group!). Without -G and
//    -S a group named after the user is made with GID = UID (the UID is chosen so
//    that both are free). `adduser USER GROUP` without options adds a member.
//  - busybox `addgroup [-g GID] [-S] NAME`; `addgroup USER GROUP` adds a member.
//  - `usermod -u/-g/-l` and `groupmod -g/-n` change an account made earlier.
//  - USER with no account made in the file: `USER 1000` runs as UID 1000 and, when
//    no passwd entry has that UID, GID 0 (Docker's rule); `USER 1001:0` as given;
//    `USER nobody` is the base image's nobody (65534:65534 on Debian and Alpine).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shell/shell.hpp"

namespace dockmend::model {

// Which adduser/addgroup the image has: the Debian perl scripts or busybox's
// applets. Known from the distribution; a command written with busybox-only
// short options (-D, -S, -G, -u ...) is busybox whatever the flavour says.
enum class AdduserFlavor { Unknown, Debian, Busybox };

enum class AccountTool {
  Useradd,
  Groupadd,
  Usermod,
  Groupmod,
  DebianAdduser,
  DebianAddgroup,
  BusyboxAdduser,
  BusyboxAddgroup,
};
const char* account_tool_name(AccountTool tool);

// Where an ID comes from.
enum class IdSource {
  Explicit,    // written as a number (-u 10001, --gid 10001, USER 1000)
  FollowsUid,  // a private group: its GID is the UID (when free, which the file cannot show otherwise)
  Group,       // the primary group's, a group named in the same file
  Nogroup,     // a system user's default group (nogroup)
  Default,     // useradd -N: the default group (GROUP=100)
  Allocated,   // the tool picks the next free ID: not known before the build
  BaseImage,   // an account of the base image (root, nobody)
  Unknown,
};

// A command in the scripts given to read_accounts().
struct CommandAt {
  std::size_t script = 0;   // index in the list of scripts
  std::size_t command = 0;  // index in that script's commands
};

struct GroupFact {
  std::string name;
  std::optional<std::int64_t> gid;
  IdSource gid_source = IdSource::Unknown;
  AccountTool tool = AccountTool::Groupadd;
  CommandAt at;                  // the command that made it (the user's, for a private group)
  bool implicit = false;         // a private group made by a user creation
  bool system = false;           // -r / --system / -S
  std::size_t name_word = 0;     // word index of the name in its command (not for implicit groups)
  std::optional<shell::OptionMatch> gid_option;
  std::vector<CommandAt> changed_by;  // groupmod
};

struct UserFact {
  std::string name;
  std::optional<std::int64_t> uid;
  IdSource uid_source = IdSource::Unknown;
  std::string group;  // the primary group's name ("" when only a number or unknown)
  std::optional<std::int64_t> gid;
  IdSource gid_source = IdSource::Unknown;
  AccountTool tool = AccountTool::Useradd;
  CommandAt at;
  bool system = false;
  bool private_group = false;    // the tool made a group named after the user
  bool long_options = false;     // the command is written with --long options
  bool home_given = false;       // -d/--home-dir/-h/--home: the home does not follow the name
  std::size_t name_word = 0;
  std::optional<shell::OptionMatch> uid_option;    // -u / --uid
  std::optional<shell::OptionMatch> group_option;  // -g / --gid (useradd), -G (busybox), --ingroup / --gid (Debian)
  std::vector<CommandAt> changed_by;               // usermod
};

// The identity a USER value gives the process.
struct RunAs {
  std::string value;       // as written
  std::string user;        // the part before ':'
  std::string group;       // the part after ':' ("" when none)
  bool root = false;       // root or UID 0 (also when there is no USER at all)
  bool numeric = false;    // the user part is a number
  std::optional<std::int64_t> uid, gid;
  IdSource uid_source = IdSource::Unknown, gid_source = IdSource::Unknown;
  const UserFact* account = nullptr;  // the account the file made, when the USER names it
};

struct Accounts {
  std::vector<UserFact> users;    // in creation order
  std::vector<GroupFact> groups;  // in creation order, private groups included

  // By name, or by UID / GID when `key` is a number known for the account.
  const UserFact* user(std::string_view key) const;
  const GroupFact* group(std::string_view key) const;
  // The group with that GID, or nullptr.
  const GroupFact* group_with_gid(std::int64_t gid) const;
  // What `USER value` runs as ("" = no USER: root).
  RunAs run_as(std::string_view value) const;
};

// Reads the account commands of `scripts` (in build order). Commands nested in
// conditions or loops count as well: the build runs them, or fails.
Accounts read_accounts(const std::vector<const shell::Script*>& scripts, AdduserFlavor flavor);

// Which flavour one adduser/addgroup command is written for (`flavor` when the
// options do not tell).
AdduserFlavor adduser_flavor(const shell::Command& cmd, AdduserFlavor flavor);

// A decimal ID (the whole string), else nullopt.
std::optional<std::int64_t> parse_id(std::string_view s);

}  // namespace dockmend::model
