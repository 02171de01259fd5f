#include "bench/scenario_family.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "bench/fs_util.h"

namespace swapbench {
namespace {

class ScenarioFamilyTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::TempDir() + "/family-" + std::to_string(getpid());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& text) {
    std::string p = dir_ + "/" + name;
    EXPECT_TRUE(WriteFileAtomic(p, text).ok());
    return p;
  }
  std::string Err(const std::string& path) {
    auto r = LoadScenarios(path);
    EXPECT_FALSE(r.ok());
    return r.ok() ? "" : r.status().message();
  }
  std::string dir_;
};

TEST_F(ScenarioFamilyTest, IncludeMergesTablesAndTheIncluderWins) {
  Write("base.toml", R"(name = "base"
seed = 3
[vm]
memory_mib = 512
cpus = 2
[storage]
version = "3"
[[cgroup]]
name = "a"
memory_max_mib = 48
[[workload]]
kind = "hog"
cgroup = "a"
)");
  std::string top = Write("top.toml", R"(include = ["base.toml"]
name = "top"
[vm]
cpus = 1
[storage]
version = "4.2"
)");
  auto r = LoadScenario(top);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->name, "top");
  EXPECT_EQ(r->seed, 3u);            // from the base
  EXPECT_EQ(r->vm.memory_mib, 512);  // tables merge key by key
  EXPECT_EQ(r->vm.cpus, 1);          // the includer wins
  EXPECT_EQ(r->storage.version, "4.2");
  ASSERT_EQ(r->cgroups.size(), 1u);  // [[tables]] come through whole
  EXPECT_EQ(r->workloads[0].cgroup, "a");
}

TEST_F(ScenarioFamilyTest, ErrorsPointIntoTheFileThatHasTheMistake) {
  Write("base.toml", "name = \"b\"\n[vm]\n\nmemory_mib = 64\n");
  std::string top = Write("top.toml", "include = [\"base.toml\"]\n");
  EXPECT_EQ(Err(top), dir_ +
                          "/base.toml:4: vm.memory_mib 64 out of range "
                          "[128, 65536]");
  std::string missing =
      Write("m.toml", "name = \"m\"\ninclude = [\"no.toml\"]\n");
  EXPECT_EQ(Err(missing).rfind(dir_ +
                                   "/m.toml:2: include \"no.toml\": cannot "
                                   "read " +
                                   dir_ + "/no.toml (",
                               0),
            0u)
      << Err(missing);
  std::string self = Write("self.toml", "include = [\"self.toml\"]\n");
  EXPECT_EQ(Err(self), dir_ +
                           "/self.toml:1: include \"self.toml\": includes "
                           "itself (through " +
                           dir_ + "/self.toml)");
  std::string bad = Write("bad.toml", "include = \"base.toml\"\n");
  EXPECT_EQ(Err(bad),
            dir_ + "/bad.toml:1: include: expected an array of file names");
}

TEST_F(ScenarioFamilyTest, MatrixExpandsInFileOrder) {
  std::string p = Write("m.toml", R"(name = "fam"
[[cgroup]]
name = "a"
memory_max_mib = 48
[[workload]]
kind = "hog"
cgroup = "a"
[matrix]
"storage.version" = ["3", "4.2"]
seed = [1, 2, 3]
"cgroup.0.memory_max_mib" = [32]
)");
  auto r = LoadScenarios(p);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 6u);
  EXPECT_EQ((*r)[0].name,
            "fam[storage.version=3,seed=1,cgroup.0.memory_max_mib=32]");
  EXPECT_EQ((*r)[5].name,
            "fam[storage.version=4.2,seed=3,cgroup.0.memory_max_mib=32]");
  EXPECT_EQ((*r)[4].storage.version, "4.2");
  EXPECT_EQ((*r)[4].seed, 2u);
  EXPECT_EQ((*r)[4].cgroups[0].memory_max_mib, 32);
  EXPECT_EQ((*r)[0].DirName(),
            "fam.storage.version-3.seed-1.cgroup.0.memory_max_mib-32");
}

