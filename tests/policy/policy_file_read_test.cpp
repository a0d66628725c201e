// load_policy_file reads through io::read_file: its checks (a regular file; a
// FIFO is refused at once instead of blocking the reader) and its limit.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "policy/policy.hpp"

namespace fs = std::filesystem;
using namespace dockmend;

namespace {
struct Dir {
  fs::path path;
  Dir() {
    std::string t = (fs::temp_directory_path() / "dockmend-policy-read-XXXXXX").string();
    if (::mkdtemp(t.data()) == nullptr) throw std::runtime_error("mkdtemp");
    path = t;
  }
  ~Dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};
}  // namespace

TEST(LoadPolicyFile, RefusesAFifoADirectoryAndAHugeFile) {
  Dir d;
  const fs::path fifo = d.path / "fifo.yaml";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
  auto r = policy::load_policy_file(fifo);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.errors()[0].to_string(), fifo.string() + ": cannot read the policy file: not a regular file");

  fs::create_directory(d.path / "dir.yaml");
  r = policy::load_policy_file(d.path / "dir.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.errors()[0].to_string(), (d.path / "dir.yaml").string() + ": cannot read the policy file: Is a directory");

  const fs::path huge = d.path / "huge.yaml";
  { std::ofstream(huge) << "version: 1\n"; }
  fs::resize_file(huge, 17ULL * 1024 * 1024);  // sparse: over the 16 MiB limit without writing it
  r = policy::load_policy_file(huge);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.errors()[0].message.find("cannot read the policy file: file is larger than the"), std::string::npos)
      << r.errors()[0].message;

  const fs::path ok = d.path / "dockmend.yaml";
  { std::ofstream(ok) << "version: 1\nservices:\n  a:\n    dockerfile: a/Dockerfile\n"; }
  EXPECT_TRUE(policy::load_policy_file(ok).ok());
}
