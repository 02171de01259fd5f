// Link: the pure part of the link emulator. A frame and its direction go
// in, a decision comes out; no sockets, no clock reads, no threads. The
// relay (relay.h) owns the sockets and calls Decide() for every frame.
//
// Each direction has its own impairment chain and its own Rng stream
// derived from the scenario seed, so the same seed and the same frame
// sequence give the same decisions. Not thread-safe: the relay's single
// thread owns it.
#ifndef SWAPBENCH_NETEM_LINK_H_
#define SWAPBENCH_NETEM_LINK_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "netem/rng.h"

namespace swapbench {

enum class Direction { kToGuest = 0, kToServer = 1 };
const char* DirectionName(Direction d);

// One impairment in a direction's chain. Returns true to drop the frame.
class Impairment {
 public:
  virtual ~Impairment() = default;
  virtual const char* name() const = 0;
  virtual bool Drop(const uint8_t* frame, size_t len, Rng& rng) = 0;
};

// Drops each frame independently with probability p.
class BernoulliLoss : public Impairment {
 public:
  explicit BernoulliLoss(double p) : p_(p) {}
  const char* name() const override { return "loss"; }
  bool Drop(const uint8_t*, size_t, Rng& rng) override {
    return rng.Bernoulli(p_);
  }

 private:
  double p_;
};

struct DirectionConfig {
  double loss = 0;  // Bernoulli loss probability in [0, 1].
};

struct LinkConfig {
  uint64_t seed = 0;
  DirectionConfig to_guest;
  DirectionConfig to_server;
};

struct DirectionCounters {
  uint64_t frames = 0;   // frames offered to the link
  uint64_t dropped = 0;  // frames an impairment dropped
  uint64_t bytes = 0;    // bytes delivered
};

class Link {
 public:
  explicit Link(const LinkConfig& config);

  // Returns true when the frame is delivered; updates counters.
  bool Decide(Direction dir, const uint8_t* frame, size_t len);

  const DirectionCounters& counters(Direction dir) const {
    return dirs_[static_cast<int>(dir)].counters;
  }

 private:
  struct Chain {
    explicit Chain(Rng r) : rng(r) {}
    Rng rng;
    std::vector<std::unique_ptr<Impairment>> impairments;
    DirectionCounters counters;
  };
  Chain dirs_[2];
};

}  // namespace swapbench

#endif  // SWAPBENCH_NETEM_LINK_H_
