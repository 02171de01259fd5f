// Seeded, splittable PRNG: the only source of randomness in swapbench.
//
// Every random stream (loss towards the guest, loss towards the server,
// the guest's hog pattern ...) is derived from the scenario seed and a
// stream name, so adding a stream never shifts the values another stream
// sees. xoshiro256** seeded through splitmix64. Not thread-safe: one Rng
// per stream, owned by the thread that draws from it.
#ifndef SWAPBENCH_NETEM_RNG_H_
#define SWAPBENCH_NETEM_RNG_H_

#include <cstdint>
#include <string_view>

namespace swapbench {

class Rng {
 public:
  explicit Rng(uint64_t seed);
  // A stream independent of other names under the same seed.
  static Rng ForStream(uint64_t seed, std::string_view stream);

  uint64_t Next();
  // Uniform in [0, 1), 53 random bits.
  double NextDouble() { return (Next() >> 11) * 0x1.0p-53; }
  // True with probability p (p <= 0 never, p >= 1 always).
  bool Bernoulli(double p) { return p > 0 && (p >= 1 || NextDouble() < p); }

 private:
  uint64_t s_[4];
};

// splitmix64 step: also used to derive per-page patterns in the guest hog.
inline uint64_t SplitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace swapbench

#endif  // SWAPBENCH_NETEM_RNG_H_
