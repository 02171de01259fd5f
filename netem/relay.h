// Relay: moves Ethernet frames between the guest's side — the guest NIC's
// UDP socket (libvirt <interface type='udp'>, host namespace, loopback),
// or an AF_PACKET socket on an interface cabled to the guest (packet.h) —
// and a TAP in the storage namespace, through the Link (impairments, phases),
// adding the scenario's floods on the way to the guest, and recording what it
// did: a decision trace (one line per frame) and pcap captures of both sides.
//
// Threading: Start() spawns one relay thread that owns the Link, the flood
// sources, the files and both sockets until Stop(). counters(),
// snapshot(), last_tcp_data() and SetEpoch() may be called from any thread.
// The hot path batches with recvmmsg/sendmmsg and allocates nothing per
// frame on an unimpaired link: a naive relay measured here capped swap at
// ~22 MB/s against 86 MB/s direct.
#ifndef SWAPBENCH_NETEM_RELAY_H_
#define SWAPBENCH_NETEM_RELAY_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "netem/flood.h"
#include "netem/link.h"
#include "netem/tcp_progress.h"

namespace swapbench {

struct RelayCounters {
  DirectionCounters to_guest;
  DirectionCounters to_server;
};

struct FloodReport {
  std::string name, kind;
  uint64_t sent = 0;       // frames the source emitted
  uint64_t delivered = 0;  // of those, frames the link passed to the guest
  // As configured: synthetic rate (0 for pcap), start and length (0: to
  // the end), seconds from the epoch.
  double pps = 0, at_s = 0, for_s = 0;
};

// With virtio-net headers on both sides (RelayOptions::vnet_hdr): what "a
// frame" was. Whole when nothing on the link decides per frame (a GSO
// super-frame is one frame, as on a kernel bridge); cut into wire frames
// before the chain when an impairment or a phase does.
struct OffloadCounters {
  bool vnet_hdr = false;    // the sides carried virtio-net headers
  bool segmenting = false;  // GSO frames were cut into wire frames
  uint64_t gso_frames = 0;  // super-frames that arrived
  uint64_t segments = 0;    // wire frames cut from them
  uint64_t uncut = 0;       // of a kind not cut (UFO, IPv6 extensions): whole
};

// Everything report.json's `link` says, copied out of the relay thread.
struct RelaySnapshot {
  RelayCounters counters;
  OffloadCounters offload;
  std::vector<ImpairmentReport> impairments;
  std::vector<PhaseReport> phases;
  std::vector<FloodReport> floods;
};

struct RelayOptions {
  LinkConfig link;
  std::vector<FloodConfig> floods;
  std::vector<std::vector<PcapFrame>> flood_frames;  // per flood (kind pcap)
  uint32_t guest_ip = 0, server_ip = 0;  // host order; floods address these
  std::string trace_path;                // decision trace; empty: none
  std::string pcap_guest_path;   // the guest's side: what it sent, what it got
  std::string pcap_server_path;  // the server's side: what it sent (and the
                                 // floods), what it got
  int snaplen = 65535;
  // Each frame on both sides starts with a struct virtio_net_hdr: the
  // guest's AF_PACKET socket has PACKET_VNET_HDR and the TAP IFF_VNET_HDR
  // (OpenPacket only).
  bool vnet_hdr = false;
};

class Relay {
 public:
  // Takes ownership of tap_fd.
  Relay(const RelayOptions& options, int tap_fd);
  ~Relay();
  Relay(const Relay&) = delete;
  Relay& operator=(const Relay&) = delete;

  // Binds a UDP socket on 127.0.0.1 (ephemeral port) that sends to
  // 127.0.0.1:guest_port, where QEMU will listen; opens the trace and
  // captures. Returns false with error() set on failure.
  bool Open(uint16_t guest_port);
  // The guest's side is `packet_fd` instead (an AF_PACKET socket bound to
  // one interface, owned from here on); opens the trace and captures.
  bool OpenPacket(int packet_fd);
  // Frames read from `packet_fd` (an AF_PACKET socket, owned from here on)
  // are flood `flood`'s: they enter the to_guest chain like the server's,
  // counted as that flood's. Before Start().
  void AddFloodPort(size_t flood, int packet_fd);
  uint16_t local_port() const { return local_port_; }
  bool Start();
  void Stop();

  // Phases and floods count from here (CLOCK_MONOTONIC seconds).
  void SetEpoch(double monotonic_s);

  RelayCounters counters() const;
  RelaySnapshot snapshot() const;
  // CLOCK_MONOTONIC seconds at which new TCP data (not a retransmission)
  // last crossed the link in either direction; -1 if none yet. The
  // swap-stall watchdog's host-side evidence.
  double last_tcp_data() const;
  // Empty while healthy; the reason when the relay thread failed.
  std::string error() const;

 private:
  struct Impl;
  void Loop();
  void Fail(const std::string& msg);
  bool OpenOutputs();

  RelayOptions options_;
  std::unique_ptr<Impl> impl_;
  int tap_fd_;
  int guest_fd_ = -1;  // UDP or AF_PACKET: one Ethernet frame per datagram
  std::vector<std::pair<size_t, int>> flood_ports_;  // (flood, fd)
  int stop_fd_ = -1;
  uint16_t local_port_ = 0;
  std::thread thread_;
  std::atomic<int64_t> epoch_ns_{-1};
  std::atomic<int64_t> last_data_ns_{-1};
  mutable std::mutex mu_;
  std::string error_;
  RelaySnapshot snap_;
};

}  // namespace swapbench

#endif  // SWAPBENCH_NETEM_RELAY_H_
