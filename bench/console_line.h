// ConsoleLine: one console line reduced to what the kernel printed, before
// the console table sees it. Consoles reach the bench from many places, and
// each puts something in front of the message the table's rows match at
// line start:
//
//   [   12.345678] BUG: …                 printk time (the usual)
//   [   12.345678][ T1234] BUG: …         with CONFIG_PRINTK_CALLER (task)
//   [   12.345678][    C1] BUG: …         … or CPU
//   <4>[   12.345678] BUG: …              /dev/kmsg or console loglevel
//   Nov 30 15:04:18 host kernel: BUG: …    syslog, journalctl
//   2026-11-30T15:04:18.123+00:00 host kernel: …   journalctl -o short-iso
//   [Mon Nov 30 15:04:18 2026] BUG: …      dmesg -T
//   login: [   12.345678] BUG: …           serial noise before the time
//
// plus CR line ends, ANSI colour escapes and NULs. Normalize strips them
// all and returns the message and the printk time (-1 when the line has
// none). Pure, allocation-free unless the line carries escapes or NULs
// (then `scratch` holds the cleaned copy); hot path of the parser.
#ifndef SWAPBENCH_BENCH_CONSOLE_LINE_H_
#define SWAPBENCH_BENCH_CONSOLE_LINE_H_

#include <string>
#include <string_view>

namespace swapbench {

struct ConsoleLine {
  std::string_view text;  // the message
  double time = -1;       // printk seconds, -1 if none
};

ConsoleLine Normalize(std::string_view raw, std::string* scratch);

// Where a second message starts inside a normalised line ("… 34359738352
// bytes[   76.471107] BUG: …": two printks raced onto one line), or npos.
size_t EmbeddedTime(std::string_view text);

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_CONSOLE_LINE_H_
