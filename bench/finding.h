// Finding: something the kernel under test did that fails a run (an OOM
// kill, a hang, a panic) or that the runner saw (deadline, agent silence).
// Findings are data for the report, never errors of the bench.
#ifndef SWAPBENCH_BENCH_FINDING_H_
#define SWAPBENCH_BENCH_FINDING_H_

#include <string>

namespace swapbench {

struct Finding {
  std::string
      kind;  // oom_kill, memcg_oom_kill, hung_task, ..., deadline, agent_silent
  std::string title;       // one line a human reads first
  std::string victim;      // process name, where there is one
  long pid = -1;           // victim pid, where there is one
  std::string constraint;  // OOM constraint (CONSTRAINT_MEMCG, CONSTRAINT_NONE)
  long console_line =
      -1;  // 1-based line of console.log; -1 when not from the console
  double kernel_time = -1;  // printk timestamp in seconds, when known
  std::string excerpt;      // the console line(s) it came from
};

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_FINDING_H_
