// TcpProgress: tells new TCP data from retransmissions, frame by frame.
//
// The swap-stall watchdog needs host-side evidence that the guest's storage
// traffic has stopped making progress. Frames alone are no evidence: during
// the receive-side deadlock the server's TCP keeps retransmitting into a
// guest that cannot allocate receive buffers. New data is: a TCP segment
// whose last sequence number lies beyond anything seen on its flow. Pure;
// one per direction; not thread-safe.
#ifndef SWAPBENCH_NETEM_TCP_PROGRESS_H_
#define SWAPBENCH_NETEM_TCP_PROGRESS_H_

#include <cstddef>
#include <cstdint>

namespace swapbench {

class TcpProgress {
 public:
  // Returns the number of new payload bytes the Ethernet frame carries (0
  // for non-TCP frames, pure ACKs and retransmissions).
  uint64_t Observe(const uint8_t* frame, size_t len);
  uint64_t new_bytes() const { return new_bytes_; }

 private:
  struct Flow {
    uint32_t saddr = 0, daddr = 0;
    uint16_t sport = 0, dport = 0;
    uint32_t high = 0;  // one past the highest sequence number seen
    uint64_t used = 0;  // last use, for replacement
    bool valid = false;
  };
  static constexpr int kFlows = 32;
  Flow flows_[kFlows];
  uint64_t tick_ = 0;
  uint64_t new_bytes_ = 0;
};

}  // namespace swapbench

#endif  // SWAPBENCH_NETEM_TCP_PROGRESS_H_
