#include "bench/console_parser.h"

#include <gtest/gtest.h>

#include <set>

namespace swapbench {
namespace {

std::vector<Finding> Parse(const std::vector<std::string>& lines) {
  ConsoleParser p;
  for (const auto& l : lines) p.Feed(l);
  p.Finish();
  return p.findings();
}

// Lines as the Debian 6.1.0-54 guest printed them in real runs of the bench.
TEST(ConsoleParserTest, MemcgOomKill) {
  auto f = Parse({
      "[   15.078320] hog invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), "
      "order=0, oom_score_adj=0",
      "[   15.120693] "
      "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/"
      ",mems_allowed=0,"
      "oom_memcg=/hog,task_memcg=/hog,task=hog,pid=109,uid=0",
      "[   15.123574] Memory cgroup out of memory: Killed process 109 (hog) "
      "total-vm:205920kB, "
      "anon-rss:56988kB, file-rss:0kB, shmem-rss:328kB, UID:0 pgtables:280kB "
      "oom_score_adj:0",
  });
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, "memcg_oom_kill");
  EXPECT_EQ(f[0].victim, "hog");
  EXPECT_EQ(f[0].pid, 109);
  EXPECT_EQ(f[0].constraint, "CONSTRAINT_MEMCG");
  EXPECT_EQ(f[0].console_line, 3);
  EXPECT_DOUBLE_EQ(f[0].kernel_time, 15.123574);
  EXPECT_EQ(f[0].title, "memcg OOM kill of hog");
}

TEST(ConsoleParserTest, GlobalOomKill) {
  auto f = Parse({
      "[   40.1] "
      "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/"
      ",mems_allowed=0,"
      "global_oom,task_memcg=/,task=hog,pid=99,uid=0",
      "[   40.2] Out of memory: Killed process 99 (hog) total-vm:307420kB, "
      "anon-rss:200kB",
      "[   41.2] Out of memory: Killed process 100 (hog) total-vm:307420kB, "
      "anon-rss:200kB",
  });
  ASSERT_EQ(f.size(), 2u);  // two kills are two findings, never folded
  EXPECT_EQ(f[0].kind, "oom_kill");
  EXPECT_EQ(f[0].victim, "hog");
  EXPECT_EQ(f[0].constraint, "CONSTRAINT_NONE");
  EXPECT_EQ(f[1].pid, 100);
}

// Kernels before 4.19 said "Kill process ... or sacrifice child".
TEST(ConsoleParserTest, OldOomKillWording) {
  auto f = Parse({
      "[  100.0] Out of memory: Kill process 812 (hog) score 901 or sacrifice "
      "child",
      "[  100.1] Killed process 812 (hog) total-vm:307420kB, anon-rss:200kB",
      "[  101.0] Memory cgroup out of memory: Kill process 900 (hog) score "
      "1000 "
      "or sacrifice child",
  });
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].kind, "oom_kill");
  EXPECT_EQ(f[0].pid, 812);
  EXPECT_EQ(f[1].kind, "memcg_oom_kill");
  EXPECT_EQ(f[1].pid, 900);
}

TEST(ConsoleParserTest, NoKillableProcesses) {
  auto f = Parse({
      "[   70.0] Out of memory and no killable processes...",
      "[   70.1] Kernel panic - not syncing: System is deadlocked on memory",
  });
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].kind, "oom_deadlock");
  EXPECT_EQ(f[1].kind, "panic");
  EXPECT_EQ(f[1].title, "kernel panic: System is deadlocked on memory");
}

TEST(ConsoleParserTest, HungTaskWithTopFrames) {
  auto f = Parse({
      "[  243.1] INFO: task kworker/u2:1:45 blocked for more than 120 "
      "seconds.",
      "[  243.1]       Not tainted 6.1.0-54-amd64 #1 Debian 6.1.190-1",
      "[  243.1] task:kworker/u2:1    state:D stack:0     pid:45    ppid:2",
      "[  243.1] Call Trace:",
      "[  243.1]  <TASK>",
      "[  243.1]  __schedule+0x34d/0x9e0",
      "[  243.1]  schedule+0x5a/0xd0",
      "[  243.1]  ? rpc_wait_bit_killable+0x10/0x10 [sunrpc]",
      "[  243.1]  rpc_wait_bit_killable+0x1e/0xa0 [sunrpc]",
      "[  243.1]  __wait_on_bit+0x41/0x110",
      "[  243.1]  out_of_line_wait_on_bit+0x91/0xb0",
      "[  243.1]  nfs4_do_close+0x2c1/0x300 [nfsv4]",
      "[  243.1]  __put_nfs_open_context+0xbe/0x150 [nfs]",
      "[  243.1]  nfs_file_release+0x39/0x50 [nfs]",
      "[  243.1]  </TASK>",
      "[  364.1] INFO: task kworker/u2:1:45 blocked for more than 241 "
      "seconds.",
  });
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, "hung_task");
  EXPECT_EQ(f[0].victim, "kworker/u2:1");
  EXPECT_EQ(f[0].pid, 45);
  EXPECT_EQ(f[0].count, 2);
  EXPECT_EQ(f[0].last_console_line, 16);
  EXPECT_EQ(f[0].frames, (std::vector<std::string>{
                             "rpc_wait_bit_killable", "__wait_on_bit",
                             "out_of_line_wait_on_bit", "nfs4_do_close",
                             "__put_nfs_open_context"}));
  EXPECT_NE(f[0].excerpt.find("nfs4_do_close+0x2c1/0x300 [nfsv4]"),
            std::string::npos);
}

