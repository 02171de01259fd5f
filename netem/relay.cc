#include "netem/relay.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <limits>

#include "netem/clock.h"
#include "netem/gso.h"
#include "netem/pcap.h"

namespace swapbench {

namespace {
constexpr int kBatch = 64;
// A GSO super-frame: 64 KiB of IP, its Ethernet header and a VLAN tag.
constexpr size_t kFrameMax = 65536 + 256;
constexpr VnetHdr kWireHdr{};        // a frame as it is on the wire
constexpr int kFloodPerRound = 256;  // bounded work per loop round
constexpr int64_t kNever = std::numeric_limits<int64_t>::max();
constexpr int64_t kPublishNs = 50 * 1000000;

}  // namespace

// The relay thread's state.
struct Relay::Impl {
  explicit Impl(const RelayOptions& o) : link(o.link) {
    for (size_t i = 0; i < o.floods.size(); ++i)
      floods.emplace_back(o.floods[i], o.link.seed,
                          i < o.flood_frames.size() ? o.flood_frames[i]
                                                    : std::vector<PcapFrame>{});
    flood_delivered.assign(floods.size(), 0);
    port_sent.assign(floods.size(), 0);
    ep.guest_ip = o.guest_ip;
    ep.server_ip = o.server_ip;
    offload.vnet_hdr = o.vnet_hdr;
    offload.segmenting =
        o.vnet_hdr && (!o.link.impairments.empty() || !o.link.phases.empty());
  }
  // Calls emit(frame, len, hdr) with what the chain is offered for one
  // frame that arrived with `h`: the frame itself, or (segmenting) the wire
  // frames it stands for, each with complete checksums, built in `wire`.
  template <class Emit>
  void Wire(const VnetHdr& h, uint8_t* f, size_t len, uint8_t* wire,
            Emit&& emit) {
    if (h.gso_type != kGsoNone) ++offload.gso_frames;
    if (!offload.segmenting || !IsOffloaded(h)) return emit(f, len, h);
    if (h.gso_type == kGsoNone) {
      CompleteChecksum(h, f, len);
      return emit(f, len, kWireHdr);
    }
    GsoSegments segs(h, f, len);
    if (!segs.ok()) {
      ++offload.uncut;
      return emit(f, len, h);
    }
    while (size_t n = segs.Next(wire, kFrameMax)) {
      ++offload.segments;
      emit(wire, n, kWireHdr);
    }
  }
  Link link;
  // offload.segmenting: cut GSO frames into wire frames before the chain
  // (something on the link decides per frame).
  OffloadCounters offload;
  std::vector<FloodSource> floods;
  std::vector<uint64_t> flood_delivered;
  std::vector<uint64_t> port_sent;  // frames read from a flood's port
  Endpoints ep;
  bool have_guest_mac = false, have_server_mac = false;
  TcpProgress progress[2];
  bool batch_data = false;
  FILE* trace = nullptr;
  PcapWriter pcap_guest, pcap_server;
  int64_t t0 = 0;           // monotonic ns at start: the trace's zero
  int64_t wall_offset = 0;  // realtime - monotonic, for pcap stamps
  int64_t epoch = -1;

  ~Impl() {
    if (trace) fclose(trace);
  }

