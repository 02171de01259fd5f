// bench-relay: what the relay costs. The same scenario through the relay
// (0 % loss) and through a direct TAP (no relay) — with its offloads, as
// QEMU sets it up, and with them off — `repeat` times each, interleaved;
// prints swap-out MiB/s of each and the ratios of the medians, and writes
// bench-relay.json. The TAP's offloads let the guest send 64 KiB segments
// (an order of magnitude fewer frames), which the relay's UDP transport
// cannot carry; the no-offload baseline separates that from the relay's
// own cost.
//
// Threading: the caller's thread; one run at a time.
#ifndef SWAPBENCH_BENCH_BENCH_RELAY_H_
#define SWAPBENCH_BENCH_BENCH_RELAY_H_

#include <string>

#include "bench/runner.h"
#include "bench/scenario.h"

namespace swapbench {

// Usage error unless `sc` can run on a direct TAP too (no impairments,
// phases or floods; the relay engine).
Status BenchRelayFits(const Scenario& sc);

struct BenchRelayOptions {
  Scenario scenario;  // BenchRelayFits
  int repeat = 1;
  std::string out_dir;   // default /tmp/swapbench-bench-relay
  RunnerOptions runner;  // parts.hypervisor, dirs, cancel, kernel
};

// Returns the exit code (0 when every mode had a passing run).
int BenchRelay(const BenchRelayOptions& o);

// bench-baseline: the yardstick for "a run within 10 % of raw QEMU". The
// same scenario (BenchRelayFits) run `repeat` times each way, interleaved:
// plain qemu-system-x86_64 on a direct TAP with no libvirt and no relay
// (RawQemu, in this process, the storage server set up as in any run), and
// `swapbench run` as a user runs it (a child process: its libvirt, relay
// and teardown included). Prints each run's wall time and hog time, the
// medians and their ratios, and writes bench-baseline.json.
struct BenchBaselineOptions {
  Scenario scenario;  // BenchRelayFits
  int repeat = 4;
  std::string out_dir;  // default /tmp/swapbench-bench-baseline
  RunnerOptions runner;
  // `swapbench run SCENARIO [--kernel-package ...]`; --out is added.
  std::vector<std::string> swapbench_run;
};
int BenchBaseline(const BenchBaselineOptions& o);

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_BENCH_RELAY_H_
