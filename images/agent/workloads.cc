// The guest's workloads: each runs in a process of its own, named after
// the workload (so the OOM killer's "task=" names it) and moved into its
// cgroup before it allocates anything. The agent's main thread schedules
// them (start_ms, after/after_bytes), reaps them and reports each exit.
//
//   hog        anonymous memory, every page seeded and verified (pattern.h);
//              pass 1 writes each page once in the pattern's order, later
//              passes read, check and rewrite the pages they touch
//              (sequential, a fresh permutation, or zipf draws), the last
//              step checks every page in order
//   writer     a seeded file on the NFS export in write(2)s of `block`,
//              buffered or O_DIRECT, fsync never/at the end/every N bytes;
//              then drop_caches and read back, every page checked
//   reader     writes its file once, then reads it `passes` times (page
//              cache churn), every page checked
//   stress-ng  Debian's stress-ng with the scenario's arguments and
//              --metrics-brief, its output on the console, its metrics
//              lines as events
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>

#include "images/agent/agent.h"
#include "images/agent/pattern.h"
#include "images/agent/protocol.h"

namespace swapbench::agent {

Progress* progress = nullptr;
HoldState* hold_state = nullptr;

namespace {

unsigned long long MonoNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

void Add(std::atomic<unsigned long long>& c, unsigned long long n) {
  c.fetch_add(n, std::memory_order_relaxed);
}

// The child's first steps: its name, its cgroup, no locked memory.
void Enter(const WorkloadConf& w) {
  prctl(PR_SET_NAME, w.name, 0, 0, 0);
  munlockall();
  signal(SIGPIPE, SIG_DFL);
  if (w.cgroup[0]) {
    char p[300];
    snprintf(p, sizeof(p), "/sys/fs/cgroup%s/cgroup.procs", w.cgroup);
    if (!WriteFile(p, "0")) _exit(120);
  }
}

// ---- holds ---------------------------------------------------------------

// Waits up to kHoldTimeoutS for the host's kRelease byte; "host",
// "timeout" or "no_port". A port whose host side is not open reads as
// hung up: keep waiting, the host may open it yet.
// Drops words already waiting: one meant for an earlier hold that timed
// out must not release the next. Before the hold is announced.
void DrainControl() {
  if (control_fd < 0) return;
  for (pollfd p = {control_fd, POLLIN, 0};
       poll(&p, 1, 0) == 1 && (p.revents & POLLIN);) {
    char stale;
    if (read(control_fd, &stale, 1) != 1) break;
  }
}

const char* AwaitRelease() {
  if (control_fd < 0) return "no_port";
  const unsigned long long deadline =
      MonoNs() + protocol::kHoldTimeoutS * 1000000000ULL;
  for (unsigned long long now = MonoNs(); now < deadline; now = MonoNs()) {
    pollfd p = {control_fd, POLLIN, 0};
    int left_ms = static_cast<int>((deadline - now) / 1000000) + 1;
    int r = poll(&p, 1, left_ms);
    if (r < 0 && errno != EINTR) break;
    if (r <= 0) continue;
    char c = 0;
    if ((p.revents & POLLIN) && read(control_fd, &c, 1) == 1) {
      if (c == protocol::kRelease) return "host";
      continue;
    }
    usleep(10000);  // POLLHUP: no host yet
  }
  return "timeout";
}

}  // namespace

void Hold(const char* at, unsigned long long pages) {
  DrainControl();
  const double t0 = Now();
  Event(protocol::event::kHold, "\"at\":\"%s\",\"pages\":%llu", at, pages);
  const char* by = AwaitRelease();
  Event(protocol::event::kReleased,
        "\"at\":\"%s\",\"waited_s\":%.3f,\"by\":\"%s\"", at, Now() - t0, by);
  if (strcmp(by, "host"))
    Log("hold at %s: not released by the host (%s)", at, by);
}

void HoldPoint(const GuestPlan& g) {
  while (hold_state->held.load()) usleep(1000);
  int next = hold_state->next.load();
  if (next >= g.nholds) return;
  unsigned long long written = 0;
  for (int i = 0; i < g.nworkloads; ++i)
    if (!strcmp(g.workloads[i].kind, "hog"))
      written += progress[i].written.load();
  if (written < g.hold_pages[next]) return;
  if (!hold_state->next.compare_exchange_strong(next, next + 1)) return;
  hold_state->held.store(1);
  Hold("pages", written);
  hold_state->held.store(0);
}

namespace {

// ---- hog -----------------------------------------------------------------

const GuestPlan* hold_plan = nullptr;  // RunWorkloads's plan

struct HogSlice {
  const WorkloadConf* w;
  Progress* p;
  uint64_t* mem;
  uint64_t lo, hi;
  int thread;
};

void TouchPage(const HogSlice& h, uint64_t page, bool check) {
  uint64_t* at = h.mem + page * kWordsPerPage;
  if (check && !CheckPage(at, h.w->seed, page)) Add(h.p->corrupted, 1);
  FillPage(at, h.w->seed, page);
  Add(h.p->work_bytes, kPageSize);
}

void* HogThread(void* arg) {
  const HogSlice& h = *static_cast<HogSlice*>(arg);
  const WorkloadConf& w = *h.w;
  uint64_t n = h.hi - h.lo;
  char stream[16];
  snprintf(stream, sizeof(stream), "thread%d", h.thread);
  Rng rng = Rng::ForStream(w.seed, stream);
  bool seq = !strcmp(w.pattern, "sequential");
  bool zipf = !strcmp(w.pattern, "zipf");
  uint32_t* order = seq ? nullptr : new uint32_t[n];
  double* cdf = zipf ? new double[n] : nullptr;
  if (order) Shuffle(order, n, rng);
  if (cdf) ZipfTable(cdf, n, w.zipf_s);
  const GuestPlan* holds = hold_plan && hold_plan->nholds ? hold_plan : nullptr;
  for (uint64_t k = 0; k < n; ++k) {
    TouchPage(h, h.lo + (seq ? k : order[k]), false);
    Add(h.p->written, 1);
    Add(h.p->written_bytes, kPageSize);
    if (holds) HoldPoint(*holds);
  }
  if (h.thread == 0) Add(h.p->passes, 1);
  for (int pass = 2; pass <= w.passes; ++pass) {
    if (order && !zipf) Shuffle(order, n, rng);
    for (uint64_t k = 0; k < n; ++k) {
      uint64_t i = seq ? k : zipf ? order[ZipfDraw(cdf, n, rng)] : order[k];
      TouchPage(h, h.lo + i, true);
    }
    if (h.thread == 0) Add(h.p->passes, 1);
  }
  for (uint64_t k = h.lo; k < h.hi; ++k) {
    if (!CheckPage(h.mem + k * kWordsPerPage, w.seed, k))
      Add(h.p->corrupted, 1);
    Add(h.p->verified, 1);
    Add(h.p->work_bytes, kPageSize);
  }
  delete[] order;
  delete[] cdf;
  return nullptr;
}

[[noreturn]] void HogMain(const WorkloadConf& w, Progress* p) {
  uint64_t pages = w.bytes / kPageSize;
  auto* mem = static_cast<uint64_t*>(
      mmap(nullptr, pages * kPageSize, PROT_READ | PROT_WRITE,
           MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0));
  if (mem == MAP_FAILED) _exit(121);
  int threads = std::min<int>(w.threads, std::max<uint64_t>(pages, 1));
  static HogSlice slices[64];
  static pthread_t tids[64];
  for (int t = 0; t < threads; ++t) {
    slices[t] = {&w, p, mem, pages * t / threads, pages * (t + 1) / threads, t};
    if (t > 0 && pthread_create(&tids[t], nullptr, HogThread, &slices[t]) != 0)
      _exit(122);
  }
  HogThread(&slices[0]);
  for (int t = 1; t < threads; ++t) pthread_join(tids[t], nullptr);
  _exit(p->corrupted.load() ? 1 : 0);
}

// ---- files on the export ---------------------------------------------------

void FilePath(const WorkloadConf& w, char* out, size_t cap) {
  snprintf(out, cap, "/mnt/%s.dat", w.name);
}

[[noreturn]] void IoFail(Progress* p) {
  p->io_errno.store(errno);
  _exit(2);
}

// Fills `buf` with the pages of the file that start at byte `off`.
void FillBlock(char* buf, size_t n, uint64_t seed, uint64_t off) {
  for (size_t j = 0; j < n / kPageSize; ++j)
    FillPage(reinterpret_cast<uint64_t*>(buf + j * kPageSize), seed,
             off / kPageSize + j);
}

// write(2) all of it; the time spent inside counts for the writer.
void WriteAll(int fd, const char* buf, size_t n, Progress* p, bool timed) {
  unsigned long long t0 = MonoNs();
  size_t done = 0;
  while (done < n) {
    ssize_t r = write(fd, buf + done, n - done);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) IoFail(p);
    done += static_cast<size_t>(r);
  }
  if (!timed) return;
  unsigned long long dt = MonoNs() - t0;
  Add(p->write_ns, dt);
  unsigned long long us = dt / 1000, prev = p->max_write_us.load();
  while (us > prev && !p->max_write_us.compare_exchange_weak(prev, us)) {
  }
}

// Reads the file through and checks every page; returns bytes read.
unsigned long long ReadBack(const WorkloadConf& w, Progress* p, char* buf) {
  char path[128];
  FilePath(w, path, sizeof(path));
  int fd = open(path, O_RDONLY | O_CLOEXEC | (w.direct ? O_DIRECT : 0));
  if (fd < 0) IoFail(p);
  unsigned long long off = 0;
  while (off < static_cast<unsigned long long>(w.bytes)) {
    size_t want = std::min<unsigned long long>(w.block, w.bytes - off);
    ssize_t r = read(fd, buf, want);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) IoFail(p);
    if (r == 0) break;  // short file: the rest counts as corrupted below
    for (ssize_t j = 0; j + static_cast<ssize_t>(kPageSize) <= r;
         j += kPageSize) {
      bool ok = CheckPage(reinterpret_cast<uint64_t*>(buf + j), w.seed,
                          (off + j) / kPageSize);
      Add(ok ? p->verified : p->corrupted, kPageSize);
    }
    off += static_cast<unsigned long long>(r);
    Add(p->work_bytes, static_cast<unsigned long long>(r));
  }
  if (off < static_cast<unsigned long long>(w.bytes))
    Add(p->corrupted, w.bytes - off);
  close(fd);
  return off;
}

