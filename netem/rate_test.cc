#include <gtest/gtest.h>

#include "netem/testing.h"

namespace swapbench {
namespace {
using namespace testing;

TEST(RateTest, SerializesAtTheRate) {
  LinkConfig lc;
  auto c = Imp("rate");
  c.rate_kbit = 8000;  // 1 MB/s: 1000 bytes per ms
  c.burst_bytes = 0;
  c.limit_bytes = 1 << 20;
  lc.impairments = {c};
  Link link(lc);
  std::vector<std::vector<uint8_t>> f;
  for (int i = 0; i < 10; ++i) f.push_back(NfsFrame(1000, i));
  auto out = Drive(link, Direction::kToServer, f, 0);  // all at t=0
  ASSERT_EQ(out.size(), 10u);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(out[i].t_ns, (i + 1) * kNsPerMs);
}

TEST(RateTest, BurstPassesAndFullQueueTailDrops) {
  LinkConfig lc;
  auto c = Imp("rate");
  c.rate_kbit = 8000;
  c.burst_bytes = 2000;
  c.limit_bytes = 3000;
  lc.impairments = {c};
  Link link(lc);
  auto f = NfsFrame(1000);
  std::string s;
  for (int i = 0; i < 8; ++i) {
    auto d = link.Offer(Direction::kToServer, f.data(), f.size(), 0);
    s += (d.actions & kActQueueDrop) ? 'q' : d.now ? 'n' : 'd';
  }
  // Two frames ride the burst, three wait in the 3000-byte queue, the rest
  // drop.
  EXPECT_EQ(s, "nndddqqq");
  const auto& ctr = link.counters(Direction::kToServer);
  EXPECT_EQ(ctr.queue_dropped, 3u);
  EXPECT_EQ(ctr.dropped, 3u);
  EXPECT_EQ(link.Impairments()[1].counters.queue_dropped, 3u);
  EXPECT_EQ(link.Impairments()[1].counters.dropped, 0u);  // not loss
}

}  // namespace
}  // namespace swapbench
