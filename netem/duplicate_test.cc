#include <gtest/gtest.h>

#include "netem/testing.h"

namespace swapbench {
namespace {
using namespace testing;

TEST(DuplicateTest, CopiesFollowTheOriginal) {
  LinkConfig lc;
  lc.seed = 2;
  auto c = Imp("duplicate");
  c.p = 0.25;
  lc.impairments = {c};
  Link link(lc);
  std::vector<std::vector<uint8_t>> f;
  for (int i = 0; i < 4000; ++i) f.push_back(NfsFrame(100, i));
  auto out = Drive(link, Direction::kToGuest, f, 1000);
  uint64_t dups = link.counters(Direction::kToGuest).duplicated;
  EXPECT_NEAR(dups / 4000.0, 0.25, 0.03);
  EXPECT_EQ(out.size(), 4000 + dups);
  EXPECT_EQ(link.counters(Direction::kToGuest).delivered, 4000 + dups);
  for (size_t i = 1; i < out.size(); ++i)
    EXPECT_LE(Seq(out[i - 1].data), Seq(out[i].data));
}

}  // namespace
}  // namespace swapbench
