// Who a stage runs as, with the IDs the model can know (model/identity.hpp).
#include <gtest/gtest.h>

#include "model/identity.hpp"

using namespace dockmend;

namespace {

std::string ids(const std::string& text, std::int32_t stage = -1) {
  const syntax::Tree tree = syntax::parse(text, {false});
  const model::Model m = model::Model::build(tree);
  if (stage < 0) stage = static_cast<std::int32_t>(m.stages().size()) - 1;
  const model::Identity id = model::identity(m, stage);
  return id.user + " " + model::uid_gid_text(id);
}

}  // namespace

TEST(ModelIdentity, RootAndNumbers) {
  EXPECT_EQ(ids("FROM debian:12\n"), "root 0:0");
  EXPECT_EQ(ids("FROM debian:12\nUSER 1001:0\n"), "1001:0 1001:0");
  EXPECT_EQ(ids("FROM debian:12\nUSER 1000\n"), "1000 1000:?");  // the base's passwd decides the group
  EXPECT_EQ(ids("FROM debian:12\nRUN useradd -u 1000 app\nUSER 1000\n"), "1000 1000:1000");
}

TEST(ModelIdentity, AccountsTheFileCreates) {
  EXPECT_EQ(ids("FROM debian:12\nRUN useradd -u 1500 svc\nUSER svc\n"), "svc 1500:1500");
  EXPECT_EQ(ids("FROM alpine:3.20\nRUN addgroup -g 2000 g && adduser -D -u 10001 -G g app\nUSER app\n"),
            "app 10001:2000");
  EXPECT_EQ(ids("FROM debian:12\nRUN useradd --system app\nUSER app\n"), "app ");  // allocated at build time
  // Inherited through FROM <stage>, with the group given by name.
  EXPECT_EQ(ids("FROM debian:12 AS base\nRUN useradd -u 1500 svc\nFROM base\nUSER svc:root\n"), "svc:root 1500:0");
}

TEST(ModelIdentity, WellKnownAccountsOnlyWhereTheBaseIsStandard) {
  EXPECT_EQ(ids("FROM debian:12\nUSER nobody\n"), "nobody 65534:65534");
  EXPECT_EQ(ids("FROM alpine:3.20\nUSER nobody\n"), "nobody 65534:65534");
  EXPECT_EQ(ids("FROM gcr.io/distroless/static-debian12\nUSER nonroot\n"), "nonroot 65532:65532");
  EXPECT_EQ(ids("FROM centos:7\nUSER nobody\n"), "nobody ");  // 99 there
  EXPECT_EQ(ids("FROM myorg/custom\nUSER nobody\n"), "nobody ");
  EXPECT_EQ(ids("FROM debian:12\nUSER nonroot\n"), "nonroot ");
  EXPECT_EQ(ids("FROM debian:12\nARG U\nUSER $U\n"), "$U ");
}

TEST(ModelIdentity, WindowsAccountsHaveNoIds) {
  EXPECT_EQ(ids("FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\n"), "ContainerUser ");
  EXPECT_EQ(ids("FROM mcr.microsoft.com/windows/servercore:ltsc2022\n"), "ContainerAdministrator ");
}
