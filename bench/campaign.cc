#include "bench/campaign.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <mutex>
#include <set>
#include <thread>

#include "bench/formats.h"
#include "bench/fs_util.h"
#include "bench/progress.h"
#include "bench/text.h"

namespace swapbench {

int ExitFor(const Status& s) {
  fprintf(stderr, "swapbench: %s\n", s.message().c_str());
  return s.kind() == Status::Kind::kUsage ? 2 : 3;
}

int ExitForVerdict(const std::string& v) {
  return v == "pass" || v == "flaky" ? 0 : v == "fail" ? 1 : 3;
}

int GitBisectExit(int rc) {
  return rc == 0 || rc == 1 ? rc : rc == 3 ? 125 : 128;
}

Result<Shard> ParseShard(const std::string& text) {
  Shard s;
  char slash = 0, tail = 0;
  if (sscanf(text.c_str(), "%d%c%d%c", &s.k, &slash, &s.n, &tail) != 3 ||
      slash != '/' || s.n < 1 || s.k < 1 || s.k > s.n)
    return Status::Usage("--shard " + text + ": expected K/N with 1 <= K <= N");
  return s;
}

std::vector<MatrixEntry> Matrix(
    const std::vector<Scenario>& scenarios,
    const std::vector<std::optional<KernelSpec>>& kernels, int repeat,
    Shard shard) {
  // Each kernel's part of the directory names, unique among them.
  std::vector<std::string> slugs;
  for (size_t i = 0; i < kernels.size(); ++i) {
    std::string s = kernels[i] ? kernels[i]->Slug() : "scenario";
    if (std::find(slugs.begin(), slugs.end(), s) != slugs.end())
      s += ".k" + std::to_string(i + 1);
    slugs.push_back(s);
  }
  std::vector<MatrixEntry> all;
  for (size_t ki = 0; ki < kernels.size(); ++ki) {
    const auto& k = kernels[ki];
    for (const Scenario& sc : scenarios)
      for (int a = 1; a <= repeat; ++a) {
        std::string name = sc.DirName();
        if (kernels.size() > 1) name += "." + slugs[ki];
        if (repeat > 1) name += ".a" + std::to_string(a);
        all.push_back({&sc, k, a, name});
      }
  }
  std::vector<MatrixEntry> slice;
  for (size_t i = 0; i < all.size(); ++i)
    if (static_cast<int>(i % shard.n) == shard.k - 1) slice.push_back(all[i]);
  return slice;
}

Status WriteSet(const std::vector<nlohmann::json>& set,
                const std::string& dir) {
  Status s = WriteFormats(set, dir);
  if (!s.ok()) return s;
  auto cases = GroupCases(set);
  nlohmann::json j = {{"schema", "swapbench.summary/1"},
                      {"verdict", SetVerdict(cases)},
                      {"cases", nlohmann::json::array()},
                      {"runs", nlohmann::json::array()}};
  for (const auto& c : cases)
    j["cases"].push_back({{"id", c.id},
                          {"scenario", c.scenario},
                          {"kernel", c.kernel},
                          {"seed", c.seed},
                          {"verdict", c.verdict},
                          {"attempts", c.attempts},
                          {"failed", c.failed + c.errored},
                          {"fail_rate", c.fail_rate},
                          {"swapout_mib_per_s", c.swapout},
                          {"agreement", Agreement(c)}});
  for (const auto& r : set) j["runs"].push_back(r.value("out_dir", ""));
  return WriteFileAtomic(dir + "/summary.json", DumpJson(j) + "\n");
}

namespace {

// The worker pool: each worker takes the next entry, runs it (and its
// confirmation rerun), and files the report.
class Pool {
 public:
  Pool(const CampaignOptions& c, std::vector<MatrixEntry> todo)
      : c_(c),
        todo_(std::move(todo)),
        single_(c.scenarios.size() * c.kernels.size() * c.repeat == 1),
        board_(isatty(STDERR_FILENO)) {}

  void Run() {
    std::vector<std::thread> threads;
    for (int j = 0; j < std::min<int>(c_.jobs, todo_.size()); ++j)
      threads.emplace_back([this] { Work(); });
    for (auto& t : threads) t.join();
    board_.Clear();
  }
  bool single() const { return single_; }
  std::vector<Report>& reports() { return reports_; }
  int rc() const { return rc_; }

 private:
  bool Cancelled() const {
    return c_.runner.cancel && c_.runner.cancel->load() != 0;
  }

  void Work() {
    for (;;) {
      MatrixEntry e;
      {
        std::lock_guard<std::mutex> l(mu_);
        if (next_ >= todo_.size() || Cancelled()) return;
        e = todo_[next_++];
      }
      for (int confirmation = 0; confirmation < 2; ++confirmation)
        if (!RunOne(e, confirmation)) break;
    }
  }

