#include "bench/console_parser.h"

#include <gtest/gtest.h>

namespace swapbench {
namespace {

std::vector<Finding> Parse(const std::vector<std::string>& lines) {
  ConsoleParser p;
  for (const auto& l : lines) p.Feed(l);
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
  });
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, "oom_kill");
  EXPECT_EQ(f[0].victim, "hog");
  EXPECT_EQ(f[0].constraint, "CONSTRAINT_NONE");
}

TEST(ConsoleParserTest, HungTask) {
  auto f =
      Parse({"[  243.1] INFO: task kworker/u2:1:45 blocked for more than 120 "
             "seconds."});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, "hung_task");
  EXPECT_EQ(f[0].victim, "kworker/u2:1");
  EXPECT_EQ(f[0].pid, 45);
}

TEST(ConsoleParserTest, SoftLockup) {
  auto f =
      Parse({"[   52.0] watchdog: BUG: soft lockup - CPU#0 stuck for 22s! "
             "[rpciod:77]"});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, "soft_lockup");
  EXPECT_EQ(f[0].victim, "rpciod");
}

TEST(ConsoleParserTest, PanicAndOops) {
  auto f = Parse({
      "[    9.1] BUG: kernel NULL pointer dereference, address: "
      "0000000000000008",
      "[    9.2] Oops: 0000 [#1] PREEMPT SMP NOPTI",
      "[    9.3] Kernel panic - not syncing: Fatal exception in interrupt",
  });
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f[0].kind, "oops");
  EXPECT_EQ(f[1].kind, "oops");
  EXPECT_EQ(f[2].kind, "panic");
  EXPECT_EQ(f[2].title, "kernel panic: Fatal exception in interrupt");
}

TEST(ConsoleParserTest, OrdinaryLinesAreNotFindings) {
  auto f = Parse({
      "[    6.4] Adding 262140k swap on /mnt/swapfile.  Priority:-2 extents:1 "
      "across:262140k FS",
      "[    1.0] Memory: 200000K/261624K available",
      "swapbench-agent: hog exited after 28.5 s",
      "[    2.0] oom_reaper: reaped process 109 (hog), now anon-rss:0kB",
  });
  EXPECT_TRUE(f.empty());
}

TEST(ConsoleParserTest, CarriageReturnsAndUnstampedLines) {
  auto f =
      Parse({"Kernel panic - not syncing: VFS: Unable to mount root fs\r"});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kernel_time, -1);
  EXPECT_EQ(f[0].title, "kernel panic: VFS: Unable to mount root fs");
}

TEST(SplitTimestampTest, Splits) {
  std::string text;
  EXPECT_DOUBLE_EQ(SplitTimestamp("[   12.345678] hello", &text), 12.345678);
  EXPECT_EQ(text, "hello");
  EXPECT_EQ(SplitTimestamp("[x] y", &text), -1);
  EXPECT_EQ(text, "[x] y");
}

}  // namespace
}  // namespace swapbench

namespace swapbench {
namespace {

TEST(ConsoleParserTest, NfsOutageIsAnEventPair) {
  ConsoleParser p;
  p.Feed("[   30.500000] nfs: server 10.213.0.1 not responding, still trying");
  p.Feed("[   35.500000] nfs: server 10.213.0.1 not responding, still trying");
  p.Feed("[   52.250000] nfs: server 10.213.0.1 OK");
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

TEST(ConsoleParserTest, NfsTimedOutIsAnEvent) {
  ConsoleParser p;
  p.Feed("[    9.0] nfs: server 10.213.0.1 not responding, timed out");
  ASSERT_EQ(p.events().size(), 1u);
  EXPECT_EQ(p.events()[0].kind, "nfs_not_responding");
}

}  // namespace
}  // namespace swapbench
