#include "bench/report_reader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "bench/compare.h"
#include "bench/formats.h"
#include "bench/fs_util.h"

namespace swapbench {
namespace {

const std::string kSets =
    std::string(SWAPBENCH_SOURCE_DIR) + "/bench/testdata/sets";

nlohmann::json Real() {
  auto j = LoadReport(kSets + "/lossy/smoke.a1/report.json");
  EXPECT_TRUE(j.ok()) << j.status().message();
  return *j;
}

TEST(ReportReaderTest, RealReportsPass) {
  for (const char* set : {"base", "lossy"}) {
    auto s = LoadReportSet(kSets + "/" + set);
    ASSERT_TRUE(s.ok()) << s.status().message();
    EXPECT_EQ(s->size(), 3u);
  }
}

// Each edit makes a key of the wrong type; the message names the key.
TEST(ReportReaderTest, WrongTypesAreUsageErrorsNamingTheKey) {
  struct Case {
    const char* pointer;
    nlohmann::json value;
    const char* message;
  } cases[] = {
      {"/runs/0/unmet_expectations",
       {1},
       "runs[0].unmet_expectations[0]: expected a string, got number"},
      {"/seed", -1, "seed: expected an integer >= 0, got number"},
      {"/seed", "1", "seed: expected an integer >= 0, got string"},
      {"/kernel", "6.1", "kernel: expected an object, got string"},
      {"/kernel/release", 6, "kernel.release: expected a string, got number"},
      {"/runs", nlohmann::json::object(),
       "runs: expected an array, got object"},
      {"/runs/0", 3, "runs[0]: expected an object, got number"},
      {"/runs/0/verdict", nullptr,
       "runs[0].verdict: expected a string, got null"},
      {"/runs/0/metrics/swapout_mib_per_s", "fast",
       "runs[0].metrics.swapout_mib_per_s: expected a number, got string"},
      {"/runs/0/duration_s", true,
       "runs[0].duration_s: expected a number, got boolean"},
      {"/runs/0/findings",
       {{{"kind", 1}}},
       "runs[0].findings[0].kind: expected a string, got number"},
      {"/runs/0/findings",
       {{{"kind", "x"}, {"console_lines", {1}}}},
       "runs[0].findings[0].console_lines: expected [first, last]"},
      {"/runs/0/findings",
       {{{"kind", "x"}, {"attachments", {7}}}},
       "runs[0].findings[0].attachments[0]: expected a string, got number"},
      {"/runs/0/link/to_guest/dropped", "0",
       "runs[0].link.to_guest.dropped: expected a number, got string"},
      {"/runs/0/link/impairments",
       {1},
       "runs[0].link.impairments[0]: expected an object, got number"},
      {"/runs/0/series/t",
       {"a"},
       "runs[0].series.t[0]: expected a number, got string"},
      {"/runs/0/series/swapout_mib_s",
       {nullptr, "x"},
       "runs[0].series.swapout_mib_s[1]: expected a number or null, got "
       "string"},
      {"/flaky_fails", 1, "flaky_fails: expected true or false, got number"},
      {"/runs/0/series/cgroup_current_mib",
       {{"a", {1, "x"}}},
       "runs[0].series.cgroup_current_mib.a[1]: expected a number or null, "
       "got string"},
      {"/runs/0/series/dirty_mib", 3,
       "runs[0].series.dirty_mib: expected an array, got number"},
      {"/runs/0/workloads",
       {{{"name", "w"}, {"verified_bytes", "many"}}},
       "runs[0].workloads[0].verified_bytes: expected a number, got string"},
      {"/runs/0/workloads",
       {{{"name", "s"}, {"metrics", {{{"stressor", 1}}}}}},
       "runs[0].workloads[0].metrics[0].stressor: expected a string, got "
       "number"},
      {"/runs/0/knobs",
       {{"sysfs", {{"k", {{"read", 7}}}}}},
       "runs[0].knobs.sysfs.k.read: expected a string, got number"},
      {"/runs/0/knobs",
       {{"sysctl", "x"}},
       "runs[0].knobs.sysctl: expected an object, got string"},
  };
  for (const Case& c : cases) {
    nlohmann::json j = Real();
    j[nlohmann::json::json_pointer(c.pointer)] = c.value;
    Status s = CheckReport(j, "r.json");
    EXPECT_EQ(s.kind(), Status::Kind::kUsage) << c.pointer;
    EXPECT_EQ(s.message(), std::string("r.json: ") + c.message) << c.pointer;
  }
}

TEST(ReportReaderTest, NotAReport) {
  for (const nlohmann::json& j : {nlohmann::json(1), nlohmann::json::array(),
                                  nlohmann::json({{"schema", 1}}),
                                  nlohmann::json({{"schema", "other/1"}})})
    EXPECT_EQ(CheckReport(j, "r.json").message(),
              "r.json: not a swapbench report (schema swapbench.report/1)");
}

TEST(ReportReaderTest, OnlyRegularFilesAreRead) {
  EXPECT_EQ(LoadReport("/dev/zero").status().message(),
            "/dev/zero: not a regular file");
  EXPECT_EQ(LoadReport("/nonexistent/report.json").status().kind(),
            Status::Kind::kUsage);
}

// What passes the check renders in every format without throwing.
TEST(ReportReaderTest, CheckedReportsRenderEvenWhenKeysAreMissing) {
  nlohmann::json j = Real();
  for (const char* k : {"runs/0/metrics", "runs/0/link", "runs/0/series",
                        "runs/0/findings", "kernel", "seed", "runs"}) {
    nlohmann::json m = j;
    std::string pointer = std::string("/") + k;
    auto slash = pointer.rfind('/');
    m[nlohmann::json::json_pointer(pointer.substr(0, slash))].erase(
        pointer.substr(slash + 1));
    ASSERT_TRUE(CheckReport(m, "r.json").ok()) << k;
    std::vector<nlohmann::json> set = {m};  // cases point into it
    auto cases = GroupCases(set);
    EXPECT_NO_THROW(JunitXml(cases)) << k;
    EXPECT_NO_THROW(KcidbJson(cases)) << k;
    EXPECT_NO_THROW(Ktap(cases)) << k;
    EXPECT_NO_THROW(ReportHtml(cases)) << k;
  }
}

}  // namespace
}  // namespace swapbench

