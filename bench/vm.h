// Vm: the guest under test, as the runner sees it. Abstract so the runner
// can be tested with a fake; LibvirtVm is the real one.
//
// Threading: Start/Destroy from the runner's thread; Running() may be
// called from any thread.
#ifndef SWAPBENCH_BENCH_VM_H_
#define SWAPBENCH_BENCH_VM_H_

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>

#include "bench/status.h"

namespace swapbench {

struct VmConfig {
  std::string name;  // domain name, unique per run
  int memory_mib = 256;
  int cpus = 1;
  std::string kernel;  // bzImage path
  std::string initrd;  // per-run initrd
  std::string cmdline;
  std::string console_log;    // serial console is written here
  std::string telemetry_log;  // the agent's virtio-serial port is written here
  uint16_t relay_port = 0;    // the relay's UDP port on 127.0.0.1
  uint16_t guest_port = 0;    // QEMU's UDP port on 127.0.0.1
  // Non-empty: a TAP in the host namespace instead of the UDP pair (the
  // relay-less baseline of bench-relay).
  std::string tap;
  bool tap_offloads = true;  // false: csum/TSO/GSO off on host and guest side
  std::string mac = "52:54:00:5b:00:02";
  // The NIC QEMU emulates, as libvirt names the model (NicModel::libvirt):
  // "virtio", "e1000", "i82559er", ...
  std::string nic = "virtio";
  int queues = 1;  // virtio-net queue pairs
  // Non-empty: no emulated NIC; this PCI device (a real NIC) is passed
  // through with VFIO instead.
  std::string hostdev_pci;
  bool kvm = false;
  std::string uuid;  // "" lets libvirt choose (record/replay need the same)
  // The agent's control port (holds; protocol.h kControlPort).
  bool control_port = true;
  // QEMU record/replay (bench/record.h), TCG only: the execution log to
  // write or to replay; a replay's NIC is a user netdev going nowhere.
  std::string record_file, replay_file;
  std::string rr_drive;       // empty qcow2 holding the replay's snapshots
  int gdb_port = 0;           // replay: QEMU's gdbstub on 127.0.0.1:PORT
  bool start_paused = false;  // the vCPU waits (for gdb's continue)
};

// The libvirt domain XML for `c` (pure; tested).
std::string DomainXml(const VmConfig& c);
// The pty libvirt gave the control port, from the running domain's XML;
// "" if there is none.
std::string ControlPty(const std::string& live_xml);
// The control port's pty opened raw (the release byte passes unchanged);
// -1 if it cannot be. Then Release's write: one kRelease byte.
int OpenControlPty(const std::string& path);
Status WriteRelease(int control_fd);

class Vm {
 public:
  virtual ~Vm() = default;
  [[nodiscard]] virtual Status Start() = 0;
  // False once the guest has stopped (powered off, crashed, destroyed).
  virtual bool Running() = 0;
  // Why it stopped: "shutdown", "crashed", "destroyed", "" while running.
  virtual std::string StopReason() = 0;
  // Hard stop; safe to call twice and on a stopped guest.
  virtual void Destroy() = 0;
  // Sends a QEMU monitor (HMP) command, e.g. "sendkey alt-sysrq-w".
  virtual Status MonitorCommand(const std::string& hmp, std::string* reply) = 0;
  // Lets the agent's workloads go on from a hold (protocol.h conf::kHold):
  // one kRelease byte on the control port.
  virtual Status Release() = 0;
  // A guest that is this process's child (RawQemu): its pid, which the run
  // record keeps for the reaper; 0 for libvirt's.
  virtual pid_t pid() const { return 0; }
  // The hypervisor's log for this guest (QEMU's command line and stderr);
  // empty if there is none.
  virtual std::string qemu_log() const = 0;
};

// Hypervisor: makes guests. One per process, shared by parallel runs;
// Libvirt (libvirt_vm.h) is the real one.
class Hypervisor {
 public:
  virtual ~Hypervisor() = default;
  // A guest for `c`, not yet started.
  virtual std::unique_ptr<Vm> MakeVm(const VmConfig& c) = 0;
  // Destroys a guest a killed run left, if it still exists.
  virtual void DestroyStale(const std::string& name) = 0;
  // Whether guests get KVM, and why (report.json accel_reason).
  virtual bool UseKvm(std::string* reason) = 0;
};

// Chooses TCG or KVM. KVM only when it really works: a PVM host's
// /dev/kvm (module kvm_pvm) hangs stock kernels after "Probing EDD"
// (measured on this project's machines).
bool UseKvm(std::string* reason);

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_VM_H_
