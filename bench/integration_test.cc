// Integration tests: the shipped scenarios run for real (QEMU/TCG guest
// under libvirt, ganesha in a network namespace, the relay), plus cleanup
// after SIGINT and reaping after SIGKILL. CTest label: integration.
//
// They need root, /dev/net/tun, QEMU and ganesha; without them each test
// says SKIPPED and why.
#include "bench/integration.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "bench/digest.h"
#include "bench/fs_util.h"
#include "bench/json_schema_check.h"
#include "bench/nic.h"
#include "bench/process.h"

namespace swapbench {
namespace {

class IntegrationTest : public testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(MakeDirs("/tmp/swapbench-it").ok()); }
};

TEST_F(IntegrationTest, SmokePasses) {
  REQUIRE_CAPABILITIES();
  std::string out, id;
  nlohmann::json r = RunShipped("smoke", 0, &out, &id);
  ASSERT_TRUE(r.is_object());
  EXPECT_EQ(r["schema"], "swapbench.report/1");
  EXPECT_EQ(r["verdict"], "pass");
  const auto& run = r["runs"][0];
  EXPECT_EQ(run["swap"]["activated"], true);
  EXPECT_EQ(run["swap"]["type"].get<std::string>().rfind("nfs", 0), 0u);
  EXPECT_GE(run["metrics"]["pswpout"].get<int64_t>(), 30000);
  EXPECT_EQ(run["integrity"]["pages_corrupted"], 0);
  EXPECT_EQ(run["integrity"]["pages_verified"], run["integrity"]["hog_pages"]);
  EXPECT_EQ(run["integrity"]["hog_pages"], 128 * 256);
  EXPECT_TRUE(run["findings"].empty()) << run["findings"].dump();
  // The manifest names the bytes that ran: the scenario file and the
  // booted kernel image hash to what is on disk.
  const auto& m = r["manifest"];
  EXPECT_EQ(m["scenario"]["file_sha256"],
            Sha256File(kSource + "/scenarios/smoke.toml").value_or("?"));
  EXPECT_EQ(m["seed"], r["seed"]);
  EXPECT_EQ(m["kernel"]["package"], "linux-image-6.1.0-54-amd64");
  EXPECT_EQ(m["kernel"]["package_sha256"].get<std::string>().size(), 64u)
      << m.dump(1);
  EXPECT_EQ(m["kernel"]["image_sha256"].get<std::string>().size(), 64u);
  EXPECT_EQ(m["guest_image"], r["image"]["hash"]);
  EXPECT_EQ(m["storage_server"]["name"], "nfs-ganesha");
  EXPECT_NE(m["qemu"].get<std::string>().find("QEMU emulator version"),
            std::string::npos);
  EXPECT_EQ(m["accel"], run["accel"]["name"]);
  EXPECT_EQ(
      m["rerun"].get<std::string>().rfind(
          "build/swapbench run " + kSource + "/scenarios/smoke.toml --seed 1",
          0),
      0u)
      << m["rerun"];
  EXPECT_EQ(Leftovers(id, out), "");
}

TEST_F(IntegrationTest, Loss5PassesWithDropsBothWays) {
  REQUIRE_CAPABILITIES();
  std::string out, id;
  nlohmann::json r = RunShipped("loss5", 0, &out, &id);
  ASSERT_TRUE(r.is_object());
  const auto& run = r["runs"][0];
  EXPECT_EQ(run["verdict"], "pass");
  EXPECT_GT(run["link"]["to_guest"]["dropped"].get<int64_t>(), 0);
  EXPECT_GT(run["link"]["to_server"]["dropped"].get<int64_t>(), 0);
  EXPECT_EQ(run["integrity"]["pages_corrupted"], 0);
  EXPECT_EQ(Leftovers(id, out), "");
}

TEST_F(IntegrationTest, MemcgOomIsAFinding) {
  REQUIRE_CAPABILITIES();
  std::string out, id;
  nlohmann::json r = RunShipped("memcg-oom", 1, &out, &id);
  ASSERT_TRUE(r.is_object());
  EXPECT_EQ(r["verdict"], "fail");
  const auto& findings = r["runs"][0]["findings"];
  ASSERT_EQ(findings.size(), 1u) << findings.dump();
  EXPECT_EQ(findings[0]["kind"], "memcg_oom_kill");
  EXPECT_EQ(findings[0]["victim"], "hog");
  EXPECT_GT(findings[0]["console_line"].get<int>(), 0);
  EXPECT_TRUE(r["runs"][0]["unmet_expectations"].empty());
  EXPECT_EQ(Leftovers(id, out), "");
}

TEST_F(IntegrationTest, BadScenarioExits2AndTouchesNothing) {
  // No capabilities needed: nothing may be started.
  std::string dir = "/tmp/swapbench-it/bad";
  ASSERT_TRUE(MakeDirs(dir).ok());
  ASSERT_TRUE(
      WriteFile(dir + "/bad.toml", "name = \"bad\"\n[vm]\nmemory_mib = 64\n")
          .ok());
  std::string id, log;
  int rc =
      RunBench({"run", dir + "/bad.toml", "--out", dir + "/out"}, &id, &log);
  EXPECT_EQ(rc, 2);
  EXPECT_EQ(log,
            "swapbench: " + dir +
                "/bad.toml:3: vm.memory_mib 64 out of range [128, 65536]\n");
  EXPECT_FALSE(Exists(dir + "/out"));
}

// Starts smoke, waits until the hog runs, then sends `sig`.
struct Interrupted {
  pid_t pid = 0;
  std::string id, out;
};

