// Series: the time series report.html plots, kept in report.json so that a
// merged or regenerated report needs nothing but report.json.
#ifndef SWAPBENCH_BENCH_SERIES_H_
#define SWAPBENCH_BENCH_SERIES_H_

#include <nlohmann/json.hpp>
#include <vector>

#include "bench/telemetry.h"
#include "netem/relay.h"

namespace swapbench {

// The relay's counters when a telemetry sample arrived (guest time `t`).
struct LinkPoint {
  double t = 0;
  RelayCounters counters;
};

// {"t": [...guest s], "swapout_mib_s", "swapin_mib_s" (per interval),
//  "memory_current_mib" (cgroup; null entries without one),
//  "memory_max_mib" (scalar or null), "to_guest_frames_s",
//  "to_guest_dropped_s", "to_server_frames_s", "to_server_dropped_s"
//  (per interval, from the link points nearest in time), "rpc_retrans",
//  "rx_dropped" (eth0), "pfmemalloc_drop" (TCPExt) (cumulative; null
//  unread), "dirty_mib", "writeback_mib" (/proc/vmstat nr_dirty,
//  nr_writeback), and per cgroup name "cgroup_current_mib",
//  "cgroup_swap_mib", "cgroup_file_dirty_mib" ({NAME: [...]})}. At most
//  `max_points` points: longer runs are thinned by
// taking every k-th sample, and rates are computed over the thinned
// intervals, so no movement is lost. Pure.
nlohmann::json BuildSeries(const std::vector<Sample>& samples,
                           const std::vector<LinkPoint>& link,
                           int memory_max_mib,
                           const std::vector<CgroupSample>& cgroups = {},
                           size_t max_points = 600);

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_SERIES_H_
