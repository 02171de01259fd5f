#include "netem/packet.h"

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "netem/tap.h"

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23  // Linux 4.20
#endif

namespace swapbench {

namespace {

std::string Errno(const std::string& what) {
  return what + ": " + strerror(errno);
}

int OpenHere(const std::string& ifname, bool vnet_hdr, std::string* err) {
  unsigned idx = if_nametoindex(ifname.c_str());
  if (idx == 0) {
    *err = Errno("interface " + ifname);
    return -1;
  }
  int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
                  htons(ETH_P_ALL));
  if (fd < 0) {
    *err = Errno("AF_PACKET socket");
    return -1;
  }
  auto fail = [&](const std::string& what) {
    *err = Errno(what + " " + ifname);
    close(fd);
    return -1;
  };
  int one = 1, buf = 8 << 20;
  if (setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one)))
    return fail("PACKET_IGNORE_OUTGOING");
  if (vnet_hdr &&
      setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)))
    return fail("PACKET_VNET_HDR");
  setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf));
  setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof(buf));
  sockaddr_ll a{};
  a.sll_family = AF_PACKET;
  a.sll_protocol = htons(ETH_P_ALL);
  a.sll_ifindex = static_cast<int>(idx);
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0)
    return fail("bind");
  packet_mreq m{};
  m.mr_ifindex = static_cast<int>(idx);
  m.mr_type = PACKET_MR_PROMISC;
  if (setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &m, sizeof(m)))
    return fail("promiscuous");
  ifreq ifr{};
  strncpy(ifr.ifr_name, ifname.c_str(), IFNAMSIZ - 1);
  if (ioctl(fd, SIOCGIFFLAGS, &ifr) != 0) return fail("SIOCGIFFLAGS");
  ifr.ifr_flags |= IFF_UP;
  if (ioctl(fd, SIOCSIFFLAGS, &ifr) != 0) return fail("up");
  return fd;
}

}  // namespace

int OpenPacketSocket(const std::string& netns_path, const std::string& ifname,
                     std::string* error, bool vnet_hdr) {
  return InNetns(
      netns_path,
      [&](std::string* err) { return OpenHere(ifname, vnet_hdr, err); }, error);
}

}  // namespace swapbench
