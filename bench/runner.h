// Runner: one scenario run, end to end. Start reading here: RunScenario
// (runner.cc) is the run in order, one module per step —
//
//   1. guest     the kernel and the cached initramfs      guest_image.h
//   2. reap      leftovers of SIGKILLed runs               state.h
//   3. testbed   record, namespace, network path (relay),  testbed.h
//                storage server, per-run initrd, guest     netns.h,
//                network_path.h,
//                                                          storage.h, vm.h
//   4. monitor   console, telemetry, watchdog, faults,     monitor.h,
//   watchdog.h,
//                deadline, stall dumps                     fault_schedule.h
//   5. teardown  in reverse, on every path                 testbed.h
//   6. verdict   findings, metrics, expectations           verdict.h
//   7. write     report.json and the CI formats            report.h, formats.h
//
// Every resource is held by an object whose destructor tears it down, so
// an error, SIGINT or SIGTERM at any point still reaches the teardown. The
// OS is reached only through the seams in RunnerOptions::parts (Env,
// Hypervisor, network path and storage factories, guest preparation):
// runner_test.cc runs the whole runner on the fakes of bench/testing.h.
//
// Threading: RunScenario on the caller's thread (campaign.h runs several
// at once, each on its own); the relay and libvirt's event loop have
// threads of their own. `cancel` is set by the signal thread.
#ifndef SWAPBENCH_BENCH_RUNNER_H_
#define SWAPBENCH_BENCH_RUNNER_H_

#include <atomic>
#include <functional>
#include <optional>
#include <string>

#include "bench/monitor.h"
#include "bench/record.h"
#include "bench/report.h"
#include "bench/scenario.h"
#include "bench/status.h"
#include "bench/testbed.h"

namespace swapbench {

struct RunnerOptions {
  std::string out_dir;               // report directory (created)
  std::optional<uint64_t> seed;      // overrides the scenario's seed
  std::optional<KernelSpec> kernel;  // overrides the scenario's kernel
  std::string state_dir;             // libvirt root, run records
  std::string cache_dir;             // kernels, images
  std::string agent_path;            // static agent binary
  std::string busybox_path = "/bin/busybox";
  std::string binaries_list;           // images/binaries.txt
  std::atomic<int>* cancel = nullptr;  // signal number once cancelled
  int attempt = 1;  // which attempt of a --repeat or confirmation this is
  // The seams; parts.hypervisor is required (one per process, shared).
  Parts parts;
  // QEMU record/replay of the guest (bench/record.h): every attempt, or
  // kept only for those that did not pass.
  RecordMode record = RecordMode::kOff;
  std::string log_prefix;  // "[smoke.a2] " before every progress line
  // Called about once a second while the guest runs (the live progress
  // line); may be empty. Called from the run's thread.
  std::function<void(const Progress&)> progress;
};

// Returns a Report (whose verdict may be error, with the failed part
// named) once anything was started; a Usage status for bad input found
// before anything was touched; Cancelled (after writing the report) when
// a signal ended the run.
Result<Report> RunScenario(const Scenario& scenario, const RunnerOptions& opts);

// Step 1 alone: the kernel `opts` (or the scenario) names, checked against
// what the scenario needs, and its image. A campaign calls it for every
// kernel and scenario before the first run, so that a kernel lacking an
// option stops everything before anything started; the runs then find
// both cached.
Result<Guest> PrepareRunGuest(const Scenario& scenario,
                              const RunnerOptions& opts);

// Removes the files a run writes from `dir`, so that a reused --out never
// mixes this run's evidence with an older run's.
void RemoveRunFiles(const std::string& dir);

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_RUNNER_H_
