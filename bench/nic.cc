#include "bench/nic.h"

#include <algorithm>

namespace swapbench {

namespace {

// clang-format off
const std::vector<NicModel> kModels = {
  {"virtio",  "virtio",   "virtio_net", "CONFIG_VIRTIO_NET", "1af4:1000", "virtio-net-pci (virtio_net)", 65535},
  {"e1000",   "e1000",    "e1000",      "CONFIG_E1000",      "8086:100e", "Intel 82540EM (e1000)", 16110},
  {"e1000e",  "e1000e",   "e1000e",     "CONFIG_E1000E",     "8086:10d3", "Intel 82574L (e1000e)", 9216},
  // QEMU's RTL8139 is revision 0x20, a C+ chip: 8139too refuses it ("use
  // 8139cp").
  {"rtl8139", "rtl8139",  "8139cp",     "CONFIG_8139CP",     "10ec:8139", "Realtek RTL8139C+ (8139cp)", 4096},
  {"vmxnet3", "vmxnet3",  "vmxnet3",    "CONFIG_VMXNET3",    "15ad:07b0", "VMware vmxnet3 (vmxnet3)", 9000},
  {"pcnet",   "pcnet",    "pcnet32",    "CONFIG_PCNET32",    "1022:2000", "AMD PCnet-PCI II 79C970A (pcnet32)", 1500},
  {"i82559",  "i82559er", "e100",       "CONFIG_E100",       "8086:1209", "Intel 82559ER (e100)", 1500},
  {"tulip",   "tulip",    "tulip",      "CONFIG_TULIP",      "1011:0019", "DEC 21143 Tulip (tulip)", 1500},
};

// Receive-path function prefixes, for kernels with the driver built in
// (their frames carry no [module]). e1000e's own functions start e1000e_,
// but it shares e1000_alloc_rx_buffers and friends with e1000: e1000e wins
// when a frame says so.
const std::pair<const char*, const char*> kFramePrefixes[] = {
  {"e1000e_",        "e1000e"},
  {"virtnet_",       "virtio_net"},
  {"try_fill_recv",  "virtio_net"},
  {"add_recvbuf_",   "virtio_net"},
  {"receive_buf",    "virtio_net"},
  {"e1000_",         "e1000"},
  {"cp_",            "8139cp"},
  {"rtl8139_",       "8139too"},
  {"vmxnet3_",       "vmxnet3"},
  {"pcnet32_",       "pcnet32"},
  {"e100_",          "e100"},
  {"tulip_",         "tulip"},
};
// clang-format on

std::string Underscored(std::string s) {
  std::replace(s.begin(), s.end(), '-', '_');
  return s;
}

bool NicDriver(const std::string& module) {
  if (module == "8139too") return true;
  for (const NicModel& m : kModels)
    if (module == m.module) return true;
  return false;
}

}  // namespace

const std::vector<NicModel>& NicModels() { return kModels; }

const NicModel* FindNic(const std::string& key) {
  for (const NicModel& m : kModels)
    if (key == m.key) return &m;
  return nullptr;
}

std::set<std::string> NicKeys() {
  std::set<std::string> keys;
  for (const NicModel& m : kModels) keys.insert(m.key);
  return keys;
}

std::string DriverOf(const std::vector<std::string>& modules,
                     const std::vector<std::string>& frames) {
  for (const std::string& m : modules)
    if (NicDriver(Underscored(m))) return Underscored(m);
  for (const auto& [prefix, driver] : kFramePrefixes)
    for (const std::string& f : frames)
      if (f.rfind(prefix, 0) == 0) return driver;
  return "";
}

}  // namespace swapbench
