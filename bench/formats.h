// Formats: what CI systems and people read, written from report.json.
//
// Every writer takes canonical report.json objects (one per run directory)
// and nothing else, so `swapbench merge` can write the same files for run
// directories made on other machines. Runs group into test cases by
// (kernel release, scenario, seed): the attempts of a --repeat or a
// confirmation rerun are one case whose verdict is pass, fail, error or
// flaky (some attempts failed, some passed).
//   junit.xml    JUnit (validates against Jenkins' junit-10.xsd)
//   kcidb.json   KernelCI KCIDB I/O v5.3: checkouts, builds, tests
//   ktap.txt     KTAP version 1: one line per case and a totals line
//   report.html  self-contained: inline SVG plots, findings, excerpts
#ifndef SWAPBENCH_BENCH_FORMATS_H_
#define SWAPBENCH_BENCH_FORMATS_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench/status.h"

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
};

// Groups reports into cases (in first-seen order) and decides each verdict.
// A flaky case counts as failed when its scenario says `flaky_fails`.
std::vector<Case> GroupCases(const std::vector<nlohmann::json>& reports);

// The median of `v` (0 when empty): case throughput in report.html and compare.
double Median(std::vector<double> v);

// The worst verdict over cases: error > fail > flaky > pass ("error" if none).
std::string SetVerdict(const std::vector<Case>& cases);

std::string JunitXml(const std::vector<Case>& cases);
nlohmann::json KcidbJson(const std::vector<Case>& cases);
std::string Ktap(const std::vector<Case>& cases);
std::string ReportHtml(const std::vector<Case>& cases);

// Writes junit.xml, kcidb.json, ktap.txt and report.html into `dir`.
Status WriteFormats(const std::vector<nlohmann::json>& reports,
                    const std::string& dir);

// Escaping shared by the XML and HTML writers: &<>"' and bytes that XML
// 1.0 does not allow (console control characters) become safe text.
std::string XmlEscape(const std::string& s);

// An SVG line chart: one path per series over `t`; null values break a
// line. Used by report.html and compare.html.
struct Line {
  std::string name, color;
  const nlohmann::json* values;
};
std::string SvgChart(const std::string& title, const std::string& unit,
                     const nlohmann::json& t, const std::vector<Line>& lines,
                     double hline = -1, const std::string& hline_name = "");

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_FORMATS_H_
