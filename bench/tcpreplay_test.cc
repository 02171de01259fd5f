#include "bench/tcpreplay.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>

#include "bench/fs_util.h"
#include "bench/testing.h"

namespace swapbench {
namespace {

FloodConfig Replay(double at_s, double for_s) {
  FloodConfig f;
  f.name = "corpus";
  f.kind = "tcpreplay";
  f.file = "/data/corpus.pcap";
  f.at_s = at_s;
  f.for_s = for_s;
  f.tcpreplay_options = {"--pps=2000", "--loop=0"};
  return f;
}

TEST(TcpreplayTest, OptionsOutsideTheAllowlistAreRefusedByName) {
  EXPECT_EQ(CheckTcpreplayOptions(
                {"--pps=2000", "--loop=0", "--preload-pcap", "--timer=nano"}),
            "");
  EXPECT_EQ(CheckTcpreplayOptions({"--mbps=10.5"}), "");
  EXPECT_NE(CheckTcpreplayOptions({"-p", "100"}), "");
  EXPECT_NE(CheckTcpreplayOptions({"--load-opts=/etc/shadow"}), "");
  EXPECT_NE(CheckTcpreplayOptions({"--intf2=eth0"}), "");
  EXPECT_NE(CheckTcpreplayOptions({"--pps"}), "");
  EXPECT_NE(CheckTcpreplayOptions({"--timer=a b"}), "");
  EXPECT_NE(CheckTcpreplayOptions({"--mbps=1", "--multiplier=2"}), "");
  EXPECT_EQ(
      CheckTcprewriteOptions({"--dstipmap=0.0.0.0/0:10.213.0.2/32",
                              "--enet-dmac=52:54:00:5b:00:02", "--fixcsum"}),
      "");
  EXPECT_NE(CheckTcprewriteOptions({"--infile=/x"}), "");
  EXPECT_NE(CheckTcprewriteOptions({"--fixcsum=1"}), "");
}

TEST(TcpreplayTest, CommandLines) {
  FloodConfig f = Replay(0, 0);
  EXPECT_EQ(
      TcpreplayArgv(f, "sbfl0w", "/out/flood-corpus.pcap"),
      (std::vector<std::string>{"tcpreplay", "--intf1=sbfl0w", "--pps=2000",
                                "--loop=0", "/out/flood-corpus.pcap"}));
  EXPECT_EQ(TcprewriteArgv(f, "/in.pcap", "/out.pcap", "52:54:00:5b:00:02",
                           "10.213.0.2"),
            (std::vector<std::string>{
                "tcprewrite", "--infile=/in.pcap", "--outfile=/out.pcap",
                "--enet-dmac=52:54:00:5b:00:02",
                "--dstipmap=0.0.0.0/0:10.213.0.2/32", "--fixcsum"}));
  f.tcprewrite_options = {"--portmap=80:8080"};
  EXPECT_EQ(
      TcprewriteArgv(f, "/in.pcap", "/out.pcap", "m", "ip"),
      (std::vector<std::string>{"tcprewrite", "--infile=/in.pcap",
                                "--outfile=/out.pcap", "--portmap=80:8080"}));
}

// The floods on a fake clock, fake commands and fake children.
struct Fixture {
  testing::Journal journal;
  testing::FakeEnv env{&journal};
  std::vector<std::string> spawned;  // argv joined, then " @" netns path
  std::map<pid_t, int> exits;        // pid -> wait status once it exited
  std::vector<pid_t> stopped, recorded;
  pid_t next_pid = 100;
  std::string dir =
      ::testing::TempDir() + "/tcpreplay-" + std::to_string(getpid());
  Fixture() { (void)MakeDirs(dir); }

