// The relay on real sockets, no root: the guest's side is a UDP socket on
// loopback (as QEMU's would be), the TAP and a flood port are datagram
// socketpairs (one frame per read, like a TAP or an AF_PACKET socket).
#include "netem/relay.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "netem/clock.h"
#include "netem/gso.h"
#include "netem/testing.h"

namespace swapbench {
namespace {
using namespace testing;

struct Pair {
  int ours = -1, relays = -1;
  Pair() {
    int fds[2];
    EXPECT_EQ(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, fds), 0);
    ours = fds[0];
    relays = fds[1];
    fcntl(relays, F_SETFL, O_NONBLOCK);  // as a TAP the relay opens
  }
};

// QEMU's end of the guest NIC: a UDP socket on an ephemeral loopback port.
int GuestSocket(uint16_t* port) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  socklen_t len = sizeof(a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  *port = ntohs(a.sin_port);
  return fd;
}

// The next frame the guest receives within a second; empty if none.
std::vector<uint8_t> Receive(int fd) {
  pollfd p = {fd, POLLIN, 0};
  if (poll(&p, 1, 1000) != 1) return {};
  std::vector<uint8_t> f(65536);
  ssize_t n = recv(fd, f.data(), f.size(), 0);
  f.resize(n > 0 ? n : 0);
  return f;
}

// Options with one flood whose frames come from a port (tcpreplay's).
RelayOptions WithFloodPort() {
  RelayOptions o;
  FloodConfig f;
  f.name = "replayed";
  f.kind = "tcpreplay";
  o.floods = {f};
  return o;
}

// A relay on socketpairs and a loopback "guest", flood 0 read from `port`.
struct Bench {
  Pair tap, port;
  Relay relay;
  int guest = -1;
  explicit Bench(const RelayOptions& o) : relay(o, tap.relays) {
    uint16_t guest_port = 0;
    guest = GuestSocket(&guest_port);
    EXPECT_TRUE(relay.Open(guest_port)) << relay.error();
    relay.AddFloodPort(0, port.relays);
    EXPECT_TRUE(relay.Start()) << relay.error();
  }
  ~Bench() {
    relay.Stop();
    close(guest);
    close(tap.ours);
    close(port.ours);
  }
};

TEST(RelayTest, FloodPortFramesReachTheGuestThroughTheChainAsThatFlood) {
  RelayOptions o = WithFloodPort();
  o.trace_path = ::testing::TempDir() + "/relay-flood-port.tsv";
  Bench b(o);
  Relay& relay = b.relay;
  Pair& port = b.port;
  int guest = b.guest;
  relay.SetEpoch(MonotonicNs() / 1e9);

  std::vector<uint8_t> frame = UdpFrame(300, 33434);
  ASSERT_EQ(write(port.ours, frame.data(), frame.size()),
            static_cast<ssize_t>(frame.size()));
  EXPECT_EQ(Receive(guest), frame);
  relay.Stop();
  RelaySnapshot s = relay.snapshot();
  ASSERT_EQ(s.floods.size(), 1u);
  EXPECT_EQ(s.floods[0].kind, "tcpreplay");
  EXPECT_EQ(s.floods[0].sent, 1u);
  EXPECT_EQ(s.floods[0].delivered, 1u);
  EXPECT_EQ(s.floods[0].pps, 0);
  EXPECT_EQ(s.counters.to_guest.frames, 1u);
  // Flood frames are not the guest's traffic: no TCP progress.
  EXPECT_LT(relay.last_tcp_data(), 0);
  std::ifstream trace(o.trace_path);
  std::stringstream text;
  text << trace.rdbuf();
  EXPECT_NE(text.str().find("to_guest"), std::string::npos) << text.str();
}

TEST(RelayTest, FloodPortFramesMeetTheToGuestImpairments) {
  RelayOptions o = WithFloodPort();
  ImpairmentConfig loss = Imp("loss");
  loss.direction = "to_guest";
  loss.p = 1.0;
  o.link.impairments = {loss};
  Bench b(o);
  Relay& relay = b.relay;
  Pair& port = b.port;
  int guest = b.guest;
  std::vector<uint8_t> frame = UdpFrame(300, 33434);
  for (int i = 0; i < 5; ++i)
    ASSERT_EQ(write(port.ours, frame.data(), frame.size()),
              static_cast<ssize_t>(frame.size()));
  EXPECT_TRUE(Receive(guest).empty());
  relay.Stop();
  RelaySnapshot s = relay.snapshot();
  EXPECT_EQ(s.floods[0].sent, 5u);
  EXPECT_EQ(s.floods[0].delivered, 0u);
}

// Offloaded frames (RelayOptions::vnet_hdr): the guest's side and the TAP
// are datagram socketpairs whose datagrams are a virtio-net header and a
// frame, as PACKET_VNET_HDR and IFF_VNET_HDR make them.
struct VnetBench {
  Pair tap, guest;
  Relay relay;
  explicit VnetBench(RelayOptions o) : relay(With(o), tap.relays) {
    EXPECT_TRUE(relay.OpenPacket(guest.relays)) << relay.error();
    EXPECT_TRUE(relay.Start()) << relay.error();
  }
  ~VnetBench() {
    relay.Stop();
    close(tap.ours);
    close(guest.ours);
  }
  static RelayOptions With(RelayOptions o) {
    o.vnet_hdr = true;
    return o;
  }
};

void SendVnet(int fd, const VnetHdr& h, const std::vector<uint8_t>& f) {
  std::vector<uint8_t> d(sizeof h + f.size());
  memcpy(d.data(), &h, sizeof h);
  memcpy(d.data() + sizeof h, f.data(), f.size());
  ASSERT_EQ(write(fd, d.data(), d.size()), static_cast<ssize_t>(d.size()));
}

// The datagrams that arrive within a second, split into header and frame.
std::vector<std::pair<VnetHdr, std::vector<uint8_t>>> ReceiveVnet(int fd,
                                                                  size_t n) {
  std::vector<std::pair<VnetHdr, std::vector<uint8_t>>> out;
  while (out.size() < n) {
    std::vector<uint8_t> d = Receive(fd);
    if (d.size() < sizeof(VnetHdr)) break;
    VnetHdr h;
    memcpy(&h, d.data(), sizeof h);
    out.push_back({h, {d.begin() + sizeof h, d.end()}});
  }
  return out;
}

// A TCP super-frame of 4000 bytes of payload and its header (MSS 1448).
std::pair<VnetHdr, std::vector<uint8_t>> SuperFrame() {
  std::vector<uint8_t> f(54 + 4000);
  BuildTcp(f.data(), static_cast<int>(f.size()), kServerMac, kGuestMac,
           kServerIp, kGuestIp, 2049, 800, 1, 0x18);
  VnetHdr h;
  h.gso_type = kGsoTcpV4;
  h.gso_size = 1448;
  h.hdr_len = 54;
  return {h, f};
}

TEST(RelayVnetTest, WithNothingPerFrameGsoFramesCrossWhole) {
  VnetBench b({});
  auto [h, f] = SuperFrame();
  SendVnet(b.tap.ours, h, f);
  auto got = ReceiveVnet(b.guest.ours, 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].first.gso_type, kGsoTcpV4);
  EXPECT_EQ(got[0].first.gso_size, 1448);
  EXPECT_EQ(got[0].second, f);
  SendVnet(b.guest.ours, h, f);
  auto back = ReceiveVnet(b.tap.ours, 1);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].second, f);
  b.relay.Stop();
  RelaySnapshot s = b.relay.snapshot();
  EXPECT_TRUE(s.offload.vnet_hdr);
  EXPECT_FALSE(s.offload.segmenting);
  EXPECT_EQ(s.offload.gso_frames, 2u);
  EXPECT_EQ(s.offload.segments, 0u);
  EXPECT_EQ(s.counters.to_guest.frames, 1u);
  EXPECT_EQ(s.counters.to_server.frames, 1u);
}

