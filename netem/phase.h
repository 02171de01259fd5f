// Phases: a timeline of named windows that switch impairments on and off.
// Times count from the link's epoch (the runner sets it when the guest's
// hog starts, like server faults; link-preview starts at its first frame).
// Before the epoch no phase is active.
//
//   [[phase]] name = "spike"  at = "10s"  for = "5s"  enable = ["burst"]
//   [[phase]] name = "flap"   at = "20s"  for = "10s" down = true
//             period = "2s"   duty = 0.5   (down for 1 s of every 2 s)
#ifndef SWAPBENCH_NETEM_PHASE_H_
#define SWAPBENCH_NETEM_PHASE_H_

#include <cstdint>
#include <string>
#include <vector>

namespace swapbench {

struct PhaseConfig {
  std::string name;
  double at_s = 0;   // start, seconds after the epoch
  double for_s = 0;  // length
  double period_s =
      0;  // > 0: flapping; effects hold for duty*period of each period
  double duty = 0.5;
  std::vector<std::string> enable, disable;  // impairment names
  bool down = false;  // drop every frame (partition) while in effect
  std::string direction = "both";  // which directions `down` cuts
  int line = 0;
};

// Is phase `c` in effect `since_epoch_ns` after the epoch?
bool PhaseInEffect(const PhaseConfig& c, int64_t since_epoch_ns);

}  // namespace swapbench

#endif  // SWAPBENCH_NETEM_PHASE_H_
