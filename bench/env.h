// Env: the operating system as a run sees it — the clock, sleeping, and the
// short commands it runs (ip, tc). Abstract so that the whole runner can be
// tested without root and without sleeping: bench/testing.h has FakeEnv, a
// clock that moves only when the code under test sleeps.
//
// Threading: the real Env is thread-safe and shared by parallel runs.
#ifndef SWAPBENCH_BENCH_ENV_H_
#define SWAPBENCH_BENCH_ENV_H_

#include <string>
#include <vector>

#include "bench/process.h"
#include "bench/status.h"

namespace swapbench {

class Env {
 public:
  virtual ~Env() = default;
  // Seconds on CLOCK_MONOTONIC (the relay's clock too: netem/clock.h).
  virtual double Now() = 0;
  // Seconds since the Unix epoch, for dates a person reads.
  virtual double WallTime() = 0;
  virtual void Sleep(double seconds) = 0;
  // Runs a command to completion (process.h RunCommand).
  virtual Result<CommandResult> Run(const std::vector<std::string>& argv,
                                    int timeout_s) = 0;

  // Run, then a Harness error naming the command (with the tail of its
  // output) unless it exited 0.
  [[nodiscard]] Status RunChecked(const std::vector<std::string>& argv,
                                  int timeout_s = 120);

  // The real one: the process's clock and processes.
  static Env* Default();
};

// "2026-11-30T16:30:29Z" for `wall` seconds since the epoch.
std::string IsoUtc(double wall);

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_ENV_H_
