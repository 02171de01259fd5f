// NicReport: the guest NIC as report.json's "nic" says it — the model the
// scenario chose, what the guest's driver reported of itself (name,
// version, firmware, bus, PCI ID, MTU, queues) and its counters at the end
// (the kernel's interface counters, the driver's ethtool -S counters, and
// the sum of those that count receive-buffer allocation failures) — read
// from the agent's `nic` and `nic_stats` events.
//
// Pure functions of (scenario, telemetry); thread-compatible.
#ifndef SWAPBENCH_BENCH_NIC_REPORT_H_
#define SWAPBENCH_BENCH_NIC_REPORT_H_

#include <nlohmann/json.hpp>

#include "bench/scenario.h"
#include "bench/telemetry.h"

namespace swapbench {

// {"model","device","driver","version","firmware","bus_info","pci_id",
//  "mtu","queues","counters":{...},"driver_counters":{...},
//  "alloc_failures": N | null}; "hostdev": PCI address for a real NIC.
// Keys the guest never reported are absent (counters: a guest that
// wedged before the end).
nlohmann::json NicJson(const Scenario& sc, const Telemetry& t);

// The driver counters that count failed receive-buffer allocations
// (e1000's alloc_rx_buff_failed, vmxnet3's "rx buf alloc fail", ...),
// summed; -1 when the driver has none.
long long AllocFailures(const nlohmann::json& driver_counters);

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_NIC_REPORT_H_
