#include "bench/fault_schedule.h"

#include <algorithm>

namespace swapbench {

FaultSchedule::FaultSchedule(const std::vector<Scenario::Fault>& faults) {
  for (const auto& f : faults) faults_.push_back({&f});
}

void FaultSchedule::HogStarted(double now) {
  if (hog_start_ < 0) hog_start_ = now;
}

std::vector<FaultAction> FaultSchedule::Tick(double now,
                                             int64_t written_pages) {
  std::vector<FaultAction> out;
  if (hog_start_ < 0) return out;
  for (State& s : faults_) {
    const Scenario::Fault& f = *s.fault;
    if (!s.started) {
      bool fire = f.at_s >= 0 ? now - hog_start_ >= f.at_s
                              : written_pages * 4096 >=
                                    (int64_t{f.after_hog_mib} << 20);
      if (!fire) continue;
      s.started = true;
      s.end_at = now + f.duration_s;
      s.ended = f.duration_s <= 0;
      out.push_back({&f, true});
    } else if (!s.ended && now >= s.end_at) {
      s.ended = true;
      out.push_back({&f, false});
    }
  }
  return out;
}

std::vector<FaultAction> FaultSchedule::CutShort() {
  std::vector<FaultAction> out;
  for (State& s : faults_) {
    if (!s.started || s.ended) continue;
    s.ended = true;
    out.push_back({s.fault, false, true});
  }
  return out;
}

double FaultSchedule::HeldUntil(double now) const {
  double until = -1;
  for (const State& s : faults_)
    if (s.started) until = std::max(until, s.ended ? s.end_at : now);
  return until;
}

}  // namespace swapbench
