// Frame: what the link emulator reads from an Ethernet frame to match
// filters and name flows. Parsing never fails: fields it cannot find stay
// zero, so a runt or a non-IP frame simply matches fewer filters.
#ifndef SWAPBENCH_NETEM_FRAME_H_
#define SWAPBENCH_NETEM_FRAME_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace swapbench {

enum class Proto : uint8_t { kOther = 0, kArp, kIcmp, kTcp, kUdp, kIpOther };
const char* ProtoName(Proto p);

struct FrameInfo {
  Proto proto = Proto::kOther;
  uint16_t ethertype = 0;
  uint32_t saddr = 0, daddr = 0;  // IPv4, host order
  uint16_t sport = 0, dport = 0;  // TCP/UDP
  uint8_t tcp_flags = 0;
  size_t l4_offset = 0;       // start of the TCP/UDP/ICMP header, 0 if none
  size_t payload_offset = 0;  // start of the L4 payload, 0 if none
};

FrameInfo ParseFrame(const uint8_t* f, size_t len);

// "tcp 10.213.0.2:812>10.213.0.1:2049", "arp", "icmp 10.213.0.1>10.213.0.2".
std::string FlowName(const FrameInfo& i);
// The same into buf without allocating; returns snprintf's count.
int FormatFlow(const FrameInfo& i, char* buf, size_t cap);

// Internet checksum helpers, shared by corrupt (fix-up) and the flood
// generator: Checksum16 of a buffer, folded.
uint16_t Checksum16(const uint8_t* p, size_t n, uint32_t sum = 0);
// Rewrites the IPv4 header checksum and the TCP/UDP/ICMP checksum of a
// frame in place. No-op for frames that are not IPv4.
void FixChecksums(uint8_t* f, size_t len);

}  // namespace swapbench

#endif  // SWAPBENCH_NETEM_FRAME_H_
