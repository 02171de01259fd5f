#include "netem/frame.h"

#include <cstdio>

#include "netem/bytes.h"

namespace swapbench {

const char* ProtoName(Proto p) {
  switch (p) {
    case Proto::kArp:
      return "arp";
    case Proto::kIcmp:
      return "icmp";
    case Proto::kTcp:
      return "tcp";
    case Proto::kUdp:
      return "udp";
    case Proto::kIpOther:
      return "ip";
    case Proto::kOther:
      break;
  }
  return "other";
}

FrameInfo ParseFrame(const uint8_t* f, size_t len) {
  FrameInfo i;
  if (len < 14) return i;
  size_t off = 12;
  i.ethertype = Be16(f + off);
  if (i.ethertype == 0x8100 && len >= 18) {  // one VLAN tag
    off += 4;
    i.ethertype = Be16(f + off);
  }
  off += 2;
  if (i.ethertype == 0x0806) {
    i.proto = Proto::kArp;
    return i;
  }
  if (i.ethertype != 0x0800 || len < off + 20) return i;
  const uint8_t* ip = f + off;
  size_t ihl = (ip[0] & 15) * 4;
  if ((ip[0] >> 4) != 4 || ihl < 20 || len < off + ihl) return i;
  i.saddr = Be32(ip + 12);
  i.daddr = Be32(ip + 16);
  i.proto = Proto::kIpOther;
  bool first_fragment = (Be16(ip + 6) & 0x1fff) == 0;
  size_t l4 = off + ihl;
  if (!first_fragment) return i;
  switch (ip[9]) {
    case 1:
      i.proto = Proto::kIcmp;
      i.l4_offset = l4;
      if (len >= l4 + 8) i.payload_offset = l4 + 8;
      break;
    case 6:
      i.proto = Proto::kTcp;
      if (len >= l4 + 20) {
        i.l4_offset = l4;
        i.sport = Be16(f + l4);
        i.dport = Be16(f + l4 + 2);
        i.tcp_flags = f[l4 + 13];
        size_t doff = (f[l4 + 12] >> 4) * 4;
        if (doff >= 20 && len > l4 + doff) i.payload_offset = l4 + doff;
      }
      break;
    case 17:
      i.proto = Proto::kUdp;
      if (len >= l4 + 8) {
        i.l4_offset = l4;
        i.sport = Be16(f + l4);
        i.dport = Be16(f + l4 + 2);
        if (len > l4 + 8) i.payload_offset = l4 + 8;
      }
      break;
    default:
      break;
  }
  return i;
}

int FormatFlow(const FrameInfo& i, char* buf, size_t cap) {
  if (i.proto == Proto::kArp) return snprintf(buf, cap, "arp");
  if (i.proto == Proto::kOther)
    return i.ethertype == 0x86dd
               ? snprintf(buf, cap, "ipv6")
               : snprintf(buf, cap, "eth 0x%04x", i.ethertype);
  uint32_t s = i.saddr, d = i.daddr;
  if (i.sport || i.dport)
    return snprintf(buf, cap, "%s %u.%u.%u.%u:%u>%u.%u.%u.%u:%u",
                    ProtoName(i.proto), s >> 24, (s >> 16) & 255,
                    (s >> 8) & 255, s & 255, i.sport, d >> 24, (d >> 16) & 255,
                    (d >> 8) & 255, d & 255, i.dport);
  return snprintf(buf, cap, "%s %u.%u.%u.%u>%u.%u.%u.%u", ProtoName(i.proto),
                  s >> 24, (s >> 16) & 255, (s >> 8) & 255, s & 255, d >> 24,
                  (d >> 16) & 255, (d >> 8) & 255, d & 255);
}

std::string FlowName(const FrameInfo& i) {
  char b[64];
  FormatFlow(i, b, sizeof(b));
  return b;
}

uint16_t Checksum16(const uint8_t* p, size_t n, uint32_t sum) {
  for (; n > 1; p += 2, n -= 2) sum += Be16(p);
  if (n) sum += uint32_t{p[0]} << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

void FixChecksums(uint8_t* f, size_t len) {
  FrameInfo i = ParseFrame(f, len);
  if (i.proto == Proto::kOther || i.proto == Proto::kArp) return;
  size_t ip_off = (i.ethertype == 0x0800 && Be16(f + 12) == 0x8100) ? 18 : 14;
  uint8_t* ip = f + ip_off;
  size_t ihl = (ip[0] & 15) * 4;
  size_t total = Be16(ip + 2);
  if (total < ihl || ip_off + total > len) total = len - ip_off;
  Put16(ip + 10, 0);
  Put16(ip + 10, Checksum16(ip, ihl));
  if (!i.l4_offset) return;
  uint8_t* l4 = f + i.l4_offset;
  size_t l4_len = total - ihl;
  if (i.proto == Proto::kIcmp) {
    Put16(l4 + 2, 0);
    Put16(l4 + 2, Checksum16(l4, l4_len));
    return;
  }
  size_t csum_at = i.proto == Proto::kTcp ? 16 : 6;
  // Pseudo-header: addresses, protocol, L4 length.
  uint32_t sum = (i.saddr >> 16) + (i.saddr & 0xffff) + (i.daddr >> 16) +
                 (i.daddr & 0xffff) + ip[9] + static_cast<uint32_t>(l4_len);
  Put16(l4 + csum_at, 0);
  uint16_t c = Checksum16(l4, l4_len, sum);
  if (i.proto == Proto::kUdp && c == 0) c = 0xffff;
  Put16(l4 + csum_at, c);
}

}  // namespace swapbench
