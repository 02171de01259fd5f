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

namespace swapbench {
namespace {

// reports/examples/gitlab-ci.yml as a CI engine runs it: gitlab-ci-local
// (a GitLab CI runner implementation from npm, shell executor, one job at a
// time) in a fresh clone of this repository, smoke only. Each job runs
// bench/setup.sh (the first one builds the clone) and its shard; the gate
// merges the shards and compares the kernels.
TEST(ExtendedTest, TheGitlabPipelineRunsOnAGitlabRunner) {
  REQUIRE_CAPABILITIES();
  // 4.65 is the newest gitlab-ci-local that runs on Debian 12's Node 20.
  const std::string tools = "/var/cache/swapbench/npm";
  const std::string gcl = tools + "/node_modules/.bin/gitlab-ci-local";
  if (!Exists(gcl)) {
    auto npm = RunCommand(
        {"npm", "install", "--prefix", tools, "gitlab-ci-local@4.65.1"}, 600);
    if (!npm.ok() || npm->exit_code != 0 || !Exists(gcl))
      GTEST_SKIP() << "cannot install gitlab-ci-local from npm: "
                   << (npm.ok() ? npm->output : npm.status().message());
  }
  const std::string clone = OutDir("gitlab-ci");
  std::filesystem::remove_all(clone);
  auto git = RunCommand({"git", "clone", "-q", kSource, clone});
  ASSERT_TRUE(git.ok() && git->exit_code == 0)
      << "the pipeline runs on a clone of the committed tree: "
      << (git.ok() ? git->output : git.status().message());
  std::filesystem::copy_file(kSource + "/reports/examples/gitlab-ci.yml",
                             clone + "/.gitlab-ci.yml");
  // gitlab-ci-local wants a relative --cwd: it runs in the clone.
  auto run = RunCommand({"sh", "-c",
                         "cd '" + clone + "' && '" + gcl +
                             "' --concurrency 1 --variable "
                             "SCENARIOS=scenarios/smoke.toml"},
                        3000);
  ASSERT_TRUE(run.ok());
  const std::string& log = run->output;
  // Every run shard passed; the gate either passed or found a regression
  // (exit 1: the kernels decide, not the pipeline).
  for (const char* job :
       {"run-base: [1/3]", "run-base: [2/3]", "run-base: [3/3]",
        "run-new: [1/3]", "run-new: [2/3]", "run-new: [3/3]"})
    EXPECT_NE(log.find(std::string(" PASS  ") + job), std::string::npos)
        << job << "\n"
        << log.substr(log.size() > 6000 ? log.size() - 6000 : 0);
  for (const char* side : {"base", "new"}) {
    auto s = ReadFile(clone + "/merged/" + side + "/summary.json");
    ASSERT_TRUE(s.ok()) << side;
    nlohmann::json j = nlohmann::json::parse(*s);
    ASSERT_EQ(j["cases"].size(), 1u) << j.dump(1);
    EXPECT_EQ(j["cases"][0]["attempts"], 3) << "three shards, one attempt each";
  }
  auto c = ReadFile(clone + "/merged/compare.json");
  ASSERT_TRUE(c.ok());
  nlohmann::json cj = nlohmann::json::parse(*c);
  EXPECT_EQ(cj["rows"][0]["base_attempts"], 3);
  EXPECT_EQ(cj["rows"][0]["new_attempts"], 3);
  EXPECT_TRUE(Exists(clone + "/merged/compare.html"));
  // The gate job's outcome is compare's verdict.
  EXPECT_NE(log.find(cj["verdict"] == "ok" ? " PASS  gate" : " FAIL  gate"),
            std::string::npos)
      << cj["verdict"] << "\n"
      << log.substr(log.size() > 6000 ? log.size() - 6000 : 0);
}

}  // namespace
}  // namespace swapbench