TEST(ConsoleParserTest, SoftLockup) {
  auto f =
      Parse({"[   52.0] watchdog: BUG: soft lockup - CPU#0 stuck for 22s! "
             "[rpciod:77]",
             "[   78.0] watchdog: BUG: soft lockup - CPU#0 stuck for 48s! "
             "[rpciod:77]"});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, "soft_lockup");
  EXPECT_EQ(f[0].victim, "rpciod");
  EXPECT_EQ(f[0].count, 2);
}

TEST(ConsoleParserTest, HardLockup) {
  auto f =
      Parse({"[   60.0] NMI watchdog: Watchdog detected hard LOCKUP on cpu 1"});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, "hard_lockup");
  EXPECT_EQ(f[0].title, "hard lockup on CPU#1");
}

TEST(ConsoleParserTest, RcuStalls) {
  auto f = Parse({
      "[   80.0] rcu: INFO: rcu_sched self-detected stall on CPU",
      "[   80.1] rcu: \t0-....: (5249 ticks this GP) idle=2f4c/1/0x4000",
      "[  140.0] rcu: INFO: rcu_sched detected stalls on CPUs/tasks:",
  });
  ASSERT_EQ(f.size(), 1u);  // one stall, reported twice
  EXPECT_EQ(f[0].kind, "rcu_stall");
  EXPECT_EQ(f[0].count, 2);
  // Older kernels had no "rcu: " prefix.
  f = Parse({"[ 90.0] INFO: rcu_preempt detected stalls on CPUs/tasks:"});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, "rcu_stall");
}

TEST(ConsoleParserTest, WorkqueueLockup) {
  auto f =
      Parse({"[  100.0] BUG: workqueue lockup - pool cpus=0 node=0 flags=0x0 "
             "nice=0 stuck for 33s!"});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, "workqueue_lockup");
  EXPECT_EQ(f[0].details["stuck_s"], 33);
}

// The receive-side deadlock of the global-stall scenario, as it printed.
TEST(ConsoleParserTest, AtomicAllocationFailureInSoftirq) {
  ConsoleParser p;
  for (const char* l : {
           "[   44.189583] ksoftirqd/0: page allocation failure: order:0, "
           "mode:0xa20(GFP_ATOMIC), nodemask=(null),cpuset=/,mems_allowed=0",
           "[   44.191377] CPU: 0 PID: 14 Comm: ksoftirqd/0 Not tainted "
           "6.1.0-54-amd64 #1  Debian 6.1.190-1",
           "[   44.192523] Call Trace:",
           "[   44.192768]  <TASK>",
           "[   44.192873]  dump_stack_lvl+0x44/0x5c",
           "[   44.193034]  warn_alloc+0x151/0x170",
           "[   44.193180]  __alloc_pages_slowpath.constprop.0+0xd04/0xe70",
           "[   44.193438]  ? csum_block_add_ext+0x20/0x20",
           "[   44.193702]  __alloc_pages+0x305/0x330",
           "[   44.193950]  skb_page_frag_refill+0x91/0x120",
           "[   44.194175]  try_fill_recv+0x301/0x7f0 [virtio_net]",
           "[   44.194787]  virtnet_poll+0x3cb/0x4e4 [virtio_net]",
           "[   44.194984]  __napi_poll+0x2b/0x160",
           "[   44.194984]  net_rx_action+0x2a0/0x350",
           "[   44.196623]  </TASK>",
           "[   44.197123] Mem-Info:",
           "[   50.0] swapper/0: page allocation failure: order:0, "
           "mode:0xa20(GFP_ATOMIC), nodemask=(null),cpuset=/,mems_allowed=0",
       })
    p.Feed(l);
  p.Finish();
  ASSERT_EQ(p.findings().size(), 1u);
  const Finding& f = p.findings()[0];
  EXPECT_EQ(f.kind, "alloc_failure");
  EXPECT_EQ(f.victim, "ksoftirqd/0");
  EXPECT_EQ(f.count, 2);
  EXPECT_EQ(f.details["order"], 0);
  EXPECT_EQ(f.details["gfp_mode"], "0xa20");
  EXPECT_EQ(f.details["gfp_flags"], nlohmann::json({"GFP_ATOMIC"}));
  EXPECT_EQ(f.details["atomic"], true);
  EXPECT_EQ(f.details["memalloc"], false);
  EXPECT_EQ(f.details["reserve"], "atomic");
  EXPECT_EQ(f.details["context"], "softirq");
  EXPECT_EQ(f.details["tasks"], nlohmann::json({"ksoftirqd/0", "swapper/0"}));
  EXPECT_EQ(f.frames[0], "skb_page_frag_refill");
  EXPECT_EQ(f.frames[1], "try_fill_recv");
  EXPECT_EQ(f.title,
            "page allocation failure order:0 GFP_ATOMIC (atomic reserve, in "
            "softirq)");
}

