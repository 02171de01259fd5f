// The whole runner — testbed, monitor, verdict, report — on the fakes of
// bench/testing.h: no root, no QEMU, no servers, no sleeps. Each test
// asserts the report.json fields the integration test of the same case
// asserts on a real guest, and that the run tore down all it made.
#include "bench/runner.h"

#include <gtest/gtest.h>
#include <sys/mount.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "bench/campaign.h"
#include "bench/fs_util.h"
#include "bench/testing.h"
#include "bench/text.h"

namespace swapbench {
namespace {

using testing::FakeParts;
using testing::GuestScript;

// One agent sample, as images/agent writes it.
std::string SampleLine(double t, const char* phase, int64_t written,
                       int64_t verified, int64_t pswpout, int64_t pswpin,
                       int64_t oom_kills = 0) {
  return StringPrintf(
      R"({"t":%.3f,"seq":1,"phase":"%s","pswpin":%lld,"pswpout":%lld,)"
      R"("swap_total_kib":262140,"swap_free_kib":%lld,"hog_pages":32768,)"
      R"("hog_written":%lld,"hog_verified":%lld,"hog_corrupted":0,)"
      R"("vm_oom_kill":%lld,"cg_oom_kill":%lld})",
      t, phase, (long long)pswpin, (long long)pswpout,
      (long long)(262140 - (pswpout - pswpin) * 4), (long long)written,
      (long long)verified, (long long)oom_kills, (long long)oom_kills);
}

// The guest boots, swaps on, and the hog starts at t=4 s.
void Boot(GuestScript* g) {
  g->Console(0.5, "[    0.000000] Linux version 6.1.0-fake-amd64");
  g->Telemetry(2, SampleLine(2, "network", 0, 0, 0, 0));
  g->Telemetry(3, R"({"t":3.1,"event":"swapon","device":"/mnt/swapfile"})");
  g->Telemetry(3, SampleLine(3.2, "swapon", 0, 0, 0, 0));
  g->Telemetry(4, R"({"t":4.0,"event":"hog_start","pages":32768})");
  g->Telemetry(4, R"({"t":4.0,"event":"workload_start","name":"hog",)"
                  R"("kind":"hog","cgroup":"/hog","pid":108})");
}

// The hog writes 2048 pages every 0.5 s from `from` seconds (16 samples),
// then verifies as fast; swap-out follows the writes past 48 MiB.
double Hog(GuestScript* g, double from) {
  double t = from;
  for (int i = 1; i <= 16; ++i, t += 0.5)
    g->Telemetry(
        t, SampleLine(t, "hog", i * 2048, 0, std::max(0, i - 6) * 2048, 0));
  for (int i = 1; i <= 16; ++i, t += 0.5)
    g->Telemetry(
        t, SampleLine(t, "hog", 32768, i * 2048, 20480 + i * 800, i * 800));
  return t;
}

// The hog exits and the agent powers off at `t`.
void PowerOff(GuestScript* g, double t) {
  g->Telemetry(
      t, StringPrintf(R"({"t":%.3f,"event":"hog_exit","pid":108,)"
                      R"("status":"exited","code":0,"seconds":%.1f,)"
                      R"("written":32768,"verified":32768,"corrupted":0})",
                      t, t - 4));
  g->Telemetry(t, SampleLine(t + 0.1, "done", 32768, 32768, 33280, 12800));
  g->Telemetry(t + 0.2, StringPrintf(R"({"t":%.3f,"event":"poweroff"})", t));
  g->stop_at = t + 0.5;
}

GuestScript Smoke() {
  GuestScript g;
  Boot(&g);
  PowerOff(&g, Hog(&g, 4.5));
  return g;
}

// The hog writes a little, then nothing moves, but the agent reports.
GuestScript StuckHog() {
  GuestScript g;
  Boot(&g);
  for (double t = 4.5; t < 200; t += 0.5)
    g.Telemetry(t, SampleLine(t, "hog", 4096, 0, 2048, 0));
  return g;
}

constexpr const char* kSmoke =
    "name = \"fake\"\n[cgroup]\nmemory_max_mib = 48\n[workload]\n"
    "hog_mib = 128\n[expect]\nmin_pswpout = 30000\n";

class RunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("swapbench-runner-test-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    ASSERT_TRUE(MakeDirs(dir_ + "/image").ok());
    fakes_.image_dir = dir_ + "/image";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Runs `toml` on the fakes; returns report.json (null if none).
  nlohmann::json Run(const std::string& toml, Status* status = nullptr) {
    auto sc = ParseScenario(toml, "fake.toml");
    EXPECT_TRUE(sc.ok()) << sc.status().message();
    scenario_ = *sc;
    RunnerOptions o;
    o.out_dir = dir_ + "/out";
    o.state_dir = dir_ + "/state";
    o.cache_dir = dir_ + "/cache";
    o.cancel = &cancel_;
    o.parts = fakes_.Get();
    auto rep = RunScenario(scenario_, o);
    if (status) *status = rep.status();
    if (!status) {
      EXPECT_TRUE(rep.ok()) << rep.status().message();
    }
    auto text = ReadFile(o.out_dir + "/report.json");
    return text.ok() ? nlohmann::json::parse(*text) : nlohmann::json();
  }

  // Everything the run made is gone: guest, path, storage, namespace,
  // scratch, run record.
  void ExpectTornDown() {
    const auto& j = fakes_.journal;
    if (j.Has("vm start")) {
      EXPECT_TRUE(j.Has("vm destroy swapbench-sb")) << j.Dump();
    }
    EXPECT_TRUE(j.Has("path gone")) << j.Dump();
    EXPECT_TRUE(j.Has("storage stop")) << j.Dump();
    EXPECT_TRUE(j.Has("ip netns del swapbench-sb")) << j.Dump();
    std::error_code ec;
    EXPECT_TRUE(std::filesystem::is_empty(dir_ + "/state/runs", ec))
        << "a run record or scratch dir is left";
  }

  static const nlohmann::json* Event(const nlohmann::json& run,
                                     const std::string& name) {
    for (const auto& e : run["timeline"])
      if (e.value("event", "") == name) return &e;
    return nullptr;
  }

  std::string dir_;
  FakeParts fakes_;
  Scenario scenario_;
  std::atomic<int> cancel_{0};
};

TEST_F(RunnerTest, CleanPass) {
  fakes_.hypervisor.script = Smoke();
  nlohmann::json r = Run(kSmoke);
  ASSERT_TRUE(r.is_object());
  EXPECT_EQ(r["schema"], "swapbench.report/1");
  EXPECT_EQ(r["verdict"], "pass");
  const auto& run = r["runs"][0];
  EXPECT_EQ(run["swap"]["activated"], true);
  EXPECT_EQ(run["swap"]["type"], "nfs4.1");
  EXPECT_GE(run["metrics"]["pswpout"].get<int64_t>(), 30000);
  EXPECT_EQ(run["integrity"]["pages_corrupted"], 0);
  EXPECT_EQ(run["integrity"]["pages_verified"], run["integrity"]["hog_pages"]);
  EXPECT_EQ(run["integrity"]["hog_pages"], 128 * 256);
  EXPECT_TRUE(run["findings"].empty()) << run["findings"].dump();
  EXPECT_EQ(run["stop_reason"], "shutdown");
  for (const char* f : {"junit.xml", "kcidb.json", "ktap.txt", "report.html",
                        "agent.conf", "domain.xml"})
    EXPECT_TRUE(Exists(dir_ + "/out/" + f)) << f;
  EXPECT_NE(ReadFile(dir_ + "/out/agent.conf")
                ->find("cg=name=hog path=/hog max=50331648"),
            std::string::npos);
  ExpectTornDown();
}

TEST_F(RunnerTest, MemcgOomKillIsAFinding) {
  GuestScript g;
  Boot(&g);
  // The real console of a memcg OOM kill, printed when the hog dies.
  auto log = ReadFile(std::string(SWAPBENCH_SOURCE_DIR) +
                      "/bench/testdata/memcg-oom.log");
  ASSERT_TRUE(log.ok());
  std::string text = log->substr(log->find("hog invoked oom-killer") - 16);
  for (size_t at = 0, nl; (nl = text.find('\n', at)) != std::string::npos;
       at = nl + 1)
    g.Console(6, text.substr(at, nl - at));
  g.Telemetry(6, SampleLine(6, "hog", 20000, 0, 12000, 0, 1));
  g.Telemetry(6.5, R"({"t":6.5,"event":"hog_exit","pid":116,"status":"killed",)"
                   R"("signal":9,"seconds":2.5,"written":20000,"verified":0,)"
                   R"("corrupted":0})");
  g.Telemetry(7, R"({"t":7,"event":"poweroff"})");
  g.stop_at = 7.5;
  fakes_.hypervisor.script = g;
  nlohmann::json r = Run(kSmoke);
  ASSERT_TRUE(r.is_object());
  EXPECT_EQ(r["verdict"], "fail");
  const auto& run = r["runs"][0];
  ASSERT_FALSE(run["findings"].empty());
  EXPECT_EQ(run["findings"][0]["kind"], "memcg_oom_kill");
  EXPECT_EQ(run["findings"][0]["victim"], "hog");
  EXPECT_EQ(run["oom_cross_check"]["agree"], true);
  EXPECT_EQ(run["integrity"]["hog_status"], "killed by signal 9");
  ExpectTornDown();
}

TEST_F(RunnerTest, ServerStallFiresAtHogMibAndEnds) {
  fakes_.hypervisor.script = Smoke();
  // 64 MiB is 16384 pages: the 8th hog sample (t = 8 s of the guest).
  nlohmann::json r = Run(std::string(kSmoke) +
                         "[[fault]]\nkind = \"server_stall\"\n"
                         "after_hog_mib = 64\nduration_s = 5\n");
  ASSERT_TRUE(r.is_object());
  const auto& run = r["runs"][0];
  EXPECT_EQ(run["verdict"], "pass") << run.dump(1);
  const nlohmann::json* begin = Event(run, "server_stall_begin");
  const nlohmann::json* end = Event(run, "server_stall_end");
  ASSERT_TRUE(begin && end) << run["timeline"].dump(1);
  EXPECT_NEAR((*begin)["guest_s"].get<double>(), 8, 0.2);
  EXPECT_NEAR((*end)["host_s"].get<double>() - (*begin)["host_s"].get<double>(),
              5, 0.15);
  EXPECT_EQ((*begin)["scenario_line"], 8);
  EXPECT_FALSE(end->contains("cut_short"));
  EXPECT_TRUE(fakes_.journal.Has("storage pause")) << fakes_.journal.Dump();
  EXPECT_TRUE(fakes_.journal.Has("storage resume")) << fakes_.journal.Dump();
  ExpectTornDown();
}

// The agent holds the hog at the fault's 64 MiB (AgentConf's hold lines):
// the fault begins at the hold's guest time, before any sample shows the
// pages, and only then is the guest released.
TEST_F(RunnerTest, FaultAtAHoldBeginsThereThenReleasesTheGuest) {
  GuestScript g = Smoke();
  g.Telemetry(4.0, R"({"t":4.0,"event":"hold","at":"start","pages":0})");
  g.Telemetry(5.1, R"({"t":5.1,"event":"hold","at":"pages","pages":16384})");
  std::stable_sort(g.lines.begin(), g.lines.end(),
                   [](const auto& a, const auto& b) { return a.at < b.at; });
  fakes_.hypervisor.script = g;
  nlohmann::json r = Run(std::string(kSmoke) +
                         "[[fault]]\nkind = \"server_stall\"\n"
                         "after_hog_mib = 64\nduration_s = 5\n");
  ASSERT_TRUE(r.is_object());
  const auto& run = r["runs"][0];
  const nlohmann::json* begin = Event(run, "server_stall_begin");
  ASSERT_TRUE(begin) << run["timeline"].dump(1);
  EXPECT_DOUBLE_EQ((*begin)["guest_s"].get<double>(), 5.1);
  const std::string j = fakes_.journal.Dump();
  const size_t pause = j.find("storage pause");
  const size_t first = j.find("vm release"), second = j.rfind("vm release");
  ASSERT_NE(pause, std::string::npos) << j;
  ASSERT_NE(first, second) << "both holds released\n" << j;
  EXPECT_LT(first, pause) << "the start hold is released at once\n" << j;
  EXPECT_LT(pause, second) << "the fault begins before the release\n" << j;
  ExpectTornDown();
}

TEST_F(RunnerTest, FaultStillOnAtPowerOffIsCutShort) {
  fakes_.hypervisor.script = Smoke();
  nlohmann::json r = Run(std::string(kSmoke) +
                         "[[fault]]\nkind = \"server_slow\"\nat_s = 2\n"
                         "duration_s = 600\nrate_kbit = 800\n");
  const auto& run = r["runs"][0];
  const nlohmann::json* end = Event(run, "server_slow_end");
  ASSERT_TRUE(end) << run["timeline"].dump(1);
  EXPECT_EQ((*end)["cut_short"], true);
  const auto& j = fakes_.journal;
  EXPECT_TRUE(j.Has("tc -n swapbench-sb")) << j.Dump();
  EXPECT_NE(j.Dump().find("qdisc replace dev sbtap0 root tbf rate 800kbit"),
            std::string::npos)
      << j.Dump();
  EXPECT_NE(j.Dump().find("qdisc del dev sbtap0 root"), std::string::npos);
  ExpectTornDown();
}

TEST_F(RunnerTest, StallIsASwapStallWithDumps) {
  GuestScript g = StuckHog();
  g.sysrq_reply =
      "[   60.000000] sysrq: Show Blocked State\n"
      "[   60.000100] task:hog             state:D stack:0     pid:108\n";
  fakes_.hypervisor.script = g;
  nlohmann::json r = Run(std::string(kSmoke) + "[limits]\nstall_s = 20\n");
  const auto& run = r["runs"][0];
  EXPECT_EQ(r["verdict"], "fail");
  ASSERT_FALSE(run["findings"].empty());
  const auto& f = run["findings"][0];
  EXPECT_EQ(f["kind"], "swap_stall");
  EXPECT_EQ(f["attachments"],
            nlohmann::json::array({"registers.txt", "sysrq.txt"}));
  EXPECT_NE(ReadFile(dir_ + "/out/sysrq.txt")->find("Show Blocked State"),
            std::string::npos);
  EXPECT_EQ(run["stop_reason"], "destroyed by the runner");
  EXPECT_TRUE(fakes_.journal.Has("vm monitor sendkey alt-sysrq-w"));
  // It ended one stall period after the hog stopped, not at the deadline.
  EXPECT_LT(run["duration_s"].get<double>(), 40);
  ExpectTornDown();
}

TEST_F(RunnerTest, SilentGuestUnderSysrqIsNoOutput) {
  fakes_.hypervisor.script = StuckHog();  // no SysRq reply
  nlohmann::json r = Run(std::string(kSmoke) + "[limits]\nstall_s = 20\n");
  const auto& run = r["runs"][0];
  bool no_output = false;
  for (const auto& f : run["findings"]) no_output |= f["kind"] == "no_output";
  EXPECT_TRUE(no_output) << run["findings"].dump(1);
}

// The guest's "server not responding" while the bench itself still holds
// the server stopped at the end is the bench's doing; the same line with
// no fault in force is the kernel's finding.
TEST_F(RunnerTest, OutageHeldByTheBenchExcusesNfsNotResponding) {
  const std::string stall =
      "[[fault]]\nkind = \"server_stall\"\nat_s = 1\nduration_s = 300\n";
  auto script = [] {
    GuestScript g = Smoke();
    g.Console(18,
              "[   18.000000] nfs: server 10.213.0.1 not responding, still "
              "trying");
    return g;
  };
  fakes_.hypervisor.script = script();
  nlohmann::json held = Run(std::string(kSmoke) + stall);
  const auto& run = held["runs"][0];
  EXPECT_EQ(held["verdict"], "pass") << run["findings"].dump(1);
  const nlohmann::json* end = Event(run, "server_stall_end");
  ASSERT_TRUE(end);
  EXPECT_EQ((*end)["cut_short"], true);
  ExpectTornDown();

  FakeParts fresh;
  fresh.image_dir = fakes_.image_dir;
  fresh.hypervisor.script = script();
  RunnerOptions o;
  o.out_dir = dir_ + "/out2";
  o.state_dir = dir_ + "/state";
  o.cache_dir = dir_ + "/cache";
  o.parts = fresh.Get();
  auto rep = RunScenario(*ParseScenario(kSmoke, "fake.toml"), o);
  ASSERT_TRUE(rep.ok());
  ASSERT_EQ(rep->runs[0].findings.size(), 1u);
  EXPECT_EQ(rep->runs[0].findings[0].kind, "nfs_not_responding");
}

TEST_F(RunnerTest, DeadlineIsAFindingWithDumps) {
  GuestScript g;
  Boot(&g);
  // Progress that never ends: the watchdog stays quiet, the deadline not.
  for (double t = 4.5; t < 400; t += 0.5)
    g.Telemetry(t,
                SampleLine(t, "hog", int64_t(t * 10), 0, int64_t(t * 10), 0));
  g.sysrq_reply = "[   70.000000] sysrq: Show Memory\n";
  fakes_.hypervisor.script = g;
  nlohmann::json r = Run(std::string(kSmoke) + "[limits]\ndeadline_s = 60\n");
  const auto& run = r["runs"][0];
  EXPECT_EQ(r["verdict"], "fail");
  ASSERT_EQ(run["findings"].size(), 1u) << run["findings"].dump(1);
  EXPECT_EQ(run["findings"][0]["kind"], "deadline");
  EXPECT_EQ(run["findings"][0]["title"],
            "run exceeded its deadline of 60 s (guest phase: hog)");
  EXPECT_EQ(run["findings"][0]["attachments"].size(), 2u);
  ExpectTornDown();
}

TEST_F(RunnerTest, CancellationTearsDownEverything) {
  fakes_.hypervisor.script = Smoke();
  fakes_.env.OnSleep([this](double now) {
    if (now > 1010) cancel_ = 2;  // SIGINT, 10 s into the run
  });
  Status st;
  nlohmann::json r = Run(kSmoke, &st);
  EXPECT_EQ(st.kind(), Status::Kind::kCancelled);
  EXPECT_EQ(st.message(), "cancelled by signal 2");
  ASSERT_TRUE(r.is_object()) << "the report is written";
  EXPECT_EQ(r["verdict"], "error");
  EXPECT_EQ(r["runs"][0]["error"], "cancelled by signal 2");
  EXPECT_EQ(r["runs"][0]["stop_reason"], "interrupted by SIGINT");
  EXPECT_EQ(ExitFor(st), 3);
  ExpectTornDown();
}

TEST_F(RunnerTest, StorageDyingIsAHarnessErrorNamingThePart) {
  fakes_.hypervisor.script = Smoke();
  fakes_.storage_dies_at = 1008;  // 8 s into the run
  nlohmann::json r = Run(kSmoke);
  ASSERT_TRUE(r.is_object());
  EXPECT_EQ(r["verdict"], "error");
  EXPECT_EQ(r["runs"][0]["error"], "storage: fake-server exited (status 9)");
  EXPECT_EQ(ExitForVerdict(r["verdict"]), 3);
  ExpectTornDown();
}

TEST_F(RunnerTest, GuestThatCannotStartIsAHarnessError) {
  fakes_.hypervisor.script.start_fails = true;
  nlohmann::json r = Run(kSmoke);
  EXPECT_EQ(r["verdict"], "error");
  EXPECT_EQ(r["runs"][0]["error"], "libvirt: fake domain failed to start");
  ExpectTornDown();
}

TEST_F(RunnerTest, NamespaceThatCannotBeMadeIsAHarnessError) {
  fakes_.env.FailCommands(
      [](const std::string& c) { return c.rfind("ip netns add", 0) == 0; });
  nlohmann::json r = Run(kSmoke);
  EXPECT_EQ(r["verdict"], "error");
  EXPECT_EQ(
      r["runs"][0]["error"].get<std::string>().rfind("netns: `ip netns add", 0),
      0u)
      << r["runs"][0]["error"];
  EXPECT_FALSE(fakes_.journal.Has("vm start"));
}

}  // namespace
}  // namespace swapbench

