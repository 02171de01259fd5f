// Campaign: everything one `swapbench run` asks for. The matrix of
// kernels x scenarios x attempts (in that order), the K-th of N shards of
// it (every N-th entry, so shards merge cleanly), up to J runs at once,
// a confirmation rerun of a failed run, and the set they make: the CI
// formats over all runs, summary.json, the set verdict and the exit code.
//
// Threading: RunCampaign runs `jobs` worker threads, each calling
// RunScenario; results are gathered under one mutex. Cancellation (the
// options' cancel flag) stops workers from taking more runs.
#ifndef SWAPBENCH_BENCH_CAMPAIGN_H_
#define SWAPBENCH_BENCH_CAMPAIGN_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "bench/runner.h"
#include "bench/scenario.h"
#include "bench/status.h"

namespace swapbench {

// Exit codes: 0 pass, 1 kernel finding or unmet expectation, 2 usage or
// scenario error, 3 harness failure or interruption.
// Prints the status's message and returns 2 for a usage error, else 3.
int ExitFor(const Status& s);
// pass and flaky 0, fail 1, anything else (error) 3.
int ExitForVerdict(const std::string& verdict);
// The exit code `git bisect run` understands for one of ours: 0 good,
// 1 bad, 3 (the harness failed: this commit cannot be judged) 125 skip,
// 2 (usage: every commit would fail alike) and anything else 128, abort.
int GitBisectExit(int rc);

struct Shard {
  int k = 1, n = 1;
};
// "K/N" with 1 <= K <= N.
Result<Shard> ParseShard(const std::string& text);

// One run of the matrix.
struct MatrixEntry {
  const Scenario* scenario = nullptr;
  std::optional<KernelSpec> kernel;  // none: the scenario's
  int attempt = 1;
  // Relative to the set's directory: SCENARIO[.PACKAGE][.aN]. Does not
  // depend on the shard.
  std::string dir;
};

// The whole matrix, then the shard's slice of it (pure; tested).
std::vector<MatrixEntry> Matrix(
    const std::vector<Scenario>& scenarios,
    const std::vector<std::optional<KernelSpec>>& kernels, int repeat,
    Shard shard);

struct CampaignOptions {
  std::vector<Scenario> scenarios;
  std::vector<std::optional<KernelSpec>> kernels;  // {nullopt}: each scenario's
  int repeat = 1;
  int jobs = 1;
  bool confirm = false;
  Shard shard;
  std::string out_dir;   // absolute; a single run writes straight into it
  RunnerOptions runner;  // what every run shares (parts, dirs, cancel, seed)
};

// Runs the campaign and returns the exit code.
int RunCampaign(const CampaignOptions& c);

// A set of runs (several scenarios, kernels, attempts or merged shards):
// the CI formats over all of them, and summary.json with one entry a case.
Status WriteSet(const std::vector<nlohmann::json>& set, const std::string& dir);

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_CAMPAIGN_H_