TEST(ConsoleParserTest, MemallocAllocationFailureIsFlagged) {
  auto f = Parse({
      "[   9.0] kworker/u2:3: page allocation failure: order:0, "
      "mode:0x20a20(GFP_ATOMIC|__GFP_MEMALLOC), nodemask=(null)",
      "[   9.1] Call Trace:",
      "[   9.2]  <IRQ>",
      "[   9.3]  __alloc_skb+0x87/0x1b0",
      "[   9.4]  </IRQ>",
      "[   9.5]  </TASK>",
  });
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].details["memalloc"], true);
  EXPECT_EQ(f[0].details["reserve"], "memalloc");
  EXPECT_EQ(f[0].details["context"], "softirq");  // from the <IRQ> frame
  EXPECT_EQ(f[0].details["gfp_flags"],
            nlohmann::json({"GFP_ATOMIC", "__GFP_MEMALLOC"}));
}

TEST(ConsoleParserTest, ProcessContextAllocationFailure) {
  auto f = Parse({
      "[   9.0] hog: page allocation failure: order:2, "
      "mode:0x40cc0(GFP_KERNEL|__GFP_COMP), nodemask=(null)",
  });
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].details["reserve"], "none");
  EXPECT_EQ(f[0].details["context"], "process");
  EXPECT_EQ(f[0].title,
            "page allocation failure order:2 GFP_KERNEL|__GFP_COMP");
}

TEST(ConsoleParserTest, SlabAllocationFailureNamesTheCache) {
  auto f = Parse({
      "[  44.3] SLUB: Unable to allocate memory on node -1, "
      "gfp=0xa20(GFP_ATOMIC)",
      "[  44.3]   cache: skbuff_fclone_cache, object size: 472, buffer size: "
      "512, default order: 1, min order: 0",
  });
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, "alloc_failure");
  EXPECT_EQ(f[0].details["cache"], "skbuff_fclone_cache");
  EXPECT_EQ(f[0].title,
            "slab allocation failure in skbuff_fclone_cache GFP_ATOMIC");
}

TEST(ConsoleParserTest, VmallocFailure) {
  auto f =
      Parse({"[ 3.0] modprobe: vmalloc error: size 8192, page order 0, "
             "failed to allocate pages, mode:0xdc0(GFP_KERNEL|__GFP_ZERO), "
             "nodemask=(null)"});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, "alloc_failure");
  EXPECT_EQ(f[0].details["vmalloc_size"], 8192);
}

TEST(ConsoleParserTest, SwapWriteAndReadErrors) {
  auto f = Parse({
      "[  30.0] Write error -12 on dio swapfile (1048576)",
      "[  30.1] Write error -12 on dio swapfile (1052672)",
      "[  31.0] Write-error on swap-device (43:0:1234)",
      "[  32.0] Read-error on swap-device (43:0:1234)",
  });
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f[0].kind, "swap_write_error");
  EXPECT_EQ(f[0].count, 2);
  EXPECT_EQ(f[0].details["error"], -12);
  EXPECT_EQ(f[1].kind, "swap_write_error");
  EXPECT_EQ(f[2].kind, "swap_read_error");
}

TEST(ConsoleParserTest, BlockIoError) {
  auto f = Parse({
      "[  20.0] I/O error, dev nbd0, sector 2048 op 0x1:(WRITE) flags 0x0 "
      "phys_seg 1 prio class 2",
      "[  20.1] blk_update_request: I/O error, dev nbd0, sector 4096 op "
      "0x1:(WRITE) flags 0x0",
  });
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, "storage_io_error");
  EXPECT_EQ(f[0].title, "I/O error on nbd0 (WRITE)");
  EXPECT_EQ(f[0].count, 2);
}

