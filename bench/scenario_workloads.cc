// The scenario's guest side: [[cgroup]] / [cgroup], [[workload]] /
// [workload], and [guest.sysctl] / [guest.sysfs] (scenario_sections.h).
#include <algorithm>
#include <cctype>

#include "bench/scenario_sections.h"

namespace swapbench {

namespace {

// Cgroup and workload names become paths and config words in the guest.
bool IsShortName(const std::string& n, size_t max) {
  if (n.empty() || n.size() > max || !islower(static_cast<unsigned char>(n[0])))
    return false;
  for (char c : n)
    if (!(islower(static_cast<unsigned char>(c)) ||
          isdigit(static_cast<unsigned char>(c)) || c == '_' || c == '-'))
      return false;
  return true;
}
constexpr char kCgroupNameRule[] =
    "expected lower-case letters, digits, '_' and '-', starting with a "
    "letter, at most 32";
// A workload's process is named after it: the kernel keeps 15 characters.
constexpr char kWorkloadNameRule[] =
    "expected lower-case letters, digits, '_' and '-', starting with a "
    "letter, at most 15 (it is the process name the OOM killer prints)";

// A knob's name: words of [A-Za-z0-9_.:-] joined by '/', none of them "."
// or "..", so it stays under /proc/sys or /sys.
bool IsKnobPath(const std::string& p) {
  if (p.empty() || p.size() > 200 || p.front() == '/' || p.back() == '/')
    return false;
  size_t start = 0;
  while (start <= p.size()) {
    size_t end = p.find('/', start);
    if (end == std::string::npos) end = p.size();
    std::string word = p.substr(start, end - start);
    if (word.empty() || word == "." || word == "..") return false;
    for (char c : word)
      if (!(isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' ||
            c == ':' || c == '-'))
        return false;
    start = end + 1;
  }
  return true;
}

void ReadLimitsOf(Reader& r, const toml::table& t, Scenario::Cgroup* c) {
  const std::string pre = "cgroup.";
  r.Int(t, pre, "memory_max_mib", 8, 65536, &c->memory_max_mib);
  r.Int(t, pre, "memory_high_mib", 8, 65536, &c->memory_high_mib);
}

}  // namespace

// [cgroup]: one cgroup named "hog" that the shorthand hog runs in.
void ReadCgroupShorthand(Reader& r, const toml::table& t, Scenario* s) {
  Scenario::Cgroup c;
  c.name = "hog";
  c.path = "/hog";
  c.line = static_cast<int>(t.source().begin.line);
  ReadLimitsOf(r, t, &c);
  r.Unknown(t, "cgroup.");
  if (r.ok() && !c.memory_max_mib && !c.memory_high_mib)
    return r.Error(t, "[cgroup]: expected memory_max_mib or memory_high_mib");
  s->cgroups.push_back(c);
}

// One [[cgroup]]; its parent must be declared above it.
void ReadCgroupTable(Reader& r, const toml::table& t, Scenario* s) {
  const std::string pre = "cgroup.";
  Scenario::Cgroup c;
  c.line = static_cast<int>(t.source().begin.line);
  if (s->cgroups.size() >= kMaxCgroups)
    return r.Error(t, "[[cgroup]]: at most 16");
  r.Str(t, pre, "name", &c.name);
  r.Str(t, pre, "parent", &c.parent);
  ReadLimitsOf(r, t, &c);
  r.Int(t, pre, "memory_low_mib", 1, 65536, &c.memory_low_mib);
  r.Int(t, pre, "memory_min_mib", 1, 65536, &c.memory_min_mib);
  r.Int(t, pre, "swap_max_mib", 0, 65536, &c.swap_max_mib);
  r.Bool(t, pre, "oom_group", &c.oom_group);
  r.Unknown(t, pre);
  if (!r.ok()) return;
  if (!t.contains("name")) return r.Error(t, "[[cgroup]]: expected name");
  if (!IsShortName(c.name, 32))
    return r.Error(*t.get("name"),
                   "cgroup.name \"" + c.name + "\": " + kCgroupNameRule);
  if (s->FindCgroup(c.name))
    return r.Error(*t.get("name"), "cgroup.name \"" + c.name +
                                       "\" is used twice; give each a "
                                       "unique name");
  c.path = "/" + c.name;
  if (!c.parent.empty()) {
    const Scenario::Cgroup* p = s->FindCgroup(c.parent);
    if (!p)
      return r.Error(*t.get("parent"),
                     "cgroup.parent \"" + c.parent +
                         "\": no [[cgroup]] of that name above this one");
    c.path = p->path + "/" + c.name;
  }
  s->cgroups.push_back(c);
}

// [workload]: the one-hog shorthand.
void ReadWorkloadShorthand(Reader& r, const toml::table& t, Scenario* s) {
  Scenario::Workload w;
  w.name = "hog";
  w.line = static_cast<int>(t.source().begin.line);
  r.Int(t, "workload.", "hog_mib", 1, 65536, &w.mib);
  r.Unknown(t, "workload.");
  if (!r.ok()) return;
  if (s->cgroups.size() > 1 ||
      (s->cgroups.size() == 1 && s->cgroups[0].name != "hog"))
    return r.Error(t,
                   "[workload] is the one-hog shorthand: with [[cgroup]] "
                   "tables, write [[workload]] tables naming their cgroup");
  if (!s->cgroups.empty()) w.cgroup = "hog";
  s->workloads.push_back(w);
}

namespace {

// The keys of one kind; a key of another kind is unknown here.
void ReadKindKeys(Reader& r, const toml::table& t, Scenario::Workload* w) {
  const std::string pre = "workload.";
  using K = Scenario::WorkloadKind;
  r.Int(t, pre, "mib", 1, 65536, &w->mib);
  if (w->kind == K::kHog) {
    r.Str(t, pre, "pattern", &w->pattern, {"sequential", "random", "zipf"});
    if (w->pattern == "zipf") r.Num(t, pre, "zipf_s", 0.01, 10, &w->zipf_s);
    r.Int(t, pre, "passes", 1, 1000, &w->passes);
    r.Int(t, pre, "threads", 1, 64, &w->threads);
  }
  if (w->kind == K::kReader) {
    w->passes = 3;
    r.Int(t, pre, "passes", 1, 1000, &w->passes);
  }
  if (w->kind == K::kWriter || w->kind == K::kReader) {
    r.Int(t, pre, "block_kib", 4, 4096, &w->block_kib);
    if (r.ok() && w->block_kib % 4)
      return r.Error(*t.get("block_kib"),
                     "workload.block_kib " + std::to_string(w->block_kib) +
                         ": expected a multiple of 4 (whole pages)");
  }
  if (w->kind == K::kWriter) {
    r.Bool(t, pre, "direct", &w->direct);
    std::string fsync = "never";
    r.Str(t, pre, "fsync", &fsync);
    int every = 0;
    char tail = 0;
    if (fsync == "never" || fsync == "end") {
      w->fsync = fsync;
    } else if (sscanf(fsync.c_str(), "every_mib %d%c", &every, &tail) == 1 &&
               every >= 1 && every <= 65536) {
      w->fsync = "every_mib";
      w->fsync_every_mib = every;
    } else {
      return r.Error(*t.get("fsync"),
                     "workload.fsync \"" + fsync +
                         "\": expected \"never\", \"end\" or \"every_mib N\" "
                         "(N in [1, 65536])");
    }
  }
  if (w->kind == K::kStressNg) r.StrList(t, pre, "args", &w->args);
}

// The stress-ng arguments go on one config line and to execv as they are.
std::string CheckStressArgs(const std::vector<std::string>& args) {
  if (args.empty())
    return "workload stress-ng: expected args, e.g. [\"--vm\", \"1\", "
           "\"--vm-bytes\", \"64m\", \"--timeout\", \"20s\"]";
  size_t total = 0;
  for (const auto& a : args) {
    total += a.size() + 1;
    if (a.empty() || a.find_first_of(" \t\n\r\x1f") != std::string::npos)
      return "workload.args \"" + a +
             "\": expected one word per element (no spaces)";
    if (a == "--metrics-brief" || a == "--metrics" || a == "--yaml" ||
        a == "-Y")
      return "workload.args \"" + a +
             "\": the bench adds --metrics-brief itself and reads it";
  }
  if (total > 400) return "workload.args: at most 400 characters in all";
  if (std::find(args.begin(), args.end(), "--timeout") == args.end() &&
      std::find(args.begin(), args.end(), "-t") == args.end())
    return "workload stress-ng: expected --timeout in args (a stressor "
           "without one runs until the deadline)";
  return "";
}

// Where a workload runs and when it starts, against what is declared
// above it.
std::string CheckPlacement(const Scenario& s, const Scenario::Workload& w) {
  if (!w.cgroup.empty()) {
    if (!s.FindCgroup(w.cgroup))
      return "workload.cgroup \"" + w.cgroup + "\": no [[cgroup]] of that name";
    for (const auto& c : s.cgroups)
      if (c.parent == w.cgroup)
        return "workload.cgroup \"" + w.cgroup + "\" has child cgroups (" +
               c.name +
               "); a workload runs in a leaf (cgroup v2 puts no process in a "
               "cgroup that distributes memory to children)";
  }
  if (w.after.empty()) return "";
  const Scenario::Workload* a = nullptr;
  for (const auto& o : s.workloads)
    if (o.name == w.after) a = &o;
  if (!a)
    return "workload.after \"" + w.after +
           "\": no [[workload]] of that name above this one";
  if (w.after_mib >= 0 && a->kind != Scenario::WorkloadKind::kHog &&
      a->kind != Scenario::WorkloadKind::kWriter)
    return "workload.after_mib: \"" + w.after + "\" is a " + Name(a->kind) +
           ", which counts no MiB written (a hog or a writer does)";
  return "";
}

}  // namespace

// One [[workload]].
void ReadWorkloadTable(Reader& r, const toml::table& t, Scenario* s) {
  const std::string pre = "workload.";
  using K = Scenario::WorkloadKind;
  if (s->workloads.size() >= kMaxWorkloads)
    return r.Error(t, "[[workload]]: at most 16");
  Scenario::Workload w;
  w.line = static_cast<int>(t.source().begin.line);
  r.Choice(t, pre, "kind", {K::kHog, K::kWriter, K::kReader, K::kStressNg},
           &w.kind);
  r.Str(t, pre, "name", &w.name);
  r.Str(t, pre, "cgroup", &w.cgroup);
  r.Num(t, pre, "start_at_s", 0, 86400, &w.start_at_s);
  r.Str(t, pre, "after", &w.after);
  r.Int(t, pre, "after_mib", 0, 65536, &w.after_mib);
  if (r.ok()) ReadKindKeys(r, t, &w);
  r.Unknown(t, pre);
  if (!r.ok()) return;
  if (!t.contains("kind"))
    return r.Error(t,
                   "[[workload]]: expected kind (hog, writer, reader or "
                   "stress-ng)");
  if (w.name.empty()) {
    int same = 1;
    for (const auto& o : s->workloads) same += o.kind == w.kind;
    w.name = std::string(Name(w.kind)) +
             (same > 1 ? std::to_string(same) : std::string());
  }
  const toml::node& at = t.get("name") ? *t.get("name") : t;
  if (!IsShortName(w.name, 15))
    return r.Error(at,
                   "workload.name \"" + w.name + "\": " + kWorkloadNameRule);
  for (const auto& o : s->workloads)
    if (o.name == w.name)
      return r.Error(at, "workload.name \"" + w.name +
                             "\" is used twice; give each a unique name");
  if (t.contains("start_at_s") && t.contains("after"))
    return r.Error(t, "[[workload]] " + w.name +
                          ": expected at most one of start_at_s, after");
  if (t.contains("after_mib") && !t.contains("after"))
    return r.Error(*t.get("after_mib"),
                   "workload.after_mib goes with workload.after");
  if (std::string why = CheckPlacement(*s, w); !why.empty())
    return r.Error(t, why);
  if (w.kind == K::kStressNg)
    if (std::string why = CheckStressArgs(w.args); !why.empty())
      return r.Error(t.get("args") ? *t.get("args") : t, why);
  if (w.kind == K::kWriter || w.kind == K::kReader)
    if (s->storage.kind != StorageKind::kNfs)
      return r.Error(t, "[[workload]] " + w.name + ": a " + Name(w.kind) +
                            " works on the NFS export; storage.kind \"" +
                            Name(s->storage.kind) +
                            "\" has no filesystem for it yet");
  s->workloads.push_back(w);
}

namespace {

// A knob's value: a string or an integer, one line.
bool KnobValue(const toml::node& n, std::string* out) {
  if (n.is_integer())
    *out = std::to_string(*n.value<int64_t>());
  else if (n.is_string())
    *out = *n.value<std::string>();
  else
    return false;
  return out->size() <= 200 &&
         out->find_first_of("\n\r") == std::string::npos && !out->empty();
}

// [guest.sysctl] (dotted names; an unquoted vm.swappiness is a nested
// table, read the same) or [guest.sysfs] (paths under /sys).
void ReadKnobs(Reader& r, const toml::table& t, const std::string& prefix,
               bool sysctl, std::map<std::string, std::string>* out) {
  for (const auto& [k, v] : t) {
    std::string name = prefix + std::string(k.str());
    if (sysctl && v.is_table()) {
      ReadKnobs(r, *v.as_table(), name + ".", sysctl, out);
      continue;
    }
    std::string where = sysctl ? "guest.sysctl" : "guest.sysfs";
    r.Get(t, where + "." + prefix, std::string(k.str()));
    std::string path = name;
    if (sysctl) std::replace(path.begin(), path.end(), '.', '/');
    if (!IsKnobPath(path))
      return r.Error(v, where + " \"" + name + "\": expected " +
                            (sysctl ? "a sysctl name such as vm.swappiness"
                                    : "a path under /sys such as "
                                      "kernel/mm/lru_gen/enabled"));
    std::string value;
    if (!KnobValue(v, &value))
      return r.Error(v, where + " \"" + name +
                            "\": expected a string or an integer (one line, "
                            "at most 200 characters)");
    (*out)[name] = value;
  }
}

}  // namespace

void ReadGuest(Reader& r, const toml::table& t, Scenario* s) {
  if (const auto* sc = r.Table(t, "guest.", "sysctl"))
    ReadKnobs(r, *sc, "", true, &s->guest.sysctl);
  if (const auto* sf = r.Table(t, "guest.", "sysfs"))
    ReadKnobs(r, *sf, "", false, &s->guest.sysfs);
  r.Unknown(t, "guest.");
  if (s->guest.sysctl.size() + s->guest.sysfs.size() > 32)
    r.Error(t, "[guest]: at most 32 knobs");
}

// With no [[workload]]: the hog of old, in the one cgroup if there is one.
void DefaultWorkload(Reader& r, const toml::table& root, Scenario* s) {
  if (!s->workloads.empty() || !r.ok()) return;
  if (s->cgroups.size() > 1)
    return r.Error(*root.get("cgroup"),
                   "[[cgroup]] tables need [[workload]] tables that run in "
                   "them");
  Scenario::Workload w;
  w.name = "hog";
  if (!s->cgroups.empty()) w.cgroup = s->cgroups[0].name;
  s->workloads.push_back(w);
}

}  // namespace swapbench
