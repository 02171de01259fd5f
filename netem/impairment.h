// Impairment: one step of a direction's chain (loss, delay, reorder,
// duplicate, corrupt, rate, partition). Pure: a frame and an Rng go in, the
// frame's fate comes out in the Packet; no clock reads, no sockets.
//
// netem/ADDING_AN_IMPAIRMENT.md walks through adding one.
#ifndef SWAPBENCH_NETEM_IMPAIRMENT_H_
#define SWAPBENCH_NETEM_IMPAIRMENT_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "netem/frame.h"
#include "netem/rng.h"

namespace swapbench {

// A frame on its way through one direction's chain. Impairments read and
// change it; the Link turns the result into a release time.
struct Packet {
  uint8_t* data = nullptr;
  size_t len = 0;
  FrameInfo info;
  int64_t now_ns = 0;    // when the frame reached the link
  int64_t delay_ns = 0;  // added so far (delay, rate)
  bool drop = false;
  int copies = 1;            // duplicate adds copies
  bool may_reorder = false;  // jitter may move it past other frames
  int hold_gap = 0;          // reorder: let this many later frames pass first
  int64_t max_hold_ns = 0;   // ... but never hold it longer than this
};

// What an impairment did to one frame (a bit set, for counters and trace).
enum Action : unsigned {
  kActDrop = 1,
  kActDelay = 2,
  kActDuplicate = 4,
  kActCorrupt = 8,
  kActReorder = 16,
  kActQueueDrop = 32,  // rate: the queue was full (tail drop)
};

// Which frames an impairment applies to. Empty = all.
struct Filter {
  std::string protocol = "any";  // any | ip | tcp | udp | icmp | arp
  int port = 0;                  // TCP/UDP source or destination port; 0 any
  bool invert = false;           // apply to frames that do NOT match
  bool Matches(const FrameInfo& i) const;
  bool empty() const { return protocol == "any" && port == 0 && !invert; }
  std::string Describe() const;
};

// Everything a scenario can say about one impairment. Which fields count
// depends on kind; the scenario parser validates ranges.
struct ImpairmentConfig {
  std::string name;  // unique within the link; phases use it
  std::string kind;  // loss|delay|reorder|duplicate|corrupt|rate|partition
  std::string direction = "both";  // both | to_guest | to_server
  bool enabled = true;             // false: only while a phase enables it
  Filter filter;
  // loss: model bernoulli (p), gemodel (p, r, bad_loss = 1-h, good_loss =
  // 1-k, as netem's "loss gemodel"), nth (every: drop frames every, 2*every
  // ...)
  std::string model = "bernoulli";
  double p = 0, r = 1, bad_loss = 1, good_loss = 0;
  int every = 0;
  // delay: constant + jitter drawn from distribution, correlated with the
  // previous draw; reorder = true lets jitter reorder frames (netem does).
  double delay_ms = 0, jitter_ms = 0, correlation = 0;
  std::string distribution =
      "uniform";  // uniform | normal | pareto | paretonormal
  bool reorder = false;
  // reorder: with probability p a frame is held until `gap` later frames of
  // its direction have left (at most max_hold_ms).
  int gap = 1;
  double max_hold_ms = 100;
  // corrupt: flip `bits` random bits (in the L4 payload when there is one);
  // fix_checksums = true recomputes IP/TCP/UDP checksums so the corruption
  // is silent (past the NIC), false leaves them wrong (the guest drops it).
  int bits = 1;
  bool fix_checksums = false;
  // rate: token bucket, rate_kbit, burst_bytes, queue limit_bytes (tail drop).
  double rate_kbit = 0;
  int burst_bytes = 3028;
  int limit_bytes = 65536;
  int line = 0;  // where the scenario declared it
};

struct ImpairmentCounters {
  uint64_t matched = 0;        // frames the impairment saw while enabled
  uint64_t dropped = 0;        // loss, partition
  uint64_t queue_dropped = 0;  // rate: tail drops
  uint64_t delayed = 0;
  uint64_t duplicated = 0;
  uint64_t corrupted = 0;
  uint64_t reordered = 0;
  int64_t delay_ns = 0;  // total delay added
};

class Impairment {
 public:
  virtual ~Impairment() = default;
  // Applies itself to p; returns the Actions it took (0: none).
  virtual unsigned Apply(Packet& p, Rng& rng) = 0;
};

// Builds one impairment from its config (kinds as above).
std::unique_ptr<Impairment> MakeImpairment(const ImpairmentConfig& c);

// The impairments, one per file (loss.cc, delay.cc, ...).
std::unique_ptr<Impairment> MakeLoss(const ImpairmentConfig& c);
std::unique_ptr<Impairment> MakeDelay(const ImpairmentConfig& c);
std::unique_ptr<Impairment> MakeReorder(const ImpairmentConfig& c);
std::unique_ptr<Impairment> MakeDuplicate(const ImpairmentConfig& c);
std::unique_ptr<Impairment> MakeCorrupt(const ImpairmentConfig& c);
std::unique_ptr<Impairment> MakeRate(const ImpairmentConfig& c);
std::unique_ptr<Impairment> MakePartition(const ImpairmentConfig& c);

constexpr int64_t kNsPerMs = 1000000;

}  // namespace swapbench

#endif  // SWAPBENCH_NETEM_IMPAIRMENT_H_
