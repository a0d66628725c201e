// Python packaging facts: installs, hash demands, generated requirement files, venvs.
#include "model/python.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace m = dockmend::model;
namespace sh = dockmend::shell;

namespace {

struct Read {
  std::vector<sh::Script> scripts;
  m::PythonFacts facts;
};

Read read(std::vector<std::string> texts, bool poetry_venv = true) {
  Read r;
  for (const auto& t : texts) r.scripts.push_back(sh::parse(t));
  std::vector<const sh::Script*> ptrs;
  for (const auto& s : r.scripts) ptrs.push_back(&s);
  r.facts = m::read_python(ptrs, poetry_venv);
  return r;
}

TEST(Python, EveryInstallerForm) {
  auto r = read({"pip install -r a.txt", "pip3 install --no-cache-dir --requirement=b.txt",
                 "python3 -m pip install -rc.txt", "uv pip install --system -r d.txt",
                 "PIP_REQUIRE_HASHES=1 pip install -r e.txt", "pip install --require-hashes -r f.txt flask"});
  ASSERT_EQ(r.facts.installs.size(), 6u);
  std::vector<std::string> files;
  for (const auto& i : r.facts.installs) files.push_back(i.requirement_files.at(0).value);
  EXPECT_EQ(files, (std::vector<std::string>{"a.txt", "b.txt", "c.txt", "d.txt", "e.txt", "f.txt"}));
  EXPECT_EQ(r.facts.installs[3].installer, m::Installer::UvPip);
  EXPECT_TRUE(r.facts.installs[3].system);
  EXPECT_TRUE(r.facts.installs[4].require_hashes_env);
  EXPECT_TRUE(r.facts.installs[5].require_hashes_flag);
  EXPECT_EQ(r.facts.installs[5].packages.size(), 1u);
  ASSERT_TRUE(r.facts.installs[0].requirement_files[0].value_word);
}

TEST(Python, WheelThenOfflineInstall) {
  auto r = read({"pip wheel -r requirements.txt -w /wheels",
                 "pip install --no-index --find-links=/wheels -r requirements.txt"});
  ASSERT_EQ(r.facts.installs.size(), 2u);
  EXPECT_EQ(r.facts.installs[0].installer, m::Installer::PipWheel);
  EXPECT_EQ(r.facts.installs[0].wheel_dir, "/wheels");
  EXPECT_TRUE(r.facts.installs[1].no_index);
  EXPECT_EQ(r.facts.installs[1].find_links, std::vector<std::string>{"/wheels"});
}

TEST(Python, GeneratedRequirementFiles) {
  auto r = read({"poetry export -f requirements.txt --output requirements.txt --without-hashes",
                 "pip-compile requirements/base.in", "uv export --frozen > req-uv.txt",
                 "pip-compile --generate-hashes -o locked.txt", "uv pip compile pyproject.toml -o uvc.txt"});
  ASSERT_EQ(r.facts.generators.size(), 5u);
  const auto& poetry = r.facts.generators[0];
  EXPECT_EQ(poetry.output, "requirements.txt");
  EXPECT_FALSE(poetry.hashes);
  ASSERT_TRUE(poetry.without_hashes);
  const auto& compile = r.facts.generators[1];
  EXPECT_EQ(compile.output, "requirements/requirements.txt");
  EXPECT_FALSE(compile.hashes);
  EXPECT_EQ(r.facts.generators[2].output, "req-uv.txt");
  EXPECT_TRUE(r.facts.generators[2].hashes);
  EXPECT_TRUE(r.facts.generators[3].hashes);
  EXPECT_FALSE(r.facts.generators[4].hashes);
  EXPECT_EQ(r.facts.generator_for("/app/requirements.txt", {5, 0}), &poetry);
  EXPECT_EQ(r.facts.generator_for("requirements.txt", {0, 0}), nullptr);  // not written yet
}

TEST(Python, Venvs) {
  auto r = read({"python3 -m venv /opt/venv", "pip install virtualenv && virtualenv /v2", "uv venv",
                 "poetry install --no-root"});
  ASSERT_EQ(r.facts.venvs.size(), 4u);
  EXPECT_EQ(r.facts.venvs[0].path, "/opt/venv");
  EXPECT_EQ(r.facts.venvs[1].tool, m::VenvTool::Virtualenv);
  EXPECT_EQ(r.facts.venvs[2].path, ".venv");
  EXPECT_EQ(r.facts.venvs[3].tool, m::VenvTool::Poetry);
  EXPECT_EQ(r.facts.venv_tool_installs.size(), 1u);
  auto no = read({"poetry config virtualenvs.create false && poetry install"});
  EXPECT_TRUE(no.facts.venvs.empty());
  EXPECT_TRUE(read({"poetry install"}, false).facts.venvs.empty());
}

TEST(Python, RequirementsText) {
  auto t = m::read_requirements(
      "# pinned\n--require-hashes\nflask==3.0.0 \\\n    --hash=sha256:aa\nrequests==2.31.0\n-r base.txt\n");
  EXPECT_TRUE(t.require_hashes);
  ASSERT_EQ(t.requirements.size(), 2u);
  EXPECT_TRUE(t.requirements[0].hashed);
  EXPECT_EQ(t.requirements[1].line, 5u);
  EXPECT_EQ(t.unhashed(), 1u);
  EXPECT_EQ(t.included, std::vector<std::string>{"base.txt"});
}

}  // namespace
