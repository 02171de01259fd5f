#include "bench/bisect.h"

#include <gtest/gtest.h>

#include <map>

namespace swapbench {
namespace {

std::vector<DebPackage> Packages(int n) {
  std::vector<DebPackage> p;
  for (int i = 0; i < n; ++i)
    p.push_back({"linux-image-6.1.0-" + std::to_string(47 + i) + "-amd64",
                 "6.1." + std::to_string(150 + i) + "-1"});
  return p;
}

// A fake runner: package -> the verdicts of its attempts.
struct Table {
  std::map<std::string, std::vector<std::string>> verdicts;
  std::vector<std::string> ran;  // packages, in order
  StepRunner Runner() {
    return [this](const DebPackage& p,
                  const std::string& dir) -> Result<StepResult> {
      ran.push_back(p.name);
      EXPECT_NE(dir.find(p.name), std::string::npos) << dir;
      auto it = verdicts.find(p.name);
      if (it == verdicts.end()) return StepResult{{"pass", "pass"}, {}};
      StepResult r{it->second, {}};
      for (const auto& v : it->second)
        if (v == "fail") r.findings = {"memcg_oom_kill"};
      return r;
    };
  }
};

std::string Name(int i) { return Packages(i + 1)[i].name; }

// Packages 0..k-1 pass, k.. fail.
Table FailsFrom(int k, int n) {
  Table t;
  for (int i = k; i < n; ++i) t.verdicts[Name(i)] = {"fail", "fail"};
  return t;
}

TEST(BisectTest, FindsTheFirstFailingPackageInLogSteps) {
  for (int k = 1; k < 11; ++k) {
    Table t = FailsFrom(k, 11);
    auto r = Bisect(Packages(11), FlakyRule::kSkip, t.Runner());
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->outcome, "found");
    EXPECT_EQ(r->kind, "regression");
    EXPECT_EQ(r->first_diff, k) << "k=" << k;
    EXPECT_EQ(r->last_same, k - 1);
    EXPECT_LE(t.ran.size(), 2u + 4u) << "two endpoints, then log2(11) steps";
    EXPECT_EQ(BisectExit(*r), 0);
  }
}

TEST(BisectTest, FindsAFixAlike) {
  Table t;
  for (int i = 0; i < 4; ++i) t.verdicts[Name(i)] = {"fail", "fail"};
  auto r = Bisect(Packages(9), FlakyRule::kSkip, t.Runner());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome, "found");
  EXPECT_EQ(r->kind, "fix");
  EXPECT_EQ(r->first_diff, 4);
  std::string text = BisectText(*r);
  EXPECT_NE(text.find("fix: first passing package linux-image-6.1.0-51-amd64 "
                      "(6.1.154)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("last failing before it: linux-image-6.1.0-50-amd64"),
            std::string::npos);
  EXPECT_NE(text.find("next after it: linux-image-6.1.0-52-amd64"),
            std::string::npos);
}

TEST(BisectTest, EndpointsThatAgreeEndIt) {
  Table t;
  auto r = Bisect(Packages(5), FlakyRule::kSkip, t.Runner());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome, "agree");
  EXPECT_EQ(t.ran.size(), 2u);
  EXPECT_EQ(BisectExit(*r), 1);
}

TEST(BisectTest, FlakyEndpointIsInconclusive) {
  Table t = FailsFrom(3, 5);
  t.verdicts[Name(0)] = {"pass", "fail"};
  auto r = Bisect(Packages(5), FlakyRule::kOld, t.Runner());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome, "inconclusive");
  EXPECT_EQ(r->why,
            "old endpoint linux-image-6.1.0-47-amd64 was flaky (pass fail): "
            "give another endpoint, or raise --repeat");
  EXPECT_EQ(BisectExit(*r), 3);
}

// Packages 0..3 pass, 4 is flaky, 5.. fail: each rule decides differently.
TEST(BisectTest, FlakyStepFollowsTheRule) {
  auto run = [](FlakyRule rule, Table* t) {
    *t = FailsFrom(5, 9);
    t->verdicts[Name(4)] = {"pass", "fail"};
    return Bisect(Packages(9), rule, t->Runner());
  };
  Table t;
  auto as_old = run(FlakyRule::kOld, &t);
  ASSERT_TRUE(as_old.ok());
  EXPECT_EQ(as_old->first_diff, 5) << "flaky counted as passing";
  auto as_new = run(FlakyRule::kNew, &t);
  ASSERT_TRUE(as_new.ok());
  EXPECT_EQ(as_new->first_diff, 4) << "flaky counted as failing";
  auto skip = run(FlakyRule::kSkip, &t);
  ASSERT_TRUE(skip.ok());
  // Skipped, the flaky one may be the first failing one or not: say so.
  EXPECT_EQ(skip->outcome, "inconclusive");
  EXPECT_EQ(skip->last_same, 3);
  EXPECT_EQ(skip->first_diff, 5);
  EXPECT_EQ(skip->why,
            "skipped steps leave linux-image-6.1.0-51-amd64 .. "
            "linux-image-6.1.0-52-amd64 untested between them");
  bool reported = false;
  for (const auto& s : skip->steps)
    if (s.call == "flaky") reported = s.counted == "skip";
  EXPECT_TRUE(reported);
  EXPECT_NE(BisectText(*skip).find("flaky (as skip)"), std::string::npos);
}