  // Runs `e` (or its confirmation); true if a confirmation should follow.
  bool RunOne(const MatrixEntry& e, bool confirmation) {
    RunnerOptions ro = c_.runner;
    ro.kernel = e.kernel;
    ro.attempt = confirmation ? c_.repeat + e.attempt : e.attempt;
    std::string label = e.dir + (confirmation ? ".confirm" : "");
    ro.out_dir =
        single_ && !confirmation ? c_.out_dir : c_.out_dir + "/" + label;
    if (single_) RemoveRunFiles(ro.out_dir);
    if (!single_ || c_.jobs > 1) ro.log_prefix = "[" + label + "] ";
    ro.progress = [this, label](const Progress& p) { board_.Update(label, p); };
    auto rep = RunScenario(*e.scenario, ro);
    board_.Done(label);
    std::lock_guard<std::mutex> l(mu_);
    if (!rep.ok()) {
      rc_ = std::max(rc_, ExitFor(rep.status()));
      return false;
    }
    printf("%s", Summary(*rep).c_str());
    printf("verdict: %s\n", Name(rep->verdict));
    fflush(stdout);
    bool failed = rep->verdict == Verdict::kFail;
    reports_.push_back(std::move(*rep));
    if (!c_.confirm || !failed || confirmation || Cancelled()) return false;
    fprintf(stderr, "%s failed: confirmation rerun\n", label.c_str());
    return true;
  }

  const CampaignOptions& c_;
  const std::vector<MatrixEntry> todo_;
  const bool single_;
  ProgressBoard board_;
  std::mutex mu_;  // next_, reports_, rc_, stdout
  size_t next_ = 0;
  std::vector<Report> reports_;
  int rc_ = 0;
};

// The set's files and verdict; returns the exit code.
int FinishSet(const CampaignOptions& c, const std::vector<Report>& reports) {
  std::vector<nlohmann::json> set;
  for (const Report& r : reports) set.push_back(ReportJson(r));
  if (c.scenarios.size() > 1 && c.kernels.size() == 1 && c.repeat == 1)
    printf("\n%s", Comparison(reports).c_str());
  int rc = 0;
  if (Status ws = WriteSet(set, c.out_dir); !ws.ok()) rc = ExitFor(ws);
  auto cases = GroupCases(set);
  for (const auto& k : cases)
    if (k.attempts > 1)
      printf("%s: %s, failed %d of %d; %s\n", k.id.c_str(), k.verdict.c_str(),
             k.failed + k.errored, k.attempts, AgreementLine(k).c_str());
  const std::string verdict = SetVerdict(cases);
  printf("set: %s (%zu run(s), %zu case(s)) in %s\n", verdict.c_str(),
         set.size(), cases.size(), c.out_dir.c_str());
  return std::max(rc, ExitForVerdict(verdict));
}

// Every kernel of the matrix, against every scenario it will run: fetched,
// checked and its image built before the first run starts.
Status Preflight(const CampaignOptions& c,
                 const std::vector<MatrixEntry>& todo) {
  std::set<std::pair<std::string, const Scenario*>> done;
  for (const MatrixEntry& e : todo) {
    if (!done.insert({e.kernel ? e.kernel->Label() : "", e.scenario}).second)
      continue;
    RunnerOptions ro = c.runner;
    ro.kernel = e.kernel;
    auto guest = PrepareRunGuest(*e.scenario, ro);
    if (!guest.ok()) return guest.status();
  }
  return Status::Ok();
}

}  // namespace

int RunCampaign(const CampaignOptions& c) {
  const std::vector<MatrixEntry> todo =
      Matrix(c.scenarios, c.kernels, c.repeat, c.shard);
  if (Status s = Preflight(c, todo); !s.ok()) return ExitFor(s);
  if (Status s = MakeDirs(c.out_dir); !s.ok()) return ExitFor(s);
  Pool pool(c, todo);
  if (!pool.single()) {
    // A rerun into the same --out must not mix old attempts into the set.
    for (const auto& e : todo) {
      RemoveRunFiles(c.out_dir + "/" + e.dir);
      RemoveRunFiles(c.out_dir + "/" + e.dir + ".confirm");
    }
  }
  pool.Run();
  int rc = pool.rc();
  const auto& reports = pool.reports();
  if (!pool.single() || reports.size() > 1) {
    if (!reports.empty()) rc = std::max(rc, FinishSet(c, reports));
  } else if (!reports.empty()) {
    rc = std::max(rc, ExitForVerdict(Name(reports[0].verdict)));
  }
  if (c.runner.cancel && c.runner.cancel->load()) rc = 3;
  return rc;
}

}  // namespace swapbench
