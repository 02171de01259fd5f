// Scenario: one TOML file describing a run, validated up front.
//
// Every error names file:line and what was expected ("smoke.toml:7:
// vm.memory_mib 64 out of range [128, 65536]"); unknown keys are errors,
// so a typo never silently falls back to a default. Parsing touches
// nothing on the machine. scenarios/README.md is the schema's manual.
#ifndef SWAPBENCH_BENCH_SCENARIO_H_
#define SWAPBENCH_BENCH_SCENARIO_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "bench/kernel.h"
#include "bench/status.h"
#include "netem/flood.h"
#include "netem/link.h"

namespace swapbench {

enum class StorageKind { kNfs, kNbd, kIscsi };
enum class FaultKind { kServerStall, kServerRestart, kServerSlow };
enum class LinkEngine { kRelay, kKernelNetem };

// The names scenario files and reports spell: "nfs", "server_stall", "relay".
const char* Name(StorageKind k);
const char* Name(FaultKind k);
const char* Name(LinkEngine e);

// link.endpoint when the scenario names none.
inline constexpr const char* kDefaultEndpoint = "tap";

struct Scenario {
  std::string path;
  std::string name;
  // Reproduction (report.json manifest): the sha256 of the file as read and
  // of this case's table after includes and [matrix] expansion (as TOML);
  // the [matrix] label ("storage=nbd,...", "" without one) and the model of
  // `run --nic` ("" unless given).
  std::string file_sha256, case_sha256, case_label, nic_override;
  std::string description;
  uint64_t seed = 1;
  KernelSpec kernel{"linux-image-6.1.0-54-amd64", "", "", "", ""};

  struct Vm {
    int memory_mib = 256;
    int cpus = 1;
    // Appended to the guest kernel's command line, e.g.
    // "sysctl.kernel.hung_task_timeout_secs=10".
    std::string cmdline;
    // The guest NIC QEMU emulates (bench/nic.h): "virtio", "e1000",
    // "e1000e", "rtl8139", "vmxnet3", "pcnet", "i82559", "tulip".
    std::string nic = "virtio";
    int mtu = 1500;  // the guest's and the server's MTU
    int queues = 1;  // virtio-net queue pairs (multiqueue)
    // [vm.hostdev]: a real PCI NIC passed through with VFIO instead of the
    // emulated one (pci "" : none). `driver` is the guest's module for it.
    struct Hostdev {
      std::string pci;  // "0000:03:00.0"
      std::string driver;
    } hostdev;
  } vm;

  struct Storage {
    StorageKind kind = StorageKind::kNfs;
    std::string version = "4.1";  // NFS protocol version: 3, 4.0, 4.1, 4.2
    int swapfile_mib = 256;
    std::string mount_options = "hard,timeo=600,retrans=2";
  } storage;

  // A memory cgroup under the guest's cgroup2 root ([[cgroup]], or the
  // shorthand [cgroup], which is one named "hog"). 0 (or -1 for swap_max):
  // the kernel's default, no limit.
  struct Cgroup {
    std::string name;
    std::string parent;  // another [[cgroup]]'s name; "": the root
    int memory_max_mib = 0;
    int memory_high_mib = 0;
    int memory_low_mib = 0;
    int memory_min_mib = 0;
    int swap_max_mib = -1;   // memory.swap.max; 0 is "no swap at all"
    bool oom_group = false;  // memory.oom.group: kill the whole cgroup
    int line = 0;
    // "/parent/name": where it sits under /sys/fs/cgroup (set by the parser).
    std::string path;
  };
  std::vector<Cgroup> cgroups;
  // The cgroup named `name`, or null.
  const Cgroup* FindCgroup(const std::string& name) const;

  enum class WorkloadKind { kHog, kWriter, kReader, kStressNg };
  // One [[workload]] (or the shorthand [workload] hog_mib: one hog named
  // "hog"). It runs in `cgroup` ("" : the root) from `start_at_s` seconds
  // after the workloads phase began, or once workload `after` has written
  // `after_mib` MiB (-1: once `after` has ended).
  struct Workload {
    std::string name;
    WorkloadKind kind = WorkloadKind::kHog;
    std::string cgroup;
    double start_at_s = 0;
    std::string after;
    int after_mib = -1;
    int mib = 128;  // hog: anonymous memory; writer, reader: the file
    // hog: the order pages are touched in; passes after the first read,
    // check and rewrite each page touched.
    std::string pattern = "sequential";  // sequential | random | zipf
    double zipf_s = 1.0;
    int passes = 1;   // hog: over its memory; reader: over its file
    int threads = 1;  // hog
    // writer: write(2) size, O_DIRECT, and when to fsync.
    int block_kib = 1024;
    bool direct = false;
    std::string fsync = "never";  // never | end | every_mib
    int fsync_every_mib = 0;
    std::vector<std::string> args;  // stress-ng's arguments
    int line = 0;
  };
  std::vector<Workload> workloads;
  bool Has(WorkloadKind k) const;

