// WorkloadReport: what the guest's workloads, cgroups and knobs did, read
// from the agent's telemetry — report.json's "workloads", "cgroups" and
// "knobs" — and what only they can show: a writer's or reader's corrupted
// bytes and I/O errors (findings), a workload that never started, a
// stress-ng that failed or printed no metrics line, data left unverified
// (unmet expectations), and which workload and cgroup an OOM kill hit,
// with how much was dirty and under writeback at that moment.
//
// Pure functions of (scenario, telemetry); thread-compatible.
#ifndef SWAPBENCH_BENCH_WORKLOAD_REPORT_H_
#define SWAPBENCH_BENCH_WORKLOAD_REPORT_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench/finding.h"
#include "bench/scenario.h"
#include "bench/telemetry.h"

namespace swapbench {

// [{"name","kind","cgroup","status","code"|"signal","seconds", what the
//   kind counts, "metrics" (stress-ng)}], one per scenario workload, in
// the scenario's order; "status": "not started" for one that never ran.
nlohmann::json WorkloadsJson(const Scenario& sc, const Telemetry& t);

// [{"name","path","limits":{...},"last":{field: N},"peak_current_mib",
//   "peak_swap_mib"}]: "last" is the final sample (after the workloads
// ended), the peaks over the run.
nlohmann::json CgroupsJson(const Scenario& sc, const Telemetry& t);

// {"sysctl": {NAME: {"set","read","path"}}, "sysfs": {...}}.
nlohmann::json KnobsJson(const Telemetry& t);

// Corrupted bytes and I/O errors of writers and readers.
std::vector<Finding> WorkloadFindings(const Telemetry& t);

// Unmet: a workload that never started; with expect.all_pages_verified,
// a writer or reader that did not verify all it wrote; a stress-ng that
// exited non-zero or printed no metrics.
std::vector<std::string> WorkloadUnmet(const Scenario& sc, const Telemetry& t);

// Names each OOM kill's victim: the workload (by its process name, which
// the agent sets to the workload's), its cgroup, and the dirty and
// writeback memory at the sample before the kill, in details and title.
void NameOomVictims(const Scenario& sc, const Telemetry& t,
                    std::vector<Finding>* findings);

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_WORKLOAD_REPORT_H_
