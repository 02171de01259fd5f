// Bisect: the first Debian kernel package, between an old and a new one,
// whose verdict on a scenario differs from the old one's — a regression
// (old passes, new fails) or a fix (old fails, new passes) alike.
//
// The packages come from apt's list (PackageIndex: the old package's
// flavour, sorted by Debian version order, old..new inclusive). Each step
// runs the scenario N times (StepRunner); a step's attempts that disagree
// make it flaky, handled by the stated rule: count it as the old verdict,
// as the new one, or skip it (and test a neighbour). Harness errors say
// nothing about the kernel: those attempts are left out, and a step with
// none left is skipped.
//
// Bisect itself is pure given its two seams (tested on fakes); the real
// index asks apt-cache, the real runner is a campaign per step.
// Threading: one thread.
#ifndef SWAPBENCH_BENCH_BISECT_H_
#define SWAPBENCH_BENCH_BISECT_H_

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench/runner.h"
#include "bench/scenario.h"
#include "bench/status.h"

namespace swapbench {

struct DebPackage {
  std::string name;     // linux-image-6.1.0-54-amd64
  std::string version;  // its Debian version, 6.1.190-1
  // The upstream kernel version: the Debian version without epoch and
  // revision (6.1.190).
  std::string Upstream() const;
};

// Debian version order (libapt-pkg): <0, 0, >0.
int CompareDebianVersions(const std::string& a, const std::string& b);

// "amd64", "cloud-amd64", "rt-amd64" for linux-image-6.1.0-54-amd64,
// linux-image-6.12.117+deb12-cloud-amd64 ...; "" for a name that is not a
// versioned kernel image package.
std::string KernelFlavour(const std::string& package);

// The packages to bisect over, from `all` (every linux-image package apt
// knows, with versions): old's flavour, old..new by version, sorted. A
// usage error when old or new is unknown, the flavours differ, or new is
// not newer than old.
Result<std::vector<DebPackage>> BisectRange(const std::vector<DebPackage>& all,
                                            const std::string& old_pkg,
                                            const std::string& new_pkg);

// Every versioned linux-image package apt knows (apt-cache).
Result<std::vector<DebPackage>> AptKernelPackages();

enum class FlakyRule { kOld, kNew, kSkip };

// What N attempts of one step gave.
struct StepResult {
  std::vector<std::string> verdicts;  // per attempt: pass, fail, error
  std::vector<std::string> findings;  // finding kinds, each once
};

// Runs the scenario on `package` (all attempts) into `dir`.
using StepRunner = std::function<Result<StepResult>(const DebPackage& package,
                                                    const std::string& dir)>;

struct BisectStep {
  int index = 0;  // into BisectResult::packages
  StepResult result;
  // pass, fail; flaky (then `counted` says as what), or error.
  std::string call;
  std::string counted;  // pass, fail, or skip
};

struct BisectResult {
  std::vector<DebPackage> packages;
  std::vector<BisectStep> steps;  // in the order they ran
  // found: packages[first_diff] is the first whose verdict differs, and
  // packages[last_same] (first_diff - 1, or the nearest tested below it)
  // the last that agrees with old. agree: old and new agree. inconclusive:
  // an endpoint was flaky or errored, or skips left last_same+1..first_diff
  // untested (`why` says which).
  std::string outcome;
  std::string kind;  // found: "regression" or "fix"
  int last_same = -1, first_diff = -1;
  std::string why;
};

Result<BisectResult> Bisect(const std::vector<DebPackage>& packages,
                            FlakyRule rule, const StepRunner& run);

// The steps as a table and the outcome in words.
std::string BisectText(const BisectResult& r);
nlohmann::json BisectJson(const BisectResult& r);

// 0 found, 1 old and new agree, 3 inconclusive.
int BisectExit(const BisectResult& r);

// The real steps: a campaign of `repeat` attempts of `scenario` on the
// package, into OUT/NN.PACKAGE (every report format per step), its verdicts
// and findings read back from the reports it wrote.
StepRunner CampaignSteps(const Scenario& scenario, int repeat,
                         const std::string& out, const RunnerOptions& ro);

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_BISECT_H_
