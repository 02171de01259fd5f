// The impairment chain's speed, no sockets: frames through loss + delay +
// rate and out again. Target (issue 3): >= 1 Mpps on one core.
//   build/netem/link_benchmark
#include <benchmark/benchmark.h>

#include "netem/testing.h"

namespace swapbench {
namespace {
using namespace testing;

LinkConfig Chain(bool with_filter) {
  LinkConfig c;
  c.seed = 1;
  auto loss = Imp("loss");
  loss.p = 0.01;
  auto delay = Imp("delay");
  delay.delay_ms = 2;
  delay.jitter_ms = 1;
  delay.distribution = "normal";
  auto rate = Imp("rate");
  rate.rate_kbit = 10e6;  // 10 Gbit/s: the queue never fills
  rate.limit_bytes = 1 << 24;
  if (with_filter) {
    loss.filter.protocol = "tcp";
    loss.filter.port = 2049;
  }
  c.impairments = {loss, delay, rate};
  return c;
}

void Run(benchmark::State& state, const LinkConfig& c) {
  Link link(c);
  auto f = NfsFrame(1514);
  int64_t now = 0;
  const uint8_t* d;
  size_t n;
  uint64_t out = 0;
  for (auto _ : state) {
    now += 1000;  // 1 Mpps offered
    link.Offer(Direction::kToServer, f.data(), f.size(), now);
    while (link.PopDue(Direction::kToServer, now, &d, &n)) ++out;
  }
  benchmark::DoNotOptimize(out);
  state.SetItemsProcessed(state.iterations());
  state.counters["Mpps"] =
      benchmark::Counter(static_cast<double>(state.iterations()) / 1e6,
                         benchmark::Counter::kIsRate);
}

void BM_LossDelayRate(benchmark::State& s) { Run(s, Chain(false)); }
void BM_LossDelayRateFiltered(benchmark::State& s) { Run(s, Chain(true)); }
void BM_Idle(benchmark::State& s) { Run(s, LinkConfig{}); }
BENCHMARK(BM_LossDelayRate);
BENCHMARK(BM_LossDelayRateFiltered);
BENCHMARK(BM_Idle);

}  // namespace
}  // namespace swapbench

BENCHMARK_MAIN();