Interrupted StartAndWaitForHog(const std::string& name) {
  Interrupted r;
  r.out = OutDir(name);
  auto pid =
      Spawn({kBinary, "run", kSource + "/scenarios/smoke.toml", "--out", r.out},
            SpawnOptions{"", false, 0, "/tmp/swapbench-it/" + name + ".log"});
  EXPECT_TRUE(pid.ok());
  if (!pid.ok()) return r;
  r.pid = *pid;
  r.id = "sb" + std::to_string(*pid);
  for (int i = 0; i < 1800; ++i) {
    auto t = ReadFile(r.out + "/telemetry.jsonl");
    if (t.ok() && t->find("\"hog_start\"") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return r;
}

TEST_F(IntegrationTest, SigintTearsEverythingDown) {
  REQUIRE_CAPABILITIES();
  Interrupted r = StartAndWaitForHog("sigint");
  ASSERT_GT(r.pid, 0);
  ASSERT_NE(Leftovers(r.id, r.out), "")
      << "the run should be up before the signal";
  kill(r.pid, SIGINT);
  int st = 0;
  waitpid(r.pid, &st, 0);
  ASSERT_TRUE(WIFEXITED(st));
  EXPECT_EQ(WEXITSTATUS(st), 3);
  EXPECT_EQ(Leftovers(r.id, r.out), "");
  nlohmann::json rep = LoadReport(r.out);
  ASSERT_TRUE(rep.is_object());
  EXPECT_EQ(rep["verdict"], "error");
  EXPECT_NE(
      rep["runs"][0]["error"].get<std::string>().find("cancelled by signal 2"),
      std::string::npos);
}

TEST_F(IntegrationTest, SigkilledRunIsReapedByTheNext) {
  REQUIRE_CAPABILITIES();
  Interrupted r = StartAndWaitForHog("sigkill");
  ASSERT_GT(r.pid, 0);
  kill(r.pid, SIGKILL);
  int st = 0;
  waitpid(r.pid, &st, 0);
  // A killed run leaves its guest, servers and namespace running ...
  ASSERT_NE(Leftovers(r.id, r.out), "");
  // ... until the next swapbench reaps them.
  auto reap = RunCommand({kBinary, "reap"}, 120);
  ASSERT_TRUE(reap.ok());
  EXPECT_EQ(reap->exit_code, 0) << reap->output;
  EXPECT_NE(reap->output.find("reaped run " + r.id), std::string::npos)
      << reap->output;
  for (int i = 0; i < 50 && !Leftovers(r.id, r.out).empty(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(Leftovers(r.id, r.out), "");
}

}  // namespace
}  // namespace swapbench

namespace swapbench {
namespace {

TEST_F(IntegrationTest, DeadlineIsAFindingWithSysrqDumps) {
  REQUIRE_CAPABILITIES();
  std::string dir = OutDir("deadline");
  ASSERT_TRUE(MakeDirs(dir).ok());
  // A hog that cannot finish within the deadline: 1000 passes over 128 MiB
  // in a 48 MiB cgroup swap at least 80 GiB through the link. (A single
  // 400 MiB pass used to be "too large", until a CI machine swapped it in
  // 24 s.)
  ASSERT_TRUE(WriteFile(dir + "/deadline.toml",
                        "name = \"deadline\"\n[storage]\nswapfile_mib = 256\n"
                        "[[cgroup]]\nname = \"hog\"\nmemory_max_mib = 48\n"
                        "[[workload]]\nkind = \"hog\"\ncgroup = \"hog\"\n"
                        "mib = 128\npasses = 1000\n"
                        "[limits]\ndeadline_s = 30\n")
                  .ok());
  std::string id, log;
  int rc = RunBench({"run", dir + "/deadline.toml", "--out", dir + "/out"}, &id,
                    &log);
  EXPECT_EQ(rc, 1) << log;
  nlohmann::json r = LoadReport(dir + "/out");
  ASSERT_TRUE(r.is_object());
  const auto& findings = r["runs"][0]["findings"];
  ASSERT_EQ(findings.size(), 1u) << findings.dump();
  EXPECT_EQ(findings[0]["kind"], "deadline");
  auto console = ReadFile(dir + "/out/console.log");
  ASSERT_TRUE(console.ok());
  EXPECT_NE(console->find("sysrq: Show Blocked State"), std::string::npos);
  EXPECT_NE(console->find("sysrq: Show Memory"), std::string::npos);
  // The dumps are also files of their own, named by the finding.
  auto sysrq = ReadFile(dir + "/out/sysrq.txt");
  ASSERT_TRUE(sysrq.ok());
  EXPECT_NE(sysrq->find("sysrq: Show Blocked State"), std::string::npos);
  EXPECT_TRUE(Exists(dir + "/out/registers.txt"));
  EXPECT_EQ(findings[0]["attachments"],
            nlohmann::json({"registers.txt", "sysrq.txt"}));
  EXPECT_EQ(Leftovers(id, dir + "/out"), "");
}

}  // namespace
}  // namespace swapbench

namespace swapbench {
namespace {

// The same workload over every transport (issue "Storage"), as the one
// [matrix] family scenarios/baselines.toml, run as a set (issue
// "Workloads": a matrix expansion run as a set).
TEST_F(IntegrationTest, BaselinesFamilyPassesOverEveryTransport) {
  REQUIRE_CAPABILITIES();
  const std::string out = OutDir("baselines");
  std::string id, log;
  int rc = RunBench({"run", kSource + "/scenarios/baselines.toml", "--jobs",
                     "2", "--out", out},
                    &id, &log);
  EXPECT_EQ(rc, 0) << log;
  auto summary = ReadFile(out + "/summary.json");
  ASSERT_TRUE(summary.ok()) << log;
  nlohmann::json sum = nlohmann::json::parse(*summary, nullptr, false);
  ASSERT_EQ(sum["cases"].size(), 5u) << *summary;
  const std::pair<const char*, const char*> cases[] = {{"nfs-3", "nfs3"},
                                                       {"nfs-4.1", "nfs4.1"},
                                                       {"nfs-4.2", "nfs4.2"},
                                                       {"nbd", "nbd"},
                                                       {"iscsi", "iscsi"}};
  for (const auto& [label, type] : cases) {
    SCOPED_TRACE(label);
    nlohmann::json r =
        LoadReport(out + "/baselines.storage-" + std::string(label));
    ASSERT_TRUE(r.is_object());
    EXPECT_EQ(r["scenario"], "baselines[storage=" + std::string(label) + "]");
    const auto& run = r["runs"][0];
    EXPECT_EQ(run["verdict"], "pass")
        << run["unmet_expectations"].dump() << run["findings"].dump();
    EXPECT_EQ(run["swap"]["type"], type);
    EXPECT_EQ(run["integrity"]["pages_verified"], 128 * 256);
    EXPECT_EQ(run["integrity"]["pages_corrupted"], 0);
    EXPECT_GT(run["metrics"]["swapout_mib_per_s"].get<double>(), 0);
    std::string t = type;
    if (t.rfind("nfs", 0) == 0) {
      // The kernel really negotiated the version the case asked for.
      std::string negotiated;
      for (const auto& e : run["events"])
        if (e["event"] == "mount") negotiated = e.value("negotiated", "");
      EXPECT_NE(negotiated.find("vers=" + t.substr(3)), std::string::npos)
          << negotiated;
    }
  }
  EXPECT_EQ(Leftovers(id, out), "");
}

// Two tenants with different limits in one run: memory.swap.max caps one,
// which the memory cgroup kills; the other swaps and verifies every page.
TEST_F(IntegrationTest, TwoCgroupsWithDifferentLimits) {
  REQUIRE_CAPABILITIES();
  std::string out, id;
  nlohmann::json r = RunShipped("tenants-swap-max", 1, &out, &id);
  ASSERT_TRUE(r.is_object());
  const auto& run = r["runs"][0];
  ASSERT_EQ(run["workloads"].size(), 2u);
  const auto& capped = run["workloads"][0];
  const auto& free = run["workloads"][1];
  EXPECT_EQ(capped["name"], "capped");
  EXPECT_EQ(capped["status"], "killed");
  EXPECT_EQ(free["status"], "exited");
  EXPECT_EQ(free["code"], 0);
  EXPECT_EQ(free["verified"], 80 * 256);
  EXPECT_EQ(free["corrupted"], 0);
  int kills = 0;
  for (const auto& f : run["findings"])
    if (f["kind"] == "memcg_oom_kill") {
      ++kills;
      EXPECT_EQ(f["workload"], "capped") << f.dump();
      EXPECT_EQ(f["cgroup"], "/capped");
      EXPECT_NE(f["title"].get<std::string>().find("MiB dirty"),
                std::string::npos);
    }
  EXPECT_EQ(kills, 1) << run["findings"].dump();
  ASSERT_EQ(run["cgroups"].size(), 2u);
  const auto& cc = run["cgroups"][0]["last"];
  const auto& fc = run["cgroups"][1]["last"];
  EXPECT_EQ(cc["oom_kill"], 1);
  EXPECT_EQ(fc["oom_kill"], 0);
  EXPECT_GT(cc["max"].get<int64_t>(), 0);  // both hit their memory.max
  EXPECT_GT(fc["max"].get<int64_t>(), 0);
  // The cap held: memory.swap.current never above memory.swap.max.
  EXPECT_LE(cc["swap"].get<int64_t>(), int64_t{16} << 20);
  EXPECT_TRUE(run["series"]["cgroup_current_mib"].contains("free"));
  EXPECT_EQ(Leftovers(id, out), "");
}

// A writer whose file is read back and verified, and a sysctl and a sysfs
// knob set and read back, in one run.
TEST_F(IntegrationTest, WriterVerifiesAndKnobsReadBack) {
  REQUIRE_CAPABILITIES();
  std::string out, id;
  nlohmann::json r = RunTestScenario("writer-knobs", 0, &out, &id);
  ASSERT_TRUE(r.is_object());
  const auto& run = r["runs"][0];
  EXPECT_EQ(run["verdict"], "pass")
      << run["unmet_expectations"].dump() << run["findings"].dump();
  ASSERT_EQ(run["workloads"].size(), 1u);
  const auto& w = run["workloads"][0];
  EXPECT_EQ(w["kind"], "writer");
  EXPECT_EQ(w["written_bytes"], 24 << 20);
  EXPECT_EQ(w["verified_bytes"], 24 << 20);
  EXPECT_EQ(w["corrupted_bytes"], 0);
  EXPECT_EQ(w["fsyncs"], 3);  // every 8 MiB of 24
  EXPECT_GT(w["write_mib_per_s"].get<double>(), 0);
  const auto& knobs = run["knobs"];
  EXPECT_EQ(knobs["sysctl"]["vm.dirty_bytes"]["read"], "16777216");
  EXPECT_EQ(knobs["sysctl"]["vm.swappiness"]["read"], "100");
  // The kernel reads "y" back as the bitmask of the MGLRU's features.
  EXPECT_EQ(knobs["sysfs"]["kernel/mm/lru_gen/enabled"]["set"], "y");
  EXPECT_EQ(knobs["sysfs"]["kernel/mm/lru_gen/enabled"]["read"], "0x0007");
  EXPECT_EQ(Leftovers(id, out), "");
}

// A knob the guest kernel does not have is a harness error naming the
// knob and the kernel, never a silent no-op.
TEST_F(IntegrationTest, KnobTheKernelLacksExits3) {
  REQUIRE_CAPABILITIES();
  std::string out, id;
  nlohmann::json r = RunTestScenario("missing-knob", 3, &out, &id);
  ASSERT_TRUE(r.is_object());
  std::string error = r["runs"][0].value("error", "");
  EXPECT_NE(error.find("guest setup failed at knob"), std::string::npos)
      << error;
  EXPECT_NE(error.find("sysfs kernel/mm/no_such_knob"), std::string::npos)
      << error;
  EXPECT_NE(error.find("6.1.0-54-amd64"), std::string::npos) << error;
  EXPECT_EQ(Leftovers(id, out), "");
}

// Finds the first timeline entry with this event name.
const nlohmann::json* Timeline(const nlohmann::json& run,
                               const std::string& event) {
  for (const auto& e : run["timeline"])
    if (e["event"] == event) return &e;
  return nullptr;
}

TEST_F(IntegrationTest, ServerStallIsRiddenOutAndOnTheTimeline) {
  REQUIRE_CAPABILITIES();
  std::string out, id;
  nlohmann::json r = RunShipped("server-stall", 0, &out, &id);
  ASSERT_TRUE(r.is_object());
  const auto& run = r["runs"][0];
  EXPECT_EQ(run["verdict"], "pass");
  const nlohmann::json* begin = Timeline(run, "server_stall_begin");
  const nlohmann::json* end = Timeline(run, "server_stall_end");
  const nlohmann::json* down = Timeline(run, "nfs_not_responding");
  const nlohmann::json* up = Timeline(run, "nfs_ok");
  ASSERT_TRUE(begin && end && down && up) << run["timeline"].dump(1);
  EXPECT_NEAR((*end)["host_s"].get<double>() - (*begin)["host_s"].get<double>(),
              30, 1.5);
  // The kernel noticed during the stall and recovered after it.
  EXPECT_GT((*down)["guest_s"].get<double>(),
            (*begin)["guest_s"].get<double>());
  EXPECT_LT((*down)["guest_s"].get<double>(), (*end)["guest_s"].get<double>());
  EXPECT_GE((*up)["guest_s"].get<double>(),
            (*end)["guest_s"].get<double>() - 1);
  EXPECT_GT((*up)["outage_s"].get<double>(), 0);
  EXPECT_EQ(run["integrity"]["pages_corrupted"], 0);
  // The hog held at exactly 64 MiB until the server was stopped, and the
  // bench (not the agent's timeout) let it go; the stall began at the
  // hold's guest time.
  std::vector<nlohmann::json> holds, released;
  for (const auto& e : run["events"]) {
    if (e.value("event", "") == "hold") holds.push_back(e);
    if (e.value("event", "") == "released") released.push_back(e);
  }
  ASSERT_EQ(holds.size(), 2u) << run["events"].dump(1);
  ASSERT_EQ(released.size(), 2u) << run["events"].dump(1);
  EXPECT_EQ(holds[0]["at"], "start");
  EXPECT_EQ(holds[1]["at"], "pages");
  EXPECT_EQ(holds[1]["pages"], 16384);
  for (const auto& r : released) {
    EXPECT_EQ(r["by"], "host") << r.dump();
    EXPECT_LT(r["waited_s"].get<double>(), 1.0) << r.dump();
  }
  EXPECT_NEAR((*begin)["guest_s"].get<double>(), holds[1]["t"].get<double>(),
              0.001);
  EXPECT_EQ(Leftovers(id, out), "");
}

TEST_F(IntegrationTest, ServerRestartAndSlowLinkAreRiddenOut) {
  REQUIRE_CAPABILITIES();
  std::string out, id;
  nlohmann::json r = RunShipped("server-restart", 0, &out, &id);
  ASSERT_TRUE(r.is_object());
  const auto& run = r["runs"][0];
  EXPECT_EQ(run["verdict"], "pass");
  for (const char* e :
       {"server_restart", "server_slow_begin", "server_slow_end"}) {
    const nlohmann::json* entry = Timeline(run, e);
    ASSERT_TRUE(entry) << e << " missing: " << run["timeline"].dump(1);
    EXPECT_FALSE(entry->contains("error")) << entry->dump();
    EXPECT_FALSE(entry->contains("cut_short")) << entry->dump();
  }
  auto glog = ReadFile(out + "/ganesha.log");
  ASSERT_TRUE(glog.ok());
  size_t banners = 0;
  for (size_t p = glog->find("NFS SERVER INITIALIZED"); p != std::string::npos;
       p = glog->find("NFS SERVER INITIALIZED", p + 1))
    ++banners;
  EXPECT_EQ(banners, 2u) << "ganesha should have started twice";
  EXPECT_EQ(Leftovers(id, out), "");
}

}  // namespace
}  // namespace swapbench

namespace swapbench {
namespace {

bool HasKind(const nlohmann::json& findings, const std::string& kind) {
  for (const auto& f : findings)
    if (f["kind"] == kind) return true;
  return false;
}

// The deadlock measured on this project's machines: global pressure, server
// stopped 40 s. The
// bench must say swap_stall and alloc_failure, save the dumps, and stop
// within the watchdog period after the server resumes, not at the deadline.
TEST_F(IntegrationTest, GlobalStallIsASwapStallWithDumps) {
  REQUIRE_CAPABILITIES();
  std::string out, id;
  nlohmann::json r = RunShipped("global-stall", 1, &out, &id);
  ASSERT_TRUE(r.is_object());
  const auto& run = r["runs"][0];
  const auto& findings = run["findings"];
  EXPECT_TRUE(HasKind(findings, "swap_stall")) << findings.dump(1);
  // The GFP_ATOMIC failure as the server resumes was printed in 4 of 5 runs
  // measured here; when the kernel does not print it, the report must say
  // that the scenario's expectation did not hold.
  if (HasKind(findings, "alloc_failure"))
    EXPECT_TRUE(run["unmet_expectations"].empty()) << run.dump(1);
  else
    EXPECT_EQ(run["unmet_expectations"],
              nlohmann::json({"expected finding alloc_failure did not occur"}))
        << run.dump(1);
  for (const auto& f : findings) {
    if (f["kind"] != "swap_stall") continue;
    EXPECT_FALSE(f["evidence"].empty());
    EXPECT_TRUE(f.contains("last_sample"));
    for (const auto& a : f["attachments"])
      EXPECT_TRUE(Exists(out + "/" + a.get<std::string>())) << a;
  }
  auto sysrq = ReadFile(out + "/sysrq.txt");
  ASSERT_TRUE(sysrq.ok());
  EXPECT_NE(sysrq->find("sysrq: Show Blocked State"), std::string::npos);
  EXPECT_TRUE(Exists(out + "/registers.txt"));
  // Stopped within stall_s (30 s) of the server resuming, plus a margin for
  // the dumps and teardown; the deadline is 420 s.
  const nlohmann::json* end = Timeline(run, "server_stall_end");
  ASSERT_NE(end, nullptr);
  EXPECT_LT(run["duration_s"].get<double>(),
            (*end)["host_s"].get<double>() + 30 + 45);
  EXPECT_EQ(Leftovers(id, out), "");
}

// The memory-cgroup report: a kill while the swapfile had room, with the
// usage at the time, and the counters agree with the console.
TEST_F(IntegrationTest, MemcgKillDuringStallSaysSwapHadRoom) {
  REQUIRE_CAPABILITIES();
  std::string out, id;
  nlohmann::json r = RunShipped("memcg-kill-during-stall", 1, &out, &id);
  ASSERT_TRUE(r.is_object());
  const auto& run = r["runs"][0];
  const auto& findings = run["findings"];
  ASSERT_FALSE(findings.empty());
  const auto& kill = findings[0];
  EXPECT_EQ(kill["kind"], "memcg_oom_kill");
  EXPECT_EQ(kill["victim"], "hog");
  EXPECT_NE(kill["title"].get<std::string>().find("while swap had free space"),
            std::string::npos)
      << kill.dump();
  EXPECT_LT(kill["swap_at_kill"]["used_kib"].get<int64_t>(),
            kill["swap_at_kill"]["total_kib"].get<int64_t>());
  EXPECT_EQ(run["oom_cross_check"]["agree"], true) << run["oom_cross_check"];
  EXPECT_EQ(Leftovers(id, out), "");
}

}  // namespace
}  // namespace swapbench

namespace swapbench {
namespace {

int CountPlotPaths(const std::string& html) {
  // A series path with at least two points.
  std::regex path(
      R"re(data-series="[^"]+"><path[^>]* d="( M[0-9.]+ [0-9.]+( L[0-9.]+ [0-9.]+)+)")re");
  return std::distance(std::sregex_iterator(html.begin(), html.end(), path),
                       std::sregex_iterator());
}

// Two attempts of smoke at once (--jobs 2 --repeat 2): every format of the
// set and of each run, validated; the HTML rendered by headless Chromium.
TEST_F(IntegrationTest, ParallelRepeatsWriteValidReports) {
  REQUIRE_CAPABILITIES();
  std::string out = OutDir("reports");
  std::string id, log;
  int rc = RunBench({"run", kSource + "/scenarios/smoke.toml", "--repeat", "2",
                     "--jobs", "2", "--out", out},
                    &id, &log);
  ASSERT_EQ(rc, 0) << log;
  auto summary = ReadFile(out + "/summary.json");
  ASSERT_TRUE(summary.ok());
  nlohmann::json s = nlohmann::json::parse(*summary);
  EXPECT_EQ(s["verdict"], "pass");
  ASSERT_EQ(s["cases"].size(), 1u);
  EXPECT_EQ(s["cases"][0]["attempts"], 2);
  for (const char* d : {"/smoke.a1", "/smoke.a2", ""})
    for (const char* f :
         {"/junit.xml", "/kcidb.json", "/ktap.txt", "/report.html"})
      EXPECT_TRUE(Exists(out + d + f)) << out + d + f;
  // Both runs were real and separate: their own run ids and namespaces.
  std::set<std::string> netns;
  for (const char* d : {"/smoke.a1", "/smoke.a2"}) {
    nlohmann::json r = LoadReport(out + d);
    EXPECT_EQ(r["runs"][0]["verdict"], "pass");
    EXPECT_GE(r["runs"][0]["metrics"]["pswpout"].get<int64_t>(), 30000);
  }
  EXPECT_EQ(Leftovers(id, out), "");
  EXPECT_EQ(Leftovers(id + "-1", out), "");

  // JUnit against the XSD.
  auto x = RunCommand({"xmllint", "--noout", "--schema",
                       kSource + "/reports/schemas/junit-10.xsd",
                       out + "/junit.xml"});
  ASSERT_TRUE(x.ok());
  EXPECT_EQ(x->exit_code, 0) << x->output;
  // KCIDB against the schema's required fields, enums and patterns.
  nlohmann::json schema = nlohmann::json::parse(
      *ReadFile(kSource + "/reports/schemas/kcidb-v5.3.schema.json"));
  nlohmann::json kcidb = nlohmann::json::parse(*ReadFile(out + "/kcidb.json"));
  std::vector<std::string> errors;
  CheckSchema(schema, schema, kcidb, "kcidb", &errors);
  EXPECT_TRUE(errors.empty()) << testing::PrintToString(errors);
  EXPECT_EQ(kcidb["tests"].size(), 2u);
  EXPECT_GT(kcidb["tests"][0]["number"]["value"].get<double>(), 0);
  // KTAP.
  auto ktap = ReadFile(out + "/ktap.txt");
  ASSERT_TRUE(ktap.ok());
  EXPECT_EQ(ktap->rfind("KTAP version 1\n1..1\nok 1 smoke_seed1_", 0), 0u)
      << *ktap;
  EXPECT_NE(ktap->find("# totals: pass:1 fail:0 flaky:0 error:0 skip:0"),
            std::string::npos);

  // The HTML of a real run: every plot has a series with points...
  auto html = ReadFile(out + "/smoke.a1/report.html");
  ASSERT_TRUE(html.ok());
  EXPECT_GE(CountPlotPaths(*html), 8) << "8 series in 4 plots";
  // ...and headless Chromium renders it: the screenshot is far from the
  // blank page's.
  const char* chromium = "/usr/bin/chromium-headless-shell";
  if (!Exists(chromium))
    GTEST_SKIP() << "no " << chromium << " (bench/setup.sh installs it)";
  ASSERT_TRUE(WriteFile(out + "/blank.html",
                        "<!DOCTYPE html><html><body></body></html>")
                  .ok());
  auto shot = [&](const std::string& page, const std::string& png) {
    auto r =
        RunCommand({chromium, "--no-sandbox", "--headless", "--disable-gpu",
                    "--hide-scrollbars", "--window-size=1280,1800",
                    "--screenshot=" + png, "file://" + page},
                   120);
    EXPECT_TRUE(r.ok());
    EXPECT_TRUE(Exists(png)) << (r.ok() ? r->output : "");
    struct stat st {};
    stat(png.c_str(), &st);
    return st.st_size;
  };
  off_t blank = shot(out + "/blank.html", out + "/blank.png");
  off_t report = shot(out + "/smoke.a1/report.html", out + "/report.png");
  EXPECT_GT(blank, 0);
  EXPECT_GT(report, 5 * blank)
      << "report " << report << " B, blank " << blank << " B";
}

}  // namespace
}  // namespace swapbench

namespace swapbench {
namespace {

// The CI gate on real runs: smoke on two Debian kernel revisions, three
// attempts each, compared; then the same kernel through a lossy link as
// "NEW", which must be flagged as a throughput regression (exit 1).
TEST_F(IntegrationTest, CompareGatesARealRegression) {
  REQUIRE_CAPABILITIES();
  std::string dir = OutDir("compare");
  ASSERT_TRUE(MakeDirs(dir).ok());
  std::string id, log;
  int rc = RunBench(
      {"run", kSource + "/scenarios/smoke.toml", "--kernel-package",
       "linux-image-6.1.0-54-amd64", "--kernel-package",
       "linux-image-6.1.0-55-amd64", "--repeat", "3", "--out", dir + "/ab"},
      &id, &log);
  ASSERT_EQ(rc, 0) << log;
  rc = RunBench(
      {"compare", dir + "/ab", dir + "/ab", "--base-kernel", "6.1.0-54-amd64",
       "--new-kernel", "6.1.0-55-amd64", "--out", dir + "/ab-compare"},
      &id, &log);
  EXPECT_TRUE(rc == 0 || rc == 1) << log;  // the kernels decide, not us
  auto ab = ReadFile(dir + "/ab-compare/compare.json");
  ASSERT_TRUE(ab.ok()) << log;
  nlohmann::json c = nlohmann::json::parse(*ab);
  ASSERT_EQ(c["rows"].size(), 1u);
  EXPECT_EQ(c["rows"][0]["base_attempts"], 3);
  EXPECT_EQ(c["rows"][0]["new_attempts"], 3);
  EXPECT_NE(c["rows"][0]["throughput"], "not_gated") << c.dump(1);
  EXPECT_TRUE(Exists(dir + "/ab-compare/compare.html"));

  // A deliberately worse configuration: 2 % loss towards the server
  // (measured: swap-out about a third lower, runs about twice as long).
  // Four attempts for three passing ones: on this lossy link the kernel
  // sometimes memcg-OOM-kills the hog while swap has room (measured
  // 2026-11-30: one attempt of three in 2 of 4 runs of this test), and
  // throughput is gated over passing attempts only (--min-repeats 3).
  auto smoke = ReadFile(kSource + "/scenarios/smoke.toml");
  ASSERT_TRUE(smoke.ok());
  std::string lossy = *smoke;
  lossy.replace(lossy.find("[limits]"), 8,
                "[link.to_server]\nloss = 0.02\n\n[limits]");
  ASSERT_TRUE(WriteFile(dir + "/smoke.toml", lossy).ok());
  rc = RunBench(
      {"run", dir + "/smoke.toml", "--kernel-package",
       "linux-image-6.1.0-54-amd64", "--repeat", "4", "--out", dir + "/lossy"},
      &id, &log);
  ASSERT_EQ(rc, 0) << log;
  rc = RunBench({"compare", dir + "/ab", dir + "/lossy", "--base-kernel",
                 "6.1.0-54-amd64"},
                &id, &log);
  EXPECT_EQ(rc, 1) << log;
  auto worse = ReadFile(dir + "/lossy/compare.json");
  ASSERT_TRUE(worse.ok());
  c = nlohmann::json::parse(*worse);
  EXPECT_EQ(c["verdict"], "regression");
  EXPECT_EQ(c["rows"][0]["throughput"], "regression") << c.dump(1);
  EXPECT_LT(c["rows"][0]["delta"].get<double>(), -0.10);
}

}  // namespace
}  // namespace swapbench

namespace swapbench {
namespace {

// The lines of a run's link-trace.tsv whose decision column is `decision`
// and whose impairment column is `by`.
size_t TraceCount(const std::string& dir, const std::string& decision,
                  const std::string& by) {
  auto text = ReadFile(dir + "/link-trace.tsv");
  EXPECT_TRUE(text.ok()) << "no link-trace.tsv in " << dir;
  if (!text.ok()) return 0;
  std::string needle = "\t" + decision + "\t" + by + "\n";
  size_t n = 0;
  for (size_t p = text->find(needle); p != std::string::npos;
       p = text->find(needle, p + 1))
    ++n;
  return n;
}

TEST_F(IntegrationTest, FloodIsCapturedAndTheVerdictIsPassOrSwapStall) {
  REQUIRE_CAPABILITIES();
  if (!Exists("/usr/bin/tcpdump"))
    GTEST_SKIP() << "missing /usr/bin/tcpdump (run bench/setup.sh)";
  std::string out = OutDir("flood"), id, log;
  int rc = RunBench({"run", kSource + "/scenarios/flood.toml", "--out", out},
                    &id, &log);
  nlohmann::json r = LoadReport(out);
  ASSERT_TRUE(r.is_object()) << log;
  const auto& run = r["runs"][0];
  // The kernel's answer varies (measured here: 3 of 4 runs pass, 1 stalls
  // with the hog in do_swap_page and no NFS traffic): either is a correct
  // report, anything else is not.
  if (rc == 0) {
    EXPECT_EQ(run["verdict"], "pass");
    EXPECT_EQ(run["integrity"]["pages_verified"],
              run["integrity"]["hog_pages"]);
  } else {
    EXPECT_EQ(rc, 1) << log;
    EXPECT_TRUE(HasKind(run["findings"], "swap_stall"))
        << run["findings"].dump(1);
  }
  const auto& link = run["link"];
  ASSERT_EQ(link["floods"].size(), 4u) << link.dump(1);
  uint64_t sent = 0;
  for (const auto& f : link["floods"]) sent += f["sent"].get<uint64_t>();
  if (rc == 0) {
    EXPECT_EQ(sent, 188000u) << "4,700 frames/s for 40 s";
  }
  EXPECT_GT(sent, 50000u);
  // The guest's stack saw the UDP flood hit closed ports and answered echoes.
  EXPECT_GT(link["guest"]["udp_noports"].get<int64_t>(), 10000) << link.dump(1);
  EXPECT_GT(link["guest"]["icmp_in_echos"].get<int64_t>(), 1000)
      << link.dump(1);
  // Both captures are pcap files tcpdump reads; the guest's side holds the
  // floods as delivered, the server's side the NFS traffic.
  for (auto [filter, want] :
       {std::pair{"tcp[tcpflags] == tcp-syn", "Flags [S]"},
        {"icmp", "ICMP echo request"},
        {"udp", "UDP, length"}}) {
    auto g = RunCommand(
        {"tcpdump", "-r", out + "/guest.pcap", "-nn", "-c", "5", filter});
    ASSERT_TRUE(g.ok());
    EXPECT_EQ(g->exit_code, 0) << g->output.substr(0, 500);
    EXPECT_NE(g->output.find(want), std::string::npos)
        << filter << ": " << g->output;
  }
  auto s = RunCommand({"tcpdump", "-r", out + "/server.pcap", "-nn", "-c",
                       "2000", "port", "2049"});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->exit_code, 0);
  EXPECT_NE(s->output.find(".2049"), std::string::npos);
  EXPECT_EQ(Leftovers(id, out), "");
}

// The real tcpreplay, the user's command line, inside the storage
// namespace: its frames reach the guest through the relay like the
// server's (counted as the flood's, traced, captured).
TEST_F(IntegrationTest, TcpreplayFloodCrossesTheLinkLikeAServerFrame) {
  REQUIRE_CAPABILITIES();
  for (const char* tool : {"/usr/bin/tcpreplay", "/usr/bin/tcpdump"})
    if (!Exists(tool))
      GTEST_SKIP() << "missing " << tool << " (run bench/setup.sh)";
  std::string out = OutDir("flood-tcpreplay"), id, log;
  int rc = RunBench(
      {"run", kSource + "/scenarios/flood-tcpreplay.toml", "--out", out}, &id,
      &log);
  nlohmann::json r = LoadReport(out);
  ASSERT_TRUE(r.is_object()) << log;
  const auto& run = r["runs"][0];
  // The kernel's answer to a flood varies, as with flood.toml (measured: 4
  // runs passed, 1 stalled with swap free): either is a correct report.
  if (rc != 0) {
    EXPECT_EQ(rc, 1) << log;
    EXPECT_TRUE(HasKind(run["findings"], "swap_stall"))
        << run["findings"].dump(1);
  }
  const auto& flood = run["link"]["floods"][0];
  EXPECT_EQ(flood["kind"], "tcpreplay");
  uint64_t sent = flood["sent"].get<uint64_t>();
  EXPECT_GE(sent, 15000u) << "5,000 frames/s for 4 s";
  EXPECT_EQ(flood["delivered"].get<uint64_t>(), sent) << "no impairment";
  // What tcpreplay says it wrote is what the relay read from its port.
  auto stats = ReadFile(out + "/flood-vendor-corpus.tcpreplay.log");
  ASSERT_TRUE(stats.ok());
  size_t at = stats->find("Successful packets:");
  ASSERT_NE(at, std::string::npos) << *stats;
  uint64_t written = std::stoull(stats->substr(at + 19));
  EXPECT_NEAR(static_cast<double>(sent), static_cast<double>(written),
              written / 100.0)
      << *stats;
  // Re-addressed by tcprewrite: the guest's stack answered the echoes.
  EXPECT_GT(run["link"]["guest"]["icmp_in_echos"].get<int64_t>(), 1000)
      << run["link"].dump(1);
  auto g = RunCommand(
      {"tcpdump", "-r", out + "/guest.pcap", "-nn", "-c", "3", "arp"});
  ASSERT_TRUE(g.ok());
  EXPECT_NE(g->output.find("Request who-has"), std::string::npos) << g->output;
  EXPECT_EQ(Leftovers(id, out), "");
}

// QEMU record/replay: a recorded run replays from its log alone (no relay,
// no server, no namespace) with the console byte for byte — here up to the
// swapon, which a replay reaches in about a minute; the whole run replays
// in the extended suite (≈ 5x the recording's time).
TEST_F(IntegrationTest, RecordedRunReplaysItsConsoleByteForByte) {
  REQUIRE_CAPABILITIES();
  if (!Exists("/usr/bin/qemu-img"))
    GTEST_SKIP() << "missing /usr/bin/qemu-img (run bench/setup.sh)";
  std::string out = OutDir("record"), id, log;
  int rc =
      RunBench({"run", kSource + "/bench/testdata/scenarios/record-small.toml",
                "--record", "--out", out},
               &id, &log);
  ASSERT_EQ(rc, 0) << log;
  for (const char* f : {"replay.bin", "initrd.img", "vm.json"})
    EXPECT_TRUE(Exists(out + "/record/" + f)) << f;
  auto vm = nlohmann::json::parse(*ReadFile(out + "/record/vm.json"));
  EXPECT_GT(vm["log_mb"].get<double>(), 10) << vm.dump(1);
  EXPECT_EQ(Leftovers(id, out), "");
  std::string rid, rlog;
  rc = RunBench(
      {"replay", out, "--until", "Adding 262140k swap", "--timeout", "600"},
      &rid, &rlog);
  EXPECT_EQ(rc, 0) << rlog;
  EXPECT_NE(rlog.find("console byte-identical to the recording"),
            std::string::npos)
      << rlog;
  auto replayed = ReadFile(out + "/replay/console.log");
  ASSERT_TRUE(replayed.ok());
  EXPECT_NE(replayed->find("swapbench-agent: mounted 10.213.0.1:/export"),
            std::string::npos);
  // Nothing of a replay stays: its domain is gone.
  EXPECT_EQ(Leftovers(rid, out), "");
}

// --record=failures keeps nothing of a run that passed; KVM is refused.
TEST_F(IntegrationTest, RecordFailuresKeepsNothingOfAPass) {
  REQUIRE_CAPABILITIES();
  std::string out = OutDir("record-failures"), id, log;
  int rc =
      RunBench({"run", kSource + "/bench/testdata/scenarios/record-small.toml",
                "--record=failures", "--out", out},
               &id, &log);
  ASSERT_EQ(rc, 0) << log;
  EXPECT_FALSE(Exists(out + "/record")) << log;
  std::string rid, rlog;
  EXPECT_EQ(RunBench({"replay", out}, &rid, &rlog), 2);
  EXPECT_NE(rlog.find("no recording"), std::string::npos) << rlog;
}

TEST_F(IntegrationTest, LinkPhasesActInARealRun) {
  REQUIRE_CAPABILITIES();
  std::string out, id;
  nlohmann::json r = RunShipped("link-phases", 0, &out, &id);
  ASSERT_TRUE(r.is_object());
  const auto& run = r["runs"][0];
  // expect.all_impairments_acted: a pass means every impairment and phase
  // acted.
  EXPECT_EQ(run["verdict"], "pass") << run["unmet_expectations"].dump();
  EXPECT_GT(TraceCount(out, "drop", "phase:partition"), 0u);
  EXPECT_GT(TraceCount(out, "drop", "phase:flap"), 0u);
  EXPECT_GT(TraceCount(out, "drop", "spike"), 0u);
  // The trace and report.json agree on the partition's drops.
  uint64_t partition = 0;
  for (const auto& p : run["link"]["phases"])
    if (p["name"] == "partition")
      partition = p["dropped_to_guest"].get<uint64_t>() +
                  p["dropped_to_server"].get<uint64_t>();
  EXPECT_EQ(partition, TraceCount(out, "drop", "phase:partition"));
  EXPECT_EQ(Leftovers(id, out), "");
}

TEST_F(IntegrationTest, FloodUnderGlobalPressureStallsSwap) {
  REQUIRE_CAPABILITIES();
  std::string out, id;
  // Measured here: 2 of 2 runs wedge (kswapd and the hog in mempool_alloc
  // under __swap_writepage, swap never starts); without the flood the same
  // hog completes.
  nlohmann::json r = RunShipped("flood-global", 1, &out, &id);
  ASSERT_TRUE(r.is_object());
  const auto& run = r["runs"][0];
  EXPECT_TRUE(HasKind(run["findings"], "swap_stall"))
      << run["findings"].dump(1);
  EXPECT_TRUE(run["unmet_expectations"].empty())
      << run["unmet_expectations"].dump();
  uint64_t sent = 0;
  for (const auto& f : run["link"]["floods"]) sent += f["sent"].get<uint64_t>();
  EXPECT_GT(sent, 10000u);
  // The floods are on the run's timeline, from the hog's start.
  EXPECT_NE(Timeline(run, "flood_begin"), nullptr) << run["timeline"].dump(1);
  EXPECT_TRUE(Exists(out + "/sysrq.txt"));
  EXPECT_EQ(Leftovers(id, out), "");
}

TEST_F(IntegrationTest, SilentCorruptionIsCaughtByThePageVerifier) {
  REQUIRE_CAPABILITIES();
  std::string out, id;
  nlohmann::json r = RunShipped("silent-corruption", 1, &out, &id);
  ASSERT_TRUE(r.is_object());
  const auto& run = r["runs"][0];
  EXPECT_TRUE(HasKind(run["findings"], "corruption"))
      << run["findings"].dump(1);
  EXPECT_TRUE(run["unmet_expectations"].empty())
      << run["unmet_expectations"].dump();
  EXPECT_GT(run["integrity"]["pages_corrupted"].get<int64_t>(), 0);
  EXPECT_GT(run["link"]["to_guest"]["corrupted"].get<int64_t>(), 0);
  // The checksums were fixed: the guest's TCP saw nothing wrong.
  EXPECT_EQ(run["link"]["guest"]["tcp_csum_errors"], 0);
  EXPECT_GT(TraceCount(out, "corrupt", "corrupt"), 0u);
  EXPECT_EQ(Leftovers(id, out), "");
}

TEST_F(IntegrationTest, KernelNetemEngineImpairsInTheGuest) {
  REQUIRE_CAPABILITIES();
  std::string out, id;
  nlohmann::json r = RunShipped("kernel-netem", 0, &out, &id);
  ASSERT_TRUE(r.is_object());
  const auto& run = r["runs"][0];
  EXPECT_EQ(run["verdict"], "pass");
  EXPECT_EQ(run["link"]["engine"], "kernel-netem");
  EXPECT_EQ(run["link"]["seeded"], false);
  // The relay applied nothing; the guest's netem did (its own counters).
  EXPECT_EQ(run["link"]["to_server"]["dropped"], 0);
  auto console = ReadFile(out + "/console.log");
  ASSERT_TRUE(console.ok());
  std::smatch m;
  std::regex stats(
      R"(qdisc netem \S+ root [^\n]*loss 1%\s+Sent \d+ bytes (\d+) pkt \(dropped (\d+))");
  ASSERT_TRUE(std::regex_search(*console, m, stats))
      << "no netem statistics on the console";
  EXPECT_GT(std::stoll(m[1]), 1000);
  EXPECT_GT(std::stoll(m[2]), 0) << "netem dropped nothing";
  // The same counters, read by the agent, in report.json per direction.
  const auto& netem = run["link"]["netem"];
  ASSERT_EQ(netem.size(), 2u) << run["link"].dump(1);
  for (const auto& s : netem) {
    EXPECT_GT(s["sent_packets"].get<int64_t>(), 1000) << s.dump();
    EXPECT_GT(s["dropped"].get<int64_t>(), 0) << s.dump();
  }
  EXPECT_EQ(netem[0]["direction"], "to_server");
  EXPECT_EQ(netem[1]["direction"], "to_guest");
  EXPECT_EQ(Leftovers(id, out), "");
}

}  // namespace
}  // namespace swapbench

namespace swapbench {
namespace {

// Two benches on one host (two CI jobs): each process has its own libvirt
// root, namespace, ports and servers; both runs pass and nothing is left.
TEST_F(IntegrationTest, TwoConcurrentBenchesBothPass) {
  REQUIRE_CAPABILITIES();
  const std::string a = OutDir("concurrent-smoke"),
                    b = OutDir("concurrent-nbd");
  auto start = [&](const std::string& scenario, const std::string& out) {
    std::vector<std::string> argv = {
        kBinary, "run", kSource + "/scenarios/" + scenario + ".toml", "--out",
        out};
    if (scenario == "baselines")  // one case of the family
      argv.insert(argv.end(), {"--case", "storage=nbd"});
    auto pid = Spawn(argv, SpawnOptions{"", false, 0, out + ".log"});
    EXPECT_TRUE(pid.ok());
    return pid.ok() ? *pid : -1;
  };
  pid_t pa = start("smoke", a);
  pid_t pb = start("baselines", b);
  ASSERT_GT(pa, 0);
  ASSERT_GT(pb, 0);
  int sa = 0, sb = 0;
  waitpid(pa, &sa, 0);
  waitpid(pb, &sb, 0);
  auto log = [](const std::string& path) {
    auto t = ReadFile(path);
    return t.ok() ? *t : std::string("(no log)");
  };
  EXPECT_TRUE(WIFEXITED(sa) && WEXITSTATUS(sa) == 0) << log(a + ".log");
  EXPECT_TRUE(WIFEXITED(sb) && WEXITSTATUS(sb) == 0) << log(b + ".log");
  EXPECT_EQ(LoadReport(a)["verdict"], "pass");
  EXPECT_EQ(LoadReport(b)["verdict"], "pass");
  EXPECT_EQ(Leftovers("sb" + std::to_string(pa), a), "");
  EXPECT_EQ(Leftovers("sb" + std::to_string(pb), b), "");
}

}  // namespace
}  // namespace swapbench

namespace swapbench {
namespace {

// Debian's 6.12 kernels ship compressed modules (.ko.xz): the image takes
// them decompressed and the guest swaps as on 6.1.
TEST_F(IntegrationTest, Debian612WithCompressedModulesSwaps) {
  REQUIRE_CAPABILITIES();
  const std::string out = OutDir("k612");
  std::string id, log;
  int rc =
      RunBench({"run", kSource + "/scenarios/smoke.toml", "--kernel-package",
                "linux-image-6.12.117+deb12-amd64", "--out", out},
               &id, &log);
  ASSERT_EQ(rc, 0) << log;
  nlohmann::json r = LoadReport(out);
  EXPECT_EQ(r["verdict"], "pass");
  EXPECT_EQ(r["kernel"]["release"], "6.12.117+deb12-amd64");
  const auto& run = r["runs"][0];
  EXPECT_EQ(run["integrity"]["pages_verified"], run["integrity"]["hog_pages"]);
  EXPECT_GE(run["metrics"]["pswpout"].get<int64_t>(), 30000);
  EXPECT_EQ(Leftovers(id, out), "");
}

// A Debian kernel package's files laid out the way `make` leaves a build
// tree: arch/x86/boot/bzImage, .config, include/config/kernel.release,
// modules.order without the "kernel/" prefix, and each .ko in its source
// subdirectory (symlinks into the unpacked package). Returns the tree, or
// "" with `error` set.
std::string DebianPackageAsTree(const std::string& package,
                                const std::string& dir, std::string* error) {
  namespace fs = std::filesystem;
  const std::string dl = dir + "/dl", pkg = dir + "/pkg", tree = dir + "/linux";
  fs::create_directories(dl);
  auto r = RunCommand(
      {"sh", "-c", "cd \"$0\" && apt-get download \"$1\"", dl, package}, 600);
  std::string deb;
  for (const auto& e : fs::directory_iterator(dl))
    if (e.path().extension() == ".deb") deb = e.path().string();
  if (deb.empty()) {
    *error = "apt-get download " + package + ": " + (r.ok() ? r->output : "");
    return "";
  }
  if (!RunChecked({"dpkg-deb", "-x", deb, pkg}, 300).ok()) {
    *error = "dpkg-deb -x " + deb;
    return "";
  }
  std::string release;
  for (const auto& e : fs::directory_iterator(pkg + "/lib/modules"))
    release = e.path().filename().string();
  const std::string mods = pkg + "/lib/modules/" + release;
  fs::create_directories(tree + "/arch/x86/boot");
  fs::create_directories(tree + "/include/config");
  fs::create_symlink(pkg + "/boot/vmlinuz-" + release,
                     tree + "/arch/x86/boot/bzImage");
  fs::copy_file(pkg + "/boot/config-" + release, tree + "/.config");
  fs::copy_file(mods + "/modules.builtin", tree + "/modules.builtin");
  EXPECT_TRUE(
      WriteFile(tree + "/include/config/kernel.release", release + "\n").ok());
  auto order = ReadFile(mods + "/modules.order");
  std::string tree_order;
  std::istringstream in(order.ok() ? *order : "");
  std::string line;
  while (std::getline(in, line)) {
    std::string rel = line.substr(line.rfind("kernel/", 0) == 0 ? 7 : 0);
    fs::create_directories(fs::path(tree + "/" + rel).parent_path());
    fs::create_symlink(mods + "/" + line, tree + "/" + rel);
    tree_order += rel + "\n";
  }
  EXPECT_TRUE(WriteFile(tree + "/modules.order", tree_order).ok());
  return tree;
}

// --kernel-tree on a build-tree layout: the modules come from the tree
// (collected and indexed without `make modules_install`), the guest swaps.
TEST_F(IntegrationTest, KernelTreeInBuildLayoutSwaps) {
  REQUIRE_CAPABILITIES();
  const std::string dir = OutDir("ktree-src");
  std::string error;
  std::string tree =
      DebianPackageAsTree("linux-image-6.1.0-54-amd64", dir, &error);
  ASSERT_FALSE(tree.empty()) << error;
  EXPECT_FALSE(Exists(tree + "/lib/modules")) << "nothing installed";
  const std::string out = OutDir("ktree");
  std::string id, log;
  int rc = RunBench({"run", kSource + "/scenarios/baselines.toml", "--case",
                     "storage=nbd", "--kernel-tree", tree, "--out", out},
                    &id, &log);
  ASSERT_EQ(rc, 0) << log;
  nlohmann::json r = LoadReport(out);
  EXPECT_EQ(r["verdict"], "pass");
  EXPECT_EQ(r["kernel"]["release"], "6.1.0-54-amd64");
  EXPECT_EQ(r["kernel"]["source"], "tree:" + tree);
  EXPECT_NE(log.find(" modules"), std::string::npos);
  EXPECT_EQ(log.find(", 0 modules"), std::string::npos)
      << "nbd and virtio_net come from the tree: " << log;
  const auto& run = r["runs"][0];
  EXPECT_EQ(run["swap"]["type"], "nbd");
  EXPECT_EQ(run["integrity"]["pages_verified"], run["integrity"]["hog_pages"]);
  EXPECT_EQ(Leftovers(id, out), "");
  std::filesystem::remove_all(dir);
}

// Debian's -cloud kernel has no e1000 driver: a scenario asking for that
// NIC stops before anything starts, naming the line, option and kernel.
TEST_F(IntegrationTest, KernelLackingTheScenariosDriverExits2) {
  REQUIRE_CAPABILITIES();
  const std::string dir = OutDir("cloud-e1000");
  std::filesystem::create_directories(dir);
  auto smoke = ReadFile(kSource + "/scenarios/smoke.toml");
  ASSERT_TRUE(smoke.ok());
  std::string text = *smoke;
  text.replace(text.find("[vm]\n"), 5, "[vm]\nnic = \"e1000\"\n");
  ASSERT_TRUE(WriteFile(dir + "/e1000.toml", text).ok());
  int line = 1;
  for (char c : text.substr(0, text.find("nic = "))) line += c == '\n';
  std::string id, log;
  int rc = RunBench(
      {"run", dir + "/e1000.toml", "--kernel-package",
       "linux-image-6.12.117+deb12-cloud-amd64", "--out", dir + "/out"},
      &id, &log);
  EXPECT_EQ(rc, 2) << log;
  EXPECT_NE(log.find("kernel 6.12.117+deb12-cloud-amd64 (config "),
            std::string::npos)
      << log;
  EXPECT_NE(log.find(dir + "/e1000.toml:" + std::to_string(line) +
                     ": vm.nic \"e1000\" needs CONFIG_E1000 (module e1000) "
                     "for the guest's NIC driver: not set"),
            std::string::npos)
      << log;
  EXPECT_FALSE(Exists(dir + "/out")) << "nothing was started";
  EXPECT_EQ(Leftovers(id, dir + "/out"), "");
}

}  // namespace
}  // namespace swapbench

namespace swapbench {
namespace {

// Smoke over every emulated NIC model (issue "NIC qualification"): each
// case passes, and the guest's own driver reported the driver and PCI ID
// bench/nic.h says the model has, and its counters at the end.
TEST_F(IntegrationTest, SmokePassesOnEveryNicModel) {
  REQUIRE_CAPABILITIES();
  const std::string out = OutDir("nics");
  std::string id, log;
  int rc = RunBench(
      {"run", kSource + "/scenarios/nics.toml", "--jobs", "2", "--out", out},
      &id, &log);
  EXPECT_TRUE(rc == 0 || rc == 1) << log;
  int failed = 0;
  for (const NicModel& m : NicModels()) {
    SCOPED_TRACE(m.key);
    nlohmann::json r = LoadReport(out + "/nics.vm.nic-" + m.key);
    ASSERT_TRUE(r.is_object());
    const auto& run = r["runs"][0];
    const auto& nic = run["nic"];
    EXPECT_EQ(run["integrity"]["pages_corrupted"], 0);
    if (m.key == std::string("rtl8139") && run["verdict"] == "fail") {
      // Measured here in 1 of 3 runs: QEMU's RTL8139C+ receive FIFO
      // overflows under the relay's bursts (rx_missed_errors ~1200),
      // NFS writes crawl, and the memory cgroup OOM-kills the hog with
      // its whole 48 MiB under writeback and swap free. A kernel finding
      // on this NIC, not a harness failure; anything else fails the test.
      ++failed;
      ASSERT_EQ(run["findings"].size(), 1u) << run["findings"].dump();
      EXPECT_EQ(run["findings"][0]["kind"], "memcg_oom_kill");
      EXPECT_GT(nic["counters"].value("rx_missed_errors", 0), 0) << nic.dump();
      continue;
    }
    EXPECT_EQ(run["verdict"], "pass")
        << run["unmet_expectations"].dump() << run["findings"].dump();
    EXPECT_EQ(nic["model"], m.key);
    EXPECT_EQ(nic["driver"], m.module);
    EXPECT_EQ(nic["pci_id"], m.pci_id);
    EXPECT_EQ(nic["mtu"], 1500);
    // Swap crossed this NIC: over 100 MiB each way (TSO may carry it in fewer
    // transmitted frames than pages).
    EXPECT_GT(nic["counters"].value("rx_bytes", 0), 100 << 20) << nic.dump();
    EXPECT_GT(nic["counters"].value("tx_bytes", 0), 100 << 20) << nic.dump();
  }
  EXPECT_EQ(rc, failed ? 1 : 0) << log;
  EXPECT_EQ(Leftovers(id, out), "");
}

}  // namespace
}  // namespace swapbench

namespace swapbench {
namespace {

// The AF_PACKET endpoint for real (issue "NIC qualification"): the guest's
// TAP bridged to a veth pair in a namespace of the bench's own, the relay
// on the far end; smoke passes, two virtio-net queues, every frame on the
// trace, and the cable's namespace is gone afterwards.
TEST_F(IntegrationTest, SmokePassesThroughAVethCableReadByAfPacket) {
  REQUIRE_CAPABILITIES();
  std::string out, id;
  nlohmann::json r = RunShipped("veth-cable", 0, &out, &id);
  ASSERT_TRUE(r.is_object());
  const auto& run = r["runs"][0];
  EXPECT_EQ(run["verdict"], "pass")
      << run["unmet_expectations"].dump() << run["findings"].dump();
  EXPECT_EQ(run["link"]["engine"], "relay+veth");
  EXPECT_EQ(run["nic"]["queues"], 2);
  EXPECT_EQ(run["integrity"]["pages_verified"], 32768);
  // Swap crossed the relay as wire frames: the trace has them all.
  auto trace = ReadFile(out + "/link-trace.tsv");
  ASSERT_TRUE(trace.ok());
  long lines = std::count(trace->begin(), trace->end(), '\n');
  long frames = run["link"]["to_guest"]["frames"].get<long>() +
                run["link"]["to_server"]["frames"].get<long>();
  EXPECT_GT(frames, 2 * 32768);
  EXPECT_EQ(lines, frames + 1);  // and a header
  EXPECT_FALSE(Exists("/run/netns/swapbench-" + id + "-w"));
  EXPECT_EQ(Leftovers(id, out), "");
}

}  // namespace
}  // namespace swapbench

namespace swapbench {
namespace {

// A short qualification (issue "NIC qualification"): one check on one
// model, for real; qualify.json names the driver the guest reported and
// the versions, qualify.html is written, the case's run is under runs/.
TEST_F(IntegrationTest, QualifyBaselineOnVirtioWritesTheReport) {
  REQUIRE_CAPABILITIES();
  const std::string out = OutDir("qualify");
  std::string id, log;
  int rc = RunBench(
      {"qualify", "--nic", "virtio", "--check", "baseline", "--out", out}, &id,
      &log);
  EXPECT_EQ(rc, 0) << log;
  auto text = ReadFile(out + "/qualify.json");
  ASSERT_TRUE(text.ok()) << log;
  nlohmann::json q = nlohmann::json::parse(*text, nullptr, false);
  ASSERT_TRUE(q.is_object());
  EXPECT_EQ(q["schema"], "swapbench.qualify/1");
  EXPECT_EQ(q["verdict"], "pass");
  EXPECT_NE(q["qemu"].get<std::string>().find("QEMU emulator version"),
            std::string::npos);
  EXPECT_EQ(q["kernel"].get<std::string>().rfind(
                "debian:linux-image-6.1.0-54-amd64", 0),
            0u);
  const auto& d = q["drivers"]["virtio"];
  EXPECT_EQ(d["driver"], "virtio_net");
  EXPECT_EQ(d["checks"]["baseline"]["outcome"], "pass");
  EXPECT_GT(d["checks"]["baseline"]["swapout_mib_per_s"].get<double>(), 0);
  EXPECT_EQ(d["checks"].size(), 1u);
  auto html = ReadFile(out + "/qualify.html");
  ASSERT_TRUE(html.ok());
  EXPECT_NE(html->find("<td class='pass'>pass: "), std::string::npos);
  EXPECT_TRUE(Exists(out + "/runs/report.json"));
  EXPECT_EQ(Leftovers(id, out), "");
}

}  // namespace
}  // namespace swapbench

namespace swapbench {
namespace {

// The yardstick runs: smoke on plain QEMU (no libvirt, no relay) and as
// swapbench run, one pair; both pass, the ratios are written, and nothing
// of the raw guest is left.
TEST_F(IntegrationTest, BenchBaselineRunsRawQemuAndSwapbench) {
  REQUIRE_CAPABILITIES();
  std::string dir = OutDir("baseline");
  std::string id, log;
  int rc = RunBench({"bench-baseline", kSource + "/scenarios/smoke.toml",
                     "--repeat", "1", "--out", dir},
                    &id, &log);
  ASSERT_EQ(rc, 0) << log;
  auto text = ReadFile(dir + "/bench-baseline.json");
  ASSERT_TRUE(text.ok()) << log;
  nlohmann::json j = nlohmann::json::parse(*text);
  ASSERT_EQ(j["runs"].size(), 2u) << j.dump(1);
  for (const auto& r : j["runs"]) EXPECT_EQ(r["verdict"], "pass") << r.dump();
  EXPECT_GT(j["wall_ratio"].get<double>(), 0.5);
  EXPECT_LT(j["wall_ratio"].get<double>(), 5.0);
  EXPECT_GT(j["raw_hog_s"].get<double>(), 0);
  // The raw run had no libvirt domain: its report says so and its guest
  // is gone.
  auto raw = ReadFile(dir + "/raw-qemu.a1/report.json");
  ASSERT_TRUE(raw.ok());
  EXPECT_NE(raw->find("raw QEMU baseline"), std::string::npos);
  auto q = RunCommand({"pgrep", "-af", "qemu-system.*" + dir + "/"});
  EXPECT_TRUE(q.ok() && q->exit_code == 1) << q->output;
}

}  // namespace
}  // namespace swapbench
