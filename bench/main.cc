// swapbench: builds the command line and calls one function per
// subcommand; every function returns the exit code (campaign.h):
//   0 pass, 1 kernel finding or unmet expectation, 2 usage or scenario
//   error, 3 harness (infrastructure) failure or interruption.
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <set>
#include <thread>

#include "bench/bench_relay.h"
#include "bench/bisect.h"
#include "bench/campaign.h"
#include "bench/compare.h"
#include "bench/console_corpus.h"
#include "bench/console_parser.h"
#include "bench/formats.h"
#include "bench/fs_util.h"
#include "bench/guest_image.h"
#include "bench/kernel_needs.h"
#include "bench/libvirt_vm.h"
#include "bench/link_preview.h"
#include "bench/manifest.h"
#include "bench/process.h"
#include "bench/qualify.h"
#include "bench/record.h"
#include "bench/scenario.h"
#include "bench/scenario_family.h"
#include "bench/state.h"
#include "bench/text.h"
#include "bench/version.h"

namespace swapbench {
namespace {

std::atomic<int> g_cancel{0};

// SIGINT/SIGTERM/SIGHUP are blocked in every thread and taken here, so the
// runner sees a flag and tears down in order instead of dying mid-way.
void StartSignalThread() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
  std::thread([set] {
    for (;;) {
      int sig = 0;
      if (sigwait(&set, &sig) != 0) continue;
      int prev = g_cancel.exchange(sig);
      if (prev) SetHurry();  // the second one: no more grace periods
      fprintf(stderr, "swapbench: %s received, %s\n", strsignal(sig),
              prev ? "tearing down without waiting" : "tearing down");
    }
  }).detach();
}

// Numbers on the command line are decimal, whole, finite and in range:
// alone, CLI11 reads "010" as octal, clamps an overflow, wraps "-1" and lets
// NaN through a range check (issue 12). The validator rewrites the text to
// the canonical decimal CLI11 then converts.
CLI::Validator Decimal(uint64_t lo, uint64_t hi) {
  std::string range =
      "[" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
  return CLI::Validator(
      [lo, hi, range](std::string& s) -> std::string {
        uint64_t v = 0;
        auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (s.empty() || ec != std::errc() || end != s.data() + s.size() ||
            v < lo || v > hi)
          return "expected a decimal integer in " + range + ", got \"" + s +
                 "\"";
        s = std::to_string(v);
        return "";
      },
      "INT in " + range);
}

CLI::Validator Finite(double lo, double hi) {
  std::string range =
      "[" + StringPrintf("%g", lo) + ", " + StringPrintf("%g", hi) + "]";
  return CLI::Validator(
      [lo, hi, range](std::string& s) -> std::string {
        char* end = nullptr;
        double v = strtod(s.c_str(), &end);
        if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(v) ||
            v < lo || v > hi)
          return "expected a number in " + range + ", got \"" + s + "\"";
        return "";
      },
      "NUMBER in " + range);
}

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* v = getenv(name);
  return v && *v ? v : fallback;
}

// Where state and cache live (--state, --cache; SWAPBENCH_STATE/CACHE).
struct Dirs {
  std::string state = EnvOr("SWAPBENCH_STATE", "/var/lib/swapbench");
  std::string cache = EnvOr("SWAPBENCH_CACHE", "/var/cache/swapbench");
  void AddTo(CLI::App* cmd, bool cache_too = true) {
    cmd->add_option("--state", state,
                    "state directory (libvirt root, run records)");
    if (cache_too)
      cmd->add_option("--cache", cache, "cache directory (kernels, images)");
  }
};

// What every real run shares: the image inputs, the cancel flag and one
// embedded libvirt for the whole invocation (opened here, root needed).
Result<RunnerOptions> RealRunnerOptions(const Dirs& d, const char* what,
                                        std::unique_ptr<Libvirt>* lv) {
  if (geteuid() != 0)
    return Status::Harness(std::string(what) +
                           " needs root (network namespaces, TAP, libvirt "
                           "as root)");
  RunnerOptions o;
  o.state_dir = d.state;
  o.cache_dir = d.cache;
  o.agent_path = SWAPBENCH_AGENT;
  o.binaries_list = std::string(SWAPBENCH_SOURCE_DIR) + "/images/binaries.txt";
  o.cancel = &g_cancel;
  StartSignalThread();
  auto opened = Libvirt::Open(d.state + "/libvirt");
  if (!opened.ok()) return opened.status();
  *lv = std::move(*opened);
  for (const auto& line : (*lv)->reaped())
    fprintf(stderr, "swapbench: %s\n", line.c_str());
  o.parts.hypervisor = lv->get();
  return o;
}

// reports/runs/NAME-TIME: where a run goes when --out is not given.
std::string DefaultOut(const std::string& name) {
  char ts[32];
  time_t now = time(nullptr);
  strftime(ts, sizeof(ts), "%Y%m%d-%H%M%S", localtime(&now));
  return std::string(SWAPBENCH_SOURCE_DIR) + "/reports/runs/" + name + "-" + ts;
}

struct RunFlags {
  std::vector<std::string> scenarios;
  std::string out, kernel, modules, kernel_config, shard;
  std::vector<std::string> kernel_packages, kernel_trees, cases, nics;
  int repeat = 1, jobs = 1;
  bool confirm = false, git_bisect = false;
  std::optional<uint64_t> seed;
  std::string record;  // "", "all", "failures"
  Dirs dirs;
};

