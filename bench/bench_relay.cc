#include "bench/bench_relay.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "bench/campaign.h"
#include "bench/env.h"
#include "bench/formats.h"
#include "bench/fs_util.h"
#include "bench/network_path.h"
#include "bench/process.h"
#include "bench/raw_qemu.h"
#include "bench/report_reader.h"
#include "bench/text.h"

namespace swapbench {

namespace {

struct Mode {
  const char* name;
  NetworkPathFactory path;  // empty: the relay
};

// One run of `mode`; its line on stdout and its entry in bench-relay.json.
Result<Report> RunMode(const Scenario& sc, const BenchRelayOptions& o,
                       const std::string& base, const Mode& mode, int attempt,
                       nlohmann::json* runs) {
  RunnerOptions ro = o.runner;
  ro.parts.make_network_path = mode.path;
  ro.attempt = attempt;
  std::string label = std::string(mode.name) + ".a" + std::to_string(attempt);
  ro.out_dir = base + "/" + label;
  ro.log_prefix = "[" + label + "] ";
  RemoveRunFiles(ro.out_dir);
  auto rep = RunScenario(sc, ro);
  if (!rep.ok()) return rep;
  if (rep->runs.empty()) rep->runs.emplace_back();
  const RunReport& u = rep->runs[0];
  int64_t rx = u.guest_net.is_object()
                   ? u.guest_net.value("rx_packets", int64_t{-1})
                   : -1;
  printf(
      "%s: %s, swap-out %.2f MiB/s, swap-in %.2f MiB/s, guest rx %lld "
      "packets\n",
      label.c_str(), Name(rep->verdict), u.swapout_mib_per_s,
      u.swapin_mib_per_s, static_cast<long long>(rx));
  fflush(stdout);
  runs->push_back({{"mode", mode.name},
                   {"attempt", attempt},
                   {"verdict", Name(rep->verdict)},
                   {"swapout_mib_per_s", u.swapout_mib_per_s},
                   {"swapin_mib_per_s", u.swapin_mib_per_s},
                   {"guest_rx_packets", rx},
                   {"out_dir", ro.out_dir}});
  return rep;
}

std::string OutBase(const std::string& out, const char* fallback) {
  return std::filesystem::absolute(out.empty() ? fallback : out)
      .lexically_normal()
      .string();
}

double SecondsSince(double start) { return Env::Default()->Now() - start; }

struct Timed {
  std::string verdict;
  double wall_s = 0, hog_s = 0;
};

// The baseline: this process's runner on RawQemu and a direct TAP.
Result<Timed> RawRun(const BenchBaselineOptions& o, const std::string& dir,
                     int attempt) {
  static RawQemu raw;
  RunnerOptions ro = o.runner;
  ro.parts.hypervisor = &raw;
  ro.parts.make_network_path = DirectTapPath(true);
  ro.attempt = attempt;
  ro.out_dir = dir;
  ro.log_prefix = "[" + std::filesystem::path(dir).filename().string() + "] ";
  RemoveRunFiles(dir);
  const double start = Env::Default()->Now();
  auto rep = RunScenario(o.scenario, ro);
  if (!rep.ok()) return rep.status();
  Timed t{Name(rep->verdict), SecondsSince(start), 0};
  if (!rep->runs.empty()) t.hog_s = rep->runs[0].hog_seconds;
  return t;
}

// `swapbench run` as a user runs it: a child process, timed from fork to
// exit; the hog time from its report.json.
Result<Timed> SwapbenchRun(const BenchBaselineOptions& o,
                           const std::string& dir) {
  std::vector<std::string> argv = o.swapbench_run;
  argv.insert(argv.end(), {"--out", dir});
  RemoveRunFiles(dir);
  const double start = Env::Default()->Now();
  auto r = RunCommand(argv, 900);
  if (!r.ok()) return r.status();
  Timed t;
  t.wall_s = SecondsSince(start);
  (void)WriteFile(dir + ".log", r->output);
  auto text = ReadFile(dir + "/report.json");
  nlohmann::json j = text.ok() ? nlohmann::json::parse(*text, nullptr, false)
                               : nlohmann::json();
  if (!j.is_object())
    return Status::Harness("bench-baseline: swapbench run wrote no report (" +
                           dir + ".log):\n" + TailFile(dir + ".log", 8));
  t.verdict = Str(j, "verdict");
  const auto& m = FirstRun(j).value("metrics", nlohmann::json::object());
  t.hog_s = m.value("hog_seconds", 0.0);
  return t;
}

}  // namespace

Status BenchRelayFits(const Scenario& sc) {
  if (sc.link.config.impairments.empty() && sc.link.config.phases.empty() &&
      sc.link.floods.empty() && sc.link.engine == LinkEngine::kRelay)
    return Status::Ok();
  return Status::Usage(
      sc.path +
      ": bench-relay needs a scenario without impairments, phases or "
      "floods (the direct TAP cannot apply them), e.g. scenarios/smoke.toml");
}

int BenchRelay(const BenchRelayOptions& o) {
  const Scenario* sc = &o.scenario;
  const std::string& path = sc->path;
  const std::string base = OutBase(o.out_dir, "/tmp/swapbench-bench-relay");
  if (Status s = MakeDirs(base); !s.ok()) return ExitFor(s);
  const Mode modes[] = {{"relay", {}},
                        {"direct-tap", DirectTapPath(true)},
                        {"direct-tap-no-offload", DirectTapPath(false)}};
  constexpr int kModes = 3;
  std::vector<double> rates[kModes];
  nlohmann::json runs = nlohmann::json::array();
  int rc = 0;
  auto cancelled = [&] { return o.runner.cancel && o.runner.cancel->load(); };
  for (int a = 1; a <= o.repeat && !cancelled(); ++a) {
    for (int m = 0; m < kModes && !cancelled(); ++m) {
      auto rep = RunMode(*sc, o, base, modes[m], a, &runs);
      if (!rep.ok()) return ExitFor(rep.status());
      if (rep->verdict == Verdict::kPass)
        rates[m].push_back(rep->runs[0].swapout_mib_per_s);
      else
        rc = std::max(rc, ExitForVerdict(Name(rep->verdict)));
    }
  }
  if (cancelled()) return 3;
  for (int m = 0; m < kModes; ++m)
    if (rates[m].empty()) {
      fprintf(stderr, "swapbench: bench-relay: no passing %s run\n",
              modes[m].name);
      return std::max(rc, 1);
    }
  double relay = Median(rates[0]), direct = Median(rates[1]),
         plain = Median(rates[2]);
  printf(
      "swap-out median: relay %.2f, direct TAP %.2f, direct TAP without "
      "offloads %.2f MiB/s\n",
      relay, direct, plain);
  printf("relay/direct %.3f (relay cost %+.1f %%; target <= 5 %%)\n",
         relay / direct, (1 - relay / direct) * 100);
  printf(
      "relay/direct-without-offloads %.3f (what keeping offloads is worth)\n",
      relay / plain);
  nlohmann::json j = {{"schema", "swapbench.bench-relay/1"},
                      {"scenario", path},
                      {"relay_swapout_mib_per_s", relay},
                      {"direct_swapout_mib_per_s", direct},
                      {"direct_no_offload_swapout_mib_per_s", plain},
                      {"ratio", relay / direct},
                      {"relay_cost_pct", (1 - relay / direct) * 100},
                      {"ratio_no_offload", relay / plain},
                      {"runs", runs}};
  if (Status s = WriteFile(base + "/bench-relay.json", DumpJson(j) + "\n");
      !s.ok())
    return ExitFor(s);
  printf("written: %s/bench-relay.json\n", base.c_str());
  return rc;
}

}  // namespace swapbench

