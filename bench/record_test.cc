#include "bench/record.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "bench/digest.h"
#include "bench/fs_util.h"
#include "bench/testing.h"

namespace swapbench {
namespace {

std::string Dir(const std::string& name) {
  std::string d =
      ::testing::TempDir() + "/record-" + name + "-" + std::to_string(getpid());
  (void)MakeDirs(d);
  return d;
}

TEST(RecordTest, ModesAndUuids) {
  EXPECT_EQ(*ParseRecordMode(""), RecordMode::kOff);
  EXPECT_EQ(*ParseRecordMode("all"), RecordMode::kAll);
  EXPECT_EQ(*ParseRecordMode("failures"), RecordMode::kFailures);
  auto bad = ParseRecordMode("some");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "--record=some: expected all or failures");
  // The same name, the same UUID (record and replay must agree); a valid
  // version-4 shape.
  EXPECT_EQ(UuidFor("swapbench-sb1"), UuidFor("swapbench-sb1"));
  EXPECT_NE(UuidFor("swapbench-sb1"), UuidFor("swapbench-sb2"));
  std::string u = UuidFor("swapbench-sb1");
  ASSERT_EQ(u.size(), 36u);
  EXPECT_EQ(u[8], '-');
  EXPECT_EQ(u[14], '4');
}

TEST(RecordTest, TheDomainRecordsAndReplaysWithTheSameDevices) {
  VmConfig vc;
  vc.name = "swapbench-sb7";
  vc.uuid = UuidFor(vc.name);
  vc.relay_port = 1000;
  vc.guest_port = 1001;
  vc.record_file = "/out/record/replay.bin";
  std::string rec = DomainXml(vc);
  EXPECT_NE(rec.find("xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'"),
            std::string::npos);
  EXPECT_NE(rec.find("<uuid>" + vc.uuid + "</uuid>"), std::string::npos);
  EXPECT_NE(rec.find("<qemu:arg value='shift=auto,rr=record,rrfile=/out/"
                     "record/replay.bin'/>"),
            std::string::npos)
      << rec;
  EXPECT_NE(rec.find("<qemu:arg value='filter-replay,id=swapbench-rr,netdev="
                     "hostnet0'/>"),
            std::string::npos);
  // virtio-net's default tx=bh hangs a replay.
  EXPECT_NE(rec.find("<driver name='qemu' txmode='timer'/>"),
            std::string::npos);
  EXPECT_EQ(rec.find("rrsnapshot"), std::string::npos);
  EXPECT_NE(rec.find("<interface type='udp'>"), std::string::npos);

  vc.record_file.clear();
  vc.replay_file = "/out/record/replay.bin";
  vc.gdb_port = 1234;
  vc.rr_drive = "/out/replay/rr.qcow2";
  std::string rep = DomainXml(vc);
  EXPECT_NE(rep.find("rr=replay,rrfile=/out/record/replay.bin"),
            std::string::npos);
  EXPECT_NE(rep.find("<interface type='user'>"), std::string::npos) << rep;
  EXPECT_NE(rep.find("<driver name='qemu' txmode='timer'/>"),
            std::string::npos);
  EXPECT_NE(rep.find("<qemu:arg value='tcp:127.0.0.1:1234'/>"),
            std::string::npos);
  EXPECT_NE(rep.find("file=/out/replay/rr.qcow2,if=none,id=rr"),
            std::string::npos);
  // Without record/replay nothing of it.
  vc.replay_file.clear();
  vc.gdb_port = 0;
  std::string plain = DomainXml(vc);
  EXPECT_EQ(plain.find("qemu:"), std::string::npos);
  EXPECT_EQ(plain.find("txmode"), std::string::npos);
}

TEST(RecordTest, KvmAndPassedThroughNicsCannotBeRecorded) {
  VmConfig vc;
  vc.kvm = true;
  Status s = PrepareRecording(Dir("kvm"), &vc);
  EXPECT_EQ(s.kind(), Status::Kind::kUsage);
  EXPECT_NE(s.message().find("TCG only"), std::string::npos);
  vc.kvm = false;
  vc.hostdev_pci = "0000:03:00.0";
  EXPECT_EQ(PrepareRecording(Dir("vfio"), &vc).kind(), Status::Kind::kUsage);
}

TEST(RecordTest, ARecordingNamesItsKernelByHashAndReplayChecksIt) {
  std::string run = Dir("run");
  ASSERT_TRUE(WriteFile(run + "/vmlinuz", "kernel bytes").ok());
  ASSERT_TRUE(WriteFile(run + "/initrd.scratch", "initrd bytes").ok());
  VmConfig vc;
  vc.name = "swapbench-sb9";
  vc.kernel = run + "/vmlinuz";
  vc.initrd = run + "/initrd.scratch";
  vc.cmdline = "console=ttyS0";
  vc.nic = "e1000";
  ASSERT_TRUE(PrepareRecording(run, &vc).ok());
  EXPECT_EQ(vc.initrd, run + "/record/initrd.img");  // boots from the copy
  EXPECT_EQ(*ReadFile(vc.initrd), "initrd bytes");
  EXPECT_EQ(vc.record_file, run + "/record/replay.bin");
  EXPECT_EQ(vc.cmdline, "console=ttyS0 nokaslr");
  ASSERT_TRUE(WriteFile(vc.record_file, std::string(1000, 'x')).ok());
  ASSERT_TRUE(SaveRecording(vc, run, 120).ok());
  auto j = nlohmann::json::parse(*ReadFile(run + "/record/vm.json"));
  EXPECT_EQ(j["kernel_sha256"], Sha256Hex("kernel bytes"));
  EXPECT_EQ(j["wall_s"], 120);

  testing::Journal journal;
  testing::FakeEnv env(&journal);
  auto r = ReplayConfig(&env, run, 0);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->vm.name, vc.name);
  EXPECT_EQ(r->vm.uuid, vc.uuid);
  EXPECT_EQ(r->vm.nic, "e1000");
  EXPECT_EQ(r->vm.replay_file, vc.record_file);
  EXPECT_TRUE(r->vm.record_file.empty());
  EXPECT_EQ(r->vm.console_log, run + "/replay/console.log");
  EXPECT_TRUE(r->vm.rr_drive.empty());
  EXPECT_FALSE(r->vm.start_paused);
  EXPECT_DOUBLE_EQ(r->recorded_wall_s, 120);
  EXPECT_TRUE(r->vm.control_port);
  // A recording from before the control port replays without one: the
  // replay's devices are the recording's.
  nlohmann::json old = j;
  old.erase("control_port");
  ASSERT_TRUE(WriteFile(run + "/record/vm.json", old.dump()).ok());
  auto r_old = ReplayConfig(&env, run, 0);
  ASSERT_TRUE(r_old.ok());
  EXPECT_FALSE(r_old->vm.control_port);
  EXPECT_EQ(DomainXml(r_old->vm).find("org.swapbench.control"),
            std::string::npos);
  ASSERT_TRUE(WriteFile(run + "/record/vm.json", j.dump()).ok());
  auto g = ReplayConfig(&env, run, 1234);
  ASSERT_TRUE(g.ok());
  EXPECT_TRUE(g->vm.start_paused);
  EXPECT_TRUE(
      journal.Has("qemu-img create -q -f qcow2 " + run + "/replay/rr.qcow2"));

