#include "bench/verdict.h"

#include <gtest/gtest.h>

#include "bench/telemetry.h"
#include "images/agent/protocol.h"

namespace swapbench {
namespace {

// Telemetry lines as the agent writes them (shape of a real smoke run).
Telemetry SmokeTelemetry() {
  Telemetry t;
  for (
      const char* l : {
          R"({"t":6.491,"event":"swapon","device":"/mnt/swapfile"})",
          R"({"t":6.4,"seq":1,"phase":"swapon","pswpin":0,"pswpout":0,"swap_total_kib":262140,"swap_free_kib":262140,"hog_pages":0,"hog_written":0,"hog_verified":0,"hog_corrupted":0})",
          R"({"t":6.519,"event":"hog_start","pid":108,"pages":32768,"seed":1})",
          R"({"t":20.0,"seq":50,"phase":"hog","pswpin":100,"pswpout":30000,"swap_total_kib":262140,"swap_free_kib":142140,"hog_pages":32768,"hog_written":32768,"hog_verified":10,"hog_corrupted":0})",
          R"({"t":35.035,"event":"hog_exit","pid":108,"status":"exited","code":0,"seconds":28.5,"written":32768,"verified":32768,"corrupted":0})",
          R"({"t":35.3,"seq":99,"phase":"done","pswpin":32775,"pswpout":32833,"swap_total_kib":262140,"swap_free_kib":200000,"hog_pages":32768,"hog_written":32768,"hog_verified":32768,"hog_corrupted":0})",
          R"({"t":35.4,"event":"poweroff"})",
      })
    EXPECT_TRUE(t.Feed(l)) << l;
  return t;
}

TEST(SummarizeTest, SmokeRun) {
  RunReport run;
  Summarize(SmokeTelemetry(), &run);
  EXPECT_EQ(run.pswpout, 32833);
  EXPECT_EQ(run.pswpin, 32775);
  EXPECT_EQ(run.pages_verified, 32768);
  EXPECT_EQ(run.hog_pages, 32768);
  EXPECT_EQ(run.pages_corrupted, 0);
  EXPECT_EQ(run.hog_status, "exited 0");
  EXPECT_EQ(run.swap_used_kib_max, 120000);
  // From hog start (no sample at the baseline after it) to the first sample
  // at the final count.
  EXPECT_NEAR(run.swapout_mib_per_s,
              32833 * 4096.0 / (1 << 20) / (35.3 - 6.519), 1e-9);
}

TEST(SummarizeTest, KilledHog) {
  Telemetry t;
  t.Feed(R"({"t":1,"event":"hog_start","pid":5,"pages":100})");
  t.Feed(
      R"({"t":2,"event":"hog_exit","pid":5,"status":"killed","signal":9,"seconds":1.0,"written":60,"verified":0,"corrupted":0})");
  RunReport run;
  Summarize(t, &run);
  EXPECT_EQ(run.hog_status, "killed by signal 9");
  EXPECT_EQ(run.pages_written, 60);
}

TEST(SummarizeTest, TornLinesAreCountedNotFatal) {
  Telemetry t;
  EXPECT_FALSE(t.Feed(R"({"t":1,"seq":1,"pha)"));
  EXPECT_EQ(t.garbage(), 1);
  RunReport run;
  Summarize(t, &run);
  EXPECT_EQ(run.hog_status, "not started");
}

Scenario SmokeScenario() {
  auto s =
      ParseScenario("name = \"s\"\n[expect]\nmin_pswpout = 30000\n", "s.toml");
  return *s;
}

TEST(CheckExpectationsTest, SmokeHolds) {
  RunReport run;
  Summarize(SmokeTelemetry(), &run);
  run.swap_activated = true;
  CheckExpectations(SmokeScenario(), &run);
  EXPECT_TRUE(run.unmet.empty()) << run.unmet[0];
}

TEST(CheckExpectationsTest, ReportsEachUnmet) {
  auto sc = ParseScenario(
      "name = \"s\"\n[expect]\nmin_pswpout = 50000\nmin_dropped_to_guest = 1\n"
      "findings = [\"memcg_oom_kill\"]\n",
      "s.toml");
  ASSERT_TRUE(sc.ok());
  RunReport run;
  Summarize(SmokeTelemetry(), &run);
  CheckExpectations(*sc, &run);
  ASSERT_EQ(run.unmet.size(), 4u);
  EXPECT_EQ(run.unmet[0], "swap was not activated");
  EXPECT_EQ(run.unmet[1], "pswpout 32833 < expected minimum 50000");
  EXPECT_EQ(run.unmet[2], "link.to_guest.dropped 0 < expected minimum 1");
  EXPECT_EQ(run.unmet[3], "expected finding memcg_oom_kill did not occur");
}

TEST(CheckExpectationsTest, UnverifiedPages) {
  RunReport run;
  run.swap_activated = true;
  run.hog_pages = 100;
  run.pages_verified = 99;
  CheckExpectations(*ParseScenario("name = \"s\"\n", "s.toml"), &run);
  ASSERT_EQ(run.unmet.size(), 1u);
  EXPECT_EQ(run.unmet[0], "pages_verified 99 != hog pages 100");
}

}  // namespace
}  // namespace swapbench

namespace swapbench {
namespace {

TEST(SummarizeTest, RateCoversOnlyTheWindowWhereTheCounterMoved) {
  Telemetry t;
  t.Feed(R"({"t":0.5,"event":"hog_start","pid":5,"pages":256})");
  for (auto [time, out, in] :
       std::vector<std::tuple<double, int, int>>{{1, 0, 0},
                                                 {2, 128, 0},
                                                 {3, 256, 0},
                                                 {4, 256, 0},
                                                 {5, 256, 64},
                                                 {7, 256, 128},
                                                 {10, 256, 128}}) {
    char line[256];
    snprintf(
        line, sizeof(line),
        R"({"t":%g,"seq":1,"phase":"hog","pswpin":%d,"pswpout":%d,"hog_pages":256})",
        time, in, out);
    ASSERT_TRUE(t.Feed(line));
  }
  RunReport run;
  Summarize(t, &run);
  // 256 pages (1 MiB) out between t=1 and t=3; 128 pages (0.5 MiB) in between
  // t=4 and t=7.
  EXPECT_DOUBLE_EQ(run.swapout_mib_per_s, 1.0 / 2);
  EXPECT_DOUBLE_EQ(run.swapin_mib_per_s, 0.5 / 3);
}

}  // namespace
}  // namespace swapbench

namespace swapbench {
namespace {

Telemetry KillTelemetry(int cg_oom_kill, int vm_oom_kill) {
  Telemetry t;
  t.Feed(
      R"({"t":11.5,"seq":1,"phase":"hog","pswpout":4509,"swap_total_kib":262140,"swap_free_kib":194928,"vm_oom_kill":0,"cg_oom_kill":0})");
  t.Feed(
      R"({"t":12.0,"seq":2,"phase":"hog","pswpout":4509,"swap_total_kib":262140,"swap_free_kib":200000,"vm_oom_kill":)" +
      std::to_string(vm_oom_kill) + R"(,"cg_oom_kill":)" +
      std::to_string(cg_oom_kill) + "}");
  return t;
}

Finding ConsoleKill(double t) {
  Finding f;
  f.kind = "memcg_oom_kill";
  f.title = "memcg OOM kill of hog";
  f.kernel_time = t;
  return f;
}

TEST(CrossCheckOomTest, AgreeingCountsAndSwapAtTheKill) {
  Telemetry t = KillTelemetry(1, 1);
  RunReport run;
  run.findings.push_back(ConsoleKill(11.68));
  CrossCheckOom(t, &run);
  ASSERT_EQ(run.findings.size(), 1u);
  EXPECT_EQ(run.findings[0].title,
            "memcg OOM kill of hog while swap had free space (65 of 255 MiB "
            "used)");
  EXPECT_EQ(run.findings[0].details["swap_at_kill"]["used_kib"], 67212);
  EXPECT_EQ(run.oom_cross_check["agree"], true);
  EXPECT_EQ(run.oom_cross_check["memory_events_oom_kill"], 1);
}

TEST(CrossCheckOomTest, KillTheConsoleMissedIsStillAFinding) {
  Telemetry t = KillTelemetry(2, 2);
  RunReport run;
  run.findings.push_back(ConsoleKill(11.68));
  CrossCheckOom(t, &run);
  EXPECT_EQ(run.oom_cross_check["agree"], false);
  EXPECT_EQ(run.oom_cross_check["disagreements"].size(), 2u);
  ASSERT_EQ(run.findings.size(), 2u);
  EXPECT_EQ(run.findings[1].kind, "memcg_oom_kill");
  EXPECT_NE(run.findings[1].title.find("not shown on the console"),
            std::string::npos);
}

TEST(CrossCheckOomTest, GlobalKillOnlyInVmstat) {
  Telemetry t;
  t.Feed(R"({"t":5,"seq":1,"phase":"hog","vm_oom_kill":1,"cg_oom_kill":-1})");
  RunReport run;
  CrossCheckOom(t, &run);
  ASSERT_EQ(run.findings.size(), 1u);
  EXPECT_EQ(run.findings[0].kind, "oom_kill");
  EXPECT_FALSE(run.oom_cross_check.contains("memory_events_oom_kill"));
}

}  // namespace
}  // namespace swapbench

namespace swapbench {
namespace {

TEST(MarkFaultsInForceTest, FindingDuringAStall) {
  std::vector<FaultSpan> spans = {{FaultKind::kServerStall, 30, 9.7, 54.7}};
  std::vector<Finding> f(3);
  f[0].kernel_time = 10.74;
  f[1].kernel_time = 60;  // after the stall
  f[2].kernel_time = -1;  // not from the console
  MarkFaultsInForce(spans, &f);
  EXPECT_EQ(f[0].details["during_fault"], "server_stall, 1.0 s after it began");
  EXPECT_FALSE(f[1].details.contains("during_fault"));
  EXPECT_FALSE(f[2].details.contains("during_fault"));
}

}  // namespace
}  // namespace swapbench

namespace swapbench {
namespace {

TEST(CrossCheckOomTest, NearlyFullSwapIsNotCalledFree) {
  Telemetry t;
  t.Feed(
      R"({"t":5,"seq":1,"phase":"hog","swap_total_kib":65532,"swap_free_kib":1000,"vm_oom_kill":1,"cg_oom_kill":1})");
  RunReport run;
  run.findings.push_back(ConsoleKill(5.5));
  CrossCheckOom(t, &run);
  EXPECT_EQ(run.findings[0].title,
            "memcg OOM kill of hog with swap nearly full (63 of 63 MiB used)");
}

}  // namespace
}  // namespace swapbench

namespace swapbench {
namespace {

// The agent writes every sample field named in images/agent/protocol.h;
// the host parses each one it keeps into the same-named Sample member.
TEST(TelemetryProtocolTest, EverySampleFieldTheAgentWritesIsParsed) {
  using namespace protocol;
  std::string line = R"({"t":1.5,"seq":3,"phase":"hog")";
  for (int f = 0; f < kSampleFields; ++f)
    line += ",\"" + std::string(kSampleFieldNames[f]) +
            "\":" + std::to_string(100 + f);
  line += "}";
  Telemetry t;
  ASSERT_TRUE(t.Feed(line));
  ASSERT_EQ(t.samples().size(), 1u);
  const Sample& s = t.samples()[0];
  EXPECT_EQ(s.phase, "hog");
  EXPECT_EQ(s.pswpin, 100 + kPswpin);
  EXPECT_EQ(s.pswpout, 100 + kPswpout);
  EXPECT_EQ(s.swap_total_kib, 100 + kSwapTotalKib);
  EXPECT_EQ(s.swap_free_kib, 100 + kSwapFreeKib);
  EXPECT_EQ(s.cg_oom_kill, 100 + kCgOomKill);
  EXPECT_EQ(s.rpc_retrans, 100 + kRpcRetrans);
  EXPECT_EQ(s.pfmemalloc_drop, 100 + kPfmemallocDrop);
  EXPECT_EQ(s.icmp_in_echos, 100 + kIcmpInEchos);
  EXPECT_EQ(s.hog_pages, 100 + kHogPages);
  EXPECT_EQ(s.hog_corrupted, 100 + kHogCorrupted);
}

}  // namespace
}  // namespace swapbench

namespace swapbench {
namespace {

// A torn or hostile event line loses the field of the wrong type or is
// garbage; the verdict never throws on it (telemetry_fuzzer found
// {"event": 1} aborting the run).
TEST(TelemetryProtocolTest, EventsOfTheWrongShapeNeverThrow) {
  Telemetry t;
  EXPECT_FALSE(t.Feed(R"({"event":1})"));
  EXPECT_FALSE(t.Feed(R"({"event":null,"t":1})"));
  EXPECT_TRUE(t.Feed(R"({"t":"x","event":"hog_start","pages":"many"})"));
  EXPECT_TRUE(t.Feed(
      R"({"t":5,"event":"hog_exit","status":7,"signal":"KILL","seconds":"long","written":[1],"verified":1.5,"corrupted":null})"));
  EXPECT_TRUE(t.Feed(R"({"t":6,"event":"swapon","device":{"a":1}})"));
  EXPECT_TRUE(
      t.Feed(R"({"t":7,"event":"error","step":1,"error":2,"detail":3})"));
  EXPECT_EQ(t.garbage(), 2);
  RunReport run;
  EXPECT_NO_THROW(Summarize(t, &run));
  EXPECT_NO_THROW(CrossCheckOom(t, &run));
  EXPECT_EQ(run.hog_status, "exited -1");
  Observation o;
  o.telemetry = t;
  Scenario sc;
  EXPECT_NO_THROW(Judge(sc, o, &run));
  EXPECT_EQ(run.error, "guest setup failed at ?:  ()");
}

}  // namespace
}  // namespace swapbench
