#include "bench/report.h"

#include <cstdio>

#include "bench/fs_util.h"
#include "bench/text.h"

namespace swapbench {

const char* Name(Verdict v) {
  switch (v) {
    case Verdict::kPass:
      return "pass";
    case Verdict::kFail:
      return "fail";
    case Verdict::kError:
      return "error";
  }
  return "error";
}

Verdict OverallVerdict(const std::vector<RunReport>& runs) {
  if (runs.empty()) return Verdict::kError;
  bool fail = false;
  for (const auto& r : runs) {
    if (r.verdict == Verdict::kError) return Verdict::kError;
    if (r.verdict == Verdict::kFail) fail = true;
  }
  return fail ? Verdict::kFail : Verdict::kPass;
}

namespace {

double Round(double v, int digits) {
  double m = 1;
  for (int i = 0; i < digits; ++i) m *= 10;
  return static_cast<double>(
             static_cast<int64_t>(v * m + (v < 0 ? -0.5 : 0.5))) /
         m;
}

// {"guest_image": 0.41, "watch": 11.2, ...}: where the run's time went.
nlohmann::json Timings(const std::vector<std::pair<std::string, double>>& t) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [step, s] : t) j[step] = Round(s, 3);
  return j;
}

nlohmann::json Counters(const DirectionCounters& c) {
  return {{"frames", c.frames},
          {"dropped", c.dropped},
          {"bytes", c.bytes},
          {"delivered", c.delivered},
          {"queue_dropped", c.queue_dropped},
          {"delayed", c.delayed},
          {"duplicated", c.duplicated},
          {"corrupted", c.corrupted},
          {"reordered", c.reordered}};
}

nlohmann::json LinkJson(const RunReport& u) {
  nlohmann::json imps = nlohmann::json::array(),
                 phases = nlohmann::json::array(),
                 floods = nlohmann::json::array();
  for (const auto& i : u.link_detail.impairments) {
    const ImpairmentCounters& c = i.counters;
    imps.push_back({{"name", i.name},
                    {"kind", i.kind},
                    {"direction", i.direction},
                    {"filter", i.filter},
                    {"matched", c.matched},
                    {"dropped", c.dropped},
                    {"queue_dropped", c.queue_dropped},
                    {"delayed", c.delayed},
                    {"mean_delay_ms",
                     c.delayed ? Round(c.delay_ns / 1e6 / c.delayed, 3) : 0.0},
                    {"duplicated", c.duplicated},
                    {"corrupted", c.corrupted},
                    {"reordered", c.reordered}});
  }
  for (const auto& p : u.link_detail.phases)
    phases.push_back({{"name", p.name},
                      {"dropped_to_guest", p.dropped_to_guest},
                      {"dropped_to_server", p.dropped_to_server}});
  for (const auto& f : u.link_detail.floods)
    floods.push_back({{"name", f.name},
                      {"kind", f.kind},
                      {"sent", f.sent},
                      {"delivered", f.delivered},
                      {"pps", f.pps},
                      {"at_s", f.at_s},
                      {"for_s", f.for_s}});
  nlohmann::json j = {{"engine", u.link_engine},
                      {"to_guest", Counters(u.link.to_guest)},
                      {"to_server", Counters(u.link.to_server)},
                      {"impairments", imps},
                      {"phases", phases},
                      {"floods", floods}};
  if (const OffloadCounters& o = u.link_detail.offload; o.vnet_hdr)
    // GSO super-frames crossed the relay: whole, or cut into wire frames
    // before the chain (README: what a frame is).
    j["offload"] = {{"frames", o.segmenting ? "wire" : "gso"},
                    {"gso_frames", o.gso_frames},
                    {"segments", o.segments},
                    {"uncut", o.uncut}};
  if (u.link_engine == "kernel-netem") {
    j["seeded"] = false;  // Debian 12's tc has no netem seed
    // The guest's netem counters, as the agent read them from tc at the end.
    nlohmann::json netem = nlohmann::json::array();
    for (const auto& e : u.events)
      if (e.value("event", "") == "netem_stats") {
        nlohmann::json s = e;
        s.erase("event");
        s.erase("t");
        netem.push_back(s);
      }
    j["netem"] = netem;
  }
  if (!u.guest_net.is_null()) j["guest"] = u.guest_net;
  return j;
}

}  // namespace

