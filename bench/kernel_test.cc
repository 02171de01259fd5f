#include "bench/kernel.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "bench/fs_util.h"

namespace swapbench {
namespace {

namespace fs = std::filesystem;

TEST(ModulesOrderTest, EveryLayoutGivesTreePaths) {
  EXPECT_EQ(ParseModulesOrder("fs/nfs/nfs.ko\nkernel/drivers/block/nbd.ko\n"
                              "net/sunrpc/sunrpc.o\n\n../../etc/x.ko\n"
                              "/abs.ko\n"),
            (std::vector<std::string>{"fs/nfs/nfs.ko", "drivers/block/nbd.ko",
                                      "net/sunrpc/sunrpc.ko"}));
}

TEST(KernelSpecTest, SlugIsFileNameSafe) {
  EXPECT_EQ((KernelSpec{"linux-image-6.1.0-54-amd64", "", "", "", ""}.Slug()),
            "linux-image-6.1.0-54-amd64");
  EXPECT_EQ(
      (KernelSpec{"./out/linux-image-6.1.99_6.1.99-1_amd64.deb", "", "", "", ""}
           .Slug()),
      "linux-image-6.1.99_6.1.99-1_amd64");
  EXPECT_EQ((KernelSpec{"", "", "", "", "/src/linux build/"}.Slug()),
            "tree-linux_build");
  EXPECT_EQ((KernelSpec{"", "/b/bzImage", "/m", "", ""}.Slug()), "bzimage");
}

TEST(KernelPackageTest, NamesAndDebFiles) {
  EXPECT_TRUE(IsKernelPackage("linux-image-6.1.0-54-amd64"));
  EXPECT_TRUE(IsKernelPackage("./linux-image-6.1.99_1_amd64.deb"));
  EXPECT_TRUE(IsKernelPackage("/tmp/k.deb"));
  EXPECT_FALSE(IsKernelPackage("../../x"));
  EXPECT_FALSE(IsKernelPackage("Linux.tar"));
}

// A built tree laid out in a temp dir, as `make` leaves it.
class KernelTreeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() /
            ("swapbench-tree-test-" + std::to_string(getpid()));
    fs::remove_all(base_);
    tree_ = base_ + "/linux";
    cache_ = base_ + "/cache";
  }
  void TearDown() override { fs::remove_all(base_); }

  void Put(const std::string& rel, const std::string& data) {
    fs::create_directories(fs::path(tree_ + "/" + rel).parent_path());
    ASSERT_TRUE(WriteFile(tree_ + "/" + rel, data).ok());
  }
  void Built(const std::string& order) {
    Put("arch/x86/boot/bzImage", "MZ fake bzImage");
    Put(".config", "CONFIG_SWAP=y\nCONFIG_MODULES=y\n");
    Put("include/config/kernel.release", "6.1.99-test\n");
    Put("modules.order", order);
    Put("modules.builtin", "kernel/drivers/virtio/virtio_pci.ko\n");
  }
  Result<Kernel> Prepare() {
    return PrepareKernel({"", "", "", "", tree_}, cache_);
  }
  std::string Error() {
    auto k = Prepare();
    EXPECT_FALSE(k.ok());
    EXPECT_EQ(k.status().kind(), Status::Kind::kUsage);
    return k.status().message();
  }

  std::string base_, tree_, cache_;
};

