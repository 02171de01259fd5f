// swapbench: parses flags, runs subcommands, maps results to exit codes.
//   0 pass, 1 kernel finding or unmet expectation, 2 usage or scenario
//   error, 3 harness (infrastructure) failure or interruption.
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <thread>

#include "bench/compare.h"
#include "bench/console_parser.h"
#include "bench/formats.h"
#include "bench/fs_util.h"
#include "bench/libvirt_vm.h"
#include "bench/link_preview.h"
#include "bench/progress.h"
#include "bench/runner.h"
#include "bench/scenario.h"
#include "bench/state.h"

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
      fprintf(stderr, "swapbench: %s received, %s\n", strsignal(sig),
              prev ? "still tearing down" : "tearing down");
    }
  }).detach();
}

int ExitFor(const swapbench::Status& s) {
  fprintf(stderr, "swapbench: %s\n", s.message().c_str());
  return s.kind() == swapbench::Status::Kind::kUsage ? 2 : 3;
}

int ExitForVerdict(const std::string& v) {
  return v == "pass" || v == "flaky" ? 0 : v == "fail" ? 1 : 3;
}

// A set of runs (several scenarios, kernels, attempts or merged shards):
// the CI formats over all of them, and summary.json with one entry a case.
swapbench::Status WriteSet(const std::vector<nlohmann::json>& set,
                           const std::string& dir) {
  using namespace swapbench;
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
                          {"swapout_mib_per_s", c.swapout}});
  for (const auto& r : set) j["runs"].push_back(r.value("out_dir", ""));
  return WriteFile(dir + "/summary.json", j.dump(2) + "\n");
}

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* v = getenv(name);
  return v && *v ? v : fallback;
}

// The options every real run shares (paths of the image inputs, cancel flag).
swapbench::RunnerOptions BaseRunnerOptions(const std::string& state_dir,
                                           const std::string& cache_dir) {
  swapbench::RunnerOptions o;
  o.state_dir = state_dir;
  o.cache_dir = cache_dir;
  o.agent_path = SWAPBENCH_AGENT;
  o.modules_list = std::string(SWAPBENCH_SOURCE_DIR) + "/images/modules.txt";
  o.binaries_list = std::string(SWAPBENCH_SOURCE_DIR) + "/images/binaries.txt";
  o.cancel = &g_cancel;
  return o;
}

