// The raw-QEMU baseline's command line says what DomainXml says to libvirt:
// the same kernel, console, agent ports, NIC and TAP.
#include "bench/raw_qemu.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace swapbench {
namespace {

bool Has(const std::vector<std::string>& argv, const std::string& flag,
         const std::string& value) {
  for (size_t i = 0; i + 1 < argv.size(); ++i)
    if (argv[i] == flag && argv[i + 1] == value) return true;
  return false;
}

TEST(RawQemuTest, ArgvIsTheDomainWithoutLibvirt) {
  VmConfig c;
  c.name = "swapbench-sb7";
  c.kernel = "/k/vmlinuz";
  c.initrd = "/r/initrd.img";
  c.cmdline = "console=ttyS0 quiet";
  c.console_log = "/r/console.log";
  c.telemetry_log = "/r/telemetry.jsonl";
  c.tap = "sbtap7";
  auto a = RawQemuArgv(c, "/r/qemu-monitor.sock");
  EXPECT_EQ(a[0], "qemu-system-x86_64");
  EXPECT_TRUE(Has(a, "-machine", "pc,accel=tcg"));
  EXPECT_TRUE(Has(a, "-m", "256"));
  EXPECT_TRUE(Has(a, "-kernel", "/k/vmlinuz"));
  EXPECT_TRUE(Has(a, "-initrd", "/r/initrd.img"));
  EXPECT_TRUE(Has(a, "-append", "console=ttyS0 quiet"));
  EXPECT_TRUE(Has(a, "-serial", "file:/r/console.log"));
  EXPECT_TRUE(Has(a, "-chardev", "file,id=sbtel,path=/r/telemetry.jsonl"));
  EXPECT_TRUE(Has(a, "-device",
                  "virtserialport,chardev=sbtel,name=org.swapbench.agent"));
  EXPECT_TRUE(Has(a, "-device",
                  "virtserialport,chardev=sbctl,name=org.swapbench.control"));
  EXPECT_TRUE(Has(a, "-netdev",
                  "tap,id=hostnet0,ifname=sbtap7,script=no,downscript=no"));
  EXPECT_TRUE(Has(a, "-device",
                  "virtio-net-pci,netdev=hostnet0,mac=52:54:00:5b:00:02"));
  EXPECT_TRUE(
      Has(a, "-monitor", "unix:/r/qemu-monitor.sock,server=on,wait=off"));

  c.nic = "e1000";
  c.tap_offloads = false;
  a = RawQemuArgv(c, "/m");
  EXPECT_TRUE(Has(a, "-device", "e1000,netdev=hostnet0,mac=52:54:00:5b:00:02"));
}

TEST(RawQemuTest, ThePtyComesFromQemusStderr) {
  const std::string log =
      "qemu-system-x86_64: -chardev pty,id=sbctl: char device redirected to "
      "/dev/pts/4 (label sbctl)\n";
  EXPECT_EQ(PtyFromQemuLog(log, "sbctl"), "/dev/pts/4");
  EXPECT_EQ(PtyFromQemuLog(log, "other"), "");
  EXPECT_EQ(PtyFromQemuLog("", "sbctl"), "");
}

}  // namespace
}  // namespace swapbench
