#include "netem/flood.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "netem/bytes.h"
#include "netem/frame.h"

namespace swapbench {

namespace {

// Ethernet + IPv4 headers; returns the L4 offset. `size` is the whole frame.
size_t Ipv4(uint8_t* buf, int size, const uint8_t src[6], const uint8_t dst[6],
            uint32_t saddr, uint32_t daddr, uint8_t proto, int min_ip_len) {
  memset(buf, 0, size);
  memcpy(buf, dst, 6);
  memcpy(buf + 6, src, 6);
  Put16(buf + 12, 0x0800);
  uint8_t* ip = buf + 14;
  ip[0] = 0x45;
  // Frames under 60 bytes are padded by Ethernet, not by IP.
  Put16(ip + 2, static_cast<uint16_t>(size <= 60 ? min_ip_len : size - 14));
  Put16(ip + 6, 0x4000);  // DF
  ip[8] = 64;
  ip[9] = proto;
  Put32(ip + 12, saddr);
  Put32(ip + 16, daddr);
  return 34;
}
}  // namespace

size_t BuildUdp(uint8_t* buf, int size, const uint8_t src_mac[6],
                const uint8_t dst_mac[6], uint32_t saddr, uint32_t daddr,
                uint16_t sport, uint16_t dport) {
  size = std::max(size, 42);
  size_t l4 = Ipv4(buf, size, src_mac, dst_mac, saddr, daddr, 17, 28);
  Put16(buf + l4, sport);
  Put16(buf + l4 + 2, dport);
  Put16(buf + l4 + 4, static_cast<uint16_t>(size <= 60 ? 8 : size - l4));
  FixChecksums(buf, size);
  return size;
}

size_t BuildTcp(uint8_t* buf, int size, const uint8_t src_mac[6],
                const uint8_t dst_mac[6], uint32_t saddr, uint32_t daddr,
                uint16_t sport, uint16_t dport, uint32_t seq, uint8_t flags) {
  size = std::max(size, 54);
  size_t l4 = Ipv4(buf, size, src_mac, dst_mac, saddr, daddr, 6, 40);
  Put16(buf + l4, sport);
  Put16(buf + l4 + 2, dport);
  Put32(buf + l4 + 4, seq);
  buf[l4 + 12] = 5 << 4;
  buf[l4 + 13] = flags;
  Put16(buf + l4 + 14, 64240);
  FixChecksums(buf, size);
  return size;
}

size_t BuildIcmpEcho(uint8_t* buf, int size, const uint8_t src_mac[6],
                     const uint8_t dst_mac[6], uint32_t saddr, uint32_t daddr,
                     uint16_t id, uint16_t seq) {
  size = std::max(size, 42);
  size_t l4 = Ipv4(buf, size, src_mac, dst_mac, saddr, daddr, 1, 28);
  buf[l4] = 8;  // echo request
  Put16(buf + l4 + 4, id);
  Put16(buf + l4 + 6, seq);
  FixChecksums(buf, size);
  return size;
}

size_t BuildArpRequest(uint8_t* buf, int size, const uint8_t src_mac[6],
                       uint32_t saddr, uint32_t target) {
  size = std::max(size, 60);
  memset(buf, 0, size);
  memset(buf, 0xff, 6);
  memcpy(buf + 6, src_mac, 6);
  Put16(buf + 12, 0x0806);
  uint8_t* a = buf + 14;
  Put16(a, 1);
  Put16(a + 2, 0x0800);
  a[4] = 6;
  a[5] = 4;
  Put16(a + 6, 1);  // request
  memcpy(a + 8, src_mac, 6);
  Put32(a + 14, saddr);
  Put32(a + 24, target);
  return size;
}

FloodSource::FloodSource(const FloodConfig& c, uint64_t seed,
                         std::vector<PcapFrame> frames)
    : c_(c),
      rng_(Rng::ForStream(seed, "flood." + c.name)),
      frames_(std::move(frames)) {}

int64_t FloodSource::NextDue() const {
  constexpr int64_t kNever = std::numeric_limits<int64_t>::max();
  int64_t start = static_cast<int64_t>(c_.at_s * 1e9);
  int64_t end =
      c_.for_s > 0 ? start + static_cast<int64_t>(c_.for_s * 1e9) : kNever;
  int64_t t;
  if (c_.kind == "tcpreplay") return kNever;  // frames from the process
  if (c_.kind == "pcap") {
    if (frames_.empty()) return kNever;
    uint64_t n = frames_.size();
    if (sent_ >= n * static_cast<uint64_t>(c_.loops)) return kNever;
    // Each loop starts after the previous one's span plus the mean gap.
    int64_t span = frames_.back().ts_ns - frames_.front().ts_ns;
    int64_t gap = n > 1 ? span / static_cast<int64_t>(n - 1) : 1000000;
    uint64_t loop = sent_ / n, i = sent_ % n;
    double off = static_cast<double>(loop) * (span + gap) +
                 (frames_[i].ts_ns - frames_.front().ts_ns);
    t = start + static_cast<int64_t>(off / c_.speed);
  } else {
    t = start + static_cast<int64_t>(sent_ * (1e9 / c_.pps));
  }
  return t < end ? t : kNever;
}

size_t FloodSource::Emit(const Endpoints& ep, uint8_t* buf) {
  ++sent_;
  // A locally administered MAC for the flood's own "hosts".
  if (c_.kind == "pcap") {
    const PcapFrame& f = frames_[(sent_ - 1) % frames_.size()];
    size_t len = f.data.size();
    memcpy(buf, f.data.data(), len);
    if (c_.rewrite && len >= 14) {
      FrameInfo i = ParseFrame(buf, len);
      bool bcast = buf[0] & 1;
      if (!bcast) memcpy(buf, ep.guest_mac, 6);
      if (i.proto != Proto::kOther && i.proto != Proto::kArp && len >= 34 &&
          !bcast) {
        Put32(buf + 30, ep.guest_ip);
        FixChecksums(buf, len);
      }
    }
    return len;
  }
  uint64_t r = rng_.Next();
  uint16_t sport = static_cast<uint16_t>(1024 + (r % 60000));
  uint16_t dport = c_.port ? static_cast<uint16_t>(c_.port)
                           : static_cast<uint16_t>(33434 + ((r >> 16) % 100));
  if (c_.kind == "udp")
    return BuildUdp(buf, c_.size, ep.server_mac, ep.guest_mac, ep.server_ip,
                    ep.guest_ip, sport, dport);
  if (c_.kind == "syn") {
    uint16_t port = c_.port ? static_cast<uint16_t>(c_.port)
                            : static_cast<uint16_t>(1024 + ((r >> 16) % 60000));
    return BuildTcp(buf, c_.size, ep.server_mac, ep.guest_mac, ep.server_ip,
                    ep.guest_ip, sport, port, static_cast<uint32_t>(r >> 32),
                    0x02);
  }
  if (c_.kind == "icmp")
    return BuildIcmpEcho(buf, c_.size, ep.server_mac, ep.guest_mac,
                         ep.server_ip, ep.guest_ip,
                         static_cast<uint16_t>(r >> 48), ++icmp_seq_);
  // arp: who-has a seeded address of the guest's /24, from a seeded MAC.
  uint8_t mac[6] = {0x02,
                    0x5b,
                    static_cast<uint8_t>(r >> 8),
                    static_cast<uint8_t>(r >> 16),
                    static_cast<uint8_t>(r >> 24),
                    static_cast<uint8_t>(r >> 32)};
  uint32_t net = ep.guest_ip & 0xffffff00u;
  return BuildArpRequest(buf, c_.size, mac, net | ((r >> 40) % 254 + 1),
                         net | ((r >> 48) % 254 + 1));
}

}  // namespace swapbench