  void Learn(Direction dir, const uint8_t* f, size_t len) {
    if (len < 14 || (have_guest_mac && have_server_mac)) return;
    FrameInfo i = ParseFrame(f, len);
    if (dir == Direction::kToServer && i.saddr == ep.guest_ip && ep.guest_ip) {
      memcpy(ep.guest_mac, f + 6, 6);
      have_guest_mac = true;
    } else if (dir == Direction::kToGuest && i.saddr == ep.server_ip &&
               ep.server_ip) {
      memcpy(ep.server_mac, f + 6, 6);
      have_server_mac = true;
    }
    ep.known = have_guest_mac && have_server_mac;
  }
  void Trace(const Decision& d) {
    if (!trace) return;
    char line[512];
    size_t n = FormatTrace(link, d, t0, line, sizeof(line) - 1);
    line[n++] = '\n';
    fwrite(line, 1, n, trace);
  }
  // Frames as they reached the relay (before the link) and as they left it.
  void CaptureIn(Direction dir, int64_t now, const uint8_t* f, size_t len) {
    (dir == Direction::kToServer ? pcap_guest : pcap_server)
        .Write(now + wall_offset, f, len);
  }
  void CaptureOut(Direction dir, int64_t now, const uint8_t* f, size_t len) {
    (dir == Direction::kToServer ? pcap_server : pcap_guest)
        .Write(now + wall_offset, f, len);
  }
  // The earliest flood frame due, in monotonic ns; kNever if none.
  int64_t NextFlood() const {
    if (epoch < 0 || !ep.known) return kNever;
    int64_t t = kNever;
    for (const auto& f : floods) {
      int64_t d = f.NextDue();
      if (d != kNever) t = std::min(t, epoch + d);
    }
    return t;
  }
};

Relay::Relay(const RelayOptions& options, int tap_fd)
    : options_(options),
      impl_(std::make_unique<Impl>(options)),
      tap_fd_(tap_fd) {}

Relay::~Relay() {
  Stop();
  if (guest_fd_ >= 0) close(guest_fd_);
  if (tap_fd_ >= 0) close(tap_fd_);
  if (stop_fd_ >= 0) close(stop_fd_);
  for (const auto& port : flood_ports_) close(port.second);
}

bool Relay::Open(uint16_t guest_port) {
  if (options_.vnet_hdr) {
    Fail("virtio-net headers need an AF_PACKET guest side, not UDP");
    return false;
  }
  guest_fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (guest_fd_ < 0) {
    Fail(std::string("udp socket: ") + strerror(errno));
    return false;
  }
  int buf = 8 << 20;
  setsockopt(guest_fd_, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf));
  setsockopt(guest_fd_, SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof(buf));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(guest_fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
    Fail(std::string("udp bind 127.0.0.1: ") + strerror(errno));
    return false;
  }
  socklen_t len = sizeof(a);
  getsockname(guest_fd_, reinterpret_cast<sockaddr*>(&a), &len);
  local_port_ = ntohs(a.sin_port);
  sockaddr_in peer{};
  peer.sin_family = AF_INET;
  peer.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  peer.sin_port = htons(guest_port);
  if (connect(guest_fd_, reinterpret_cast<sockaddr*>(&peer), sizeof(peer)) !=
      0) {
    Fail(std::string("udp connect 127.0.0.1:") + std::to_string(guest_port) +
         ": " + strerror(errno));
    return false;
  }
  return OpenOutputs();
}

bool Relay::OpenPacket(int packet_fd) {
  guest_fd_ = packet_fd;
  if (guest_fd_ < 0) {
    Fail("no AF_PACKET socket");
    return false;
  }
  return OpenOutputs();
}

bool Relay::OpenOutputs() {
  std::string err;
  if (!options_.trace_path.empty()) {
    impl_->trace = fopen(options_.trace_path.c_str(), "we");
    if (!impl_->trace) {
      Fail("trace " + options_.trace_path + ": " + strerror(errno));
      return false;
    }
    setvbuf(impl_->trace, nullptr, _IOFBF, 1 << 20);
    fprintf(impl_->trace, "%s\n", TraceHeader());
  }
  if (!options_.pcap_guest_path.empty() &&
      (!impl_->pcap_guest.Open(options_.pcap_guest_path, options_.snaplen,
                               &err) ||
       !impl_->pcap_server.Open(options_.pcap_server_path, options_.snaplen,
                                &err))) {
    Fail("pcap: " + err);
    return false;
  }
  stop_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  return stop_fd_ >= 0;
}

void Relay::AddFloodPort(size_t flood, int packet_fd) {
  flood_ports_.emplace_back(flood, packet_fd);
}

bool Relay::Start() {
  if (guest_fd_ < 0 || tap_fd_ < 0) return false;
  impl_->t0 = MonotonicNs();
  impl_->wall_offset = WallNs() - impl_->t0;
  {
    std::lock_guard<std::mutex> l(mu_);
    snap_.phases = impl_->link.Phases();
    snap_.impairments = impl_->link.Impairments();
  }
  thread_ = std::thread([this] { Loop(); });
  return true;
}

