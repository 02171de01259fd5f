#include "bench/compare.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "bench/fs_util.h"

namespace swapbench {
namespace {

nlohmann::json R(const std::string& kernel, const std::string& verdict,
                 double mib_s, const std::string& scenario = "smoke") {
  return {
      {"schema", "swapbench.report/1"},
      {"scenario", scenario},
      {"seed", 1},
      {"kernel", {{"release", kernel}}},
      {"runs",
       {{{"verdict", verdict}, {"metrics", {{"swapout_mib_per_s", mib_s}}}}}}};
}

std::vector<nlohmann::json> Set(const std::string& kernel,
                                const std::vector<double>& mib_s,
                                const std::string& verdict = "pass") {
  std::vector<nlohmann::json> v;
  for (double x : mib_s) v.push_back(R(kernel, verdict, x));
  return v;
}

const nlohmann::json& Row(const nlohmann::json& c) { return c["rows"][0]; }

TEST(CompareTest, ClearDropWithRepeatsIsARegression) {
  auto c = Compare(Set("A", {7.2, 7.5, 7.4}), Set("B", {5.0, 5.3, 5.1}), {});
  EXPECT_EQ(c["verdict"], "regression");
  EXPECT_EQ(Row(c)["throughput"], "regression");
  EXPECT_EQ(Row(c)["transition"], "same");
  EXPECT_NEAR(Row(c)["delta"].get<double>(), (5.1 - 7.4) / 7.4, 1e-9);
}

TEST(CompareTest, NoiseDoesNotGate) {
  // Median down 12 %, but the ranges overlap.
  auto c = Compare(Set("A", {6.0, 7.4, 7.5}), Set("B", {6.5, 6.6, 7.6}), {});
  EXPECT_EQ(c["verdict"], "ok");
  EXPECT_EQ(Row(c)["throughput"], "same");
  // A big drop without repeats is not gated either.
  c = Compare(Set("A", {7.5}), Set("B", {3.0}), {});
  EXPECT_EQ(c["verdict"], "ok");
  EXPECT_EQ(Row(c)["throughput"], "not_gated");
  EXPECT_NE(Row(c)["throughput_reason"].get<std::string>().find("--repeat"),
            std::string::npos);
}

TEST(CompareTest, PassToFailIsARegressionFailToPassIsFixed) {
  auto c = Compare(Set("A", {7.0}), Set("B", {0}, "fail"), {});
  EXPECT_EQ(c["verdict"], "regression");
  EXPECT_EQ(Row(c)["transition"], "regression");
  c = Compare(Set("A", {0}, "fail"), Set("B", {7.0}), {});
  EXPECT_EQ(c["verdict"], "ok");
  EXPECT_EQ(Row(c)["transition"], "fixed");
  // A harness error on one side is reported, never a regression.
  c = Compare(Set("A", {7.0}), Set("B", {0}, "error"), {});
  EXPECT_EQ(c["verdict"], "ok");
  EXPECT_EQ(Row(c)["transition"], "error");
}

// A failing scenario that fails differently: a signature NEW has and BASE
// never had is the transition, and it gates.
TEST(CompareTest, ANewSignatureIsANewFinding) {
  auto with = [](const std::string& kernel,
                 const std::vector<nlohmann::json>& findings) {
    nlohmann::json r = R(kernel, "fail", 0);
    r["runs"][0]["findings"] = findings;
    return std::vector<nlohmann::json>{r};
  };
  nlohmann::json oom = {{"kind", "memcg_oom_kill"},
                        {"signature", "memcg_oom_kill: memcg OOM kill of hog"}};
  nlohmann::json stall = {
      {"kind", "alloc_failure"},
      {"signature", "alloc_failure GFP_ATOMIC in try_fill_recv [virtio_net]"}};
  auto c = Compare(with("A", {oom}), with("B", {oom, stall}), {});
  EXPECT_EQ(c["verdict"], "regression");
  EXPECT_EQ(Row(c)["transition"], "new_finding");
  EXPECT_EQ(Row(c)["new_signatures"],
            nlohmann::json::array(
                {"alloc_failure GFP_ATOMIC in try_fill_recv [virtio_net]"}));
  EXPECT_NE(CompareText(c).find("new finding: alloc_failure GFP_ATOMIC"),
            std::string::npos);
  // Fewer findings is not a new one.
  c = Compare(with("A", {oom, stall}), with("B", {oom}), {});
  EXPECT_EQ(Row(c)["transition"], "same");
  EXPECT_EQ(c["verdict"], "ok");
  // A base from before signatures: compared by kind.
  nlohmann::json old_oom = {{"kind", "memcg_oom_kill"}};
  c = Compare(with("A", {old_oom}), with("B", {oom}), {});
  EXPECT_EQ(Row(c)["transition"], "same");
}

TEST(CompareTest, FlakyIsNotARegressionAndCasesPairByScenario) {
  auto fresh = Set("B", {7.0, 7.1});
  fresh.push_back(R("B", "fail", 0));
  fresh.push_back(R("B", "pass", 7.0, "loss5"));
  auto c = Compare(Set("A", {7.0, 7.2, 7.1}), fresh, {});
  ASSERT_EQ(c["rows"].size(), 2u);
  EXPECT_EQ(Row(c)["new_verdict"], "flaky");
  EXPECT_EQ(Row(c)["transition"], "same");
  EXPECT_EQ(c["rows"][1]["transition"], "new");
  EXPECT_FALSE(CompareHtml(c).empty());
  EXPECT_NE(CompareText(c).find("verdict: ok"), std::string::npos);
}

// compare.html overlays BASE's and NEW's first attempts on one chart per
// metric, each clock starting where its workloads started.
TEST(CompareTest, HtmlOverlaysBothSidesFromTheWorkloadsStart) {
  auto with_series = [](nlohmann::json r, double hog_start) {
    auto& run = r["runs"][0];
    run["events"] = {{{"t", hog_start}, {"event", "hog_start"}}};
    run["series"] = {{"t", {hog_start - 1, hog_start, hog_start + 1}},
                     {"swapout_mib_s", {0.0, 5.0, 6.0}},
                     {"memory_current_mib", {10.0, 40.0, 48.0}}};
    return r;
  };
  std::vector<nlohmann::json> base = {with_series(R("A", "pass", 7), 6.0)};
  std::vector<nlohmann::json> fresh = {with_series(R("B", "pass", 6), 9.5)};
  std::string h = CompareHtml(Compare(base, fresh, {}), base, fresh);
  EXPECT_NE(h.find("<a href=\"#smoke-seed-1\">smoke seed 1</a>"),
            std::string::npos);
  EXPECT_NE(h.find("<h2 id=\"smoke-seed-1\">"), std::string::npos);
  // swap-out and memory.current: the metrics the runs have.
  EXPECT_NE(h.find("data-title=\"swap-out\""), std::string::npos);
  EXPECT_NE(h.find("data-title=\"memory.current\""), std::string::npos);
  EXPECT_EQ(h.find("data-title=\"link to guest\""), std::string::npos);
  // Both sides' points at -1, 0, +1 s from their own hog start: the same
  // x pixels, and the new side dashed.
  auto path = [&](const std::string& series) {
    size_t at = h.find("data-series=\"" + series + "\"><path");
    EXPECT_NE(at, std::string::npos) << series;
    at = h.find(" d=\"", at);
    return h.substr(at, h.find('"', at + 4) - at);
  };
  auto xs = [](const std::string& d) {
    std::vector<std::string> out;
    for (size_t at = d.find_first_of("ML"); at != std::string::npos;
         at = d.find_first_of("ML", at + 1))
      out.push_back(d.substr(at + 1, d.find(' ', at + 1) - at - 1));
    return out;
  };
  EXPECT_EQ(xs(path("base A")), xs(path("new B")));
  EXPECT_EQ(xs(path("base A")).size(), 3u);
  EXPECT_NE(h.find("data-series=\"new B\"><path class=\"series\" "
                   "fill=\"none\" stroke=\"#c33\" stroke-width=\"1.6\" "
                   "stroke-dasharray"),
            std::string::npos);
  EXPECT_NE(h.find("s since the workloads started"), std::string::npos);
}

TEST(CompareTest, LoadReportSetFindsReportsBelowADirectory) {
  std::string dir = testing::TempDir() + "/cmpset";
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(MakeDirs(dir + "/smoke.a1").ok());
  ASSERT_TRUE(MakeDirs(dir + "/smoke.a2").ok());
  ASSERT_TRUE(
      WriteFile(dir + "/smoke.a1/report.json", R("A", "pass", 7).dump()).ok());
  ASSERT_TRUE(
      WriteFile(dir + "/smoke.a2/report.json", R("A", "pass", 7.2).dump())
          .ok());
  auto set = LoadReportSet(dir);
  ASSERT_TRUE(set.ok()) << set.status().message();
  EXPECT_EQ(set->size(), 2u);
  ASSERT_TRUE(WriteFile(dir + "/smoke.a2/report.json", "{\"not\": 1}").ok());
  EXPECT_EQ(LoadReportSet(dir).status().kind(), Status::Kind::kUsage);
  EXPECT_EQ(LoadReportSet(dir + "/none").status().kind(), Status::Kind::kUsage);
}

}  // namespace
}  // namespace swapbench