// Writes the whole file; `timed`: the writer's measured pass.
void WriteFileOut(const WorkloadConf& w, Progress* p, char* buf, bool timed) {
  char path[128];
  FilePath(w, path, sizeof(path));
  int fd =
      open(path,
           O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | (w.direct ? O_DIRECT : 0),
           0644);
  if (fd < 0) IoFail(p);
  unsigned long long since_sync = 0;
  bool every = !strcmp(w.fsync, "every") && w.fsync_every > 0;
  for (unsigned long long off = 0;
       off < static_cast<unsigned long long>(w.bytes);) {
    size_t n = std::min<unsigned long long>(w.block, w.bytes - off);
    FillBlock(buf, n, w.seed, off);
    WriteAll(fd, buf, n, p, timed);
    off += n;
    if (timed) {
      Add(p->written_bytes, n);
      Add(p->work_bytes, n);
    }
    since_sync += n;
    if (every && since_sync >= static_cast<unsigned long long>(w.fsync_every)) {
      if (fsync(fd) != 0) IoFail(p);
      Add(p->fsyncs, 1);
      since_sync = 0;
    }
  }
  // fsync = "end", the tail after the last "every_mib", or a reader's file.
  if (!strcmp(w.fsync, "end") || (every && since_sync > 0) || !timed) {
    if (fsync(fd) != 0) IoFail(p);
    if (timed) Add(p->fsyncs, 1);
  }
  // NFS reports a failed writeback at close.
  if (close(fd) != 0) IoFail(p);
}

