// Watchdog: decides, from what the host can see, that a running guest has
// stopped making progress, and says on what evidence.
//
// The kernel's own hung-task detector cannot be relied on: in the stall
// measured here (bench/testdata/server-stall-60s-hung-task-10s.log) tasks
// sat in D state for a minute with a 10 s hung-task timeout and it
// never fired. So the runner feeds the watchdog three clocks and asks it
// every tick:
//   - telemetry: the agent's samples (hog pages, pswpin/pswpout, swap);
//   - the link: when new TCP data (not a retransmission) last crossed it;
//   - the console: when it last grew.
// Verdicts, N = limits.stall_s, S = limits.agent_silence_s:
//   swap_stall    the hog runs and, for N seconds, neither its pages nor
//                 pswpin/pswpout moved while swap had room (guest evidence),
//                 or no telemetry and no new TCP data arrived (host evidence:
//                 the guest may be unable to run even the locked agent);
//   agent_silent  no telemetry for S seconds (or none within boot_timeout_s
//                 of the start) while the link still carried data or no hog
//                 ran;
// While the bench holds a server fault, nothing is expected to move: Hold()
// restarts every clock when the fault ends. Pure (time is a parameter);
// tested on a fake clock.
#ifndef SWAPBENCH_BENCH_WATCHDOG_H_
#define SWAPBENCH_BENCH_WATCHDOG_H_

#include <optional>
#include <vector>

#include "bench/finding.h"
#include "bench/telemetry.h"

namespace swapbench {

// The sample as findings attach it.
nlohmann::json SampleJson(const Sample& s);

class Watchdog {
 public:
  struct Limits {
    double boot_timeout_s = 120;
    double agent_silence_s = 30;
    double stall_s = 30;
  };
  Watchdog(const Limits& limits, double start);

  // A telemetry line arrived at `now`; `sample` is the latest sample (null
  // before the first); `hog_running`: hog_start seen, hog_exit not.
  void OnTelemetry(double now, const Sample* sample, bool hog_running);
  // The console grew at `now`.
  void OnConsole(double now);
  // New TCP data crossed the link at `t` (host monotonic seconds).
  void OnLinkData(double t);
  // A server fault is in force at `now`: nothing is expected to move.
  void Hold(double now);

  // The findings once a verdict is reached; empty while all is well.
  std::vector<Finding> Check(double now) const;

 private:
  Limits limits_;
  double start_;
  double held_until_ = -1;
  double last_telemetry_ = -1;
  double last_console_ = -1;
  double last_link_data_ = -1;
  double last_progress_ = -1;
  bool hog_running_ = false;
  std::optional<Sample> sample_;
};

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_WATCHDOG_H_
