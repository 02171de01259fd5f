#include "netem/gso.h"

#include <string.h>

#include <algorithm>

#include "netem/bytes.h"

namespace swapbench {

namespace {

constexpr uint8_t kTcpFin = 0x01, kTcpPsh = 0x08, kTcpCwr = 0x80;

// Ones'-complement sum of 16-bit big-endian words, unfolded (64-bit: no
// overflow for any frame).
uint64_t Sum(const uint8_t* p, size_t n, uint64_t sum = 0) {
  for (; n > 1; p += 2, n -= 2) sum += Be16(p);
  if (n) sum += uint64_t{p[0]} << 8;
  return sum;
}
uint16_t Fold(uint64_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

}  // namespace

bool CompleteChecksum(const VnetHdr& h, uint8_t* f, size_t len) {
  size_t start = h.csum_start, at = size_t{h.csum_start} + h.csum_offset;
  if (start >= len || at + 2 > len) return false;
  // The field holds the pseudo-header's sum already; it is summed in.
  Put16(f + at, Fold(Sum(f + start, len - start)));
  return true;
}

GsoSegments::GsoSegments(const VnetHdr& h, const uint8_t* f, size_t len)
    : f_(f), len_(len) {
  uint8_t type = h.gso_type & ~kGsoEcn;
  if (h.gso_size == 0 || len < 14) return;
  l3_ = Be16(f + 12) == 0x8100 ? 18 : 14;
  if (len < l3_ + 1) return;
  uint16_t ethertype = Be16(f + l3_ - 2);
  uint8_t proto;
  if (ethertype == 0x0800 && len >= l3_ + 20) {
    l4_ = l3_ + (f[l3_] & 15) * 4;
    proto = f[l3_ + 9];
  } else if (ethertype == 0x86dd && len >= l3_ + 40) {
    v6_ = true;
    l4_ = l3_ + 40;  // extension headers: not cut (carried whole)
    proto = f[l3_ + 6];
  } else {
    return;
  }
  tcp_ = type == kGsoTcpV4 || type == kGsoTcpV6;
  if (tcp_ ? proto != 6 || (type == kGsoTcpV6) != v6_
           : type != kGsoUdpL4 || proto != 17)
    return;
  if (len < l4_ + (tcp_ ? 20 : 8)) return;
  hdrs_ = l4_ + (tcp_ ? (f[l4_ + 12] >> 4) * 4 : 8);
  if (hdrs_ > len || hdrs_ < l4_ + (tcp_ ? 20 : 8)) return;
  mss_ = h.gso_size;
}

size_t GsoSegments::count() const {
  if (!ok()) return 0;
  size_t payload = len_ - hdrs_;
  return payload == 0 ? 1 : (payload + mss_ - 1) / mss_;
}

size_t GsoSegments::Next(uint8_t* buf, size_t cap) {
  size_t payload = len_ - hdrs_;
  if (!ok() || (off_ >= payload && !(payload == 0 && index_ == 0))) return 0;
  size_t n = std::min(mss_, payload - off_);
  size_t total = hdrs_ + n;
  if (total > cap) return 0;
  memcpy(buf, f_, hdrs_);
  memcpy(buf + hdrs_, f_ + hdrs_ + off_, n);
  bool first = off_ == 0, last = off_ + n >= payload;
  uint8_t* ip = buf + l3_;
  uint8_t* l4 = buf + l4_;
  size_t l4_len = total - l4_;
  uint64_t pseudo;
  if (v6_) {
    Put16(ip + 4, static_cast<uint16_t>(l4_len));
    pseudo = Sum(ip + 8, 32) + l4_len + ip[6];
  } else {
    Put16(ip + 2, static_cast<uint16_t>(total - l3_));
    Put16(ip + 4, static_cast<uint16_t>(Be16(f_ + l3_ + 4) + index_));
    Put16(ip + 10, 0);
    Put16(ip + 10, Fold(Sum(ip, l4_ - l3_)));
    pseudo = Sum(ip + 12, 8) + l4_len + ip[9];
  }
  size_t csum_at;
  if (tcp_) {
    Put32(l4 + 4, Be32(f_ + l4_ + 4) + static_cast<uint32_t>(off_));
    if (!last) l4[13] &= static_cast<uint8_t>(~(kTcpFin | kTcpPsh));
    if (!first) l4[13] &= static_cast<uint8_t>(~kTcpCwr);
    csum_at = 16;
  } else {
    Put16(l4 + 4, static_cast<uint16_t>(l4_len));
    csum_at = 6;
  }
  Put16(l4 + csum_at, 0);
  uint16_t c = Fold(Sum(l4, l4_len, pseudo));
  if (!tcp_ && c == 0) c = 0xffff;
  Put16(l4 + csum_at, c);
  off_ += n;
  ++index_;
  return total;
}

}  // namespace swapbench
