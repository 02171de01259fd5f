// The guest's NIC as its driver sees it: the MTU the scenario asks for,
// and two reports — `nic` once the interface is up (driver, version,
// firmware, bus, PCI ID, MTU, queues) and `nic_stats` at the end (the
// kernel's interface counters and the driver's own ethtool -S counters).
// Everything goes through SIOCETHTOOL and sysfs into static buffers: the
// end report is made while the guest is short of memory.
#include <errno.h>
#include <fcntl.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "images/agent/agent.h"
#include "images/agent/protocol.h"

namespace swapbench::agent {

namespace {

constexpr int kMaxStats = 512;

int EthtoolIoctl(int s, const char* ifname, void* data) {
  ifreq ifr;
  memset(&ifr, 0, sizeof(ifr));
  strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
  ifr.ifr_data = static_cast<char*>(data);
  return ioctl(s, SIOCETHTOOL, &ifr);
}

// A JSON string's body: the driver's strings are short and printable, but
// a quote or backslash would break the line.
void Clean(char* s) {
  for (; *s; ++s)
    if (*s == '"' || *s == '\\' || static_cast<unsigned char>(*s) < 0x20)
      *s = '_';
}

// A sysfs file's first line ("0x8086\n" → "8086" with `skip` 2).
void ReadPath(const char* path, char* out, int cap, int skip) {
  out[0] = 0;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  char buf[64];
  int n = PreadAll(fd, buf, sizeof(buf));
  close(fd);
  if (n <= skip) return;
  buf[strcspn(buf, "\n")] = 0;
  snprintf(out, cap, "%s", buf + skip);
  Clean(out);
}

void ReadSys(const char* ifname, const char* leaf, char* out, int cap,
             int skip) {
  char path[128];
  snprintf(path, sizeof(path), "/sys/class/net/%s/%s", ifname, leaf);
  ReadPath(path, out, cap, skip);
}

// Appends `"name":value` pairs of the driver's ethtool -S counters to
// `out` (at most `cap` bytes); returns how many.
int DriverStats(int s, const char* ifname, char* out, int cap) {
  static ethtool_drvinfo info;
  memset(&info, 0, sizeof(info));
  info.cmd = ETHTOOL_GDRVINFO;
  if (EthtoolIoctl(s, ifname, &info) != 0 || info.n_stats == 0) return 0;
  // The kernel fills n_stats entries whatever len says: ask only when they
  // fit the static buffers (the agent allocates nothing).
  if (info.n_stats > kMaxStats) {
    Log("%s: %u driver counters, more than the %d the agent reads", ifname,
        info.n_stats, kMaxStats);
    return 0;
  }
  const int n = info.n_stats;
  static char
      strings_buf[sizeof(ethtool_gstrings) + kMaxStats * ETH_GSTRING_LEN];
  static char stats_buf[sizeof(ethtool_stats) + kMaxStats * sizeof(__u64)];
  auto* strs = reinterpret_cast<ethtool_gstrings*>(strings_buf);
  auto* vals = reinterpret_cast<ethtool_stats*>(stats_buf);
  strs->cmd = ETHTOOL_GSTRINGS;
  strs->string_set = ETH_SS_STATS;
  strs->len = n;
  vals->cmd = ETHTOOL_GSTATS;
  vals->n_stats = n;
  if (EthtoolIoctl(s, ifname, strs) != 0 || EthtoolIoctl(s, ifname, vals) != 0)
    return 0;
  int off = 0, written = 0;
  for (int i = 0; i < n; ++i) {
    char name[ETH_GSTRING_LEN + 1];
    memcpy(name, strs->data + i * ETH_GSTRING_LEN, ETH_GSTRING_LEN);
    name[ETH_GSTRING_LEN] = 0;
    Clean(name);
    int w = snprintf(out + off, cap - off, "%s\"%s\":%llu", written ? "," : "",
                     name, static_cast<unsigned long long>(vals->data[i]));
    if (w < 0 || w >= cap - off) break;
    off += w;
    ++written;
  }
  return written;
}

}  // namespace

void SetMtu(const char* ifname, int mtu) {
  if (mtu <= 0 || mtu == 1500) return;
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ifreq ifr;
  memset(&ifr, 0, sizeof(ifr));
  strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
  ifr.ifr_mtu = mtu;
  int rc = ioctl(s, SIOCSIFMTU, &ifr);
  int err = errno;
  close(s);
  if (rc != 0) {
    static char detail[64];
    snprintf(detail, sizeof(detail), "SIOCSIFMTU %s %d", ifname, mtu);
    Fail("network", err, detail);
  }
}

void ReportNic(const char* ifname) {
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  static ethtool_drvinfo info;
  memset(&info, 0, sizeof(info));
  info.cmd = ETHTOOL_GDRVINFO;
  if (EthtoolIoctl(s, ifname, &info) != 0)
    snprintf(info.driver, sizeof(info.driver), "unknown");
  ethtool_channels ch;
  memset(&ch, 0, sizeof(ch));
  ch.cmd = ETHTOOL_GCHANNELS;
  int queues =
      EthtoolIoctl(s, ifname, &ch) == 0 ? ch.combined_count + ch.rx_count : 1;
  close(s);
  Clean(info.driver);
  Clean(info.version);
  Clean(info.fw_version);
  Clean(info.bus_info);
  // The PCI function's IDs (for virtio-net, eth0's device is the virtio
  // device; bus_info names its PCI parent).
  char vendor[16], device[16], mtu[16], path[128];
  snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vendor", info.bus_info);
  ReadPath(path, vendor, sizeof(vendor), 2);
  snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/device", info.bus_info);
  ReadPath(path, device, sizeof(device), 2);
  ReadSys(ifname, "mtu", mtu, sizeof(mtu), 0);
  Event(protocol::event::kNic,
        "\"ifname\":\"%s\",\"driver\":\"%s\",\"version\":\"%s\","
        "\"firmware\":\"%s\",\"bus_info\":\"%s\",\"pci_id\":\"%s:%s\","
        "\"mtu\":%s,\"queues\":%d,\"driver_stats\":%u",
        ifname, info.driver, info.version, info.fw_version, info.bus_info,
        vendor, device, mtu[0] ? mtu : "0", queues > 0 ? queues : 1,
        info.n_stats);
}

void ReportNicStats(const char* ifname) {
  static const char* const kCounters[] = {
      "rx_packets",       "tx_packets",     "rx_bytes",       "tx_bytes",
      "rx_dropped",       "tx_dropped",     "rx_errors",      "tx_errors",
      "rx_missed_errors", "rx_fifo_errors", "rx_over_errors", "rx_crc_errors",
      "rx_length_errors", "tx_fifo_errors", "tx_timeout"};
  static char members[16384];
  int off = 0;
  off += snprintf(members, sizeof(members), "\"ifname\":\"%s\"", ifname);
  for (const char* c : kCounters) {
    char leaf[64], v[32];
    snprintf(leaf, sizeof(leaf), "statistics/%s", c);
    ReadSys(ifname, leaf, v, sizeof(v), 0);
    if (!v[0]) continue;  // tx_timeout is not in every kernel
    off += snprintf(members + off, sizeof(members) - off, ",\"%s\":%s", c, v);
  }
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  off += snprintf(members + off, sizeof(members) - off, ",\"driver\":{");
  DriverStats(s, ifname, members + off, sizeof(members) - off - 2);
  close(s);
  strncat(members, "}", sizeof(members) - strlen(members) - 1);
  EventMembers(protocol::event::kNicStats, members);
}

}  // namespace swapbench::agent
