// ProgressBoard: the live progress of running runs on stderr. On a terminal
// one line, redrawn in place, holds every running run (phase, elapsed,
// swap-out MiB/s, drops, findings so far); otherwise each run prints a
// plain timestamped line every 10 s, which CI logs keep readably.
// Thread-safe: parallel runs update it from their own threads.
#ifndef SWAPBENCH_BENCH_PROGRESS_H_
#define SWAPBENCH_BENCH_PROGRESS_H_

#include <map>
#include <mutex>
#include <string>

#include "bench/runner.h"

namespace swapbench {

class ProgressBoard {
 public:
  explicit ProgressBoard(bool tty) : tty_(tty) {}
  void Update(const std::string& label, const Progress& p);
  void Done(const std::string& label);
  // Erases the live line (terminal only).
  void Clear();
  // "smoke: hog 35s swap-out 6.1 MiB/s drops 0/0 findings 0" (pure).
  static std::string Line(const std::string& label, const Progress& p);

 private:
  void Redraw();
  std::mutex mu_;
  bool tty_;
  std::map<std::string, Progress> live_;
  std::map<std::string, double> printed_;  // elapsed at the last plain line
};

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_PROGRESS_H_
