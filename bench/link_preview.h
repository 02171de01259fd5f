// link-preview: the decisions a scenario's seed makes for the first N frames
// of each direction, with no VM — so a user sees the fault schedule before
// spending a run on it. Same scenario and seed => byte-identical text.
//
// The frames are synthetic: NFS traffic (TCP port 2049, 1514 bytes towards
// the server, 1514 towards the guest) at `pps` frames per second per
// direction from t = 0, which is also the phase epoch (in a run, the hog's
// start), plus the scenario's floods on their own schedule.
#ifndef SWAPBENCH_BENCH_LINK_PREVIEW_H_
#define SWAPBENCH_BENCH_LINK_PREVIEW_H_

#include <cstdint>
#include <string>

#include "bench/scenario.h"
#include "netem/pcap.h"

namespace swapbench {

// `pcap`, when set, receives every frame offered to the link (before its
// impairments), stamped with its preview time.
std::string LinkPreview(const Scenario& s, uint64_t seed, int packets,
                        double pps, PcapWriter* pcap = nullptr);

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_LINK_PREVIEW_H_
