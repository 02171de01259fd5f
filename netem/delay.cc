// delay: constant + jitter. The jitter is drawn from a distribution scaled
// by jitter_ms (uniform in [-jitter, +jitter]; normal, pareto and
// paretonormal with standard deviation ~jitter), correlated with the
// previous draw as netem does (u = (1-c)*fresh + c*last). Delays never go
// below zero. Unless reorder = true the Link keeps frames in order (a frame
// never leaves before the one ahead of it), so jitter alone does not
// reorder.
#include <cmath>

#include "netem/impairment.h"

namespace swapbench {

// Standard-scaled jitter draws, shared with link-preview's tests.
double JitterSample(const std::string& dist, double u1, double u2) {
  constexpr double kPi = 3.14159265358979323846;
  // Box-Muller; u1 in (0, 1].
  auto normal = [&] {
    return std::sqrt(-2.0 * std::log(1.0 - u1)) * std::cos(2 * kPi * u2);
  };
  // Pareto, shape 3 (netem's table), standardized: mean 1.5, sd sqrt(0.75).
  auto pareto = [&] {
    return (std::pow(1.0 - u2, -1.0 / 3.0) - 1.5) / std::sqrt(0.75);
  };
  if (dist == "normal") return normal();
  if (dist == "pareto") return pareto();
  // iproute2's paretonormal: three quarters normal, one quarter pareto.
  if (dist == "paretonormal") return 0.75 * normal() + 0.25 * pareto();
  return 2.0 * u1 - 1.0;  // uniform
}

namespace {

class Delay : public Impairment {
 public:
  explicit Delay(const ImpairmentConfig& c)
      : base_ns_(static_cast<int64_t>(c.delay_ms * kNsPerMs)),
        jitter_ns_(c.jitter_ms * kNsPerMs),
        corr_(c.correlation),
        dist_(c.distribution),
        reorder_(c.reorder) {}

  unsigned Apply(Packet& pk, Rng& rng) override {
    int64_t d = base_ns_;
    if (jitter_ns_ > 0) {
      double u1 = Correlate(rng.NextDouble(), last1_);
      double u2 = Correlate(rng.NextDouble(), last2_);
      d += static_cast<int64_t>(JitterSample(dist_, u1, u2) * jitter_ns_);
    }
    if (d < 0) d = 0;
    pk.delay_ns += d;
    pk.may_reorder |= reorder_;
    return d > 0 ? static_cast<unsigned>(kActDelay) : 0u;
  }

 private:
  double Correlate(double fresh, double& last) {
    last = corr_ > 0 ? (1 - corr_) * fresh + corr_ * last : fresh;
    return last;
  }
  int64_t base_ns_;
  double jitter_ns_;
  double corr_;
  std::string dist_;
  bool reorder_;
  double last1_ = 0.5, last2_ = 0.5;
};

}  // namespace

std::unique_ptr<Impairment> MakeDelay(const ImpairmentConfig& c) {
  return std::make_unique<Delay>(c);
}

}  // namespace swapbench