namespace swapbench {

int BenchBaseline(const BenchBaselineOptions& o) {
  const std::string base = OutBase(o.out_dir, "/tmp/swapbench-bench-baseline");
  if (Status s = MakeDirs(base); !s.ok()) return ExitFor(s);
  std::vector<double> wall[2], hog[2];  // 0: raw, 1: swapbench
  nlohmann::json runs = nlohmann::json::array();
  auto cancelled = [&] { return o.runner.cancel && o.runner.cancel->load(); };
  for (int a = 1; a <= o.repeat && !cancelled(); ++a) {
    for (int side = 0; side < 2 && !cancelled(); ++side) {
      const char* name = side == 0 ? "raw-qemu" : "swapbench";
      const std::string dir = base + "/" + name + ".a" + std::to_string(a);
      auto t = side == 0 ? RawRun(o, dir, a) : SwapbenchRun(o, dir);
      if (!t.ok()) return ExitFor(t.status());
      printf("%s.a%d: %s, wall %.1f s, hog %.1f s\n", name, a,
             t->verdict.c_str(), t->wall_s, t->hog_s);
      fflush(stdout);
      runs.push_back({{"mode", name},
                      {"attempt", a},
                      {"verdict", t->verdict},
                      {"wall_s", t->wall_s},
                      {"hog_s", t->hog_s},
                      {"out_dir", dir}});
      if (t->verdict != "pass") continue;
      wall[side].push_back(t->wall_s);
      hog[side].push_back(t->hog_s);
    }
  }
  if (cancelled()) return 3;
  if (wall[0].empty() || wall[1].empty()) {
    fprintf(stderr, "swapbench: bench-baseline: no passing %s run\n",
            wall[0].empty() ? "raw-qemu" : "swapbench");
    return 1;
  }
  const double wr = Median(wall[1]) / Median(wall[0]),
               hr = Median(hog[1]) / Median(hog[0]);
  printf(
      "wall median: swapbench %.1f s, raw QEMU %.1f s: %.2fx (target <= "
      "1.10x)\n",
      Median(wall[1]), Median(wall[0]), wr);
  printf("hog median: swapbench %.1f s, raw QEMU %.1f s: %.2fx\n",
         Median(hog[1]), Median(hog[0]), hr);
  nlohmann::json j = {{"schema", "swapbench.bench-baseline/1"},
                      {"scenario", o.scenario.path},
                      {"swapbench_wall_s", Median(wall[1])},
                      {"raw_wall_s", Median(wall[0])},
                      {"wall_ratio", wr},
                      {"swapbench_hog_s", Median(hog[1])},
                      {"raw_hog_s", Median(hog[0])},
                      {"hog_ratio", hr},
                      {"runs", runs}};
  if (Status s = WriteFile(base + "/bench-baseline.json", DumpJson(j) + "\n");
      !s.ok())
    return ExitFor(s);
  printf("written: %s/bench-baseline.json\n", base.c_str());
  return 0;
}

}  // namespace swapbench
