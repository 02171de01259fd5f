#include "bench/env.h"

#include <time.h>

#include <chrono>
#include <thread>

#include "netem/clock.h"

namespace swapbench {

namespace {

class RealEnv : public Env {
 public:
  double Now() override { return MonotonicSeconds(); }
  double WallTime() override { return WallNs() / 1e9; }
  void Sleep(double seconds) override {
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  }
  Result<CommandResult> Run(const std::vector<std::string>& argv,
                            int timeout_s) override {
    return RunCommand(argv, timeout_s);
  }
};

}  // namespace

Status Env::RunChecked(const std::vector<std::string>& argv, int timeout_s) {
  return CheckCommand(argv, Run(argv, timeout_s), timeout_s);
}

Env* Env::Default() {
  static RealEnv env;
  return &env;
}

std::string IsoUtc(double wall) {
  time_t t = static_cast<time_t>(wall);
  tm utc;
  gmtime_r(&t, &utc);
  char ts[32];
  strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return ts;
}

}  // namespace swapbench
