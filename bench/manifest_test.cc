#include "bench/manifest.h"

#include <gtest/gtest.h>

#include "bench/digest.h"
#include "bench/fs_util.h"
#include "bench/scenario_family.h"

namespace swapbench {
namespace {

TEST(DigestTest, Sha256OfBytesAndFiles) {
  // FIPS 180-2's test vectors.
  EXPECT_EQ(Sha256Hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  std::string path = ::testing::TempDir() + "/digest-abc";
  ASSERT_TRUE(WriteFile(path, "abc").ok());
  auto f = Sha256File(path);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(*f, Sha256Hex("abc"));
  EXPECT_FALSE(Sha256File("/nonexistent/file").ok());
}

HostVersions Host() {
  return {"QEMU emulator version 7.2.19",
          "9.0.0",
          "4.3-2",
          "1:3.24-1",
          "",
          "6.1.0-host"};
}

TEST(ManifestTest, NamesEverythingARerunNeedsAndTheCommand) {
  auto sc = ParseScenario(R"(name = "m"
seed = 7
[storage]
kind = "nbd"
)",
                          "scenarios/m.toml");
  ASSERT_TRUE(sc.ok()) << sc.status().message();
  Kernel k;
  k.release = "6.1.0-54-amd64";
  k.source = "debian:linux-image-6.1.0-54-amd64 6.1.158-1";
  k.package_sha256 = "ab12";
  nlohmann::json m = ManifestJson({.scenario = &*sc,
                                   .seed = 42,
                                   .spec = sc->kernel,
                                   .kernel = k,
                                   .kernel_image_sha256 = "cd34",
                                   .image_hash = "30fea46c53de4e49",
                                   .accel = "tcg"},
                                  Host());
  EXPECT_EQ(m["seed"], 42);
  EXPECT_EQ(m["scenario"]["path"], "scenarios/m.toml");
  EXPECT_EQ(m["scenario"]["file_sha256"].get<std::string>().size(), 64u);
  EXPECT_EQ(m["scenario"]["case_sha256"].get<std::string>().size(), 64u);
  EXPECT_EQ(m["kernel"]["package"], "linux-image-6.1.0-54-amd64");
  EXPECT_EQ(m["kernel"]["version"], "6.1.158-1");
  EXPECT_EQ(m["kernel"]["package_sha256"], "ab12");
  EXPECT_EQ(m["kernel"]["image_sha256"], "cd34");
  EXPECT_EQ(m["guest_image"], "30fea46c53de4e49");
  EXPECT_EQ(m["storage_server"]["name"], "nbd-server");
  EXPECT_EQ(m["storage_server"]["version"], "1:3.24-1");
  EXPECT_EQ(m["qemu"], "QEMU emulator version 7.2.19");
  EXPECT_EQ(m["libvirt"], "9.0.0");
  EXPECT_EQ(m["host_kernel"], "6.1.0-host");
  EXPECT_EQ(m["accel"], "tcg");
  EXPECT_FALSE(m["swapbench"].get<std::string>().empty());
  EXPECT_EQ(m["rerun"],
            "build/swapbench run scenarios/m.toml --seed 42 --kernel-package "
            "linux-image-6.1.0-54-amd64");
}

TEST(ManifestTest, TheCaseHashFollowsIncludesNotTheFileAlone) {
  std::string dir = ::testing::TempDir() + "/manifest-inc";
  ASSERT_TRUE(MakeDirs(dir).ok());
  ASSERT_TRUE(WriteFile(dir + "/base.toml", "[vm]\nmemory_mib = 256\n").ok());
  ASSERT_TRUE(
      WriteFile(dir + "/s.toml", "include = [\"base.toml\"]\nname = \"s\"\n")
          .ok());
  auto a = LoadScenario(dir + "/s.toml");
  ASSERT_TRUE(a.ok()) << a.status().message();
  ASSERT_TRUE(WriteFile(dir + "/base.toml", "[vm]\nmemory_mib = 384\n").ok());
  auto b = LoadScenario(dir + "/s.toml");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(a->file_sha256, b->file_sha256);  // s.toml did not change
  EXPECT_NE(a->case_sha256, b->case_sha256);  // what the run read did
  EXPECT_EQ(a->file_sha256,
            Sha256Hex("include = [\"base.toml\"]\nname = \"s\"\n"));
}

TEST(ManifestTest, RerunNamesTheCaseTheNicAndTheKernelAndQuotes) {
  auto all = ParseScenarios(R"(name = "fam"
[matrix]
"storage.kind" = ["nfs", "nbd"]
)",
                            "/tmp/my scenarios/fam.toml");
  ASSERT_TRUE(all.ok()) << all.status().message();
  auto nics = ExpandNics(*all, {"e1000"});
  ASSERT_TRUE(nics.ok());
  const Scenario& sc = (*nics)[1];
  EXPECT_EQ(sc.case_label, "storage.kind=nbd");
  EXPECT_NE((*all)[0].case_sha256, (*all)[1].case_sha256);
  KernelSpec tree{"", "", "", "", "/src/linux"};
  EXPECT_EQ(RerunCommand(sc, 3, tree),
            "build/swapbench run '/tmp/my scenarios/fam.toml' --seed 3 --case "
            "storage.kind=nbd --nic e1000 --kernel-tree /src/linux");
  KernelSpec image{"", "/k/bzImage", "/k/lib/modules/6.13.0", "", ""};
  EXPECT_EQ(RerunCommand((*all)[0], 1, image),
            "build/swapbench run '/tmp/my scenarios/fam.toml' --seed 1 --case "
            "storage.kind=nfs --kernel /k/bzImage --modules "
            "/k/lib/modules/6.13.0");
  Scenario quote;
  quote.path = "it's.toml";
  EXPECT_EQ(RerunCommand(quote, 1, {}),
            "build/swapbench run 'it'\\''s.toml' --seed 1");
}

}  // namespace
}  // namespace swapbench
