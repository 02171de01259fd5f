// Telemetry: the agent's JSON lines from the virtio-serial port, parsed.
// A line with "event" is an event (boot, mount, swapon, hog_exit, error);
// one with "cgroup" a cgroup's sample; any other line is a periodic
// sample. Lines that do not parse are kept
// as counted garbage, never fatal: a guest under memory pressure may tear
// a line.
#ifndef SWAPBENCH_BENCH_TELEMETRY_H_
#define SWAPBENCH_BENCH_TELEMETRY_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "images/agent/protocol.h"

namespace swapbench {

struct Sample {
  double t = 0;  // guest seconds since boot
  std::string phase;
  int64_t pswpin = 0, pswpout = 0;
  int64_t swap_total_kib = 0, swap_free_kib = 0, mem_free_kib = 0;
  int64_t vm_oom_kill = 0, cg_current = -1, cg_oom = -1, cg_oom_kill = -1;
  int64_t rpc_calls = -1, rpc_retrans = -1;  // NFS client RPCs; -1 without NFS
  // The guest network stack (eth0 rx, /proc/net/snmp, netstat); -1 if unread.
  int64_t rx_packets = -1, rx_dropped = -1, udp_noports = -1,
          udp_rcvbuf_errors = -1, tcp_csum_errors = -1, pfmemalloc_drop = -1,
          icmp_in_echos = -1;
  int64_t hog_pages = 0, hog_written = 0, hog_verified = 0, hog_corrupted = 0;
  int64_t work_bytes = 0;  // every workload's progress, bytes
  // /proc/vmstat: pages dirty and under writeback; pages scanned and
  // reclaimed (anon + file). -1 if unread.
  int64_t nr_dirty = -1, nr_writeback = -1, pgscan = -1, pgsteal = -1;
};

// One cgroup's sample (protocol::CgroupField, names as in kCgroupFieldNames);
// -1: unread.
struct CgroupSample {
  double t = 0;
  std::string cgroup;
  int64_t v[protocol::kCgroupFields];
  int64_t operator[](protocol::CgroupField f) const { return v[f]; }
};

class Telemetry {
 public:
  // Feeds one line; returns true if it parsed.
  bool Feed(const std::string& line);
  const std::vector<Sample>& samples() const { return samples_; }
  const std::vector<CgroupSample>& cgroup_samples() const {
    return cgroup_samples_;
  }
  const std::vector<nlohmann::json>& events() const { return events_; }
  // Every event named `name`, in order.
  std::vector<const nlohmann::json*> Events(const std::string& name) const;
  // The last sample taken at or before guest time `t` (a console
  // timestamp), or null (none yet, or t < 0: unknown).
  const Sample* SampleAt(double t) const;
  // The first event named `name`, or null.
  const nlohmann::json* Event(const std::string& name) const;
  int garbage() const { return garbage_; }

 private:
  std::vector<Sample> samples_;
  std::vector<CgroupSample> cgroup_samples_;
  std::vector<nlohmann::json> events_;
  int garbage_ = 0;
};

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_TELEMETRY_H_
