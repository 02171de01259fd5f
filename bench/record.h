// Record and replay (QEMU's record/replay, TCG only): `run --record` makes
// QEMU write every non-deterministic input of the guest — the NIC's frames
// (a filter-replay on its netdev), clocks, interrupts — to RUN/record/
// replay.bin under an instruction counter (-icount shift=auto); the
// per-run initrd is copied there and the kernel named by path and sha256
// (vm.json). `swapbench replay
// RUN` re-executes that log with no relay, no storage server and no
// namespace — the NIC is a user netdev going nowhere — and compares the
// console it produces with the recorded console.log byte for byte.
//
// This module owns the recording's files and the replay's configuration
// and verdict; the domain XML is libvirt_vm.cc's. Pure except for the
// files it names; thread-compatible.
#ifndef SWAPBENCH_BENCH_RECORD_H_
#define SWAPBENCH_BENCH_RECORD_H_

#include <atomic>
#include <string>

#include "bench/env.h"
#include "bench/status.h"
#include "bench/vm.h"

namespace swapbench {

enum class RecordMode { kOff, kAll, kFailures };
// "" -> kOff, "all" -> kAll, "failures" -> kFailures; else a Usage error.
Result<RecordMode> ParseRecordMode(const std::string& s);

// A stable UUID for a domain name (record and replay must use the same).
std::string UuidFor(const std::string& name);

// Makes RUN/record (the per-run initrd copied, which the guest then boots
// from) and points `vc` at it. KVM and
// a passed-through NIC cannot be recorded: a Usage error says so.
[[nodiscard]] Status PrepareRecording(const std::string& out_dir, VmConfig* vc);
// After the guest stopped: vm.json written (what replay needs, the kernel
// by sha256, the recording's cost). `wall_s`: host seconds the guest ran.
[[nodiscard]] Status SaveRecording(const VmConfig& vc,
                                   const std::string& out_dir, double wall_s);
// --record=failures and the run passed: the recording goes.
void DropRecording(const std::string& out_dir);

struct ReplaySetup {
  VmConfig vm;
  double recorded_wall_s = 0;
};
// The replay of RUN's recording, writing into RUN/replay (made; with gdb,
// an empty qcow2 for reverse execution's snapshots); the
// kernel must still hash to what was recorded.
Result<ReplaySetup> ReplayConfig(Env* env, const std::string& run_dir,
                                 int gdb_port);

struct ConsoleMatch {
  size_t recorded_lines = 0, replayed_lines = 0;
  size_t identical_lines = 0;      // leading lines equal in both
  bool identical = false;          // byte for byte, all of it
  std::string recorded, replayed;  // the first differing line of each
};
ConsoleMatch CompareConsoles(const std::string& recorded,
                             const std::string& replayed);
// The text up to and including the first line containing `needle`
// (npos-safe: "" when there is none).
std::string UpToLineWith(const std::string& text, const std::string& needle);

struct ReplayOptions {
  std::string run_dir;
  int gdb_port = 0;        // > 0: the gdbstub, the guest paused until gdb
  double timeout_s = 900;  // without gdb: give up after this long
  // Stop once the replayed console has a line containing this (the point
  // the run failed, say) and judge the consoles up to that line.
  std::string until;
  std::string state_dir;  // run records (the domain is reaped if killed)
  std::atomic<int>* cancel = nullptr;
};
// `swapbench replay`: replays RUN's recording on `hv` and compares the
// consoles. Exit 0 identical, 1 they differ, 3 the replay did not finish
// (how far it got is printed), 2 no usable recording.
int Replay(const ReplayOptions& o, Hypervisor* hv, Env* env);

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_RECORD_H_