CLI::App* AddRun(CLI::App& app, RunFlags* f) {
  auto* run = app.add_subcommand("run", "run a scenario in a real guest");
  run->add_option("scenarios", f->scenarios,
                  "scenario files (scenarios/*.toml), run one after another")
      ->required();
  run->add_option("--out", f->out,
                  "report directory (default reports/runs/NAME-TIME)");
  run->add_option("--case", f->cases,
                  "run only this case of a [matrix] family: its name "
                  "(NAME[k=v,...]) or what is inside the brackets; repeatable "
                  "(swapbench list shows them)");
  run->add_option("--nic", f->nics,
                  "run every scenario on this emulated NIC model (vm.nic: "
                  "virtio, e1000, e1000e, rtl8139, vmxnet3, pcnet, i82559, "
                  "tulip) instead of its own; repeatable, one case each");
  run->add_option("--seed", f->seed, "override the scenario's seed")
      ->transform(Decimal(0, UINT64_MAX));
  run->add_option("--kernel", f->kernel,
                  "kernel image (bzImage) instead of the scenario's");
  run->add_option("--modules", f->modules,
                  "lib/modules/RELEASE directory for --kernel");
  run->add_option("--kernel-config", f->kernel_config,
                  "kernel .config for --kernel");
  run->add_option("--kernel-package", f->kernel_packages,
                  "Debian kernel package (name, or a .deb file) instead of "
                  "the scenario's; give kernels twice (A/B) to run every "
                  "scenario on each");
  run->add_option("--kernel-tree", f->kernel_trees,
                  "a built kernel source tree (in-tree or the O= directory): "
                  "bzImage, .config and the modules.order .ko files");
  run->add_option("--repeat", f->repeat,
                  "run every scenario N times; the fail rate is recorded and "
                  "mixed results are flaky")
      ->transform(Decimal(1, 1000));
  run->add_flag("--record{all}", f->record,
                "QEMU record/replay (TCG only): record every attempt into "
                "OUT/record (--record=failures: keep only the recordings of "
                "attempts that did not pass); `swapbench replay DIR` replays "
                "one");
  run->add_flag("--confirm", f->confirm,
                "rerun a failed run once; failed then passed is flaky, not "
                "failed (unless the scenario sets expect.flaky_fails)");
  run->add_option("--shard", f->shard,
                  "K/N: run only the K-th of N slices of the expanded matrix "
                  "(kernels x scenarios x repeats), for CI matrix jobs");
  run->add_option("--jobs", f->jobs,
                  "run up to J guests at once, each isolated (own namespace, "
                  "ports, libvirt domain)")
      ->transform(Decimal(1, 64));
  run->add_flag("--git-bisect", f->git_bisect,
                "exit as `git bisect run` expects: pass 0, kernel finding 1, "
                "harness failure 125 (skip this commit), usage error 128 "
                "(abort the bisection)");
  f->dirs.AddTo(run);
  return run;
}

// A --kernel-package value, checked (a Debian package name or a .deb).
Result<KernelSpec> KernelPackageFlag(const std::string& p) {
  if (!IsKernelPackage(p))
    return Status::Usage("--kernel-package \"" + p +
                         "\": " + kDebianPackageNameRule);
  return KernelSpec{p, "", "", "", ""};
}

// The kernels: a bzImage, packages and trees (several: A/B), or each
// scenario's own.
Result<std::vector<std::optional<KernelSpec>>> Kernels(const RunFlags& f) {
  std::vector<std::optional<KernelSpec>> kernels;
  if (!f.kernel.empty() || !f.modules.empty()) {
    if (f.kernel.empty() || f.modules.empty())
      return Status::Usage("--kernel and --modules go together");
    if (!f.kernel_packages.empty() || !f.kernel_trees.empty())
      return Status::Usage(
          "--kernel excludes --kernel-package and --kernel-tree");
    kernels.push_back(KernelSpec{"", f.kernel, f.modules, f.kernel_config, ""});
  }
  for (const auto& p : f.kernel_packages) {
    auto k = KernelPackageFlag(p);
    if (!k.ok()) return k.status();
    kernels.push_back(*k);
  }
  for (const auto& t : f.kernel_trees)
    kernels.push_back(KernelSpec{"", "", "", "", t});
  if (kernels.empty()) kernels.push_back(std::nullopt);
  return kernels;
}

