// FaultSchedule: when the scenario's server faults begin and end. Pure:
// the monitor feeds it the host clock and the hog's progress every tick
// and carries out what it returns; tested without a guest.
//
// A fault fires `at_s` seconds after the hog started, or once the hog has
// written `after_hog_mib`; a stall or a slow link ends `duration_s` later;
// a restart is one action. A fault still in force when the run ends is
// ended then, and says it was cut short.
//
// Threading: one run's thread.
#ifndef SWAPBENCH_BENCH_FAULT_SCHEDULE_H_
#define SWAPBENCH_BENCH_FAULT_SCHEDULE_H_

#include <cstdint>
#include <vector>

#include "bench/scenario.h"

namespace swapbench {

struct FaultAction {
  const Scenario::Fault* fault = nullptr;
  bool begin = true;
  bool cut_short = false;  // ended because the run ended
};

class FaultSchedule {
 public:
  explicit FaultSchedule(const std::vector<Scenario::Fault>& faults);

  // The hog started at `now`: faults count from here.
  void HogStarted(double now);
  // What to do at `now`, the hog having written `written_pages` 4 KiB pages.
  std::vector<FaultAction> Tick(double now, int64_t written_pages);
  // Ends every fault still in force (the run is over).
  std::vector<FaultAction> CutShort();
  // Until when the bench holds the server: `now` while a fault is in
  // force, else the end of the last one; -1 before any began.
  double HeldUntil(double now) const;

 private:
  struct State {
    const Scenario::Fault* fault;
    bool started = false, ended = false;
    double end_at = 0;
  };
  std::vector<State> faults_;
  double hog_start_ = -1;
};

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_FAULT_SCHEDULE_H_
