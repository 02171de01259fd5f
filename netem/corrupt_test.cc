#include <gtest/gtest.h>

#include "netem/testing.h"

namespace swapbench {
namespace {
using namespace testing;

// True when the frame's TCP checksum verifies.
bool TcpChecksumOk(std::vector<uint8_t> f) {
  auto orig = f;
  FixChecksums(f.data(), f.size());
  return f == orig;
}

TEST(CorruptTest, FlipsPayloadBitsAndLeavesChecksumsWrong) {
  LinkConfig lc;
  auto c = Imp("corrupt");
  c.p = 1;
  c.bits = 3;
  lc.impairments = {c};
  Link link(lc);
  auto orig = NfsFrame(600);
  auto f = orig;
  EXPECT_TRUE(link.Offer(Direction::kToGuest, f.data(), f.size(), 0).actions &
              kActCorrupt);
  int flipped = 0;
  for (size_t i = 0; i < f.size(); ++i) {
    flipped += __builtin_popcount(f[i] ^ orig[i]);
    if (f[i] != orig[i]) {
      EXPECT_GE(i, 54u) << "header byte changed";
    }
  }
  EXPECT_GE(flipped, 1);
  EXPECT_LE(flipped, 3);
  EXPECT_FALSE(TcpChecksumOk(f));
}

TEST(CorruptTest, FixChecksumsMakesItSilent) {
  LinkConfig lc;
  auto c = Imp("corrupt");
  c.p = 1;
  c.fix_checksums = true;
  lc.impairments = {c};
  Link link(lc);
  auto orig = NfsFrame(600);
  auto f = orig;
  link.Offer(Direction::kToGuest, f.data(), f.size(), 0);
  EXPECT_NE(f, orig);
  EXPECT_TRUE(TcpChecksumOk(f));
}

}  // namespace
}  // namespace swapbench
