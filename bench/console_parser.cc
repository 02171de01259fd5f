#include "bench/console_parser.h"

#include <array>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <deque>

#include "bench/console_line.h"
#include "bench/nic.h"

namespace swapbench {

namespace {

std::string Str(const std::cmatch& m, int i) { return m[i].str(); }

void FillKill(const std::cmatch& m, Finding* f) {
  f->pid = std::atol(Str(m, 1).c_str());
  f->victim = Str(m, 2);
  f->key = f->kind + "|" + Str(m, 1);  // each kill is its own finding
}

// "mode:0xa20(GFP_ATOMIC)": the flags by name, and which reserve the
// allocation was allowed to dip into. Names, not bits: the bit values
// change between kernel releases, the printed names do not.
void FillGfp(const std::string& mode, const std::string& names, Finding* f) {
  nlohmann::json flags = nlohmann::json::array();
  size_t start = 0;
  while (start <= names.size()) {
    size_t bar = names.find('|', start);
    if (bar == std::string::npos) bar = names.size();
    if (bar > start) flags.push_back(names.substr(start, bar - start));
    start = bar + 1;
  }
  bool memalloc = names.find("__GFP_MEMALLOC") != std::string::npos;
  bool atomic = names.find("GFP_ATOMIC") != std::string::npos ||
                names.find("GFP_NOWAIT") != std::string::npos;
  f->details["gfp_mode"] = mode;
  f->details["gfp_flags"] = flags;
  f->details["memalloc"] = memalloc;
  f->details["atomic"] = atomic;
  f->details["reserve"] = memalloc ? "memalloc" : atomic ? "atomic" : "none";
}

// The allocating task's context, from its name; the trace may refine it.
std::string TaskContext(const std::string& task) {
  if (task.rfind("ksoftirqd/", 0) == 0) return "softirq";
  if (task.rfind("swapper/", 0) == 0) return "interrupt";
  return "process";
}

void AllocTitle(Finding* f) {
  const auto& d = f->details;
  std::string t = d.contains("cache") ? "slab allocation failure"
                                      : "page allocation failure";
  if (d.contains("order"))
    t += " order:" + std::to_string(d["order"].get<int>());
  t += " " + d.value("gfp_names", std::string());
  std::string reserve = d.value("reserve", "none");
  std::string context = d.value("context", "process");
  if (reserve != "none" || context != "process")
    t += " (" + (reserve == "none" ? "" : reserve + " reserve, ") + "in " +
         context + ")";
  f->title = t;
}

// Frames that say nothing about where the failure is.
bool BoringFrame(std::string_view fn) {
  static const char* const kBoring[] = {
      "dump_stack",
      "dump_stack_lvl",
      "show_stack",
      "warn_alloc",
      "panic",
      "__warn",
      "report_bug",
      "handle_bug",
      "exc_invalid_op",
      "asm_exc_invalid_op",
      "__schedule",
      "__switch_to",  // arm64's first frame of a sleeping task
      "schedule",
      "schedule_timeout",
      "io_schedule",
      "io_schedule_timeout",
      "__alloc_pages",
      "__alloc_pages_slowpath",
      "alloc_pages",
      "__folio_alloc",
      "out_of_memory",
      "oom_kill_process",
      "dump_header",
      "watchdog_timer_fn",
      "__hrtimer_run_queues",
      "hrtimer_interrupt",
      "rcu_dump_cpu_stacks",
      "print_cpu_stall",
      "check_cpu_stall",
      "rcu_sched_clock_irq",
      "update_process_times",
      "tick_sched_handle",
      "tick_sched_timer",
      "nmi_cpu_backtrace",
      "nmi_trigger_cpumask_backtrace",
      "arch_trigger_cpumask_backtrace",
  };
  // "__alloc_pages_slowpath.constprop.0" is __alloc_pages_slowpath.
  std::string_view base = fn.substr(0, fn.find('.'));
  for (const char* b : kBoring)
    if (base == b) return true;
  return false;
}

bool SoftirqFrame(std::string_view fn) {
  return fn == "__do_softirq" || fn == "handle_softirqs" ||
         fn == "net_rx_action" || fn == "run_ksoftirqd" || fn == "do_softirq" ||
         fn == "irq_exit_rcu";
}

constexpr size_t kTopFrames = 5;
constexpr int kTraceBudget = 120;  // lines a trace may take to end
// Bytes of a line the rows match (std::regex is recursive); see Feed.
constexpr size_t kMaxMatchBytes = 4096;

}  // namespace

// Lockdep's reports in every form since 4.x: "WARNING: possible circular
// locking dependency detected", pre-4.11 "[ INFO: … ]" and "[ BUG: … ]",
// "BUG: syz/1 still has locks held!".
std::regex LockdepRegex() {
  return std::regex(
      R"(^(?:\[ )?(?:WARNING|INFO|BUG): (?:\S+ )?(possible circular locking dependency|possible recursive locking|inconsistent lock state|suspicious RCU usage|bad unlock balance|held lock freed|lock held when returning to user space|[Nn]ested lock was not taken|possible irq lock inversion dependency|bad contention detected|still has locks held|workqueue leaked lock|\w+-safe -> \w+-unsafe lock order|[Ii]nvalid wait context|trying to register non-static key|MAX_[A-Z_]+ too low|looking up invalid subclass|lock held while trying to|possible \w+ locking))");
}
void LockdepTitle(const std::cmatch& m, Finding* f) {
  f->title = "lockdep: " + Str(m, 1);
}

// "KASAN: use-after-free in foo": the tool, the bug, the function.
void SanitizerTitle(const char* tool, const std::cmatch& m, Finding* f) {
  f->title = std::string(tool) + ": " + Str(m, 1);
  if (m[2].matched) f->title += " in " + Str(m, 2);
}

const std::vector<ConsoleRow>& ConsoleRows() {
  static const std::vector<ConsoleRow> rows = {
      {"memcg_oom_kill", "Memory cgroup out of memory: Kill",
       std::regex(
           R"(Memory cgroup out of memory: Kill(?:ed)? process (\d+) \(([^)]*)\))"),
       [](const std::cmatch& m, Finding* f) {
         FillKill(m, f);
         f->title = "memcg OOM kill of " + f->victim;
       }},
      {"oom_deadlock", "Out of memory and no killable processes",
       std::regex(R"(Out of memory and no killable processes)"),
       [](const std::cmatch& m, Finding* f) {
         f->title = "out of memory and no killable processes";
       }},
      {"oom_kill", "Out of memory",
       std::regex(
           R"(Out of memory(?: \(oom_kill_allocating_task\))?: Kill(?:ed)? process (\d+) \(([^)]*)\))"),
       [](const std::cmatch& m, Finding* f) {
         FillKill(m, f);
         f->title = "OOM kill of " + f->victim;
       }},
      {"hung_task", "INFO: task ",
       std::regex(
           R"(^INFO: task (.+):(\d+) (?:blocked for|blocked in I/O wait for|can't die for) more than (\d+) seconds)"),
       [](const std::cmatch& m, Finding* f) {
         f->victim = Str(m, 1);
         f->pid = std::atol(Str(m, 2).c_str());
         f->title = "hung task " + f->victim;
         f->key = "hung_task|" + Str(m, 2);
         f->details["blocked_s"] = std::atol(Str(m, 3).c_str());
       },
       true},
      {"soft_lockup", "soft lockup",
       std::regex(
           R"(BUG: soft lockup - CPU#(\d+) stuck for (\d+)s! \[(.+):(\d+)\])"),
       [](const std::cmatch& m, Finding* f) {
         f->victim = Str(m, 3);
         f->pid = std::atol(Str(m, 4).c_str());
         f->title = "soft lockup on CPU#" + Str(m, 1) + " in " + f->victim;
         f->details["stuck_s"] = std::atol(Str(m, 2).c_str());
       },
       true},
      {"hard_lockup", "hard LOCKUP",
       std::regex(R"(Watchdog detected hard LOCKUP on cpu (\d+))"),
       [](const std::cmatch& m, Finding* f) {
         f->title = "hard lockup on CPU#" + Str(m, 1);
       },
       true},
      {"rcu_stall", "INFO: rcu",
       std::regex(
           R"(^(?:rcu: )?INFO: (rcu_\w+|rcu) (self-detected stall on CPU|detected stalls on CPUs/tasks|detected expedited stalls on CPUs/tasks|detected stalls? on tasks|detected stall))"),
       [](const std::cmatch& m, Finding* f) {
         f->title = "RCU stall (" + Str(m, 1) + " " + Str(m, 2) + ")";
         f->key = "rcu_stall";
       },
       true},
      {"workqueue_lockup", "BUG: workqueue lockup",
       std::regex(R"(BUG: workqueue lockup - pool (.*) stuck for (\d+)s!)"),
       [](const std::cmatch& m, Finding* f) {
         f->title = "workqueue lockup, pool " + Str(m, 1);
         f->details["stuck_s"] = std::atol(Str(m, 2).c_str());
       }},
      {"alloc_failure", "page allocation failure",
       std::regex(
           R"(^(.*): page allocation failure: order:(\d+), mode:(0x[0-9a-f]+)\(([^)]*)\))"),
       [](const std::cmatch& m, Finding* f) {
         f->victim = Str(m, 1);
         f->details["order"] = std::atoi(Str(m, 2).c_str());
         f->details["gfp_names"] = Str(m, 4);
         FillGfp(Str(m, 3), Str(m, 4), f);
         f->details["context"] = TaskContext(f->victim);
         f->details["tasks"] = {f->victim};
         f->key = "alloc|" + Str(m, 2) + "|" + Str(m, 3);
         AllocTitle(f);
       },
       true},
      {"alloc_failure", "vmalloc error",
       std::regex(
           R"(^(.*): vmalloc error: size (\d+),.*mode:(0x[0-9a-f]+)\(([^)]*)\))"),
       [](const std::cmatch& m, Finding* f) {
         f->victim = Str(m, 1);
         f->details["vmalloc_size"] = std::atol(Str(m, 2).c_str());
         f->details["gfp_names"] = Str(m, 4);
         FillGfp(Str(m, 3), Str(m, 4), f);
         f->details["context"] = TaskContext(f->victim);
         f->title = "vmalloc failure of " + Str(m, 2) + " bytes " + Str(m, 4);
         f->key = "vmalloc|" + Str(m, 3);
       },
       true},
      {"alloc_failure", "SLUB: Unable to allocate memory",
       std::regex(
           R"(SLUB: Unable to allocate memory on node (-?\d+), gfp=(0x[0-9a-f]+)\(([^)]*)\))"),
       [](const std::cmatch& m, Finding* f) {
         f->details["gfp_names"] = Str(m, 3);
         FillGfp(Str(m, 2), Str(m, 3), f);
         f->details["cache"] = "";  // filled from the next line
         f->title = "slab allocation failure " + Str(m, 3);
         f->key = "slub|" + Str(m, 2);
       },
       true},
      {"swap_write_error", "Write error",
       std::regex(R"(Write error (-?\d+) on dio swapfile \((\d+)\))"),
       [](const std::cmatch& m, Finding* f) {
         f->title = "swap write error " + Str(m, 1) + " on dio swapfile";
         f->details["error"] = std::atol(Str(m, 1).c_str());
         f->key = "swap_write_error|" + Str(m, 1);
       }},
      {"swap_write_error", "Write-error on swap-device",
       std::regex(R"(Write-error on swap-device \(([0-9:]+)\))"),
       [](const std::cmatch& m, Finding* f) {
         f->title = "swap write error on swap device";
         f->key = "swap_write_error|dev";
       }},
      {"swap_read_error", "Read-error on swap-device",
       std::regex(R"(Read-error on swap-device)"),
       [](const std::cmatch& m, Finding* f) {
         f->title = "swap read error on swap device";
         f->key = "swap_read_error";
       }},
      {"storage_io_error", " error, dev ",
       std::regex(
           R"(([A-Za-z/ ]+) error, dev (\S+), sector (\d+)(?: op 0x[0-9a-f]+:\((\w+)\))?)"),
       [](const std::cmatch& m, Finding* f) {
         std::string op = m[4].matched ? Str(m, 4) : "IO";
         f->title = Str(m, 1) + " error on " + Str(m, 2) + " (" + op + ")";
         f->details["device"] = Str(m, 2);
         f->details["sector"] = std::atoll(Str(m, 3).c_str());
         f->key = "storage_io_error|" + Str(m, 2) + "|" + op;
       }},
      {"panic", "Kernel panic - not syncing",
       std::regex(R"(^Kernel panic - not syncing: (.*))"),
       [](const std::cmatch& m, Finding* f) {
         f->title = "kernel panic: " + Str(m, 1);
       }},
      {"oops", "nable to handle ",
       std::regex(R"(^(?:BUG: )?[Uu]nable to handle (.*))"),
       [](const std::cmatch& m, Finding* f) {
         std::string what = Str(m, 1);
         f->title =
             "BUG: unable to handle " + what.substr(0, what.find(" at "));
         f->title = f->title.substr(0, f->title.find(" for address"));
       },
       true},
      {"oops", "ernel NULL pointer dereference",
       std::regex(R"(^BUG: [Kk]ernel NULL pointer dereference)"),
       [](const std::cmatch& m, Finding* f) {
         f->title = "BUG: kernel NULL pointer dereference";
       },
       true},
      // x86 traps, arm64/arm/powerpc/riscv oopses, a blown stack.
      {"oops", " [#",
       std::regex(
           R"(^(divide[ _]error|stack segment|int3|invalid opcode|(?:segment-related )?general protection fault|double fault|kernel stack overflow|alignment check|stack guard page)(?:[^:]*)?: [0-9a-f]{4} \[#)"),
       [](const std::cmatch& m, Finding* f) {
         f->title = Str(m, 1);
         if (f->title == "divide_error") f->title = "divide error";
       },
       true},
      {"oops", "Internal error: ", std::regex(R"(^Internal error: ([^:\[]+))"),
       [](const std::cmatch& m, Finding* f) {
         f->title = "Internal error: " + Str(m, 1);
       },
       true},
      {"oops",
       "Unhandled fault: ", std::regex(R"(^Unhandled fault: ([^(]*[^( ]))"),
       [](const std::cmatch& m, Finding* f) {
         f->title = "Unhandled fault: " + Str(m, 1);
       },
       true},
      {"oops", "PANIC: double fault", std::regex(R"(^PANIC: double fault)"),
       [](const std::cmatch& m, Finding* f) { f->title = "double fault"; },
       true},
      {"oops", "stack guard page was hit",
       std::regex(R"(^BUG: (?:TASK )?stack guard page was hit)"),
       [](const std::cmatch& m, Finding* f) {
         f->title = "stack guard page was hit";
       },
       true},
      {"oops", "Kernel attempted to ",
       std::regex(R"(^Kernel attempted to (\w+ user page))"),
       [](const std::cmatch& m, Finding* f) {
         f->title = "kernel attempted to " + Str(m, 1);
       },
       true},
      // The list and usercopy checkers end in BUG(): name what they found.
      {"bug", "kernel BUG at ",
       std::regex(R"(^kernel BUG at (lib/list_debug|mm/usercopy)\.c:\d+!)"),
       [](const std::cmatch& m, Finding* f) {
         f->title = Str(m, 1) == "mm/usercopy" ? "BUG: bad usercopy"
                                               : "BUG: corrupted list";
         f->key = f->title;
       },
       true},
      {"oops", "kernel BUG at", std::regex(R"(^kernel BUG at ([^!]*)!)"),
       [](const std::cmatch& m, Finding* f) {
         f->title = "kernel BUG at " + Str(m, 1);
       },
       true},
      // Kernel only: a user task's "traps: X[1] general protection fault
      // ip:..." is not a kernel oops.
      {"oops", "general protection fault",
       std::regex(R"(^general protection fault)"),
       [](const std::cmatch& m, Finding* f) {
         f->title = "general protection fault";
       },
       true},
      {"oops", "Oops", std::regex(R"(^Oops(?: - |: )(.*))"),
       [](const std::cmatch& m, Finding* f) {
         f->title = "Oops: " + Str(m, 1);
       },
       true},
      // The sanitizers and lockdep before the BUG:/WARNING: catch-alls.
      {"kasan", "KASAN: ",
       std::regex(R"(^BUG: KASAN: ([\w-]+)(?: in ([A-Za-z0-9_.]+))?)"),
       [](const std::cmatch& m, Finding* f) { SanitizerTitle("KASAN", m, f); },
       true},
      {"kmsan", "KMSAN: ",
       std::regex(R"(^BUG: KMSAN: ([\w-]+)(?: in ([A-Za-z0-9_.]+))?)"),
       [](const std::cmatch& m, Finding* f) { SanitizerTitle("KMSAN", m, f); },
       true},
      {"kcsan", "KCSAN: ",
       std::regex(R"(^BUG: KCSAN: ([\w-]+)(?: in ([A-Za-z0-9_.]+))?)"),
       [](const std::cmatch& m, Finding* f) { SanitizerTitle("KCSAN", m, f); },
       true},
      {"kfence", "KFENCE: ",
       std::regex(R"(^BUG: KFENCE: ([\w -]+?)(?: in ([A-Za-z0-9_.]+)|$))"),
       [](const std::cmatch& m, Finding* f) { SanitizerTitle("KFENCE", m, f); },
       true},
      {"ubsan",
       "UBSAN: ", std::regex(R"(^UBSAN: ([\w -]+?) in (\S+?)(?::\d+)*$)"),
       [](const std::cmatch& m, Finding* f) {
         // "UBSAN: shift-out-of-bounds in net/x.c:12:3" -> file, no line.
         f->title = "UBSAN: " + Str(m, 1) + " in " + Str(m, 2);
       },
       true},
      {"memory_leak", "unreferenced object 0x",
       std::regex(R"(^unreferenced object 0x[0-9a-f]+ \(size (\d+)\))"),
       [](const std::cmatch& m, Finding* f) {
         f->title = "memory leak (kmemleak)";
         f->key = "memory_leak";
       }},
      {"memory_leak", "BUG: memory leak", std::regex(R"(^BUG: memory leak)"),
       [](const std::cmatch& m, Finding* f) {
         f->title = "memory leak (kmemleak)";
         f->key = "memory_leak";
       }},
      {"lockdep", "WARNING: ", LockdepRegex(), LockdepTitle, true},
      {"lockdep", "INFO: ", LockdepRegex(), LockdepTitle, true},
      {"lockdep", "BUG: ", LockdepRegex(), LockdepTitle, true},
      {"lockdep", "DEBUG_LOCKS_WARN_ON(",
       std::regex(R"(^DEBUG_LOCKS_WARN_ON\((.*)\)$)"),
       [](const std::cmatch& m, Finding* f) {
         f->title = "lockdep: locking bug (" + Str(m, 1) + ")";
       },
       true},
      {"netdev_hang", "unregister_netdevice: waiting for",
       std::regex(R"(^unregister_netdevice: waiting for (\S+) to become free)"),
       [](const std::cmatch& m, Finding* f) {
         f->title = "unregister_netdevice: " + Str(m, 1) + " never became free";
         f->key = "netdev_hang|" + Str(m, 1);
       }},
      {"bug", "usercopy: ",
       std::regex(R"(^usercopy: [Kk]ernel memory (\w+) attempt detected)"),
       [](const std::cmatch& m, Finding* f) {
         f->title = "BUG: bad usercopy (" + Str(m, 1) + ")";
         f->key = "BUG: bad usercopy";  // its BUG() line folds in
       },
       true},
      {"bug", " corruption",
       std::regex(R"(^(list_(?:add|del)|hlist_\w+) corruption)"),
       [](const std::cmatch& m, Finding* f) {
         f->title = "BUG: corrupted list (" + Str(m, 1) + ")";
         f->key = "BUG: corrupted list";  // its BUG() line folds in
       },
       true},
      {"bug",
       "INFO: ", std::regex(R"(^INFO: (Allocated|Freed) in ([A-Za-z0-9_.]+))"),
       [](const std::cmatch& m, Finding* f) {
         // SLUB debug's object history, its BUG line lost.
         f->title = "SLUB: object " + Str(m, 1) + " in " + Str(m, 2);
         f->key = "slub_object";
       }},
      {"bug", "BUG ",
       std::regex(R"(^BUG ([\w.:-]+) \([^)]*\): (?!kasan: bad access)(.*))"),
       [](const std::cmatch& m, Finding* f) {
         // SLUB debug: "BUG kmalloc-64 (Not tainted): Poison overwritten".
         f->title = "SLUB: " + Str(m, 2) + " in " + Str(m, 1);
         f->details["cache"] = Str(m, 1);
       },
       true},
      {"bug", "BUG: ", std::regex(R"(^BUG: ([A-Za-z_].*))"),
       [](const std::cmatch& m, Finding* f) {
         // "BUG: scheduling while atomic: hog/1/0x2" -> up to the colon.
         std::string rest = Str(m, 1);
         size_t colon = rest.find(':');
         if (colon != std::string::npos && colon <= 6)
           colon = rest.find(':', colon + 1);
         rest = rest.substr(0, colon);
         size_t pfn = rest.find("  ");
         f->title = "BUG: " + rest.substr(0, pfn);
       },
       true},
      // Kernel only: the kernel's own WARNING formats, never a firmware's,
      // a bootloader's or a user program's "WARNING: ...".
      {"warning", "WARNING: ",
       std::regex(
           R"(^WARNING: (?:CPU: \d+ PID: \d+ at (\S+)(?: ([A-Za-z0-9_.]+)\+0x)?|at (\S+) ([A-Za-z0-9_.]+)\(\)|(?:\[[^\]]*\] )?(\S+:\d+) at (?:([A-Za-z0-9_.]+)\+0x\S+|\S+), CPU#\d+|(kernel stack (?:regs|frame pointer)) at .* has bad|(stack (?:recursion|going in the wrong direction))))"),
       [](const std::cmatch& m, Finding* f) {
         // 6.x: "CPU: 0 PID: 1 at file:line fn+0x"; 2.6-3.x: "at file:line
         // fn()"; 6.18+: "file:line at fn+0x…, CPU#0: task".
         if (m[1].matched) {
           f->title = "WARNING at " + Str(m, 1);
           if (m[2].matched) f->title += " " + Str(m, 2);
         } else if (m[3].matched) {
           f->title = "WARNING at " + Str(m, 3) + " " + Str(m, 4);
         } else if (m[5].matched) {
           f->title = "WARNING at " + Str(m, 5);
           if (m[6].matched) f->title += " " + Str(m, 6);
         } else {
           f->title =
               "WARNING: " + Str(m, m[7].matched ? 7 : 8) + " has a bad value";
           if (m[8].matched) f->title = "WARNING: " + Str(m, 8);
         }
         // A WARN() inside lockdep itself is lockdep's report.
         if (f->title.rfind("WARNING at kernel/locking/lockdep.c", 0) == 0)
           f->kind = "lockdep";
       },
       true},
  };
  return rows;
}

// ---- LiteralSet -----------------------------------------------------------

LiteralSet::LiteralSet(const std::vector<std::string>& literals) {
  // Trie first; fail links by BFS turn it into a complete DFA.
  std::vector<std::array<int, 256>> go(1);
  go[0].fill(-1);
  out_.assign(1, Bits());
  for (size_t i = 0; i < literals.size() && i < kMax; ++i) {
    int s = 0;
    for (unsigned char c : literals[i]) {
      if (go[s][c] < 0) {
        go[s][c] = static_cast<int>(go.size());
        go.emplace_back();
        go.back().fill(-1);
        out_.push_back(Bits());
      }
      s = go[s][c];
    }
    out_[s].set(i);
  }
  std::vector<int> fail(go.size(), 0);
  std::deque<int> queue;
  for (int c = 0; c < 256; ++c) {
    if (go[0][c] < 0) {
      go[0][c] = 0;
    } else {
      fail[go[0][c]] = 0;
      queue.push_back(go[0][c]);
    }
  }
  while (!queue.empty()) {
    int s = queue.front();
    queue.pop_front();
    out_[s] |= out_[fail[s]];
    for (int c = 0; c < 256; ++c) {
      int t = go[s][c];
      if (t < 0) {
        go[s][c] = go[fail[s]][c];
      } else {
        fail[t] = go[fail[s]][c];
        queue.push_back(t);
      }
    }
  }
  // Entries carry kAccept when the target state ends a literal, so the
  // scan only looks at out_ on a hit.
  next_.resize(go.size() * 256);
  for (size_t s = 0; s < go.size(); ++s)
    for (int c = 0; c < 256; ++c) {
      int t = go[s][c];
      next_[s * 256 + c] =
          static_cast<uint16_t>(t | (out_[t].any() ? kAccept : 0));
    }
}

LiteralSet::Bits LiteralSet::Match(std::string_view text) const {
  Bits hits;
  uint32_t s = 0;
  const uint16_t* next = next_.data();
  for (unsigned char c : text) {
    uint32_t t = next[s * 256 + c];
    s = t & ~kAccept;
    if (t & kAccept) hits |= out_[s];
  }
  return hits;
}

// ---- helpers --------------------------------------------------------------

std::string_view FrameFunction(std::string_view text, bool* unreliable) {
  size_t i = 0;
  while (i < text.size() && text[i] == ' ') ++i;
  *unreliable = false;
  if (text.compare(i, 2, "? ") == 0) {
    *unreliable = true;
    i += 2;
  }
  size_t plus = text.find("+0x", i);
  if (plus == std::string_view::npos || plus == i) return {};
  std::string_view fn = text.substr(i, plus - i);
  for (char c : fn)
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.'))
      return {};
  if (text.find("/0x", plus) == std::string_view::npos) return {};
  return fn;
}

// ---- ConsoleParser --------------------------------------------------------

namespace {

// Literals beyond the rows': index = rows.size() + kExtra*.
enum Extra {
  kConstraint,
  kNfs,
  kBanner,
  kNbd,
  kConn,
  kSession,
  kRpc,
  kOomInvoked,
  kFirmware,
  kExtras
};
const char* const kExtraLiterals[kExtras] = {
    "oom-kill:constraint=", "nfs: server ",
    "Linux version ",       "block nbd",
    "detected conn error",  "session recovery timed out",
    "unhandled error",      " invoked oom-killer: ",
    "SeaBIOS (version "};

const LiteralSet& Literals() {
  static const LiteralSet set = [] {
    std::vector<std::string> lits;
    for (const ConsoleRow& r : ConsoleRows()) lits.push_back(r.literal);
    for (const char* e : kExtraLiterals) lits.push_back(e);
    return LiteralSet(lits);
  }();
  return set;
}

bool StartsWith(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}

}  // namespace

ConsoleParser::ConsoleParser() { Literals(); }

void ConsoleParser::EndTrace() {
  if (trace_for_ >= 0) {
    Finding& f = findings_[trace_for_];
    if (f.kind == "alloc_failure" && trace_softirq_ &&
        f.details.value("context", "") != "softirq") {
      f.details["context"] = "softirq";
      if (!f.details.contains("vmalloc_size") && !f.details.contains("cache"))
        AllocTitle(&f);
    }
  }
  trace_for_ = -1;
  in_trace_ = false;
  trace_softirq_ = false;
}

void ConsoleParser::FeedTrace(std::string_view text) {
  Finding& f = findings_[trace_for_];
  if (--trace_budget_ <= 0 || StartsWith(text, "---[ end trace")) {
    EndTrace();
    return;
  }
  std::string_view trimmed =
      text.substr(std::min(text.find_first_not_of(' '), text.size()));
  if (f.details.contains("cache") && StartsWith(trimmed, "cache: ")) {
    std::string_view name = trimmed.substr(7);
    name = name.substr(0, name.find(','));
    f.details["cache"] = std::string(name);
    f.title = "slab allocation failure in " + std::string(name) + " " +
              f.details.value("gfp_names", std::string());
    return;
  }
  if (StartsWith(trimmed, "Call Trace:") ||
      StartsWith(trimmed, "Call trace:")) {
    in_trace_ = true;
    return;
  }
  if (!in_trace_) return;
  if (trimmed == "<IRQ>" || trimmed == "<NMI>") {
    trace_softirq_ = true;
    return;
  }
  if (trimmed == "</TASK>") {
    EndTrace();
    return;
  }
  bool unreliable = false;
  std::string_view fn = FrameFunction(text, &unreliable);
  if (fn.empty()) return;
  if (SoftirqFrame(fn)) trace_softirq_ = true;
  if (unreliable || BoringFrame(fn) || f.frames.size() >= kTopFrames) return;
  // " try_fill_recv+0x1/0x2 [virtio_net]": the module, if any.
  size_t open = text.rfind(" [");
  f.modules.emplace_back(open != std::string_view::npos && text.back() == ']'
                             ? text.substr(open + 2, text.size() - open - 3)
                             : std::string_view());
  f.frames.emplace_back(fn);
  f.excerpt += "\n" + std::string(trimmed);
  f.last_console_line = line_no_;
}

void ConsoleParser::Feed(std::string_view line) {
  ++line_no_;
  ConsoleLine cl = Normalize(line, &scratch_);
  // Two messages on one line (a continuation raced by another CPU): "…
  // bytes[   76.471107] BUG: unable to handle …" is classified as two.
  if (size_t at = EmbeddedTime(cl.text); at != std::string_view::npos) {
    Classify(cl.text.substr(0, at), cl.time, line);
    ConsoleLine tail = Normalize(cl.text.substr(at), &scratch2_);
    return Classify(tail.text, tail.time, line);
  }
  Classify(cl.text, cl.time, line);
}

void ConsoleParser::NewBoot(double t, std::string_view line,
                            const char* title) {
  EndTrace();
  FlushPendingOom();
  Finding f;
  f.kind = "unexpected_reboot";
  f.title = title;
  f.console_line = f.last_console_line = line_no_;
  f.kernel_time = t;
  f.excerpt = std::string(line);
  findings_.push_back(std::move(f));
  ++boot_;
  last_oops_line_ = -1000;  // an oops of the last boot has no follow-ups here
}

// An OOM killer that was invoked but whose kill line never made it to the
// console (lost under load) is still an OOM kill.
void ConsoleParser::FlushPendingOom() {
  if (pending_oom_.kind.empty()) return;
  pending_oom_.kind =
      pending_constraint_ == "CONSTRAINT_MEMCG" ? "memcg_oom_kill" : "oom_kill";
  pending_oom_.constraint = pending_constraint_;
  pending_oom_.key = pending_oom_.kind + "|invoked|" + pending_oom_.victim;
  findings_.push_back(std::move(pending_oom_));
  pending_oom_ = Finding();
  pending_constraint_.clear();
}

void ConsoleParser::Classify(std::string_view text, double t,
                             std::string_view line) {
  // std::regex recurses per character: a 40 KB line overflowed the stack.
  // Rows match on the head of a line; the excerpt keeps the whole line.
  if (text.size() > kMaxMatchBytes) text = text.substr(0, kMaxMatchBytes);
  if (!text.empty()) output_seen_ = true;
  if (trace_for_ >= 0) FeedTrace(text);
  LiteralSet::Bits hits = Literals().Match(text);
  if (hits.none()) return;
  const auto& rows = ConsoleRows();
  const size_t extra = rows.size();
  if (hits.test(extra + kOomInvoked)) {
    static const std::regex invoked(
        R"(^(\S.*?) invoked oom-killer: gfp_mask=(0x[0-9a-f]+)\(([^)]*)\))");
    std::cmatch m;
    if (std::regex_search(text.begin(), text.end(), m, invoked)) {
      FlushPendingOom();
      Finding& f = pending_oom_;
      f.kind = "oom_kill";
      f.victim = m[1].str();
      f.title = "OOM killer invoked by " + f.victim + " (" + m[3].str() +
                "); its kill is not on the console";
      f.details["gfp"] = m[2].str();
      f.console_line = f.last_console_line = line_no_;
      f.kernel_time = f.last_kernel_time = t;
      f.excerpt = std::string(line);
      return;
    }
  }
  // A firmware banner after output: the machine was reset.
  if (hits.test(extra + kFirmware) && StartsWith(text, "SeaBIOS (version ")) {
    if (output_seen_ && line_no_ > 1) {
      NewBoot(t, line, "the machine rebooted (firmware banner)");
      banner_seen_ = false;  // the kernel that follows is this boot's
    }
    return;
  }
  // The constraint line precedes the "Killed process" line of the same kill.
  if (hits.test(extra + kConstraint)) {
    static const std::regex constraint(R"(oom-kill:constraint=([A-Z_]+),)");
    std::cmatch m;
    if (std::regex_search(text.begin(), text.end(), m, constraint)) {
      pending_constraint_ = m[1].str();
      return;
    }
  }
  if (hits.test(extra + kBanner) && StartsWith(text, "Linux version ")) {
    if (banner_seen_) NewBoot(t, line, "the kernel booted again");
    banner_seen_ = true;
    return;
  }
  if ((hits >> extra).any() && FeedEvent(text, t, line)) return;
  if (StartsWith(text, "---[ end ")) return;  // the trailer of a report
  for (size_t i = 0; i < rows.size(); ++i) {
    if (!hits.test(i)) continue;
    const ConsoleRow& row = rows[i];
    std::cmatch m;
    if (!std::regex_search(text.begin(), text.end(), m, row.re)) continue;
    Finding f;
    f.kind = row.kind;
    row.fill(m, &f);
    if (f.key.empty()) f.key = f.kind + "|" + f.title;
    // Each boot's findings stand apart: the same oops after a reboot is a
    // second finding.
    if (boot_ > 0) {
      f.key = "boot" + std::to_string(boot_ + 1) + "|" + f.key;
      f.details["boot"] = boot_ + 1;
    }
    if (f.kind == "oom_kill" || f.kind == "memcg_oom_kill" ||
        f.kind == "oom_deadlock")
      pending_oom_ = Finding();  // its kill is on the console
    // An oops's follow-up lines ("Oops: 0000 [#1]" after "BUG: unable to
    // handle") belong to the oops already open.
    bool oops_like = f.kind == "oops";
    if (oops_like && line_no_ - last_oops_line_ <= 12) {
      last_oops_line_ = line_no_;
      return;
    }
    if (oops_like || f.kind == "bug") last_oops_line_ = line_no_;
    for (Finding& prev : findings_) {
      if (prev.key != f.key) continue;
      ++prev.count;
      prev.last_console_line = std::max(prev.last_console_line, line_no_);
      prev.last_kernel_time = t;
      if (prev.details.contains("tasks") && !f.victim.empty()) {
        auto& tasks = prev.details["tasks"];
        bool known = false;
        for (const auto& x : tasks) known |= x == f.victim;
        if (!known && tasks.size() < 8) tasks.push_back(f.victim);
      }
      return;
    }
    EndTrace();
    f.console_line = f.last_console_line = line_no_;
    f.kernel_time = f.last_kernel_time = t;
    f.excerpt = std::string(line);
    if (f.kind == "oom_kill" || f.kind == "memcg_oom_kill") {
      f.constraint = pending_constraint_;
      pending_constraint_.clear();
    }
    findings_.push_back(std::move(f));
    if (row.trace) {
      trace_for_ = static_cast<long>(findings_.size()) - 1;
      trace_budget_ = kTraceBudget;
      in_trace_ = false;
    }
    return;
  }
}

void ConsoleParser::Finish() {
  EndTrace();
  FlushPendingOom();
  // The latest NFS event per server, and the OK before it. Every stuck RPC
  // prints its own line, so a recovery is a burst of interleaved OK and
  // not-responding lines; a straggler within kNfsSettleS of an OK is part
  // of that burst, not a new outage.
  constexpr double kNfsSettleS = 5;
  struct Latest {
    const ConsoleEvent* last;
    const ConsoleEvent* ok;
  };
  std::vector<Latest> latest;
  for (const ConsoleEvent& e : events_) {
    if (e.kind != "nfs_not_responding" && e.kind != "nfs_ok") continue;
    Latest* l = nullptr;
    for (auto& x : latest)
      if (x.last->subject == e.subject) l = &x;
    if (!l) l = &latest.emplace_back(Latest{&e, nullptr});
    l->last = &e;
    if (e.kind == "nfs_ok") l->ok = &e;
  }
  for (const Latest& l : latest) {
    const ConsoleEvent* e = l.last;
    if (e->kind != "nfs_not_responding") continue;
    if (l.ok && e->kernel_time >= 0 &&
        e->kernel_time - l.ok->last_kernel_time < kNfsSettleS)
      continue;
    Finding f;
    f.kind = "nfs_not_responding";
    f.title = "nfs: server " + e->subject + " not responding, never recovered";
    f.key = f.kind + "|" + e->subject;
    f.console_line = e->console_line;
    f.last_console_line = e->last_console_line;
    f.kernel_time = e->kernel_time;
    f.last_kernel_time = e->last_kernel_time;
    f.count = e->count;
    f.excerpt = e->excerpt;
    bool known = false;
    for (const Finding& g : findings_) known |= g.key == f.key;
    if (!known) findings_.push_back(std::move(f));
  }
  for (Finding& f : findings_) {
    f.signature = Signature(f);
    f.driver = DriverOf(f.modules, f.frames);
  }
}

void ConsoleParser::AddEvent(ConsoleEvent e) {
  // The latest event about this subject: fold a repeat into it.
  ConsoleEvent* prev = nullptr;
  for (auto it = events_.rbegin(); it != events_.rend() && !prev; ++it)
    if (it->subject == e.subject) prev = &*it;
  if (prev && prev->kind == e.kind) {
    ++prev->count;
    prev->last_kernel_time = e.kernel_time;
    prev->last_console_line = e.console_line;
    return;
  }
  if (e.kind == "nfs_ok" && prev && prev->kind == "nfs_not_responding" &&
      e.kernel_time >= 0 && prev->kernel_time >= 0)
    e.outage_s = e.kernel_time - prev->kernel_time;
  events_.push_back(std::move(e));
}

bool ConsoleParser::FeedEvent(std::string_view text, double t,
                              std::string_view line) {
  struct EventRow {
    const char* kind;
    std::regex re;  // group 1: the subject
  };
  static const std::vector<EventRow> rows = {
      {"nfs_not_responding",
       std::regex(
           R"(nfs: server (\S+) not responding, (still trying|timed out))")},
      {"nfs_ok", std::regex(R"(nfs: server (\S+) OK)")},
      {"nbd_error",
       std::regex(
           R"(block (nbd\d+): (?:Connection timed out|Receive control failed|Send control failed|shutting down sockets|Dead connection|Attempted send on invalid socket|Possible stuck request))")},
      {"iscsi_conn_error",
       std::regex(R"((connection\d+:\d+): detected conn error)")},
      {"iscsi_conn_error",
       std::regex(R"((session\d+): session recovery timed out)")},
      {"rpc_error", std::regex(R"((\w+): connect returned unhandled error)")},
  };
  for (const EventRow& row : rows) {
    std::cmatch m;
    if (!std::regex_search(text.begin(), text.end(), m, row.re)) continue;
    ConsoleEvent e;
    e.kind = row.kind;
    e.subject = m[1].str();
    e.kernel_time = e.last_kernel_time = t;
    e.console_line = e.last_console_line = line_no_;
    e.excerpt = std::string(line);
    AddEvent(std::move(e));
    return true;
  }
  return false;
}

}  // namespace swapbench