TEST_F(ScenarioFamilyTest, MatrixOfTablesMergesIntoTheTable) {
  std::string p = Write("m.toml", R"(name = "b"
[storage]
swapfile_mib = 64
[matrix]
storage = [{kind = "nfs", version = "3"}, {kind = "nbd"}]
)");
  auto r = LoadScenarios(p);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].name, "b[storage=nfs-3]");
  EXPECT_EQ((*r)[1].name, "b[storage=nbd]");
  EXPECT_EQ((*r)[1].storage.kind, StorageKind::kNbd);
  EXPECT_EQ((*r)[1].storage.swapfile_mib, 64);  // merged, not replaced
  auto one = SelectCases(*r, {"storage=nbd"});
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ(one->front().name, "b[storage=nbd]");
  auto none = SelectCases(*r, {"storage=iscsi"});
  EXPECT_EQ(none.status().message(),
            "--case storage=iscsi: no such case; the cases are:\n"
            "  b[storage=nfs-3]\n  b[storage=nbd]");
  EXPECT_EQ(LoadScenario(p).status().message(),
            p +
                ": a [matrix] of 2 cases; this command takes one (swapbench "
                "list " +
                p + " shows them)");
}

TEST_F(ScenarioFamilyTest, MatrixMistakes) {
  auto err = [&](const std::string& matrix) {
    return Err(Write("m.toml", "name = \"m\"\n[matrix]\n" + matrix));
  };
  std::string m = dir_ + "/m.toml";
  EXPECT_EQ(err("seed = 1\n"),
            m + ":3: matrix \"seed\": expected an array of 1 to 64 values");
  EXPECT_EQ(err("seed = []\n"),
            m + ":3: matrix \"seed\": expected an array of 1 to 64 values");
  EXPECT_EQ(err("name = [\"a\"]\n"),
            m + ":3: matrix \"name\": not a key a case can vary");
  EXPECT_EQ(err("\"vm.memory_mib\" = [64]\n"),
            m + ":3: vm.memory_mib 64 out of range [128, 65536]");
  EXPECT_EQ(err("\"vm.memroy_mib\" = [256]\n"),
            m + ":3: unknown key vm.memroy_mib in [vm] (expected cmdline, "
                "cpus, hostdev, memory_mib, mtu, nic, queues; did you mean "
                "memory_mib?)");
  EXPECT_EQ(err("\"seed.x\" = [1]\n"),
            m + ":3: matrix \"seed.x\": seed is not a table");
  EXPECT_EQ(err("\"workload.mib\" = [1]\n[[workload]]\nkind = \"hog\"\n"),
            m + ":3: matrix \"workload.mib\": workload is a list of "
                "[[workload]] tables: name one by its index from 0, e.g. "
                "workload.0.mib");
  std::string big;
  for (const char* k : {"a", "b", "c"}) {
    big += std::string("\"vm.") + k + "\" = [";
    for (int i = 0; i < 7; ++i) big += std::to_string(i) + ",";
    big += "7]\n";
  }
  EXPECT_EQ(err(big), m + ":5: matrix: more than 256 cases");
}

}  // namespace
}  // namespace swapbench

namespace swapbench {
namespace {

TEST(ExpandNicsTest, OneCasePerModelAndRefusalsSayWhy) {
  Scenario a;
  a.name = "smoke";
  a.path = "smoke.toml";
  Scenario b = a;
  b.name = "baselines[storage=nbd]";
  auto r = ExpandNics({a, b}, {"e1000", "vmxnet3"});
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 4u);
  EXPECT_EQ((*r)[0].name, "smoke[vm.nic=e1000]");
  EXPECT_EQ((*r)[0].vm.nic, "e1000");
  EXPECT_EQ((*r)[1].name, "baselines[storage=nbd,vm.nic=e1000]");
  EXPECT_EQ((*r)[3].vm.nic, "vmxnet3");
  EXPECT_EQ((*r)[0].DirName(), "smoke.vm.nic-e1000");
  EXPECT_EQ(ExpandNics({a}, {})->front().name, "smoke");
  EXPECT_EQ(ExpandNics({a}, {"ne2k"}).status().message(),
            "--nic ne2k: no such model (one of e1000 e1000e i82559 pcnet "
            "rtl8139 tulip virtio vmxnet3)");
  a.vm.mtu = 9000;
  EXPECT_EQ(ExpandNics({a}, {"tulip"}).status().message(),
            "--nic tulip: smoke (smoke.toml) sets vm.mtu 9000; tulip takes at "
            "most 1500");
  a.vm.mtu = 1500;
  a.vm.queues = 2;
  EXPECT_EQ(ExpandNics({a}, {"e1000"}).status().message(),
            "--nic e1000: smoke (smoke.toml) sets vm.queues, which is "
            "virtio-net's");
}

}  // namespace
}  // namespace swapbench