// `run`: every scenario and flag is validated before anything starts.
int Run(const RunFlags& f) {
  CampaignOptions c;
  std::vector<Scenario> all;
  for (const auto& p : f.scenarios) {
    auto cases = LoadScenarios(p);
    if (!cases.ok()) return ExitFor(cases.status());
    for (auto& sc : *cases) all.push_back(std::move(sc));
  }
  auto picked = SelectCases(std::move(all), f.cases);
  if (!picked.ok()) return ExitFor(picked.status());
  auto per_nic = ExpandNics(std::move(*picked), f.nics);
  if (!per_nic.ok()) return ExitFor(per_nic.status());
  c.scenarios = std::move(*per_nic);
  auto kernels = Kernels(f);
  if (!kernels.ok()) return ExitFor(kernels.status());
  c.kernels = *kernels;
  if (!f.shard.empty()) {
    auto shard = ParseShard(f.shard);
    if (!shard.ok()) return ExitFor(shard.status());
    c.shard = *shard;
  }
  c.repeat = f.repeat;
  c.jobs = f.jobs;
  c.confirm = f.confirm;
  std::string out = f.out;
  if (out.empty())
    out = DefaultOut(c.scenarios.size() == 1 ? c.scenarios[0].name : "batch");
  if (Status s = CheckOutDir(out); !s.ok()) return ExitFor(s);
  c.out_dir = std::filesystem::absolute(out).lexically_normal().string();
  std::unique_ptr<Libvirt> lv;
  auto ro = RealRunnerOptions(f.dirs, "run", &lv);
  if (!ro.ok()) return ExitFor(ro.status());
  c.runner = *ro;
  c.runner.seed = f.seed;
  auto record = ParseRecordMode(f.record);
  if (!record.ok()) return ExitFor(record.status());
  c.runner.record = *record;
  return RunCampaign(c);
}

struct QualifyFlags {
  std::vector<std::string> nics, checks;
  std::string kernel_package, out;
  std::string suite = std::string(SWAPBENCH_SOURCE_DIR) + "/scenarios/qualify";
  int repeat = 1, jobs = 1;
  Dirs dirs;
};

CLI::App* AddQualify(CLI::App& app, QualifyFlags* f) {
  auto* q = app.add_subcommand(
      "qualify",
      "qualify NIC drivers: the suite in scenarios/qualify (baseline, loss, "
      "flood ramp, outage, jumbo) on each --nic, one kernel; writes "
      "qualify.json and qualify.html");
  q->add_option("--nic", f->nics, "emulated NIC model; repeatable")->required();
  q->add_option("--kernel-package", f->kernel_package,
                "Debian kernel package (default: the suite's)");
  q->add_option("--check", f->checks,
                "run only this check (baseline, loss, flood, outage, jumbo); "
                "repeatable");
  q->add_option("--repeat", f->repeat, "attempts per check")
      ->transform(Decimal(1, 100));
  q->add_option("--jobs", f->jobs, "guests at once")->transform(Decimal(1, 64));
  q->add_option("--out", f->out,
                "report directory (default reports/runs/qualify-TIME)");
  q->add_option("--suite", f->suite, "the suite's directory");
  f->dirs.AddTo(q);
  return q;
}

// Every report.json directly under `dir` or one level down.
std::vector<nlohmann::json> ReportsUnder(const std::string& dir) {
  std::vector<nlohmann::json> out;
  std::vector<std::string> paths = {dir + "/report.json"};
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec))
    if (e.is_directory()) paths.push_back(e.path().string() + "/report.json");
  std::sort(paths.begin(), paths.end());
  for (const std::string& p : paths) {
    auto text = ReadFile(p);
    if (!text.ok()) continue;
    auto j = nlohmann::json::parse(*text, nullptr, false);
    if (j.is_object()) out.push_back(std::move(j));
  }
  return out;
}

// What a qualification report names besides the results.
nlohmann::json QualifyMeta(const QualifyFlags& f,
                           const std::vector<Scenario>& cases,
                           const std::vector<nlohmann::json>& reports) {
  nlohmann::json meta;
  meta["kernel"] = "?";
  for (const auto& r : reports)
    if (r.contains("kernel")) meta["kernel"] = r["kernel"].value("source", "?");
  // The same probes as every report's manifest.
  const HostVersions& host = ProbeHostVersions();
  meta["qemu"] = host.qemu.empty() ? "?" : host.qemu;
  meta["libvirt"] = host.libvirt;
  meta["swapbench"] = SwapbenchVersion();
  std::string seeds;
  for (const auto& c : cases)
    if (c.name.find("vm.nic=" + f.nics[0]) != std::string::npos)
      seeds += (seeds.empty() ? "" : ", ") +
               c.name.substr(0, c.name.find('[')) + " " +
               std::to_string(c.seed);
  meta["seeds"] = seeds;
  meta["repeat"] = f.repeat;
  return meta;
}

