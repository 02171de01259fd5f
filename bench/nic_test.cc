// The NIC table, driver attribution, the hostdev checks on a fake sysfs
// tree, and the domain XML for a passed-through NIC, multiqueue and the
// new models.
#include "bench/nic.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "bench/fs_util.h"
#include "bench/hostdev.h"
#include "bench/kernel_needs.h"
#include "bench/nic_report.h"
#include "bench/scenario.h"
#include "bench/telemetry.h"
#include "bench/vm.h"

namespace swapbench {
namespace {

namespace fs = std::filesystem;

TEST(NicTest, EveryModelHasADriverAndAKernelNeed) {
  std::set<std::string> options;
  for (const KernelNeed& n : AllNeeds())
    if (n.why == "the guest's NIC driver") options.insert(n.option);
  EXPECT_EQ(options.size(), NicModels().size());
  for (const NicModel& m : NicModels()) {
    SCOPED_TRACE(m.key);
    EXPECT_TRUE(options.count(m.option));
    EXPECT_EQ(FindNic(m.key), &m);
    EXPECT_GE(m.max_mtu, 1500);
  }
  EXPECT_EQ(FindNic("ne2k"), nullptr);
}

TEST(NicTest, DriverFromTheStacksModulesOrItsFrames) {
  // The global-stall golden's trace.
  EXPECT_EQ(DriverOf({"", "virtio_net", "virtio_net", "", ""},
                     {"skb_page_frag_refill", "try_fill_recv", "virtnet_poll",
                      "__napi_poll", "net_rx_action"}),
            "virtio_net");
  EXPECT_EQ(
      DriverOf({"", "e1000"}, {"__netdev_alloc_skb", "e1000_alloc_rx_buffers"}),
      "e1000");
  // Built-in drivers leave no [module]: the frame names them.
  EXPECT_EQ(
      DriverOf({"", ""}, {"__netdev_alloc_skb", "e1000_alloc_rx_buffers"}),
      "e1000");
  EXPECT_EQ(DriverOf({}, {"e1000_alloc_rx_buffers", "e1000e_poll"}), "e1000e");
  EXPECT_EQ(DriverOf({"vmxnet3"}, {"vmxnet3_rq_alloc_rx_buf"}), "vmxnet3");
  EXPECT_EQ(DriverOf({}, {"vmxnet3_rq_alloc_rx_buf"}), "vmxnet3");
  // Storage and file system modules are not NIC drivers.
  EXPECT_EQ(DriverOf({"sunrpc", "nfs"}, {"rpc_wait_bit_killable"}), "");
  EXPECT_EQ(DriverOf({}, {}), "");
}

TEST(NicTest, KernelChecksTheChosenDriverOnly) {
  Scenario sc;
  sc.vm.nic = "vmxnet3";
  std::vector<std::string> options;
  for (const KernelNeed& n : NeedsOf(sc)) options.push_back(n.option);
  EXPECT_NE(std::find(options.begin(), options.end(), "CONFIG_VMXNET3"),
            options.end());
  EXPECT_EQ(std::find(options.begin(), options.end(), "CONFIG_VIRTIO_NET"),
            options.end());
  // A passed-through NIC: no emulated driver; its own module instead.
  sc.vm.hostdev.pci = "0000:03:00.0";
  sc.vm.hostdev.driver = "ixgbevf";
  auto needs = NeedsOf(sc);
  ASSERT_FALSE(needs.empty());
  EXPECT_EQ(needs.back().module, "ixgbevf");
  EXPECT_EQ(needs.back().option, "");
  for (const KernelNeed& n : needs) EXPECT_NE(n.why, "the guest's NIC driver");
  KernelFacts k;
  k.release = "6.1.0-54-amd64";
  k.config = "CONFIG_SWAP=y\n";
  k.config_path = "/boot/config";
  k.modules_dep = "kernel/drivers/net/ethernet/intel/ixgbevf/ixgbevf.ko:\n";
  auto r = CheckNeeds({needs.back()}, k);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(*r, std::vector<std::string>{"ixgbevf"});
  k.modules_dep = "";
  r = CheckNeeds({needs.back()}, k);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(
                "vm.hostdev.driver \"ixgbevf\" needs module ixgbevf for the "
                "passed-through NIC's driver: module ixgbevf is in neither "
                "modules.dep nor modules.builtin"),
            std::string::npos)
      << r.status().message();
}

TEST(DomainXmlTest, ModelsQueuesAndAPassedThroughNic) {
  VmConfig c;
  c.nic = "i82559er";
  c.relay_port = 4000;
  c.guest_port = 4001;
  std::string x = DomainXml(c);
  EXPECT_NE(x.find("<model type='i82559er'/>"), std::string::npos);
  EXPECT_EQ(x.find("queues="), std::string::npos);
  c.nic = "virtio";
  c.queues = 4;
  x = DomainXml(c);
  EXPECT_NE(x.find("<model type='virtio'/>\n      <driver queues='4'/>\n"
                   "    </interface>"),
            std::string::npos)
      << x;
  // A TAP without offloads (the veth cable): one driver element.
  c.tap = "tsb1";
  c.tap_offloads = false;
  x = DomainXml(c);
  EXPECT_NE(x.find("<driver name='qemu' queues='4'><host csum='off'"),
            std::string::npos)
      << x;
  EXPECT_EQ(x.find("<driver queues"), std::string::npos) << x;
  c.hostdev_pci = "0000:03:1f.7";
  x = DomainXml(c);
  EXPECT_EQ(x.find("<interface"), std::string::npos);
  EXPECT_NE(x.find("    <hostdev mode='subsystem' type='pci' managed='yes'>\n"
                   "      <source><address domain='0x0000' bus='0x03' "
                   "slot='0x1f' function='0x7'/></source>\n"
                   "    </hostdev>\n"),
            std::string::npos)
      << x;
}

TEST(NicReportTest, WhatTheDriverSaidAndItsCounters) {
  Scenario sc;
  sc.vm.nic = "e1000";
  Telemetry t;
  ASSERT_TRUE(t.Feed(
      R"({"t":3.1,"event":"nic","ifname":"eth0","driver":"e1000","version":)"
      R"("6.1.0-54-amd64","firmware":"","bus_info":"0000:00:03.0","pci_id":)"
      R"("8086:100e","mtu":1500,"queues":1,"driver_stats":46})"));
  nlohmann::json j = NicJson(sc, t);
  EXPECT_EQ(j["model"], "e1000");
  EXPECT_EQ(j["device"], "Intel 82540EM (e1000)");
  EXPECT_EQ(j["pci_id"], "8086:100e");
  EXPECT_EQ(j["mtu"], 1500);
  // The guest wedged before the end: no counters, not zeros.
  EXPECT_FALSE(j.contains("counters"));
  EXPECT_FALSE(j.contains("alloc_failures"));
  ASSERT_TRUE(t.Feed(
      R"({"t":16.4,"event":"nic_stats","ifname":"eth0","rx_packets":136091,)"
      R"("rx_dropped":3,"driver":{"alloc_rx_buff_failed":7,"rx_packets":)"
      R"(136091,"rx_no_buffer_count":2}})"));
  j = NicJson(sc, t);
  EXPECT_EQ(j["counters"]["rx_dropped"], 3);
  EXPECT_FALSE(j["counters"].contains("t"));
  EXPECT_EQ(j["driver_counters"]["alloc_rx_buff_failed"], 7);
  EXPECT_EQ(j["alloc_failures"], 7);
  // A driver that counts none: null, not 0.
  EXPECT_EQ(AllocFailures({{"rx_packets", 5}}), -1);
  EXPECT_EQ(
      AllocFailures({{"rx buf alloc fail", 2}, {"rx_queue_0_alloc_fail", 1}}),
      3);
  sc.vm.hostdev.pci = "0000:03:00.0";
  j = NicJson(sc, t);
  EXPECT_EQ(j["model"], "hostdev");
  EXPECT_EQ(j["hostdev"], "0000:03:00.0");
}

// A fake host: sysfs under a temp dir, addresses from a table.
class HostdevTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = ::testing::TempDir() + "/hostdev-" + std::to_string(getpid());
    fs::remove_all(root_);
    view_.root = root_;
    view_.addresses = [this](const std::string& ifname) {
      return addresses_[ifname];
    };
    // A NIC at 0000:03:00.0 bound to vfio-pci in IOMMU group 7, alone but
    // for its bridge; vfio usable.
    Device("0000:03:00.0", "0x020000", "vfio-pci", "7");
    Device("0000:00:01.0", "0x060400", "pcieport", "7");
    Touch("/dev/vfio/vfio", "");
    Dir("/sys/bus/pci/drivers/vfio-pci");
    // The cabled host port, no address.
    Dir("/sys/class/net/enp3s0f1");
    Touch("/sys/class/net/enp3s0f1/type", "1\n");
  }
  void TearDown() override { fs::remove_all(root_); }

  void Dir(const std::string& p) { fs::create_directories(root_ + p); }
  void Touch(const std::string& p, const std::string& text) {
    fs::create_directories(fs::path(root_ + p).parent_path());
    ASSERT_TRUE(WriteFile(root_ + p, text).ok());
  }
  void Link(const std::string& p, const std::string& target) {
    fs::remove(root_ + p);
    fs::create_symlink(target, root_ + p);
  }
  void Device(const std::string& pci, const std::string& cls,
              const std::string& driver, const std::string& group) {
    const std::string d = "/sys/bus/pci/devices/" + pci;
    Touch(d + "/class", cls + "\n");
    if (!driver.empty())
      Link(d + "/driver", "../../../bus/pci/drivers/" + driver);
    Link(d + "/iommu_group", "../../../kernel/iommu_groups/" + group);
    Dir("/sys/kernel/iommu_groups/" + group + "/devices");
    Link("/sys/kernel/iommu_groups/" + group + "/devices/" + pci,
         "../../../../bus/pci/devices/" + pci);
  }
  std::string Hostdev(const std::string& pci = "0000:03:00.0") {
    Status s = CheckHostdev(view_, pci);
    EXPECT_TRUE(s.ok() || s.kind() == Status::Kind::kUsage) << s.message();
    return s.ok() ? "" : s.message();
  }

  std::string root_;
  HostView view_;
  std::map<std::string, std::vector<std::string>> addresses_;
};