char* BlockBuffer(const WorkloadConf& w) {
  void* buf = nullptr;
  if (posix_memalign(&buf, kPageSize, w.block) != 0) _exit(121);
  return static_cast<char*>(buf);
}

[[noreturn]] void WriterMain(const WorkloadConf& w, Progress* p) {
  char* buf = BlockBuffer(w);
  unsigned long long t0 = MonoNs();
  WriteFileOut(w, p, buf, true);
  p->phase_ns.store(MonoNs() - t0);  // fsync and close included
  // The read-back must come from the server, not the page cache.
  WriteFile("/proc/sys/vm/drop_caches", "1");
  ReadBack(w, p, buf);
  _exit(p->corrupted.load() ? 1 : 0);
}

[[noreturn]] void ReaderMain(const WorkloadConf& w, Progress* p) {
  char* buf = BlockBuffer(w);
  WriteFileOut(w, p, buf, false);
  p->total.store(w.bytes);
  for (int pass = 0; pass < w.passes; ++pass) {
    ReadBack(w, p, buf);
    Add(p->passes, 1);
  }
  _exit(p->corrupted.load() ? 1 : 0);
}

[[noreturn]] void StressNgMain(const WorkloadConf& w, int out) {
  dup2(out, 1);
  dup2(out, 2);
  static char words[sizeof(w.args)];
  snprintf(words, sizeof(words), "%s", w.args);
  char* argv[80];
  int n = 0;
  argv[n++] = const_cast<char*>("/usr/bin/stress-ng");
  for (char* t = strtok(words, " "); t && n < 77; t = strtok(nullptr, " "))
    argv[n++] = t;
  argv[n++] = const_cast<char*>("--metrics-brief");
  argv[n] = nullptr;
  execv(argv[0], argv);
  _exit(127);
}

