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

// Something the kernel reported that is not a failure by itself, such as
// an NFS server outage the client rode out. Events go on the timeline.
struct ConsoleEvent {
  std::string kind;     // nfs_not_responding, nfs_ok
  std::string subject;  // the server
  double kernel_time = -1;
  long console_line = -1;
  std::string excerpt;
  double outage_s = -1;  // on nfs_ok: seconds since its not_responding
  // Repeats of the same event (one line per stuck RPC) fold into one entry.
  int count = 1;
  double last_kernel_time = -1;
  long last_console_line = -1;
};

class ConsoleParser {
 public:
  // Feeds one console line (without the newline).
  void Feed(const std::string& line);
  const std::vector<Finding>& findings() const { return findings_; }
  const std::vector<ConsoleEvent>& events() const { return events_; }
  long lines() const { return line_no_; }

 private:
  long line_no_ = 0;
  std::string pending_constraint_;
  std::vector<Finding> findings_;
  std::vector<ConsoleEvent> events_;
  // Returns true if `text` was an event line.
  bool FeedEvent(const std::string& text, double t, const std::string& line);
};

// Splits "[   12.345678] text" into 12.345678 and "text"; -1 without a stamp.
double SplitTimestamp(const std::string& line, std::string* text);

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_CONSOLE_PARSER_H_
