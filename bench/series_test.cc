#include "bench/series.h"

#include <gtest/gtest.h>

namespace swapbench {
namespace {

TEST(SeriesTest, RatesPerIntervalAndLinkByTime) {
  std::vector<Sample> s(3);
  for (int i = 0; i < 3; ++i) {
    s[i].t = 10 + i * 0.5;
    s[i].pswpout = i * 128;  // 0.5 MiB per 0.5 s
    s[i].cg_current = 48 << 20;
    s[i].rpc_retrans = i;
  }
  std::vector<LinkPoint> link(3);
  for (int i = 0; i < 3; ++i) {
    link[i].t = 10 + i * 0.5;
    link[i].counters.to_server.frames = i * 100;
    link[i].counters.to_guest.dropped = i * 5;
  }
  auto j = BuildSeries(s, link, 48);
  EXPECT_EQ(j["t"], nlohmann::json({10.0, 10.5, 11.0}));
  EXPECT_EQ(j["swapout_mib_s"], nlohmann::json({0.0, 1.0, 1.0}));
  EXPECT_EQ(j["to_server_frames_s"], nlohmann::json({0.0, 200.0, 200.0}));
  EXPECT_EQ(j["to_guest_dropped_s"], nlohmann::json({0.0, 10.0, 10.0}));
  EXPECT_EQ(j["memory_current_mib"], nlohmann::json({48.0, 48.0, 48.0}));
  EXPECT_EQ(j["memory_max_mib"], 48);
  EXPECT_EQ(j["rpc_retrans"], nlohmann::json({0, 1, 2}));
}

TEST(SeriesTest, ThinsLongRunsWithoutLosingVolume) {
  std::vector<Sample> s(1000);
  for (int i = 0; i < 1000; ++i) {
    s[i].t = i * 0.25;
    s[i].pswpout = i * 256;  // 1 MiB per sample: 4 MiB/s
  }
  auto j = BuildSeries(s, {}, 0, {}, 100);
  EXPECT_LE(j["t"].size(), 101u);
  EXPECT_EQ(j["t"].back(), 249.75);  // the last sample is always kept
  EXPECT_DOUBLE_EQ(j["swapout_mib_s"][5].get<double>(), 4.0);
  EXPECT_TRUE(j["memory_max_mib"].is_null());
  EXPECT_TRUE(j["memory_current_mib"][0].is_null());  // no cgroup
}

}  // namespace
}  // namespace swapbench
