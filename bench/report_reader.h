// ReportReader: report.json read back — by `merge`, `compare` and every
// writer of the CI formats — from files this bench or another machine
// wrote, or that someone edited. Nothing a file holds may crash the
// reader: CheckReport walks every key the readers use (formats.cc,
// compare.cc) and names the first that has the wrong type, so that the
// readers, which index the JSON directly, only ever see a report of the
// right shape. Input size is bounded and only regular files are read.
//
// Threading: pure but for LoadReport's file read.
#ifndef SWAPBENCH_BENCH_REPORT_READER_H_
#define SWAPBENCH_BENCH_REPORT_READER_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench/status.h"

namespace swapbench {

// Larger report.json files are refused (a real one is ~100 KiB; the
// series are capped at 600 points).
inline constexpr size_t kMaxReportBytes = 64 << 20;

// A Usage error "FILE: runs[0].unmet_expectations[0]: expected a string,
// got number" for the first key of the wrong type; OK for a report of
// schema swapbench.report/1 whose every key the readers use is well typed.
Status CheckReport(const nlohmann::json& report, const std::string& file);

// Reads, parses and checks one report.json.
Result<nlohmann::json> LoadReport(const std::string& path);

// Every report.json below `dir` (sorted by path), each checked.
Result<std::vector<nlohmann::json>> LoadReportSet(const std::string& dir);
// The paths of every report.json below `dir`, sorted; Usage error if none.
Result<std::vector<std::string>> FindReports(const std::string& dir);

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_REPORT_READER_H_
