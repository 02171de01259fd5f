#include "bench/hostdev.h"

#include <ifaddrs.h>
#include <netdb.h>
#include <sys/socket.h>

#include <cstdlib>
#include <filesystem>
#include <regex>

#include "bench/fs_util.h"
#include "bench/text.h"

namespace swapbench {

namespace fs = std::filesystem;

namespace {

std::string Under(const HostView& h, const std::string& path) {
  std::string root = h.root;
  while (!root.empty() && root.back() == '/') root.pop_back();
  return root + path;
}

// The last component of a symlink's target, or "" when there is none.
std::string LinkName(const std::string& path) {
  std::error_code ec;
  fs::path target = fs::read_symlink(path, ec);
  return ec ? "" : target.filename().string();
}

std::string ReadTrimmed(const std::string& path) {
  auto r = ReadFile(path);
  return r.ok() ? TrimRight(*r) : "";
}

bool Bridge(const HostView& h, const std::string& dev) {
  return ReadTrimmed(Under(h, "/sys/bus/pci/devices/" + dev + "/class"))
             .rfind("0x0604", 0) == 0;
}

Status Refuse(const std::string& what, const std::string& why) {
  return Status::Usage(what + ": " + why);
}

}  // namespace

bool ValidPciAddress(const std::string& pci) {
  static const std::regex re("[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7]");
  return std::regex_match(pci, re);
}

HostView RealHost() {
  HostView h;
  h.addresses = [](const std::string& name) {
    std::vector<std::string> out;
    ifaddrs* list = nullptr;
    if (getifaddrs(&list) != 0) return out;
    for (ifaddrs* a = list; a; a = a->ifa_next) {
      if (!a->ifa_addr || name != a->ifa_name) continue;
      int fam = a->ifa_addr->sa_family;
      if (fam != AF_INET && fam != AF_INET6) continue;
      char host[NI_MAXHOST];
      socklen_t len =
          fam == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6);
      if (getnameinfo(a->ifa_addr, len, host, sizeof(host), nullptr, 0,
                      NI_NUMERICHOST) == 0)
        out.push_back(host);
    }
    freeifaddrs(list);
    return out;
  };
  return h;
}

Status CheckHostdev(const HostView& h, const std::string& pci) {
  const std::string what = "vm.hostdev.pci " + pci;
  const std::string dev = Under(h, "/sys/bus/pci/devices/" + pci);
  if (!Exists(dev))
    return Refuse(what, "no such PCI device (" + dev +
                            " does not exist; lspci -D lists the addresses)");
  std::string cls = ReadTrimmed(dev + "/class");
  if (cls.rfind("0x02", 0) != 0)
    return Refuse(what, "not a network controller (PCI class " + cls + ")");
  std::string driver = LinkName(dev + "/driver");
  if (driver != "vfio-pci") {
    bool vfio = Exists(Under(h, "/sys/bus/pci/drivers/vfio-pci")) ||
                Exists(Under(h, "/sys/module/vfio_pci"));
    if (!vfio)
      return Refuse(what,
                    "bound to " + (driver.empty() ? "no driver" : driver) +
                        " and vfio-pci is not loaded (modprobe vfio-pci)");
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dev + "/net", ec)) {
      std::string ifname = e.path().filename().string();
      std::string flags = ReadTrimmed(e.path().string() + "/flags");
      bool up = strtoul(flags.c_str(), nullptr, 16) & 1;
      if (up || !h.addresses(ifname).empty())
        return Refuse(what, "it is the host's " + ifname +
                                ", which is up: the bench will not take a NIC "
                                "the host uses (ip link set " +
                                ifname + " down)");
    }
  }
  std::string group = LinkName(dev + "/iommu_group");
  if (group.empty())
    return Refuse(what,
                  "no IOMMU group: turn the IOMMU on (intel_iommu=on or "
                  "amd_iommu=on on the host kernel's command line, VT-d or "
                  "AMD-Vi in the firmware)");
  std::error_code ec;
  const std::string members =
      Under(h, "/sys/kernel/iommu_groups/" + group + "/devices");
  for (const auto& e : fs::directory_iterator(members, ec)) {
    std::string other = e.path().filename().string();
    if (other == pci || Bridge(h, other)) continue;
    std::string d =
        LinkName(Under(h, "/sys/bus/pci/devices/" + other + "/driver"));
    if (!d.empty() && d != "vfio-pci" && d != "pci-stub")
      return Refuse(what, "IOMMU group " + group + " is not viable: " + other +
                              " is bound to " + d +
                              " (every device of the group must be bound "
                              "to vfio-pci or to no driver)");
  }
  if (!Exists(Under(h, "/dev/vfio/vfio")))
    return Refuse(what, "no /dev/vfio/vfio (modprobe vfio-pci)");
  return Status::Ok();
}

Status CheckHostInterface(const HostView& h, const std::string& name) {
  const std::string what = "link.host_interface " + name;
  const std::string dir = Under(h, "/sys/class/net/" + name);
  if (name.empty() || name.size() > 15 || name.find('/') != std::string::npos ||
      !Exists(dir))
    return Refuse(what, "no such interface (ip link lists them)");
  if (ReadTrimmed(dir + "/type") == "772")
    return Refuse(what, "the loopback carries no guest's frames");
  if (std::string master = LinkName(dir + "/master"); !master.empty()) {
    return Refuse(what, "it is a port of " + master +
                            "; the relay needs the interface to itself "
                            "(ip link set " +
                            name + " nomaster)");
  }
  for (const std::string& a : h.addresses(name))
    if (a.rfind("fe80:", 0) != 0)
      return Refuse(what, "it carries address " + a +
                              ": the host uses it, and the relay would take "
                              "its frames (ip addr flush dev " +
                              name + ")");
  return Status::Ok();
}

std::string HostdevXml(const std::string& pci) {
  // pci was checked by ValidPciAddress: four hex fields.
  std::string x =
      "    <hostdev mode='subsystem' type='pci' managed='yes'>\n"
      "      <source><address domain='0x" +
      pci.substr(0, 4) + "' bus='0x" + pci.substr(5, 2) + "' slot='0x" +
      pci.substr(8, 2) + "' function='0x" + pci.substr(11, 1) +
      "'/></source>\n    </hostdev>\n";
  return x;
}

}  // namespace swapbench
