#include "bench/guest_image.h"

#include <gtest/gtest.h>

namespace swapbench {
namespace {

const char* kDep =
    "kernel/fs/nfs/nfsv4.ko: kernel/net/dns_resolver/dns_resolver.ko "
    "kernel/fs/nfs/nfs.ko "
    "kernel/net/sunrpc/sunrpc.ko\n"
    "kernel/fs/nfs/nfs.ko: kernel/net/sunrpc/sunrpc.ko\n"
    "kernel/net/sunrpc/sunrpc.ko:\n"
    "kernel/net/dns_resolver/dns_resolver.ko:\n"
    "kernel/drivers/net/virtio_net.ko: kernel/drivers/net/net_failover.ko "
    "kernel/net/core/failover.ko\n"
    "kernel/drivers/net/net_failover.ko: kernel/net/core/failover.ko\n"
    "kernel/net/core/failover.ko:\n";

size_t Pos(const std::vector<std::string>& v, const std::string& s) {
  for (size_t i = 0; i < v.size(); ++i)
    if (v[i] == s) return i;
  return SIZE_MAX;
}

TEST(ResolveModulesTest, DependenciesComeFirst) {
  auto r = ResolveModules(kDep, "", {"nfsv4", "virtio-net"});
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 7u);
  EXPECT_LT(Pos(*r, "kernel/net/sunrpc/sunrpc.ko"),
            Pos(*r, "kernel/fs/nfs/nfs.ko"));
  EXPECT_LT(Pos(*r, "kernel/fs/nfs/nfs.ko"), Pos(*r, "kernel/fs/nfs/nfsv4.ko"));
  EXPECT_LT(Pos(*r, "kernel/net/core/failover.ko"),
            Pos(*r, "kernel/drivers/net/net_failover.ko"));
  EXPECT_EQ(r->back(), "kernel/drivers/net/virtio_net.ko");
}

TEST(ResolveModulesTest, EachModuleOnce) {
  auto r = ResolveModules(kDep, "", {"nfs", "nfsv4", "sunrpc"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->size(), 4u);
}

TEST(ResolveModulesTest, UnknownModuleIsAnError) {
  auto r = ResolveModules(kDep, "", {"nfsv9"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "module nfsv9 is not in modules.dep");
}

TEST(ResolveModulesTest, BuiltinIsSkipped) {
  auto r = ResolveModules(kDep, "kernel/drivers/virtio/virtio_pci.ko\n",
                          {"virtio_pci", "nfs"});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->size(), 2u);
}

TEST(CpioWriterTest, NewcLayout) {
  CpioWriter w;
  w.AddFile("/init", "abc", 0755);
  std::string a = w.Finish();
  // Header: magic, ino 1, mode 0100755, ..., filesize 3, namesize 5 ("init\0").
  EXPECT_EQ(a.substr(0, 6), "070701");
  EXPECT_EQ(a.substr(6, 8), "00000001");
  EXPECT_EQ(a.substr(14, 8), "000081ED");
  EXPECT_EQ(a.substr(54, 8), "00000003");
  EXPECT_EQ(a.substr(94, 8), "00000005");
  EXPECT_EQ(a.substr(110, 5), std::string("init\0", 5));
  // 110 + 5 = 115, padded to 116; data "abc" then pad to 120.
  EXPECT_EQ(a.substr(116, 3), "abc");
  EXPECT_EQ(a.substr(120, 6), "070701");
  EXPECT_NE(a.find("TRAILER!!!"), std::string::npos);
  EXPECT_EQ(a.size() % 512, 0u);
}

TEST(CpioWriterTest, Deterministic) {
  auto build = [] {
    CpioWriter w;
    w.AddDir("/etc");
    w.AddCharDev("/dev/console", 5, 1);
    w.AddSymlink("/bin/sh", "busybox");
    w.AddFile("/etc/x", "data");
    return w.Finish();
  };
  EXPECT_EQ(build(), build());
}

TEST(CpioWriterTest, CharDevCarriesMajorMinor) {
  CpioWriter w;
  w.AddCharDev("/dev/console", 5, 1);
  std::string a = w.Finish();
  EXPECT_EQ(a.substr(14, 8), "00002180");  // S_IFCHR | 0600
  EXPECT_EQ(a.substr(78, 8), "00000005");  // rdevmajor
  EXPECT_EQ(a.substr(86, 8), "00000001");  // rdevminor
}

TEST(HashTest, Fnv1aKnownValue) {
  EXPECT_EQ(Fnv1a64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(Fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
}

}  // namespace
}  // namespace swapbench

namespace swapbench {
namespace {

TEST(ParseLddTest, LibrariesAndInterpreter) {
  auto libs = ParseLdd(
      "\tlinux-vdso.so.1 (0x00007ff37cf18000)\n"
      "\tlibgnutls.so.30 => /lib/x86_64-linux-gnu/libgnutls.so.30 "
      "(0x00007ff37cc00000)\n"
      "\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007ff37ca1e000)\n"
      "\t/lib64/ld-linux-x86-64.so.2 (0x00007ff37cf1a000)\n");
  ASSERT_EQ(libs.size(), 3u);
  EXPECT_EQ(libs[0], "/lib/x86_64-linux-gnu/libgnutls.so.30");
  EXPECT_EQ(libs[1], "/lib/x86_64-linux-gnu/libc.so.6");
  EXPECT_EQ(libs[2], "/lib64/ld-linux-x86-64.so.2");
}

TEST(ParseLddTest, StaticBinary) {
  EXPECT_TRUE(ParseLdd("\tnot a dynamic executable\n").empty());
}

}  // namespace
}  // namespace swapbench
