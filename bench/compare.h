// Compare: the CI gate between two kernels (or configurations).
//
// `swapbench compare BASE_DIR NEW_DIR` pairs the cases of two report sets
// by (scenario, seed) and reports, per pair, the verdict transition
// (pass -> fail is a regression) and the swap-out throughput delta. A
// throughput regression needs repeats on both sides (min_repeats passing
// attempts) and must clear the threshold on the median with non-overlapping
// min-max ranges, so that noise does not gate. Pure; report sets are read by
// report_reader.h.
#ifndef SWAPBENCH_BENCH_COMPARE_H_
#define SWAPBENCH_BENCH_COMPARE_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench/report_reader.h"
#include "bench/status.h"

namespace swapbench {

struct CompareOptions {
  double threshold = 0.10;  // relative drop of the median that gates
  int min_repeats = 3;      // passing attempts needed on each side
};

// compare.json: {"base", "new", "threshold", "min_repeats", "rows": [...],
// "regressions", "verdict": "regression" | "ok"}.
nlohmann::json Compare(const std::vector<nlohmann::json>& base,
                       const std::vector<nlohmann::json>& fresh,
                       const CompareOptions& o);

// The comparison as a page: the table, then for each case both sides have,
// BASE's and NEW's first attempts overlaid on one chart per metric, their
// clocks aligned at the workloads' start. `base` and `fresh` are the sets
// Compare was given (empty: the table alone).
std::string CompareHtml(const nlohmann::json& c,
                        const std::vector<nlohmann::json>& base = {},
                        const std::vector<nlohmann::json>& fresh = {});
std::string CompareText(const nlohmann::json& c);

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_COMPARE_H_