namespace swapbench {
namespace {

// Every key of a real report, and every object and array holding keys,
// replaced by a value of each other type: whatever CheckReport lets
// through, every reader renders without throwing.
TEST(ReportReaderTest, WhatPassesTheCheckNeverThrows) {
  auto base = LoadReport(kSets + "/base/smoke.a3/report.json");
  ASSERT_TRUE(base.ok());
  std::set<std::string> pointers;
  const nlohmann::json leaves = base->flatten();
  for (const auto& [flat, _] : leaves.items()) {
    // Every prefix of the leaf's path, array elements past the 2nd skipped.
    nlohmann::json::json_pointer p(flat);
    bool late_element = false;
    for (auto q = p; !q.empty(); q = q.parent_pointer()) {
      const std::string& last = q.back();
      if (!last.empty() &&
          last.find_first_not_of("0123456789") == std::string::npos &&
          std::stoul(last) > 1)
        late_element = true;
    }
    for (auto q = p; !q.empty() && !late_element; q = q.parent_pointer())
      pointers.insert(q.to_string());
  }
  const nlohmann::json others[] = {7,
                                   -1,
                                   2.5,
                                   "x",
                                   nullptr,
                                   true,
                                   nlohmann::json::array({1}),
                                   nlohmann::json::object({{"a", 1}})};
  int accepted = 0, rejected = 0;
  for (const auto& ptr : pointers) {
    for (const auto& v : others) {
      nlohmann::json m = *base;
      m[nlohmann::json::json_pointer(ptr)] = v;
      if (!CheckReport(m, "r.json").ok()) {
        ++rejected;
        continue;
      }
      ++accepted;
      std::vector<nlohmann::json> set = {m};
      auto cases = GroupCases(set);
      ASSERT_NO_THROW({
        JunitXml(cases);
        KcidbJson(cases);
        Ktap(cases);
        ReportHtml(cases);
        Compare(set, set, {});
      }) << ptr
         << " = " << v.dump();
    }
  }
  EXPECT_GT(rejected, 100);
  EXPECT_GT(accepted, 100);
}

}  // namespace
}  // namespace swapbench