TEST(ConsoleParserTest, OopsIsOneFindingAndPanicAnother) {
  auto f = Parse({
      "[    9.1] BUG: kernel NULL pointer dereference, address: "
      "0000000000000008",
      "[    9.1] #PF: supervisor read access in kernel mode",
      "[    9.2] Oops: 0000 [#1] PREEMPT SMP NOPTI",
      "[    9.2] RIP: 0010:nfs_page_group_lock+0x10/0x40 [nfs]",
      "[    9.2] Call Trace:",
      "[    9.2]  <TASK>",
      "[    9.2]  nfs_lock_and_join_requests+0x5a/0x2b0 [nfs]",
      "[    9.2]  </TASK>",
      "[    9.2] ---[ end trace 0000000000000000 ]---",
      "[    9.3] Kernel panic - not syncing: Fatal exception in interrupt",
      "[    9.3] ---[ end Kernel panic - not syncing: Fatal exception in "
      "interrupt ]---",
  });
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].kind, "oops");
  EXPECT_EQ(f[0].title, "BUG: kernel NULL pointer dereference");
  EXPECT_EQ(f[0].frames,
            (std::vector<std::string>{"nfs_lock_and_join_requests"}));
  EXPECT_EQ(f[1].kind, "panic");
  EXPECT_EQ(f[1].count, 1);  // the trailer is not a second panic
  EXPECT_EQ(f[1].title, "kernel panic: Fatal exception in interrupt");
}

TEST(ConsoleParserTest, OopsRows) {
  for (const auto& [line, title] :
       std::vector<std::pair<std::string, std::string>>{
           {"[ 1.0] BUG: unable to handle page fault for address: "
            "ffffffffc0a1b000",
            "BUG: unable to handle page fault"},
           {"[ 1.0] kernel BUG at mm/swap_state.c:123!",
            "kernel BUG at mm/swap_state.c:123"},
           {"[ 1.0] general protection fault, probably for non-canonical "
            "address 0xdead000000000100: 0000 [#1] PREEMPT SMP NOPTI",
            "general protection fault"},
           {"[ 1.0] Oops: 0002 [#1] SMP", "Oops: 0002 [#1] SMP"}}) {
    auto f = Parse({line});
    ASSERT_EQ(f.size(), 1u) << line;
    EXPECT_EQ(f[0].kind, "oops");
    EXPECT_EQ(f[0].title, title);
  }
}

TEST(ConsoleParserTest, OtherBugs) {
  auto f = Parse({
      "[ 5.0] BUG: Bad page state in process hog  pfn:0a1b2",
      "[ 90.0] BUG: scheduling while atomic: rpciod/12/0x00000002",
      "[ 95.0] BUG: KASAN: use-after-free in xprt_release+0x12/0x30",
  });
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f[0].kind, "bug");
  EXPECT_EQ(f[0].title, "BUG: Bad page state in process hog");
  EXPECT_EQ(f[1].title, "BUG: scheduling while atomic");
  EXPECT_EQ(f[2].kind, "kasan");  // the sanitizer's own kind
  EXPECT_EQ(f[2].title, "KASAN: use-after-free in xprt_release");
}

// Rows that match only the kernel's own formats: another program's
// "WARNING:" or "BUG:", a word ending in BUG:, a user task's trap, are not
// findings.
TEST(ConsoleParserTest, OnlyTheKernelsOwnWarningsAndBugs) {
  auto f = Parse({
      "WARNING: /etc/ssh/moduli does not exist, using fixed modulus",
      "WARNING: Unsupported flag value(s) of 0x%x in DT_FLAGS_1.",
      "[   5.0] ODEBUG: Out of memory. ODEBUG disabled",
      "[   5.1] EDAC DEBUG: mc0: registered",
      "BUG: ",
      "[   6.0] traps: syz-executor[123] general protection fault "
      "ip:7f0000000000 sp:7ffc00000000 error:0 in libc.so.6",
      "grub: WARNING: no console will be available to OS",
  });
  EXPECT_TRUE(f.empty()) << f[0].kind << ": " << f[0].title;
}

