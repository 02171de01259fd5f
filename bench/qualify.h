// Qualify: `swapbench qualify`, a fixed suite of checks run per NIC model
// on one kernel, and the qualification report a vendor can attach to a
// driver submission (qualify.json, qualify.html).
//
// The suite is scenarios/qualify/*.toml — ordinary scenarios, one per
// check: baseline (throughput), loss, flood (a ramp of small frames while
// swapping: flood tolerance), outage (global pressure with a server stop:
// recovers or wedges, and how) and jumbo (MTU 9000, where the driver takes
// it). Each check's pass rule is documented beside it (QualifyChecks) and
// in reports/README.md.
//
// SuiteCases and QualifyJson/QualifyHtml are pure (tested on made-up
// reports); the command runs the cases as a campaign.
#ifndef SWAPBENCH_BENCH_QUALIFY_H_
#define SWAPBENCH_BENCH_QUALIFY_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench/scenario.h"
#include "bench/status.h"

namespace swapbench {

struct QualifyCheck {
  const char* name;  // the scenario's name in scenarios/qualify/
  const char* rule;  // what passing means, for the report
};
const std::vector<QualifyCheck>& QualifyChecks();

// The flood check's threshold: swap keeps 10 % of its pre-flood rate at
// this many frames/s or more.
inline constexpr double kFloodTolerancePps = 2000;

// Every (check, NIC) case from the suite's scenarios: each scenario once
// per NIC (ExpandNics). A NIC whose driver cannot take a check (jumbo on a
// 1500-byte driver) gets no case; `skipped` says which and why.
// `checks` empty: all.
Result<std::vector<Scenario>> SuiteCases(
    const std::vector<Scenario>& suite, const std::vector<std::string>& nics,
    const std::vector<std::string>& checks,
    std::vector<std::pair<std::string, std::string>>* skipped);

// The qualification from the cases' report.json files: per NIC, per
// check, the outcome (pass | fail | error | n/a), the figures (throughput,
// per flood step swap MiB/s, rx drops and PFMemallocDrop, flood tolerance,
// the outage's findings and driver), and `meta` (kernel, versions, seed)
// copied in. "verdict": pass when every applicable check passed.
nlohmann::json QualifyJson(
    const std::vector<nlohmann::json>& reports,
    const std::vector<std::string>& nics,
    const std::vector<std::pair<std::string, std::string>>& skipped,
    const nlohmann::json& meta);

// Self-contained HTML: the per-driver table, the flood ramp plot, the
// rules, the versions.
std::string QualifyHtml(const nlohmann::json& q);

// The per-driver table as text, for the terminal.
std::string QualifyText(const nlohmann::json& q);

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_QUALIFY_H_