  // Guest knobs written before the workloads start: "vm.swappiness" ->
  // "100" under /proc/sys, "kernel/mm/lru_gen/enabled" -> "y" under /sys.
  struct Guest {
    std::map<std::string, std::string> sysctl;
    std::map<std::string, std::string> sysfs;
  } guest;

  // The link emulator: impairments and phases (its seed is the run's),
  // floods towards the guest, and what to record.
  struct LinkSpec {
    LinkEngine engine = LinkEngine::kRelay;
    // Where the relay meets the guest's frames: "tap" (the guest's TAP,
    // offloads kept, on a bridge with a veth pair the bench makes; the
    // relay reads the far end with AF_PACKET and virtio-net headers),
    // "veth" (the same with the guest's offloads off: wire frames), "udp"
    // (QEMU's UDP socket netdev: wire frames) or "host-interface"
    // (AF_PACKET on `host_interface`, the host port cabled to the NIC of
    // [vm.hostdev]).
    std::string endpoint = kDefaultEndpoint;
    std::string host_interface;
    LinkConfig config;  // seed unset: filled in per run
    std::vector<FloodConfig> floods;
  } link;
  struct Capture {
    bool trace = true;  // link-trace.tsv: one line per frame
    bool pcap = false;  // guest.pcap + server.pcap
    int snaplen = 256;
  } capture;

  struct Limits {
    int deadline_s = 300;      // whole run, boot to power-off
    int boot_timeout_s = 120;  // until the agent's first report
    int agent_silence_s = 30;  // no telemetry for this long: agent_silent
    int stall_s = 30;          // no swap progress for this long: swap_stall
  } limits;

  // A server-side fault on the run's timeline. It fires `at_s` seconds after
  // the hog started, or once the hog has written `after_hog_mib`.
  struct Fault {
    FaultKind kind = FaultKind::kServerStall;
    double at_s = -1;        // seconds after the hog started
    int after_hog_mib = -1;  // or: once the hog has written this much
    double duration_s = 0;   // stall / slow: how long
    int rate_kbit = 0;       // slow: server-to-guest rate
    int line = 0;            // where it was declared, for messages
  };
  std::vector<Fault> faults;

  struct Expect {
    uint64_t min_pswpout = 0;
    uint64_t min_dropped_to_guest = 0;
    uint64_t min_dropped_to_server = 0;
    bool all_pages_verified = true;
    std::vector<std::string> findings;  // kinds that must appear
    bool flaky_fails = false;  // a case that fails only sometimes is a failure
    // Every impairment and phase of the link did something (dropped,
    // delayed, ...) at least once: the scenario really exercised them.
    bool all_impairments_acted = false;
    uint64_t min_flood_frames = 0;  // frames the floods sent, all together
  } expect;

  // Where each key the file set was written ("storage.kind" -> 9, a table
  // such as "cgroup" -> its header line), for messages about it.
  std::map<std::string, int> lines;
  // "smoke.toml:9" for a key the file set, else "smoke.toml".
  std::string Where(const std::string& key) const {
    auto it = lines.find(key);
    return it == lines.end() ? path : path + ":" + std::to_string(it->second);
  }

  // The name as a directory name: a [matrix] case "base[seed=2,vm.nic=e1000]"
  // is "base.seed-2.vm.nic-e1000".
  std::string DirName() const;

  // "nfs4.1", "nfs3": the report's swap.type.
  std::string SwapType() const {
    return storage.kind == StorageKind::kNfs ? "nfs" + storage.version
                                             : Name(storage.kind);
  }
};

// "hog", "writer", "reader", "stress-ng": scenario files and reports.
const char* Name(Scenario::WorkloadKind k);

// A scenario file is text a person wrote: larger ones are refused.
inline constexpr size_t kMaxScenarioBytes = 1 << 20;

// Parses and validates a file of one case (includes are read relative to
// `path`); a [matrix] of several cases is an error here — see
// scenario_family.h for those.
Result<Scenario> ParseScenario(const std::string& text,
                               const std::string& path);
Result<Scenario> LoadScenario(const std::string& path);

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_SCENARIO_H_