void Relay::Stop() {
  if (!thread_.joinable()) return;
  uint64_t one = 1;
  (void)!write(stop_fd_, &one, sizeof(one));
  thread_.join();
  if (impl_->trace) fflush(impl_->trace);
  impl_->pcap_guest.Close();
  impl_->pcap_server.Close();
}

void Relay::SetEpoch(double monotonic_s) {
  epoch_ns_.store(static_cast<int64_t>(monotonic_s * 1e9));
}

void Relay::Fail(const std::string& msg) {
  std::lock_guard<std::mutex> l(mu_);
  if (error_.empty()) error_ = msg;
}

std::string Relay::error() const {
  std::lock_guard<std::mutex> l(mu_);
  return error_;
}

double Relay::last_tcp_data() const {
  int64_t ns = last_data_ns_.load(std::memory_order_relaxed);
  return ns < 0 ? -1 : ns / 1e9;
}

RelayCounters Relay::counters() const {
  std::lock_guard<std::mutex> l(mu_);
  return snap_.counters;
}

RelaySnapshot Relay::snapshot() const {
  std::lock_guard<std::mutex> l(mu_);
  return snap_;
}

void Relay::Loop() {
  // The link is on every round trip of the guest's swap: its thread runs
  // ahead of the guest's own (TCG) threads when the host's cores are busy.
  (void)setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), -10);
  Impl& m = *impl_;
  Link& link = m.link;
  // Buffers for one batch per direction, allocated once. With virtio-net
  // headers each message is two pieces: the header, the frame.
  const bool vnet = options_.vnet_hdr;
  const size_t hdr_len = vnet ? sizeof(VnetHdr) : 0;
  const int pieces = vnet ? 2 : 1;
  std::unique_ptr<uint8_t[]> in_buf(new uint8_t[kBatch * kFrameMax]);
  std::unique_ptr<uint8_t[]> out_buf(new uint8_t[kBatch * kFrameMax]);
  // Segmenting: the TAP's super-frame, and the wire frame being cut.
  std::unique_ptr<uint8_t[]> super(new uint8_t[kFrameMax]);
  std::unique_ptr<uint8_t[]> wire(new uint8_t[kFrameMax]);
  VnetHdr in_hdr[kBatch], out_hdr[kBatch], super_hdr;
  mmsghdr in_msgs[kBatch];
  iovec in_iov[kBatch][2];
  mmsghdr out_msgs[kBatch];
  iovec out_iov[kBatch][2];
  memset(in_msgs, 0, sizeof(in_msgs));
  memset(out_msgs, 0, sizeof(out_msgs));
  for (int i = 0; i < kBatch; ++i) {
    in_iov[i][0] = {&in_hdr[i], sizeof(VnetHdr)};
    in_iov[i][1] = {in_buf.get() + i * kFrameMax, kFrameMax};
    in_msgs[i].msg_hdr.msg_iov = in_iov[i] + 2 - pieces;
    in_msgs[i].msg_hdr.msg_iovlen = pieces;
    out_iov[i][0] = {&out_hdr[i], sizeof(VnetHdr)};
    out_msgs[i].msg_hdr.msg_iov = out_iov[i] + 2 - pieces;
    out_msgs[i].msg_hdr.msg_iovlen = pieces;
  }
  int k = 0;  // frames waiting in out_msgs for the guest
  auto flush = [&] {
    int sent = 0;
    while (sent < k) {
      int r = sendmmsg(guest_fd_, out_msgs + sent, k - sent, 0);
      // QEMU not listening yet (ECONNREFUSED) or a full buffer: the frames
      // are lost as on a real wire; TCP in the guest retransmits.
      if (r < 0) break;
      sent += r;
    }
    k = 0;
  };
  auto slot = [&]() -> uint8_t* {
    if (k == kBatch) flush();
    return out_buf.get() + k * kFrameMax;
  };
  // Hands a frame that has left the link to the guest (copying it and its
  // header into the batch unless they already are the slot's) or to the
  // TAP. Flood frames are not the guest's traffic: they never count as
  // progress.
  auto to_guest = [&](int64_t now, const uint8_t* f, size_t len, bool flood,
                      const VnetHdr& h) {
    uint8_t* s = slot();
    if (s != f) memcpy(s, f, len);
    if (&h != &out_hdr[k]) out_hdr[k] = h;
    if (!flood) m.batch_data |= m.progress[0].Observe(s, len) > 0;
    m.CaptureOut(Direction::kToGuest, now, s, len);
    out_iov[k++][1] = {s, len};
  };
  auto to_server = [&](int64_t now, const uint8_t* f, size_t len,
                       const VnetHdr& h) -> bool {
    m.batch_data |= m.progress[1].Observe(f, len) > 0;
    m.CaptureOut(Direction::kToServer, now, f, len);
    iovec v[2] = {{const_cast<VnetHdr*>(&h), sizeof(VnetHdr)},
                  {const_cast<uint8_t*>(f), len}};
    if (writev(tap_fd_, v + 2 - pieces, pieces) < 0 && errno != EAGAIN &&
        errno != EIO) {
      Fail(std::string("tap write: ") + strerror(errno));
      return false;
    }
    return true;
  };
  int64_t next_publish = 0;
  auto publish = [&](int64_t now, bool force) {
    if (m.batch_data) {
      last_data_ns_.store(now, std::memory_order_relaxed);
      m.batch_data = false;
    }
    if (!force && now < next_publish) {
      // Cheap counters every round; the full snapshot every 50 ms.
      std::lock_guard<std::mutex> l(mu_);
      snap_.counters = {link.counters(Direction::kToGuest),
                        link.counters(Direction::kToServer)};
      return;
    }
    next_publish = now + kPublishNs;
    RelaySnapshot s;
    s.counters = {link.counters(Direction::kToGuest),
                  link.counters(Direction::kToServer)};
    s.offload = m.offload;
    s.impairments = link.Impairments();
    s.phases = link.Phases();
    for (size_t i = 0; i < m.floods.size(); ++i) {
      const FloodConfig& c = m.floods[i].config();
      s.floods.push_back({c.name, c.kind, m.floods[i].sent() + m.port_sent[i],
                          m.flood_delivered[i],
                          c.kind == "pcap" || c.kind == "tcpreplay" ? 0 : c.pps,
                          c.at_s, c.for_s});
    }
    std::lock_guard<std::mutex> l(mu_);
    snap_ = std::move(s);
  };

  std::vector<pollfd> fds = {
      {guest_fd_, POLLIN, 0}, {tap_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
  for (const auto& [flood, fd] : flood_ports_) fds.push_back({fd, POLLIN, 0});
  // A flood frame offered to the to_guest chain, traced and captured.
  auto offer_flood = [&](int64_t now, size_t flood, uint8_t* f, size_t len) {
    m.CaptureIn(Direction::kToGuest, now, f, len);
    const Decision& d = link.Offer(Direction::kToGuest, f, len, now);
    m.Trace(d);
    if (!(d.actions & (kActDrop | kActQueueDrop))) ++m.flood_delivered[flood];
    if (d.now) to_guest(now, f, len, true, kWireHdr);
  };
  for (;;) {
    int64_t now = MonotonicNs();
    if (m.epoch < 0) {
      int64_t e = epoch_ns_.load(std::memory_order_relaxed);
      if (e >= 0) {
        m.epoch = e;
        link.SetEpoch(e);
      }
    }
    int64_t wake = std::min(link.NextDue(), m.NextFlood());
    if (m.epoch < 0 && epoch_ns_.load() < 0 && !m.floods.empty())
      wake =
          std::min<int64_t>(wake, now + 100 * 1000000LL);  // look for the epoch
    timespec ts, *tsp = nullptr;
    if (wake != kNever) {
      int64_t d = std::max<int64_t>(0, wake - now);
      ts = {static_cast<time_t>(d / 1000000000),
            static_cast<long>(d % 1000000000)};
      tsp = &ts;
    }
    int n = ppoll(fds.data(), fds.size(), tsp, nullptr);
    if (n < 0) {
      if (errno == EINTR) continue;
      Fail(std::string("poll: ") + strerror(errno));
      return;
    }
    if (fds[2].revents) {
      publish(MonotonicNs(), true);
      return;
    }
    now = MonotonicNs();
    // Frames whose delay has run out leave first: they are older.
    const uint8_t* qf;
    size_t ql;
    while (link.PopDue(Direction::kToServer, now, &qf, &ql))
      if (!to_server(now, qf, ql, kWireHdr)) return;
    while (link.PopDue(Direction::kToGuest, now, &qf, &ql))
      to_guest(now, qf, ql, false, kWireHdr);
    if (n > 0 && (fds[0].revents & POLLIN)) {
      // Guest -> server: datagrams (one Ethernet frame each).
      int got = recvmmsg(guest_fd_, in_msgs, kBatch, MSG_DONTWAIT, nullptr);
      if (got < 0 && errno != EAGAIN && errno != ECONNREFUSED &&
          errno != EINTR) {
        Fail(std::string("recvmmsg: ") + strerror(errno));
        return;
      }
      bool ok = true;
      auto offer = [&](uint8_t* f, size_t len, const VnetHdr& h) {
        m.CaptureIn(Direction::kToServer, now, f, len);
        m.Learn(Direction::kToServer, f, len);
        const Decision& d = link.Offer(Direction::kToServer, f, len, now);
        m.Trace(d);
        if (ok && d.now) ok = to_server(now, f, len, h);
      };
      for (int i = 0; i < got && ok; ++i) {
        if (in_msgs[i].msg_len < hdr_len) continue;
        m.Wire(in_hdr[i], static_cast<uint8_t*>(in_iov[i][1].iov_base),
               in_msgs[i].msg_len - hdr_len, wire.get(), offer);
      }
      if (!ok) return;
    }
    if (n > 0 && (fds[1].revents & POLLIN)) {
      // Server -> guest: drain up to one batch from the TAP, into the
      // guest's batch when the frame goes whole (no copy).
      auto offer = [&](uint8_t* f, size_t len, const VnetHdr& h) {
        m.CaptureIn(Direction::kToGuest, now, f, len);
        m.Learn(Direction::kToGuest, f, len);
        const Decision& d = link.Offer(Direction::kToGuest, f, len, now);
        m.Trace(d);
        if (d.now) to_guest(now, f, len, false, h);
      };
      for (int i = 0; i < kBatch; ++i) {
        uint8_t* f = m.offload.segmenting ? super.get() : slot();
        VnetHdr& h = m.offload.segmenting ? super_hdr : out_hdr[k];
        iovec v[2] = {{&h, sizeof(VnetHdr)}, {f, kFrameMax}};
        ssize_t got = readv(tap_fd_, v + 2 - pieces, pieces);
        if (got < 0) {
          if (errno == EAGAIN || errno == EINTR) break;
          Fail(std::string("tap read: ") + strerror(errno));
          return;
        }
        if (static_cast<size_t>(got) < hdr_len) continue;
        if (!vnet) h = kWireHdr;
        m.Wire(h, f, got - hdr_len, wire.get(), offer);
      }
    }
    // Floods: every frame due by now, a bounded number per round.
    if (m.epoch >= 0 && m.ep.known) {
      for (int budget = kFloodPerRound; budget > 0; --budget) {
        size_t best = m.floods.size();
        int64_t best_t = kNever;
        for (size_t i = 0; i < m.floods.size(); ++i) {
          int64_t t = m.floods[i].NextDue();
          if (t != kNever && m.epoch + t <= now && m.epoch + t < best_t) {
            best = i;
            best_t = m.epoch + t;
          }
        }
        if (best == m.floods.size()) break;
        uint8_t* f = slot();
        offer_flood(now, best, f, m.floods[best].Emit(m.ep, f));
      }
    }
    // Flood ports (tcpreplay): up to one batch each per round.
    for (size_t p = 0; p < flood_ports_.size(); ++p) {
      if (n <= 0 || !(fds[3 + p].revents & POLLIN)) continue;
      auto [flood, fd] = flood_ports_[p];
      for (int i = 0; i < kBatch; ++i) {
        uint8_t* f = slot();
        ssize_t len = recv(fd, f, kFrameMax, MSG_DONTWAIT);
        if (len <= 0) break;
        ++m.port_sent[flood];
        offer_flood(now, flood, f, len);
      }
    }
    flush();
    if ((fds[1].revents & (POLLHUP | POLLNVAL))) {
      Fail("tap: hangup");
      return;
    }
    publish(now, false);
  }
}

}  // namespace swapbench