// `qualify`: the suite per NIC, then the qualification report. Exit 0
// when every driver passes every check, 1 when one fails, 3 when a run
// could not be judged.
int QualifyCommand(const QualifyFlags& f) {
  std::vector<Scenario> suite;
  std::error_code ec;
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(f.suite, ec))
    if (e.path().extension() == ".toml") files.push_back(e.path().string());
  if (ec)
    return ExitFor(Status::Usage("--suite " + f.suite + ": " + ec.message()));
  std::sort(files.begin(), files.end());
  for (const auto& p : files) {
    auto s = LoadScenario(p);
    if (!s.ok()) return ExitFor(s.status());
    suite.push_back(std::move(*s));
  }
  std::vector<std::pair<std::string, std::string>> skipped;
  auto cases = SuiteCases(suite, f.nics, f.checks, &skipped);
  if (!cases.ok()) return ExitFor(cases.status());
  CampaignOptions c;
  c.scenarios = *cases;
  if (!f.kernel_package.empty()) {
    auto k = KernelPackageFlag(f.kernel_package);
    if (!k.ok()) return ExitFor(k.status());
    c.kernels = {*k};
  } else {
    c.kernels = {std::nullopt};
  }
  c.repeat = f.repeat;
  c.jobs = f.jobs;
  std::string out = f.out.empty() ? DefaultOut("qualify") : f.out;
  if (Status s = CheckOutDir(out); !s.ok()) return ExitFor(s);
  out = std::filesystem::absolute(out).lexically_normal().string();
  c.out_dir = out + "/runs";
  if (Status s = MakeDirs(c.out_dir); !s.ok()) return ExitFor(s);
  std::unique_ptr<Libvirt> lv;
  auto ro = RealRunnerOptions(f.dirs, "qualify", &lv);
  if (!ro.ok()) return ExitFor(ro.status());
  c.runner = *ro;
  int rc = RunCampaign(c);
  if (rc == 2) return rc;
  auto reports = ReportsUnder(c.out_dir);
  nlohmann::json q =
      QualifyJson(reports, f.nics, skipped, QualifyMeta(f, *cases, reports));
  Status s = WriteFile(out + "/qualify.json", DumpJson(q) + "\n");
  if (s.ok()) s = WriteFile(out + "/qualify.html", QualifyHtml(q));
  if (!s.ok()) return ExitFor(s);
  printf("\n%s\nqualification: %s in %s/qualify.html\n", QualifyText(q).c_str(),
         q["verdict"].get<std::string>().c_str(), out.c_str());
  bool error = false;
  for (const auto& [nic, d] : q["drivers"].items())
    for (const auto& [name, ch] : d["checks"].items())
      error |= ch.value("outcome", "") == "error";
  if (error || rc == 3) return 3;
  return q["verdict"] == "pass" ? 0 : 1;
}

// `parse-console`: exit 1 with findings.
int ParseConsole(const std::string& log, bool json) {
  ConsoleParser p;
  Status s = ForEachLine(log, [&](std::string_view line) { p.Feed(line); });
  if (!s.ok()) return ExitFor(s);
  p.Finish();
  if (json)
    printf("%s\n", DumpJson(ConsoleJson(log, p)).c_str());
  else
    printf("%s", ConsoleText(p).c_str());
  return p.findings().empty() ? 0 : 1;
}

// `parse-console --expect-dir`: recall per family on a labelled corpus.
int MeasureConsoles(const std::string& dir, bool verbose) {
  auto score = ScoreCorpus(dir);
  if (!score.ok()) return ExitFor(score.status());
  printf("%s", CorpusText(*score, verbose).c_str());
  return 0;
}

struct PreviewFlags {
  std::string path, pcap;
  int packets = 20;
  int64_t seed = -1;
  double pps = 1000;
};

int LinkPreviewCommand(const PreviewFlags& f) {
  auto s = LoadScenario(f.path);
  if (!s.ok()) return ExitFor(s.status());
  uint64_t seed = f.seed >= 0 ? static_cast<uint64_t>(f.seed) : s->seed;
  PcapWriter pcap;
  if (!f.pcap.empty()) {
    std::string why;
    if (!pcap.Open(f.pcap, 65535, &why))
      return ExitFor(Status::Usage("--pcap: " + why));
  }
  std::string text =
      LinkPreview(*s, seed, f.packets, f.pps, f.pcap.empty() ? nullptr : &pcap);
  fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}

int Check(const std::vector<std::string>& paths) {
  int rc = 0;
  for (const auto& p : paths) {
    auto s = LoadScenarios(p);
    if (!s.ok()) {
      fprintf(stderr, "%s\n", s.status().message().c_str());
      rc = 2;
    } else if (s->size() == 1) {
      printf("%s: ok (%s)\n", p.c_str(), s->front().name.c_str());
    } else {
      printf("%s: ok (%s, %zu cases)\n", p.c_str(),
             s->front().name.substr(0, s->front().name.find('[')).c_str(),
             s->size());
    }
  }
  return rc;
}

// `list`: every case the files name, one a line, as `run` would run them.
int List(const std::vector<std::string>& paths) {
  std::vector<Scenario> all;
  for (const auto& p : paths) {
    auto s = LoadScenarios(p);
    if (!s.ok()) return ExitFor(s.status());
    for (auto& sc : *s) all.push_back(std::move(sc));
  }
  for (const auto& sc : all)
    printf("%s\t%s\t%s\n", sc.name.c_str(), sc.path.c_str(),
           sc.DirName().c_str());
  return 0;
}

struct BisectFlags {
  std::string scenario, old_pkg, new_pkg, out, flaky = "skip";
  int repeat = 1;
  Dirs dirs;
};

CLI::App* AddBisect(CLI::App& app, BisectFlags* f) {
  auto* cmd = app.add_subcommand(
      "bisect",
      "find the first Debian kernel package between --old and --new whose "
      "verdict on the scenario differs from --old's (a regression or a fix)");
  cmd->add_option("scenario", f->scenario, "scenario file")->required();
  cmd->add_option("--old", f->old_pkg, "the old kernel package")->required();
  cmd->add_option("--new", f->new_pkg, "the new kernel package")->required();
  cmd->add_option("--repeat", f->repeat, "attempts per step (default 1)")
      ->transform(Decimal(1, 100));
  cmd->add_option("--flaky", f->flaky,
                  "a step whose attempts disagree counts as the old verdict, "
                  "the new one, or is skipped (default skip)")
      ->check(CLI::IsMember({"old", "new", "skip"}));
  cmd->add_option("--out", f->out,
                  "where the steps' reports and bisect.json go (default "
                  "reports/runs/bisect-NAME-TIME)");
  f->dirs.AddTo(cmd);
  return cmd;
}

