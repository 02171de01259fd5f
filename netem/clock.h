// Clock: CLOCK_MONOTONIC, the one time base of a run. The relay stamps
// frames with it, the runner's Env (bench/env.h) reads it, and the relay's
// last_tcp_data() and SetEpoch() are on it, so they compare directly.
// Thread-safe.
#ifndef SWAPBENCH_NETEM_CLOCK_H_
#define SWAPBENCH_NETEM_CLOCK_H_

#include <time.h>

#include <cstdint>

namespace swapbench {

inline int64_t MonotonicNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

inline double MonotonicSeconds() { return MonotonicNs() / 1e9; }

// CLOCK_REALTIME, for stamps a person reads (pcap times, report dates).
inline int64_t WallNs() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

}  // namespace swapbench

#endif  // SWAPBENCH_NETEM_CLOCK_H_
