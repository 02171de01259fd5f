// The qualification on made-up reports: cases per check and NIC, the
// flood tolerance from the series, the outage's "how", n/a for a driver
// that cannot take jumbo frames.
#include "bench/qualify.h"

#include <gtest/gtest.h>

namespace swapbench {
namespace {

using Json = nlohmann::json;

Scenario Named(const std::string& name, int mtu = 1500) {
  Scenario s;
  s.name = name;
  s.path = name + ".toml";
  s.vm.mtu = mtu;
  return s;
}

TEST(QualifyTest, CasesPerCheckAndNicJumboOnlyWhereTheDriverTakesIt) {
  std::vector<Scenario> suite = {Named("baseline"), Named("loss"),
                                 Named("flood"), Named("outage"),
                                 Named("jumbo", 9000)};
  std::vector<std::pair<std::string, std::string>> skipped;
  auto r = SuiteCases(suite, {"e1000", "pcnet"}, {}, &skipped);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 9u);
  EXPECT_EQ((*r)[0].name, "baseline[vm.nic=e1000]");
  EXPECT_EQ((*r)[8].name, "jumbo[vm.nic=e1000]");
  ASSERT_EQ(skipped.size(), 1u);
  EXPECT_EQ(skipped[0].first, "jumbo/pcnet");
  EXPECT_EQ(skipped[0].second, "pcnet32 takes MTU 1500 at most");
  skipped.clear();
  r = SuiteCases(suite, {"virtio"}, {"flood"}, &skipped);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ(r->front().name, "flood[vm.nic=virtio]");
  EXPECT_EQ(
      SuiteCases(suite, {"virtio"}, {"speed"}, &skipped).status().message(),
      "--check speed: no such check (one of baseline, flood, jumbo, "
      "loss, outage)");
  EXPECT_EQ(SuiteCases({Named("baseline")}, {"virtio"}, {"loss"}, &skipped)
                .status()
                .message(),
            "qualify: the suite has no scenario named loss");
}

// A flood run: hog starts at t=2; 4 s before the ramp, then two 4 s steps.
Json FloodReport(const std::string& nic, double second_step_rate) {
  Json t = Json::array(), out = t, in = t, rxd = t, pfm = t;
  for (int i = 0; i <= 14; ++i) {
    double ti = 2 + i;
    t.push_back(ti);
    double rate = ti <= 6 ? 10 : ti <= 10 ? 6 : second_step_rate;
    out.push_back(rate / 2);
    in.push_back(rate / 2);
    rxd.push_back(ti <= 10 ? 0 : (ti - 10) * 100);
    pfm.push_back(ti <= 10 ? 0 : 7);
  }
  Json run = {
      {"verdict", "pass"},
      {"metrics", {{"swapout_mib_per_s", 5.0}, {"swapin_mib_per_s", 5.0}}},
      {"integrity", {{"pages_corrupted", 0}}},
      {"events", {{{"event", "hog_start"}, {"t", 2.0}}}},
      {"nic",
       {{"driver", nic == "virtio" ? "virtio_net" : nic},
        {"version", "1.0.0"},
        {"pci_id", "1af4:1000"}}},
      {"link",
       {{"floods",
         {{{"name", "ramp-1000"}, {"pps", 1000}, {"at_s", 4}, {"for_s", 4}},
          {{"name", "ramp-4000"}, {"pps", 4000}, {"at_s", 8}, {"for_s", 4}}}}}},
      {"series",
       {{"t", t},
        {"swapout_mib_s", out},
        {"swapin_mib_s", in},
        {"rx_dropped", rxd},
        {"pfmemalloc_drop", pfm}}},
      {"findings", Json::array()}};
  return {{"scenario", "flood[vm.nic=" + nic + "]"}, {"runs", {run}}};
}

TEST(QualifyTest, FloodToleranceIsTheLastStepSwapKeptTenPercentThrough) {
  Json q = QualifyJson({FloodReport("virtio", 5), FloodReport("e1000", 0.5)},
                       {"virtio", "e1000"}, {}, {{"kernel", "k"}});
  const Json& v = q["drivers"]["virtio"]["checks"]["flood"];
  EXPECT_EQ(v["outcome"], "pass");
  EXPECT_EQ(v["flood"]["pre_flood_swap_mib_s"], 10.0);
  EXPECT_EQ(v["flood"]["tolerance_pps"], 4000.0);
  EXPECT_EQ(v["flood"]["steps"][0]["swap_mib_s"], 6.0);
  EXPECT_EQ(v["flood"]["steps"][1]["rx_dropped"], 400);
  EXPECT_EQ(v["flood"]["steps"][1]["pfmemalloc_drop"], 7);
  // e1000's swap fell under 10 % at 4000 frames/s: tolerance 1000 < 2000.
  const Json& e = q["drivers"]["e1000"]["checks"]["flood"];
  EXPECT_EQ(e["flood"]["tolerance_pps"], 1000.0);
  EXPECT_EQ(e["outcome"], "fail");
  EXPECT_EQ(q["drivers"]["e1000"]["verdict"], "fail");
  EXPECT_EQ(q["drivers"]["virtio"]["verdict"], "pass");
  EXPECT_EQ(q["drivers"]["virtio"]["driver"], "virtio_net");
  EXPECT_EQ(q["verdict"], "fail");
  EXPECT_EQ(q["kernel"], "k");
  // The hog ended inside the second step: not judged, the tolerance is a
  // floor under the threshold, the check cannot say.
  Json early = FloodReport("virtio", 5);
  early["runs"][0]["events"].push_back({{"event", "hog_exit"}, {"t", 13.0}});
  Json qe = QualifyJson({early}, {"virtio"}, {}, {});
  const Json& fe = qe["drivers"]["virtio"]["checks"]["flood"];
  EXPECT_EQ(fe["flood"]["steps"][1]["swap_kept"], nullptr);
  EXPECT_EQ(fe["flood"]["ramp_completed"], false);
  EXPECT_EQ(fe["flood"]["tolerance_pps"], 1000.0);
  EXPECT_EQ(fe["outcome"], "error");
  std::string html = QualifyHtml(q);
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("<td class='fail'>fail: 1000 pps</td>"),
            std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
}

TEST(QualifyTest, OutageSaysHowItWedgedAndWhichDriver) {
  Json run = {{"verdict", "fail"},
              {"findings",
               {{{"kind", "alloc_failure"},
                 {"signature",
                  "alloc_failure GFP_ATOMIC in try_fill_recv [virtio_net]"},
                 {"driver", "virtio_net"}},
                {{"kind", "swap_stall"}, {"signature", "swap_stall"}}}}};
  Json q =
      QualifyJson({{{"scenario", "outage[vm.nic=virtio]"}, {"runs", {run}}}},
                  {"virtio"}, {{"jumbo/virtio", "x"}}, {});
  const Json& o = q["drivers"]["virtio"]["checks"]["outage"];
  EXPECT_EQ(o["outcome"], "fail");
  EXPECT_EQ(o["how"],
            "wedged: alloc_failure GFP_ATOMIC in try_fill_recv [virtio_net]; "
            "swap_stall");
  EXPECT_EQ(o["drivers_named"], Json({"virtio_net"}));
  EXPECT_EQ(q["drivers"]["virtio"]["checks"]["jumbo"]["outcome"], "n/a");
  run["verdict"] = "error";
  q = QualifyJson({{{"scenario", "outage[vm.nic=virtio]"}, {"runs", {run}}}},
                  {"virtio"}, {}, {});
  EXPECT_EQ(q["drivers"]["virtio"]["checks"]["outage"]["outcome"], "error");
}

}  // namespace
}  // namespace swapbench
