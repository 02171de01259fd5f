#include "netem/frame.h"

#include <gtest/gtest.h>

#include "netem/testing.h"

namespace swapbench {
namespace {
using namespace testing;

TEST(FrameTest, ParsesTcpUdpAndFlowNames) {
  auto t = NfsFrame(200);
  FrameInfo i = ParseFrame(t.data(), t.size());
  EXPECT_EQ(i.proto, Proto::kTcp);
  EXPECT_EQ(i.sport, 2049);
  EXPECT_EQ(i.dport, 800);
  EXPECT_EQ(i.payload_offset, 54u);
  EXPECT_EQ(FlowName(i), "tcp 10.213.0.1:2049>10.213.0.2:800");
  auto u = UdpFrame(100, 9);
  EXPECT_EQ(FlowName(ParseFrame(u.data(), u.size())),
            "udp 10.213.0.1:4000>10.213.0.2:9");
}

TEST(FrameTest, RuntsAndNonIpParseToOther) {
  uint8_t runt[10] = {};
  EXPECT_EQ(ParseFrame(runt, sizeof(runt)).proto, Proto::kOther);
  EXPECT_EQ(FlowName(ParseFrame(runt, sizeof(runt))), "eth 0x0000");
  uint8_t arp[60] = {};
  BuildArpRequest(arp, 60, kServerMac, kServerIp, kGuestIp);
  EXPECT_EQ(ParseFrame(arp, 60).proto, Proto::kArp);
  EXPECT_EQ(FlowName(ParseFrame(arp, 60)), "arp");
}

TEST(FrameTest, BuiltFramesHaveValidChecksums) {
  // A frame whose checksums are right sums to zero over header/pseudo-header.
  auto t = NfsFrame(300);
  EXPECT_EQ(Checksum16(t.data() + 14, 20), 0);
  auto copy = t;
  FixChecksums(copy.data(), copy.size());
  EXPECT_EQ(copy, t);  // already right: unchanged
  copy[100] ^= 1;
  FixChecksums(copy.data(), copy.size());
  EXPECT_NE(copy[50] << 8 | copy[51],
            t[50] << 8 | t[51]);  // TCP checksum moved
}

}  // namespace
}  // namespace swapbench
