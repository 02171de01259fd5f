#include "netem/link.h"

#include <gtest/gtest.h>

#include <string>

#include "netem/testing.h"

namespace swapbench {
namespace {
using namespace testing;

std::string Trace(const LinkConfig& c, int n) {
  Link link(c);
  std::string s;
  for (int i = 0; i < n; ++i) {
    auto f = NfsFrame(200 + i % 7, i);
    s += TraceLine(
             link,
             link.Offer(Direction::kToGuest, f.data(), f.size(), i * 1000000),
             0) +
         "\n";
  }
  return s;
}

TEST(LinkTest, NoImpairmentDeliversEverythingAtOnce) {
  Link link(LinkConfig{});
  EXPECT_TRUE(link.idle());
  auto f = NfsFrame(100);
  for (int i = 0; i < 50; ++i)
    EXPECT_TRUE(link.Offer(Direction::kToGuest, f.data(), f.size(), i).now);
  EXPECT_EQ(link.counters(Direction::kToGuest).frames, 50u);
  EXPECT_EQ(link.counters(Direction::kToGuest).dropped, 0u);
  EXPECT_EQ(link.counters(Direction::kToGuest).bytes, 5000u);
  EXPECT_EQ(link.counters(Direction::kToServer).frames, 0u);
  EXPECT_EQ(link.NextDue(), std::numeric_limits<int64_t>::max());
}

TEST(LinkTest, LossShorthandIsPerDirection) {
  Link link(LinkConfig::Loss(1, 0, 1.0));
  auto f = NfsFrame();
  EXPECT_TRUE(link.Offer(Direction::kToGuest, f.data(), f.size(), 0).now);
  EXPECT_FALSE(link.Offer(Direction::kToServer, f.data(), f.size(), 0).now);
  EXPECT_EQ(link.counters(Direction::kToServer).dropped, 1u);
}

TEST(LinkTest, SameSeedSameTraceOtherSeedOther) {
  LinkConfig c;
  c.seed = 5;
  auto l = Imp("loss");
  l.p = 0.1;
  auto d = Imp("delay");
  d.delay_ms = 1;
  d.jitter_ms = 1;
  c.impairments = {l, d};
  std::string a = Trace(c, 300);
  EXPECT_EQ(a, Trace(c, 300));
  c.seed = 6;
  EXPECT_NE(a, Trace(c, 300));
  EXPECT_NE(a.find("\tdrop\tloss\n"), std::string::npos);
  EXPECT_NE(a.find("\tdelay "), std::string::npos);
}

TEST(LinkTest, AddingAnImpairmentDoesNotShiftAnothersDraws) {
  auto drops = [](const LinkConfig& c) {
    Link link(c);
    std::string s;
    auto f = NfsFrame();
    for (int i = 0; i < 500; ++i)
      s += link.Offer(Direction::kToGuest, f.data(), f.size(), i).actions &
                   kActDrop
               ? 'x'
               : '.';
    return s;
  };
  LinkConfig c;
  auto l = Imp("loss");
  l.p = 0.1;
  c.impairments = {l};
  std::string alone = drops(c);
  auto dup = Imp("duplicate");
  dup.p = 0.5;
  c.impairments.push_back(dup);
  EXPECT_EQ(alone, drops(c));
}

TEST(LinkTest, TraceLineFormat) {
  LinkConfig c;
  auto l = Imp("loss", "nfs-loss");
  l.p = 1;
  c.impairments = {l};
  Link link(c);
  auto f = NfsFrame(200);
  EXPECT_EQ(
      TraceLine(link,
                link.Offer(Direction::kToGuest, f.data(), f.size(), 1500000000),
                0),
      "1\t1.500000\tto_guest\t200\ttcp "
      "10.213.0.1:2049>10.213.0.2:800\tdrop\tnfs-loss");
}

TEST(LinkTest, QueueIsBounded) {
  LinkConfig c;
  auto d = Imp("delay");
  d.delay_ms = 1000;
  c.impairments = {d};
  Link link(c);
  auto f = NfsFrame(60);
  for (size_t i = 0; i < Link::kMaxQueued + 10; ++i)
    link.Offer(Direction::kToGuest, f.data(), f.size(), 0);
  EXPECT_EQ(link.counters(Direction::kToGuest).queue_dropped, 10u);
}

}  // namespace
}  // namespace swapbench
