// What the guest-booting tests share: capability checks (SKIPPED with the
// reason), running build/swapbench to completion, reading a report, and
// finding what a run left behind. Header-only; for integration_test.cc and
// extended_test.cc.
//
// They need root, /dev/net/tun, QEMU and ganesha; without them each test
// says SKIPPED and why.
#ifndef SWAPBENCH_BENCH_INTEGRATION_H_
#define SWAPBENCH_BENCH_INTEGRATION_H_

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench/fs_util.h"
#include "bench/process.h"

namespace swapbench {

inline const std::string kBinary = SWAPBENCH_BINARY;
inline const std::string kSource = SWAPBENCH_SOURCE_DIR;

inline std::string MissingCapability() {
  if (geteuid() != 0)
    return "needs root (network namespaces, TAP, libvirt as root)";
  if (!Exists("/dev/net/tun")) return "no /dev/net/tun";
  for (const char* tool :
       {"/usr/bin/qemu-system-x86_64", "/usr/bin/ganesha.nfsd",
        "/usr/sbin/rpcbind", "/bin/busybox"})
    if (!Exists(tool))
      return std::string("missing ") + tool + " (run bench/setup.sh)";
  return "";
}

#define REQUIRE_CAPABILITIES()                     \
  do {                                             \
    std::string missing = MissingCapability();     \
    if (!missing.empty()) GTEST_SKIP() << missing; \
  } while (0)

inline std::string OutDir(const std::string& name) {
  std::string d = "/tmp/swapbench-it/" + name;
  std::filesystem::remove_all(d);
  return d;
}

inline nlohmann::json LoadReport(const std::string& dir) {
  auto text = ReadFile(dir + "/report.json");
  EXPECT_TRUE(text.ok()) << "no report.json in " << dir;
  return text.ok() ? nlohmann::json::parse(*text, nullptr, false)
                   : nlohmann::json();
}

// What a run with this id could have left behind: its domain's QEMU, its
// namespace, servers started with its out dir.
inline std::string Leftovers(const std::string& run_id,
                             const std::string& out_dir) {
  std::string left;
  auto q = RunCommand({"pgrep", "-af", "guest=swapbench-" + run_id + "[, ]"});
  if (q.ok() && q->exit_code == 0) left += "qemu: " + q->output;
  if (Exists("/run/netns/swapbench-" + run_id))
    left += "netns swapbench-" + run_id + "\n";
  // Servers are started with their config in the out dir.
  // (ganesha and nbd-server by their config in the out dir, tgtd by the
  // portal address only the bench uses).
  for (std::string pattern :
       {"ganesha.nfsd.*" + out_dir + "/", "nbd-server.*" + out_dir + "/",
        std::string("tgtd.*portal=10.213.0.1:")}) {
    auto g = RunCommand({"pgrep", "-af", pattern});
    if (g.ok() && g->exit_code == 0) left += "server: " + g->output;
  }
  return left;
}

// Runs swapbench to completion; returns the exit code and sets run_id.
inline int RunBench(const std::vector<std::string>& args, std::string* run_id,
                    std::string* output) {
  std::vector<std::string> argv = {kBinary};
  argv.insert(argv.end(), args.begin(), args.end());
  auto pid =
      Spawn(argv, SpawnOptions{"", false, 0, "/tmp/swapbench-it/last.log"});
  EXPECT_TRUE(pid.ok());
  if (!pid.ok()) return -1;
  *run_id = "sb" + std::to_string(*pid);
  int st = 0;
  waitpid(*pid, &st, 0);
  auto out = ReadFile("/tmp/swapbench-it/last.log");
  if (out.ok()) *output = *out;
  unlink("/tmp/swapbench-it/last.log");
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

// Runs the scenario `file` into /tmp/swapbench-it/NAME, expects exit code
// `want_rc` (printing swapbench's output if not) and returns the report.
inline nlohmann::json RunScenarioFile(const std::string& file,
                                      const std::string& name, int want_rc,
                                      std::string* out, std::string* id) {
  *out = OutDir(name);
  std::string log;
  int rc = RunBench({"run", file, "--out", *out}, id, &log);
  EXPECT_EQ(rc, want_rc) << log;
  return LoadReport(*out);
}

// scenarios/NAME.toml, as above.
inline nlohmann::json RunShipped(const std::string& name, int want_rc,
                                 std::string* out, std::string* id) {
  return RunScenarioFile(kSource + "/scenarios/" + name + ".toml", name,
                         want_rc, out, id);
}

// bench/testdata/scenarios/NAME.toml (scenarios only the tests run).
inline nlohmann::json RunTestScenario(const std::string& name, int want_rc,
                                      std::string* out, std::string* id) {
  return RunScenarioFile(
      kSource + "/bench/testdata/scenarios/" + name + ".toml", name, want_rc,
      out, id);
}

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_INTEGRATION_H_