TEST(ConsoleParserTest, SanitizersLockdepAndLeaks) {
  auto f = Parse({
      "[  12.0][ T123] BUG: KASAN: use-after-free in xprt_release+0x12/0x30",
      "[  13.0][ T123] BUG: KFENCE: out-of-bounds read in strlen+0x1/0x2",
      "[  14.0] UBSAN: Undefined behaviour in drivers/usb/core/devio.c:1517:25",
      "[  15.0] [ INFO: possible circular locking dependency detected ]",
      "[  16.0] INFO: trying to register non-static key.",
      "[  17.0] unreferenced object 0xffff88007658a9e0 (size 944):",
      "[  18.0] unreferenced object 0xffff88007658b000 (size 944):",
  });
  ASSERT_EQ(f.size(), 6u);
  EXPECT_EQ(f[0].kind, "kasan");
  EXPECT_EQ(f[1].kind, "kfence");
  EXPECT_EQ(f[1].title, "KFENCE: out-of-bounds read in strlen");
  EXPECT_EQ(f[2].kind, "ubsan");
  EXPECT_EQ(f[2].title,
            "UBSAN: Undefined behaviour in drivers/usb/core/devio.c");
  EXPECT_EQ(f[3].kind, "lockdep");
  EXPECT_EQ(f[3].title, "lockdep: possible circular locking dependency");
  EXPECT_EQ(f[4].title, "lockdep: trying to register non-static key");
  EXPECT_EQ(f[5].kind, "memory_leak");
  EXPECT_EQ(f[5].count, 2);  // one leak report, two objects
}

TEST(ConsoleParserTest, HangsInNewerWordings) {
  auto f = Parse({
      "[  584.3][   T31] INFO: task udevd:5612 blocked in I/O wait for more "
      "than 143 seconds.",
      "[  600.0] INFO: task syz-executor:99 can't die for more than 143 "
      "seconds.",
      "[  700.0] INFO: rcu_tasks detected stalls on tasks:",
      "[  800.0] unregister_netdevice: waiting for lo to become free. Usage "
      "count = 5",
  });
  ASSERT_EQ(f.size(), 4u);
  EXPECT_EQ(f[0].kind, "hung_task");
  EXPECT_EQ(f[0].title, "hung task udevd");
  EXPECT_EQ(f[1].kind, "hung_task");
  EXPECT_EQ(f[2].kind, "rcu_stall");
  EXPECT_EQ(f[3].kind, "netdev_hang");
  EXPECT_EQ(f[3].title, "unregister_netdevice: lo never became free");
}

TEST(ConsoleParserTest, OopsesOfOtherArchitecturesAndTraps) {
  for (auto [line, title] : std::vector<std::pair<const char*, const char*>>{
           {"Unable to handle kernel paging request at virtual address "
            "dead000000000108",
            "BUG: unable to handle kernel paging request"},
           {"Internal error: Oops: 96000006 [#1] PREEMPT SMP",
            "Internal error: Oops"},
           {"Unhandled fault: page domain fault (0x81b) at 0x00001044",
            "Unhandled fault: page domain fault"},
           {"divide error: 0000 [#1] PREEMPT SMP KASAN", "divide error"},
           {"PANIC: double fault, error_code: 0x0", "double fault"},
           {"BUG: Kernel NULL pointer dereference on read at 0x00000000",
            "BUG: kernel NULL pointer dereference"},
           {"Oops: Kernel access of bad area, sig: 11 [#1]",
            "Oops: Kernel access of bad area, sig: 11 [#1]"}}) {
    auto f = Parse({line});
    ASSERT_EQ(f.size(), 1u) << line;
    EXPECT_EQ(f[0].kind, "oops") << line;
    EXPECT_EQ(f[0].title, title);
  }
}

TEST(ConsoleParserTest, Warnings) {
  auto f = Parse({
      "[ 7.0] WARNING: CPU: 0 PID: 12 at net/core/skbuff.c:4433 "
      "skb_try_coalesce+0x1f3/0x420",
      "[ 7.5] WARNING: CPU: 0 PID: 12 at net/core/skbuff.c:4433 "
      "skb_try_coalesce+0x1f3/0x420",
      "[ 8.0] WARNING: possible circular locking dependency detected",
  });
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].kind, "warning");
  EXPECT_EQ(f[0].title, "WARNING at net/core/skbuff.c:4433 skb_try_coalesce");
  EXPECT_EQ(f[0].count, 2);
  EXPECT_EQ(f[1].kind, "lockdep");
  EXPECT_EQ(f[1].title, "lockdep: possible circular locking dependency");
}

TEST(ConsoleParserTest, SecondBootBannerIsAnUnexpectedReboot) {
  auto f = Parse({
      "[    0.000000] Linux version 6.1.0-54-amd64 "
      "(debian-kernel@lists.debian.org)",
      "[    5.0] swapbench-agent: swap on",
      "[    0.000000] Linux version 6.1.0-54-amd64 "
      "(debian-kernel@lists.debian.org)",
  });
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, "unexpected_reboot");
  EXPECT_EQ(f[0].console_line, 3);
}

