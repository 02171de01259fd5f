#include "bench/report.h"

#include <gtest/gtest.h>

namespace swapbench {
namespace {

TEST(ReportTest, ContractKeys) {
  // The keys other tools read (issue "The spine", report.json contract).
  Report r;
  r.scenario = "smoke";
  r.seed = 1;
  r.kernel_release = "6.1.0-54-amd64";
  r.kernel_source = "debian:linux-image-6.1.0-54-amd64 6.1.190-1";
  RunReport u;
  u.verdict = Verdict::kFail;
  u.duration_s = 47.2;
  u.swap_activated = true;
  u.swap_device = "/mnt/swapfile";
  u.swap_type = "nfs4.1";
  u.pswpout = 32833;
  u.pswpin = 32775;
  u.swapout_mib_per_s = 4.5;
  u.pages_verified = 10;
  u.pages_corrupted = 0;
  u.link.to_guest = {100, 5, 1000};
  u.link.to_server = {200, 6, 2000};
  Finding f;
  f.kind = "memcg_oom_kill";
  f.title = "memcg OOM kill of hog";
  f.victim = "hog";
  f.console_line = 447;
  u.findings.push_back(f);
  r.runs.push_back(u);
  r.verdict = OverallVerdict(r.runs);
  nlohmann::json j = ReportJson(r);
  EXPECT_EQ(j["schema"], "swapbench.report/1");
  EXPECT_EQ(j["verdict"], "fail");
  EXPECT_EQ(j["scenario"], "smoke");
  EXPECT_EQ(j["seed"], 1);
  EXPECT_EQ(j["kernel"]["release"], "6.1.0-54-amd64");
  EXPECT_EQ(j["kernel"]["source"],
            "debian:linux-image-6.1.0-54-amd64 6.1.190-1");
  const auto& run = j["runs"][0];
  EXPECT_EQ(run["verdict"], "fail");
  EXPECT_DOUBLE_EQ(run["duration_s"].get<double>(), 47.2);
  EXPECT_EQ(run["swap"]["device"], "/mnt/swapfile");
  EXPECT_EQ(run["swap"]["type"], "nfs4.1");
  EXPECT_EQ(run["swap"]["activated"], true);
  EXPECT_EQ(run["metrics"]["pswpout"], 32833);
  EXPECT_EQ(run["metrics"]["pswpin"], 32775);
  EXPECT_DOUBLE_EQ(run["metrics"]["swapout_mib_per_s"].get<double>(), 4.5);
  EXPECT_EQ(run["integrity"]["pages_verified"], 10);
  EXPECT_EQ(run["integrity"]["pages_corrupted"], 0);
  EXPECT_EQ(run["link"]["to_guest"]["frames"], 100);
  EXPECT_EQ(run["link"]["to_guest"]["dropped"], 5);
  EXPECT_EQ(run["link"]["to_server"]["frames"], 200);
  EXPECT_EQ(run["link"]["to_server"]["dropped"], 6);
  EXPECT_EQ(run["findings"][0]["kind"], "memcg_oom_kill");
  EXPECT_EQ(run["findings"][0]["title"], "memcg OOM kill of hog");
  EXPECT_EQ(run["findings"][0]["victim"], "hog");
  EXPECT_EQ(run["findings"][0]["console_line"], 447);
}

TEST(ReportTest, OverallVerdict) {
  RunReport pass, fail, error;
  pass.verdict = Verdict::kPass;
  fail.verdict = Verdict::kFail;
  error.verdict = Verdict::kError;
  EXPECT_EQ(OverallVerdict({}), Verdict::kError);
  EXPECT_EQ(OverallVerdict({pass, pass}), Verdict::kPass);
  EXPECT_EQ(OverallVerdict({pass, fail}), Verdict::kFail);
  EXPECT_EQ(OverallVerdict({fail, error}), Verdict::kError);
}

}  // namespace
}  // namespace swapbench

namespace swapbench {
namespace {

TEST(ReportTest, ComparisonTable) {
  Report a, b;
  a.scenario = "baseline-nfs41";
  b.scenario = "baseline-nbd";
  RunReport u;
  u.verdict = Verdict::kPass;
  u.swap_type = "nfs4.1";
  u.swapout_mib_per_s = 5.9;
  u.swapin_mib_per_s = 4.25;
  u.hog_seconds = 26.3;
  u.duration_s = 41.1;
  a.runs.push_back(u);
  u.swap_type = "nbd";
  u.swapout_mib_per_s = 11.5;
  b.runs.push_back(u);
  EXPECT_EQ(Comparison({a, b}),
            "scenario                 verdict swap     swap-out MiB/s  swap-in "
            "MiB/s     hog s "
            "duration s\n"
            "baseline-nfs41           pass    nfs4.1             5.90          "
            " 4.25      26.3 "
            "      41.1\n"
            "baseline-nbd             pass    nbd               11.50          "
            " 4.25      26.3 "
            "      41.1\n");
}

}  // namespace
}  // namespace swapbench
