// libFuzzer target: any bytes as a kernel console. The parser, its JSON and
// its text must never crash (stray bytes, huge lines, broken traces).
// Seeds: bench/testdata/*.log. See README "Fuzzing".
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "bench/console_parser.h"
#include "bench/text.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  swapbench::ConsoleParser p;
  swapbench::LineSplitter lines(4096);
  auto feed = [&](std::string_view l) { p.Feed(l); };
  lines.Feed(std::string_view(reinterpret_cast<const char*>(data), size), feed);
  lines.Flush(feed);
  p.Finish();
  (void)swapbench::DumpJson(swapbench::ConsoleJson("fuzz.log", p));
  (void)swapbench::ConsoleText(p);
  return 0;
}
