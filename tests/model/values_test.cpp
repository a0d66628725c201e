// Values as Dockerfiles write them (model/values.hpp: quotes, variables, ENV
// entries, ports) and the text helpers rules share (model/text.hpp: paths, tokens).
#include <gtest/gtest.h>

#include "built.hpp"
#include "model/model.hpp"
#include "model/text.hpp"
#include "model/values.hpp"

using namespace dockmend;
using test::Built;

TEST(ModelValues, ExpandsVariablesAsBuildkitDoes) {
  model::Vars v;
  v["A"].value = "1";
  v["EMPTY"].value = "";
  v["NODEFAULT"].known = false;  // ARG NODEFAULT: unset unless the build passes it
  EXPECT_EQ(model::expand("x$A-${A}", v), "x1-1");
  EXPECT_EQ(model::expand("${B:-d}/${EMPTY:-e}/${EMPTY-f}", v), "d/e/");
  EXPECT_EQ(model::expand("${A:+set}${B:+unset}", v), "set");
  EXPECT_EQ(model::expand("${NODEFAULT:-d}", v), "d");
  EXPECT_EQ(model::expand("\\$A", v), "$A");
  EXPECT_FALSE(model::expand("$B", v));
  EXPECT_FALSE(model::expand("${B}", v));
  EXPECT_FALSE(model::expand("$NODEFAULT", v));
  EXPECT_TRUE(model::references("a ${MACHINE}.yaml", "MACHINE"));
  EXPECT_TRUE(model::references("$MACHINE", "MACHINE"));
  EXPECT_FALSE(model::references("$MACHINES", "MACHINE"));
  EXPECT_FALSE(model::references("\\$MACHINE", "MACHINE"));
}

TEST(ModelValues, UnquotesLikeTheShellLexer) {
  EXPECT_EQ(model::unquote("\"8.9;8.6\""), "8.9;8.6");
  EXPECT_EQ(model::unquote("'a b'c"), "a bc");
  EXPECT_EQ(model::unquote("a\\ b"), "a b");
  EXPECT_EQ(model::unquote("\"/opt/venv/bin:$PATH\""), "/opt/venv/bin:$PATH");
}

TEST(ModelValues, EnvEntriesInBothForms) {
  Built b("FROM a\nENV A=1 B=\"x y\" \\\n    C=3\nENV LEGACY some value\n");
  const auto e = model::env_entries(b.tree.instructions[1]);
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[1].name, "B");
  EXPECT_EQ(e[1].value, "x y");
  EXPECT_EQ(e[1].raw, "\"x y\"");
  EXPECT_FALSE(e[0].legacy);
  EXPECT_EQ(b.tree.text(model::to_source(b.tree.instructions[1], e[2].joined)), "C=3");
  const auto l = model::env_entries(b.tree.instructions[2]);
  ASSERT_EQ(l.size(), 1u);
  EXPECT_TRUE(l[0].legacy);
  EXPECT_EQ(l[0].value, "some value");
}

TEST(ModelValues, PortsPathsAndTokens) {
  EXPECT_EQ(model::parse_port("8080"), 8080);
  EXPECT_FALSE(model::parse_port("70000"));
  EXPECT_FALSE(model::parse_port("80a"));
  EXPECT_EQ(model::normalize_path("./a//b/"), "a/b");
  EXPECT_EQ(model::normalize_path("/opt/venv/"), "/opt/venv");
  EXPECT_EQ(model::normalize_path("../x/./y"), "../x/y");
  EXPECT_EQ(model::normalize_path(""), ".");
  EXPECT_EQ(model::basename("/usr/bin/tini"), "tini");
  EXPECT_EQ(model::basename("a/b/"), "b");
  EXPECT_TRUE(model::contains_token("apt-get install -y tini curl", "tini"));
  EXPECT_FALSE(model::contains_token("install tinix", "tini"));
  EXPECT_TRUE(model::icontains("Install EPEL", "epel"));
  EXPECT_EQ(model::join({"a", "b", "c"}, ", "), "a, b, c");
}

TEST(ModelValues, ImageReferences) {
  auto r = model::parse_image("ghcr.io/org/family-torch-cu121:2025@sha256:ab");
  EXPECT_EQ(r.path, "ghcr.io/org");
  EXPECT_EQ(r.name, "family-torch-cu121");
  EXPECT_EQ(r.tag, "2025");
  EXPECT_EQ(r.digest, "sha256:ab");
  r = model::parse_image("localhost:5000/app");
  EXPECT_EQ(r.path, "localhost:5000");
  EXPECT_EQ(r.name, "app");
  EXPECT_EQ(r.tag, "");
  EXPECT_EQ(model::parse_image("ubuntu").path, "");
  EXPECT_EQ(model::canonical_repository(""), "docker.io/library");
  EXPECT_EQ(model::canonical_repository("nvidia"), "docker.io/nvidia");
  EXPECT_EQ(model::canonical_repository("index.docker.io/library"), "docker.io/library");
  EXPECT_EQ(model::canonical_repository("docker.io"), "docker.io/library");
  EXPECT_EQ(model::canonical_repository("ghcr.io/Org"), "ghcr.io/org");
  EXPECT_EQ(model::canonical_repository("localhost:5000"), "localhost:5000");
}
