// Golden rendered reports: junit.xml, kcidb.json, ktap.txt and report.html
// of a fixed report set (GoldenSet below: real runs from
// bench/testdata/sets, edited into every verdict a set holds) are kept in
// reports/golden/. A change to a writer shows as a reviewable diff:
//   SWAPBENCH_UPDATE_GOLDEN=1 build/bench/bench_test
//   --gtest_filter='FormatsGolden*' git diff reports/golden
#include <gtest/gtest.h>

#include "bench/formats.h"
#include "bench/fs_util.h"
#include "bench/report_reader.h"
#include "bench/text.h"

namespace swapbench {
namespace {

const std::string kSource = SWAPBENCH_SOURCE_DIR;

nlohmann::json Real(const std::string& run) {
  auto j = LoadReport(kSource + "/bench/testdata/sets/" + run + "/report.json");
  EXPECT_TRUE(j.ok()) << j.status().message();
  return j.ok() ? *j : nlohmann::json();
}

// A copy of `r` as a failed attempt with `finding`.
nlohmann::json Failed(nlohmann::json r, const nlohmann::json& finding) {
  r["verdict"] = "fail";
  r["runs"][0]["verdict"] = "fail";
  r["runs"][0]["findings"] = {finding};
  r["runs"][0]["unmet_expectations"] = {"pages_verified 0 != hog pages 32768"};
  return r;
}

// The fixed set: four cases from six real runs of smoke, three of them
// edited into the verdicts a set can hold —
//   smoke         two passing attempts                   pass
//   loss5         a pass and a swap_stall with dumps     flaky
//   memcg-oom     an OOM kill; markup and a stray byte
//                 in the excerpt                         fail
//   global-stall  the storage server died                error
std::vector<nlohmann::json> GoldenSet() {
  std::vector<nlohmann::json> set = {Real("base/smoke.a1"),
                                     Real("base/smoke.a2")};
  nlohmann::json loss = Real("lossy/smoke.a1");
  loss["scenario"] = "loss5";
  loss["seed"] = 5;
  set.push_back(loss);
  loss["attempt"] = 2;
  set.push_back(Failed(
      loss,
      {{"kind", "swap_stall"},
       {"title", "swap stalled: no swap progress for 30 s with swap free"},
       {"attachments", {"registers.txt", "sysrq.txt"}}}));
  nlohmann::json oom = Real("lossy/smoke.a2");
  oom["scenario"] = "memcg-oom";
  set.push_back(
      Failed(oom, {{"kind", "memcg_oom_kill"},
                   {"title", "memcg OOM kill of hog while swap had free space"},
                   {"victim", "hog"},
                   {"console_lines", {450, 453}},
                   {"excerpt",
                    "Memory cgroup out of memory: <Killed> process 116 "
                    "(hog) & \x01 \xff"}}));
  nlohmann::json err = Real("base/smoke.a3");
  err["scenario"] = "global-stall";
  err["verdict"] = "error";
  err["runs"][0]["verdict"] = "error";
  err["runs"][0]["error"] = "storage: ganesha.nfsd exited (status 9)";
  set.push_back(err);
  return set;
}

class FormatsGoldenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    set_ = GoldenSet();
    cases_ = GroupCases(set_);
  }
  // Compares `got` with reports/golden/NAME, or rewrites it when asked.
  void Check(const std::string& name, const std::string& got) {
    const std::string path = kSource + "/reports/golden/" + name;
    if (getenv("SWAPBENCH_UPDATE_GOLDEN")) {
      ASSERT_TRUE(WriteFile(path, got).ok()) << path;
      return;
    }
    auto want = ReadFile(path);
    ASSERT_TRUE(want.ok()) << path << " is missing; SWAPBENCH_UPDATE_GOLDEN=1 "
                           << "writes it";
    if (*want == got) return;
    size_t at = 0;
    while (at < want->size() && at < got.size() && (*want)[at] == got[at]) ++at;
    ADD_FAILURE() << name << " differs from " << path << " at byte " << at
                  << ": golden \"" << want->substr(at, 80) << "\" rendered \""
                  << got.substr(at, 80)
                  << "\"; review with SWAPBENCH_UPDATE_GOLDEN=1 and git diff";
  }
  std::vector<nlohmann::json> set_;
  std::vector<Case> cases_;
};

TEST_F(FormatsGoldenTest, Junit) { Check("junit.xml", JunitXml(cases_)); }
TEST_F(FormatsGoldenTest, Kcidb) {
  Check("kcidb.json", DumpJson(KcidbJson(cases_), 1) + "\n");
}
TEST_F(FormatsGoldenTest, Ktap) { Check("ktap.txt", Ktap(cases_)); }
TEST_F(FormatsGoldenTest, ReportHtml) {
  Check("report.html", ReportHtml(cases_));
}

}  // namespace
}  // namespace swapbench
