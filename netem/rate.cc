// rate: a token bucket of rate_kbit with burst_bytes of credit, in front of
// a FIFO of limit_bytes. A frame leaves when the bucket has its bytes; a
// frame that would push the backlog past the limit is tail-dropped (counted
// as a queue drop, not as loss). Virtual time: the bucket is the time at
// which the line is next free, so nothing ticks.
#include <algorithm>

#include "netem/impairment.h"

namespace swapbench {

namespace {

class Rate : public Impairment {
 public:
  explicit Rate(const ImpairmentConfig& c)
      : ns_per_byte_(8e9 / (c.rate_kbit * 1000.0)),
        burst_ns_(c.burst_bytes * ns_per_byte_),
        limit_bytes_(c.limit_bytes) {}

  unsigned Apply(Packet& pk, Rng&) override {
    double arrival = static_cast<double>(pk.now_ns + pk.delay_ns);
    // Credit for an idle line is capped at burst_bytes.
    double start = std::max(free_at_, arrival - burst_ns_);
    double backlog_bytes = std::max(0.0, start - arrival) / ns_per_byte_;
    if (backlog_bytes + static_cast<double>(pk.len) > limit_bytes_) {
      pk.drop = true;
      return kActQueueDrop;
    }
    free_at_ = start + pk.len * ns_per_byte_;
    if (free_at_ <= arrival) return 0;
    pk.delay_ns += static_cast<int64_t>(free_at_ - arrival);
    return kActDelay;
  }

 private:
  double ns_per_byte_;
  double burst_ns_;
  double limit_bytes_;
  double free_at_ = -1e18;
};

}  // namespace

std::unique_ptr<Impairment> MakeRate(const ImpairmentConfig& c) {
  return std::make_unique<Rate>(c);
}

}  // namespace swapbench
