#include "bench/kernel_needs.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace swapbench {
namespace {

Scenario Parse(const std::string& text) {
  auto r = ParseScenario(text, "t.toml");
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : Scenario{};
}

std::vector<std::string> Options(const std::vector<KernelNeed>& needs) {
  std::vector<std::string> out;
  for (const auto& n : needs) out.push_back(n.option);
  return out;
}

bool Has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// A .config with every option of `needs` built in.
std::string AllBuiltIn(const std::vector<KernelNeed>& needs) {
  std::string c;
  for (const auto& n : needs) c += n.option + "=y\n";
  return c;
}

TEST(KernelNeedsTest, DefaultScenarioNeedsNfs41OnVirtio) {
  auto o = Options(NeedsOf(Parse("name = \"x\"\n")));
  for (const char* opt :
       {"CONFIG_SWAP", "CONFIG_VIRTIO_NET", "CONFIG_NFS_FS", "CONFIG_NFS_SWAP",
        "CONFIG_NFS_V4", "CONFIG_NFS_V4_1"})
    EXPECT_TRUE(Has(o, opt)) << opt;
  for (const char* opt : {"CONFIG_E1000", "CONFIG_BLK_DEV_NBD", "CONFIG_MEMCG",
                          "CONFIG_NFS_V3", "CONFIG_NFS_V4_2", "CONFIG_IFB"})
    EXPECT_FALSE(Has(o, opt)) << opt;
}

TEST(KernelNeedsTest, EachFeatureAsksForItsOwn) {
  auto nbd = Options(NeedsOf(Parse(
      "name = \"x\"\n[storage]\nkind = \"nbd\"\n[cgroup]\nmemory_max_mib = "
      "64\n[link]\nengine = \"kernel-netem\"\n[vm]\nnic = \"e1000\"\n")));
  for (const char* opt : {"CONFIG_BLK_DEV_NBD", "CONFIG_MEMCG", "CONFIG_E1000",
                          "CONFIG_NET_SCH_NETEM", "CONFIG_IFB"})
    EXPECT_TRUE(Has(nbd, opt)) << opt;
  for (const char* opt : {"CONFIG_NFS_FS", "CONFIG_NFS_SWAP",
                          "CONFIG_VIRTIO_NET", "CONFIG_ISCSI_TCP"})
    EXPECT_FALSE(Has(nbd, opt)) << opt;
  auto iscsi =
      Options(NeedsOf(Parse("name = \"x\"\n[storage]\nkind = \"iscsi\"\n")));
  EXPECT_TRUE(Has(iscsi, "CONFIG_ISCSI_TCP"));
  EXPECT_TRUE(Has(iscsi, "CONFIG_CRYPTO_CRC32C"));
  auto v3 =
      Options(NeedsOf(Parse("name = \"x\"\n[storage]\nversion = \"3\"\n")));
  EXPECT_TRUE(Has(v3, "CONFIG_NFS_V3"));
  EXPECT_FALSE(Has(v3, "CONFIG_NFS_V4"));
}

TEST(KernelNeedsTest, AskerNamesTheScenarioLineOrTheDefault) {
  auto needs = NeedsOf(Parse("name = \"x\"\n[storage]\nkind = \"nbd\"\n"));
  auto nbd = std::find_if(needs.begin(), needs.end(), [](const KernelNeed& n) {
    return n.option == "CONFIG_BLK_DEV_NBD";
  });
  ASSERT_NE(nbd, needs.end());
  EXPECT_EQ(nbd->asker, "t.toml:3: storage.kind \"nbd\"");
  EXPECT_EQ(nbd->module, "nbd");
  EXPECT_EQ(needs.front().asker, "every scenario");
  auto dflt = NeedsOf(Parse("name = \"x\"\n"));
  auto v41 = std::find_if(dflt.begin(), dflt.end(), [](const KernelNeed& n) {
    return n.option == "CONFIG_NFS_V4_1";
  });
  ASSERT_NE(v41, dflt.end());
  EXPECT_EQ(v41->asker, "t.toml: storage.version \"4.1\" (the default)");
  // run --nic: the command line asked, not the file or its default.
  Scenario sc = Parse("name = \"x\"\n");
  sc.vm.nic = "e1000";
  sc.nic_override = "e1000";
  auto nic = NeedsOf(sc);
  auto e1000 = std::find_if(nic.begin(), nic.end(), [](const KernelNeed& n) {
    return n.option == "CONFIG_E1000";
  });
  ASSERT_NE(e1000, nic.end());
  EXPECT_EQ(e1000->asker, "t.toml: vm.nic \"e1000\" (from --nic)");
}

TEST(KernelNeedsTest, AllBuiltInLoadsNoModule) {
  auto needs = NeedsOf(Parse("name = \"x\"\n"));
  auto r = CheckNeeds(needs, {"6.1.0-test", "c", AllBuiltIn(needs), "", ""});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->empty());
}

TEST(KernelNeedsTest, ModularOptionsLoadTheirModules) {
  auto needs = NeedsOf(Parse("name = \"x\"\n[storage]\nkind = \"nbd\"\n"));
  std::string config = AllBuiltIn(needs);
  config += "CONFIG_BLK_DEV_NBD=m\nCONFIG_VIRTIO_NET=m\n";  // later wins
  auto r = CheckNeeds(needs, {"6.1.0-test", "c", config,
                              "kernel/drivers/block/nbd.ko.xz:\n"
                              "kernel/drivers/net/virtio_net.ko: x.ko\n",
                              ""});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(*r, (std::vector<std::string>{"virtio_net", "nbd"}));
}