// Checks everything the user gave before the first step runs.
Result<std::vector<DebPackage>> BisectPackages(const BisectFlags& f) {
  for (const auto& [flag, p] :
       {std::pair{"--old", f.old_pkg}, std::pair{"--new", f.new_pkg}})
    if (!IsDebianPackageName(p))
      return Status::Usage(std::string(flag) + " \"" + p +
                           "\": expected a Debian kernel package name");
  auto all = AptKernelPackages();
  if (!all.ok()) return all.status();
  return BisectRange(*all, f.old_pkg, f.new_pkg);
}

int BisectCommand(const BisectFlags& f) {
  auto sc = LoadScenario(f.scenario);
  if (!sc.ok()) return ExitFor(sc.status());
  auto packages = BisectPackages(f);
  if (!packages.ok()) return ExitFor(packages.status());
  std::string out = f.out.empty() ? DefaultOut("bisect-" + sc->name) : f.out;
  if (Status s = CheckOutDir(out); !s.ok()) return ExitFor(s);
  out = std::filesystem::absolute(out).lexically_normal().string();
  if (Status s = MakeDirs(out); !s.ok()) return ExitFor(s);
  std::unique_ptr<Libvirt> lv;
  auto ro = RealRunnerOptions(f.dirs, "bisect", &lv);
  if (!ro.ok()) return ExitFor(ro.status());
  fprintf(stderr, "bisect: %zu packages, %s .. %s\n", packages->size(),
          packages->front().name.c_str(), packages->back().name.c_str());
  const FlakyRule rule = f.flaky == "old"   ? FlakyRule::kOld
                         : f.flaky == "new" ? FlakyRule::kNew
                                            : FlakyRule::kSkip;
  auto r = Bisect(*packages, rule, CampaignSteps(*sc, f.repeat, out, *ro));
  if (!r.ok()) return ExitFor(r.status());
  printf("%s", BisectText(*r).c_str());
  Status w =
      WriteFileAtomic(out + "/bisect.json", DumpJson(BisectJson(*r)) + "\n");
  if (!w.ok()) return ExitFor(w);
  printf("bisect: %s in %s\n", r->outcome.c_str(), out.c_str());
  return BisectExit(*r);
}

// `kernel-config`: the config fragment the scenarios need (all of the
// table when none is named), for merge_config.sh.
int KernelConfigCommand(const std::vector<std::string>& paths, bool modular) {
  std::vector<KernelNeed> needs =
      paths.empty() ? AllNeeds() : std::vector<KernelNeed>{};
  for (const auto& p : paths) {
    auto cases = LoadScenarios(p);
    if (!cases.ok()) return ExitFor(cases.status());
    for (const auto& sc : *cases)
      for (auto& n : NeedsOf(sc)) needs.push_back(std::move(n));
  }
  printf("%s", ConfigFragment(needs, modular).c_str());
  return 0;
}

int ReapCommand(const Dirs& d) {
  if (geteuid() != 0) return ExitFor(Status::Harness("reap needs root"));
  auto lv = Libvirt::Open(d.state + "/libvirt");
  if (!lv.ok()) return ExitFor(lv.status());
  std::vector<std::string> lines = (*lv)->reaped();
  for (auto& l :
       Reap(d.state, [&](const std::string& dom) { (*lv)->DestroyStale(dom); }))
    lines.push_back(std::move(l));
  for (const auto& l : lines) printf("%s\n", l.c_str());
  printf("reaped %zu run(s)\n", lines.size());
  return 0;
}

// A merged set holds its runs: each run directory is copied to
// OUT/<input dir's name>/<its path below it>, and its report's out_dir
// points at the copy. compare, report.html's links and console excerpts,
// and a CI job's artifact then need nothing but OUT (measured: the GitLab
// example's compare found no report.json below a merge that held none).
Result<nlohmann::json> CopyRun(const std::string& report_path,
                               const std::string& input,
                               const std::string& dest_root) {
  namespace fs = std::filesystem;
  auto j = LoadReport(report_path);
  if (!j.ok()) return j.status();
  const fs::path run = fs::path(report_path).parent_path();
  const fs::path dest =
      (fs::path(dest_root) / run.lexically_relative(input)).lexically_normal();
  std::error_code ec;
  if (fs::equivalent(run, dest, ec)) return j;
  fs::create_directories(dest, ec);
  fs::copy(run, dest,
           fs::copy_options::recursive | fs::copy_options::overwrite_existing,
           ec);
  if (ec)
    return Status::Harness("merge: copy " + run.string() + ": " + ec.message());
  (*j)["out_dir"] = fs::absolute(dest).string();
  if (Status s =
          WriteFileAtomic((dest / "report.json").string(), DumpJson(*j) + "\n");
      !s.ok())
    return s;
  return j;
}

