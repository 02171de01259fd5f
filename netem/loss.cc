// loss: Bernoulli, Gilbert-Elliott (netem's "loss gemodel p r 1-h 1-k") and
// a deterministic every-Nth pattern.
#include "netem/impairment.h"

namespace swapbench {

namespace {

class BernoulliLoss : public Impairment {
 public:
  explicit BernoulliLoss(double p) : p_(p) {}
  unsigned Apply(Packet& pk, Rng& rng) override {
    if (!rng.Bernoulli(p_)) return 0;
    pk.drop = true;
    return kActDrop;
  }

 private:
  double p_;
};

// Two states. In the good state a frame is lost with good_loss (1-k), in
// the bad state with bad_loss (1-h); after each frame the state moves
// good->bad with p and bad->good with r (netem's order: the loss draw uses
// the state the frame arrived in).
class GilbertElliottLoss : public Impairment {
 public:
  GilbertElliottLoss(double p, double r, double bad, double good)
      : p_(p), r_(r), bad_(bad), good_(good) {}
  unsigned Apply(Packet& pk, Rng& rng) override {
    bool lost = rng.Bernoulli(bad_state_ ? bad_ : good_);
    bad_state_ = bad_state_ ? !rng.Bernoulli(r_) : rng.Bernoulli(p_);
    if (!lost) return 0;
    pk.drop = true;
    return kActDrop;
  }

 private:
  double p_, r_, bad_, good_;
  bool bad_state_ = false;
};

// Drops the every-th, 2*every-th ... frame the impairment sees. No Rng.
class NthLoss : public Impairment {
 public:
  explicit NthLoss(int every) : every_(every) {}
  unsigned Apply(Packet& pk, Rng&) override {
    if (++seen_ % every_ != 0) return 0;
    pk.drop = true;
    return kActDrop;
  }

 private:
  uint64_t every_;
  uint64_t seen_ = 0;
};

}  // namespace

std::unique_ptr<Impairment> MakeLoss(const ImpairmentConfig& c) {
  if (c.model == "gemodel")
    return std::make_unique<GilbertElliottLoss>(c.p, c.r, c.bad_loss,
                                                c.good_loss);
  if (c.model == "nth") return std::make_unique<NthLoss>(c.every);
  return std::make_unique<BernoulliLoss>(c.p);
}

}  // namespace swapbench
