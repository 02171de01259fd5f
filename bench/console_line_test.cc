#include "bench/console_line.h"

#include <gtest/gtest.h>

namespace swapbench {
namespace {

struct Case {
  const char* raw;
  const char* text;
  double time;
};

TEST(ConsoleLineTest, EveryPrefixFormGoes) {
  const Case cases[] = {
      {"[   12.345678] BUG: x", "BUG: x", 12.345678},
      {"[   12.345678][ T1234] BUG: x", "BUG: x", 12.345678},
      {"[  584.319520][   T31] INFO: task udevd:5612 blocked",
       "INFO: task udevd:5612 blocked", 584.31952},
      {"[   12.300000][    C1] BUG: x", "BUG: x", 12.3},
      {"[    1.000000] [T1] BUG: x", "BUG: x", 1.0},
      {"<4>[   12.345678] WARNING: CPU: 0 PID: 1 at x",
       "WARNING: CPU: 0 PID: 1 at x", 12.345678},
      {"<4>Kernel panic - not syncing: x", "Kernel panic - not syncing: x", -1},
      {"Nov 30 15:04:18 host kernel: BUG: x", "BUG: x", -1},
      {"Nov 30 15:04:18 host kernel: [   12.345678] BUG: x", "BUG: x",
       12.345678},
      {"2026-11-30T15:04:18.123456+00:00 host kernel: BUG: x", "BUG: x", -1},
      {"[Mon Nov 30 15:04:18 2026] BUG: x", "BUG: x", -1},
      {"syzkaller login: [   12.345678] BUG: x", "BUG: x", 12.345678},
      {"\x1b[0;31m[   12.345678] BUG: x\x1b[0m\r", "BUG: x", 12.345678},
      {"[x] y", "[x] y", -1},
      {"plain text", "plain text", -1},
      {"  foo+0x1/0x2", "  foo+0x1/0x2", -1},  // a frame keeps its indent
      {"[   12.345678]  foo+0x1/0x2", " foo+0x1/0x2", 12.345678},
  };
  std::string scratch;
  for (const Case& c : cases) {
    ConsoleLine l = Normalize(c.raw, &scratch);
    EXPECT_EQ(l.text, c.text) << c.raw;
    EXPECT_DOUBLE_EQ(l.time, c.time) << c.raw;
  }
  ConsoleLine nul =
      Normalize(std::string_view("[   1.5] B\0UG: x", 16), &scratch);
  EXPECT_EQ(nul.text, "BUG: x");
  EXPECT_DOUBLE_EQ(nul.time, 1.5);
}

}  // namespace
}  // namespace swapbench
