// Protocol: the contract between the host and the guest agent, in one
// place, included by the agent (agent.cc), the host's config writers
// (bench/testbed.cc and the storage servers) and the telemetry parser
// (bench/telemetry.cc) — as pattern.h is for the hog's pages.
//
//   config     /etc/swapbench.conf, key=value lines the host appends to
//              the initramfs and the agent reads at boot
//   telemetry  JSON lines on the virtio-serial port: events
//              {"t":..,"event":NAME,...} and samples
//              {"t":..,"seq":..,"phase":..,FIELD:N,...}
//
// Constants, and conf::Line for the host; the agent allocates nothing
// from them (it runs under memory pressure).
#ifndef SWAPBENCH_IMAGES_AGENT_PROTOCOL_H_
#define SWAPBENCH_IMAGES_AGENT_PROTOCOL_H_

#include <string>

namespace swapbench::protocol {

inline constexpr char kConfigPath[] = "/etc/swapbench.conf";
// The virtio-serial ports: the agent writes telemetry to the first and
// reads the host's word to go on from a hold (one kRelease byte) from the
// second.
inline constexpr char kTelemetryPort[] = "org.swapbench.agent";
inline constexpr char kControlPort[] = "org.swapbench.control";
inline constexpr char kRelease = 'g';
inline constexpr int kHoldTimeoutS = 10;

// Config keys.
namespace conf {
inline constexpr char kGuestIp[] = "guest_ip";
inline constexpr char kPrefix[] = "prefix";
inline constexpr char kServerIp[] = "server_ip";
inline constexpr char kStorage[] = "storage";  // nfs | nbd | iscsi
inline constexpr char kNfsVers[] = "nfs_vers";
inline constexpr char kNfsExport[] = "nfs_export";
inline constexpr char kMountOpts[] = "mount_opts";
inline constexpr char kSwapfile[] = "swapfile";
inline constexpr char kNbdPort[] = "nbd_port";
inline constexpr char kNbdExport[] = "nbd_export";
inline constexpr char kIscsiTarget[] = "iscsi_target";
inline constexpr char kIscsiPort[] = "iscsi_port";
inline constexpr char kNetemEgress[] = "netem_egress";  // tc netem arguments
inline constexpr char kNetemIngress[] = "netem_ingress";
// Repeated keys, one line each (agent_config.h parses their words):
inline constexpr char kCgroup[] = "cg";      // name= path= max= high= ...
inline constexpr char kWorkload[] = "wl";    // name= kind= cgroup= bytes= ...
inline constexpr char kSysctl[] = "sysctl";  // "vm.swappiness 100"
inline constexpr char kSysfs[] = "sysfs";    // "kernel/mm/lru_gen/enabled y"
inline constexpr char kTelemetryMs[] = "telemetry_ms";
inline constexpr char kMtu[] = "mtu";  // eth0's MTU
// Repeated: a point where the workloads hold until the host has acted —
// "start" (before any workload starts) or N (the hogs have written N
// pages between them). See kHold below.
inline constexpr char kHold[] = "hold";

// One line of the config, as the host writes it.
inline std::string Line(const char* key, const std::string& value) {
  return std::string(key) + "=" + value + "\n";
}
}  // namespace conf

// Event names, and the keys of the events the host reads.
namespace event {
inline constexpr char kBoot[] = "boot";
inline constexpr char kNetwork[] = "network";
inline constexpr char kMount[] = "mount";
inline constexpr char kNetem[] = "netem";
inline constexpr char kNetemStats[] = "netem_stats";
// ifname, driver, version, firmware, bus_info, pci_id, mtu, queues
inline constexpr char kNic[] = "nic";
// ifname, the kernel's interface counters (rx_packets, rx_dropped, ...)
// and `driver`: the driver's ethtool -S counters by name
inline constexpr char kNicStats[] = "nic_stats";
inline constexpr char kNbd[] = "nbd";
inline constexpr char kIscsi[] = "iscsi";
inline constexpr char kSwapon[] = "swapon";  // device
inline constexpr char kKnob[] = "knob";      // kind, name, path, set, read
inline constexpr char kCgroup[] = "cgroup";  // name, path, limits (bytes)
// The workloads begin (pages: of all hogs); faults and phases count from
// here.
inline constexpr char kHogStart[] = "hog_start";
// name, kind, cgroup, pid
inline constexpr char kWorkloadStart[] = "workload_start";
// name, kind, cgroup, pid, status ("exited" with code | "killed" with
// signal), seconds, and what the kind counts (workload_exit in
// reports/README.md)
inline constexpr char kWorkloadExit[] = "workload_exit";
// stress-ng's --metrics-brief line: name, stressor, bogo_ops, real_s,
// bogo_ops_per_s
inline constexpr char kStressNgMetric[] = "stress_ng_metric";
// Every workload has ended: status ("killed" if any was), seconds, and
// the hogs' pages written, verified, corrupted summed.
inline constexpr char kHogExit[] = "hog_exit";
// The workloads hold: at ("start" | "pages"), pages (the hogs' written
// pages when they stopped). They go on when the host writes kRelease to
// the control port, or after kHoldTimeoutS without it; then kReleased:
// at, waited_s, by ("host" | "timeout").
inline constexpr char kHold[] = "hold";
inline constexpr char kReleased[] = "released";
inline constexpr char kPoweroff[] = "poweroff";
inline constexpr char kError[] = "error";  // step, errno, error, detail
}  // namespace event

// A sample's counters, in the order the agent writes them; -1: unread.
enum SampleField : int {
  kPswpin,
  kPswpout,
  kSwapTotalKib,
  kSwapFreeKib,
  kMemFreeKib,
  kVmOomKill,
  kCgCurrent,
  kCgOom,
  kCgOomKill,
  kCgMaxEvents,
  kCgHighEvents,
  kRpcCalls,
  kRpcRetrans,
  kRxPackets,
  kRxDropped,
  kUdpNoports,
  kUdpRcvbufErrors,
  kTcpCsumErrors,
  kPfmemallocDrop,
  kIcmpInEchos,
  kHogPages,
  kHogWritten,
  kHogVerified,
  kHogCorrupted,
  kWorkBytes,  // every workload's progress: bytes touched, written, read
  kNrDirty,    // /proc/vmstat, pages
  kNrWriteback,
  kPgscan,  // pgscan_anon + pgscan_file
  kPgsteal,
  kSampleFields
};

inline constexpr const char* kSampleFieldNames[kSampleFields] = {
    "pswpin",
    "pswpout",
    "swap_total_kib",
    "swap_free_kib",
    "mem_free_kib",
    "vm_oom_kill",
    "cg_current",
    "cg_oom",
    "cg_oom_kill",
    "cg_max_events",
    "cg_high_events",
    "rpc_calls",
    "rpc_retrans",
    "rx_packets",
    "rx_dropped",
    "udp_noports",
    "udp_rcvbuf_errors",
    "tcp_csum_errors",
    "pfmemalloc_drop",
    "icmp_in_echos",
    "hog_pages",
    "hog_written",
    "hog_verified",
    "hog_corrupted",
    "work_bytes",
    "nr_dirty",
    "nr_writeback",
    "pgscan",
    "pgsteal"};

// A cgroup sample: {"t":..,"cgroup":NAME, FIELD:N, ...} every period, one
// line per cgroup; -1: unread. memory.current, memory.swap.current,
// memory.events and memory.stat, in bytes or counts as the kernel gives.
enum CgroupField : int {
  kCgfCurrent,
  kCgfSwapCurrent,
  kCgfLow,
  kCgfHigh,
  kCgfMax,
  kCgfOom,
  kCgfOomKill,
  kCgfAnon,
  kCgfFile,
  kCgfFileDirty,
  kCgfFileWriteback,
  kCgfPgscan,
  kCgfPgsteal,
  kCgfWorkingsetRefault,  // _anon + _file
  kCgroupFields
};

inline constexpr const char* kCgroupFieldNames[kCgroupFields] = {
    "current",
    "swap",
    "low",
    "high",
    "max",
    "oom",
    "oom_kill",
    "anon",
    "file",
    "file_dirty",
    "file_writeback",
    "pgscan",
    "pgsteal",
    "workingset_refault"};

}  // namespace swapbench::protocol

#endif  // SWAPBENCH_IMAGES_AGENT_PROTOCOL_H_
