// The hog's page pattern, shared by the guest agent and its host-side test.
//
// Every 8-byte word of page i is a function of (seed, i, word), so a page
// that comes back from swap with any word changed, or a page that comes
// back holding another page's data, is caught.
#ifndef SWAPBENCH_IMAGES_AGENT_PATTERN_H_
#define SWAPBENCH_IMAGES_AGENT_PATTERN_H_

#include <cstddef>
#include <cstdint>

#include "netem/rng.h"

namespace swapbench {

constexpr size_t kPageSize = 4096;
constexpr size_t kWordsPerPage = kPageSize / sizeof(uint64_t);

inline void FillPage(uint64_t* page, uint64_t seed, uint64_t index) {
  uint64_t base = SplitMix64(seed ^ (index * 0x9e3779b97f4a7c15ULL));
  page[0] = index;
  for (size_t w = 1; w < kWordsPerPage; ++w)
    page[w] = base + w * 0xd6e8feb86659fd93ULL;
}

inline bool CheckPage(const uint64_t* page, uint64_t seed, uint64_t index) {
  if (page[0] != index) return false;
  uint64_t base = SplitMix64(seed ^ (index * 0x9e3779b97f4a7c15ULL));
  for (size_t w = 1; w < kWordsPerPage; ++w)
    if (page[w] != base + w * 0xd6e8feb86659fd93ULL) return false;
  return true;
}

}  // namespace swapbench

#endif  // SWAPBENCH_IMAGES_AGENT_PATTERN_H_
