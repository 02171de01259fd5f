// Runner: one scenario run, end to end, on real parts.
//
// Order of a run: validate -> reap leftovers of killed runs -> kernel and
// image (cached) -> network namespace, TAP, relay, NFS server -> guest ->
// watch console and telemetry until the guest powers off, a deadline
// passes or the agent goes silent -> tear down in reverse -> report.
// Every resource is held by an object whose destructor tears it down, so
// an error, SIGINT or SIGTERM at any point still reaches the teardown.
//
// Threading: Run() on the caller's thread; the relay and libvirt's event
// loop have threads of their own. `cancel` is set by the signal thread.
#ifndef SWAPBENCH_BENCH_RUNNER_H_
#define SWAPBENCH_BENCH_RUNNER_H_

#include <atomic>
#include <functional>
#include <optional>
#include <string>

#include "bench/report.h"
#include "bench/scenario.h"
#include "bench/status.h"

namespace swapbench {

struct Progress {
  std::string phase;  // boot, network, mount, swapon, hog, done
  double elapsed_s = 0;
  double swapout_mib_s = 0;  // over the last second
  uint64_t dropped_to_guest = 0, dropped_to_server = 0;
  size_t findings = 0;  // so far, console and watchdog
};

class Libvirt;

struct RunnerOptions {
  std::string out_dir;               // report directory (created)
  std::optional<uint64_t> seed;      // overrides the scenario's seed
  std::optional<KernelSpec> kernel;  // overrides the scenario's kernel
  std::string state_dir;             // libvirt root, run records
  std::string cache_dir;             // kernels, images
  std::string agent_path;            // static agent binary
  std::string busybox_path = "/bin/busybox";
  std::string modules_list;            // images/modules.txt
  std::string binaries_list;           // images/binaries.txt
  std::atomic<int>* cancel = nullptr;  // signal number once cancelled
  int attempt = 1;  // which attempt of a --repeat or confirmation this is
  // Shared embedded libvirt (parallel runs); null: the run opens its own.
  Libvirt* libvirt = nullptr;
  std::string log_prefix;  // "[smoke.a2] " before every progress line
  // Called about once a second while the guest runs (the live progress
  // line); may be empty. Called from the run's thread.
  std::function<void(const Progress&)> progress;
  bool verbose = false;
  // No relay: the guest NIC is a TAP moved into the storage namespace
  // (bench-relay's baseline; the link's impairments and floods do not apply).
  bool direct_tap = false;
  bool direct_tap_offloads = true;  // with direct_tap: TSO/GSO/csum offloads on
};

// Returns a Report (whose verdict may be error, with the failed part
// named) once anything was started; a Usage status for bad input found
// before anything was touched.
Result<Report> RunScenario(const Scenario& scenario, const RunnerOptions& opts);

// Checks the expectations of `s` against a finished run; appends what did
// not hold to run->unmet (pure; tested).
void CheckExpectations(const Scenario& s, RunReport* run);

// Derives the run's swap metrics and integrity from telemetry (pure; tested).
class Telemetry;
void Summarize(const Telemetry& t, RunReport* run);

// Reconciles the console's OOM kills with the guest's counters
// (memory.events, /proc/vmstat) into run->oom_cross_check; a kill only the
// counters saw becomes a finding. Annotates each OOM kill with the swap
// usage at the last sample before it (pure; tested).
void CrossCheckOom(const Telemetry& t, RunReport* run);

// Notes on each console finding the server fault in force when it happened
// ("server_stall, 1.0 s after it began"), by guest time (pure; tested).
void MarkFaultsInForce(const std::vector<nlohmann::json>& timeline,
                       std::vector<Finding>* findings);

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_RUNNER_H_

namespace swapbench {
// Removes the files a run writes from `dir`, so that a reused --out never
// mixes this run's evidence with an older run's.
void RemoveRunFiles(const std::string& dir);
}  // namespace swapbench
