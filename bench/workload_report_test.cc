#include "bench/workload_report.h"

#include <gtest/gtest.h>

namespace swapbench {
namespace {

Scenario Parse(const std::string& text) {
  auto r = ParseScenario("name = \"x\"\n" + text, "t.toml");
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : Scenario{};
}

const char kTwoTenants[] = R"(
[[cgroup]]
name = "a"
memory_max_mib = 32
[[cgroup]]
name = "b"
memory_max_mib = 32
[[workload]]
name = "w"
kind = "writer"
cgroup = "a"
mib = 8
[[workload]]
name = "s"
kind = "stress-ng"
cgroup = "b"
args = ["--vm", "1", "--timeout", "5s"]
[[workload]]
name = "late"
kind = "hog"
cgroup = "b"
after = "w"
)";

Telemetry Feed(const std::vector<std::string>& lines) {
  Telemetry t;
  for (const auto& l : lines) EXPECT_TRUE(t.Feed(l)) << l;
  return t;
}

TEST(WorkloadReportTest, OutcomesFindingsAndUnmet) {
  Scenario sc = Parse(kTwoTenants);
  Telemetry t = Feed({
      R"({"t":3,"event":"workload_start","name":"w","kind":"writer","cgroup":"/a","pid":90})",
      R"({"t":3,"event":"workload_start","name":"s","kind":"stress-ng","cgroup":"/b","pid":91})",
      R"({"t":9,"event":"workload_exit","name":"w","kind":"writer","cgroup":"/a","pid":90,"status":"exited","code":1,"seconds":6,"bytes":8388608,"written_bytes":8388608,"verified_bytes":8384512,"corrupted_bytes":4096,"io_error":""})",
      R"({"t":9,"event":"workload_exit","name":"s","kind":"stress-ng","cgroup":"/b","pid":91,"status":"exited","code":2,"seconds":5})",
      R"({"t":10,"event":"hog_exit","status":"exited","code":1,"seconds":7})",
      R"({"t":10.1,"cgroup":"a","current":1048576,"swap":0,"low":0,"high":0,"max":3,"oom":0,"oom_kill":0,"anon":0,"file":1048576,"file_dirty":0,"file_writeback":0,"pgscan":5,"pgsteal":4,"workingset_refault":0})",
  });
  nlohmann::json w = WorkloadsJson(sc, t);
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[0]["verified_bytes"], 8384512);
  EXPECT_EQ(w[0]["cgroup"], "/a");
  EXPECT_EQ(w[1]["metrics"], nlohmann::json::array());
  EXPECT_EQ(w[2]["status"], "not started");
  // Guest seconds for the page's timeline.
  EXPECT_EQ(w[0]["start_s"], 3);
  EXPECT_EQ(w[0]["end_s"], 9);
  EXPECT_FALSE(w[2].contains("start_s"));
  nlohmann::json c = CgroupsJson(sc, t);
  EXPECT_EQ(c[0]["last"]["max"], 3);
  EXPECT_EQ(c[0]["peak_current_mib"], 1.0);
  EXPECT_EQ(c[0]["peak_swap_mib"], 0.0);
  EXPECT_EQ(c[1]["peak_current_mib"], nullptr);
  auto f = WorkloadFindings(t);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, "corruption");
  EXPECT_EQ(f[0].title,
            "writer w: 4096 bytes read back from the NFS export differ from "
            "what was written");
  EXPECT_EQ(WorkloadUnmet(sc, t),
            (std::vector<std::string>{
                "writer w verified 8384512 of 8388608 bytes",
                "stress-ng s exited 2 (its messages are on the console)",
                "stress-ng s printed no metrics line",
                "workload late never started"}));
}

TEST(WorkloadReportTest, OomVictimNamedWithDirtyMemory) {
  Scenario sc = Parse(kTwoTenants);
  Telemetry t = Feed({
      R"({"t":3,"event":"workload_start","name":"w","kind":"writer","cgroup":"/a","pid":90})",
      R"({"t":4.0,"seq":1,"phase":"hog","swap_total_kib":1024,"swap_free_kib":512,"nr_dirty":2560,"nr_writeback":512})",
      R"({"t":6.0,"seq":2,"phase":"hog","swap_total_kib":1024,"swap_free_kib":0,"nr_dirty":0,"nr_writeback":0})",
  });
  std::vector<Finding> f(2);
  f[0].kind = "memcg_oom_kill";
  f[0].title = "memcg OOM kill of writer";
  f[0].victim = "writer";
  f[0].pid = 90;
  f[0].kernel_time = 5.0;
  f[1].kind = "memcg_oom_kill";
  f[1].title = "memcg OOM kill of stress-ng-vm";
  f[1].victim = "stress-ng-vm";
  f[1].pid = 200;
  NameOomVictims(sc, t, &f);
  EXPECT_EQ(f[0].title,
            "memcg OOM kill of writer [workload w (writer) in /a] with 10.0 "
            "MiB dirty, 2.0 MiB under writeback");
  EXPECT_EQ(f[0].details["cgroup"], "/a");
  EXPECT_EQ(f[0].details["dirty_at_kill"]["swap_free_mib"], 0.5);
  EXPECT_EQ(f[1].title,
            "memcg OOM kill of stress-ng-vm [workload s (stress-ng) in /b]");
}

TEST(WorkloadReportTest, KnobsAsReadBack) {
  Telemetry t = Feed({
      R"({"t":3,"event":"knob","kind":"sysfs","name":"kernel/mm/lru_gen/enabled","path":"/sys/kernel/mm/lru_gen/enabled","set":"y","read":"0x0007"})",
  });
  EXPECT_EQ(KnobsJson(t)["sysfs"]["kernel/mm/lru_gen/enabled"]["read"],
            "0x0007");
  EXPECT_TRUE(KnobsJson(t)["sysctl"].empty());
}

}  // namespace
}  // namespace swapbench
