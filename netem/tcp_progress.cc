#include "netem/tcp_progress.h"

#include "netem/bytes.h"

namespace swapbench {

uint64_t TcpProgress::Observe(const uint8_t* f, size_t len) {
  size_t off = 12;
  if (len < off + 2) return 0;
  uint16_t type = Be16(f + off);
  if (type == 0x8100 && len >= off + 6) {  // one VLAN tag
    off += 4;
    type = Be16(f + off);
  }
  if (type != 0x0800) return 0;
  const uint8_t* ip = f + off + 2;
  size_t ip_len = len - off - 2;
  if (ip_len < 20 || (ip[0] >> 4) != 4 || ip[9] != 6) return 0;
  if ((Be16(ip + 6) & 0x1fff) != 0) return 0;  // a later fragment
  size_t ihl = (ip[0] & 0x0f) * 4u;
  size_t total = Be16(ip + 2);
  if (ihl < 20 || total > ip_len || total < ihl + 20) return 0;
  const uint8_t* tcp = ip + ihl;
  size_t doff = (tcp[12] >> 4) * 4u;
  if (doff < 20 || total < ihl + doff) return 0;
  uint32_t payload = static_cast<uint32_t>(total - ihl - doff);
  if (payload == 0) return 0;
  uint32_t saddr = Be32(ip + 12), daddr = Be32(ip + 16);
  uint16_t sport = Be16(tcp), dport = Be16(tcp + 2);
  uint32_t end = Be32(tcp + 4) + payload;
  ++tick_;
  Flow* victim = &flows_[0];
  for (Flow& fl : flows_) {
    if (fl.valid && fl.saddr == saddr && fl.daddr == daddr &&
        fl.sport == sport && fl.dport == dport) {
      fl.used = tick_;
      int32_t ahead = static_cast<int32_t>(end - fl.high);
      if (ahead <= 0) return 0;  // a retransmission
      // More than the segment itself is ahead: data we never saw (lost
      // before the link, or the flow restarted); count what this one adds.
      uint64_t fresh = static_cast<uint32_t>(ahead) < payload
                           ? static_cast<uint32_t>(ahead)
                           : payload;
      fl.high = end;
      new_bytes_ += fresh;
      return fresh;
    }
    if (!fl.valid || (victim->valid && fl.used < victim->used)) victim = &fl;
  }
  *victim = Flow{saddr, daddr, sport, dport, end, tick_, true};
  new_bytes_ += payload;
  return payload;
}

}  // namespace swapbench
