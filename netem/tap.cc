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

int OpenTapInNetns(const std::string& netns_path, const std::string& name,
                   std::string* error) {
  int fd = -1;
  std::string err;
  // A fresh thread, so that the setns() dies with it and never affects the
  // caller's thread.
  std::thread t([&] {
    int ns = open(netns_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (ns < 0) {
      err = "open " + netns_path + ": " + strerror(errno);
      return;
    }
    if (setns(ns, CLONE_NEWNET) != 0) {
      err = "setns " + netns_path + ": " + strerror(errno);
      close(ns);
      return;
    }
    close(ns);
    int tfd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (tfd < 0) {
      err = std::string("open /dev/net/tun: ") + strerror(errno);
      return;
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
    if (ioctl(tfd, TUNSETIFF, &ifr) != 0) {
      err = "TUNSETIFF " + name + ": " + strerror(errno);
      close(tfd);
      return;
    }
    if (ioctl(tfd, TUNSETOFFLOAD, 0) != 0) {
      err = "TUNSETOFFLOAD " + name + ": " + strerror(errno);
      close(tfd);
      return;
    }
    fd = tfd;
  });
  t.join();
  if (fd < 0 && error) *error = err;
  return fd;
}

}  // namespace swapbench
