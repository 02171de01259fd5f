// Testbed: everything one run stands up, owned here and torn down in
// reverse order of creation — the run record (for the reaper), the scratch
// directory, the network namespace, the network path (relay or direct TAP),
// the storage server, the per-run initrd, the guest. Every exit path
// reaches TearDown(): the destructor calls it.
//
// The parts come from Parts, the run's seams: the real Env, Libvirt,
// MakeRelayPath and MakeStorage by default; bench/testing.h has fakes for
// every one, so the whole runner is tested without root.
//
// Threading: one run's thread. ApplyFault and the accessors are called by
// the monitor on that same thread.
#ifndef SWAPBENCH_BENCH_TESTBED_H_
#define SWAPBENCH_BENCH_TESTBED_H_

#include <functional>
#include <memory>
#include <string>

#include "bench/env.h"
#include "bench/guest_image.h"
#include "bench/netns.h"
#include "bench/network_path.h"
#include "bench/scenario.h"
#include "bench/state.h"
#include "bench/status.h"
#include "bench/storage.h"
#include "bench/vm.h"

namespace swapbench {

// The kernel under test and its cached initramfs.
struct Guest {
  Kernel kernel;
  GuestImage image;
};

// The seams a run is built on. Unset members get the real part.
struct Parts {
  Env* env = nullptr;                    // Env::Default()
  Hypervisor* hypervisor = nullptr;      // the runner opens Libvirt
  NetworkPathFactory make_network_path;  // MakeRelayPath
  std::function<std::unique_ptr<Storage>(const StorageParams&)>
      make_storage;  // MakeStorage
  // Fetches and checks the kernel, builds (or finds) the image; empty: the
  // real one from the runner's options (apt-get, the image cache).
  std::function<Result<Guest>(const KernelSpec&, const Scenario&)>
      prepare_guest;
};

// The guest agent's /etc/swapbench.conf for a run (pure; tested). `holds`
// false: no hold lines (a recorded run: its replay could not be released).
std::string AgentConf(const Scenario& sc, uint64_t seed, const Storage& storage,
                      bool holds = true);

class Testbed {
 public:
  struct Plan {
    const Scenario* scenario = nullptr;
    uint64_t seed = 0;
    const Guest* guest = nullptr;
    bool kvm = false;
    std::string out_dir;  // the report directory (logs, agent.conf, ...)
    bool record = false;  // QEMU record/replay into out_dir/record
  };

  // `id` names everything the run makes (sbPID[-N]); the record goes to
  // STATE/runs/ID.json.
  Testbed(const Parts& parts, const std::string& state_dir, std::string id,
          std::function<void(const std::string&)> log);
  ~Testbed() { TearDown(); }
  Testbed(const Testbed&) = delete;
  Testbed& operator=(const Testbed&) = delete;

  // Stands everything up, up to a started guest. On failure what was made
  // stays up until TearDown (its logs may explain the failure).
  [[nodiscard]] Status Up(const Plan& plan,
                          const std::function<bool()>& cancelled);

  // Begins or ends a server fault (a restart has no end).
  [[nodiscard]] Status ApplyFault(const Scenario::Fault& f, bool begin);

  // Before teardown: the link's last word (trace and captures closed), and
  // the hypervisor's log copied to `dir`/qemu.log.
  RelaySnapshot StopLink();
  void SaveVmLog(const std::string& dir);

  void TearDown();

  // Host seconds each step took, in order: record, network, storage,
  // guest_start (Up); teardown.
  const std::vector<std::pair<std::string, double>>& timings() const {
    return timings_;
  }
  const RunRecord& record() const { return record_; }
  Vm* vm() { return vm_.get(); }
  // The guest as configured (empty before StartGuest).
  const VmConfig& vm_config() const { return vm_config_; }
  Storage* storage() { return storage_.get(); }
  NetworkPath* path() { return path_.get(); }

 private:
  Status Record();
  Status MakeNetwork(const Plan& plan);
  Status StartStorage(const Plan& plan);
  Status StartGuest(const Plan& plan, const std::function<bool()>& cancelled);

  Parts parts_;
  std::function<void(const std::string&)> log_;
  RunState state_;
  std::string state_dir_;
  RunRecord record_;
  bool recorded_ = false, scratch_made_ = false, torn_down_ = false;
  std::unique_ptr<Netns> netns_;
  std::unique_ptr<NetworkPath> path_;
  std::unique_ptr<Storage> storage_;
  std::unique_ptr<Vm> vm_;
  VmConfig vm_config_;
  std::vector<std::pair<std::string, double>> timings_;
};

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_TESTBED_H_
