// ConsoleParser: turns a guest's serial console into findings.
//
// Classification is a table of rows (console_rows.cc): each row has a
// literal that must occur in the line (cheap prefilter), a regex, and a
// function that fills the finding from the match. Lines are fed one at a
// time as the console grows, so the runner sees findings while the guest
// still runs. Not thread-safe.
#ifndef SWAPBENCH_BENCH_CONSOLE_PARSER_H_
#define SWAPBENCH_BENCH_CONSOLE_PARSER_H_

#include <regex>
#include <string>
#include <vector>

#include "bench/finding.h"

namespace swapbench {

struct ConsoleRow {
  const char* kind;
  const char* literal;  // must occur in the line before the regex is tried
  std::regex re;
  // Fills title/victim/pid from the match.
  void (*fill)(const std::smatch& m, Finding* f);
};

// The table, in priority order (first matching row wins).
const std::vector<ConsoleRow>& ConsoleRows();

class ConsoleParser {
 public:
  // Feeds one console line (without the newline).
  void Feed(const std::string& line);
  const std::vector<Finding>& findings() const { return findings_; }
  long lines() const { return line_no_; }

 private:
  long line_no_ = 0;
  std::string pending_constraint_;
  std::vector<Finding> findings_;
};

// Splits "[   12.345678] text" into 12.345678 and "text"; -1 without a stamp.
double SplitTimestamp(const std::string& line, std::string* text);

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_CONSOLE_PARSER_H_