TEST(ConsoleParserTest, OrdinaryLinesAreNotFindings) {
  auto f = Parse({
      "[    6.4] Adding 262140k swap on /mnt/swapfile.  Priority:-2 extents:1 "
      "across:262140k FS",
      "[    1.0] Memory: 200000K/261624K available",
      "[    0.0] SLUB: HWalign=64, Order=0-3, MinObjects=0, CPUs=1, Nodes=1",
      "swapbench-agent: hog exited after 28.5 s",
      "[    2.0] oom_reaper: reaped process 109 (hog), now anon-rss:0kB",
      "[    2.0] rcu: Hierarchical RCU implementation.",
  });
  EXPECT_TRUE(f.empty());
}

// The OOM killer's report whose "Killed process" line was lost is still a
// kill; one whose kill line came is one finding, not two.
TEST(ConsoleParserTest, OomInvokedWithoutItsKillLine) {
  auto lost = Parse({
      "[    2.0] hog invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0",
      "[    2.1] oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),task=hog",
  });
  ASSERT_EQ(lost.size(), 1u);
  EXPECT_EQ(lost[0].kind, "memcg_oom_kill");
  EXPECT_EQ(lost[0].title,
            "OOM killer invoked by hog (GFP_KERNEL); its kill is not on the "
            "console");
  EXPECT_EQ(lost[0].console_line, 1);
  auto whole = Parse({
      "[    2.0] hog invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0",
      "[    2.1] Out of memory: Killed process 99 (hog) total-vm:307420kB",
  });
  ASSERT_EQ(whole.size(), 1u);
  EXPECT_EQ(whole[0].title, "OOM kill of hog");
}

TEST(ConsoleParserTest, TwoMessagesOnOneLineAndSeveralBoots) {
  auto f = Parse({
      "SeaBIOS (version 1.16.2-debian-1.16.2-1)",
      "[    0.000000] Linux version 6.1.0-54-amd64",
      "[   76.4] syz: vmalloc: allocation failure: 34359738352 bytes[   "
      "76.471107] BUG: unable to handle page fault for address: ffff0000",
      "syz-executor: program text",
      "SeaBIOS (version 1.16.2-debian-1.16.2-1)",
      "[    0.000000] Linux version 6.1.0-54-amd64",
      "[   80.0] BUG: unable to handle page fault for address: ffff0000",
  });
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f[0].kind,
            "oops");  // the first boot (SeaBIOS at line 1 is not a reboot)
  EXPECT_DOUBLE_EQ(f[0].kernel_time, 76.471107);
  EXPECT_EQ(f[1].kind, "unexpected_reboot");
  EXPECT_EQ(f[1].title, "the machine rebooted (firmware banner)");
  EXPECT_EQ(f[2].kind, "oops");  // the same oops, the second boot's
  EXPECT_EQ(f[2].details["boot"], 2);
}

TEST(ConsoleParserTest, CarriageReturnsAndUnstampedLines) {
  auto f =
      Parse({"Kernel panic - not syncing: VFS: Unable to mount root fs\r"});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kernel_time, -1);
  EXPECT_EQ(f[0].title, "kernel panic: VFS: Unable to mount root fs");
}

// Every row of the table has a test above that produces its kind.
TEST(ConsoleParserTest, EveryKindOfTheTableIsAFindingKind) {
  for (const ConsoleRow& r : ConsoleRows())
    EXPECT_TRUE(FindingKinds().count(r.kind)) << r.kind;
}

TEST(LiteralSetTest, FindsOverlappingLiterals) {
  LiteralSet s({"he", "she", "his", "hers"});
  EXPECT_EQ(s.Match("ushers"), 0b1011u);  // she, he, hers
  EXPECT_EQ(s.Match("ahishe"), 0b0111u);  // his, she, he
  EXPECT_EQ(s.Match("xyz"), 0u);
  EXPECT_EQ(s.Match(""), 0u);
}

TEST(FrameFunctionTest, Frames) {
  bool q = false;
  EXPECT_EQ(FrameFunction(" try_fill_recv+0x301/0x7f0 [virtio_net]", &q),
            "try_fill_recv");
  EXPECT_FALSE(q);
  EXPECT_EQ(FrameFunction(" ? csum_block_add_ext+0x20/0x20", &q),
            "csum_block_add_ext");
  EXPECT_TRUE(q);
  EXPECT_EQ(FrameFunction("Mem-Info:", &q), "");
  EXPECT_EQ(FrameFunction("RIP: 0010:foo+0x1/0x2", &q), "");
}

