// LibvirtVm: a transient domain on libvirt's embedded QEMU driver
// (qemu:///embed?root=STATE/libvirt/PID), so swapbench needs no libvirtd
// and any number of swapbench processes share a host.
//
// Libvirt owns one connection per process with a thread running the
// default event loop (lifecycle events arrive there). Its root is the
// process's own (libvirt_root.h); QEMU's capability cache is shared
// between roots (the first probe takes 3.5-7 s).
//
// QEMU, daemonized by libvirt, is re-parented to the nearest subreaper.
// When this process is one (main.cc: PR_SET_CHILD_SUBREAPER) each guest
// has a reaper thread that waits for its QEMU: libvirt ends a powered-off
// domain only once the process has vanished, and this machine's PID 1
// reaped the zombie 1.2-1.7 s late on every run (measured 2026-12-01).
#ifndef SWAPBENCH_BENCH_LIBVIRT_VM_H_
#define SWAPBENCH_BENCH_LIBVIRT_VM_H_

#include <libvirt/libvirt.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bench/libvirt_root.h"
#include "bench/vm.h"

namespace swapbench {

class Libvirt : public Hypervisor {
 public:
  ~Libvirt() override;
  // Opens the embedded driver in this process's own root under `base`
  // (STATE/libvirt; libvirt_root.h), reaping the roots of dead processes
  // (reaped() says what went), and writes its qemu.conf.
  static Result<std::unique_ptr<Libvirt>> Open(const std::string& base);
  const std::vector<std::string>& reaped() const { return reaped_; }
  virConnectPtr conn() const { return conn_; }
  const std::string& root() const { return root_; }
  std::unique_ptr<Vm> MakeVm(const VmConfig& c) override;
  void DestroyStale(const std::string& name) override;
  bool UseKvm(std::string* reason) override {
    return swapbench::UseKvm(reason);
  }

 private:
  Libvirt() = default;
  std::string root_;
  std::optional<LibvirtRoot> root_dir_;  // released after the connection
  std::vector<std::string> reaped_;
  virConnectPtr conn_ = nullptr;
  std::thread loop_;
  std::atomic<bool> stop_{false};
  int timer_ = -1;
};

class LibvirtVm : public Vm {
 public:
  LibvirtVm(Libvirt* lv, VmConfig c) : lv_(lv), c_(std::move(c)) {}
  ~LibvirtVm() override;
  Status Start() override;
  bool Running() override;
  std::string StopReason() override;
  void Destroy() override;
  Status MonitorCommand(const std::string& hmp, std::string* reply) override;
  Status Release() override;
  std::string qemu_log() const override;

 private:
  void OpenControl();
  void StartReaper();
  void StopReaper();
  static void OnLifecycle(virConnectPtr, virDomainPtr dom, int event,
                          int detail, void* opaque);
  Libvirt* lv_;
  VmConfig c_;
  virDomainPtr dom_ = nullptr;
  int callback_ = -1;
  int control_fd_ = -1;  // the control port's pty, open for the whole run
  std::atomic<bool> stopped_{false};
  std::mutex mu_;
  std::string reason_;
  std::thread reaper_;    // waits for QEMU's exit (see above)
  int reaper_stop_ = -1;  // eventfd: Destroy ends the wait
};

// libvirt's last error as text.
std::string LibvirtError();

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_LIBVIRT_VM_H_
