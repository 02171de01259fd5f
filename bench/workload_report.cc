#include "bench/workload_report.h"

#include <algorithm>
#include <cmath>

#include "bench/text.h"
#include "images/agent/protocol.h"

namespace swapbench {

namespace event = protocol::event;

namespace {

double Mib(int64_t bytes) { return std::round(bytes / 1048.576) / 1000; }

// The last event `name` whose "name" is `who`, or null.
const nlohmann::json* EventOf(const Telemetry& t, const char* name,
                              const std::string& who) {
  const nlohmann::json* found = nullptr;
  for (const nlohmann::json* e : t.Events(name))
    if (e->value("name", "") == who) found = e;
  return found;
}

}  // namespace

nlohmann::json WorkloadsJson(const Scenario& sc, const Telemetry& t) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& w : sc.workloads) {
    const Scenario::Cgroup* c = sc.FindCgroup(w.cgroup);
    nlohmann::json j = {{"name", w.name},
                        {"kind", Name(w.kind)},
                        {"cgroup", c ? c->path : "/"}};
    if (w.kind != Scenario::WorkloadKind::kStressNg) j["mib"] = w.mib;
    // Guest seconds, for the page's workload timeline.
    if (const nlohmann::json* start = EventOf(t, event::kWorkloadStart, w.name);
        start && start->contains("t") && (*start)["t"].is_number())
      j["start_s"] = (*start)["t"];
    if (const nlohmann::json* exit = EventOf(t, event::kWorkloadExit, w.name);
        exit && exit->contains("t") && (*exit)["t"].is_number())
      j["end_s"] = (*exit)["t"];
    if (const nlohmann::json* exit = EventOf(t, event::kWorkloadExit, w.name)) {
      for (const auto& [k, v] : exit->items())
        if (k != "event" && k != "t" && k != "name" && k != "kind" &&
            k != "cgroup")
          j[k] = v;
    } else if (EventOf(t, event::kWorkloadStart, w.name)) {
      j["status"] = "did not finish";
    } else {
      j["status"] = "not started";
    }
    if (w.kind == Scenario::WorkloadKind::kStressNg) {
      nlohmann::json metrics = nlohmann::json::array();
      for (const nlohmann::json* m : t.Events(event::kStressNgMetric))
        if (m->value("name", "") == w.name) {
          nlohmann::json x = *m;
          x.erase("event");
          x.erase("name");
          metrics.push_back(x);
        }
      j["metrics"] = metrics;
    }
    out.push_back(j);
  }
  return out;
}

nlohmann::json CgroupsJson(const Scenario& sc, const Telemetry& t) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& c : sc.cgroups) {
    nlohmann::json limits = nlohmann::json::object();
    for (auto [key, v] : {std::pair{"memory_max_mib", c.memory_max_mib},
                          {"memory_high_mib", c.memory_high_mib},
                          {"memory_low_mib", c.memory_low_mib},
                          {"memory_min_mib", c.memory_min_mib}})
      if (v > 0) limits[key] = v;
    if (c.swap_max_mib >= 0) limits["swap_max_mib"] = c.swap_max_mib;
    if (c.oom_group) limits["oom_group"] = true;
    nlohmann::json last = nlohmann::json::object();
    int64_t peak = -1, peak_swap = -1;
    for (const CgroupSample& s : t.cgroup_samples()) {
      if (s.cgroup != c.name) continue;
      peak = std::max(peak, s[protocol::kCgfCurrent]);
      peak_swap = std::max(peak_swap, s[protocol::kCgfSwapCurrent]);
      for (int f = 0; f < protocol::kCgroupFields; ++f)
        last[protocol::kCgroupFieldNames[f]] = s.v[f];
    }
    out.push_back(
        {{"name", c.name},
         {"path", c.path},
         {"limits", limits},
         {"last", last},
         {"peak_current_mib",
          peak >= 0 ? nlohmann::json(Mib(peak)) : nlohmann::json()},
         {"peak_swap_mib",
          peak_swap >= 0 ? nlohmann::json(Mib(peak_swap)) : nlohmann::json()}});
  }
  return out;
}

nlohmann::json KnobsJson(const Telemetry& t) {
  nlohmann::json out = {{"sysctl", nlohmann::json::object()},
                        {"sysfs", nlohmann::json::object()}};
  for (const nlohmann::json* k : t.Events(event::kKnob)) {
    std::string kind = k->value("kind", "");
    if (kind != "sysctl" && kind != "sysfs") continue;
    out[kind][k->value("name", "?")] = {{"set", k->value("set", "")},
                                        {"read", k->value("read", "")},
                                        {"path", k->value("path", "")}};
  }
  return out;
}

