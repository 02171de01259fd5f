// ReportSet: the model every CI format is written from. Runs (report.json
// objects, checked by report_reader.h) group into test cases by (kernel
// release, scenario, seed): the attempts of a --repeat or a confirmation
// rerun are one case whose verdict is pass, fail, error or flaky (some
// attempts failed, some passed). Also the small readers of one run that
// the writers share.
//
// Pure; thread-compatible.
#ifndef SWAPBENCH_BENCH_REPORT_SET_H_
#define SWAPBENCH_BENCH_REPORT_SET_H_

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace swapbench {

// The attempts of one (kernel, scenario, seed).
struct Case {
  std::string id;  // "smoke.seed1.6.1.0-54-amd64": stable, unique in a set
  std::string scenario, kernel, kernel_source, swap_type, description;
  uint64_t seed = 0;
  std::vector<const nlohmann::json*> reports;  // attempts, in order
  std::string verdict;                         // pass | fail | error | flaky
  int attempts = 0, failed = 0, errored = 0;
  double fail_rate = 0;
  // Swap-out MiB/s of the passing attempts.
  std::vector<double> swapout;
  // How the attempts agree. Per attempt verdict (pass | fail | error): how
  // many attempts had it; per finding kind, finding signature and unmet
  // expectation (its numbers as N): how many attempts showed it (once per
  // attempt).
  std::map<std::string, int> verdicts, finding_kinds, signatures, unmet;
  std::string majority_verdict;  // the most common (ties: the worse)
  double reproducibility = 0;    // attempts with the majority verdict / all
};

// The case's agreement as JSON: {"reproducibility", "majority_verdict",
// "verdicts", "finding_kinds", "signatures", "unmet_expectations"} (counts of
// attempts), for summary.json.
nlohmann::json Agreement(const Case& c);
// One line: "reproducibility 0.85 (pass 17, fail 3); findings swap_stall
// 20/20, alloc_failure 15/20".
std::string AgreementLine(const Case& c);

// Groups reports into cases (in first-seen order) and decides each verdict.
// A flaky case counts as failed when its scenario says `flaky_fails`. The
// cases point into `reports`, which must outlive them.
std::vector<Case> GroupCases(const std::vector<nlohmann::json>& reports);

// The median of `v` (0 when empty): case throughput in report.html and
// compare.
double Median(std::vector<double> v);

// The worst verdict over cases: error > fail > flaky > pass ("error" if
// none).
std::string SetVerdict(const std::vector<Case>& cases);

// The report's first run (an empty object if it has none).
const nlohmann::json& FirstRun(const nlohmann::json& report);
// j[key] if it is a string, else "".
std::string Str(const nlohmann::json& j, const char* key);
// "smoke", "6.1.0-54-amd64" -> ids that stay readable; only the characters
// KCIDB paths and JUnit names dislike change.
std::string Slug(const std::string& s);
// The findings and unmet expectations of one attempt, as text.
std::string Findings(const nlohmann::json& run);
// The first finding, unmet expectation or error of an attempt, one line.
std::string FirstProblem(const nlohmann::json& run);

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_REPORT_SET_H_
