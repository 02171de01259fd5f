// Scenario families: one file that names several cases.
//
//   include = ["base.toml"]   files read first (relative to the including
//                             file), the including file's keys on top:
//                             tables merge key by key, anything else
//                             (values, arrays, [[tables]]) is replaced.
//   [matrix]                  keys are scenario paths ("storage.version",
//                             "seed", "cgroup.memory_max_mib",
//                             "workload.1.mib" for the second [[workload]]),
//                             values arrays (of values, or of inline tables
//                             merged into a table like an include: storage
//                             = [{kind = "nbd"}, ...]); every combination is
//                             a case named NAME[key=value,...] in the
//                             file's order (a table shows as its values
//                             joined by '-': storage=nfs-4.1).
//
// Errors name the file and line they are in, included files too. Pure
// apart from reading the files; thread-compatible.
#ifndef SWAPBENCH_BENCH_SCENARIO_FAMILY_H_
#define SWAPBENCH_BENCH_SCENARIO_FAMILY_H_

#include <string>
#include <vector>

#include "bench/scenario.h"
#include "bench/status.h"

namespace swapbench {

inline constexpr size_t kMaxCases = 256;
inline constexpr int kMaxIncludeDepth = 8;

// Every case of the scenario text at `path` (one without a [matrix]).
Result<std::vector<Scenario>> ParseScenarios(const std::string& text,
                                             const std::string& path);
Result<std::vector<Scenario>> LoadScenarios(const std::string& path);

// The cases `wanted` names — each a whole case name or what is inside its
// brackets ("storage=nbd") — in `all`'s order; an unknown name is a Usage
// error that lists the cases.
// `run --nic`: every scenario once per NIC model, named NAME[vm.nic=MODEL]
// (inside the brackets of a matrix case); a model the scenario cannot take
// (its vm.mtu, vm.queues or vm.hostdev) is a usage error.
Result<std::vector<Scenario>> ExpandNics(std::vector<Scenario> all,
                                         const std::vector<std::string>& nics);

Result<std::vector<Scenario>> SelectCases(
    std::vector<Scenario> all, const std::vector<std::string>& wanted);

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_SCENARIO_FAMILY_H_
