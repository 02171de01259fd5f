// Nic: the guest NIC models the bench can emulate, and what it knows about
// each: the QEMU device libvirt asks for, the Debian kernel driver that
// binds it (its module and config option), its PCI ID, and the stack
// frames that name the driver's receive path. One table; the scenario
// parser (vm.nic), the kernel check (kernel_needs.cc), the domain XML and
// driver attribution of findings all read it.
//
// Pure (no I/O); thread-safe.
#ifndef SWAPBENCH_BENCH_NIC_H_
#define SWAPBENCH_BENCH_NIC_H_

#include <set>
#include <string>
#include <vector>

namespace swapbench {

struct NicModel {
  const char* key;       // vm.nic: "virtio", "e1000", ...
  const char* libvirt;   // <model type='...'/>: QEMU's device name
  const char* module;    // the driver module that binds it
  const char* option;    // its config option
  const char* pci_id;    // vendor:device QEMU presents
  const char* describe;  // "Intel 82540EM (e1000)"
  int max_mtu;           // the driver's largest MTU (vm.mtu is checked)
};

// Every model, in the order the README lists them.
const std::vector<NicModel>& NicModels();
// The model `key` names, or null.
const NicModel* FindNic(const std::string& key);
// The keys, for error messages and the parser's choice list.
std::set<std::string> NicKeys();

// The NIC driver a stack names, or "": a module in `modules` ("e1000",
// "virtio_net", any known NIC driver, with '-' as '_') or, for a kernel
// with the driver built in, a receive-path function in `frames`
// ("try_fill_recv" is virtio_net's, "e1000_alloc_rx_buffers" e1000's).
std::string DriverOf(const std::vector<std::string>& modules,
                     const std::vector<std::string>& frames);

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_NIC_H_
