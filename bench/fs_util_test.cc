#include "bench/fs_util.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "bench/guest_image.h"
#include "bench/text.h"

namespace swapbench {
namespace {

namespace fs = std::filesystem;

class RemoveTreeWithinTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() /
            ("swapbench-fs-test-" + std::to_string(getpid()));
    fs::remove_all(base_);
    fs::create_directories(base_ + "/root/inside/deep");
    fs::create_directories(base_ + "/victim");
    ASSERT_TRUE(WriteFile(base_ + "/victim/keep", "x").ok());
    ASSERT_TRUE(WriteFile(base_ + "/root/inside/deep/f", "x").ok());
  }
  void TearDown() override { fs::remove_all(base_); }
  std::string base_;
};

TEST_F(RemoveTreeWithinTest, RemovesWhatIsInside) {
  ASSERT_TRUE(RemoveTreeWithin(base_ + "/root", base_ + "/root/inside").ok());
  EXPECT_FALSE(Exists(base_ + "/root/inside"));
  EXPECT_TRUE(Exists(base_ + "/root"));
  EXPECT_TRUE(RemoveTreeWithin(base_ + "/root", base_ + "/root/missing").ok());
}

// Every way out of the root is refused and deletes nothing: the kernel
// package "../../../.." of issue 12 resolved to / and deleted /root.
TEST_F(RemoveTreeWithinTest, EscapesAreRefused) {
  const std::string root = base_ + "/root";
  fs::create_symlink(base_ + "/victim", root + "/link");
  for (const std::string& p :
       {root, root + "/", root + "/.", root + "/..", root + "/../victim",
        root + "/inside/../../victim", root + "/link/.", root + "/link/keep",
        base_ + "/victim", std::string("/"), root + "/../../../../../../..",
        std::string("")}) {
    Status s = RemoveTreeWithin(root, p);
    EXPECT_EQ(s.kind(), Status::Kind::kHarness) << p;
    EXPECT_EQ(s.message().rfind("refusing to delete", 0), 0u) << p;
  }
  EXPECT_TRUE(Exists(base_ + "/victim/keep"));
  EXPECT_TRUE(Exists(root + "/inside/deep/f"));
  // The link itself is inside: it goes, not what it points to.
  ASSERT_TRUE(RemoveTreeWithin(root, root + "/link").ok());
  EXPECT_FALSE(fs::is_symlink(root + "/link"));
  EXPECT_TRUE(Exists(base_ + "/victim/keep"));
}

TEST(DebianPackageNameTest, OnlyPackageNames) {
  for (const char* ok : {"linux-image-6.1.0-54-amd64",
                         "linux-image-6.12.117+deb12-cloud-amd64", "g++", "a0"})
    EXPECT_TRUE(IsDebianPackageName(ok)) << ok;
  for (const char* bad :
       {"../../../..", "..", "a/b", "", "x", "-rf", ".hidden", "Linux-image",
        "linux image", "linux-image-6.1.0-54-amd64/../../x", "a\nb"})
    EXPECT_FALSE(IsDebianPackageName(bad)) << bad;
}

TEST(DebianPackageNameTest, PrepareKernelRefusesAPathBeforeTouchingAnything) {
  std::string cache = fs::temp_directory_path() /
                      ("swapbench-cache-test-" + std::to_string(getpid()));
  auto k = PrepareKernel({"../../../..", "", "", "", ""}, cache);
  EXPECT_EQ(k.status().kind(), Status::Kind::kUsage);
  EXPECT_EQ(k.status().message(),
            std::string("kernel: kernel package \"../../../..\": ") +
                kDebianPackageNameRule);
  EXPECT_FALSE(Exists(cache)) << "nothing is made for a bad name";
}

}  // namespace
}  // namespace swapbench

namespace swapbench {
namespace {

std::vector<std::string> Split(const std::vector<std::string>& chunks,
                               size_t max_line) {
  std::vector<std::string> out;
  LineSplitter s(max_line);
  auto on = [&](std::string_view l) { out.emplace_back(l); };
  for (const auto& c : chunks) s.Feed(c, on);
  s.Flush(on);
  return out;
}

TEST(LineSplitterTest, LinesAcrossChunks) {
  using V = std::vector<std::string>;
  EXPECT_EQ(Split({"ab\ncd", "ef\n", "\ng"}, 100), (V{"ab", "cdef", "", "g"}));
  EXPECT_EQ(Split({"abc\n"}, 3), (V{"abc"}));
  // Longer lines are cut at the limit; memory stays bounded.
  EXPECT_EQ(Split({"abcdefg\nh"}, 3), (V{"abc", "def", "g", "h"}));
  EXPECT_EQ(Split({"ab", "cd", "ef", "g"}, 3), (V{"abc", "def", "g"}));
  EXPECT_EQ(Split({"abcdef"}, 3), (V{"abc", "def"}));
}

TEST(ReadRegularFileTest, DevicesFifosAndHugeFilesAreRefused) {
  EXPECT_EQ(ReadRegularFile("/dev/zero", 100).status().message(),
            "/dev/zero: not a regular file");
  std::string fifo = fs::temp_directory_path() /
                     ("swapbench-fifo-" + std::to_string(getpid()));
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(ReadRegularFile(fifo, 100).status().message(),
            fifo + ": not a regular file");  // and no hang
  EXPECT_EQ(ForEachLine(fifo, [](std::string_view) {}).message(),
            fifo + ": not a regular file");
  unlink(fifo.c_str());
  std::string big = fifo + ".big";
  ASSERT_TRUE(WriteFile(big, std::string(101, 'x')).ok());
  EXPECT_EQ(ReadRegularFile(big, 100).status().message(),
            big + ": 101 bytes, over the limit of 100");
  unlink(big.c_str());
}

TEST(CheckOutDirTest, OnlyWritableDirectories) {
  EXPECT_TRUE(CheckOutDir(fs::temp_directory_path() / "new/dir/below").ok());
  EXPECT_EQ(CheckOutDir("/dev/null").message(),
            "--out /dev/null: exists and is not a directory");
  EXPECT_EQ(CheckOutDir("/proc/swapbench").message(),
            "--out /proc/swapbench: /proc is on /proc or /sys");
  EXPECT_EQ(CheckOutDir("/dev/null/x").message(),
            "--out /dev/null/x: /dev/null is not a directory");
}

}  // namespace
}  // namespace swapbench