  ASSERT_TRUE(WriteFile(run + "/vmlinuz", "rebuilt kernel").ok());
  auto changed = ReplayConfig(&env, run, 0);
  ASSERT_FALSE(changed.ok());
  EXPECT_NE(changed.status().message().find("has changed"), std::string::npos);
  auto none = ReplayConfig(&env, Dir("empty"), 0);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("no recording"), std::string::npos);
}

TEST(RecordTest, ConsolesCompareLineByLine) {
  auto same = CompareConsoles("a\nb\nc\n", "a\nb\nc\n");
  EXPECT_TRUE(same.identical);
  EXPECT_EQ(same.identical_lines, 3u);
  auto prefix = CompareConsoles("a\nb\nc\n", "a\nb\n");
  EXPECT_FALSE(prefix.identical);
  EXPECT_EQ(prefix.identical_lines, 2u);
  EXPECT_EQ(prefix.recorded, "c");
  EXPECT_EQ(prefix.replayed, "");
  auto diff = CompareConsoles("a\n[ 1.0] x\nc\n", "a\n[ 1.1] x\nc\n");
  EXPECT_FALSE(diff.identical);
  EXPECT_EQ(diff.identical_lines, 1u);
  EXPECT_EQ(diff.recorded, "[ 1.0] x");
  EXPECT_EQ(diff.replayed, "[ 1.1] x");
}

TEST(RecordTest, UpToTheLineThatHasTheText) {
  std::string c = "boot\nAdding 262140k swap on /mnt/swapfile\nhog\n";
  EXPECT_EQ(UpToLineWith(c, "Adding"),
            "boot\nAdding 262140k swap on /mnt/swapfile\n");
  EXPECT_EQ(UpToLineWith(c, "oom-kill"), "");
  EXPECT_EQ(UpToLineWith("boot\nAdding 2621", "Adding"), "");  // not whole yet
}

}  // namespace
}  // namespace swapbench
