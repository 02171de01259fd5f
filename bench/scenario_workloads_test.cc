#include <gtest/gtest.h>

#include "bench/scenario.h"

namespace swapbench {
namespace {

std::string Err(const std::string& text) {
  auto r = ParseScenario("name = \"x\"\n" + text, "t.toml");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().kind(), Status::Kind::kUsage);
  return r.status().message();
}

Scenario Ok(const std::string& text) {
  auto r = ParseScenario("name = \"x\"\n" + text, "t.toml");
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : Scenario{};
}

TEST(ScenarioWorkloadsTest, CgroupsAndWorkloads) {
  Scenario s = Ok(R"(
[[cgroup]]
name = "top"
memory_max_mib = 96
[[cgroup]]
name = "a"
parent = "top"
memory_low_mib = 32
memory_min_mib = 8
swap_max_mib = 0
oom_group = true
[[cgroup]]
name = "b"
parent = "top"
memory_high_mib = 40

[[workload]]
name = "w"
kind = "writer"
cgroup = "a"
mib = 64
block_kib = 4
direct = true
fsync = "every_mib 16"
[[workload]]
kind = "hog"
cgroup = "b"
pattern = "zipf"
zipf_s = 0.9
passes = 3
threads = 2
after = "w"
after_mib = 32
[[workload]]
kind = "reader"
cgroup = "b"
start_at_s = 2.5
[[workload]]
kind = "stress-ng"
args = ["--vm", "1", "--timeout", "5s"]
)");
  ASSERT_EQ(s.cgroups.size(), 3u);
  EXPECT_EQ(s.cgroups[1].path, "/top/a");
  EXPECT_EQ(s.cgroups[1].memory_low_mib, 32);
  EXPECT_EQ(s.cgroups[1].memory_min_mib, 8);
  EXPECT_EQ(s.cgroups[1].swap_max_mib, 0);
  EXPECT_TRUE(s.cgroups[1].oom_group);
  EXPECT_EQ(s.cgroups[2].swap_max_mib, -1);
  ASSERT_EQ(s.workloads.size(), 4u);
  const auto& w = s.workloads[0];
  EXPECT_EQ(w.kind, Scenario::WorkloadKind::kWriter);
  EXPECT_EQ(w.block_kib, 4);
  EXPECT_TRUE(w.direct);
  EXPECT_EQ(w.fsync, "every_mib");
  EXPECT_EQ(w.fsync_every_mib, 16);
  const auto& h = s.workloads[1];
  EXPECT_EQ(h.name, "hog");  // named after its kind
  EXPECT_EQ(h.pattern, "zipf");
  EXPECT_DOUBLE_EQ(h.zipf_s, 0.9);
  EXPECT_EQ(h.passes, 3);
  EXPECT_EQ(h.threads, 2);
  EXPECT_EQ(h.after, "w");
  EXPECT_EQ(h.after_mib, 32);
  EXPECT_EQ(s.workloads[2].passes, 3);  // a reader's default
  EXPECT_DOUBLE_EQ(s.workloads[2].start_at_s, 2.5);
  EXPECT_EQ(s.workloads[3].name, "stress-ng");
  EXPECT_EQ(s.workloads[3].args.size(), 4u);
  EXPECT_TRUE(s.Has(Scenario::WorkloadKind::kStressNg));
  EXPECT_EQ(s.Where("workload.after_mib"), "t.toml:34");
}

TEST(ScenarioWorkloadsTest, ShorthandsAreOneHogInOneCgroup) {
  Scenario s = Ok("[cgroup]\nmemory_max_mib = 48\n[workload]\nhog_mib = 64\n");
  ASSERT_EQ(s.cgroups.size(), 1u);
  EXPECT_EQ(s.cgroups[0].name, "hog");
  ASSERT_EQ(s.workloads.size(), 1u);
  EXPECT_EQ(s.workloads[0].name, "hog");
  EXPECT_EQ(s.workloads[0].mib, 64);
  EXPECT_EQ(s.workloads[0].cgroup, "hog");
  // The shorthand cgroup with [[workload]] tables that name it.
  Scenario t =
      Ok("[cgroup]\nmemory_max_mib = 48\n[[workload]]\nkind = \"hog\"\n"
         "cgroup = \"hog\"\n");
  EXPECT_EQ(t.workloads[0].cgroup, "hog");
}

TEST(ScenarioWorkloadsTest, Knobs) {
  Scenario s = Ok(R"(
[guest.sysctl]
"vm.dirty_bytes" = 209715200
vm.swappiness = 100
[guest.sysfs]
"kernel/mm/lru_gen/enabled" = "y"
"module/zswap/parameters/enabled" = "N"
)");
  EXPECT_EQ(s.guest.sysctl.at("vm.dirty_bytes"), "209715200");
  EXPECT_EQ(s.guest.sysctl.at("vm.swappiness"), "100");  // dotted keys
  EXPECT_EQ(s.guest.sysfs.at("kernel/mm/lru_gen/enabled"), "y");
  EXPECT_EQ(s.guest.sysfs.at("module/zswap/parameters/enabled"), "N");
}

// Every new key's mistakes, with the exact message a user sees.
TEST(ScenarioWorkloadsTest, EveryMistakeSaysWhereAndWhat) {
  const std::pair<const char*, const char*> cases[] = {
      {"[[cgroup]]\nmemory_max_mib = 48\n",
       "t.toml:2: [[cgroup]]: expected name"},
      {"[[cgroup]]\nname = \"A b\"\n",
       "t.toml:3: cgroup.name \"A b\": expected lower-case letters, digits, "
       "'_' and '-', starting with a letter, at most 32"},
      {"[[cgroup]]\nname = \"a\"\n[[cgroup]]\nname = \"a\"\n",
       "t.toml:5: cgroup.name \"a\" is used twice; give each a unique name"},
      {"[[cgroup]]\nname = \"a\"\nparent = \"z\"\n",
       "t.toml:4: cgroup.parent \"z\": no [[cgroup]] of that name above this "
       "one"},
      {"[[cgroup]]\nname = \"a\"\nmemory_low_mib = 0\n",
       "t.toml:4: cgroup.memory_low_mib 0 out of range [1, 65536]"},
      {"[[cgroup]]\nname = \"a\"\nmemory_min_mib = 70000\n",
       "t.toml:4: cgroup.memory_min_mib 70000 out of range [1, 65536]"},
      {"[[cgroup]]\nname = \"a\"\nswap_max_mib = -1\n",
       "t.toml:4: cgroup.swap_max_mib -1 out of range [0, 65536]"},
      {"[[cgroup]]\nname = \"a\"\noom_group = 1\n",
       "t.toml:4: cgroup.oom_group: expected true or false"},
      {"[[cgroup]]\nname = \"a\"\n[[cgroup]]\nname = \"b\"\n",
       "t.toml:2: [[cgroup]] tables need [[workload]] tables that run in "
       "them"},
      {"cgroup = 3\n",
       "t.toml:2: cgroup: expected [cgroup] or [[cgroup]] tables"},
      {"[[workload]]\nmib = 8\n",
       "t.toml:2: [[workload]]: expected kind (hog, writer, reader or "
       "stress-ng)"},
      {"[[workload]]\nkind = \"dd\"\n",
       "t.toml:3: workload.kind \"dd\": expected one of \"hog\", \"reader\", "
       "\"stress-ng\", \"writer\""},
      {"[[workload]]\nkind = \"hog\"\nname = \"a-very-long-name-x\"\n",
       "t.toml:4: workload.name \"a-very-long-name-x\": expected lower-case "
       "letters, digits, '_' and '-', starting with a letter, at most 15 (it "
       "is the process name the OOM killer prints)"},
      {"[[workload]]\nkind = \"hog\"\n[[workload]]\nkind = \"hog\"\n"
       "name = \"hog\"\n",
       "t.toml:6: workload.name \"hog\" is used twice; give each a unique "
       "name"},
      {"[[workload]]\nkind = \"hog\"\ncgroup = \"nope\"\n",
       "t.toml:2: workload.cgroup \"nope\": no [[cgroup]] of that name"},
      {"[[cgroup]]\nname = \"p\"\n[[cgroup]]\nname = \"c\"\nparent = \"p\"\n"
       "[[workload]]\nkind = \"hog\"\ncgroup = \"p\"\n",
       "t.toml:7: workload.cgroup \"p\" has child cgroups (c); a workload runs "
       "in a leaf (cgroup v2 puts no process in a cgroup that distributes "
       "memory to children)"},
      {"[[workload]]\nkind = \"hog\"\nmib = 0\n",
       "t.toml:4: workload.mib 0 out of range [1, 65536]"},
      {"[[workload]]\nkind = \"hog\"\npattern = \"spiral\"\n",
       "t.toml:4: workload.pattern \"spiral\": expected one of \"random\", "
       "\"sequential\", \"zipf\""},
      {"[[workload]]\nkind = \"hog\"\npattern = \"zipf\"\nzipf_s = 0\n",
       "t.toml:5: workload.zipf_s 0 out of range [0.01, 10]"},
      {"[[workload]]\nkind = \"hog\"\nzipf_s = 1.2\n",
       "t.toml:4: unknown key workload.zipf_s in [workload] (expected "
       "after, after_mib, cgroup, kind, mib, name, passes, pattern, "
       "start_at_s, threads)"},
      {"[[workload]]\nkind = \"hog\"\npasses = 0\n",
       "t.toml:4: workload.passes 0 out of range [1, 1000]"},
      {"[[workload]]\nkind = \"hog\"\nthreads = 65\n",
       "t.toml:4: workload.threads 65 out of range [1, 64]"},
      {"[[workload]]\nkind = \"writer\"\nblock_kib = 8192\n",
       "t.toml:4: workload.block_kib 8192 out of range [4, 4096]"},
      {"[[workload]]\nkind = \"writer\"\nblock_kib = 6\n",
       "t.toml:4: workload.block_kib 6: expected a multiple of 4 (whole "
       "pages)"},
      {"[[workload]]\nkind = \"writer\"\nfsync = \"sometimes\"\n",
       "t.toml:4: workload.fsync \"sometimes\": expected \"never\", \"end\" "
       "or \"every_mib N\" (N in [1, 65536])"},
      {"[[workload]]\nkind = \"writer\"\ndirect = \"yes\"\n",
       "t.toml:4: workload.direct: expected true or false"},
      {"[[workload]]\nkind = \"hog\"\nblock_kib = 4\n",
       "t.toml:4: unknown key workload.block_kib in [workload] (expected "
       "after, after_mib, cgroup, kind, mib, name, passes, pattern, "
       "start_at_s, threads)"},
      {"[[workload]]\nkind = \"hog\"\nstart_at_s = -1\n",
       "t.toml:4: workload.start_at_s -1 out of range [0, 86400]"},
      {"[[workload]]\nkind = \"hog\"\nafter = \"x\"\n",
       "t.toml:2: workload.after \"x\": no [[workload]] of that name above "
       "this one"},
      {"[[workload]]\nkind = \"hog\"\nafter_mib = 3\n",
       "t.toml:4: workload.after_mib goes with workload.after"},
      {"[[workload]]\nkind = \"hog\"\n[[workload]]\nkind = \"hog\"\n"
       "after = \"hog\"\nstart_at_s = 1\n",
       "t.toml:4: [[workload]] hog2: expected at most one of start_at_s, "
       "after"},
      {"[[workload]]\nkind = \"reader\"\n[[workload]]\nkind = \"hog\"\n"
       "after = \"reader\"\nafter_mib = 1\n",
       "t.toml:4: workload.after_mib: \"reader\" is a reader, which counts no "
       "MiB written (a hog or a writer does)"},
      {"[[workload]]\nkind = \"stress-ng\"\n",
       "t.toml:2: workload stress-ng: expected args, e.g. [\"--vm\", \"1\", "
       "\"--vm-bytes\", \"64m\", \"--timeout\", \"20s\"]"},
      {"[[workload]]\nkind = \"stress-ng\"\nargs = [\"--vm 1\"]\n",
       "t.toml:4: workload.args \"--vm 1\": expected one word per element (no "
       "spaces)"},
      {"[[workload]]\nkind = \"stress-ng\"\nargs = [\"--vm\", \"1\"]\n",
       "t.toml:4: workload stress-ng: expected --timeout in args (a stressor "
       "without one runs until the deadline)"},
      {"[[workload]]\nkind = \"stress-ng\"\nargs = [\"--metrics-brief\"]\n",
       "t.toml:4: workload.args \"--metrics-brief\": the bench adds "
       "--metrics-brief itself and reads it"},
      {"[storage]\nkind = \"nbd\"\n[[workload]]\nkind = \"writer\"\n",
       "t.toml:4: [[workload]] writer: a writer works on the NFS export; "
       "storage.kind \"nbd\" has no filesystem for it yet"},
      {"[[cgroup]]\nname = \"a\"\n[workload]\nhog_mib = 8\n",
       "t.toml:4: [workload] is the one-hog shorthand: with [[cgroup]] "
       "tables, write [[workload]] tables naming their cgroup"},
      {"[guest.sysctl]\n\"vm/../x\" = 1\n",
       "t.toml:3: guest.sysctl \"vm/../x\": expected a sysctl name such as "
       "vm.swappiness"},
      {"[guest.sysfs]\n\"/kernel/mm\" = 1\n",
       "t.toml:3: guest.sysfs \"/kernel/mm\": expected a path under /sys such "
       "as kernel/mm/lru_gen/enabled"},
      {"[guest.sysfs]\n\"kernel/../../etc\" = 1\n",
       "t.toml:3: guest.sysfs \"kernel/../../etc\": expected a path under /sys "
       "such as kernel/mm/lru_gen/enabled"},
      {"[guest.sysctl]\n\"vm.swappiness\" = 1.5\n",
       "t.toml:3: guest.sysctl \"vm.swappiness\": expected a string or an "
       "integer (one line, at most 200 characters)"},
      {"[guest.sysctl]\n\"vm.swappiness\" = \"1\\n2\"\n",
       "t.toml:3: guest.sysctl \"vm.swappiness\": expected a string or an "
       "integer (one line, at most 200 characters)"},
      {"[guest]\nsysctls = 1\n",
       "t.toml:3: unknown key guest.sysctls in [guest] (expected sysctl, "
       "sysfs; did you mean sysctl?)"},
  };
  for (const auto& [text, want] : cases) EXPECT_EQ(Err(text), want) << text;
}

}  // namespace
}  // namespace swapbench
