// Report: what one invocation found, and its canonical form report.json
// (schema "swapbench.report/1", documented in reports/README.md).
#ifndef SWAPBENCH_BENCH_REPORT_H_
#define SWAPBENCH_BENCH_REPORT_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench/finding.h"
#include "bench/status.h"
#include "netem/relay.h"

namespace swapbench {

// A run's verdict ("flaky" is a set's, over attempts: report_set.h).
enum class Verdict { kPass, kFail, kError };
const char* Name(Verdict v);  // "pass", "fail", "error": report.json

struct RunReport {
  Verdict verdict = Verdict::kError;
  std::string error;  // harness error, when verdict is error
  double duration_s = 0;
  // Host seconds per step of the run, in order (report.json timings_s).
  std::vector<std::pair<std::string, double>> timings;
  double boot_s =
      -1;  // host seconds from domain start to the agent's first report
  std::string stop_reason;
  std::string accel, accel_reason;

  bool swap_activated = false;
  std::string swap_device, swap_type;
  int64_t swap_total_kib = 0, swap_used_kib_max = 0;

  int64_t pswpout = 0, pswpin = 0;
  double swapout_mib_per_s = 0, swapin_mib_per_s = 0;
  double hog_seconds = 0;

  int64_t hog_pages = 0, pages_written = 0, pages_verified = 0,
          pages_corrupted = 0;
  std::string hog_status;  // exited N | killed SIG | not started

  RelayCounters link;
  RelaySnapshot link_detail;  // per impairment, phase and flood
  std::string link_engine = "relay";
  // The guest's own network counters at the last sample (rx packets and
  // drops, UDP no-port, checksum errors, PFMemallocDrop); empty if none.
  nlohmann::json guest_net;
  std::vector<Finding> findings;
  std::vector<std::string> unmet;  // expectations that did not hold
  std::vector<nlohmann::json> events;
  // Server faults the runner applied and storage events the kernel
  // reported, ordered by (estimated) guest time.
  std::vector<nlohmann::json> timeline;
  int console_lines = 0;
  std::string started_at;  // UTC, ISO 8601, when the run started
  // Plots over guest time (BuildSeries): swap-out/in MiB/s, memory.current,
  // link frames and drops per direction, RPC retransmissions.
  nlohmann::json series;
  // The console's OOM kills against the guest's own counters
  // (memory.events oom_kill, /proc/vmstat oom_kill); empty if no telemetry.
  nlohmann::json oom_cross_check;
  // The guest side (workload_report.h): each workload's outcome, each
  // cgroup's limits and last counters, each knob as set and read back.
  nlohmann::json workloads, cgroups, knobs;
  nlohmann::json nic;  // bench/nic_report.h
};

struct Report {
  std::string scenario, scenario_path, description;
  uint64_t seed = 0;
  std::string kernel_release, kernel_source;
  std::string image_hash;
  std::string out_dir;
  int attempt = 1;           // of a --repeat or a confirmation rerun
  bool flaky_fails = false;  // the scenario counts flaky as failed
  Verdict verdict = Verdict::kError;
  std::vector<RunReport> runs;
  // bench/manifest.h: how to run this exact case again (null if the run
  // never got as far as a kernel).
  nlohmann::json manifest;
};

// The overall verdict: error if any run errored, else fail if any failed.
Verdict OverallVerdict(const std::vector<RunReport>& runs);

nlohmann::json ReportJson(const Report& r);
Status WriteReport(const Report& r, const std::string& path);
// A table comparing several scenarios' runs (swap type, throughput).
std::string Comparison(const std::vector<Report>& reports);

// A few lines for a person at the terminal.
std::string Summary(const Report& r);

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_REPORT_H_
