// The kernel-netem engine: the scenario's impairments as `tc qdisc ... netem`
// arguments, which the guest agent applies to eth0 (egress: to_server) and
// to an ifb device fed by eth0's ingress (to_guest). The relay then only
// carries frames (and floods). Debian 12's iproute2 (6.1) has no netem
// `seed` option, so this engine is not reproducible frame by frame: the
// report says so.
#ifndef SWAPBENCH_BENCH_KERNEL_NETEM_H_
#define SWAPBENCH_BENCH_KERNEL_NETEM_H_

#include <string>
#include <vector>

#include "netem/impairment.h"

namespace swapbench {

// netem arguments for one direction ("to_guest" | "to_server"); empty when
// no impairment applies to it. The scenario parser has already refused what
// netem cannot do.
std::string NetemArgs(const std::vector<ImpairmentConfig>& imps,
                      const std::string& direction);

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_KERNEL_NETEM_H_
