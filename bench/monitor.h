// Monitor: watches a started guest until the run ends, and keeps what it
// saw. Each tick (100 ms of Env time) it reads what the console and the
// agent's telemetry gained, feeds the watchdog its three clocks, starts
// the link's timeline when the hog starts, carries out the fault
// schedule, checks the deadline, the network path and the storage server,
// and reports progress. The run ends on power-off, the deadline, a
// watchdog verdict (after dumping the stalled guest's registers and SysRq
// w/m), a harness failure or cancellation; faults still in force are then
// ended and marked cut short.
//
// Threading: one run's thread; the progress callback is called on it.
#ifndef SWAPBENCH_BENCH_MONITOR_H_
#define SWAPBENCH_BENCH_MONITOR_H_

#include <atomic>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "bench/console_parser.h"
#include "bench/env.h"
#include "bench/fault_schedule.h"
#include "bench/scenario.h"
#include "bench/series.h"
#include "bench/status.h"
#include "bench/telemetry.h"
#include "bench/testbed.h"
#include "bench/watchdog.h"

namespace swapbench {

struct Progress {
  std::string phase;  // boot, network, mount, swapon, hog, done
  double elapsed_s = 0;
  double swapout_mib_s = 0;  // over the last second
  uint64_t dropped_to_guest = 0, dropped_to_server = 0;
  size_t findings = 0;  // so far, console and watchdog
};

// A server fault with a duration, in guest seconds (estimated from the
// last sample); end_s -1 while open.
struct FaultSpan {
  FaultKind kind;
  int scenario_line = 0;
  double begin_s = -1, end_s = -1;
};

// What the monitor saw of a run: the verdict's inputs.
struct Observation {
  ConsoleParser console;
  Telemetry telemetry;
  // The monitor's own findings: watchdog verdicts, deadline, no_output.
  std::vector<Finding> findings;
  // Faults the runner applied and the link's phases and floods.
  std::vector<nlohmann::json> timeline;
  std::vector<FaultSpan> fault_spans;
  std::vector<LinkPoint> link_points;  // link counters at each sample
  // The run ended while the bench held the server stopped.
  bool outage_by_fault = false;
  double boot_s = -1;           // guest start to the agent's first report
  double link_cutoff_s = 1e18;  // guest start to the end of the watch
  std::string stop_reason;
  Status harness;  // why the bench, not the kernel, ended the run
};

struct MonitorOptions {
  const Scenario* scenario = nullptr;
  Env* env = nullptr;
  std::string out_dir;  // console.log, telemetry.jsonl; dumps go here
  std::atomic<int>* cancel = nullptr;  // a signal number once cancelled
  std::function<void(const Progress&)> progress;  // may be empty
  std::function<void(const std::string&)> log;
};

class Monitor {
 public:
  Monitor(MonitorOptions o, Testbed* testbed);
  ~Monitor();
  // Watches the started guest until the run ends (see above).
  void Watch();
  // After teardown: the rest of the console and telemetry.
  void Finish();
  Observation& seen() { return seen_; }

 private:
  struct Tails;
  bool Tick(double now);
  void OnTelemetry(double now);
  void OnHogStart(double now);
  Status ApplyFaults(double now);
  Status AnswerHolds(double now);
  // `guest_s` < 0: estimated from the telemetry (GuestNow).
  Status Apply(const FaultAction& a, double now, double guest_s = -1);
  bool Ended(double now);
  void ReportProgress(double now);
  void EndRun();
  void DumpStalledGuest();
  double GuestNow(double now) const;

  MonitorOptions o_;
  Testbed* tb_;
  Observation seen_;
  std::unique_ptr<Tails> tails_;
  std::optional<Watchdog> watchdog_;
  FaultSchedule faults_;
  double vm_start_ = 0, last_report_ = 0, last_progress_ = 0;
  double hog_start_ = -1;
  size_t seen_lines_ = 0;
  size_t holds_answered_ = 0;
  long console_seen_ = 0;
  std::string last_phase_;
  bool stalled_ = false;
};

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_MONITOR_H_