TEST_F(HostdevTest, AViableDeviceBoundToVfioPasses) {
  EXPECT_EQ(Hostdev(), "");
  EXPECT_TRUE(ValidPciAddress("0000:03:00.0"));
  EXPECT_FALSE(ValidPciAddress("03:00.0"));
  EXPECT_FALSE(ValidPciAddress("0000:03:00.8"));
  EXPECT_FALSE(ValidPciAddress("0000:03:00.0/../.."));
}

TEST_F(HostdevTest, EveryRefusalSaysWhatToDo) {
  EXPECT_EQ(Hostdev("0000:09:00.0"),
            "vm.hostdev.pci 0000:09:00.0: no such PCI device (" + root_ +
                "/sys/bus/pci/devices/0000:09:00.0 does not exist; lspci -D "
                "lists the addresses)");
  Touch("/sys/bus/pci/devices/0000:03:00.0/class", "0x010802\n");
  EXPECT_EQ(Hostdev(),
            "vm.hostdev.pci 0000:03:00.0: not a network controller "
            "(PCI class 0x010802)");
  Touch("/sys/bus/pci/devices/0000:03:00.0/class", "0x020000\n");
  // Bound to the host's driver, its interface up.
  Link("/sys/bus/pci/devices/0000:03:00.0/driver",
       "../../../bus/pci/drivers/ixgbe");
  Touch("/sys/bus/pci/devices/0000:03:00.0/net/enp3s0f0/flags", "0x1003\n");
  EXPECT_EQ(Hostdev(),
            "vm.hostdev.pci 0000:03:00.0: it is the host's "
            "enp3s0f0, which is up: the bench will not take a NIC "
            "the host uses (ip link set enp3s0f0 down)");
  // Down: libvirt may rebind it (managed).
  Touch("/sys/bus/pci/devices/0000:03:00.0/net/enp3s0f0/flags", "0x1002\n");
  EXPECT_EQ(Hostdev(), "");
  fs::remove_all(root_ + "/sys/bus/pci/drivers/vfio-pci");
  EXPECT_EQ(Hostdev(),
            "vm.hostdev.pci 0000:03:00.0: bound to ixgbe and "
            "vfio-pci is not loaded (modprobe vfio-pci)");
  Dir("/sys/bus/pci/drivers/vfio-pci");
  // Its sibling function is the host's: the group is not viable.
  Device("0000:03:00.1", "0x020000", "ixgbe", "7");
  EXPECT_EQ(Hostdev(),
            "vm.hostdev.pci 0000:03:00.0: IOMMU group 7 is not "
            "viable: 0000:03:00.1 is bound to ixgbe (every device "
            "of the group must be bound to vfio-pci or to no "
            "driver)");
  Link("/sys/bus/pci/devices/0000:03:00.1/driver",
       "../../../bus/pci/drivers/vfio-pci");
  EXPECT_EQ(Hostdev(), "");
  fs::remove(root_ + "/dev/vfio/vfio");
  EXPECT_EQ(Hostdev(),
            "vm.hostdev.pci 0000:03:00.0: no /dev/vfio/vfio "
            "(modprobe vfio-pci)");
  fs::remove(root_ + "/sys/bus/pci/devices/0000:03:00.0/iommu_group");
  EXPECT_EQ(Hostdev(),
            "vm.hostdev.pci 0000:03:00.0: no IOMMU group: turn the "
            "IOMMU on (intel_iommu=on or amd_iommu=on on the host "
            "kernel's command line, VT-d or AMD-Vi in the "
            "firmware)");
}

