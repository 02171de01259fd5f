#include "netem/tap.h"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

namespace swapbench {

int InNetns(const std::string& netns_path,
            const std::function<int(std::string* error)>& open_fd,
            std::string* error) {
  std::string err;
  int fd = -1;
  if (netns_path.empty()) {
    fd = open_fd(&err);
  } else {
    std::thread t([&] {
      int ns = open(netns_path.c_str(), O_RDONLY | O_CLOEXEC);
      if (ns < 0 || setns(ns, CLONE_NEWNET) != 0) {
        err = "setns " + netns_path + ": " + strerror(errno);
        if (ns >= 0) close(ns);
        return;
      }
      close(ns);
      fd = open_fd(&err);
    });
    t.join();
  }
  if (fd < 0 && error) *error = err;
  return fd;
}

namespace {

// What the reader takes: checksum offload, TSO and (Linux 6.2+) USO.
unsigned Offloads(bool uso) {
  unsigned f = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN;
#ifdef TUN_F_USO4
  if (uso) f |= TUN_F_USO4 | TUN_F_USO6;
#else
  (void)uso;
#endif
  return f;
}

int OpenTapHere(const std::string& name, bool vnet_hdr, std::string* err) {
  int tfd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (tfd < 0) {
    *err = std::string("open /dev/net/tun: ") + strerror(errno);
    return -1;
  }
  struct ifreq ifr;
  memset(&ifr, 0, sizeof(ifr));
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI | (vnet_hdr ? IFF_VNET_HDR : 0);
  strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
  if (ioctl(tfd, TUNSETIFF, &ifr) != 0) {
    *err = "TUNSETIFF " + name + ": " + strerror(errno);
    close(tfd);
    return -1;
  }
  unsigned long offloads = 0;
  if (vnet_hdr) {
    offloads = Offloads(true);
    if (ioctl(tfd, TUNSETOFFLOAD, offloads) != 0) offloads = Offloads(false);
  }
  if (ioctl(tfd, TUNSETOFFLOAD, offloads) != 0) {
    *err = "TUNSETOFFLOAD " + name + ": " + strerror(errno);
    close(tfd);
    return -1;
  }
  return tfd;
}

}  // namespace

int OpenTapInNetns(const std::string& netns_path, const std::string& name,
                   std::string* error, bool vnet_hdr) {
  return InNetns(
      netns_path,
      [&](std::string* err) { return OpenTapHere(name, vnet_hdr, err); },
      error);
}

}  // namespace swapbench
