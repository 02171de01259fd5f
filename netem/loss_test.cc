#include <gtest/gtest.h>

#include "netem/testing.h"

namespace swapbench {
namespace {
using namespace testing;

std::string Pattern(ImpairmentConfig c, uint64_t seed, int n) {
  LinkConfig lc;
  lc.seed = seed;
  c.direction = "to_guest";
  lc.impairments = {c};
  Link link(lc);
  std::string s;
  auto f = NfsFrame();
  for (int i = 0; i < n; ++i)
    s += link.Offer(Direction::kToGuest, f.data(), f.size(), i * 1000).actions &
                 kActDrop
             ? 'x'
             : '.';
  return s;
}

TEST(LossTest, BernoulliRateAndSeed) {
  auto c = Imp("loss");
  c.p = 0.1;
  std::string a = Pattern(c, 1, 20000);
  double rate = std::count(a.begin(), a.end(), 'x') / 20000.0;
  EXPECT_NEAR(rate, 0.1, 0.01);
  EXPECT_EQ(a, Pattern(c, 1, 20000));
  EXPECT_NE(a, Pattern(c, 2, 20000));
}

TEST(LossTest, GilbertElliottLosesInBursts) {
  auto c = Imp("loss");
  c.model = "gemodel";
  c.p = 0.01;  // good -> bad
  c.r = 0.2;   // bad -> good: bursts of ~5
  c.bad_loss = 1;
  c.good_loss = 0;
  std::string s = Pattern(c, 3, 50000);
  int losses = 0, bursts = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != 'x') continue;
    ++losses;
    if (i == 0 || s[i - 1] != 'x') ++bursts;
  }
  // Stationary loss p/(p+r) ~ 4.8 %, mean burst 1/r = 5 frames.
  EXPECT_NEAR(losses / 50000.0, 0.01 / 0.21, 0.01);
  EXPECT_NEAR(static_cast<double>(losses) / bursts, 5.0, 1.0);
  // Bernoulli at the same rate has bursts of ~1.05.
  auto b = Imp("loss");
  b.p = losses / 50000.0;
  std::string t = Pattern(b, 3, 50000);
  int bl = 0, bb = 0;
  for (size_t i = 0; i < t.size(); ++i)
    if (t[i] == 'x') ++bl, bb += (i == 0 || t[i - 1] != 'x');
  EXPECT_LT(static_cast<double>(bl) / bb, 1.2);
}

TEST(LossTest, EveryNthIsAFixedPattern) {
  auto c = Imp("loss");
  c.model = "nth";
  c.every = 4;
  EXPECT_EQ(Pattern(c, 1, 12), "...x...x...x");
  EXPECT_EQ(Pattern(c, 99, 12), "...x...x...x");  // no randomness in it
}

TEST(LossTest, FilterRestrictsLossToNfs) {
  LinkConfig lc;
  auto c = Imp("loss");
  c.p = 1;
  c.filter.protocol = "tcp";
  c.filter.port = 2049;
  lc.impairments = {c};
  Link link(lc);
  auto nfs = NfsFrame();
  auto dns = UdpFrame(100, 53);
  EXPECT_TRUE(
      link.Offer(Direction::kToGuest, nfs.data(), nfs.size(), 0).actions &
      kActDrop);
  EXPECT_TRUE(link.Offer(Direction::kToGuest, dns.data(), dns.size(), 0).now);
  // Inverted: everything but NFS.
  lc.impairments[0].filter.invert = true;
  Link inv(lc);
  EXPECT_TRUE(inv.Offer(Direction::kToGuest, nfs.data(), nfs.size(), 0).now);
  EXPECT_TRUE(
      inv.Offer(Direction::kToGuest, dns.data(), dns.size(), 0).actions &
      kActDrop);
  EXPECT_EQ(inv.Impairments()[0].counters.matched, 1u);
  EXPECT_EQ(inv.Impairments()[0].filter, "not tcp port 2049");
}

}  // namespace
}  // namespace swapbench
