// Child processes: short commands run to completion (apt-get, depmod, ip,
// mkswap) and long-running servers spawned into the storage namespace.
//
// Every child gets its own process group, so a Ctrl-C at the terminal
// reaches swapbench alone and the servers are stopped by the teardown in
// order, not by the terminal. Commands run with a deadline: a hung tool
// is killed and reported, never waited on forever.
#ifndef SWAPBENCH_BENCH_PROCESS_H_
#define SWAPBENCH_BENCH_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "bench/status.h"

namespace swapbench {

struct CommandResult {
  int exit_code = -1;  // -1 when killed by a signal or timed out
  bool timed_out = false;
  std::string output;  // stdout and stderr, interleaved
};

// Runs argv[0] (searched in PATH) and waits at most timeout_s seconds.
// Fails only when the command cannot be started; a non-zero exit is data.
Result<CommandResult> RunCommand(const std::vector<std::string>& argv,
                                 int timeout_s = 120);

// Runs argv and returns a Harness error naming the command (with the tail
// of its output) unless it exits 0.
Status RunChecked(const std::vector<std::string>& argv, int timeout_s = 120);
// RunChecked's judgement of a command already run.
Status CheckCommand(const std::vector<std::string>& argv,
                    const Result<CommandResult>& r, int timeout_s);

struct SpawnOptions {
  std::string netns_path;    // setns(CLONE_NEWNET) into this, if set
  bool private_run = false;  // new mount namespace with a private tmpfs on /run
  pid_t join_mount_ns_of = 0;  // setns into this process's mount namespace
  std::string log_path;        // stdout+stderr appended here (else /dev/null)
};

// Starts a long-running process; returns its pid.
Result<pid_t> Spawn(const std::vector<std::string>& argv,
                    const SpawnOptions& opts);

// SIGCONT + SIGTERM, waits up to grace_ms, then SIGKILL; reaps the child.
// After SetHurry(), straight to SIGKILL.
void Terminate(pid_t pid, int grace_ms);

// From now on Terminate skips the grace period (a second SIGINT or SIGTERM:
// the user wants out now; teardown still completes). Thread-safe.
void SetHurry(bool on = true);

// True while the child runs (reaps it if it has exited, storing its status).
bool ChildAlive(pid_t pid, int* status = nullptr);

// Last n lines of a file, for error messages.
std::string TailFile(const std::string& path, int n);

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_PROCESS_H_
