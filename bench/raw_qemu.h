// RawQemu: guests as plain qemu-system-x86_64 processes, no libvirt — the
// yardstick bench-relay measures swapbench against ("a run within 10 % of
// raw QEMU"). The same kernel, initrd, command line, memory, console file,
// agent ports and NIC model as DomainXml describes, on the direct TAP
// (DirectTapPath) QEMU opens by name.
//
// Only what the baseline needs: no record/replay, no passed-through NIC, no
// KVM (this project's hosts have none that works). MonitorCommand speaks
// HMP over a unix socket in the run directory.
//
// Threading: as vm.h (the runner's thread; Running() from any).
#ifndef SWAPBENCH_BENCH_RAW_QEMU_H_
#define SWAPBENCH_BENCH_RAW_QEMU_H_

#include <sys/types.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "bench/vm.h"

namespace swapbench {

// qemu-system-x86_64's argv for `c`; `monitor` is the HMP socket's path
// (pure; tested).
std::vector<std::string> RawQemuArgv(const VmConfig& c,
                                     const std::string& monitor);

// The pty QEMU names on stderr for the chardev labelled `label`:
// "char device redirected to /dev/pts/3 (label sbctl)"; "" if none.
std::string PtyFromQemuLog(const std::string& log, const std::string& label);

class RawQemu : public Hypervisor {
 public:
  std::unique_ptr<Vm> MakeVm(const VmConfig& c) override;
  // A raw guest is a child of the run that made it: the reaper kills it by
  // its recorded pid (state.cc), so there is nothing to find by name.
  void DestroyStale(const std::string&) override {}
  bool UseKvm(std::string* reason) override;
};

class RawQemuVm : public Vm {
 public:
  explicit RawQemuVm(VmConfig c);
  ~RawQemuVm() override;
  Status Start() override;
  bool Running() override;
  std::string StopReason() override;
  void Destroy() override;
  Status MonitorCommand(const std::string& hmp, std::string* reply) override;
  Status Release() override;
  std::string qemu_log() const override { return log_; }
  pid_t pid() const override { return pid_; }

 private:
  VmConfig c_;
  std::string log_, monitor_;
  pid_t pid_ = 0;
  int control_fd_ = -1;
  std::atomic<bool> stopped_{false};
  std::string reason_;
};

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_RAW_QEMU_H_
