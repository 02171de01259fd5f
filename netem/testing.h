// Test helpers for netem's unit tests: frames and a Link driven on a fake
// clock.
#ifndef SWAPBENCH_NETEM_TESTING_H_
#define SWAPBENCH_NETEM_TESTING_H_

#include <string>
#include <vector>

#include "netem/flood.h"
#include "netem/link.h"

namespace swapbench::testing {

inline const uint8_t kGuestMac[6] = {0x52, 0x54, 0, 0x12, 0x34, 0x56};
inline const uint8_t kServerMac[6] = {0x02, 0, 0, 0, 0, 1};
constexpr uint32_t kServerIp = 0x0ad50001, kGuestIp = 0x0ad50002;

// A TCP segment server:2049 -> guest:800 of `size` bytes.
inline std::vector<uint8_t> NfsFrame(int size = 200, uint32_t seq = 1) {
  std::vector<uint8_t> f(std::max(size, 60));
  f.resize(BuildTcp(f.data(), size, kServerMac, kGuestMac, kServerIp, kGuestIp,
                    2049, 800, seq, 0x18));
  return f;
}
inline std::vector<uint8_t> UdpFrame(int size = 100, uint16_t dport = 53) {
  std::vector<uint8_t> f(std::max(size, 60));
  f.resize(BuildUdp(f.data(), size, kServerMac, kGuestMac, kServerIp, kGuestIp,
                    4000, dport));
  return f;
}

inline ImpairmentConfig Imp(const std::string& kind,
                            const std::string& name = "") {
  ImpairmentConfig c;
  c.kind = kind;
  c.name = name.empty() ? kind : name;
  return c;
}

// A frame sent once the link releases it.
struct Out {
  int64_t t_ns;
  std::vector<uint8_t> data;
};

// Offers `frames` to `dir` one every `gap_ns` starting at 0, draining due
// frames before each offer and at the end (the clock runs on until the
// queue is empty). Returns what left the link, in order.
inline std::vector<Out> Drive(Link& link, Direction dir,
                              const std::vector<std::vector<uint8_t>>& frames,
                              int64_t gap_ns) {
  std::vector<Out> out;
  auto drain = [&](int64_t now) {
    const uint8_t* d;
    size_t n;
    while (link.PopDue(dir, now, &d, &n)) out.push_back({now, {d, d + n}});
  };
  int64_t now = 0;
  for (const auto& f0 : frames) {
    for (int64_t t = link.NextDue(); t <= now; t = link.NextDue()) drain(t);
    drain(now);
    std::vector<uint8_t> f = f0;
    const Decision& dec = link.Offer(dir, f.data(), f.size(), now);
    if (dec.now) out.push_back({now, f});
    now += gap_ns;
  }
  for (int64_t t = link.NextDue(); t != std::numeric_limits<int64_t>::max();
       t = link.NextDue())
    drain(std::max(t, now));
  return out;
}

// The TCP sequence number of a frame built by NfsFrame.
inline uint32_t Seq(const std::vector<uint8_t>& f) {
  return uint32_t{f[38]} << 24 | uint32_t{f[39]} << 16 | uint32_t{f[40]} << 8 |
         f[41];
}

}  // namespace swapbench::testing

#endif  // SWAPBENCH_NETEM_TESTING_H_