int Merge(const std::vector<std::string>& dirs, const std::string& out) {
  if (Status s = CheckOutDir(out); !s.ok()) return ExitFor(s);
  std::vector<nlohmann::json> all;
  std::set<std::string> names;
  for (size_t i = 0; i < dirs.size(); ++i) {
    auto paths = FindReports(dirs[i]);
    if (!paths.ok()) return ExitFor(paths.status());
    // OUT/shard-1, OUT/shard-2, ...; a name seen before gets its index.
    auto in = std::filesystem::path(dirs[i]).lexically_normal();
    if (in.filename().empty()) in = in.parent_path();  // "dir/"
    std::string name = in.filename().string();
    if (name.empty() || name == "." || !names.insert(name).second)
      name += "-" + std::to_string(i + 1);
    for (const auto& p : *paths) {
      auto j = CopyRun(p, dirs[i], out + "/" + name);
      if (!j.ok()) return ExitFor(j.status());
      all.push_back(std::move(*j));
    }
  }
  Status s = MakeDirs(out);
  if (s.ok()) s = WriteSet(all, out);
  if (!s.ok()) return ExitFor(s);
  auto cases = GroupCases(all);
  printf("merged %zu run(s) into %zu case(s): %s\n", all.size(), cases.size(),
         out.c_str());
  return ExitForVerdict(SetVerdict(cases));
}

struct CompareFlags {
  std::string base, next, out, base_kernel, new_kernel;
  double threshold_pct = 10;
  CompareOptions options;
};

int CompareCommand(CompareFlags f) {
  auto b = LoadReportSet(f.base);
  if (!b.ok()) return ExitFor(b.status());
  auto n = LoadReportSet(f.next);
  if (!n.ok()) return ExitFor(n.status());
  auto only = [](std::vector<nlohmann::json>* set, const std::string& release) {
    if (release.empty()) return;
    std::erase_if(*set, [&](const nlohmann::json& r) {
      return r.value("kernel", nlohmann::json::object()).value("release", "") !=
             release;
    });
  };
  only(&*b, f.base_kernel);
  only(&*n, f.new_kernel);
  if (b->empty() || n->empty())
    return ExitFor(Status::Usage("compare: no runs of the kernel asked for"));
  f.options.threshold = f.threshold_pct / 100;
  nlohmann::json c = Compare(*b, *n, f.options);
  c["base"] = f.base;
  c["new"] = f.next;
  std::string dir = f.out.empty() ? f.next : f.out;
  if (Status s = CheckOutDir(dir); !s.ok()) return ExitFor(s);
  Status s = MakeDirs(dir);
  if (s.ok()) s = WriteFileAtomic(dir + "/compare.json", DumpJson(c) + "\n");
  if (s.ok())
    s = WriteFileAtomic(dir + "/compare.html", CompareHtml(c, *b, *n));
  if (!s.ok()) return ExitFor(s);
  printf("%s", CompareText(c).c_str());
  printf("compare.json and compare.html in %s\n", dir.c_str());
  return c["verdict"] == "regression" ? 1 : 0;
}

CLI::App* AddCompare(CLI::App& app, CompareFlags* f) {
  auto* compare = app.add_subcommand(
      "compare",
      "compare two report sets (BASE, NEW): verdict transitions and gated "
      "throughput deltas; exit 1 on a regression");
  compare->add_option("base", f->base, "the baseline's run directory")
      ->required();
  compare->add_option("new", f->next, "the candidate's run directory")
      ->required();
  compare
      ->add_option("--threshold", f->threshold_pct,
                   "throughput drop of the median that gates, in % (default "
                   "10)")
      ->check(Finite(0, 100));
  compare
      ->add_option("--min-repeats", f->options.min_repeats,
                   "passing attempts needed on each side to gate throughput "
                   "(default 3)")
      ->transform(Decimal(1, 1000));
  compare->add_option(
      "--base-kernel", f->base_kernel,
      "only BASE's runs of this kernel release (an A/B set in one "
      "directory: compare DIR DIR --base-kernel A --new-kernel B)");
  compare->add_option("--new-kernel", f->new_kernel,
                      "only NEW's runs of this kernel release");
  compare->add_option("--out", f->out,
                      "where compare.json and compare.html go (default NEW)");
  return compare;
}

CLI::App* AddPreview(CLI::App& app, PreviewFlags* f) {
  auto* preview = app.add_subcommand(
      "link-preview",
      "print the link decisions the scenario's seed makes for the first N "
      "frames of each direction, with no VM (same seed: identical output)");
  preview->add_option("scenario", f->path, "scenario file")->required();
  preview
      ->add_option("--packets", f->packets, "frames per direction (default 20)")
      ->transform(Decimal(1, 10000000));
  preview->add_option("--seed", f->seed, "override the scenario's seed")
      ->transform(Decimal(0, INT64_MAX));
  preview->add_option(
      "--pcap", f->pcap,
      "also write the frames offered to the link to this pcap file");
  preview
      ->add_option("--pps", f->pps,
                   "synthetic NFS frames per second per direction (default "
                   "1000)")
      ->check(Finite(1, 1e7));
  return preview;
}

struct BenchRelayFlags {
  std::string scenario =
      std::string(SWAPBENCH_SOURCE_DIR) + "/scenarios/smoke.toml";
  std::string kernel, out;
  int repeat = 1;
  Dirs dirs;
};