TEST_F(KernelTreeTest, CollectsImageConfigAndModulesWithoutInstalling) {
  Built("fs/nfs/nfs.ko\ndrivers/block/nbd.o\n");
  Put("fs/nfs/nfs.ko", "not really ELF");
  Put("drivers/block/nbd.ko", "not really ELF");
  auto k = Prepare();
  ASSERT_TRUE(k.ok()) << k.status().message();
  EXPECT_EQ(k->release, "6.1.99-test");
  EXPECT_EQ(k->source, "tree:" + tree_);
  EXPECT_EQ(*ReadFile(k->image), "MZ fake bzImage");
  EXPECT_EQ(k->image.rfind(cache_ + "/kernels/tree-", 0), 0u) << k->image;
  EXPECT_EQ(*ReadFile(k->config_path), "CONFIG_SWAP=y\nCONFIG_MODULES=y\n");
  EXPECT_EQ(k->modules_dir.substr(k->modules_dir.size() - 24),
            "/lib/modules/6.1.99-test")
      << k->modules_dir;
  auto dep = ReadFile(k->modules_dir + "/modules.dep");
  ASSERT_TRUE(dep.ok());
  EXPECT_NE(dep->find("kernel/fs/nfs/nfs.ko:"), std::string::npos) << *dep;
  EXPECT_NE(dep->find("kernel/drivers/block/nbd.ko:"), std::string::npos);
  EXPECT_TRUE(fs::is_symlink(k->modules_dir + "/kernel/fs/nfs/nfs.ko"));
  auto facts = FactsOf(*k);
  ASSERT_TRUE(facts.ok());
  EXPECT_NE(facts->modules_builtin.find("virtio_pci"), std::string::npos);
  EXPECT_FALSE(Exists(tree_ + "/lib")) << "nothing is installed in the tree";

  // Unchanged: the same collection. Rebuilt: a new one.
  auto again = Prepare();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->image, k->image);
  Put("arch/x86/boot/bzImage", "MZ rebuilt");
  auto rebuilt = Prepare();
  ASSERT_TRUE(rebuilt.ok());
  EXPECT_NE(rebuilt->image, k->image);
  EXPECT_EQ(*ReadFile(rebuilt->image), "MZ rebuilt");
}

TEST_F(KernelTreeTest, EverythingBuiltInNeedsNoModules) {
  Put("arch/x86/boot/bzImage", "MZ");
  Put(".config", "CONFIG_SWAP=y\n# CONFIG_MODULES is not set\n");
  Put("include/config/kernel.release", "6.1.99\n");
  auto k = Prepare();
  ASSERT_TRUE(k.ok()) << k.status().message();
  EXPECT_EQ(*ReadFile(k->modules_dir + "/modules.dep"), "");
}

TEST_F(KernelTreeTest, NoSuchDirectory) {
  EXPECT_EQ(Error(), "kernel: --kernel-tree " + tree_ + ": no such directory");
}

TEST_F(KernelTreeTest, NotBuiltYet) {
  Put("Makefile", "VERSION = 6\n");
  EXPECT_EQ(Error(), "kernel: --kernel-tree " + tree_ +
                         ": no .config and no arch/x86/boot/bzImage: not "
                         "built yet (make bzImage modules), or built with "
                         "O=DIR (give that directory)");
}

TEST_F(KernelTreeTest, VmlinuxOnly) {
  Put("Makefile", "VERSION = 6\n");
  Put(".config", "CONFIG_SWAP=y\n");
  Put("vmlinux", "ELF");
  EXPECT_EQ(Error(), "kernel: --kernel-tree " + tree_ +
                         ": has vmlinux but no arch/x86/boot/bzImage; the "
                         "guest boots the compressed image: run `make "
                         "bzImage`");
}

// What Debian's linux-headers-RELEASE package installs.
TEST_F(KernelTreeTest, HeadersPackageCannotBoot) {
  Put(".config", "CONFIG_SWAP=y\n");
  Put(".kernelvariables", "ARCH=x86\n");
  Put("Makefile", "include ../linux-headers-common/Makefile\n");
  Put("Module.symvers", "0x0 sym vmlinux EXPORT_SYMBOL\n");
  EXPECT_EQ(Error(), "kernel: --kernel-tree " + tree_ +
                         ": a kernel headers tree (.config and Module.symvers, "
                         "nothing built) cannot boot; give a built source "
                         "tree, or the linux-image package with "
                         "--kernel-package");
}

