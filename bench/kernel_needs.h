// KernelNeeds: what a scenario asks of the kernel under test, and whether a
// kernel has it.
//
// One table ties scenario features (the storage kind and NFS version, the
// guest NIC, the memory cgroup, the kernel-netem engine, and what every
// scenario needs) to config options, the module that provides each one and
// why it is needed. From it come: the modules the guest image carries (only
// what the scenario uses), the per-scenario check of a kernel ("the option,
// the kernel, the scenario line"), and `swapbench kernel-config`, the
// config fragment for building a small test kernel.
//
// Pure (no I/O); thread-safe.
#ifndef SWAPBENCH_BENCH_KERNEL_NEEDS_H_
#define SWAPBENCH_BENCH_KERNEL_NEEDS_H_

#include <map>
#include <string>
#include <vector>

#include "bench/kernel.h"
#include "bench/scenario.h"
#include "bench/status.h"

namespace swapbench {

struct KernelNeed {
  std::string option;  // "CONFIG_BLK_DEV_NBD"
  std::string module;  // the module that provides it; "" when built in only
  std::string why;     // "swap over NBD"
  std::string asker;   // "smoke.toml:9: storage.kind \"nbd\"", or
                       // "every scenario"
};

// What `sc` needs, in table order.
std::vector<KernelNeed> NeedsOf(const Scenario& sc);

// Every row of the table, as needs ("vm.nic \"e1000\"" asks).
std::vector<KernelNeed> AllNeeds();

// A config fragment for scripts/kconfig/merge_config.sh: each option of
// `needs` once, `=y`, or `=m` where a module may provide it and `modular`;
// a comment above each says why and who asks.
std::string ConfigFragment(const std::vector<KernelNeed>& needs, bool modular);

// Option -> 'y' or 'm' for every option set in a .config text.
std::map<std::string, char> ParseKernelConfig(const std::string& text);

// Checks `needs` against the kernel. On success returns the modules the
// guest must load (names, in table order; built-in ones left out). A usage
// error lists every unmet need: the scenario line that asks, the option,
// why, and what the kernel has instead.
Result<std::vector<std::string>> CheckNeeds(
    const std::vector<KernelNeed>& needs, const KernelFacts& kernel);

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_KERNEL_NEEDS_H_
