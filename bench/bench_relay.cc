#include "bench/bench_relay.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "bench/campaign.h"
#include "bench/formats.h"
#include "bench/fs_util.h"
#include "bench/network_path.h"
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
  const std::string base =
      std::filesystem::absolute(o.out_dir.empty() ? "/tmp/swapbench-bench-relay"
                                                  : o.out_dir)
          .lexically_normal()
          .string();
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
  if (Status s = WriteFile(base + "/bench-relay.json", DumpJson(j) + "\n");
      !s.ok())
    return ExitFor(s);
  printf("written: %s/bench-relay.json\n", base.c_str());
  return rc;
}

}  // namespace swapbench
