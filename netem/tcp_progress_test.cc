#include "netem/tcp_progress.h"

#include <gtest/gtest.h>

#include <vector>

namespace swapbench {
namespace {

// Ethernet + IPv4 + TCP with `payload` bytes of data at sequence `seq`.
std::vector<uint8_t> Segment(uint16_t sport, uint16_t dport, uint32_t seq,
                             uint16_t payload, uint16_t ethertype = 0x0800) {
  std::vector<uint8_t> f(14 + 20 + 20 + payload, 0);
  f[12] = ethertype >> 8;
  f[13] = ethertype & 0xff;
  uint8_t* ip = f.data() + 14;
  ip[0] = 0x45;
  uint16_t total = 40 + payload;
  ip[2] = total >> 8;
  ip[3] = total & 0xff;
  ip[9] = 6;
  ip[12] = 10, ip[13] = 213, ip[14] = 0, ip[15] = 2;
  ip[16] = 10, ip[17] = 213, ip[18] = 0, ip[19] = 1;
  uint8_t* tcp = ip + 20;
  tcp[0] = sport >> 8, tcp[1] = sport & 0xff;
  tcp[2] = dport >> 8, tcp[3] = dport & 0xff;
  tcp[4] = seq >> 24, tcp[5] = seq >> 16, tcp[6] = seq >> 8, tcp[7] = seq;
  tcp[12] = 5 << 4;
  return f;
}

uint64_t Observe(TcpProgress& p, const std::vector<uint8_t>& f) {
  return p.Observe(f.data(), f.size());
}

TEST(TcpProgressTest, NewDataCountsRetransmissionsDoNot) {
  TcpProgress p;
  EXPECT_EQ(Observe(p, Segment(700, 2049, 1000, 100)), 100u);
  EXPECT_EQ(Observe(p, Segment(700, 2049, 1100, 100)), 100u);
  EXPECT_EQ(Observe(p, Segment(700, 2049, 1000, 100)), 0u);   // retransmit
  EXPECT_EQ(Observe(p, Segment(700, 2049, 1150, 100)), 50u);  // overlap
  EXPECT_EQ(Observe(p, Segment(700, 2049, 1000, 0)), 0u);     // pure ACK
  EXPECT_EQ(p.new_bytes(), 250u);
}

TEST(TcpProgressTest, FlowsAreSeparateAndSequenceWraps) {
  TcpProgress p;
  EXPECT_EQ(Observe(p, Segment(700, 2049, 0xffffff00u, 0x80)), 0x80u);
  EXPECT_EQ(Observe(p, Segment(701, 2049, 5, 10)), 10u);
  EXPECT_EQ(Observe(p, Segment(700, 2049, 0xffffff80u, 0x100)), 0x100u);
  EXPECT_EQ(Observe(p, Segment(700, 2049, 0x00000000u, 0x80)), 0u);
}

TEST(TcpProgressTest, IgnoresWhatIsNotTcpData) {
  TcpProgress p;
  auto arp = Segment(1, 2, 3, 10, 0x0806);
  EXPECT_EQ(Observe(p, arp), 0u);
  auto udp = Segment(1, 2, 3, 10);
  udp[14 + 9] = 17;
  EXPECT_EQ(Observe(p, udp), 0u);
  auto shortf = Segment(1, 2, 3, 10);
  EXPECT_EQ(p.Observe(shortf.data(), 30), 0u);  // truncated
  EXPECT_EQ(p.new_bytes(), 0u);
}

TEST(TcpProgressTest, OldestFlowIsReplacedWhenFull) {
  TcpProgress p;
  for (uint16_t port = 1; port <= 40; ++port)
    EXPECT_EQ(Observe(p, Segment(port, 2049, 0, 10)), 10u);
  // Port 40 is still tracked: its retransmission is not new.
  EXPECT_EQ(Observe(p, Segment(40, 2049, 0, 10)), 0u);
}

}  // namespace
}  // namespace swapbench