// ---- the scheduler ----------------------------------------------------------

struct Slot {
  pid_t pid = -1;
  bool started = false, ended = false;
  double t_start = 0;
  int status = 0;
  int out = -1;  // stress-ng's output
  char line[512];
  int len = 0;
};
Slot slots[kMaxWorkloads];

bool Ready(const GuestPlan& g, int i, double t0) {
  const WorkloadConf& w = g.workloads[i];
  if (w.after >= 0 && w.after < g.nworkloads) {
    if (slots[w.after].ended) return true;
    return w.after_bytes >= 0 && slots[w.after].started &&
           progress[w.after].written_bytes.load() >=
               static_cast<unsigned long long>(w.after_bytes);
  }
  return Now() - t0 >= w.start_ms / 1000.0;
}

void Start(const GuestPlan& g, int i) {
  const WorkloadConf& w = g.workloads[i];
  Progress* p = &progress[i];
  if (!strcmp(w.kind, "hog")) p->total.store(w.bytes / kPageSize);
  int pipefd[2] = {-1, -1};
  bool stress = !strcmp(w.kind, "stress-ng");
  if (stress && pipe2(pipefd, O_CLOEXEC) != 0) Fail("workload", errno, "pipe");
  pid_t pid = fork();
  if (pid < 0) Fail("workload", errno, "fork");
  if (pid == 0) {
    Enter(w);
    if (!strcmp(w.kind, "hog")) HogMain(w, p);
    if (!strcmp(w.kind, "writer")) WriterMain(w, p);
    if (!strcmp(w.kind, "reader")) ReaderMain(w, p);
    if (stress) StressNgMain(w, pipefd[1]);
    _exit(126);
  }
  Slot& s = slots[i];
  s.pid = pid;
  s.started = true;
  s.t_start = Now();
  if (stress) {
    close(pipefd[1]);
    s.out = pipefd[0];
    fcntl(s.out, F_SETFL, O_NONBLOCK);
  }
  Event("workload_start",
        "\"name\":\"%s\",\"kind\":\"%s\",\"cgroup\":\"%s\",\"pid\":%d", w.name,
        w.kind, w.cgroup[0] ? w.cgroup : "/", pid);
  Log("workload %s (%s) started, pid %d", w.name, w.kind, pid);
}

