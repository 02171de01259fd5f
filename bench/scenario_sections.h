// The scenario parser's section readers that live outside scenario.cc:
// the guest side (cgroups, workloads, knobs: scenario_workloads.cc). Each
// reads one TOML table into the scenario and reports the first error with
// the reader. Internal to the parser; not thread-safe.
#ifndef SWAPBENCH_BENCH_SCENARIO_SECTIONS_H_
#define SWAPBENCH_BENCH_SCENARIO_SECTIONS_H_

#include "bench/scenario.h"
#include "bench/toml_reader.h"

namespace swapbench {

// Reads one case's TOML (includes merged, its [matrix] entries set) into a
// scenario, validating every key; a Usage status on any error.
Result<Scenario> ReadScenarioTable(const toml::table& root,
                                   const std::string& path);

inline constexpr size_t kMaxCgroups = 16, kMaxWorkloads = 16;

void ReadCgroupShorthand(Reader& r, const toml::table& t, Scenario* s);
void ReadCgroupTable(Reader& r, const toml::table& t, Scenario* s);
void ReadWorkloadShorthand(Reader& r, const toml::table& t, Scenario* s);
void ReadWorkloadTable(Reader& r, const toml::table& t, Scenario* s);
void ReadGuest(Reader& r, const toml::table& t, Scenario* s);
// After every section: the hog of old when no [[workload]] was given.
void DefaultWorkload(Reader& r, const toml::table& root, Scenario* s);

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_SCENARIO_SECTIONS_H_
