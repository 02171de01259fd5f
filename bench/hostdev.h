// Hostdev: the checks that come before a real NIC takes part in a run —
// the PCI device passed to the guest with VFIO ([vm.hostdev] pci) and the
// host interface cabled to it that the relay reads and writes with
// AF_PACKET ([link] host_interface). Each refusal says what is wrong and
// what to do; the caller turns it into exit 2 before anything starts.
//
// Reads sysfs under `root` ("/" on a real host, a fake tree in tests) and
// the interface's addresses through `addresses` (getifaddrs on a real
// host). No state; thread-safe.
#ifndef SWAPBENCH_BENCH_HOSTDEV_H_
#define SWAPBENCH_BENCH_HOSTDEV_H_

#include <functional>
#include <string>
#include <vector>

#include "bench/status.h"

namespace swapbench {

// "0000:03:00.0": domain, bus, slot, function, lower-case hex.
bool ValidPciAddress(const std::string& pci);

struct HostView {
  std::string root = "/";
  // The addresses on an interface, as text ("10.0.0.1", "fe80::1").
  std::function<std::vector<std::string>(const std::string&)> addresses;
};

// The real host: "/" and getifaddrs.
HostView RealHost();

// The device exists, is a network controller, is bound to vfio-pci or can
// be (vfio-pci is loaded, or its module exists), is not the host's
// interface in use, has an IOMMU group whose other members are all bound
// to vfio-pci or pci-stub or to nothing (bridges excepted), and
// /dev/vfio/vfio exists.
Status CheckHostdev(const HostView& host, const std::string& pci);

// The interface exists, is not the loopback, a bridge port or a bond
// member, and carries no address but IPv6 link-local ones (the host does
// not use it: the bench takes it over, brings it up, promiscuous).
Status CheckHostInterface(const HostView& host, const std::string& name);

// The libvirt <hostdev> element for `pci` (managed: libvirt binds it to
// vfio-pci and back).
std::string HostdevXml(const std::string& pci);

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_HOSTDEV_H_
