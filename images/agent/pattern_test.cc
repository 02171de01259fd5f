#include "images/agent/pattern.h"

#include <gtest/gtest.h>

#include <vector>

namespace swapbench {
namespace {

TEST(PatternTest, FilledPageChecks) {
  std::vector<uint64_t> p(kWordsPerPage);
  FillPage(p.data(), 99, 7);
  EXPECT_TRUE(CheckPage(p.data(), 99, 7));
}

TEST(PatternTest, AnyFlippedBitIsCaught) {
  std::vector<uint64_t> p(kWordsPerPage);
  for (size_t w : {size_t(0), size_t(1), size_t(300), kWordsPerPage - 1}) {
    FillPage(p.data(), 1, 3);
    p[w] ^= 1ULL << 17;
    EXPECT_FALSE(CheckPage(p.data(), 1, 3)) << "word " << w;
  }
}

TEST(PatternTest, AnotherPagesDataIsCaught) {
  std::vector<uint64_t> p(kWordsPerPage);
  FillPage(p.data(), 1, 4);
  EXPECT_FALSE(CheckPage(p.data(), 1, 5));
  EXPECT_FALSE(CheckPage(p.data(), 2, 4));
}

TEST(PatternTest, ZeroPageIsCaught) {
  // A swap-in that returns a zero-filled page must count as corrupted.
  std::vector<uint64_t> p(kWordsPerPage, 0);
  EXPECT_FALSE(CheckPage(p.data(), 1, 0));
}

}  // namespace
}  // namespace swapbench
