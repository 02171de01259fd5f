#include "netem/gso.h"

#include <gtest/gtest.h>

#include "netem/testing.h"

namespace swapbench {
namespace {
using namespace testing;

constexpr uint8_t kAck = 0x10, kPsh = 0x08, kFin = 0x01, kCwr = 0x80;

// A TCP super-frame of `payload` bytes with a patterned payload.
std::vector<uint8_t> Super(int payload, uint8_t flags) {
  std::vector<uint8_t> f(54 + payload);
  for (size_t i = 54; i < f.size(); ++i) f[i] = static_cast<uint8_t>(i * 7);
  BuildTcp(f.data(), static_cast<int>(f.size()), kServerMac, kGuestMac,
           kServerIp, kGuestIp, 2049, 800, 1000, flags);
  return f;
}

std::vector<std::vector<uint8_t>> Cut(const VnetHdr& h,
                                      const std::vector<uint8_t>& f) {
  std::vector<std::vector<uint8_t>> out;
  GsoSegments s(h, f.data(), f.size());
  EXPECT_TRUE(s.ok());
  uint8_t buf[9100];
  while (size_t n = s.Next(buf, sizeof buf)) out.emplace_back(buf, buf + n);
  EXPECT_EQ(out.size(), s.count());
  return out;
}

// The checksums as an independent implementation (FixChecksums) computes
// them.
bool ChecksumsOk(std::vector<uint8_t> f) {
  auto orig = f;
  FixChecksums(f.data(), f.size());
  return f == orig;
}

uint16_t At16(const std::vector<uint8_t>& f, size_t i) {
  return static_cast<uint16_t>(f[i] << 8 | f[i + 1]);
}

TEST(GsoTest, TcpV4IsCutIntoMssFramesWithCorrectHeaders) {
  auto f = Super(4000, kAck | kPsh | kFin | kCwr);
  VnetHdr h;
  h.gso_type = kGsoTcpV4;
  h.gso_size = 1448;
  auto segs = Cut(h, f);
  ASSERT_EQ(segs.size(), 3u);
  size_t payload = 0;
  for (size_t i = 0; i < segs.size(); ++i) {
    const auto& s = segs[i];
    size_t n = s.size() - 54;
    EXPECT_EQ(n, i < 2 ? 1448u : 4000u - 2 * 1448);
    EXPECT_EQ(At16(s, 16), s.size() - 14) << "IPv4 total length";
    EXPECT_EQ(At16(s, 18), At16(f, 18) + i) << "IPv4 ID";
    EXPECT_EQ(Seq(s), 1000 + payload);
    uint8_t fl = s[47];
    EXPECT_EQ(!!(fl & kFin), i == 2);
    EXPECT_EQ(!!(fl & kPsh), i == 2);
    EXPECT_EQ(!!(fl & kCwr), i == 0);
    EXPECT_TRUE(fl & kAck);
    EXPECT_TRUE(ChecksumsOk(s)) << "segment " << i;
    EXPECT_TRUE(std::equal(s.begin() + 54, s.end(), f.begin() + 54 + payload));
    payload += n;
  }
  EXPECT_EQ(payload, 4000u);
}

TEST(GsoTest, ExactMultipleAndZeroPayload) {
  VnetHdr h;
  h.gso_type = kGsoTcpV4;
  h.gso_size = 1000;
  EXPECT_EQ(Cut(h, Super(3000, kAck)).size(), 3u);
  auto empty = Cut(h, Super(0, kAck));
  ASSERT_EQ(empty.size(), 1u);
  EXPECT_EQ(empty[0].size(), 54u);
}

TEST(GsoTest, UdpL4SegmentsEachGetLengthAndChecksum) {
  std::vector<uint8_t> f(42 + 2500);
  BuildUdp(f.data(), static_cast<int>(f.size()), kServerMac, kGuestMac,
           kServerIp, kGuestIp, 4000, 53);
  VnetHdr h;
  h.gso_type = kGsoUdpL4;
  h.gso_size = 1200;
  auto segs = Cut(h, f);
  ASSERT_EQ(segs.size(), 3u);
  for (const auto& s : segs) {
    EXPECT_EQ(At16(s, 38), s.size() - 34) << "UDP length";
    EXPECT_TRUE(ChecksumsOk(s));
  }
  EXPECT_EQ(segs[2].size(), 42u + 100);
}

TEST(GsoTest, TcpV6ChecksumCoversThePseudoHeader) {
  // Ethernet + IPv6 + TCP, by hand.
  std::vector<uint8_t> f(14 + 40 + 20 + 3000, 0);
  f[12] = 0x86, f[13] = 0xdd;
  f[14] = 0x60;
  f[14 + 4] = (20 + 3000) >> 8, f[14 + 5] = (20 + 3000) & 255;
  f[14 + 6] = 6, f[14 + 7] = 64;
  for (int i = 0; i < 32; ++i) f[14 + 8 + i] = static_cast<uint8_t>(i + 1);
  f[54 + 12] = 5 << 4, f[54 + 13] = kAck;
  for (size_t i = 74; i < f.size(); ++i) f[i] = static_cast<uint8_t>(i);
  VnetHdr h;
  h.gso_type = kGsoTcpV6;
  h.gso_size = 1440;
  auto segs = Cut(h, f);
  ASSERT_EQ(segs.size(), 3u);
  for (const auto& s : segs) {
    EXPECT_EQ(At16(s, 18), s.size() - 54) << "IPv6 payload length";
    // Sum of pseudo-header and segment verifies to 0.
    uint32_t pseudo = static_cast<uint32_t>(s.size() - 54) + 6;
    for (int i = 0; i < 32; i += 2) pseudo += At16(s, 22 + i);
    EXPECT_EQ(Checksum16(s.data() + 54, s.size() - 54, pseudo), 0);
  }
}

TEST(GsoTest, WhatItCannotCutIsNotOk) {
  auto f = Super(3000, kAck);
  VnetHdr h;
  h.gso_type = kGsoTcpV4;
  EXPECT_FALSE(GsoSegments(h, f.data(), f.size()).ok()) << "gso_size 0";
  h.gso_size = 1448;
  h.gso_type = kGsoUdp;  // UFO: IP fragments, not cut
  EXPECT_FALSE(GsoSegments(h, f.data(), f.size()).ok());
  h.gso_type = kGsoTcpV6;  // an IPv4 frame
  EXPECT_FALSE(GsoSegments(h, f.data(), f.size()).ok());
  h.gso_type = kGsoTcpV4;
  EXPECT_FALSE(GsoSegments(h, f.data(), 30).ok()) << "runt";
  uint8_t small[100];
  GsoSegments s(h, f.data(), f.size());
  EXPECT_EQ(s.Next(small, sizeof small), 0u) << "does not fit";
}

TEST(GsoTest, CompleteChecksumFinishesAPartialOne) {
  auto f = NfsFrame(600);
  auto want = f;
  // As the kernel leaves it: the pseudo-header's folded sum, not inverted.
  uint32_t pseudo = (kServerIp >> 16) + (kServerIp & 0xffff) +
                    (kGuestIp >> 16) + (kGuestIp & 0xffff) + 6 + (600 - 34);
  uint16_t partial = static_cast<uint16_t>(~Checksum16(nullptr, 0, pseudo));
  f[50] = partial >> 8, f[51] = partial & 255;
  VnetHdr h;
  h.flags = kVnetNeedsCsum;
  h.csum_start = 34;
  h.csum_offset = 16;
  EXPECT_TRUE(IsOffloaded(h));
  ASSERT_TRUE(CompleteChecksum(h, f.data(), f.size()));
  EXPECT_EQ(f, want);
  h.csum_start = 599;
  EXPECT_FALSE(CompleteChecksum(h, f.data(), f.size())) << "outside";
}

}  // namespace
}  // namespace swapbench
