#include "bench/link_preview.h"

#include <cstdio>
#include <cstring>
#include <limits>

#include "bench/kernel_netem.h"
#include "netem/flood.h"
#include "netem/link.h"

namespace swapbench {

namespace {
const uint8_t kGuestMac[6] = {0x52, 0x54, 0x00, 0x00, 0x00, 0x02};
const uint8_t kServerMac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
constexpr uint32_t kServerIp = 0x0ad50001, kGuestIp = 0x0ad50002;
}  // namespace

std::string LinkPreview(const Scenario& s, uint64_t seed, int packets,
                        double pps, PcapWriter* pcap) {
  std::string out;
  char b[256];
  snprintf(
      b, sizeof(b),
      "# link-preview %s seed %llu, %d frames per direction, %g frames/s\n",
      s.name.c_str(), static_cast<unsigned long long>(seed), packets, pps);
  out += b;
  if (s.link.engine == LinkEngine::kKernelNetem) {
    out +=
        "# engine kernel-netem: the guest's netem decides, unseeded (Debian "
        "12's tc has\n"
        "# no netem seed); the agent runs:\n";
    std::string eg = NetemArgs(s.link.config.impairments, "to_server");
    std::string in = NetemArgs(s.link.config.impairments, "to_guest");
    if (!eg.empty()) out += "#   tc qdisc add dev eth0 root netem " + eg + "\n";
    if (!in.empty())
      out +=
          "#   tc qdisc add dev ifb0 root netem " + in + "   (eth0 ingress)\n";
    if (s.link.floods.empty()) return out;
    out += "# the relay still sends the floods:\n";
  }
  LinkConfig lc = s.link.config;
  lc.seed = seed;
  if (s.link.engine == LinkEngine::kKernelNetem)
    lc.impairments.clear(), lc.phases.clear();
  for (const auto& i : lc.impairments) {
    snprintf(b, sizeof(b), "# impairment %s: %s, %s, %s%s\n", i.name.c_str(),
             i.kind.c_str(), i.direction.c_str(), i.filter.Describe().c_str(),
             i.enabled ? "" : ", off until a phase enables it");
    out += b;
  }
  for (const auto& p : lc.phases) {
    snprintf(b, sizeof(b), "# phase %s: %gs-%gs%s\n", p.name.c_str(), p.at_s,
             p.at_s + p.for_s, p.down ? " link down" : "");
    out += b;
  }
  Link link(lc);
  link.SetEpoch(0);
  std::vector<FloodSource> floods;
  for (const auto& f : s.link.floods) {
    std::vector<PcapFrame> frames;
    std::string why;
    if (f.kind == "pcap") ReadPcap(f.file, &frames, &why);
    if (f.kind == "tcpreplay")
      out += "# flood " + f.name +
             ": tcpreplay, its frames timed by the tcpreplay process in a "
             "run, not here\n";
    floods.emplace_back(f, seed, std::move(frames));
  }
  Endpoints ep;
  memcpy(ep.guest_mac, kGuestMac, 6);
  memcpy(ep.server_mac, kServerMac, 6);
  ep.guest_ip = kGuestIp;
  ep.server_ip = kServerIp;
  ep.known = true;
  std::string lines[2];
  int offered[2] = {0, 0};
  uint32_t seq[2] = {1, 1};
  std::vector<uint8_t> buf(65536);
  const int64_t step = static_cast<int64_t>(1e9 / pps);
  int64_t next_nfs[2] = {0, step / 2};  // the directions interleave
  constexpr int64_t kNever = std::numeric_limits<int64_t>::max();
  while (offered[0] < packets || offered[1] < packets) {
    // The next event: an NFS frame in either direction or a flood frame.
    int64_t t = kNever;
    int which = -1;  // 0/1: NFS direction, 2+k: flood k
    for (int d = 0; d < 2; ++d)
      if (offered[d] < packets && next_nfs[d] < t) t = next_nfs[d], which = d;
    for (size_t k = 0; k < floods.size() && offered[0] < packets; ++k)
      if (floods[k].NextDue() < t)
        t = floods[k].NextDue(), which = 2 + static_cast<int>(k);
    if (which < 0) break;
    const uint8_t* qd;
    size_t ql;
    for (Direction d : {Direction::kToGuest, Direction::kToServer})
      while (link.PopDue(d, t, &qd, &ql)) {
      }
    Direction dir;
    size_t len;
    if (which >= 2) {
      dir = Direction::kToGuest;
      len = floods[which - 2].Emit(ep, buf.data());
    } else {
      dir = static_cast<Direction>(which);
      bool to_server = dir == Direction::kToServer;
      len = BuildTcp(buf.data(), 1514, to_server ? kGuestMac : kServerMac,
                     to_server ? kServerMac : kGuestMac,
                     to_server ? kGuestIp : kServerIp,
                     to_server ? kServerIp : kGuestIp, to_server ? 800 : 2049,
                     to_server ? 2049 : 800, seq[which], 0x18);
      seq[which] += 1460;
      next_nfs[which] += step;
    }
    int d = static_cast<int>(dir);
    if (offered[d] >= packets) continue;
    ++offered[d];
    if (pcap) pcap->Write(t, buf.data(), len);
    lines[d] += TraceLine(link, link.Offer(dir, buf.data(), len, t), 0) + "\n";
  }
  out += std::string(TraceHeader()) + "\n";
  out += lines[0];
  out += lines[1];
  for (Direction d : {Direction::kToGuest, Direction::kToServer}) {
    const DirectionCounters& c = link.counters(d);
    snprintf(b, sizeof(b),
             "# %s: %llu frames, %llu dropped (%llu queue), %llu delayed, %llu "
             "duplicated, %llu corrupted, %llu reordered\n",
             DirectionName(d), static_cast<unsigned long long>(c.frames),
             static_cast<unsigned long long>(c.dropped),
             static_cast<unsigned long long>(c.queue_dropped),
             static_cast<unsigned long long>(c.delayed),
             static_cast<unsigned long long>(c.duplicated),
             static_cast<unsigned long long>(c.corrupted),
             static_cast<unsigned long long>(c.reordered));
    out += b;
  }
  return out;
}

}  // namespace swapbench