TEST(BisectTest, SkipsThatLeaveAGapAreInconclusive) {
  Table t = FailsFrom(3, 4);
  t.verdicts[Name(1)] = {"error", "error"};
  t.verdicts[Name(2)] = {"pass", "fail"};
  auto r = Bisect(Packages(4), FlakyRule::kSkip, t.Runner());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome, "inconclusive");
  EXPECT_EQ(r->last_same, 0);
  EXPECT_EQ(r->first_diff, 3);
  EXPECT_EQ(r->why,
            "skipped steps leave linux-image-6.1.0-48-amd64 .. "
            "linux-image-6.1.0-50-amd64 untested between them");
}

TEST(BisectTest, HarnessErrorsAreLeftOutOfAStep) {
  Table t = FailsFrom(2, 4);
  t.verdicts[Name(1)] = {"error", "pass"};
  auto r = Bisect(Packages(4), FlakyRule::kSkip, t.Runner());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->first_diff, 2);
  auto j = BisectJson(*r);
  EXPECT_EQ(j["first_differing"]["package"], "linux-image-6.1.0-49-amd64");
  EXPECT_EQ(j["last_agreeing"]["upstream"], "6.1.151");
  EXPECT_EQ(j["steps"][0]["attempts"][0], "pass");
  EXPECT_EQ(j["steps"].back()["findings"][0], "memcg_oom_kill");
}

TEST(BisectTest, RangeIsTheFlavourInDebianVersionOrder) {
  std::vector<DebPackage> all = {
      {"linux-image-6.1.0-49-amd64", "6.1.153-1"},
      {"linux-image-6.1.0-47-amd64", "6.1.150-1"},
      {"linux-image-6.1.0-48-cloud-amd64", "6.1.151-1"},
      {"linux-image-6.1.0-48-amd64-unsigned", "6.1.151-1"},
      {"linux-image-6.1.0-48-amd64", "6.1.151-1"},
      {"linux-image-6.12.117+deb12-amd64", "6.12.117-1~deb12u1"},
      {"linux-image-6.1.0-9-amd64", "6.1.27-1"},
      {"linux-image-amd64", "6.1.153-1"},
  };
  auto r = BisectRange(all, "linux-image-6.1.0-47-amd64",
                       "linux-image-6.12.117+deb12-amd64");
  ASSERT_TRUE(r.ok()) << r.status().message();
  std::vector<std::string> names;
  for (const auto& p : *r) names.push_back(p.name);
  EXPECT_EQ(
      names,
      (std::vector<std::string>{
          "linux-image-6.1.0-47-amd64", "linux-image-6.1.0-48-amd64",
          "linux-image-6.1.0-49-amd64", "linux-image-6.12.117+deb12-amd64"}));
  EXPECT_EQ(BisectRange(all, "linux-image-6.1.0-47-amd64",
                        "linux-image-6.1.0-48-cloud-amd64")
                .status()
                .message(),
            "--old linux-image-6.1.0-47-amd64 and --new "
            "linux-image-6.1.0-48-cloud-amd64 are different flavours (amd64, "
            "cloud-amd64)");
  EXPECT_EQ(BisectRange(all, "linux-image-6.1.0-49-amd64",
                        "linux-image-6.1.0-47-amd64")
                .status()
                .message(),
            "--new linux-image-6.1.0-47-amd64 (6.1.150-1) is not newer than "
            "--old linux-image-6.1.0-49-amd64 (6.1.153-1)");
  EXPECT_EQ(
      BisectRange(all, "linux-image-9-amd64", "linux-image-6.1.0-47-amd64")
          .status()
          .message(),
      "--old linux-image-9-amd64: not a kernel image package apt knows "
      "(apt-cache pkgnames linux-image- lists them)");
}

TEST(BisectTest, KernelFlavourAndDebianOrder) {
  EXPECT_EQ(KernelFlavour("linux-image-6.1.0-54-amd64"), "amd64");
  EXPECT_EQ(KernelFlavour("linux-image-6.1.0-54-cloud-amd64"), "cloud-amd64");
  EXPECT_EQ(KernelFlavour("linux-image-6.12.117+deb12-rt-amd64"), "rt-amd64");
  EXPECT_EQ(KernelFlavour("linux-image-amd64"), "");
  EXPECT_LT(CompareDebianVersions("6.1.9-1", "6.1.10-1"), 0);
  EXPECT_LT(CompareDebianVersions("6.12.117-1~deb12u1", "6.12.117-1"), 0);
  EXPECT_GT(CompareDebianVersions("1:0.1", "6.1.10-1"), 0);
  EXPECT_EQ((DebPackage{"x", "1:6.1.150-1+b1"}.Upstream()), "6.1.150");
}

}  // namespace
}  // namespace swapbench
