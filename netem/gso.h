// Offloaded frames: the virtio-net header that a TAP (IFF_VNET_HDR) and an
// AF_PACKET socket (PACKET_VNET_HDR) put before each frame, and the two
// things a NIC does with it that the relay must do itself when a frame has
// to be a wire frame — finish a partial checksum, and cut a GSO super-frame
// (TCP over IPv4/IPv6, UDP_L4) into frames of gso_size payload with correct
// headers and complete checksums, as the kernel's software GSO would.
//
// Pure functions and a value-type iterator over caller-owned buffers: no
// allocation, no threads, no state beyond one super-frame.
#ifndef SWAPBENCH_NETEM_GSO_H_
#define SWAPBENCH_NETEM_GSO_H_

#include <cstddef>
#include <cstdint>

namespace swapbench {

// struct virtio_net_hdr (linux/virtio_net.h), little-endian as on x86.
struct VnetHdr {
  uint8_t flags = 0;
  uint8_t gso_type = 0;
  uint16_t hdr_len = 0;
  uint16_t gso_size = 0;
  uint16_t csum_start = 0;
  uint16_t csum_offset = 0;
};
static_assert(sizeof(VnetHdr) == 10);

constexpr uint8_t kVnetNeedsCsum = 1;  // VIRTIO_NET_HDR_F_NEEDS_CSUM
constexpr uint8_t kGsoNone = 0, kGsoTcpV4 = 1, kGsoUdp = 3, kGsoTcpV6 = 4,
                  kGsoUdpL4 = 5, kGsoEcn = 0x80;

// Whether the header describes anything a wire frame would not carry.
inline bool IsOffloaded(const VnetHdr& h) {
  return h.gso_type != kGsoNone || (h.flags & kVnetNeedsCsum);
}

// Writes the checksum a partial-checksum frame (NEEDS_CSUM) is owed: the
// ones'-complement sum from csum_start to the end, stored at
// csum_start + csum_offset. False (frame untouched) when they lie outside.
bool CompleteChecksum(const VnetHdr& h, uint8_t* f, size_t len);

// The wire frames of one GSO super-frame, in order:
//   GsoSegments s(hdr, f, len);
//   if (!s.ok()) ...  // not a kind it cuts: carry it whole
//   while (size_t n = s.Next(buf, sizeof buf)) send(buf, n);
// Each frame repeats the Ethernet/IP/L4 headers with lengths, IPv4 ID
// (+1 per frame), TCP sequence and flags (FIN/PSH on the last, CWR on the
// first) and every checksum rewritten. `f` must outlive the iterator.
class GsoSegments {
 public:
  GsoSegments(const VnetHdr& h, const uint8_t* f, size_t len);
  bool ok() const { return mss_ > 0; }
  size_t count() const;
  // The next frame into buf (cap bytes); 0 when done or it does not fit.
  size_t Next(uint8_t* buf, size_t cap);

 private:
  const uint8_t* f_;
  size_t len_;
  size_t l3_ = 0, l4_ = 0, hdrs_ = 0;  // offsets: IP, L4, payload
  size_t mss_ = 0, off_ = 0;           // payload bytes per frame, done so far
  uint16_t index_ = 0;
  bool v6_ = false, tcp_ = false;
};

}  // namespace swapbench

#endif  // SWAPBENCH_NETEM_GSO_H_