namespace swapbench {
namespace {

// A guest console carries whatever bytes the kernel printed: the report is
// still written (invalid UTF-8 becomes U+FFFD), and the finding kept.
TEST_F(RunnerTest, ConsoleWithRawBytesStillGetsAReport) {
  GuestScript g = Smoke();
  g.Console(10, "[   10.000000] BUG: unable to handle page fault \xff\xfe\x80");
  fakes_.hypervisor.script = g;
  nlohmann::json r = Run(kSmoke);
  ASSERT_TRUE(r.is_object()) << "no report.json";
  const auto& run = r["runs"][0];
  ASSERT_FALSE(run["findings"].empty());
  EXPECT_NE(run["findings"][0]["excerpt"].get<std::string>().find(
                "page fault \xef\xbf\xbd"),
            std::string::npos);
  EXPECT_TRUE(Exists(dir_ + "/out/kcidb.json"));
}

}  // namespace
}  // namespace swapbench

namespace swapbench {
namespace {

// A full disk under the run directory (a 256 KiB tmpfs, filled): a harness
// error naming the path (exit 3), teardown complete, nothing half-written.
TEST_F(RunnerTest, FullDiskIsAHarnessErrorNamingThePath) {
  if (geteuid() != 0) GTEST_SKIP() << "mounting a tmpfs needs root";
  const std::string mnt = dir_ + "/full";
  ASSERT_TRUE(MakeDirs(mnt).ok());
  if (mount("swapbench-test", mnt.c_str(), "tmpfs", 0, "size=256k") != 0)
    GTEST_SKIP() << "cannot mount a tmpfs: " << strerror(errno);
  struct Unmount {
    std::string path;
    ~Unmount() { umount2(path.c_str(), MNT_DETACH); }
  } unmount{mnt};
  ASSERT_TRUE(MakeDirs(mnt + "/out").ok());
  {  // fill it
    std::ofstream fill(mnt + "/filler", std::ios::binary);
    std::string block(4096, 'x');
    while (fill.write(block.data(), block.size())) {
    }
  }
  fakes_.hypervisor.script = Smoke();
  auto sc = ParseScenario(kSmoke, "fake.toml");
  ASSERT_TRUE(sc.ok());
  RunnerOptions o;
  o.out_dir = mnt + "/out";
  o.state_dir = dir_ + "/state";
  o.cache_dir = dir_ + "/cache";
  o.parts = fakes_.Get();
  auto rep = RunScenario(*sc, o);
  ASSERT_FALSE(rep.ok());
  EXPECT_EQ(rep.status().kind(), Status::Kind::kHarness);
  EXPECT_NE(rep.status().message().find(mnt + "/out/"), std::string::npos)
      << rep.status().message();
  EXPECT_NE(rep.status().message().find("No space left on device"),
            std::string::npos)
      << rep.status().message();
  EXPECT_EQ(ExitFor(rep.status()), 3);
  ExpectTornDown();
  for (const auto& e : std::filesystem::directory_iterator(mnt + "/out"))
    EXPECT_EQ(e.path().filename().string().find(".tmp."), std::string::npos)
        << "half-written: " << e.path();
  EXPECT_FALSE(Exists(mnt + "/out/report.json"));
}

}  // namespace
}  // namespace swapbench
