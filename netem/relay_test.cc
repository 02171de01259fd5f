// The relay on real sockets, no root: the guest's side is a UDP socket on
// loopback (as QEMU's would be), the TAP and a flood port are datagram
// socketpairs (one frame per read, like a TAP or an AF_PACKET socket).
#include "netem/relay.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "netem/clock.h"
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

}  // namespace
}  // namespace swapbench