namespace swapbench {

nlohmann::json EventJson(const ConsoleEvent& e) {
  nlohmann::json j = {{"source", "console"},
                      {"event", e.kind},
                      {"subject", e.subject},
                      {"guest_s", e.kernel_time},
                      {"console_line", e.console_line},
                      {"excerpt", e.excerpt}};
  if (e.outage_s >= 0) j["outage_s"] = std::round(e.outage_s * 1000) / 1000;
  if (e.count > 1) {
    j["count"] = e.count;
    j["last_guest_s"] = e.last_kernel_time;
    j["last_console_line"] = e.last_console_line;
  }
  return j;
}

void ParseConsoleText(std::string_view text, ConsoleParser* p) {
  size_t start = 0;
  while (start < text.size()) {
    const char* nl = static_cast<const char*>(
        memchr(text.data() + start, '\n', text.size() - start));
    size_t end = nl ? nl - text.data() : text.size();
    p->Feed(text.substr(start, end - start));
    start = end + 1;
  }
  p->Finish();
}

nlohmann::json ConsoleJson(const std::string& log, const ConsoleParser& p) {
  nlohmann::json findings = nlohmann::json::array();
  for (const Finding& f : p.findings()) findings.push_back(FindingJson(f));
  nlohmann::json events = nlohmann::json::array();
  for (const ConsoleEvent& e : p.events()) events.push_back(EventJson(e));
  return {{"log", log},
          {"lines", p.lines()},
          {"findings", findings},
          {"events", events}};
}

namespace {

std::string Range(long first, long last) {
  std::string r = std::to_string(first);
  if (last > first) r += "-" + std::to_string(last);
  return r;
}

}  // namespace

std::string ConsoleText(const ConsoleParser& p) {
  std::string out;
  for (const Finding& f : p.findings()) {
    out += "lines " + Range(f.console_line, f.last_console_line) + "  " +
           f.kind + "  " + f.title;
    if (f.count > 1) out += "  (x" + std::to_string(f.count) + ")";
    out += "\n";
    size_t start = 0;
    while (start < f.excerpt.size()) {
      size_t nl = f.excerpt.find('\n', start);
      if (nl == std::string::npos) nl = f.excerpt.size();
      out += "    | " + f.excerpt.substr(start, nl - start) + "\n";
      start = nl + 1;
    }
  }
  for (const ConsoleEvent& e : p.events()) {
    out += "line " + Range(e.console_line, e.last_console_line) + "  event " +
           e.kind + " " + e.subject;
    if (e.count > 1) out += "  (x" + std::to_string(e.count) + ")";
    if (e.outage_s >= 0) {
      char buf[48];
      snprintf(buf, sizeof(buf), "  outage %.1f s", e.outage_s);
      out += buf;
    }
    out += "\n";
  }
  out += std::to_string(p.findings().size()) + " finding(s), " +
         std::to_string(p.events().size()) + " event(s) in " +
         std::to_string(p.lines()) + " lines\n";
  return out;
}

std::string GoldenHeader(const ConsoleParser& p) {
  std::string out;
  for (const Finding& f : p.findings()) {
    out += "finding " + f.kind + " lines " +
           Range(f.console_line, f.last_console_line) + " x" +
           std::to_string(f.count) + ": " + f.title + "\n";
    if (!f.frames.empty()) {
      out += "  frames:";
      for (const auto& fr : f.frames) out += " " + fr;
      out += "\n";
    }
  }
  for (const ConsoleEvent& e : p.events())
    out += "event " + e.kind + " lines " +
           Range(e.console_line, e.last_console_line) + " x" +
           std::to_string(e.count) + ": " + e.subject + "\n";
  if (p.findings().empty() && p.events().empty()) out += "clean\n";
  return out;
}

}  // namespace swapbench