TEST_F(KernelTreeTest, ModuleListedButNotBuilt) {
  Built("fs/nfs/nfs.ko\n");
  EXPECT_EQ(Error(), "kernel: --kernel-tree " + tree_ +
                         ": modules.order names fs/nfs/nfs.ko, which is not "
                         "built (run `make modules`)");
}

TEST_F(KernelTreeTest, LocalDebThatIsNotAPackage) {
  Put("k.deb", "not an ar archive");
  auto k = PrepareKernel({tree_ + "/k.deb", "", "", "", ""}, cache_);
  ASSERT_FALSE(k.ok());
  EXPECT_EQ(k.status().kind(), Status::Kind::kUsage);
  EXPECT_EQ(k.status().message().rfind("kernel: kernel package " + tree_ +
                                           "/k.deb: not a Debian "
                                           "package (",
                                       0),
            0u)
      << k.status().message();
}

TEST_F(KernelTreeTest, MissingDeb) {
  auto k = PrepareKernel({tree_ + "/none.deb", "", "", "", ""}, cache_);
  ASSERT_FALSE(k.ok());
  EXPECT_EQ(k.status().kind(), Status::Kind::kUsage);
  EXPECT_FALSE(Exists(cache_)) << "nothing is made for a missing file";
}

// A .deb made here with dpkg-deb, holding `files`.
std::string MakeDeb(const std::string& dir, const std::string& name,
                    const std::vector<std::string>& files) {
  std::string root = dir + "/" + name + ".root";
  fs::create_directories(root + "/DEBIAN");
  EXPECT_TRUE(WriteFile(root + "/DEBIAN/control",
                        "Package: " + name +
                            "\nVersion: 6.1.99-1\nArchitecture: amd64\n"
                            "Maintainer: t <t@example.org>\nDescription: t\n")
                  .ok());
  for (const auto& f : files) {
    fs::create_directories(fs::path(root + "/" + f).parent_path());
    EXPECT_TRUE(WriteFile(root + "/" + f, "x").ok());
  }
  std::string deb = dir + "/" + name + ".deb";
  EXPECT_EQ(system(("dpkg-deb -b --root-owner-group " + root + " " + deb +
                    " >/dev/null 2>&1")
                       .c_str()),
            0);
  return deb;
}

TEST_F(KernelTreeTest, LocalDebUnpacksOnceByContent) {
  fs::create_directories(base_);
  std::string deb = MakeDeb(base_, "linux-image-6.1.99",
                            {"boot/vmlinuz-6.1.99", "boot/config-6.1.99",
                             "lib/modules/6.1.99/kernel/drivers/block/nbd.ko"});
  auto k = PrepareKernel({deb, "", "", "", ""}, cache_);
  ASSERT_TRUE(k.ok()) << k.status().message();
  EXPECT_EQ(k->release, "6.1.99");
  EXPECT_EQ(k->source, "deb:" + deb + " 6.1.99-1");
  EXPECT_TRUE(Exists(k->image));
  EXPECT_TRUE(Exists(k->modules_dir + "/modules.dep"));
  auto again = PrepareKernel({deb, "", "", "", ""}, cache_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->image, k->image);
}

TEST_F(KernelTreeTest, HeadersDebIsNotAKernel) {
  fs::create_directories(base_);
  std::string deb = MakeDeb(base_, "linux-headers-6.1.99",
                            {"usr/src/linux-headers-6.1.99/.config",
                             "usr/src/linux-headers-6.1.99/Module.symvers"});
  auto k = PrepareKernel({deb, "", "", "", ""}, cache_);
  ASSERT_FALSE(k.ok());
  EXPECT_EQ(k.status().kind(), Status::Kind::kUsage);
  EXPECT_EQ(k.status().message(),
            "kernel: kernel package " + deb +
                " holds no boot/vmlinuz-RELEASE: not a kernel image package "
                "(a linux-headers package has a .config but cannot boot; give "
                "the linux-image package)");
}

}  // namespace
}  // namespace swapbench