// Debian's -cloud kernel has no e1000: the message names the scenario
// line, the option, the module and the kernel.
TEST(KernelNeedsTest, MissingDriverNamesLineOptionModuleAndKernel) {
  auto needs = NeedsOf(Parse("name = \"x\"\n[vm]\nnic = \"e1000\"\n"));
  std::string config = AllBuiltIn(needs);
  config.replace(config.find("CONFIG_E1000=y"), 14,
                 "# CONFIG_E1000 is not set");
  auto r = CheckNeeds(
      needs, {"6.12.117+deb12-cloud-amd64",
              "/cache/config-6.12.117+deb12-cloud-amd64", config, "", ""});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().kind(), Status::Kind::kUsage);
  EXPECT_EQ(
      r.status().message(),
      "kernel 6.12.117+deb12-cloud-amd64 (config "
      "/cache/config-6.12.117+deb12-cloud-amd64) lacks what the scenario "
      "needs:\n"
      "  t.toml:3: vm.nic \"e1000\" needs CONFIG_E1000 (module e1000) for "
      "the guest's NIC driver: not set");
}

TEST(KernelNeedsTest, EveryUnmetNeedIsListed) {
  auto needs = NeedsOf(Parse("name = \"x\"\n[cgroup]\nmemory_max_mib = 64\n"));
  std::string config = AllBuiltIn(needs);
  config.replace(config.find("CONFIG_MEMCG=y"), 14, "");
  config.replace(config.find("CONFIG_NFS_SWAP=y"), 17, "CONFIG_NFS_SWAP=m");
  config.replace(config.find("CONFIG_NFS_FS=y"), 15, "CONFIG_NFS_FS=m");
  auto r = CheckNeeds(needs, {"6.1.0-x", "cfg", config, "", ""});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(
      r.status().message(),
      "kernel 6.1.0-x (config cfg) lacks what the scenario needs:\n"
      "  t.toml: storage.kind \"nfs\" (the default) needs CONFIG_NFS_FS "
      "(module nfs) for the NFS client: =m, but module nfs is not in "
      "modules.dep\n"
      "  t.toml: storage.kind \"nfs\" (the default) needs "
      "CONFIG_NFS_SWAP for swap on an NFS file: =m, but it must be "
      "built in (=y)\n"
      "  t.toml:2: [cgroup] needs CONFIG_MEMCG for the memory cgroup: not "
      "set");
}

TEST(KernelNeedsTest, WithoutConfigTheModuleIndexesDecide) {
  auto needs = NeedsOf(Parse("name = \"x\"\n[storage]\nkind = \"nbd\"\n"));
  const std::string builtin =
      "kernel/drivers/virtio/virtio_pci.ko\n"
      "kernel/drivers/char/virtio_console.ko\n";
  auto ok = CheckNeeds(needs, {"r", "", "",
                               "kernel/drivers/block/nbd.ko:\n"
                               "kernel/drivers/net/virtio_net.ko:\n",
                               builtin});
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(*ok, (std::vector<std::string>{"virtio_net", "nbd"}));
  auto missing = CheckNeeds(
      needs, {"r", "", "", "kernel/drivers/net/virtio_net.ko:\n", builtin});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(),
            "kernel r lacks what the scenario needs:\n"
            "  t.toml:3: storage.kind \"nbd\" needs CONFIG_BLK_DEV_NBD (module "
            "nbd) for swap over NBD: module nbd is in neither modules.dep nor "
            "modules.builtin");
}

TEST(KernelNeedsTest, ConfigFragmentHasEachOptionOnce) {
  std::string y = ConfigFragment(AllNeeds(), false);
  EXPECT_NE(y.find("\nCONFIG_NFS_SWAP=y\n"), std::string::npos);
  EXPECT_NE(y.find("\nCONFIG_BLK_DEV_NBD=y\n"), std::string::npos);
  EXPECT_EQ(y.find("CONFIG_NFS_V4=y"), y.rfind("CONFIG_NFS_V4=y"));
  EXPECT_NE(
      y.find("# swap over NBD (storage.kind \"nbd\")\nCONFIG_BLK_DEV_NBD=y\n"),
      std::string::npos)
      << y;
  EXPECT_EQ(y.find("=m"), std::string::npos);
  std::string m = ConfigFragment(AllNeeds(), true);
  EXPECT_NE(m.find("\nCONFIG_BLK_DEV_NBD=m\n"), std::string::npos);
  EXPECT_NE(m.find("\nCONFIG_NFS_SWAP=y\n"), std::string::npos);
  // Every scenario's needs are in it.
  auto cfg = ParseKernelConfig(y);
  for (const char* text :
       {"name = \"x\"\n[storage]\nkind = \"iscsi\"\n[vm]\nnic = \"rtl8139\"\n",
        "name = \"x\"\n[storage]\nversion = \"4.2\"\n[link]\nengine = "
        "\"kernel-netem\"\n[cgroup]\nmemory_high_mib = 40\n"})
    for (const auto& n : NeedsOf(Parse(text)))
      EXPECT_EQ(cfg.count(n.option), 1u) << n.option;
}

TEST(KernelNeedsTest, ParseKernelConfigReadsYAndM) {
  auto c = ParseKernelConfig(
      "# comment\nCONFIG_A=y\nCONFIG_B=m\r\n# CONFIG_C is not set\n"
      "CONFIG_D=\"str\"\nCONFIG_E=12\n");
  EXPECT_EQ(
      c, (std::map<std::string, char>{{"CONFIG_A", 'y'}, {"CONFIG_B", 'm'}}));
}

}  // namespace
}  // namespace swapbench