  TcpreplayFloods::Params Params() {
    TcpreplayFloods::Params p;
    p.env = &env;
    p.netns = "swapbench-r1";
    p.out_dir = dir;
    p.guest_mac = "52:54:00:5b:00:02";
    p.guest_ip = "10.213.0.2";
    p.record_pid = [this](pid_t pid) { recorded.push_back(pid); };
    p.children.spawn = [this](const std::vector<std::string>& argv,
                              const SpawnOptions& o) -> Result<pid_t> {
      std::string line;
      for (const auto& a : argv) line += a + " ";
      spawned.push_back(line + "@" + o.netns_path + " > " + o.log_path);
      return next_pid++;
    };
    p.children.alive = [this](pid_t pid, int* st) {
      auto it = exits.find(pid);
      if (it == exits.end()) return true;
      *st = it->second;
      return false;
    };
    p.children.stop = [this](pid_t pid) { stopped.push_back(pid); };
    return p;
  }
};

TEST(TcpreplayTest, AddRewritesTheCaptureAndMakesTheVethPortInTheNamespace) {
  Fixture fx;
  TcpreplayFloods floods(fx.Params());
  auto port = floods.Add(2, Replay(1, 0));
  ASSERT_TRUE(port.ok()) << port.status().message();
  EXPECT_EQ(*port, "sbfl2r");
  EXPECT_EQ(fx.journal.Dump(),
            "tcprewrite --infile=/data/corpus.pcap --outfile=" + fx.dir +
                "/flood-corpus.pcap --enet-dmac=52:54:00:5b:00:02 "
                "--dstipmap=0.0.0.0/0:10.213.0.2/32 --fixcsum\n"
                "ip -n swapbench-r1 link add sbfl2w mtu 1500 type veth peer "
                "name sbfl2r mtu 1500\n"
                "ip netns exec swapbench-r1 sysctl -qw "
                "net.ipv6.conf.sbfl2w.disable_ipv6=1 "
                "net.ipv6.conf.sbfl2r.disable_ipv6=1\n"
                "ip -n swapbench-r1 link set sbfl2w up\n"
                "ip -n swapbench-r1 link set sbfl2r up\n");
}

TEST(TcpreplayTest, AFailedRewriteNamesTheFlood) {
  Fixture fx;
  fx.env.FailCommands(
      [](const std::string& l) { return l.rfind("tcprewrite", 0) == 0; });
  TcpreplayFloods floods(fx.Params());
  auto port = floods.Add(0, Replay(0, 0));
  ASSERT_FALSE(port.ok());
  EXPECT_NE(port.status().message().find("flood corpus"), std::string::npos)
      << port.status().message();
  EXPECT_FALSE(fx.journal.Has("ip "));
}

TEST(TcpreplayTest, StartsAtItsTimeAfterTheEpochAndStopsWhenItsTimeIsUp) {
  Fixture fx;
  TcpreplayFloods floods(fx.Params());
  ASSERT_TRUE(floods.Add(0, Replay(5, 10)).ok());
  ASSERT_TRUE(floods.Tick(100).ok());  // no epoch yet: the hog has not begun
  EXPECT_TRUE(fx.spawned.empty());
  floods.SetEpoch(200);
  ASSERT_TRUE(floods.Tick(204.9).ok());
  EXPECT_TRUE(fx.spawned.empty());
  ASSERT_TRUE(floods.Tick(205).ok());
  ASSERT_EQ(fx.spawned.size(), 1u);
  EXPECT_EQ(fx.spawned[0], "tcpreplay --intf1=sbfl0w --pps=2000 --loop=0 " +
                               fx.dir + "/flood-corpus.pcap @/run/netns/" +
                               "swapbench-r1 > " + fx.dir +
                               "/flood-corpus.tcpreplay.log");
  EXPECT_EQ(fx.recorded, (std::vector<pid_t>{100}));
  ASSERT_TRUE(floods.Tick(214.9).ok());
  EXPECT_TRUE(fx.stopped.empty());
  ASSERT_TRUE(floods.Tick(215).ok());
  EXPECT_EQ(fx.stopped, (std::vector<pid_t>{100}));
  ASSERT_TRUE(floods.Tick(300).ok());
  EXPECT_EQ(fx.spawned.size(), 1u);  // once
  floods.Stop();
  EXPECT_EQ(fx.stopped.size(), 1u);
}

TEST(TcpreplayTest, UntilTheEndRunsUntilStopAndAFinishedReplayIsFine) {
  Fixture fx;
  TcpreplayFloods floods(fx.Params());
  FloodConfig once = Replay(0, 0);
  once.name = "once";
  ASSERT_TRUE(floods.Add(0, Replay(0, 0)).ok());
  ASSERT_TRUE(floods.Add(1, once).ok());
  floods.SetEpoch(10);
  ASSERT_TRUE(floods.Tick(10).ok());
  ASSERT_EQ(fx.spawned.size(), 2u);
  fx.exits[101] = 0;  // "once" finished its loops: exit 0
  ASSERT_TRUE(floods.Tick(1000).ok());
  EXPECT_TRUE(fx.stopped.empty());
  floods.Stop();
  EXPECT_EQ(fx.stopped, (std::vector<pid_t>{100}));
}

TEST(TcpreplayTest, ATcpreplayThatFailsIsAHarnessFailureWithItsOutput) {
  Fixture fx;
  TcpreplayFloods floods(fx.Params());
  ASSERT_TRUE(floods.Add(0, Replay(0, 0)).ok());
  ASSERT_TRUE(
      WriteFile(fx.dir + "/flood-corpus.tcpreplay.log",
                "Fatal Error: Unable to send packet: Message too long\n")
          .ok());
  floods.SetEpoch(0);
  ASSERT_TRUE(floods.Tick(0).ok());
  fx.exits[100] = 255 << 8;  // exited 255 (the wait status)
  Status s = floods.Tick(1);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.kind(), Status::Kind::kHarness);
  EXPECT_NE(s.message().find("flood corpus: tcpreplay exited 255: Fatal Error: "
                             "Unable to send packet: Message too long"),
            std::string::npos)
      << s.message();
}

}  // namespace
}  // namespace swapbench