nlohmann::json ReportJson(const Report& r) {
  nlohmann::json runs = nlohmann::json::array();
  for (const RunReport& u : r.runs) {
    nlohmann::json findings = nlohmann::json::array();
    for (const auto& f : u.findings) findings.push_back(FindingJson(f));
    nlohmann::json j = {
        {"verdict", Name(u.verdict)},
        {"duration_s", Round(u.duration_s, 3)},
        {"boot_s", Round(u.boot_s, 3)},
        {"timings_s", Timings(u.timings)},
        {"stop_reason", u.stop_reason},
        {"accel", {{"name", u.accel}, {"reason", u.accel_reason}}},
        {"swap",
         {{"device", u.swap_device},
          {"type", u.swap_type},
          {"activated", u.swap_activated},
          {"total_kib", u.swap_total_kib},
          {"used_kib_max", u.swap_used_kib_max}}},
        {"metrics",
         {{"pswpout", u.pswpout},
          {"pswpin", u.pswpin},
          {"swapout_mib_per_s", Round(u.swapout_mib_per_s, 3)},
          {"swapin_mib_per_s", Round(u.swapin_mib_per_s, 3)},
          {"hog_seconds", Round(u.hog_seconds, 3)}}},
        {"integrity",
         {{"hog_pages", u.hog_pages},
          {"pages_written", u.pages_written},
          {"pages_verified", u.pages_verified},
          {"pages_corrupted", u.pages_corrupted},
          {"hog_status", u.hog_status}}},
        {"oom_cross_check", u.oom_cross_check.is_null()
                                ? nlohmann::json::object()
                                : u.oom_cross_check},
        {"link", LinkJson(u)},
        {"findings", findings},
        {"unmet_expectations", u.unmet},
        {"events", u.events},
        {"timeline", u.timeline},
        {"console_lines", u.console_lines},
        {"started_at", u.started_at},
        {"series", u.series.is_null() ? nlohmann::json::object() : u.series},
        {"workloads",
         u.workloads.is_null() ? nlohmann::json::array() : u.workloads},
        {"cgroups", u.cgroups.is_null() ? nlohmann::json::array() : u.cgroups},
        {"knobs", u.knobs.is_null() ? nlohmann::json::object() : u.knobs},
        {"nic", u.nic.is_null() ? nlohmann::json::object() : u.nic},
    };
    if (!u.error.empty()) j["error"] = u.error;
    runs.push_back(std::move(j));
  }
  nlohmann::json j = {
      {"schema", "swapbench.report/1"},
      {"verdict", Name(r.verdict)},
      {"scenario", r.scenario},
      {"scenario_path", r.scenario_path},
      {"description", r.description},
      {"seed", r.seed},
      {"kernel", {{"release", r.kernel_release}, {"source", r.kernel_source}}},
      {"image", {{"hash", r.image_hash}}},
      {"out_dir", r.out_dir},
      {"attempt", r.attempt},
      {"flaky_fails", r.flaky_fails},
      {"runs", runs}};
  if (!r.manifest.is_null()) j["manifest"] = r.manifest;
  return j;
}

Status WriteReport(const Report& r, const std::string& path) {
  return WriteFileAtomic(path, DumpJson(ReportJson(r)) + "\n");
}

std::string Summary(const Report& r) {
  std::string s;
  char buf[512];
  for (const RunReport& u : r.runs) {
    snprintf(buf, sizeof(buf),
             "%s: %s (kernel %s, seed %llu, %.1f s)\n"
             "  swap %s on %s: pswpout %lld, pswpin %lld, swap-out %.1f MiB/s\n"
             "  hog: %lld/%lld pages verified, %lld corrupted (%s)\n"
             "  link: to_guest %llu frames %llu dropped, to_server %llu frames "
             "%llu dropped\n",
             r.scenario.c_str(), Name(u.verdict), r.kernel_release.c_str(),
             static_cast<unsigned long long>(r.seed), u.duration_s,
             u.swap_activated ? "active" : "NOT active", u.swap_type.c_str(),
             static_cast<long long>(u.pswpout),
             static_cast<long long>(u.pswpin), u.swapout_mib_per_s,
             static_cast<long long>(u.pages_verified),
             static_cast<long long>(u.hog_pages),
             static_cast<long long>(u.pages_corrupted), u.hog_status.c_str(),
             static_cast<unsigned long long>(u.link.to_guest.frames),
             static_cast<unsigned long long>(u.link.to_guest.dropped),
             static_cast<unsigned long long>(u.link.to_server.frames),
             static_cast<unsigned long long>(u.link.to_server.dropped));
    s += buf;
    for (const auto& f : u.findings)
      s += "  finding: " + f.kind + ": " + f.title + "\n";
    for (const auto& x : u.unmet) s += "  unmet: " + x + "\n";
    if (!u.error.empty()) s += "  error: " + u.error + "\n";
  }
  s += "report: " + r.out_dir + "/report.json\n";
  return s;
}

}  // namespace swapbench

namespace swapbench {

std::string Comparison(const std::vector<Report>& reports) {
  std::string s;
  char buf[256];
  snprintf(buf, sizeof(buf), "%-24s %-7s %-8s %14s %14s %9s %10s\n", "scenario",
           "verdict", "swap", "swap-out MiB/s", "swap-in MiB/s", "hog s",
           "duration s");
  s += buf;
  for (const Report& r : reports) {
    for (const RunReport& u : r.runs) {
      snprintf(buf, sizeof(buf), "%-24s %-7s %-8s %14.2f %14.2f %9.1f %10.1f\n",
               r.scenario.c_str(), Name(u.verdict), u.swap_type.c_str(),
               u.swapout_mib_per_s, u.swapin_mib_per_s, u.hog_seconds,
               u.duration_s);
      s += buf;
    }
  }
  return s;
}

}  // namespace swapbench
