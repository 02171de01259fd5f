// Formats: what CI systems and people read, written from report.json.
//
// Every writer takes the cases of a report set (report_set.h) and nothing
// else, so `swapbench merge` can write the same files for run directories
// made on other machines. One file a writer:
//   junit.cc        junit.xml    JUnit (validates against Jenkins'
//   junit-10.xsd) kcidb.cc        kcidb.json   KernelCI KCIDB I/O v5.3:
//   checkouts, builds, tests ktap.cc         ktap.txt     KTAP version 1: one
//   line per case and totals report_html.cc  report.html  self-contained:
//   inline SVG plots (svg.h),
//                                findings, excerpts, link tables
// formats_golden_test.cc holds each against a golden rendering of a fixed
// report set (reports/golden/; --update rewrites them).
//
// Pure but for WriteFormats; thread-compatible.
#ifndef SWAPBENCH_BENCH_FORMATS_H_
#define SWAPBENCH_BENCH_FORMATS_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench/report_set.h"
#include "bench/status.h"

namespace swapbench {

std::string JunitXml(const std::vector<Case>& cases);
nlohmann::json KcidbJson(const std::vector<Case>& cases);
std::string Ktap(const std::vector<Case>& cases);
// The pages' shared <style> element (report.html, compare.html).
const char* ReportStyle();
// `html_dir`: where the page will be, so links to run files are relative
// ("": absolute file:// links). Reads each run's console.log, when it is
// there, for the excerpts around its findings.
std::string ReportHtml(const std::vector<Case>& cases,
                       const std::string& html_dir = "");

// Writes junit.xml, kcidb.json, ktap.txt and report.html into `dir`.
Status WriteFormats(const std::vector<nlohmann::json>& reports,
                    const std::string& dir);

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_FORMATS_H_
