// duplicate: with probability p the frame is delivered twice (the copy
// right after the original, with the same delay).
#include "netem/impairment.h"

namespace swapbench {

namespace {

class Duplicate : public Impairment {
 public:
  explicit Duplicate(double p) : p_(p) {}
  unsigned Apply(Packet& pk, Rng& rng) override {
    if (!rng.Bernoulli(p_)) return 0;
    ++pk.copies;
    return kActDuplicate;
  }

 private:
  double p_;
};

}  // namespace

std::unique_ptr<Impairment> MakeDuplicate(const ImpairmentConfig& c) {
  return std::make_unique<Duplicate>(c.p);
}

}  // namespace swapbench
