// Floods: traffic towards the guest that is *not* for its swap socket — it
// exercises the path where a guest short of memory must drop everything but
// the memalloc (swap) socket's frames from emergency reserves.
//
// FloodSource is pure: a seeded schedule of frames (time since the link's
// epoch, bytes). Synthetic kinds: udp (to a closed port), syn (TCP SYN),
// icmp (echo request), arp (broadcast who-has). The pcap kind replays a
// capture's frames with their own spacing divided by `speed`, optionally
// rewritten to reach the guest. Kind tcpreplay has no schedule here: a
// real tcpreplay process writes its frames to a port the relay reads
// (Relay::AddFloodPort). The relay pushes the frames through the
// to_guest chain as if the storage namespace had sent them.
#ifndef SWAPBENCH_NETEM_FLOOD_H_
#define SWAPBENCH_NETEM_FLOOD_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "netem/pcap.h"
#include "netem/rng.h"

namespace swapbench {

struct FloodConfig {
  std::string name;
  std::string kind;   // udp | syn | icmp | arp | pcap | tcpreplay
  double pps = 1000;  // synthetic: frames per second
  int size = 128;     // synthetic: Ethernet frame bytes (60-1514)
  double at_s = 0;    // start, seconds after the epoch (hog start)
  double for_s = 0;   // length; 0: until the run ends
  int port = 0;       // udp/syn destination port; 0: seeded per frame
  // pcap
  std::string file;
  double speed = 1;  // 2: twice as fast as captured
  int loops = 1;     // replay the capture this many times
  bool rewrite =
      true;  // set destination MAC/IP to the guest's (checksums fixed)
  // tcpreplay: the frames come from the tcpreplay process the bench runs
  // (bench/tcpreplay.h), not from this source; its options as given.
  std::vector<std::string> tcpreplay_options;
  std::vector<std::string> tcprewrite_options;  // replace the bench's rewrite
  int line = 0;
};

// Addresses the flood frames need; learned by the relay from the traffic.
struct Endpoints {
  uint8_t guest_mac[6] = {}, server_mac[6] = {};
  uint32_t guest_ip = 0, server_ip = 0;  // host order
  bool known = false;
};

class FloodSource {
 public:
  // `frames`: the capture for kind pcap (ignored otherwise).
  FloodSource(const FloodConfig& c, uint64_t seed,
              std::vector<PcapFrame> frames = {});

  // Time (ns since the epoch) of the next frame; max() when finished.
  int64_t NextDue() const;
  // Builds the next frame into buf (≥ 1514 bytes... or the capture's size,
  // up to 65536) and advances; returns its length.
  size_t Emit(const Endpoints& ep, uint8_t* buf);

  const FloodConfig& config() const { return c_; }
  uint64_t sent() const { return sent_; }

 private:
  FloodConfig c_;
  Rng rng_;
  std::vector<PcapFrame> frames_;
  uint64_t sent_ = 0;
  uint16_t icmp_seq_ = 0;
};

// Frame builders (also used by tests): complete Ethernet frames with valid
// checksums, padded to `size`.
size_t BuildUdp(uint8_t* buf, int size, const uint8_t src_mac[6],
                const uint8_t dst_mac[6], uint32_t saddr, uint32_t daddr,
                uint16_t sport, uint16_t dport);
size_t BuildTcp(uint8_t* buf, int size, const uint8_t src_mac[6],
                const uint8_t dst_mac[6], uint32_t saddr, uint32_t daddr,
                uint16_t sport, uint16_t dport, uint32_t seq, uint8_t flags);
size_t BuildIcmpEcho(uint8_t* buf, int size, const uint8_t src_mac[6],
                     const uint8_t dst_mac[6], uint32_t saddr, uint32_t daddr,
                     uint16_t id, uint16_t seq);
size_t BuildArpRequest(uint8_t* buf, int size, const uint8_t src_mac[6],
                       uint32_t saddr, uint32_t target);

}  // namespace swapbench

#endif  // SWAPBENCH_NETEM_FLOOD_H_
