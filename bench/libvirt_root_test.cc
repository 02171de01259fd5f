#include "bench/libvirt_root.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "bench/process.h"

namespace swapbench {
namespace {

namespace fs = std::filesystem;

class LibvirtRootTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() /
            ("swapbench-lvroot-" + std::to_string(getpid()));
    fs::remove_all(base_);
  }
  void TearDown() override { fs::remove_all(base_); }
  std::string base_;
};

TEST_F(LibvirtRootTest, EachProcessItsOwnRootSharingCapabilities) {
  std::vector<std::string> reaped;
  ASSERT_TRUE(MakeDirs(base_ + "/capabilities").ok());
  ASSERT_TRUE(WriteFile(base_ + "/capabilities/a.xml", "<qemuCaps/>").ok());
  {
    auto root = LibvirtRoot::Claim(base_, &reaped);
    ASSERT_TRUE(root.ok()) << root.status().message();
    EXPECT_EQ(root->path(), base_ + "/" + std::to_string(getpid()));
    EXPECT_TRUE(Exists(root->path() + "/cache/qemu/capabilities/a.xml"));
    // What this process probes is shared when it is done.
    ASSERT_TRUE(
        WriteFile(root->path() + "/cache/qemu/capabilities/b.xml", "<b/>")
            .ok());
    // A second claim in this process finds the root taken.
    std::vector<std::string> r2;
    EXPECT_FALSE(LibvirtRoot::Claim(base_, &r2).ok());
  }
  EXPECT_FALSE(Exists(base_ + "/" + std::to_string(getpid())));
  EXPECT_TRUE(Exists(base_ + "/capabilities/b.xml"));
  EXPECT_TRUE(reaped.empty());
}

// A dead process's root: its guest is killed (only a process whose command
// line says it is that guest) and the root deleted.
TEST_F(LibvirtRootTest, DeadRootsAreReaped) {
  const std::string dead = base_ + "/999999";
  ASSERT_TRUE(MakeDirs(dead + "/run/qemu").ok());
  auto guest =
      Spawn({"bash", "-c", "exec -a guest=swapbench-sb1,debug sleep 60"}, {});
  auto other = Spawn({"sleep", "60"}, {});
  ASSERT_TRUE(guest.ok() && other.ok());
  usleep(100000);  // exec done
  ASSERT_TRUE(
      WriteFile(dead + "/run/qemu/swapbench-sb1.pid", std::to_string(*guest))
          .ok());
  // A recycled pid: the pid file names a process that is not that guest.
  ASSERT_TRUE(
      WriteFile(dead + "/run/qemu/swapbench-sb2.pid", std::to_string(*other))
          .ok());
  auto lines = ReapDeadRoots(base_);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "reaped libvirt root " + dead +
                          " of dead process 999999 (1 guest(s) killed)");
  int st = 0;
  EXPECT_EQ(waitpid(*guest, &st, 0), *guest);
  EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
  EXPECT_TRUE(ChildAlive(*other));
  EXPECT_FALSE(Exists(dead));
  Terminate(*other, 0);
}

}  // namespace
}  // namespace swapbench
