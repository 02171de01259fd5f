#include "bench/verdict.h"

#include <algorithm>
#include <cstdio>

#include "bench/nic_report.h"
#include "bench/text.h"
#include "bench/workload_report.h"
#include "images/agent/protocol.h"

namespace swapbench {

namespace event = protocol::event;

namespace {

// MiB/s of a page counter over the window in which it moved: from the last
// sample before it left `base` to the first sample at its final value. A
// rate over the whole hog would mix swap-out with the verify phase.
double ActiveRate(const std::vector<Sample>& samples, double t0, int64_t base,
                  int64_t Sample::*counter) {
  double start = t0, end = -1;
  int64_t final_value = base;
  for (const Sample& s : samples)
    if (s.t >= t0) final_value = std::max(final_value, s.*counter);
  if (final_value <= base) return 0;
  for (const Sample& s : samples) {
    if (s.t < t0) continue;
    if (s.*counter == base) start = s.t;
    if (s.*counter == final_value) {
      end = s.t;
      break;
    }
  }
  if (end <= start) return 0;
  return (final_value - base) * (4096.0 / (1 << 20)) / (end - start);
}

}  // namespace

void Summarize(const Telemetry& t, RunReport* run) {
  const auto& samples = t.samples();
  const nlohmann::json* hog_start = t.Event(event::kHogStart);
  const nlohmann::json* hog_exit = t.Event(event::kHogExit);
  int64_t pswpout0 = 0, pswpin0 = 0;
  double t0 = hog_start ? hog_start->value("t", 0.0) : 0;
  for (const Sample& s : samples) {
    if (hog_start && s.t <= t0) {
      pswpout0 = s.pswpout;
      pswpin0 = s.pswpin;
    }
    run->swap_used_kib_max =
        std::max(run->swap_used_kib_max, s.swap_total_kib - s.swap_free_kib);
  }
  if (!samples.empty()) {
    const Sample& last = samples.back();
    run->pswpout = last.pswpout;
    run->pswpin = last.pswpin;
    run->swap_total_kib = last.swap_total_kib;
    run->hog_pages = last.hog_pages;
    run->pages_written = last.hog_written;
    run->pages_verified = last.hog_verified;
    run->pages_corrupted = last.hog_corrupted;
    if (last.rx_packets >= 0)
      run->guest_net = {{"rx_packets", last.rx_packets},
                        {"rx_dropped", last.rx_dropped},
                        {"udp_noports", last.udp_noports},
                        {"udp_rcvbuf_errors", last.udp_rcvbuf_errors},
                        {"tcp_csum_errors", last.tcp_csum_errors},
                        {"pfmemalloc_drop", last.pfmemalloc_drop},
                        {"icmp_in_echos", last.icmp_in_echos},
                        {"at_guest_s", last.t}};
  }
  if (hog_exit) {
    run->hog_seconds = hog_exit->value("seconds", 0.0);
    run->pages_written = hog_exit->value("written", run->pages_written);
    run->pages_verified = hog_exit->value("verified", run->pages_verified);
    run->pages_corrupted = hog_exit->value("corrupted", run->pages_corrupted);
    if (hog_exit->value("status", "") == "killed")
      run->hog_status =
          "killed by signal " + std::to_string(hog_exit->value("signal", 0));
    else
      run->hog_status = "exited " + std::to_string(hog_exit->value("code", -1));
  } else if (hog_start) {
    run->hog_status = "did not finish";
    if (!samples.empty()) run->hog_seconds = samples.back().t - t0;
  } else {
    run->hog_status = "not started";
  }
  if (hog_start) {
    run->swapout_mib_per_s =
        ActiveRate(samples, t0, pswpout0, &Sample::pswpout);
    run->swapin_mib_per_s = ActiveRate(samples, t0, pswpin0, &Sample::pswpin);
  }
}

void CheckExpectations(const Scenario& s, RunReport* run) {
  const auto& e = s.expect;
  if (!run->swap_activated) run->unmet.push_back("swap was not activated");
  if (run->pswpout < static_cast<int64_t>(e.min_pswpout))
    run->unmet.push_back("pswpout " + std::to_string(run->pswpout) +
                         " < expected minimum " +
                         std::to_string(e.min_pswpout));
  if (e.all_pages_verified && s.Has(Scenario::WorkloadKind::kHog) &&
      (run->hog_pages == 0 || run->pages_verified != run->hog_pages))
    run->unmet.push_back("pages_verified " +
                         std::to_string(run->pages_verified) +
                         " != hog pages " + std::to_string(run->hog_pages));
  if (run->link.to_guest.dropped < e.min_dropped_to_guest)
    run->unmet.push_back(
        "link.to_guest.dropped " + std::to_string(run->link.to_guest.dropped) +
        " < expected minimum " + std::to_string(e.min_dropped_to_guest));
  if (run->link.to_server.dropped < e.min_dropped_to_server)
    run->unmet.push_back("link.to_server.dropped " +
                         std::to_string(run->link.to_server.dropped) +
                         " < expected minimum " +
                         std::to_string(e.min_dropped_to_server));
  if (e.all_impairments_acted) {
    for (const auto& i : run->link_detail.impairments) {
      const ImpairmentCounters& c = i.counters;
      if (c.dropped + c.queue_dropped + c.delayed + c.duplicated + c.corrupted +
              c.reordered ==
          0)
        run->unmet.push_back("impairment " + i.name + " (" + i.direction +
                             ") never acted (" + std::to_string(c.matched) +
                             " frames matched)");
    }
    for (const auto& p : run->link_detail.phases) {
      bool down = false;
      for (const auto& pc : s.link.config.phases)
        if (pc.name == p.name) down = pc.down;
      if (down && p.dropped_to_guest + p.dropped_to_server == 0)
        run->unmet.push_back("phase " + p.name + " dropped no frame");
    }
  }
  uint64_t flood_frames = 0;
  for (const auto& f : run->link_detail.floods) flood_frames += f.sent;
  if (flood_frames < e.min_flood_frames)
    run->unmet.push_back("flood frames " + std::to_string(flood_frames) +
                         " < expected minimum " +
                         std::to_string(e.min_flood_frames));
  for (const auto& kind : e.findings) {
    bool seen = false;
    for (const auto& f : run->findings) seen |= f.kind == kind;
    if (!seen)
      run->unmet.push_back("expected finding " + kind + " did not occur");
  }
}

void CrossCheckOom(const Telemetry& t, RunReport* run) {
  const auto& samples = t.samples();
  int console_memcg = 0, console_all = 0;
  for (Finding& f : run->findings) {
    if (f.kind != "oom_kill" && f.kind != "memcg_oom_kill") continue;
    ++console_all;
    if (f.kind == "memcg_oom_kill") ++console_memcg;
    // Swap usage at the last sample before the kill.
    const Sample* at = t.SampleAt(f.kernel_time);
    if (!at || at->swap_total_kib <= 0) continue;
    int64_t used = at->swap_total_kib - at->swap_free_kib;
    f.details["swap_at_kill"] = {{"sample_t", at->t},
                                 {"used_kib", used},
                                 {"total_kib", at->swap_total_kib},
                                 {"free_kib", at->swap_free_kib}};
    // Past 90 % the swap area is as good as full (the allocator wants
    // free clusters), and saying "free space" would mislead.
    f.title +=
        (used * 10 < at->swap_total_kib * 9 ? " while swap had free space ("
                                            : " with swap nearly full (") +
        std::to_string(used >> 10) + " of " +
        std::to_string(at->swap_total_kib >> 10) + " MiB used)";
  }
  if (samples.empty()) return;
  const Sample& last = samples.back();
  nlohmann::json c = {{"console_oom_kills", console_all},
                      {"vmstat_oom_kill", last.vm_oom_kill}};
  nlohmann::json disagreements = nlohmann::json::array();
  int64_t missing_memcg = 0;
  if (last.cg_oom_kill >= 0) {
    c["console_memcg_oom_kills"] = console_memcg;
    c["memory_events_oom_kill"] = last.cg_oom_kill;
    if (last.cg_oom_kill != console_memcg)
      disagreements.push_back("memory.events oom_kill " +
                              std::to_string(last.cg_oom_kill) + " vs " +
                              std::to_string(console_memcg) +
                              " memcg OOM kill(s) on the console");
    missing_memcg = std::max<int64_t>(0, last.cg_oom_kill - console_memcg);
  }
  if (last.vm_oom_kill != console_all)
    disagreements.push_back(
        "/proc/vmstat oom_kill " + std::to_string(last.vm_oom_kill) + " vs " +
        std::to_string(console_all) + " OOM kill(s) on the console");
  c["agree"] = disagreements.empty();
  c["disagreements"] = disagreements;
  run->oom_cross_check = c;
  // A kill the counters saw and the console did not (a console that lost
  // lines under memory pressure) still fails the run.
  int64_t missing_all =
      std::max<int64_t>(0, last.vm_oom_kill - console_all - missing_memcg);
  auto unseen = [&](const char* kind, int64_t n, const char* what) {
    if (n <= 0) return;
    Finding f;
    f.kind = kind;
    f.title = std::to_string(n) + what;
    f.count = static_cast<int>(n);
    run->findings.push_back(f);
  };
  unseen("memcg_oom_kill", missing_memcg,
         " memcg OOM kill(s) counted in memory.events but not shown on the "
         "console");
  unseen("oom_kill", missing_all,
         " OOM kill(s) counted in /proc/vmstat but not shown on the console");
}

void MarkFaultsInForce(const std::vector<FaultSpan>& spans,
                       std::vector<Finding>* findings) {
  for (Finding& f : *findings) {
    if (f.kernel_time < 0) continue;
    for (const FaultSpan& s : spans) {
      if (s.begin_s < 0 || f.kernel_time < s.begin_s) continue;
      if (s.end_s >= 0 && f.kernel_time > s.end_s) continue;
      f.details["during_fault"] = StringPrintf(
          "%s, %.1f s after it began", Name(s.kind), f.kernel_time - s.begin_s);
    }
  }
}

namespace {

// The run's timeline: what the monitor put on it, the console's events,
// ordered by guest time; link events past the end of the run never
// happened.
std::vector<nlohmann::json> Timeline(const Observation& o) {
  std::vector<nlohmann::json> timeline = o.timeline;
  for (const ConsoleEvent& e : o.console.events())
    timeline.push_back(EventJson(e));
  std::erase_if(timeline, [&](const nlohmann::json& e) {
    return e.value("source", "") == "link" &&
           e.value("host_s", 0.0) > o.link_cutoff_s;
  });
  std::stable_sort(timeline.begin(), timeline.end(),
                   [](const auto& a, const auto& b) {
                     return a.value("guest_s", -1.0) < b.value("guest_s", -1.0);
                   });
  return timeline;
}

// Every finding of the run: the console's, the monitor's, and those only
// the telemetry shows (corrupted pages, a guest that stopped early).
void CollectFindings(const Scenario& sc, const Observation& o, RunReport* run) {
  // An NFS server that never came back because the bench still held it
  // stopped when the run ended is the bench's doing, not the kernel's.
  for (const Finding& f : o.console.findings())
    if (!(o.outage_by_fault && f.kind == "nfs_not_responding"))
      run->findings.push_back(f);
  for (const Finding& f : o.findings) run->findings.push_back(f);
  for (Finding& f : WorkloadFindings(o.telemetry))
    run->findings.push_back(std::move(f));
  Summarize(o.telemetry, run);
  NameOomVictims(sc, o.telemetry, &run->findings);
  CrossCheckOom(o.telemetry, run);
  if (run->pages_corrupted > 0) {
    Finding f;
    f.kind = "corruption";
    f.title = std::to_string(run->pages_corrupted) +
              " hog pages came back from swap corrupted";
    run->findings.push_back(f);
  }
  const Telemetry& t = o.telemetry;
  if (o.harness.ok() && !t.Event(event::kError) && !t.Event(event::kPoweroff) &&
      o.findings.empty() && o.console.findings().empty()) {
    Finding f;
    f.kind = "unexpected_stop";
    f.title =
        "guest stopped (" + run->stop_reason + ") before the agent finished";
    run->findings.push_back(f);
  }
}

}  // namespace

void Judge(const Scenario& sc, const Observation& o, RunReport* run) {
  run->stop_reason = o.stop_reason;
  run->boot_s = o.boot_s;
  run->console_lines = static_cast<int>(o.console.lines());
  CollectFindings(sc, o, run);
  // One cgroup: its memory.max is the line under its memory.current.
  run->series =
      BuildSeries(o.telemetry.samples(), o.link_points,
                  sc.cgroups.size() == 1 ? sc.cgroups[0].memory_max_mib : 0,
                  o.telemetry.cgroup_samples());
  run->workloads = WorkloadsJson(sc, o.telemetry);
  run->cgroups = CgroupsJson(sc, o.telemetry);
  run->knobs = KnobsJson(o.telemetry);
  run->nic = NicJson(sc, o.telemetry);
  run->events = o.telemetry.events();
  run->timeline = Timeline(o);
  MarkFaultsInForce(o.fault_spans, &run->findings);
  if (const nlohmann::json* sw = o.telemetry.Event(event::kSwapon)) {
    run->swap_activated = true;
    run->swap_device = sw->value("device", "");
  }
  if (!o.harness.ok()) {
    run->verdict = Verdict::kError;
    run->error = o.harness.message();
  } else if (const nlohmann::json* e = o.telemetry.Event(event::kError)) {
    run->verdict = Verdict::kError;
    run->error = "guest setup failed at " + e->value("step", "?") + ": " +
                 e->value("error", "") + " (" + e->value("detail", "") + ")";
  } else {
    CheckExpectations(sc, run);
    for (auto& u : WorkloadUnmet(sc, o.telemetry))
      run->unmet.push_back(std::move(u));
    run->verdict = run->findings.empty() && run->unmet.empty() ? Verdict::kPass
                                                               : Verdict::kFail;
  }
}

}  // namespace swapbench
