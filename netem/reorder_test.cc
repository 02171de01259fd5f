#include <gtest/gtest.h>

#include "netem/testing.h"

namespace swapbench {
namespace {
using namespace testing;

TEST(ReorderTest, HeldFrameLetsGapFramesPass) {
  LinkConfig lc;
  auto c = Imp("reorder");
  c.p = 1;
  c.gap = 2;
  c.filter.protocol = "udp";  // only the first frame is UDP
  lc.impairments = {c};
  Link link(lc);
  std::vector<std::vector<uint8_t>> f = {UdpFrame()};
  for (int i = 1; i < 5; ++i) f.push_back(NfsFrame(200, i));
  auto out = Drive(link, Direction::kToGuest, f, 1000);
  ASSERT_EQ(out.size(), 5u);
  EXPECT_EQ(Seq(out[0].data), 1u);
  EXPECT_EQ(Seq(out[1].data), 2u);
  EXPECT_EQ(out[2].data, f[0]);  // after exactly two later frames
  EXPECT_EQ(out[2].t_ns, 2000);  // ... and at once, not at max_hold
  EXPECT_EQ(Seq(out[3].data), 3u);
  EXPECT_EQ(link.counters(Direction::kToGuest).reordered, 1u);
}

TEST(ReorderTest, ProbabilityGivesSeededReordering) {
  LinkConfig lc;
  lc.seed = 5;
  auto c = Imp("reorder");
  c.p = 0.05;
  c.gap = 2;
  lc.impairments = {c};
  auto run = [&] {
    Link link(lc);
    std::vector<std::vector<uint8_t>> f;
    for (int i = 0; i < 1000; ++i) f.push_back(NfsFrame(200, i));
    std::vector<uint32_t> seqs;
    for (auto& o : Drive(link, Direction::kToGuest, f, 1000))
      seqs.push_back(Seq(o.data));
    return seqs;
  };
  auto a = run();
  ASSERT_EQ(a.size(), 1000u);
  EXPECT_EQ(a, run());
  int moved = 0;
  for (size_t i = 0; i < a.size(); ++i) moved += a[i] != i;
  EXPECT_GT(moved, 50);
  EXPECT_LT(moved, 400);
}

TEST(ReorderTest, MaxHoldReleasesOnAnIdleLink) {
  LinkConfig lc;
  auto c = Imp("reorder");
  c.p = 1;
  c.gap = 10;
  c.max_hold_ms = 5;
  lc.impairments = {c};
  Link link(lc);
  auto f = NfsFrame();
  EXPECT_FALSE(link.Offer(Direction::kToServer, f.data(), f.size(), 0).now);
  EXPECT_EQ(link.NextDue(), 5 * kNsPerMs);
  const uint8_t* d;
  size_t n;
  EXPECT_FALSE(link.PopDue(Direction::kToServer, 4 * kNsPerMs, &d, &n));
  EXPECT_TRUE(link.PopDue(Direction::kToServer, 5 * kNsPerMs, &d, &n));
}

}  // namespace
}  // namespace swapbench