TEST(RelayVnetTest, AnImpairmentSeesWireFramesWithCompleteChecksums) {
  RelayOptions o;
  ImpairmentConfig loss = Imp("loss");
  loss.p = 0;  // decides per frame, drops none
  o.link.impairments = {loss};
  o.trace_path = ::testing::TempDir() + "/relay-vnet.tsv";
  VnetBench b(o);
  auto [h, f] = SuperFrame();
  SendVnet(b.tap.ours, h, f);
  auto got = ReceiveVnet(b.guest.ours, 3);
  ASSERT_EQ(got.size(), 3u);
  for (const auto& [gh, gf] : got) {
    EXPECT_FALSE(IsOffloaded(gh));
    EXPECT_LE(gf.size(), 1502u);
    auto fixed = gf;
    FixChecksums(fixed.data(), fixed.size());
    EXPECT_EQ(fixed, gf) << "checksums complete";
  }
  // A partial checksum alone is finished.
  std::vector<uint8_t> small = NfsFrame(300);
  auto want = small;
  small[50] = small[51] = 0x55;
  VnetHdr partial;
  partial.flags = kVnetNeedsCsum;
  partial.csum_start = 34;
  partial.csum_offset = 16;
  uint32_t pseudo = (kServerIp >> 16) + (kServerIp & 0xffff) +
                    (kGuestIp >> 16) + (kGuestIp & 0xffff) + 6 + (300 - 34);
  uint16_t p16 = static_cast<uint16_t>(~Checksum16(nullptr, 0, pseudo));
  small[50] = p16 >> 8, small[51] = p16 & 255;
  SendVnet(b.guest.ours, partial, small);
  auto back = ReceiveVnet(b.tap.ours, 1);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_FALSE(IsOffloaded(back[0].first));
  EXPECT_EQ(back[0].second, want);
  b.relay.Stop();
  RelaySnapshot s = b.relay.snapshot();
  EXPECT_TRUE(s.offload.segmenting);
  EXPECT_EQ(s.offload.gso_frames, 1u);
  EXPECT_EQ(s.offload.segments, 3u);
  EXPECT_EQ(s.counters.to_guest.frames, 3u) << "the chain saw wire frames";
  std::ifstream trace(o.trace_path);
  std::string line;
  int lines = 0;
  while (std::getline(trace, line)) ++lines;
  EXPECT_EQ(lines, 1 + 3 + 1) << "header, three cut frames, one whole";
}

TEST(RelayVnetTest, UdpNeedsNoHeaders) {
  RelayOptions o;
  o.vnet_hdr = true;
  Pair tap;
  Relay relay(o, tap.relays);
  EXPECT_FALSE(relay.Open(0));
  EXPECT_NE(relay.error().find("AF_PACKET"), std::string::npos);
  close(tap.ours);
}

}  // namespace
}  // namespace swapbench
