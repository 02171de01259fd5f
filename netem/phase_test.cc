#include "netem/phase.h"

#include <gtest/gtest.h>

#include "netem/testing.h"

namespace swapbench {
namespace {
using namespace testing;
constexpr int64_t kS = 1000000000;

TEST(PhaseTest, WindowAndFlapping) {
  PhaseConfig p;
  p.at_s = 10;
  p.for_s = 5;
  EXPECT_FALSE(PhaseInEffect(p, 9 * kS));
  EXPECT_TRUE(PhaseInEffect(p, 10 * kS));
  EXPECT_TRUE(PhaseInEffect(p, 15 * kS - 1));
  EXPECT_FALSE(PhaseInEffect(p, 15 * kS));
  p.period_s = 2;
  p.duty = 0.25;
  EXPECT_TRUE(PhaseInEffect(p, 10 * kS + kS / 4));
  EXPECT_FALSE(PhaseInEffect(p, 10 * kS + kS));
  EXPECT_TRUE(PhaseInEffect(p, 12 * kS + 1));
}

TEST(PhaseTest, TimelineSwitchesImpairmentsAndCutsTheLink) {
  LinkConfig lc;
  auto spike = Imp("loss", "spike");
  spike.p = 1;
  spike.enabled = false;  // only during the phase
  lc.impairments = {spike};
  PhaseConfig on;
  on.name = "loss-spike";
  on.at_s = 1;
  on.for_s = 1;
  on.enable = {"spike"};
  PhaseConfig down;
  down.name = "partition";
  down.at_s = 3;
  down.for_s = 1;
  down.down = true;
  down.direction = "to_server";
  lc.phases = {on, down};
  Link link(lc);
  auto f = NfsFrame();
  auto dropped = [&](Direction dir, int64_t t) {
    return (link.Offer(dir, f.data(), f.size(), t).actions & kActDrop) != 0;
  };
  // Before the epoch no phase is in effect.
  EXPECT_FALSE(dropped(Direction::kToGuest, 0));
  link.SetEpoch(100 * kS);
  EXPECT_FALSE(dropped(Direction::kToGuest, 100 * kS + kS / 2));
  EXPECT_TRUE(dropped(Direction::kToGuest, 101 * kS + kS / 2));
  EXPECT_FALSE(dropped(Direction::kToGuest, 102 * kS + kS / 2));
  EXPECT_TRUE(dropped(Direction::kToServer, 103 * kS + kS / 2));
  EXPECT_FALSE(
      dropped(Direction::kToGuest, 103 * kS + kS / 2));  // one way only
  EXPECT_FALSE(dropped(Direction::kToServer, 104 * kS));
  const Decision& d =
      link.Offer(Direction::kToServer, f.data(), f.size(), 103 * kS);
  EXPECT_EQ(link.ActorName(d.dir, d.actors[0]), "phase:partition");
  EXPECT_EQ(link.Phases()[1].dropped_to_server, 2u);
}

TEST(PhaseTest, PhaseCanDisableAnImpairment) {
  LinkConfig lc;
  auto l = Imp("loss", "always");
  l.p = 1;
  lc.impairments = {l};
  PhaseConfig quiet;
  quiet.name = "heal";
  quiet.for_s = 1;
  quiet.disable = {"always"};
  lc.phases = {quiet};
  Link link(lc);
  link.SetEpoch(0);
  auto f = NfsFrame();
  EXPECT_TRUE(link.Offer(Direction::kToGuest, f.data(), f.size(), kS / 2).now);
  EXPECT_FALSE(link.Offer(Direction::kToGuest, f.data(), f.size(), 2 * kS).now);
}

}  // namespace
}  // namespace swapbench

namespace swapbench {
namespace {
using namespace testing;

TEST(PartitionTest, DropsEverythingWhileAPhaseEnablesIt) {
  LinkConfig lc;
  auto cut = Imp("partition", "cut");
  cut.enabled = false;
  cut.direction = "to_guest";
  lc.impairments = {cut};
  PhaseConfig p;
  p.name = "outage";
  p.at_s = 1;
  p.for_s = 1;
  p.enable = {"cut"};
  lc.phases = {p};
  Link link(lc);
  link.SetEpoch(0);
  auto f = NfsFrame();
  std::string s;
  for (int64_t t : {int64_t{0}, kS + 1, kS + kS / 2, 2 * kS})
    s += link.Offer(Direction::kToGuest, f.data(), f.size(), t).now ? '.' : 'x';
  EXPECT_EQ(s, ".xx.");
  EXPECT_TRUE(link.Offer(Direction::kToServer, f.data(), f.size(), kS + 1).now);
  EXPECT_EQ(link.Impairments()[0].counters.dropped, 2u);
}

}  // namespace
}  // namespace swapbench

namespace swapbench {
namespace {
using namespace testing;

TEST(PhaseTest, EveryPhaseCountsHoweverMany) {
  LinkConfig lc;
  for (int i = 0; i < 70; ++i) {
    PhaseConfig p;
    p.name = "p" + std::to_string(i);
    p.at_s = i;
    p.for_s = 1;
    p.down = true;
    lc.phases.push_back(p);
  }
  Link link(lc);
  link.SetEpoch(0);
  auto f = NfsFrame();
  const Decision& d =
      link.Offer(Direction::kToGuest, f.data(), f.size(), 69 * kS + 1);
  ASSERT_TRUE(d.actions & kActDrop);
  EXPECT_EQ(link.ActorName(d.dir, d.actors[0]), "phase:p69");
}

}  // namespace
}  // namespace swapbench