// The options bench-relay and bench-baseline share.
CLI::App* AddBench(CLI::App& app, BenchRelayFlags* f, const char* name,
                   const char* what, const char* repeat_help,
                   const char* out_help) {
  auto* cmd = app.add_subcommand(name, what);
  cmd->add_option("scenario", f->scenario,
                  "scenario without impairments (default "
                  "scenarios/smoke.toml)");
  cmd->add_option("--kernel-package", f->kernel,
                  "Debian kernel package (default: the scenario's)");
  cmd->add_option("--repeat", f->repeat, repeat_help)
      ->transform(Decimal(1, 100));
  cmd->add_option("--out", f->out, out_help);
  f->dirs.AddTo(cmd);
  return cmd;
}

CLI::App* AddBenchRelay(CLI::App& app, BenchRelayFlags* f) {
  return AddBench(
      app, f, "bench-relay",
      "benchmark: run a scenario through the relay (0 % loss) and through a "
      "direct TAP (no relay; with and without offloads); print swap-out "
      "MiB/s and the ratios",
      "runs per mode, alternating (default 1)",
      "where the runs and bench-relay.json go "
      "(default /tmp/swapbench-bench-relay)");
}

CLI::App* AddBenchBaseline(CLI::App& app, BenchRelayFlags* f) {
  return AddBench(
      app, f, "bench-baseline",
      "benchmark: the same scenario on plain qemu-system-x86_64 (direct TAP, "
      "no libvirt, no relay) and as `swapbench run`, interleaved; print wall "
      "and hog times and their ratios (the target: swapbench <= 1.10x)",
      "pairs of runs, interleaved (default 4)",
      "where the runs and bench-baseline.json go "
      "(default /tmp/swapbench-bench-baseline)");
}

// What both benchmarks check and open before their runs: a scenario that
// fits a direct TAP, the out dir, the kernel, the runner (libvirt in *lv).
Result<std::pair<Scenario, RunnerOptions>> PrepareBench(
    const BenchRelayFlags& f, const char* what, std::unique_ptr<Libvirt>* lv) {
  auto sc = LoadScenario(f.scenario);
  if (!sc.ok()) return sc.status();
  if (Status s = BenchRelayFits(*sc); !s.ok()) return s;
  if (!f.out.empty())
    if (Status s = CheckOutDir(f.out); !s.ok()) return s;
  if (!f.kernel.empty())
    if (auto k = KernelPackageFlag(f.kernel); !k.ok()) return k.status();
  auto ro = RealRunnerOptions(f.dirs, what, lv);
  if (!ro.ok()) return ro.status();
  if (!f.kernel.empty()) ro->kernel = KernelSpec{f.kernel, "", "", "", ""};
  return std::make_pair(std::move(*sc), std::move(*ro));
}

int BenchRelayCommand(const BenchRelayFlags& f) {
  std::unique_ptr<Libvirt> lv;
  auto b = PrepareBench(f, "bench-relay", &lv);
  if (!b.ok()) return ExitFor(b.status());
  return BenchRelay({b->first, f.repeat, f.out, b->second});
}

int BenchBaselineCommand(const BenchRelayFlags& f) {
  std::unique_ptr<Libvirt> lv;
  auto b = PrepareBench(f, "bench-baseline", &lv);
  if (!b.ok()) return ExitFor(b.status());
  std::vector<std::string> run = {"/proc/self/exe", "run",        f.scenario,
                                  "--state",        f.dirs.state, "--cache",
                                  f.dirs.cache};
  if (!f.kernel.empty()) run.insert(run.end(), {"--kernel-package", f.kernel});
  return BenchBaseline({b->first, f.repeat, f.out, b->second, run});
}

struct ReplayFlags {
  std::string run_dir;
  int gdb = 0;
  double timeout_s = 900;
  std::string until;
  Dirs dirs;
};

CLI::App* AddReplay(CLI::App& app, ReplayFlags* f) {
  auto* cmd = app.add_subcommand(
      "replay",
      "re-execute a run recorded with --record (no relay, no server, no "
      "namespace: the network's input comes from the log) and check that "
      "its console is byte-identical to the recorded one");
  cmd->add_option("run_dir", f->run_dir, "the run's directory (OUT or OUT/RUN)")
      ->required();
  cmd->add_option("--gdb", f->gdb,
                  "expose QEMU's gdbstub on 127.0.0.1:PORT and wait for gdb "
                  "(reverse-stepi and reverse-continue work in a replay)")
      ->transform(Decimal(1, 65535));
  cmd->add_option("--until", f->until,
                  "stop once the replayed console has a line containing TEXT "
                  "(e.g. the line where the run failed) and compare the "
                  "consoles up to it");
  cmd->add_option("--timeout", f->timeout_s,
                  "give up after this many seconds (default 900; not with "
                  "--gdb)");
  f->dirs.AddTo(cmd);
  return cmd;
}

int ReplayCommand(const ReplayFlags& f) {
  std::unique_ptr<Libvirt> lv;
  auto ro = RealRunnerOptions(f.dirs, "replay", &lv);
  if (!ro.ok()) return ExitFor(ro.status());
  return Replay({.run_dir = f.run_dir,
                 .gdb_port = f.gdb,
                 .timeout_s = f.timeout_s,
                 .until = f.until,
                 .state_dir = ro->state_dir,
                 .cancel = ro->cancel},
                lv.get(), Env::Default());
}

}  // namespace
}  // namespace swapbench