TEST_F(HostdevTest, HostInterfaceMustBeFreeForTheRelay) {
  auto check = [&](const std::string& name) {
    Status s = CheckHostInterface(view_, name);
    return s.ok() ? std::string() : s.message();
  };
  EXPECT_EQ(check("enp3s0f1"), "");
  addresses_["enp3s0f1"] = {"fe80::1"};  // link-local only: still free
  EXPECT_EQ(check("enp3s0f1"), "");
  EXPECT_EQ(check("eth9"),
            "link.host_interface eth9: no such interface (ip link lists "
            "them)");
  EXPECT_EQ(check("../../etc"),
            "link.host_interface ../../etc: no such interface (ip link lists "
            "them)");
  addresses_["enp3s0f1"] = {"fe80::1", "10.1.2.3"};
  EXPECT_EQ(check("enp3s0f1"),
            "link.host_interface enp3s0f1: it carries address 10.1.2.3: the "
            "host uses it, and the relay would take its frames (ip addr "
            "flush dev enp3s0f1)");
  addresses_.clear();
  Link("/sys/class/net/enp3s0f1/master", "../br0");
  EXPECT_EQ(check("enp3s0f1"),
            "link.host_interface enp3s0f1: it is a port of br0; the relay "
            "needs the interface to itself (ip link set enp3s0f1 nomaster)");
  Dir("/sys/class/net/lo");
  Touch("/sys/class/net/lo/type", "772\n");
  EXPECT_EQ(check("lo"),
            "link.host_interface lo: the loopback carries no guest's frames");
}

}  // namespace
}  // namespace swapbench
