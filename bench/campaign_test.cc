#include "bench/campaign.h"

#include <gtest/gtest.h>

namespace swapbench {
namespace {

std::vector<Scenario> Two() {
  std::vector<Scenario> s(2);
  s[0].name = "smoke";
  s[1].name = "loss5";
  return s;
}

TEST(CampaignTest, MatrixIsKernelsThenScenariosThenAttempts) {
  auto sc = Two();
  std::vector<std::optional<KernelSpec>> k = {KernelSpec{"a", "", "", "", ""},
                                              KernelSpec{"b", "", "", "", ""}};
  auto m = Matrix(sc, k, 2, {});
  ASSERT_EQ(m.size(), 8u);
  EXPECT_EQ(m[0].dir, "smoke.a.a1");
  EXPECT_EQ(m[1].dir, "smoke.a.a2");
  EXPECT_EQ(m[2].dir, "loss5.a.a1");
  EXPECT_EQ(m[7].dir, "loss5.b.a2");
  EXPECT_EQ(m[7].attempt, 2);
}

TEST(CampaignTest, ShardsTakeEveryNthAndCoverTheMatrixOnce) {
  auto sc = Two();
  std::vector<std::optional<KernelSpec>> k = {std::nullopt};
  std::vector<std::string> seen;
  for (int i = 1; i <= 3; ++i)
    for (const auto& e : Matrix(sc, k, 3, {i, 3})) seen.push_back(e.dir);
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen,
            (std::vector<std::string>{"loss5.a1", "loss5.a2", "loss5.a3",
                                      "smoke.a1", "smoke.a2", "smoke.a3"}));
  EXPECT_EQ(Matrix(sc, k, 1, {}).front().dir, "smoke");
}

TEST(CampaignTest, ParseShard) {
  EXPECT_EQ(ParseShard("2/3")->k, 2);
  EXPECT_EQ(ParseShard("2/3")->n, 3);
  for (const char* bad : {"3/2", "0/1", "1/0", "1-2", "1/2x", ""})
    EXPECT_EQ(ParseShard(bad).status().message(),
              std::string("--shard ") + bad + ": expected K/N with 1 <= K <= N")
        << bad;
}

TEST(CampaignTest, ExitCodes) {
  EXPECT_EQ(ExitForVerdict("pass"), 0);
  EXPECT_EQ(ExitForVerdict("flaky"), 0);
  EXPECT_EQ(ExitForVerdict("fail"), 1);
  EXPECT_EQ(ExitForVerdict("error"), 3);
  EXPECT_EQ(ExitFor(Status::Usage("x")), 2);
  EXPECT_EQ(ExitFor(Status::Harness("x")), 3);
  EXPECT_EQ(ExitFor(Status::Cancelled("x")), 3);
}

TEST(CampaignTest, GitBisectExitCodes) {
  EXPECT_EQ(GitBisectExit(0), 0);
  EXPECT_EQ(GitBisectExit(1), 1);
  EXPECT_EQ(GitBisectExit(3), 125);
  EXPECT_EQ(GitBisectExit(2), 128);
  EXPECT_EQ(GitBisectExit(7), 128);
}

TEST(CampaignTest, KernelsOfTheSameNameGetDistinctDirectories) {
  auto sc = Two();
  std::vector<std::optional<KernelSpec>> k = {
      KernelSpec{"", "", "", "", "/a/linux"},
      KernelSpec{"", "", "", "", "/b/linux"},
      KernelSpec{"./linux-image-6.1.99_1_amd64.deb", "", "", "", ""}};
  auto m = Matrix(sc, k, 1, {});
  ASSERT_EQ(m.size(), 6u);
  EXPECT_EQ(m[0].dir, "smoke.tree-linux");
  EXPECT_EQ(m[2].dir, "smoke.tree-linux.k2");
  EXPECT_EQ(m[4].dir, "smoke.linux-image-6.1.99_1_amd64");
}

}  // namespace
}  // namespace swapbench