// bench-relay: the same scenario through the relay (0 % loss) and through a
// direct TAP (no relay) — with its offloads, as QEMU sets it up, and with
// them off — `repeat` times each, interleaved; prints swap-out MiB/s of each
// and the ratios of the medians. The target: the relay costs <= 5 %
// against the direct TAP. The TAP's offloads let the guest send 64 KiB
// segments (an order of magnitude fewer frames), which the relay's UDP
// transport cannot carry; the no-offload baseline separates that from the
// relay's own cost.
int BenchRelay(const std::string& path, const std::string& kernel_package,
               int repeat, std::string out_dir, const std::string& state_dir,
               const std::string& cache_dir) {
  using namespace swapbench;
  auto sc = LoadScenario(path);
  if (!sc.ok()) return ExitFor(sc.status());
  if (!sc->link.config.impairments.empty() || !sc->link.config.phases.empty() ||
      !sc->link.floods.empty() || sc->link.engine != "relay")
    return ExitFor(Status::Usage(
        path +
        ": bench-relay needs a scenario without impairments, phases or "
        "floods (the direct TAP cannot apply them), e.g. "
        "scenarios/smoke.toml"));
  if (geteuid() != 0) return ExitFor(Status::Harness("bench-relay needs root"));
  if (out_dir.empty()) out_dir = "/tmp/swapbench-bench-relay";
  const std::string base =
      std::filesystem::absolute(out_dir).lexically_normal().string();
  RunnerOptions o = BaseRunnerOptions(state_dir, cache_dir);
  if (!kernel_package.empty())
    o.kernel = KernelSpec{kernel_package, "", "", ""};
  StartSignalThread();
  auto lv = Libvirt::Open(state_dir + "/libvirt");
  if (!lv.ok()) return ExitFor(lv.status());
  o.libvirt = lv->get();
  if (Status s = MakeDirs(base); !s.ok()) return ExitFor(s);
  constexpr int kModes = 3;
  const char* kMode[kModes] = {"relay", "direct-tap", "direct-tap-no-offload"};
  std::vector<double> rates[kModes];
  nlohmann::json runs = nlohmann::json::array();
  int rc = 0;
  for (int a = 1; a <= repeat && !g_cancel.load(); ++a) {
    for (int m = 0; m < kModes && !g_cancel.load(); ++m) {
      RunnerOptions ro = o;
      ro.direct_tap = m > 0;
      ro.direct_tap_offloads = m == 1;
      ro.attempt = a;
      std::string label = std::string(kMode[m]) + ".a" + std::to_string(a);
      ro.out_dir = base + "/" + label;
      ro.log_prefix = "[" + label + "] ";
      RemoveRunFiles(ro.out_dir);
      auto rep = RunScenario(*sc, ro);
      if (!rep.ok()) return ExitFor(rep.status());
      if (rep->runs.empty()) rep->runs.emplace_back();
      const RunReport& u = rep->runs[0];
      int64_t rx = u.guest_net.is_object()
                       ? u.guest_net.value("rx_packets", int64_t{-1})
                       : -1;
      printf(
          "%s: %s, swap-out %.2f MiB/s, swap-in %.2f MiB/s, guest rx %lld "
          "packets\n",
          label.c_str(), rep->verdict.c_str(), u.swapout_mib_per_s,
          u.swapin_mib_per_s, static_cast<long long>(rx));
      fflush(stdout);
      runs.push_back({{"mode", kMode[m]},
                      {"attempt", a},
                      {"verdict", rep->verdict},
                      {"swapout_mib_per_s", u.swapout_mib_per_s},
                      {"swapin_mib_per_s", u.swapin_mib_per_s},
                      {"guest_rx_packets", rx},
                      {"out_dir", ro.out_dir}});
      if (rep->verdict == "pass")
        rates[m].push_back(u.swapout_mib_per_s);
      else
        rc = std::max(rc, ExitForVerdict(rep->verdict));
    }
  }
  if (g_cancel.load()) return 3;
  for (int m = 0; m < kModes; ++m)
    if (rates[m].empty()) {
      fprintf(stderr, "swapbench: bench-relay: no passing %s run\n", kMode[m]);
      return std::max(rc, 1);
    }
  double relay = Median(rates[0]), direct = Median(rates[1]),
         plain = Median(rates[2]);
  printf(
      "swap-out median: relay %.2f, direct TAP %.2f, direct TAP without "
      "offloads %.2f "
      "MiB/s\n",
      relay, direct, plain);
  printf("relay/direct %.3f (relay cost %+.1f %%; target <= 5 %%)\n",
         relay / direct, (1 - relay / direct) * 100);
  printf("relay/direct-without-offloads %.3f (the relay's own cost %+.1f %%)\n",
         relay / plain, (1 - relay / plain) * 100);
  nlohmann::json j = {{"schema", "swapbench.bench-relay/1"},
                      {"scenario", path},
                      {"relay_swapout_mib_per_s", relay},
                      {"direct_swapout_mib_per_s", direct},
                      {"direct_no_offload_swapout_mib_per_s", plain},
                      {"ratio", relay / direct},
                      {"relay_cost_pct", (1 - relay / direct) * 100},
                      {"ratio_no_offload", relay / plain},
                      {"runs", runs}};
  if (Status s = WriteFile(base + "/bench-relay.json", j.dump(2) + "\n");
      !s.ok())
    return ExitFor(s);
  printf("written: %s/bench-relay.json\n", base.c_str());
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace swapbench;
  CLI::App app{
      "swapbench: fault-injection test bench for Linux swap over the network"};
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 pass, 1 finding or unmet expectation, 2 usage or scenario "
      "error, "
      "3 harness failure.");

  std::vector<std::string> scenario_paths;
  std::string out_dir, kernel, modules, kernel_config;
  std::vector<std::string> kernel_packages;
  int repeat = 1, jobs = 1;
  bool confirm = false;
  std::string shard;
  std::optional<uint64_t> seed;
  std::string state_dir = EnvOr("SWAPBENCH_STATE", "/var/lib/swapbench");
  std::string cache_dir = EnvOr("SWAPBENCH_CACHE", "/var/cache/swapbench");
  auto* run = app.add_subcommand("run", "run a scenario in a real guest");
  run->add_option("scenarios", scenario_paths,
                  "scenario files (scenarios/*.toml), run one after another")
      ->required();
  run->add_option("--out", out_dir,
                  "report directory (default reports/runs/NAME-TIME)");
  run->add_option("--seed", seed, "override the scenario's seed");
  run->add_option("--kernel", kernel,
                  "kernel image (bzImage) instead of the scenario's");
  run->add_option("--modules", modules,
                  "lib/modules/RELEASE directory for --kernel");
  run->add_option("--kernel-config", kernel_config,
                  "kernel .config for --kernel");
  run->add_option("--kernel-package", kernel_packages,
                  "Debian kernel package instead of the scenario's; give it "
                  "twice (A/B) to run every scenario on each");
  run->add_option("--repeat", repeat,
                  "run every scenario N times; the fail rate is recorded and "
                  "mixed results are flaky")
      ->check(CLI::Range(1, 1000));
  run->add_flag("--confirm", confirm,
                "rerun a failed run once; failed then passed is flaky, not "
                "failed (unless the scenario sets expect.flaky_fails)");
  run->add_option("--shard", shard,
                  "K/N: run only the K-th of N slices of the expanded matrix "
                  "(kernels x scenarios x repeats), for CI matrix jobs");
  run->add_option("--jobs", jobs,
                  "run up to J guests at once, each isolated (own namespace, "
                  "ports, libvirt domain)")
      ->check(CLI::Range(1, 64));
  run->add_option("--state", state_dir,
                  "state directory (libvirt root, run records)");
  run->add_option("--cache", cache_dir, "cache directory (kernels, images)");

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

  std::string base_dir, new_dir, compare_out;
  CompareOptions copt;
  double threshold_pct = 10;
  auto* compare = app.add_subcommand(
      "compare",
      "compare two report sets (BASE, NEW): verdict transitions and gated "
      "throughput deltas; exit 1 on a regression");
  compare->add_option("base", base_dir, "the baseline's run directory")
      ->required();
  compare->add_option("new", new_dir, "the candidate's run directory")
      ->required();
  compare
      ->add_option(
          "--threshold", threshold_pct,
          "throughput drop of the median that gates, in % (default 10)")
      ->check(CLI::Range(0.0, 100.0));
  compare
      ->add_option("--min-repeats", copt.min_repeats,
                   "passing attempts needed on each side to gate throughput "
                   "(default 3)")
      ->check(CLI::Range(1, 1000));
  std::string base_kernel, new_kernel;
  compare->add_option(
      "--base-kernel", base_kernel,
      "only BASE's runs of this kernel release (an A/B set in one "
      "directory: compare DIR DIR --base-kernel A --new-kernel B)");
  compare->add_option("--new-kernel", new_kernel,
                      "only NEW's runs of this kernel release");
  compare->add_option("--out", compare_out,
                      "where compare.json and compare.html go (default NEW)");

  auto* reap = app.add_subcommand("reap",
                                  "tear down what killed runs left behind "
                                  "(each run also does this at start)");
  reap->add_option("--state", state_dir, "state directory");

  std::string console_log;
  bool console_json = false;
  auto* parse_console = app.add_subcommand(
      "parse-console",
      "classify a kernel console log (from this bench or elsewhere) and print "
      "the findings; exit 1 if there are any");
  parse_console->add_option("log", console_log, "console log file, - for stdin")
      ->required();
  parse_console->add_flag("--json", console_json,
                          "print a JSON object whose findings are shaped like "
                          "report.json's");

  std::string preview_path;
  int preview_packets = 20;
  int64_t preview_seed = -1;
  double preview_pps = 1000;
  std::string preview_pcap;
  auto* preview = app.add_subcommand(
      "link-preview",
      "print the link decisions the scenario's seed makes for the first N "
      "frames of each direction, with no VM (same seed: identical output)");
  preview->add_option("scenario", preview_path, "scenario file")->required();
  preview
      ->add_option("--packets", preview_packets,
                   "frames per direction (default 20)")
      ->check(CLI::Range(1, 10000000));
  preview->add_option("--seed", preview_seed, "override the scenario's seed")
      ->check(CLI::Range(int64_t{0}, INT64_MAX));
  preview->add_option(
      "--pcap", preview_pcap,
      "also write the frames offered to the link to this pcap file");
  preview
      ->add_option(
          "--pps", preview_pps,
          "synthetic NFS frames per second per direction (default 1000)")
      ->check(CLI::Range(1.0, 1e7));

  std::string bench_relay_path =
      std::string(SWAPBENCH_SOURCE_DIR) + "/scenarios/smoke.toml";
  std::string bench_relay_kernel, bench_relay_out;
  int bench_relay_repeat = 1;
  auto* bench_relay = app.add_subcommand(
      "bench-relay",
      "benchmark: run a scenario through the relay (0 % loss) and through a "
      "direct TAP (no relay; with and without offloads); print swap-out MiB/s "
      "and the ratios");
  bench_relay->add_option(
      "scenario", bench_relay_path,
      "scenario without impairments (default scenarios/smoke.toml)");
  bench_relay->add_option("--kernel-package", bench_relay_kernel,
                          "Debian kernel package (default: the scenario's)");
  bench_relay
      ->add_option("--repeat", bench_relay_repeat,
                   "runs per mode, alternating (default 1)")
      ->check(CLI::Range(1, 100));
  bench_relay->add_option("--out", bench_relay_out,
                          "where the runs and bench-relay.json go "
                          "(default /tmp/swapbench-bench-relay)");
  bench_relay->add_option("--state", state_dir, "state directory");
  bench_relay->add_option("--cache", cache_dir,
                          "cache directory (kernels, images)");

  std::vector<std::string> check_paths;
  auto* check =
      app.add_subcommand("check", "validate scenario files; touches nothing");
  check->add_option("scenarios", check_paths, "scenario files")->required();

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

  if (parse_console->parsed()) {
    Result<std::string> text =
        ReadFile(console_log == "-" ? "/dev/stdin" : console_log);
    if (!text.ok())
      return ExitFor(
          Status::Usage(console_log + ": " + text.status().message()));
    ConsoleParser p;
    ParseConsoleText(*text, &p);
    if (console_json)
      printf("%s\n", ConsoleJson(console_log, p).dump(2).c_str());
    else
      printf("%s", ConsoleText(p).c_str());
    return p.findings().empty() ? 0 : 1;
  }

  if (bench_relay->parsed())
    return BenchRelay(bench_relay_path, bench_relay_kernel, bench_relay_repeat,
                      bench_relay_out, state_dir, cache_dir);

  if (preview->parsed()) {
    auto s = LoadScenario(preview_path);
    if (!s.ok()) return ExitFor(s.status());
    uint64_t seed =
        preview_seed >= 0 ? static_cast<uint64_t>(preview_seed) : s->seed;
    PcapWriter pcap;
    if (!preview_pcap.empty()) {
      std::string why;
      if (!pcap.Open(preview_pcap, 65535, &why))
        return ExitFor(Status::Usage("--pcap: " + why));
    }
    std::string text = LinkPreview(*s, seed, preview_packets, preview_pps,
                                   preview_pcap.empty() ? nullptr : &pcap);
    fwrite(text.data(), 1, text.size(), stdout);
    return 0;
  }

  if (check->parsed()) {
    int rc = 0;
    for (const auto& p : check_paths) {
      auto s = LoadScenario(p);
      if (!s.ok()) {
        fprintf(stderr, "%s\n", s.status().message().c_str());
        rc = 2;
      } else {
        printf("%s: ok (%s)\n", p.c_str(), s->name.c_str());
      }
    }
    return rc;
  }

  if (reap->parsed()) {
    if (geteuid() != 0) return ExitFor(Status::Harness("reap needs root"));
    auto lv = Libvirt::Open(state_dir + "/libvirt");
    if (!lv.ok()) return ExitFor(lv.status());
    auto lines =
        Reap(state_dir, [&](const std::string& d) { (*lv)->DestroyStale(d); });
    for (const auto& l : lines) printf("%s\n", l.c_str());
    printf("reaped %zu run(s)\n", lines.size());
    return 0;
  }

  if (merge->parsed()) {
    std::vector<nlohmann::json> all;
    for (const auto& d : merge_dirs) {
      auto set = LoadReportSet(d);
      if (!set.ok()) return ExitFor(set.status());
      for (auto& r : *set) all.push_back(std::move(r));
    }
    Status s = MakeDirs(merge_out);
    if (s.ok()) s = WriteSet(all, merge_out);
    if (!s.ok()) return ExitFor(s);
    auto cases = GroupCases(all);
    printf("merged %zu run(s) into %zu case(s): %s\n", all.size(), cases.size(),
           merge_out.c_str());
    return ExitForVerdict(SetVerdict(cases));
  }

  if (compare->parsed()) {
    auto b = LoadReportSet(base_dir);
    if (!b.ok()) return ExitFor(b.status());
    auto n = LoadReportSet(new_dir);
    if (!n.ok()) return ExitFor(n.status());
    auto only = [](std::vector<nlohmann::json>* set,
                   const std::string& release) {
      if (release.empty()) return;
      std::erase_if(*set, [&](const nlohmann::json& r) {
        return r.value("kernel", nlohmann::json::object())
                   .value("release", "") != release;
      });
    };
    only(&*b, base_kernel);
    only(&*n, new_kernel);
    if (b->empty() || n->empty())
      return ExitFor(Status::Usage("compare: no runs of the kernel asked for"));
    copt.threshold = threshold_pct / 100;
    nlohmann::json c = Compare(*b, *n, copt);
    c["base"] = base_dir;
    c["new"] = new_dir;
    std::string dir = compare_out.empty() ? new_dir : compare_out;
    Status s = MakeDirs(dir);
    if (s.ok()) s = WriteFile(dir + "/compare.json", c.dump(2) + "\n");
    if (s.ok()) s = WriteFile(dir + "/compare.html", CompareHtml(c));
    if (!s.ok()) return ExitFor(s);
    printf("%s", CompareText(c).c_str());
    printf("compare.json and compare.html in %s\n", dir.c_str());
    return c["verdict"] == "regression" ? 1 : 0;
  }

  // run: every scenario is validated before anything starts.
  std::vector<Scenario> scenarios;
  for (const auto& p : scenario_paths) {
    auto sc = LoadScenario(p);
    if (!sc.ok()) return ExitFor(sc.status());
    scenarios.push_back(std::move(*sc));
  }
  // The kernels: a bzImage, packages (A/B), or each scenario's own.
  std::vector<std::optional<KernelSpec>> kernels;
  if (!kernel.empty() || !modules.empty()) {
    if (kernel.empty() || modules.empty())
      return ExitFor(Status::Usage("--kernel and --modules go together"));
    if (!kernel_packages.empty())
      return ExitFor(
          Status::Usage("--kernel and --kernel-package exclude each other"));
    kernels.push_back(KernelSpec{"", kernel, modules, kernel_config});
  }
  for (const auto& p : kernel_packages)
    kernels.push_back(KernelSpec{p, "", "", ""});
  if (kernels.empty()) kernels.push_back(std::nullopt);
  int shard_k = 1, shard_n = 1;
  if (!shard.empty()) {
    char slash = 0;
    char tail = 0;
    if (sscanf(shard.c_str(), "%d%c%d%c", &shard_k, &slash, &shard_n, &tail) !=
            3 ||
        slash != '/' || shard_n < 1 || shard_k < 1 || shard_k > shard_n)
      return ExitFor(Status::Usage("--shard " + shard +
                                   ": expected K/N with 1 <= K <= N"));
  }

  // The matrix: kernels x scenarios x attempts, in that order; a shard
  // takes every N-th entry. Directory names do not depend on the shard,
  // so shards merge cleanly.
  struct Entry {
    const Scenario* sc;
    std::optional<KernelSpec> kernel;
    int attempt;
    std::string dir;  // relative to the base
  };
  std::vector<Entry> matrix;
  for (const auto& k : kernels)
    for (const Scenario& sc : scenarios)
      for (int a = 1; a <= repeat; ++a) {
        std::string name = sc.name;
        if (kernels.size() > 1)
          name += "." + (k->package.empty() ? "bzimage" : k->package);
        if (repeat > 1) name += ".a" + std::to_string(a);
        matrix.push_back({&sc, k, a, name});
      }
  const bool single = matrix.size() == 1;
  std::vector<Entry> todo;
  for (size_t i = 0; i < matrix.size(); ++i)
    if (static_cast<int>(i % shard_n) == shard_k - 1) todo.push_back(matrix[i]);

  if (geteuid() != 0)
    return ExitFor(Status::Harness(
        "run needs root (network namespaces, TAP, libvirt as root)"));
  if (out_dir.empty()) {
    char ts[32];
    time_t now = time(nullptr);
    strftime(ts, sizeof(ts), "%Y%m%d-%H%M%S", localtime(&now));
    std::string name = scenarios.size() == 1 ? scenarios[0].name : "batch";
    out_dir =
        std::string(SWAPBENCH_SOURCE_DIR) + "/reports/runs/" + name + "-" + ts;
  }
  const std::string base =
      std::filesystem::absolute(out_dir).lexically_normal().string();
  RunnerOptions o = BaseRunnerOptions(state_dir, cache_dir);
  o.seed = seed;
  StartSignalThread();
  // One embedded libvirt for every run of this invocation.
  auto lv = Libvirt::Open(state_dir + "/libvirt");
  if (!lv.ok()) return ExitFor(lv.status());
  o.libvirt = lv->get();
  Status s = MakeDirs(base);
  if (!s.ok()) return ExitFor(s);
  if (!single) {
    // A rerun into the same --out must not mix old attempts into the set.
    for (const auto& e : todo) {
      RemoveRunFiles(base + "/" + e.dir);
      RemoveRunFiles(base + "/" + e.dir + ".confirm");
    }
  }

  ProgressBoard board(isatty(STDERR_FILENO));
  std::mutex mu;  // reports, rc, stdout
  std::vector<Report> reports;
  int rc = 0;
  size_t next = 0;
  auto worker = [&] {
    for (;;) {
      Entry e;
      {
        std::lock_guard<std::mutex> l(mu);
        if (next >= todo.size() || g_cancel.load()) return;
        e = todo[next++];
      }
      for (int confirmation = 0; confirmation < 2; ++confirmation) {
        RunnerOptions ro = o;
        ro.kernel = e.kernel;
        ro.attempt = confirmation ? repeat + e.attempt : e.attempt;
        std::string label = e.dir + (confirmation ? ".confirm" : "");
        ro.out_dir = single && !confirmation ? base : base + "/" + label;
        if (single) RemoveRunFiles(ro.out_dir);
        if (!single || jobs > 1) ro.log_prefix = "[" + label + "] ";
        ro.progress = [&board, label](const Progress& p) {
          board.Update(label, p);
        };
        auto rep = RunScenario(*e.sc, ro);
        board.Done(label);
        std::lock_guard<std::mutex> l(mu);
        if (!rep.ok()) {
          rc = std::max(rc, ExitFor(rep.status()));
          break;
        }
        printf("%s", Summary(*rep).c_str());
        printf("verdict: %s\n", rep->verdict.c_str());
        fflush(stdout);
        bool failed = rep->verdict == "fail";
        reports.push_back(std::move(*rep));
        if (!confirm || !failed || confirmation || g_cancel.load()) break;
        fprintf(stderr, "%s failed: confirmation rerun\n", label.c_str());
      }
    }
  };
  std::vector<std::thread> threads;
  for (int j = 0; j < std::min<int>(jobs, todo.size()); ++j)
    threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  board.Clear();

  // The set: one case per (kernel, scenario, seed), attempts folded.
  std::vector<nlohmann::json> set;
  for (const Report& r : reports) set.push_back(ReportJson(r));
  if ((!single || set.size() > 1) && !set.empty()) {
    if (scenarios.size() > 1 && kernels.size() == 1 && repeat == 1)
      printf("\n%s", Comparison(reports).c_str());
    Status ws = WriteSet(set, base);
    if (!ws.ok()) rc = std::max(rc, ExitFor(ws));
    auto cases = GroupCases(set);
    for (const auto& c : cases)
      if (c.attempts > 1)
        printf("%s: %s, failed %d of %d\n", c.id.c_str(), c.verdict.c_str(),
               c.failed + c.errored, c.attempts);
    const std::string verdict = SetVerdict(cases);
    printf("set: %s (%zu run(s), %zu case(s)) in %s\n", verdict.c_str(),
           set.size(), cases.size(), base.c_str());
    rc = std::max(rc, ExitForVerdict(verdict));
  } else if (!set.empty()) {
    rc = std::max(rc, ExitForVerdict(reports[0].verdict));
  }
  if (g_cancel.load()) rc = 3;
  return rc;
}
