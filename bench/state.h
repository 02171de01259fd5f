// State: what a run leaves in the state directory so that a swapbench
// killed with SIGKILL is cleaned up by the next one.
//
// Each run writes STATE/runs/ID.json (its domain, namespace, server pids,
// scratch dir) and holds an flock on STATE/runs/ID.lock while it lives.
// Reap() takes every lock nobody holds and tears down what its record
// names.
#ifndef SWAPBENCH_BENCH_STATE_H_
#define SWAPBENCH_BENCH_STATE_H_

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "bench/fs_util.h"
#include "bench/status.h"

namespace swapbench {

struct RunRecord {
  std::string id;
  std::string domain;
  std::string netns;
  std::string scratch;
  std::vector<pid_t> pids;
  // The relay-less baseline (bench-relay): a TAP made in the host namespace,
  // moved into the run's namespace once QEMU holds it.
  std::string host_tap;
  // link.endpoint "veth": the namespace holding the cable (bridge, veth).
  std::string cable_netns;
};

class RunState {
 public:
  RunState(std::string state_dir, std::string id);
  // Takes the lock and writes the record.
  Status Begin(const RunRecord& r);
  Status Update(const RunRecord& r);
  // Removes the record: everything it named is gone.
  void End();

 private:
  std::string dir_, id_;
  FileLock lock_;
};

// Tears down the leftovers of dead runs. `destroy_domain` is called for
// each recorded domain. Returns a line per reaped run (for the log).
std::vector<std::string> Reap(
    const std::string& state_dir,
    const std::function<void(const std::string&)>& destroy_domain);

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_STATE_H_