TEST(ConsoleParserTest, NfsOutageIsAnEventPair) {
  ConsoleParser p;
  p.Feed("[   30.500000] nfs: server 10.213.0.1 not responding, still trying");
  p.Feed("[   35.500000] nfs: server 10.213.0.1 not responding, still trying");
  p.Feed("[   52.250000] nfs: server 10.213.0.1 OK");
  p.Finish();
  EXPECT_TRUE(p.findings().empty());
  p.Feed("[   52.260000] nfs: server 10.213.0.1 not responding, still trying");
  p.Feed("[   52.270000] nfs: server 10.213.0.1 OK");
  ASSERT_EQ(p.events().size(), 4u);
  const ConsoleEvent& down = p.events()[0];
  EXPECT_EQ(down.kind, "nfs_not_responding");
  EXPECT_EQ(down.subject, "10.213.0.1");
  EXPECT_EQ(down.count, 2);
  EXPECT_DOUBLE_EQ(down.last_kernel_time, 35.5);
  EXPECT_EQ(down.last_console_line, 2);
  const ConsoleEvent& up = p.events()[1];
  EXPECT_EQ(up.kind, "nfs_ok");
  EXPECT_EQ(up.console_line, 3);
  EXPECT_DOUBLE_EQ(up.outage_s, 52.25 - 30.5);
  // A straggler after the OK is a short outage of its own.
  EXPECT_EQ(p.events()[2].kind, "nfs_not_responding");
  EXPECT_NEAR(p.events()[3].outage_s, 0.01, 1e-9);
}

TEST(ConsoleParserTest, NfsServerThatNeverCameBackIsAFinding) {
  auto f = Parse({
      "[    9.0] nfs: server 10.213.0.1 not responding, timed out",
      "[   19.0] nfs: server 10.213.0.1 not responding, still trying",
  });
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, "nfs_not_responding");
  EXPECT_EQ(f[0].count, 2);
  EXPECT_EQ(f[0].console_line, 1);
  EXPECT_EQ(f[0].last_console_line, 2);
}

TEST(ConsoleParserTest, StorageConnectionErrorsAreEvents) {
  ConsoleParser p;
  for (const char* l : {
           "[ 40.0] block nbd0: Connection timed out",
           "[ 40.1] block nbd0: shutting down sockets",
           "[ 41.0] connection1:0: detected conn error (1020)",
           "[ 42.0] session1: session recovery timed out after 120 secs",
           "[ 43.0] xs_tcp_setup_socket: connect returned unhandled error -107",
       })
    p.Feed(l);
  EXPECT_TRUE(p.findings().empty());
  std::vector<std::string> kinds;
  for (const auto& e : p.events()) kinds.push_back(e.kind + ":" + e.subject);
  EXPECT_EQ(kinds,
            (std::vector<std::string>{
                "nbd_error:nbd0", "iscsi_conn_error:connection1:0",
                "iscsi_conn_error:session1", "rpc_error:xs_tcp_setup_socket"}));
  EXPECT_EQ(p.events()[0].count, 2);
}

}  // namespace
}  // namespace swapbench

namespace swapbench {
namespace {

// From a real server-stall run: the recovery burst ends with a straggler.
TEST(ConsoleParserTest, StragglerAfterRecoveryIsNotAnOutage) {
  auto f = Parse({
      "[   18.608205] nfs: server 10.213.0.1 not responding, still trying",
      "[   39.712996] nfs: server 10.213.0.1 OK",
      "[   39.730948] nfs: server 10.213.0.1 not responding, still trying",
  });
  EXPECT_TRUE(f.empty());
  f = Parse({
      "[   18.608205] nfs: server 10.213.0.1 not responding, still trying",
      "[   39.712996] nfs: server 10.213.0.1 OK",
      "[   60.0] nfs: server 10.213.0.1 not responding, still trying",
  });
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].console_line, 3);
}

}  // namespace
}  // namespace swapbench

