// ConsoleParser: turns a kernel console log into findings and events.
//
// Classification is a table of rows (ConsoleRows()): each row has a literal
// that must occur in the line, a regex and a function that fills the
// finding from the match. One Aho-Corasick pass over each line finds which
// literals occur, so the regexes run only on the rare lines that can
// match; ordinary lines cost one table walk (bench: console_parser_benchmark).
//
// Beyond one line: a finding that a stack trace follows (hung task,
// lockups, allocation failure, oops, WARNING) collects the trace's top
// frames; a finding that repeats (the same allocation failure a hundred
// times) folds into the first with a count and the last line; an oops's
// own follow-up lines ("Oops: 0000 [#1]") fold into it. Lines are fed one
// at a time as the console grows, so the runner sees findings while the
// guest still runs. Not thread-safe.
#ifndef SWAPBENCH_BENCH_CONSOLE_PARSER_H_
#define SWAPBENCH_BENCH_CONSOLE_PARSER_H_

#include <bitset>
#include <cstdint>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "bench/finding.h"

namespace swapbench {

struct ConsoleRow {
  const char* kind;
  const char* literal;  // must occur in the line before the regex is tried
  std::regex re;
  // Fills title/victim/pid/key/details from the match.
  void (*fill)(const std::cmatch& m, Finding* f);
  bool trace = false;  // a stack trace follows: collect its top frames
};

// The table, in priority order (first matching row wins).
const std::vector<ConsoleRow>& ConsoleRows();

// Something the kernel reported that is not a failure by itself, such as an
// NFS server outage the client rode out or a dropped NBD connection. Events
// go on the report's timeline.
struct ConsoleEvent {
  std::string kind;     // nfs_not_responding, nfs_ok, nbd_error, ...
  std::string subject;  // the server or device
  double kernel_time = -1;
  long console_line = -1;
  std::string excerpt;
  double outage_s = -1;  // on nfs_ok: seconds since its not_responding
  // Repeats of the same event (one line per stuck RPC) fold into one entry.
  int count = 1;
  double last_kernel_time = -1;
  long last_console_line = -1;
};

// Finds which of up to 128 literals occur in a text, in one pass
// (Aho-Corasick compiled to a byte DFA).
class LiteralSet {
 public:
  static constexpr size_t kMax = 128;
  using Bits = std::bitset<kMax>;
  explicit LiteralSet(const std::vector<std::string>& literals);
  // Bit i set: literals[i] occurs in `text`.
  Bits Match(std::string_view text) const;

 private:
  static constexpr uint32_t kAccept = 0x8000;
  std::vector<uint16_t> next_;  // state * 256 + byte -> state
  std::vector<Bits> out_;       // state -> literals ending here
};

class ConsoleParser {
 public:
  ConsoleParser();
  // Feeds one console line (without the newline).
  void Feed(std::string_view line);
  // The log ended: an NFS server still not responding becomes a finding.
  void Finish();
  const std::vector<Finding>& findings() const { return findings_; }
  const std::vector<ConsoleEvent>& events() const { return events_; }
  long lines() const { return line_no_; }

 private:
  // One message (a line, or one of two a line carries).
  void Classify(std::string_view text, double t, std::string_view line);
  // A reboot: a finding, and what follows is the next boot's.
  void NewBoot(double t, std::string_view line, const char* title);
  void FlushPendingOom();
  void FeedTrace(std::string_view text);
  void EndTrace();
  bool FeedEvent(std::string_view text, double t, std::string_view line);
  void AddEvent(ConsoleEvent e);

  long line_no_ = 0;
  std::string pending_constraint_;
  bool banner_seen_ = false;
  long last_oops_line_ = -1000;
  // Trace collection for findings_[trace_for_].
  long trace_for_ = -1;
  int trace_budget_ = 0;
  bool in_trace_ = false;
  bool trace_softirq_ = false;
  std::vector<Finding> findings_;
  std::vector<ConsoleEvent> events_;
  std::string scratch_, scratch2_;  // cleaned copies (console_line.h)
  bool output_seen_ = false;        // a non-empty line so far
  int boot_ = 0;                    // reboots seen so far
  Finding pending_oom_;             // "invoked oom-killer", no kill yet
};

// Parses a stack frame line (" ? foo+0x1/0x2 [mod]"): the function name,
// or empty if the line is not a frame. `*unreliable` says it had a "?".
std::string_view FrameFunction(std::string_view text, bool* unreliable);

// A console event as the report's timeline and `parse-console --json` show it.
nlohmann::json EventJson(const ConsoleEvent& e);

// Feeds every line of `text` and finishes.
void ParseConsoleText(std::string_view text, ConsoleParser* p);

// `parse-console --json`: {"log", "lines", "findings": [...], "events": [...]}
// with findings shaped like report.json's.
nlohmann::json ConsoleJson(const std::string& log, const ConsoleParser& p);

// `parse-console`: one line per finding ("lines 519-536  alloc_failure  ...
// x3") with its excerpt indented, then the events.
std::string ConsoleText(const ConsoleParser& p);

// The expectation header of a golden log (bench/testdata/): one line per
// finding and event, stable across runs of the parser.
std::string GoldenHeader(const ConsoleParser& p);

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_CONSOLE_PARSER_H_
