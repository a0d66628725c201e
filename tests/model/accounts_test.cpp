// The IDs each account tool gives (what is relied on is in src/model/accounts.hpp).
#include "model/accounts.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace m = dockmend::model;
namespace sh = dockmend::shell;

namespace {

struct Read {
  std::vector<sh::Script> scripts;
  m::Accounts accounts;
};

Read read(std::vector<std::string> texts, m::AdduserFlavor flavor = m::AdduserFlavor::Unknown) {
  Read r;
  for (const auto& t : texts) r.scripts.push_back(sh::parse(t));
  std::vector<const sh::Script*> ptrs;
  for (const auto& s : r.scripts) ptrs.push_back(&s);
  r.accounts = m::read_accounts(ptrs, flavor);
  return r;
}

std::string ids(const m::UserFact* u) {
  if (!u) return "none";
  return (u->uid ? std::to_string(*u->uid) : "?") + ":" + (u->gid ? std::to_string(*u->gid) : "?");
}

TEST(Accounts, UseraddPrivateGroupFollowsUid) {
  // USERGROUPS_ENAB yes: a group named after the user, GID = UID when free.
  auto r = read({"useradd -u 1000 -m appuser"});
  const auto* u = r.accounts.user("appuser");
  ASSERT_NE(u, nullptr);
  EXPECT_EQ(ids(u), "1000:1000");
  EXPECT_TRUE(u->private_group);
  EXPECT_EQ(u->gid_source, m::IdSource::FollowsUid);
  ASSERT_NE(r.accounts.group("appuser"), nullptr);
  EXPECT_TRUE(r.accounts.group("appuser")->implicit);
  EXPECT_EQ(r.accounts.user("1000"), u);
}

TEST(Accounts, UseraddWithoutUidIsAllocated) {
  auto r = read({"useradd --create-home app"});
  const auto* u = r.accounts.user("app");
  ASSERT_NE(u, nullptr);
  EXPECT_EQ(ids(u), "?:?");
  EXPECT_EQ(u->uid_source, m::IdSource::Allocated);
}

TEST(Accounts, GroupThenUser) {
  auto r = read({"groupadd --gid 10001 app && useradd --uid 10001 --gid app -m app"});
  const auto* u = r.accounts.user("app");
  EXPECT_EQ(ids(u), "10001:10001");
  EXPECT_EQ(u->gid_source, m::IdSource::Group);
  EXPECT_FALSE(u->private_group);
  ASSERT_TRUE(u->uid_option);
  EXPECT_EQ(u->uid_option->value, "10001");
}

TEST(Accounts, UseraddPrivateGroupWhenUidGidTaken) {
  // GID 1000 belongs to another group: the private group gets another GID.
  auto r = read({"groupadd -g 1000 other", "useradd -u 1000 app"});
  EXPECT_EQ(ids(r.accounts.user("app")), "1000:?");
}

TEST(Accounts, UseraddNoUserGroup) {
  auto r = read({"useradd -N -u 1001 app"});
  const auto* u = r.accounts.user("app");
  EXPECT_EQ(ids(u), "1001:100");
  EXPECT_EQ(u->group, "users");
}

TEST(Accounts, NumericGidOption) {
  auto r = read({"useradd -u 1001 -g 0 app"});
  EXPECT_EQ(ids(r.accounts.user("app")), "1001:0");
}

TEST(Accounts, DebianSystemUserGoesToNogroup) {
  auto r = read({"adduser --system --uid 999 --no-create-home svc"}, m::AdduserFlavor::Debian);
  const auto* u = r.accounts.user("svc");
  EXPECT_EQ(ids(u), "999:65534");
  EXPECT_EQ(u->gid_source, m::IdSource::Nogroup);
  EXPECT_EQ(u->tool, m::AccountTool::DebianAdduser);
}

TEST(Accounts, DebianSystemGroupHasTheUsersId) {
  auto r = read({"adduser --system --group --uid 1500 svc"});
  const auto* u = r.accounts.user("svc");
  EXPECT_EQ(ids(u), "1500:1500");
  EXPECT_TRUE(u->private_group);
}

TEST(Accounts, DebianIngroupAndAddgroup) {
  auto r = read({"addgroup --system --gid 2000 web && adduser --system --uid 2001 --ingroup web www"});
  EXPECT_EQ(ids(r.accounts.user("www")), "2001:2000");
  EXPECT_EQ(r.accounts.group("web")->tool, m::AccountTool::DebianAddgroup);
}

TEST(Accounts, DebianMembershipIsNotACreation) {
  auto r = read({"adduser app staff"}, m::AdduserFlavor::Debian);
  EXPECT_TRUE(r.accounts.users.empty());
}

TEST(Accounts, BusyboxDefaultsToGroupWithUidAsGid) {
  auto r = read({"adduser -D -u 1000 app"}, m::AdduserFlavor::Busybox);
  const auto* u = r.accounts.user("app");
  EXPECT_EQ(ids(u), "1000:1000");
  EXPECT_EQ(u->tool, m::AccountTool::BusyboxAdduser);
  EXPECT_TRUE(u->private_group);
}

TEST(Accounts, BusyboxSystemUserGoesToNogroup) {
  // Short options mean busybox even when the distribution is not known.
  auto r = read({"adduser -S -u 100 svc"});
  const auto* u = r.accounts.user("svc");
  EXPECT_EQ(ids(u), "100:65533");
  EXPECT_EQ(u->group, "nogroup");
}

TEST(Accounts, BusyboxGroupOptionAndGecos) {
  // -g is busybox's GECOS, not a group; -G is the group.
  auto r = read({"addgroup -g 3000 -S app && adduser -S -D -H -g 'App user' -G app -u 3001 app"});
  const auto* u = r.accounts.user("app");
  EXPECT_EQ(ids(u), "3001:3000");
  EXPECT_EQ(u->group, "app");
  EXPECT_EQ(r.accounts.group("app")->tool, m::AccountTool::BusyboxAddgroup);
}

TEST(Accounts, BusyboxMembership) {
  auto r = read({"adduser app wheel"}, m::AdduserFlavor::Busybox);
  EXPECT_TRUE(r.accounts.users.empty());
}

TEST(Accounts, UsermodAndGroupmod) {
  auto r = read({"useradd -u 1000 old", "usermod -u 2000 -l new old && groupmod -g 2000 -n new old"});
  const auto* u = r.accounts.user("new");
  ASSERT_NE(u, nullptr);
  EXPECT_EQ(ids(u), "2000:2000");
  EXPECT_EQ(u->group, "new");
  EXPECT_EQ(u->changed_by.size(), 1u);
}

TEST(Accounts, RunAsNumericAndNamed) {
  auto r = read({"useradd -u 1000 app"});
  auto a = r.accounts.run_as("1000");
  EXPECT_TRUE(a.numeric);
  EXPECT_EQ(a.account, r.accounts.user("app"));
  EXPECT_EQ(a.gid, 1000);
  auto b = r.accounts.run_as("1001:0");
  EXPECT_EQ(b.account, nullptr);
  EXPECT_EQ(b.uid, 1001);
  EXPECT_EQ(b.gid, 0);
  auto c = r.accounts.run_as("nobody");
  EXPECT_EQ(c.uid, 65534);
  EXPECT_FALSE(c.root);
  auto d = r.accounts.run_as("");
  EXPECT_TRUE(d.root);
  auto e = r.accounts.run_as("app:app");
  EXPECT_EQ(e.gid, 1000);
}

}  // namespace
