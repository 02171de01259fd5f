// Extended tests: long guest-booting suites CI does not gate on (CTest
// label extended; README command 2 leaves them out). Run
// them with `ctest --test-dir build -L extended`.
//
// They need root, /dev/net/tun, QEMU and ganesha, and Debian's package
// repository; without them each test says SKIPPED and why.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <tuple>

#include "bench/fs_util.h"
#include "bench/integration.h"

namespace swapbench {
namespace {

// smoke on every flavour of both families this machine can download: the
// oldest 6.1 (plain .ko) and 6.12 generic, -cloud and -rt (.ko.xz).
TEST(ExtendedTest, EveryDebianFlavourSwaps) {
  REQUIRE_CAPABILITIES();
  const std::string out = OutDir("flavours");
  const std::vector<std::string> kernels = {
      "linux-image-6.1.0-47-amd64", "linux-image-6.12.117+deb12-amd64",
      "linux-image-6.12.117+deb12-cloud-amd64",
      "linux-image-6.12.117+deb12-rt-amd64"};
  std::vector<std::string> args = {"run", kSource + "/scenarios/smoke.toml",
                                   "--out", out};
  for (const auto& k : kernels) {
    args.push_back("--kernel-package");
    args.push_back(k);
  }
  std::string id, log;
  int rc = RunBench(args, &id, &log);
  EXPECT_EQ(rc, 0) << log;
  for (const auto& k : kernels) {
    nlohmann::json r = LoadReport(out + "/smoke." + k);
    EXPECT_EQ(r["verdict"], "pass") << k;
    EXPECT_EQ(r["kernel"]["source"].get<std::string>().rfind("debian:" + k, 0),
              0u)
        << k;
  }
}

// A real bisect between two 6.1.0 packages whose smoke verdicts agree:
// both endpoints run, nothing is left to search, exit 1.
TEST(ExtendedTest, BisectBetweenTwo61PackagesThatAgree) {
  REQUIRE_CAPABILITIES();
  const std::string out = OutDir("bisect");
  std::string id, log;
  int rc = RunBench({"bisect", kSource + "/scenarios/smoke.toml", "--old",
                     "linux-image-6.1.0-55-amd64", "--new",
                     "linux-image-6.1.0-57-amd64", "--out", out},
                    &id, &log);
  EXPECT_EQ(rc, 1) << log;
  auto text = ReadFile(out + "/bisect.json");
  ASSERT_TRUE(text.ok()) << log;
  auto j = nlohmann::json::parse(*text);
  EXPECT_EQ(j["outcome"], "agree");
  ASSERT_EQ(j["steps"].size(), 2u);
  EXPECT_EQ(j["steps"][0]["package"], "linux-image-6.1.0-55-amd64");
  EXPECT_EQ(j["steps"][1]["package"], "linux-image-6.1.0-57-amd64");
  EXPECT_EQ(j["packages"].size(), 3u) << "55, 56, 57";
  EXPECT_TRUE(Exists(out + "/01.linux-image-6.1.0-55-amd64/junit.xml"));
}

// The whole of a recorded run replays byte for byte (≈ 5 min here), and a
// failing one — a memcg OOM kill while the server is stopped — replays up
// to its kill.
TEST(ExtendedTest, RecordedRunsReplayWholeAndToTheFailure) {
  REQUIRE_CAPABILITIES();
  for (auto [scenario, until, want_rc] :
       {std::tuple{"bench/testdata/scenarios/record-small.toml", "", 0},
        std::tuple{"scenarios/memcg-kill-during-stall.toml",
                   "Memory cgroup out of memory", 1}}) {
    SCOPED_TRACE(scenario);
    std::string out = OutDir(std::string("replay-") +
                             std::filesystem::path(scenario).stem().string());
    std::string id, log;
    int rc = RunBench(
        {"run", kSource + "/" + scenario, "--record", "--out", out}, &id, &log);
    EXPECT_EQ(rc, want_rc) << log;
    std::vector<std::string> args = {"replay", out, "--timeout", "1800"};
    if (*until) args.insert(args.end(), {"--until", until});
    std::string rid, rlog;
    EXPECT_EQ(RunBench(args, &rid, &rlog), 0) << rlog;
    EXPECT_NE(rlog.find("byte-identical"), std::string::npos) << rlog;
  }
}

}  // namespace
}  // namespace swapbench

namespace swapbench {
namespace {

// The whole qualification suite on three drivers (about 10 minutes with
// two guests at once): every check has an outcome for every driver, and
// jumbo applies to all three.
TEST(ExtendedTest, QualifyFullSuiteOnVirtioE1000E1000e) {
  REQUIRE_CAPABILITIES();
  const std::string out = OutDir("qualify-full");
  std::string id, log;
  int rc = RunBench({"qualify", "--nic", "virtio", "--nic", "e1000", "--nic",
                     "e1000e", "--jobs", "2", "--out", out},
                    &id, &log);
  EXPECT_TRUE(rc == 0 || rc == 1) << log;
  auto text = ReadFile(out + "/qualify.json");
  ASSERT_TRUE(text.ok()) << log;
  nlohmann::json q = nlohmann::json::parse(*text, nullptr, false);
  for (const char* nic : {"virtio", "e1000", "e1000e"})
    for (const char* check : {"baseline", "loss", "flood", "outage", "jumbo"}) {
      SCOPED_TRACE(std::string(nic) + "/" + check);
      std::string o = q["drivers"][nic]["checks"][check].value("outcome", "");
      EXPECT_TRUE(o == "pass" || o == "fail") << o;
    }
  EXPECT_EQ(rc, q["verdict"] == "pass" ? 0 : 1);
}

}  // namespace
}  // namespace swapbench
