#include "netem/flood.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>

#include "netem/testing.h"

namespace swapbench {
namespace {
using namespace testing;

Endpoints Ep() {
  Endpoints e;
  memcpy(e.guest_mac, kGuestMac, 6);
  memcpy(e.server_mac, kServerMac, 6);
  e.guest_ip = kGuestIp;
  e.server_ip = kServerIp;
  e.known = true;
  return e;
}

// Runs a source to completion on a fake clock: (due, flow) per frame.
std::vector<std::pair<int64_t, std::string>> Drain(FloodSource& s,
                                                   int max = 100000) {
  std::vector<std::pair<int64_t, std::string>> out;
  uint8_t buf[65536];
  Endpoints ep = Ep();
  while (s.NextDue() != std::numeric_limits<int64_t>::max() && max--) {
    int64_t t = s.NextDue();
    size_t n = s.Emit(ep, buf);
    out.push_back({t, FlowName(ParseFrame(buf, n)) + "/" + std::to_string(n)});
  }
  return out;
}

TEST(FloodTest, SyntheticKindsAtTheirRateAndSize) {
  for (std::string kind : {"udp", "syn", "icmp", "arp"}) {
    SCOPED_TRACE(kind);
    FloodConfig c;
    c.name = "f";
    c.kind = kind;
    c.pps = 1000;
    c.size = 300;
    c.at_s = 2;
    c.for_s = 0.5;
    FloodSource s(c, 1);
    auto out = Drain(s);
    ASSERT_EQ(out.size(), 500u);
    EXPECT_EQ(out[0].first, 2000000000);
    EXPECT_EQ(out[1].first, 2001000000);
    std::string want = kind == "syn" ? "tcp" : kind;
    EXPECT_EQ(out[0].second.substr(0, want.size()), want);
    EXPECT_EQ(out[0].second.substr(out[0].second.size() - 4), "/300");
  }
}

TEST(FloodTest, FramesAreForTheGuestWithValidChecksums) {
  FloodConfig c;
  c.name = "u";
  c.kind = "udp";
  c.for_s = 0.01;
  FloodSource s(c, 1);
  uint8_t buf[2000];
  size_t n = s.Emit(Ep(), buf);
  EXPECT_EQ(memcmp(buf, kGuestMac, 6), 0);
  FrameInfo i = ParseFrame(buf, n);
  EXPECT_EQ(i.daddr, kGuestIp);
  EXPECT_GE(i.dport, 33434);  // the traceroute range: nothing listens
  std::vector<uint8_t> f(buf, buf + n), g = f;
  FixChecksums(g.data(), g.size());
  EXPECT_EQ(f, g);
}

TEST(FloodTest, SeededContent) {
  FloodConfig c;
  c.name = "s";
  c.kind = "syn";
  c.for_s = 0.1;
  FloodSource a(c, 1), b(c, 1), other(c, 2);
  auto ra = Drain(a);
  EXPECT_EQ(ra, Drain(b));
  EXPECT_NE(ra, Drain(other));
}

TEST(FloodTest, PcapReplayKeepsSpacingScaledAndRewrites) {
  std::string path = ::testing::TempDir() + "/replay.pcap";
  {
    PcapWriter w;
    std::string err;
    ASSERT_TRUE(w.Open(path, 65535, &err)) << err;
    uint8_t other_mac[6] = {2, 2, 2, 2, 2, 2};
    for (int i = 0; i < 3; ++i) {
      uint8_t buf[200];
      size_t n = BuildUdp(buf, 200, kServerMac, other_mac, kServerIp,
                          0x0a000063, 1000, 2000 + i);
      w.Write(1000000000LL + i * 10000000LL, buf, n);  // 10 ms apart
    }
  }
  std::vector<PcapFrame> frames;
  std::string err;
  ASSERT_TRUE(ReadPcap(path, &frames, &err)) << err;
  ASSERT_EQ(frames.size(), 3u);
  FloodConfig c;
  c.name = "p";
  c.kind = "pcap";
  c.speed = 2;
  c.loops = 2;
  c.at_s = 1;
  FloodSource s(c, 1, frames);
  auto out = Drain(s);
  ASSERT_EQ(out.size(), 6u);
  EXPECT_EQ(out[0].first, 1000000000);
  EXPECT_EQ(out[1].first, 1005000000);  // 10 ms captured, at speed 2
  EXPECT_EQ(out[3].first, 1015000000);  // the second loop after span + gap
  EXPECT_EQ(out[0].second, "udp 10.213.0.1:1000>10.213.0.2:2000/200");
  unlink(path.c_str());
}

TEST(PcapTest, MissingOrWrongFileIsAnError) {
  std::vector<PcapFrame> frames;
  std::string err;
  EXPECT_FALSE(ReadPcap("/nonexistent.pcap", &frames, &err));
  EXPECT_NE(err.find("nonexistent"), std::string::npos);
  std::string path = ::testing::TempDir() + "/notpcap";
  FILE* f = fopen(path.c_str(), "w");
  fputs("hello, not a capture\n", f);
  fclose(f);
  EXPECT_FALSE(ReadPcap(path, &frames, &err));
  unlink(path.c_str());
}

TEST(PcapTest, CaptureCutsAtSnaplen) {
  std::string path = ::testing::TempDir() + "/snap.pcap";
  {
    PcapWriter w;
    std::string err;
    ASSERT_TRUE(w.Open(path, 64, &err));
    auto f = NfsFrame(1000);
    w.Write(5, f.data(), f.size());
  }
  std::vector<PcapFrame> frames;
  std::string err;
  ASSERT_TRUE(ReadPcap(path, &frames, &err)) << err;
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].data.size(), 64u);
  EXPECT_EQ(frames[0].ts_ns, 5);
  unlink(path.c_str());
}

}  // namespace
}  // namespace swapbench