// "stress-ng: metrc: [PID] vm  139340  2.00  1.74  0.27  69608.01  69607.14"
void StressLine(const WorkloadConf& w, const char* line) {
  Log("%s: %s", w.name, line);
  const char* m = strstr(line, "metrc: [");
  const char* b = m ? strchr(m, ']') : nullptr;
  if (!b) return;
  char stressor[32];
  unsigned long long ops = 0;
  double real = 0, usr = 0, sys = 0, rate = 0;
  if (sscanf(b + 1, "%31s %llu %lf %lf %lf %lf", stressor, &ops, &real, &usr,
             &sys, &rate) == 6)
    Event("stress_ng_metric",
          "\"name\":\"%s\",\"stressor\":\"%s\",\"bogo_ops\":%llu,"
          "\"real_s\":%.2f,\"bogo_ops_per_s\":%.2f",
          w.name, stressor, ops, real, rate);
}

void Drain(const GuestPlan& g, int i) {
  Slot& s = slots[i];
  if (s.out < 0) return;
  char buf[512];
  for (;;) {
    ssize_t r = read(s.out, buf, sizeof(buf));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      if (r == 0) {
        close(s.out);
        s.out = -1;
      }
      return;
    }
    for (ssize_t k = 0; k < r; ++k) {
      if (buf[k] == '\n' || s.len == sizeof(s.line) - 1) {
        s.line[s.len] = 0;
        for (int c = 0; c < s.len; ++c)  // the line goes into JSON
          if (s.line[c] == '"' || s.line[c] == '\\') s.line[c] = '\'';
        StressLine(g.workloads[i], s.line);
        s.len = 0;
      }
      if (buf[k] != '\n') s.line[s.len++] = buf[k];
    }
  }
}

