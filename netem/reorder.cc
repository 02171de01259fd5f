// reorder: with probability p a frame is held back until `gap` later frames
// of its direction have left the link, then sent: those frames overtake it.
// A held frame never waits longer than max_hold_ms (an idle link would
// otherwise keep it forever). The Link does the holding.
#include "netem/impairment.h"

namespace swapbench {

namespace {

class Reorder : public Impairment {
 public:
  explicit Reorder(const ImpairmentConfig& c)
      : p_(c.p),
        gap_(c.gap),
        max_hold_ns_(static_cast<int64_t>(c.max_hold_ms * kNsPerMs)) {}
  unsigned Apply(Packet& pk, Rng& rng) override {
    if (!rng.Bernoulli(p_)) return 0;
    pk.hold_gap = gap_;
    pk.max_hold_ns = max_hold_ns_;
    return kActReorder;
  }

 private:
  double p_;
  int gap_;
  int64_t max_hold_ns_;
};

}  // namespace

std::unique_ptr<Impairment> MakeReorder(const ImpairmentConfig& c) {
  return std::make_unique<Reorder>(c);
}

}  // namespace swapbench
