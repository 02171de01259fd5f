// libFuzzer target: any bytes as the agent's telemetry (a torn or hostile
// line must be garbage, never a crash), then the verdict's use of it.
// Seeds: telemetry.jsonl of real runs (bench/testdata/telemetry/).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "bench/telemetry.h"
#include "bench/text.h"
#include "bench/verdict.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  swapbench::Telemetry t;
  swapbench::LineSplitter lines(4096);
  auto feed = [&](std::string_view l) { t.Feed(std::string(l)); };
  lines.Feed(std::string_view(reinterpret_cast<const char*>(data), size), feed);
  lines.Flush(feed);
  swapbench::RunReport run;
  swapbench::Summarize(t, &run);
  swapbench::CrossCheckOom(t, &run);
  return 0;
}
