// Console parser throughput (target: >= 200 MB/s on one core).
//   build/bench/console_parser_benchmark
// Input: every golden log of bench/testdata (real consoles: boot, swap,
// OOM reports, SysRq dumps, allocation failures) repeated to 32 MiB.
#include <benchmark/benchmark.h>

#include <filesystem>

#include "bench/console_parser.h"
#include "bench/fs_util.h"

namespace {

std::string Corpus() {
  std::string one;
  for (const auto& e : std::filesystem::directory_iterator(
           std::string(SWAPBENCH_SOURCE_DIR) + "/bench/testdata")) {
    if (e.path().extension() != ".log") continue;
    auto text = swapbench::ReadFile(e.path().string());
    if (!text.ok()) continue;
    size_t blank = text->find("\n\n");
    one += blank == std::string::npos ? *text : text->substr(blank + 2);
  }
  std::string all;
  while (!one.empty() && all.size() < (32u << 20)) all += one;
  return all;
}

void BM_ParseConsole(benchmark::State& state) {
  static const std::string corpus = Corpus();
  if (corpus.empty()) {
    state.SkipWithError("no golden logs under bench/testdata");
    return;
  }
  size_t findings = 0;
  for (auto _ : state) {
    swapbench::ConsoleParser p;
    swapbench::ParseConsoleText(corpus, &p);
    findings = p.findings().size();
    benchmark::DoNotOptimize(findings);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(corpus.size()));
  state.counters["findings"] = static_cast<double>(findings);
}
BENCHMARK(BM_ParseConsole)->Unit(benchmark::kMillisecond);

// Lines without any literal of the table: the common case, the floor.
void BM_LiteralScan(benchmark::State& state) {
  std::string line =
      "[   12.345678] virtio_net virtio0 enp0s3: renamed from eth0 and some "
      "more text";
  std::string text;
  while (text.size() < (8u << 20)) text += line + "\n";
  for (auto _ : state) {
    swapbench::ConsoleParser p;
    swapbench::ParseConsoleText(text, &p);
    benchmark::DoNotOptimize(p.lines());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_LiteralScan)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
