#include "netem/phase.h"

namespace swapbench {

bool PhaseInEffect(const PhaseConfig& c, int64_t since_epoch_ns) {
  int64_t at = static_cast<int64_t>(c.at_s * 1e9);
  int64_t len = static_cast<int64_t>(c.for_s * 1e9);
  int64_t t = since_epoch_ns - at;
  if (t < 0 || t >= len) return false;
  if (c.period_s <= 0) return true;
  int64_t period = static_cast<int64_t>(c.period_s * 1e9);
  return (t % period) < static_cast<int64_t>(c.duty * period);
}

}  // namespace swapbench
