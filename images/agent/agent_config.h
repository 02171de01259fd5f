// AgentConfig: the agent's side of /etc/swapbench.conf — the cgroups,
// workloads and knobs lines (protocol.h) parsed into fixed-size records,
// and the page orders a hog walks. Header-only and allocation-free apart
// from the hog's order tables, so the agent (static, PID 1) and the host's
// unit tests (agent_config_test.cc: the host's AgentConf read back) use
// the same code.
//
// Not thread-safe: the agent fills it once at boot, before any thread.
#ifndef SWAPBENCH_IMAGES_AGENT_AGENT_CONFIG_H_
#define SWAPBENCH_IMAGES_AGENT_AGENT_CONFIG_H_

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cstdint>

#include "netem/rng.h"

namespace swapbench::agent {

inline constexpr int kMaxCgroups = 16, kMaxWorkloads = 16, kMaxKnobs = 32,
                     kMaxHolds = 16;

inline void CopyStr(char* dst, size_t cap, const char* src, size_t n) {
  if (n >= cap) n = cap - 1;
  memcpy(dst, src, n);
  dst[n] = 0;
}

struct CgroupConf {
  char name[40] = "";
  char path[200] = "";            // under /sys/fs/cgroup, e.g. "/a/b"
  long long max = -1, high = -1;  // bytes; -1: not set
  long long low = -1, min = -1, swap_max = -1;
  int oom_group = 0;
  int has_children = 0;  // set by ParseConfigLine's caller: subtree_control
};

struct WorkloadConf {
  char name[40] = "";
  char kind[16] = "hog";  // hog | writer | reader | stress-ng
  char cgroup[200] = "";  // path under /sys/fs/cgroup; "": the root
  long long bytes = 0;
  unsigned long long seed = 0;
  char pattern[16] = "sequential";
  double zipf_s = 1.0;
  int passes = 1, threads = 1;
  long long block = 1 << 20;
  int direct = 0;
  char fsync[16] = "never";   // never | end | every
  long long fsync_every = 0;  // bytes
  long long start_ms = 0;
  int after = -1;              // index of the workload it waits for
  long long after_bytes = -1;  // -1: until that one ends
  char args[512] = "";         // stress-ng: words separated by spaces
};

struct KnobConf {
  int sysfs = 0;        // 0: /proc/sys, 1: /sys
  char name[220] = "";  // as the scenario spells it: vm.swappiness
  char path[240] = "";  // /proc/sys/vm/swappiness
  char value[210] = "";
};

struct GuestPlan {
  CgroupConf cgroups[kMaxCgroups];
  int ncgroups = 0;
  WorkloadConf workloads[kMaxWorkloads];
  int nworkloads = 0;
  KnobConf knobs[kMaxKnobs];
  int nknobs = 0;
  // Holds (protocol.h conf::kHold): before the workloads start, and at
  // these counts of the hogs' written pages, ascending.
  int hold_start = 0;
  unsigned long long hold_pages[kMaxHolds];
  int nholds = 0;
};

// Calls f(key, key_len, value, value_len) for each "key=value" word of
// `line`; a word "args=..." takes the rest of the line as its value.
template <typename F>
void ForEachWord(const char* line, F f) {
  const char* p = line;
  while (*p) {
    while (*p == ' ') ++p;
    if (!*p) break;
    const char* eq = p;
    while (*eq && *eq != '=' && *eq != ' ') ++eq;
    if (*eq != '=') {
      while (*p && *p != ' ') ++p;
      continue;
    }
    const char* v = eq + 1;
    const char* end = v;
    bool rest = eq - p == 4 && !strncmp(p, "args", 4);
    while (*end && (rest || *end != ' ')) ++end;
    f(p, static_cast<size_t>(eq - p), v, static_cast<size_t>(end - v));
    p = end;
  }
}

inline bool KeyIs(const char* k, size_t n, const char* want) {
  return strlen(want) == n && !strncmp(k, want, n);
}

inline long long Num(const char* v, size_t) { return strtoll(v, nullptr, 10); }

// "name=a path=/a max=N high=N low=N min=N swap_max=N oom_group=1"
inline bool ParseCgroup(const char* line, CgroupConf* c) {
  ForEachWord(line, [&](const char* k, size_t kn, const char* v, size_t vn) {
    if (KeyIs(k, kn, "name")) CopyStr(c->name, sizeof(c->name), v, vn);
    if (KeyIs(k, kn, "path")) CopyStr(c->path, sizeof(c->path), v, vn);
    if (KeyIs(k, kn, "max")) c->max = Num(v, vn);
    if (KeyIs(k, kn, "high")) c->high = Num(v, vn);
    if (KeyIs(k, kn, "low")) c->low = Num(v, vn);
    if (KeyIs(k, kn, "min")) c->min = Num(v, vn);
    if (KeyIs(k, kn, "swap_max")) c->swap_max = Num(v, vn);
    if (KeyIs(k, kn, "oom_group")) c->oom_group = Num(v, vn) != 0;
  });
  return c->name[0] && c->path[0] == '/';
}

// "name=w kind=hog cgroup=/a bytes=N seed=N pattern=zipf zipf_s=1.1
//  passes=N threads=N block=N direct=1 fsync=every fsync_every=N
//  start_ms=N after=I after_bytes=N args=WORDS..."
inline bool ParseWorkload(const char* line, WorkloadConf* w) {
  ForEachWord(line, [&](const char* k, size_t kn, const char* v, size_t vn) {
    if (KeyIs(k, kn, "name")) CopyStr(w->name, sizeof(w->name), v, vn);
    if (KeyIs(k, kn, "kind")) CopyStr(w->kind, sizeof(w->kind), v, vn);
    if (KeyIs(k, kn, "cgroup")) CopyStr(w->cgroup, sizeof(w->cgroup), v, vn);
    if (KeyIs(k, kn, "pattern")) CopyStr(w->pattern, sizeof(w->pattern), v, vn);
    if (KeyIs(k, kn, "fsync")) CopyStr(w->fsync, sizeof(w->fsync), v, vn);
    if (KeyIs(k, kn, "args")) CopyStr(w->args, sizeof(w->args), v, vn);
    if (KeyIs(k, kn, "bytes")) w->bytes = Num(v, vn);
    if (KeyIs(k, kn, "seed")) w->seed = strtoull(v, nullptr, 10);
    if (KeyIs(k, kn, "zipf_s")) w->zipf_s = strtod(v, nullptr);
    if (KeyIs(k, kn, "passes")) w->passes = static_cast<int>(Num(v, vn));
    if (KeyIs(k, kn, "threads")) w->threads = static_cast<int>(Num(v, vn));
    if (KeyIs(k, kn, "block")) w->block = Num(v, vn);
    if (KeyIs(k, kn, "direct")) w->direct = Num(v, vn) != 0;
    if (KeyIs(k, kn, "fsync_every")) w->fsync_every = Num(v, vn);
    if (KeyIs(k, kn, "start_ms")) w->start_ms = Num(v, vn);
    if (KeyIs(k, kn, "after")) w->after = static_cast<int>(Num(v, vn));
    if (KeyIs(k, kn, "after_bytes")) w->after_bytes = Num(v, vn);
  });
  if (w->threads < 1) w->threads = 1;
  if (w->passes < 1) w->passes = 1;
  if (w->block < 4096) w->block = 4096;
  return w->name[0] && w->bytes >= 0;
}

// "vm.swappiness 100" (sysctl) or "kernel/mm/lru_gen/enabled y" (sysfs).
inline bool ParseKnob(const char* line, int sysfs, KnobConf* k) {
  const char* sp = strchr(line, ' ');
  if (!sp || sp == line || !sp[1]) return false;
  k->sysfs = sysfs;
  CopyStr(k->name, sizeof(k->name), line, static_cast<size_t>(sp - line));
  CopyStr(k->value, sizeof(k->value), sp + 1, strlen(sp + 1));
  if (strstr(k->name, "..") || k->name[0] == '/') return false;
  snprintf(k->path, sizeof(k->path), "%s/%s", sysfs ? "/sys" : "/proc/sys",
           k->name);
  if (!sysfs)
    for (char* p = k->path + strlen("/proc/sys/"); *p; ++p)
      if (*p == '.') *p = '/';
  return true;
}

// One config line with key `key` and value `v` into the plan; false if
// the key is not one of these.
inline bool PlanLine(GuestPlan* g, const char* key, const char* v) {
  if (!strcmp(key, "cg") && g->ncgroups < kMaxCgroups) {
    CgroupConf c;
    if (ParseCgroup(v, &c)) {
      // A cgroup that is another's parent hands memory to its children.
      for (int i = 0; i < g->ncgroups; ++i) {
        size_t n = strlen(g->cgroups[i].path);
        if (!strncmp(c.path, g->cgroups[i].path, n) && c.path[n] == '/')
          g->cgroups[i].has_children = 1;
      }
      g->cgroups[g->ncgroups++] = c;
    }
    return true;
  }
  if (!strcmp(key, "wl") && g->nworkloads < kMaxWorkloads) {
    WorkloadConf w;
    if (ParseWorkload(v, &w)) g->workloads[g->nworkloads++] = w;
    return true;
  }
  if (!strcmp(key, "hold")) {
    char* end = nullptr;
    unsigned long long pages = strtoull(v, &end, 10);
    if (!strcmp(v, "start")) {
      g->hold_start = 1;
    } else if (end != v && !*end && g->nholds < kMaxHolds) {
      int i = g->nholds++;  // insertion keeps them ascending
      for (; i > 0 && g->hold_pages[i - 1] > pages; --i)
        g->hold_pages[i] = g->hold_pages[i - 1];
      g->hold_pages[i] = pages;
    }
    return true;
  }
  bool sysctl = !strcmp(key, "sysctl"), sysfs = !strcmp(key, "sysfs");
  if ((sysctl || sysfs) && g->nknobs < kMaxKnobs) {
    KnobConf k;
    if (ParseKnob(v, sysfs, &k)) g->knobs[g->nknobs++] = k;
    return true;
  }
  return false;
}

// ---- the hog's page order ------------------------------------------------

// A seeded permutation of [0, n) (Fisher-Yates).
inline void Shuffle(uint32_t* order, uint64_t n, Rng& rng) {
  for (uint64_t i = 0; i < n; ++i) order[i] = static_cast<uint32_t>(i);
  for (uint64_t i = n; i > 1; --i) {
    uint64_t j = rng.Next() % i;
    uint32_t t = order[i - 1];
    order[i - 1] = order[j];
    order[j] = t;
  }
}

// Zipf(s) over ranks [0, n): rank r has weight 1/(r+1)^s. `cdf` holds n
// cumulative weights (normalised); Draw inverts it by binary search.
inline void ZipfTable(double* cdf, uint64_t n, double s) {
  double sum = 0;
  for (uint64_t r = 0; r < n; ++r) cdf[r] = sum += pow(double(r + 1), -s);
  for (uint64_t r = 0; r < n; ++r) cdf[r] /= sum;
}
inline uint64_t ZipfDraw(const double* cdf, uint64_t n, Rng& rng) {
  double u = rng.NextDouble();
  uint64_t lo = 0, hi = n - 1;
  while (lo < hi) {
    uint64_t mid = (lo + hi) / 2;
    if (cdf[mid] < u)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

}  // namespace swapbench::agent

#endif  // SWAPBENCH_IMAGES_AGENT_AGENT_CONFIG_H_
