// Tests of the small parts that wrap the OS: process spawning, the domain
// XML, ganesha's config and the run records. None needs root.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "bench/fs_util.h"
#include "bench/process.h"
#include "bench/state.h"
#include "bench/storage.h"
#include "bench/vm.h"

namespace swapbench {
namespace {

TEST(ProcessTest, CapturesOutputAndExitCode) {
  auto r = RunCommand({"sh", "-c", "echo out; echo err >&2; exit 3"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_EQ(r->output, "out\nerr\n");
}

TEST(ProcessTest, MissingProgramIsAHarnessError) {
  auto r = RunCommand({"swapbench-no-such-tool"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().kind(), Status::Kind::kHarness);
  EXPECT_EQ(r.status().message(),
            "exec swapbench-no-such-tool: No such file or directory");
}

TEST(ProcessTest, TimeoutKills) {
  auto r = RunCommand({"sleep", "30"}, 1);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->timed_out);
  EXPECT_EQ(r->exit_code, -1);
}

// After a second Ctrl-C a server gets no SIGTERM and no grace: SIGKILL.
TEST(ProcessTest, HurriedTerminateSkipsTheGracePeriod) {
  std::string mark =
      ::testing::TempDir() + "/got-term-" + std::to_string(getpid());
  unlink(mark.c_str());
  const std::string script =
      "trap \"touch " + mark + "\" TERM; while :; do sleep 0.05; done";
  auto graceful = Spawn({"sh", "-c", script}, {});
  ASSERT_TRUE(graceful.ok());
  usleep(200000);  // let the shell set its trap
  Terminate(*graceful, 300);
  EXPECT_TRUE(Exists(mark)) << "a plain Terminate sends SIGTERM first";
  unlink(mark.c_str());
  auto hurried = Spawn({"sh", "-c", script}, {});
  ASSERT_TRUE(hurried.ok());
  usleep(200000);
  SetHurry();
  Terminate(*hurried, 60000);
  SetHurry(false);
  EXPECT_FALSE(Exists(mark));
  EXPECT_FALSE(ChildAlive(*hurried));
}

TEST(ProcessTest, RunCheckedQuotesOutput) {
  Status s = RunChecked({"sh", "-c", "echo boom; exit 1"});
  EXPECT_EQ(s.kind(), Status::Kind::kHarness);
  EXPECT_EQ(s.message(), "`sh -c echo boom; exit 1` exit 1: boom");
}

TEST(ProcessTest, SpawnAndTerminate) {
  auto pid = Spawn({"sleep", "30"}, {});
  ASSERT_TRUE(pid.ok()) << pid.status().message();
  EXPECT_TRUE(ChildAlive(*pid));
  Terminate(*pid, 1000);
  EXPECT_NE(kill(*pid, 0), 0);
}

TEST(ProcessTest, SpawnReportsExecFailure) {
  auto pid = Spawn({"swapbench-no-such-tool"}, {});
  ASSERT_FALSE(pid.ok());
  EXPECT_EQ(pid.status().message(),
            "start swapbench-no-such-tool: swapbench-no-such-tool: No such "
            "file or directory");
}

TEST(DomainXmlTest, UdpNicSerialFileAndChannel) {
  VmConfig c;
  c.name = "swapbench-sb1";
  c.kernel = "/k/vmlinuz";
  c.initrd = "/r/initrd.img";
  c.cmdline = "console=ttyS0 a<b";
  c.console_log = "/r/console.log";
  c.telemetry_log = "/r/telemetry.jsonl";
  c.relay_port = 4000;
  c.guest_port = 4001;
  std::string x = DomainXml(c);
  EXPECT_NE(x.find("<domain type='qemu'>"), std::string::npos);
  EXPECT_NE(x.find("<memory unit='MiB'>256</memory>"), std::string::npos);
  EXPECT_NE(x.find("<cmdline>console=ttyS0 a&lt;b</cmdline>"),
            std::string::npos);
  EXPECT_NE(x.find("<interface type='udp'>"), std::string::npos);
  EXPECT_NE(x.find("<source address='127.0.0.1' port='4000'>"),
            std::string::npos);
  EXPECT_NE(x.find("<local address='127.0.0.1' port='4001'/>"),
            std::string::npos);
  EXPECT_NE(x.find("<target type='virtio' name='org.swapbench.agent'/>"),
            std::string::npos);
  EXPECT_NE(x.find("<serial type='file'><source path='/r/console.log'/>"),
            std::string::npos);
  EXPECT_NE(x.find("<on_reboot>destroy</on_reboot>"), std::string::npos);
  EXPECT_NE(x.find("<channel type='pty'><target type='virtio' "
                   "name='org.swapbench.control'/></channel>"),
            std::string::npos);
}

// libvirt names the pty it gave the control port in the live XML.
TEST(DomainXmlTest, ControlPtyFromTheLiveXml) {
  const std::string live = R"(<devices>
    <channel type='file'><source path='/r/telemetry.jsonl'/>
      <target type='virtio' name='org.swapbench.agent' state='connected'/>
    </channel>
    <channel type='pty'><source path='/dev/pts/7'/>
      <target type='virtio' name='org.swapbench.control' state='disconnected'/>
      <alias name='channel1'/></channel></devices>)";
  EXPECT_EQ(ControlPty(live), "/dev/pts/7");
  EXPECT_EQ(ControlPty("<channel type='pty'><target type='virtio' "
                       "name='org.swapbench.control'/></channel>"),
            "");
  EXPECT_EQ(ControlPty("<devices/>"), "");
}

TEST(GaneshaConfigTest, ExportOnlyToTheGuest) {
  NfsConfig c{.netns_path = "/run/netns/x",
              .dir = "/s/nfs",
              .log_dir = "/out",
              .client_ip = "10.213.0.2",
              .version = "4.1",
              .mount_options = "hard",
              .swapfile_mib = 256};
  std::string conf = GaneshaConfig(c);
  EXPECT_NE(conf.find("Access_Type = None;"), std::string::npos);
  EXPECT_NE(conf.find("CLIENT { Clients = 10.213.0.2; Access_Type = RW; }"),
            std::string::npos);
  EXPECT_NE(conf.find("Path = \"/s/nfs/export\";"), std::string::npos);
  EXPECT_NE(conf.find("Minor_Versions = 1;"), std::string::npos);
  EXPECT_NE(conf.find("Graceless = true;"), std::string::npos);
  EXPECT_NE(conf.find("RecoveryRoot = \"/s/nfs/recovery\";"),
            std::string::npos);
  EXPECT_NE(conf.find("Protocols = 4;"), std::string::npos);
  c.version = "3";
  EXPECT_NE(GaneshaConfig(c).find("Protocols = 3;"), std::string::npos);
}

TEST(StateTest, ReapTakesOnlyDeadRuns) {
  std::string dir = testing::TempDir() + "/state-" + std::to_string(getpid());
  std::filesystem::remove_all(dir);
  std::string scratch = dir + "/runs/live";
  {
    RunState live(dir, "live");
    ASSERT_TRUE(
        live.Begin({"live", "swapbench-live", "", scratch, {}, "", ""}).ok());
    ASSERT_TRUE(MakeDirs(scratch).ok());
    std::vector<std::string> destroyed;
    // While `live` holds its lock, Reap must leave it alone.
    auto reaped =
        Reap(dir, [&](const std::string& d) { destroyed.push_back(d); });
    EXPECT_TRUE(reaped.empty());
    EXPECT_TRUE(destroyed.empty());
    // The owner "dies" without End(): the lock is released, the record stays.
  }
  std::vector<std::string> destroyed;
  auto reaped =
      Reap(dir, [&](const std::string& d) { destroyed.push_back(d); });
  ASSERT_EQ(reaped.size(), 1u);
  ASSERT_EQ(destroyed.size(), 1u);
  EXPECT_EQ(destroyed[0], "swapbench-live");
  EXPECT_FALSE(Exists(scratch));
  EXPECT_FALSE(Exists(dir + "/runs/live.json"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace swapbench

namespace swapbench {
namespace {

TEST(StorageHelpersTest, ServerThatDiesAtStartIsAHarnessErrorQuotingItsLog) {
  std::string log =
      testing::TempDir() + "/server-" + std::to_string(getpid()) + ".log";
  unlink(log.c_str());
  auto pid =
      Spawn({"sh", "-c", "echo 'bind: Address already in use' >&2; exit 1"},
            SpawnOptions{"", false, 0, log});
  ASSERT_TRUE(pid.ok());
  pid_t p = *pid;
  Status s = WaitListening(&p, 10809, "nbd-server", log);
  EXPECT_EQ(s.kind(), Status::Kind::kHarness);
  EXPECT_EQ(s.message(), "nbd-server exited at start; last lines of " + log +
                             ":\nbind: Address already in use\n");
  EXPECT_EQ(p, 0);
  unlink(log.c_str());
}

TEST(StorageHelpersTest, NbdServerConfigAllowsOnlyTheGuest) {
  BlockConfig c{.netns_path = "/run/netns/x",
                .dir = "/s/nbd",
                .log_dir = "/out",
                .server_ip = "10.213.0.1",
                .client_ip = "10.213.0.2",
                .swap_mib = 64};
  std::string conf = NbdServerConfig(c);
  EXPECT_NE(conf.find("listenaddr = 10.213.0.1\n"), std::string::npos);
  EXPECT_NE(conf.find("exportname = /s/nbd/swap.img\n"), std::string::npos);
  EXPECT_NE(conf.find("authfile = /out/nbd-allow\n"), std::string::npos);
  NbdServer server(c);
  EXPECT_EQ(server.AgentConfig(),
            "storage=nbd\nnbd_port=10809\nnbd_export=swap\n");
  EXPECT_EQ(server.type(), "nbd");
  EXPECT_EQ(IscsiServer(c).type(), "iscsi");
}

}  // namespace
}  // namespace swapbench