std::vector<Finding> WorkloadFindings(const Telemetry& t) {
  std::vector<Finding> out;
  for (const nlohmann::json* e : t.Events(event::kWorkloadExit)) {
    std::string name = e->value("name", "?"), kind = e->value("kind", "?");
    int64_t bad = e->value("corrupted_bytes", int64_t{0});
    if (bad > 0) {
      Finding f;
      f.kind = "corruption";
      f.title = kind + " " + name + ": " + std::to_string(bad) +
                " bytes read back from the NFS export differ from what was "
                "written";
      f.details = {{"workload", name}, {"corrupted_bytes", bad}};
      out.push_back(f);
    }
    std::string err = e->value("io_error", "");
    if (!err.empty()) {
      Finding f;
      f.kind = "storage_io_error";
      f.title = kind + " " + name + ": I/O on the NFS export failed: " + err;
      f.details = {{"workload", name}, {"error", err}};
      out.push_back(f);
    }
  }
  return out;
}

std::vector<std::string> WorkloadUnmet(const Scenario& sc, const Telemetry& t) {
  std::vector<std::string> unmet;
  using K = Scenario::WorkloadKind;
  bool finished = t.Event(event::kHogExit) != nullptr;
  for (const auto& w : sc.workloads) {
    const nlohmann::json* exit = EventOf(t, event::kWorkloadExit, w.name);
    if (!EventOf(t, event::kWorkloadStart, w.name) && finished) {
      unmet.push_back("workload " + w.name + " never started");
      continue;
    }
    if (!exit) continue;  // a run cut short says so elsewhere
    int64_t bytes = int64_t{w.mib} << 20;
    if (sc.expect.all_pages_verified && w.kind == K::kWriter &&
        exit->value("verified_bytes", int64_t{0}) != bytes)
      unmet.push_back("writer " + w.name + " verified " +
                      std::to_string(exit->value("verified_bytes", 0)) +
                      " of " + std::to_string(bytes) + " bytes");
    if (sc.expect.all_pages_verified && w.kind == K::kReader &&
        exit->value("passes", 0) != w.passes)
      unmet.push_back("reader " + w.name + " completed " +
                      std::to_string(exit->value("passes", 0)) + " of " +
                      std::to_string(w.passes) + " passes");
    if (w.kind != K::kStressNg) continue;
    if (exit->value("status", "") == "exited" && exit->value("code", 0) != 0)
      unmet.push_back("stress-ng " + w.name + " exited " +
                      std::to_string(exit->value("code", 0)) +
                      " (its messages are on the console)");
    bool metrics = false;
    for (const nlohmann::json* m : t.Events(event::kStressNgMetric))
      metrics |= m->value("name", "") == w.name;
    if (!metrics && exit->value("status", "") == "exited")
      unmet.push_back("stress-ng " + w.name + " printed no metrics line");
  }
  return unmet;
}

namespace {

// The workload a victim was: by pid, else by process name (the agent
// names each workload's process after it; stress-ng's workers are
// "stress-ng-STRESSOR").
const Scenario::Workload* VictimOf(const Scenario& sc, const Telemetry& t,
                                   const Finding& f) {
  for (const nlohmann::json* e : t.Events(event::kWorkloadStart))
    if (f.pid >= 0 && e->value("pid", -1) == f.pid)
      for (const auto& w : sc.workloads)
        if (w.name == e->value("name", "")) return &w;
  for (const auto& w : sc.workloads)
    if (w.name == f.victim) return &w;
  const Scenario::Workload* stress = nullptr;
  int n = 0;
  for (const auto& w : sc.workloads)
    if (w.kind == Scenario::WorkloadKind::kStressNg) stress = &w, ++n;
  if (n == 1 && f.victim.rfind("stress-ng", 0) == 0) return stress;
  return nullptr;
}

}  // namespace

void NameOomVictims(const Scenario& sc, const Telemetry& t,
                    std::vector<Finding>* findings) {
  for (Finding& f : *findings) {
    if (f.kind != "oom_kill" && f.kind != "memcg_oom_kill") continue;
    if (const Scenario::Workload* w = VictimOf(sc, t, f)) {
      const Scenario::Cgroup* c = sc.FindCgroup(w->cgroup);
      f.details["workload"] = w->name;
      f.details["cgroup"] = c ? c->path : "/";
      f.title += " [workload " + w->name + " (" + Name(w->kind) + ") in " +
                 (c ? c->path : "/") + "]";
    }
    const Sample* at = t.SampleAt(f.kernel_time);
    if (!at || at->nr_dirty < 0) continue;
    f.details["dirty_at_kill"] = {
        {"sample_t", at->t},
        {"dirty_mib", Mib(at->nr_dirty * 4096)},
        {"writeback_mib", Mib(at->nr_writeback * 4096)},
        {"swap_free_mib", Mib(at->swap_free_kib * 1024)}};
    f.title +=
        StringPrintf(" with %.1f MiB dirty, %.1f MiB under writeback",
                     Mib(at->nr_dirty * 4096), Mib(at->nr_writeback * 4096));
  }
}

}  // namespace swapbench
