// Verdict: what a run's observations mean. Pure — every function here
// takes what the monitor saw (bench/monitor.h) and fills a RunReport; the
// tests drive them with telemetry and console lines, no guest.
//
//   Judge              the whole assembly: findings (console, monitor,
//                      counters), swap metrics, series, timeline, verdict
//   Summarize          swap metrics and page integrity from telemetry
//   CrossCheckOom      the console's OOM kills against the guest's counters
//   MarkFaultsInForce  which server fault was in force at each finding
//   CheckExpectations  the scenario's [expect] against the run
//
// Threading: none; no I/O.
#ifndef SWAPBENCH_BENCH_VERDICT_H_
#define SWAPBENCH_BENCH_VERDICT_H_

#include <vector>

#include "bench/monitor.h"
#include "bench/report.h"
#include "bench/scenario.h"
#include "bench/telemetry.h"

namespace swapbench {

// Fills `run` from `o`: findings, metrics, series, timeline, the verdict
// (error when the harness failed or the guest's setup did; fail on a
// finding or an unmet expectation; else pass). run->link and
// run->link_detail must be final (CheckExpectations reads them).
void Judge(const Scenario& sc, const Observation& o, RunReport* run);

// Derives the run's swap metrics and integrity from telemetry.
void Summarize(const Telemetry& t, RunReport* run);

// Reconciles the console's OOM kills with the guest's counters
// (memory.events, /proc/vmstat) into run->oom_cross_check; a kill only the
// counters saw becomes a finding. Annotates each OOM kill with the swap
// usage at the last sample before it.
void CrossCheckOom(const Telemetry& t, RunReport* run);

// Notes on each console finding the server fault in force when it happened
// ("server_stall, 1.0 s after it began"), by guest time.
void MarkFaultsInForce(const std::vector<FaultSpan>& spans,
                       std::vector<Finding>* findings);

// Checks the expectations of `s` against a finished run; appends what did
// not hold to run->unmet.
void CheckExpectations(const Scenario& s, RunReport* run);

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_VERDICT_H_
