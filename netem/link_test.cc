#include "netem/link.h"

#include <gtest/gtest.h>

#include <string>

namespace swapbench {
namespace {

std::string Decisions(const LinkConfig& c, Direction d, int n) {
  Link link(c);
  uint8_t frame[60] = {};
  std::string s;
  for (int i = 0; i < n; ++i)
    s += link.Decide(d, frame, sizeof(frame)) ? '.' : 'x';
  return s;
}

TEST(LinkTest, NoImpairmentDeliversEverything) {
  LinkConfig c;
  Link link(c);
  uint8_t frame[100] = {};
  for (int i = 0; i < 50; ++i)
    EXPECT_TRUE(link.Decide(Direction::kToGuest, frame, 100));
  EXPECT_EQ(link.counters(Direction::kToGuest).frames, 50u);
  EXPECT_EQ(link.counters(Direction::kToGuest).dropped, 0u);
  EXPECT_EQ(link.counters(Direction::kToGuest).bytes, 5000u);
  EXPECT_EQ(link.counters(Direction::kToServer).frames, 0u);
}

TEST(LinkTest, SameSeedSameDropSchedule) {
  LinkConfig c;
  c.seed = 5;
  c.to_guest.loss = 0.1;
  EXPECT_EQ(Decisions(c, Direction::kToGuest, 500),
            Decisions(c, Direction::kToGuest, 500));
}

TEST(LinkTest, OtherSeedOtherSchedule) {
  LinkConfig a, b;
  a.seed = 5;
  b.seed = 6;
  a.to_guest.loss = b.to_guest.loss = 0.1;
  EXPECT_NE(Decisions(a, Direction::kToGuest, 500),
            Decisions(b, Direction::kToGuest, 500));
}

TEST(LinkTest, DirectionsDrawFromSeparateStreams) {
  // Traffic in one direction must not shift the other direction's schedule.
  LinkConfig c;
  c.seed = 11;
  c.to_guest.loss = c.to_server.loss = 0.2;
  std::string alone = Decisions(c, Direction::kToServer, 200);
  Link link(c);
  uint8_t f[60] = {};
  std::string mixed;
  for (int i = 0; i < 200; ++i) {
    link.Decide(Direction::kToGuest, f, 60);
    mixed += link.Decide(Direction::kToServer, f, 60) ? '.' : 'x';
  }
  EXPECT_EQ(alone, mixed);
}

TEST(LinkTest, LossCountsDrops) {
  LinkConfig c;
  c.seed = 1;
  c.to_server.loss = 0.05;
  Link link(c);
  uint8_t f[60] = {};
  for (int i = 0; i < 20000; ++i) link.Decide(Direction::kToServer, f, 60);
  const auto& k = link.counters(Direction::kToServer);
  EXPECT_EQ(k.frames, 20000u);
  EXPECT_NEAR(k.dropped / 20000.0, 0.05, 0.01) << "seed 1";
  EXPECT_EQ(k.bytes, (k.frames - k.dropped) * 60);
}

}  // namespace
}  // namespace swapbench
