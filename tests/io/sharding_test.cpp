#include "io/sharding.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace dockmend::io {
namespace {

TEST(Fnv1a64, PublishedVectors) {
  EXPECT_EQ(fnv1a_64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(fnv1a_64("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(fnv1a_64("foobar"), 0x85944171f73967e8ULL);
}

TEST(Sharding, PinnedAssignmentsNeverChange) {
  // Changing these breaks CI setups that split work across jobs.
  EXPECT_EQ(fnv1a_64("svc/Dockerfile"), 0x2cb3f7eb4c050f24ULL);
  EXPECT_TRUE(in_shard("svc/Dockerfile", 0, 4));
  EXPECT_TRUE(in_shard("Dockerfile", 3, 4));
  EXPECT_TRUE(in_shard("Dockerfile", 0, 3));
}

TEST(Sharding, EveryPathInExactlyOneShard) {
  for (int n = 1; n <= 7; ++n) {
    std::vector<int> sizes(static_cast<std::size_t>(n), 0);
    for (int i = 0; i < 2000; ++i) {
      const std::string path = "services/app" + std::to_string(i) + "/Dockerfile";
      int owners = 0;
      for (int k = 0; k < n; ++k) {
        if (in_shard(path, k, n)) {
          ++owners;
          ++sizes[static_cast<std::size_t>(k)];
        }
      }
      ASSERT_EQ(owners, 1) << path << " n=" << n;
    }
    // Roughly even: each shard within 25% of its fair share.
    for (int size : sizes) {
      EXPECT_GT(size, 2000 / n * 3 / 4) << "n=" << n;
      EXPECT_LT(size, 2000 / n * 5 / 4) << "n=" << n;
    }
  }
}

TEST(Sharding, InvalidArgumentsSelectNothing) {
  EXPECT_FALSE(in_shard("Dockerfile", 0, 0));
  EXPECT_FALSE(in_shard("Dockerfile", -1, 3));
  EXPECT_FALSE(in_shard("Dockerfile", 3, 3));
  EXPECT_TRUE(in_shard("Dockerfile", 0, 1));
}

}  // namespace
}  // namespace dockmend::io