namespace swapbench {
namespace {

// One line per row of the table, in the kernel's own words; the test fails
// when a row is added without a line here (and a test above).
TEST(ConsoleParserTest, EveryRowHasALine) {
  const std::vector<std::string> lines = {
      "Memory cgroup out of memory: Killed process 109 (hog) total-vm:1kB",
      "Out of memory and no killable processes...",
      "Out of memory: Killed process 99 (hog) total-vm:307420kB",
      "INFO: task kworker/u2:1:45 blocked for more than 120 seconds.",
      "watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [rpciod:77]",
      "NMI watchdog: Watchdog detected hard LOCKUP on cpu 1",
      "rcu: INFO: rcu_sched self-detected stall on CPU",
      "BUG: workqueue lockup - pool cpus=0 node=0 flags=0x0 nice=0 stuck for "
      "33s!",
      "ksoftirqd/0: page allocation failure: order:0, mode:0xa20(GFP_ATOMIC), "
      "nodemask=(null)",
      "modprobe: vmalloc error: size 8192, page order 0, failed to allocate "
      "pages, mode:0xdc0(GFP_KERNEL|__GFP_ZERO), nodemask=(null)",
      "SLUB: Unable to allocate memory on node -1, gfp=0xa20(GFP_ATOMIC)",
      "Write error -12 on dio swapfile (1048576)",
      "Write-error on swap-device (43:0:1234)",
      "Read-error on swap-device (43:0:1234)",
      "I/O error, dev nbd0, sector 2048 op 0x1:(WRITE) flags 0x0",
      "Kernel panic - not syncing: Fatal exception",
      "BUG: unable to handle page fault for address: ffffffffc0a1b000",
      "BUG: kernel NULL pointer dereference, address: 0000000000000008",
      "kernel BUG at mm/swap_state.c:123!",
      "general protection fault, probably for non-canonical address 0xdead: "
      "0000",
      "Oops: 0002 [#1] SMP",
      "BUG: Bad page state in process hog  pfn:0a1b2",
      "WARNING: CPU: 0 PID: 12 at net/core/skbuff.c:4433 "
      "skb_try_coalesce+0x1f3/0x420",
      "divide error: 0000 [#1] PREEMPT SMP KASAN",
      "Internal error: Oops: 96000006 [#1] PREEMPT SMP",
      "Unhandled fault: page domain fault (0x81b) at 0x00001044",
      "PANIC: double fault, error_code: 0x0",
      "BUG: stack guard page was hit at 00000000b7f2a1c5 (stack is "
      "0000000023f2ddab..00000000d8a3ff1c)",
      "Kernel attempted to read user page (0) - exploit attempt? (uid: 0)",
      "BUG: KASAN: slab-out-of-bounds in skb_put+0x1e/0x40",
      "BUG: KMSAN: uninit-value in prepare_task_switch+0x284/0xd00",
      "BUG: KCSAN: data-race in ep_poll / ep_poll_callback",
      "BUG: KFENCE: use-after-free read in memcmp+0x57/0x150",
      "UBSAN: shift-out-of-bounds in net/sctp/socket.c:4021:12",
      "unreferenced object 0xffff8882d78c9ea0 (size 96):",
      "BUG: memory leak",
      "WARNING: possible recursive locking detected",
      "[ INFO: inconsistent lock state ]",
      "BUG: held lock freed!",
      "unregister_netdevice: waiting for lo to become free. Usage count = 5",
      "BUG kmalloc-64 (Not tainted): Poison overwritten",
      "usercopy: Kernel memory overwrite attempt detected to kernel text",
      "list_del corruption. prev->next should be 00000000bc6553ca",
      "INFO: Freed in fasync_free_rcu+0x14/0x20 age=624 cpu=0 pid=3",
      "kernel BUG at lib/list_debug.c:53!",
      "DEBUG_LOCKS_WARN_ON(depth <= 0)",
  };
  const auto& rows = ConsoleRows();
  for (size_t i = 0; i < rows.size(); ++i) {
    bool hit = false;
    for (const auto& l : lines) {
      std::cmatch m;
      hit |= l.find(rows[i].literal) != std::string::npos &&
             std::regex_search(l.c_str(), m, rows[i].re);
    }
    EXPECT_TRUE(hit) << "row " << i << " (" << rows[i].kind << ", "
                     << rows[i].literal << ") has no line";
  }
}

}  // namespace
}  // namespace swapbench

namespace swapbench {
namespace {

// A console line of 40 KB once overflowed std::regex's stack (exit 139);
// the rows match its head and the excerpt keeps all of it.
TEST(ConsoleParserTest, HugeLinesAreMatchedOnTheirHead) {
  for (size_t size : {size_t{40000}, size_t{1} << 20}) {
    std::string line =
        "[   12.000000] BUG: unable to handle page fault for address: " +
        std::string(size, 'x');
    ConsoleParser p;
    p.Feed(line);
    p.Feed(std::string(size, 'B') + " BUG: " + std::string(size, 'y'));
    p.Finish();
    ASSERT_EQ(p.findings().size(), 1u) << size;
    EXPECT_EQ(p.findings()[0].kind, "oops");
    EXPECT_EQ(p.findings()[0].excerpt.size(), line.size());
  }
}

}  // namespace
}  // namespace swapbench
