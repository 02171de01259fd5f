// libFuzzer target: any bytes as a scenario file. ParseScenario must return
// a scenario or a Usage error, never crash, hang or touch the machine.
// Seeds: scenarios/*.toml. See README "Fuzzing".
#include <cstddef>
#include <cstdint>
#include <string>

#include "bench/scenario.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto s = swapbench::ParseScenario(text, "fuzz.toml");
  if (!s.ok() && s.status().kind() != swapbench::Status::Kind::kUsage)
    __builtin_trap();  // bad input is the user's, never the harness's
  return 0;
}