// "exited" with its code or "killed" with the signal.
int StatusJson(int status, char* out, size_t cap) {
  if (WIFEXITED(status))
    return snprintf(out, cap, "\"status\":\"exited\",\"code\":%d",
                    WEXITSTATUS(status));
  return snprintf(out, cap, "\"status\":\"killed\",\"signal\":%d",
                  WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

// What each kind counts, as JSON members.
void KindJson(const WorkloadConf& w, const Progress& p, char* out, size_t cap) {
  const char* err = p.io_errno.load() ? strerror(p.io_errno.load()) : "";
  if (!strcmp(w.kind, "hog")) {
    snprintf(out, cap,
             "\"pages\":%llu,\"written\":%llu,\"verified\":%llu,"
             "\"corrupted\":%llu,\"passes\":%llu",
             p.total.load(), p.written.load(), p.verified.load(),
             p.corrupted.load(), p.passes.load());
  } else if (!strcmp(w.kind, "writer")) {
    double phase_s = p.phase_ns.load() / 1e9;
    snprintf(out, cap,
             "\"bytes\":%lld,\"written_bytes\":%llu,\"verified_bytes\":%llu,"
             "\"corrupted_bytes\":%llu,\"write_seconds\":%.3f,"
             "\"write_mib_per_s\":%.2f,\"in_write_seconds\":%.3f,"
             "\"max_write_ms\":%.1f,\"fsyncs\":%llu,\"io_error\":\"%s\"",
             w.bytes, p.written_bytes.load(), p.verified.load(),
             p.corrupted.load(), phase_s,
             phase_s > 0 ? p.written_bytes.load() / 1048576.0 / phase_s : 0,
             p.write_ns.load() / 1e9, p.max_write_us.load() / 1000.0,
             p.fsyncs.load(), err);
  } else if (!strcmp(w.kind, "reader")) {
    snprintf(out, cap,
             "\"bytes\":%lld,\"read_bytes\":%llu,\"verified_bytes\":%llu,"
             "\"corrupted_bytes\":%llu,\"passes\":%llu,\"io_error\":\"%s\"",
             w.bytes, p.work_bytes.load(), p.verified.load(),
             p.corrupted.load(), p.passes.load(), err);
  } else {
    out[0] = 0;
  }
}

void Ended(const GuestPlan& g, int i, int status) {
  Slot& s = slots[i];
  s.ended = true;
  s.status = status;
  progress[i].ended.store(1);
  Drain(g, i);
  if (s.out >= 0) close(s.out);
  s.out = -1;
  const WorkloadConf& w = g.workloads[i];
  static char st[96], kind[512];
  StatusJson(status, st, sizeof(st));
  KindJson(w, progress[i], kind, sizeof(kind));
  double secs = Now() - s.t_start;
  Event("workload_exit",
        "\"name\":\"%s\",\"kind\":\"%s\",\"cgroup\":\"%s\",\"pid\":%d,%s,"
        "\"seconds\":%.3f%s%s",
        w.name, w.kind, w.cgroup[0] ? w.cgroup : "/", s.pid, st, secs,
        kind[0] ? "," : "", kind);
  Log("workload %s ended after %.1f s (status %d)", w.name, secs, status);
}

// The summary the host has always read: any kill, the hogs' pages.
void HogExit(const GuestPlan& g, double t0) {
  unsigned long long pages = 0, written = 0, verified = 0, corrupted = 0;
  int killed = 0, code = 0;
  for (int i = 0; i < g.nworkloads; ++i) {
    int st = slots[i].status;
    if (!killed && !WIFEXITED(st)) killed = WIFSIGNALED(st) ? WTERMSIG(st) : -1;
    if (!code && WIFEXITED(st)) code = WEXITSTATUS(st);
    if (strcmp(g.workloads[i].kind, "hog")) continue;
    pages += progress[i].total.load();
    written += progress[i].written.load();
    verified += progress[i].verified.load();
    corrupted += progress[i].corrupted.load();
  }
  static char st[96];
  if (killed)
    snprintf(st, sizeof(st), "\"status\":\"killed\",\"signal\":%d", killed);
  else
    snprintf(st, sizeof(st), "\"status\":\"exited\",\"code\":%d", code);
  Event("hog_exit",
        "%s,\"seconds\":%.3f,\"pages\":%llu,\"written\":%llu,"
        "\"verified\":%llu,\"corrupted\":%llu",
        st, Now() - t0, pages, written, verified, corrupted);
}

}  // namespace

void RunWorkloads(const GuestPlan& g) {
  unsigned long long pages = 0;
  for (int i = 0; i < g.nworkloads; ++i)
    if (!strcmp(g.workloads[i].kind, "hog"))
      pages += g.workloads[i].bytes / kPageSize;
  hold_plan = &g;
  Event("hog_start", "\"pages\":%llu,\"workloads\":%d", pages, g.nworkloads);
  if (g.hold_start) Hold("start", 0);
  double t0 = Now();
  int remaining = g.nworkloads;
  while (remaining > 0) {
    for (int i = 0; i < g.nworkloads; ++i)
      if (!slots[i].started && Ready(g, i, t0)) Start(g, i);
    int status = 0;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
      for (int i = 0; i < g.nworkloads; ++i)
        if (slots[i].pid == pid && !slots[i].ended) {
          Ended(g, i, status);
          --remaining;
        }
    for (int i = 0; i < g.nworkloads; ++i) Drain(g, i);
    usleep(50000);
  }
  HogExit(g, t0);
}

}  // namespace swapbench::agent
