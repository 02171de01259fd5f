// Finding: something the kernel under test did that fails a run (an OOM
// kill, a hang, a panic) or that the runner saw (deadline, a swap stall,
// agent silence). Findings are data for the report, never errors of the
// bench: a harness fault is a Status, not a Finding.
#ifndef SWAPBENCH_BENCH_FINDING_H_
#define SWAPBENCH_BENCH_FINDING_H_

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

namespace swapbench {

struct Finding {
  std::string kind;        // one of FindingKinds()
  std::string title;       // one line a human reads first
  std::string victim;      // process name, where there is one
  long pid = -1;           // victim pid, where there is one
  std::string constraint;  // OOM constraint (CONSTRAINT_MEMCG, CONSTRAINT_NONE)
  // 1-based console.log lines: the first line of the first occurrence and
  // the last line of the last; -1 when not from the console.
  long console_line = -1;
  long last_console_line = -1;
  double kernel_time = -1;       // printk timestamp in seconds, when known
  double last_kernel_time = -1;  // of the last occurrence
  int count = 1;                 // occurrences folded into this finding
  std::string excerpt;  // the console line(s) it came from, top frames included
  std::vector<std::string> frames;  // top stack frames, innermost first
  // Kind-specific facts: GFP flags of an allocation failure, the evidence
  // of a swap stall, swap usage at an OOM kill.
  nlohmann::json details = nlohmann::json::object();
  // Where the same thing repeated: findings with equal keys fold into one.
  std::string key;
  // What the finding is, without addresses, pids or times, for comparing
  // two runs (compare's new_finding): "hung_task in rpc_wait_bit_killable",
  // "alloc_failure GFP_ATOMIC in try_fill_recv [virtio_net]". Empty: the
  // kind alone (the runner's findings).
  std::string signature;
  std::vector<std::string> modules;  // each frame's module, "" if built in
  // The NIC driver the stack names ("virtio_net", "e1000"; bench/nic.h),
  // "" if none: which driver failed, for NIC qualification.
  std::string driver;
};

// The signature of a console finding (pure): the kind; for an allocation
// failure its GFP mode; the innermost frame that is not a generic
// allocator, with its module, if there is a trace, else the title.
std::string Signature(const Finding& f);

// Every kind a finding can have (scenario `expect.findings` is checked
// against this list).
const std::set<std::string>& FindingKinds();

// The finding as report.json and `parse-console --json` print it.
nlohmann::json FindingJson(const Finding& f);

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_FINDING_H_