int main(int argc, char** argv) {
  using namespace swapbench;
  // Guests' QEMU processes (daemonized by libvirt) become this process's
  // children, so each is reaped the moment it exits (libvirt_vm.h).
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  CLI::App app{
      "swapbench: fault-injection test bench for Linux swap over the network"};
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 pass, 1 finding or unmet expectation, 2 usage or "
      "scenario error, 3 harness failure.");

  RunFlags run_flags;
  auto* run = AddRun(app, &run_flags);

  QualifyFlags qualify_flags;
  auto* qualify = AddQualify(app, &qualify_flags);

  std::vector<std::string> merge_dirs;
  std::string merge_out;
  auto* merge = app.add_subcommand(
      "merge",
      "merge run directories (e.g. one per CI shard) into one report set: "
      "junit.xml, kcidb.json, ktap.txt, report.html, summary.json");
  merge
      ->add_option("dirs", merge_dirs,
                   "run directories (searched for report.json)")
      ->required();
  merge->add_option("--out", merge_out, "where the merged set goes")
      ->required();

  CompareFlags compare_flags;
  auto* compare = AddCompare(app, &compare_flags);

  Dirs reap_dirs;
  auto* reap = app.add_subcommand("reap",
                                  "tear down what killed runs left behind "
                                  "(each run also does this at start)");
  reap_dirs.AddTo(reap, false);

  std::string console_log, expect_dir;
  bool console_json = false, console_verbose = false;
  auto* parse_console = app.add_subcommand(
      "parse-console",
      "classify a kernel console log (from this bench or elsewhere) and "
      "print the findings; exit 1 if there are any");
  auto* log_opt = parse_console->add_option("log", console_log,
                                            "console log file, - for stdin");
  parse_console->add_flag("--json", console_json,
                          "print a JSON object whose findings are shaped "
                          "like report.json's");
  auto* expect_opt = parse_console->add_option(
      "--expect-dir", expect_dir,
      "measure instead: every file of DIR is a console with a TITLE header "
      "(syzkaller's pkg/report/testdata layout); print recall per family and "
      "the findings on crash-free consoles");
  parse_console->add_flag("--verbose", console_verbose,
                          "with --expect-dir: list every miss");
  log_opt->excludes(expect_opt);

  PreviewFlags preview_flags;
  auto* preview = AddPreview(app, &preview_flags);

  BenchRelayFlags bench_relay_flags;
  auto* bench_relay = AddBenchRelay(app, &bench_relay_flags);
  BenchRelayFlags bench_baseline_flags;
  bench_baseline_flags.repeat = 4;
  auto* bench_baseline = AddBenchBaseline(app, &bench_baseline_flags);
  ReplayFlags replay_flags;
  auto* replay = AddReplay(app, &replay_flags);

  BisectFlags bisect_flags;
  auto* bisect = AddBisect(app, &bisect_flags);

  std::vector<std::string> kconfig_paths;
  bool kconfig_modular = false;
  auto* kconfig = app.add_subcommand(
      "kernel-config",
      "print the kernel config fragment the scenarios need (all shipped "
      "features when none is named), for scripts/kconfig/merge_config.sh");
  kconfig->add_option("scenarios", kconfig_paths, "scenario files");
  kconfig->add_flag("--modular", kconfig_modular,
                    "=m where a module may provide the option (default =y: "
                    "one bzImage, no modules)");

  std::vector<std::string> check_paths;
  auto* check =
      app.add_subcommand("check", "validate scenario files; touches nothing");
  check->add_option("scenarios", check_paths, "scenario files")->required();

  std::vector<std::string> list_paths;
  auto* list = app.add_subcommand(
      "list",
      "print every case the scenario files name (a [matrix] expanded): "
      "NAME, FILE and report directory, tab-separated");
  list->add_option("scenarios", list_paths, "scenario files")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }

  if (run->parsed()) {
    int rc = Run(run_flags);
    return run_flags.git_bisect ? GitBisectExit(rc) : rc;
  }
  if (qualify->parsed()) return QualifyCommand(qualify_flags);
  if (merge->parsed()) return Merge(merge_dirs, merge_out);
  if (compare->parsed()) return CompareCommand(compare_flags);
  if (reap->parsed()) return ReapCommand(reap_dirs);
  if (parse_console->parsed()) {
    if (!expect_dir.empty())
      return MeasureConsoles(expect_dir, console_verbose);
    if (console_log.empty())
      return ExitFor(
          Status::Usage("parse-console: expected a LOG or --expect-dir DIR"));
    return ParseConsole(console_log, console_json);
  }
  if (preview->parsed()) return LinkPreviewCommand(preview_flags);
  if (bench_relay->parsed()) return BenchRelayCommand(bench_relay_flags);
  if (bench_baseline->parsed())
    return BenchBaselineCommand(bench_baseline_flags);
  if (replay->parsed()) return ReplayCommand(replay_flags);
  if (check->parsed()) return Check(check_paths);
  if (list->parsed()) return List(list_paths);
  if (bisect->parsed()) return BisectCommand(bisect_flags);
  if (kconfig->parsed())
    return KernelConfigCommand(kconfig_paths, kconfig_modular);
  return 2;
}
