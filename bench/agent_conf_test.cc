// The host writes /etc/swapbench.conf (testbed.cc AgentConf); the agent
// reads it with images/agent/agent_config.h. Here both ends meet: what a
// scenario says is what the agent will set up.
#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "bench/testbed.h"
#include "bench/testing.h"
#include "images/agent/agent_config.h"

namespace swapbench {
namespace {

using testing::FakeEnv;
using testing::FakeStorage;
using testing::Journal;

agent::GuestPlan PlanOf(const std::string& conf) {
  agent::GuestPlan g;
  std::istringstream in(conf);
  std::string line;
  while (std::getline(in, line)) {
    size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    agent::PlanLine(&g, line.substr(0, eq).c_str(),
                    line.substr(eq + 1).c_str());
  }
  return g;
}

Scenario Parse(const std::string& text) {
  auto r = ParseScenario("name = \"x\"\n" + text, "t.toml");
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : Scenario{};
}

TEST(AgentConfTest, CgroupsWorkloadsAndKnobsReachTheAgent) {
  Scenario sc = Parse(R"(
[[cgroup]]
name = "top"
memory_max_mib = 96
oom_group = true
[[cgroup]]
name = "a"
parent = "top"
memory_low_mib = 32
swap_max_mib = 0
[[workload]]
name = "w"
kind = "writer"
cgroup = "a"
mib = 8
block_kib = 64
direct = true
fsync = "every_mib 2"
[[workload]]
name = "h"
kind = "hog"
cgroup = "a"
pattern = "zipf"
zipf_s = 1.25
passes = 2
threads = 3
after = "w"
after_mib = 4
[[workload]]
name = "s"
kind = "stress-ng"
start_at_s = 1.5
args = ["--vm", "1", "--timeout", "5s"]
[guest.sysctl]
"vm.dirty_bytes" = 209715200
[guest.sysfs]
"kernel/mm/lru_gen/enabled" = "y"
)");
  Journal journal;
  FakeEnv env(&journal);
  FakeStorage storage(&env, &journal, StorageParams{});
  agent::GuestPlan g = PlanOf(AgentConf(sc, 9, storage));

  ASSERT_EQ(g.ncgroups, 2);
  EXPECT_STREQ(g.cgroups[0].path, "/top");
  EXPECT_EQ(g.cgroups[0].max, 96LL << 20);
  EXPECT_EQ(g.cgroups[0].oom_group, 1);
  EXPECT_EQ(g.cgroups[0].has_children, 1);  // memory goes to /top/a
  EXPECT_STREQ(g.cgroups[1].path, "/top/a");
  EXPECT_EQ(g.cgroups[1].low, 32LL << 20);
  EXPECT_EQ(g.cgroups[1].swap_max, 0);
  EXPECT_EQ(g.cgroups[1].max, -1);  // unset: left alone
  EXPECT_EQ(g.cgroups[1].has_children, 0);

  ASSERT_EQ(g.nworkloads, 3);
  const agent::WorkloadConf& w = g.workloads[0];
  EXPECT_STREQ(w.kind, "writer");
  EXPECT_STREQ(w.cgroup, "/top/a");
  EXPECT_EQ(w.bytes, 8LL << 20);
  EXPECT_EQ(w.block, 64 << 10);
  EXPECT_EQ(w.direct, 1);
  EXPECT_STREQ(w.fsync, "every");
  EXPECT_EQ(w.fsync_every, 2LL << 20);
  const agent::WorkloadConf& h = g.workloads[1];
  EXPECT_STREQ(h.pattern, "zipf");
  EXPECT_DOUBLE_EQ(h.zipf_s, 1.25);
  EXPECT_EQ(h.passes, 2);
  EXPECT_EQ(h.threads, 3);
  EXPECT_EQ(h.after, 0);
  EXPECT_EQ(h.after_bytes, 4LL << 20);
  EXPECT_NE(h.seed, w.seed);  // each workload its own stream
  const agent::WorkloadConf& s = g.workloads[2];
  EXPECT_STREQ(s.cgroup, "");  // the root
  EXPECT_EQ(s.start_ms, 1500);
  EXPECT_EQ(s.after, -1);
  EXPECT_STREQ(s.args, "--vm 1 --timeout 5s");

  ASSERT_EQ(g.nknobs, 2);
  EXPECT_STREQ(g.knobs[0].path, "/proc/sys/vm/dirty_bytes");
  EXPECT_STREQ(g.knobs[0].value, "209715200");
  EXPECT_EQ(g.knobs[1].sysfs, 1);
  EXPECT_STREQ(g.knobs[1].path, "/sys/kernel/mm/lru_gen/enabled");
  EXPECT_STREQ(g.knobs[1].value, "y");
}

TEST(AgentConfTest, TheHogOfOldKeepsItsSeedStream) {
  Scenario sc = Parse("[cgroup]\nmemory_max_mib = 48\n");
  Journal journal;
  FakeEnv env(&journal);
  FakeStorage storage(&env, &journal, StorageParams{});
  agent::GuestPlan g = PlanOf(AgentConf(sc, 1, storage));
  ASSERT_EQ(g.nworkloads, 1);
  EXPECT_EQ(g.workloads[0].seed, Rng::ForStream(1, "hog").Next());
  EXPECT_STREQ(g.workloads[0].cgroup, "/hog");
}

// The workloads hold at their start when anything counts from it, and at
// each fault's hog progress (once per point, ascending); a scenario with
// nothing timed has no holds.
TEST(AgentConfTest, HoldsWhereTheBenchActs) {
  Journal journal;
  FakeEnv env(&journal);
  FakeStorage storage(&env, &journal, StorageParams{});
  agent::GuestPlan g = PlanOf(AgentConf(Parse(R"(
[[fault]]
kind = "server_stall"
after_hog_mib = 64
duration_s = 5
[[fault]]
kind = "server_restart"
after_hog_mib = 32
[[fault]]
kind = "server_slow"
after_hog_mib = 64
duration_s = 5
rate_kbit = 800
[[fault]]
kind = "server_restart"
at_s = 9
)"),
                                        1, storage));
  EXPECT_EQ(g.hold_start, 1);
  ASSERT_EQ(g.nholds, 2);
  EXPECT_EQ(g.hold_pages[0], 8192u);
  EXPECT_EQ(g.hold_pages[1], 16384u);

  g = PlanOf(AgentConf(Parse("[workload]\nhog_mib = 64\n"), 1, storage));
  EXPECT_EQ(g.hold_start, 0);
  EXPECT_EQ(g.nholds, 0);

  g = PlanOf(
      AgentConf(Parse("[[flood]]\nkind = \"udp\"\npps = 10\n"), 1, storage));
  EXPECT_EQ(g.hold_start, 1);
  EXPECT_EQ(g.nholds, 0);

  // A recorded run does not hold (its replay could not be released).
  g = PlanOf(AgentConf(Parse("[[flood]]\nkind = \"udp\"\npps = 10\n"), 1,
                       storage, /*holds=*/false));
  EXPECT_EQ(g.hold_start, 0);

  agent::GuestPlan junk;
  EXPECT_TRUE(agent::PlanLine(&junk, "hold", "12x"));
  EXPECT_TRUE(agent::PlanLine(&junk, "hold", ""));
  EXPECT_EQ(junk.nholds, 0);
}

TEST(AgentConfTest, KnobNamesStayUnderTheirRoot) {
  agent::KnobConf k;
  EXPECT_FALSE(agent::ParseKnob("vm/../../etc 1", 0, &k));
  EXPECT_FALSE(agent::ParseKnob("/etc/x 1", 1, &k));
  EXPECT_FALSE(agent::ParseKnob("novalue", 0, &k));
  ASSERT_TRUE(agent::ParseKnob("net.ipv4.tcp_rmem 4096 8192 16384", 0, &k));
  EXPECT_STREQ(k.path, "/proc/sys/net/ipv4/tcp_rmem");
  EXPECT_STREQ(k.value, "4096 8192 16384");
}

TEST(HogOrderTest, ShuffleIsASeededPermutation) {
  std::vector<uint32_t> a(1000), b(1000);
  Rng r1(5), r2(5);
  agent::Shuffle(a.data(), a.size(), r1);
  agent::Shuffle(b.data(), b.size(), r2);
  EXPECT_EQ(a, b);
  EXPECT_EQ(std::set<uint32_t>(a.begin(), a.end()).size(), 1000u);
  int fixed = 0;
  for (uint32_t i = 0; i < a.size(); ++i) fixed += a[i] == i;
  EXPECT_LT(fixed, 20);  // shuffled, not the identity
}

TEST(HogOrderTest, ZipfFavoursLowRanks) {
  const uint64_t n = 1000;
  std::vector<double> cdf(n);
  agent::ZipfTable(cdf.data(), n, 1.1);
  EXPECT_DOUBLE_EQ(cdf.back(), 1.0);
  Rng rng(7);
  std::vector<int> hits(n);
  for (int i = 0; i < 100000; ++i) ++hits[agent::ZipfDraw(cdf.data(), n, rng)];
  // Rank 0 against rank 9: (10/1)^1.1 = 12.6 times as likely.
  EXPECT_GT(hits[0], 8 * hits[9]);
  EXPECT_LT(hits[0], 18 * hits[9]);
  int top10 = 0;
  for (int r = 0; r < 10; ++r) top10 += hits[r];
  EXPECT_GT(top10, 40000);  // the hot tenth of a percent takes >40 %
}

}  // namespace
}  // namespace swapbench
