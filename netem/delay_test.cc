#include <gtest/gtest.h>

#include <cmath>

#include "netem/testing.h"

namespace swapbench {
double JitterSample(const std::string& dist, double u1, double u2);
namespace {
using namespace testing;

std::vector<std::vector<uint8_t>> Seqs(int n) {
  std::vector<std::vector<uint8_t>> v;
  for (int i = 0; i < n; ++i) v.push_back(NfsFrame(200, i));
  return v;
}

TEST(DelayTest, ConstantDelayShiftsEveryFrame) {
  LinkConfig lc;
  auto c = Imp("delay");
  c.delay_ms = 20;
  lc.impairments = {c};
  Link link(lc);
  auto out = Drive(link, Direction::kToServer, Seqs(5), 1000000);
  ASSERT_EQ(out.size(), 5u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(out[i].t_ns, i * 1000000 + 20000000);
}

TEST(DelayTest, JitterDoesNotReorderUnlessAsked) {
  for (bool reorder : {false, true}) {
    LinkConfig lc;
    lc.seed = 7;
    auto c = Imp("delay");
    c.delay_ms = 10;
    c.jitter_ms = 8;
    c.distribution = "normal";
    c.reorder = reorder;
    lc.impairments = {c};
    Link link(lc);
    auto out = Drive(link, Direction::kToGuest, Seqs(500), 100000);
    ASSERT_EQ(out.size(), 500u);
    int inversions = 0;
    for (size_t i = 1; i < out.size(); ++i)
      inversions += Seq(out[i].data) < Seq(out[i - 1].data);
    if (reorder)
      EXPECT_GT(inversions, 50);
    else
      EXPECT_EQ(inversions, 0);
  }
}

TEST(DelayTest, DistributionsHaveTheirShape) {
  Rng rng(11);
  for (std::string d : {"uniform", "normal", "pareto", "paretonormal"}) {
    double sum = 0, sq = 0, mx = -1e9, mn = 1e9;
    const int n = 200000;
    for (int i = 0; i < n; ++i) {
      double x = JitterSample(d, rng.NextDouble(), rng.NextDouble());
      sum += x, sq += x * x, mx = std::max(mx, x), mn = std::min(mn, x);
    }
    double mean = sum / n, sd = std::sqrt(sq / n - mean * mean);
    SCOPED_TRACE(d);
    EXPECT_NEAR(mean, 0, 0.05);
    if (d == "uniform") {
      EXPECT_GE(mn, -1);
      EXPECT_LT(mx, 1);
    } else if (d == "normal") {
      EXPECT_NEAR(sd, 1, 0.02);
    } else if (d == "pareto") {
      EXPECT_GT(mx, 8);     // a heavy right tail
      EXPECT_GT(mn, -1.8);  // and a hard floor
    } else {
      EXPECT_GT(mx, 4);
    }
  }
}

TEST(DelayTest, CorrelationSmoothsConsecutiveDelays) {
  auto mean_step = [](double corr) {
    LinkConfig lc;
    lc.seed = 3;
    auto c = Imp("delay");
    c.delay_ms = 50;
    c.jitter_ms = 20;
    c.correlation = corr;
    c.reorder = true;
    lc.impairments = {c};
    Link link(lc);
    auto f = NfsFrame();
    double steps = 0, last = -1;
    for (int i = 0; i < 2000; ++i) {
      double d =
          link.Offer(Direction::kToGuest, f.data(), f.size(), i).delay_ns;
      if (last >= 0) steps += std::abs(d - last);
      last = d;
    }
    return steps / 1999;
  };
  EXPECT_LT(mean_step(0.9), mean_step(0) / 3);
}

}  // namespace
}  // namespace swapbench
