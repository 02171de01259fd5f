#include "bench/watchdog.h"

#include <algorithm>
#include <cmath>

namespace swapbench {

nlohmann::json SampleJson(const Sample& s) {
  return {{"t", s.t},
          {"phase", s.phase},
          {"pswpin", s.pswpin},
          {"pswpout", s.pswpout},
          {"swap_total_kib", s.swap_total_kib},
          {"swap_free_kib", s.swap_free_kib},
          {"mem_free_kib", s.mem_free_kib},
          {"vm_oom_kill", s.vm_oom_kill},
          {"cg_current", s.cg_current},
          {"cg_oom_kill", s.cg_oom_kill},
          {"hog_pages", s.hog_pages},
          {"hog_written", s.hog_written},
          {"hog_verified", s.hog_verified}};
}

namespace {

// New TCP data this recent means the storage traffic still flows.
constexpr double kBusyLinkS = 5;

std::string Secs(double s) { return std::to_string(std::lround(s)) + " s"; }

// What the link says, in words that stay true when the last data came
// before a fault the bench held.
std::string LinkEvidence(double now, double last_data, double base) {
  if (last_data < 0) return "no new TCP data through the link, ever";
  if (last_data < base)
    return "no new TCP data through the link since the server fault ended " +
           Secs(now - base) + " ago";
  return "last new TCP data through the link " + Secs(now - last_data) + " ago";
}

// Progress: a hog page, any workload's byte (a writer's write, a reader's
// read), or a page swapped.
bool Moved(const Sample& a, const Sample& b) {
  return a.hog_written != b.hog_written || a.hog_verified != b.hog_verified ||
         a.work_bytes != b.work_bytes || a.pswpout != b.pswpout ||
         a.pswpin != b.pswpin;
}

}  // namespace

Watchdog::Watchdog(const Limits& limits, double start)
    : limits_(limits), start_(start) {}

void Watchdog::OnTelemetry(double now, const Sample* sample, bool hog_running) {
  last_telemetry_ = now;
  if (hog_running && !hog_running_) last_progress_ = now;  // the hog starts
  hog_running_ = hog_running;
  if (!sample) return;
  if (!sample_ || Moved(*sample_, *sample)) last_progress_ = now;
  sample_ = *sample;
}

void Watchdog::OnConsole(double now) { last_console_ = now; }

void Watchdog::OnLinkData(double t) {
  last_link_data_ = std::max(last_link_data_, t);
}

void Watchdog::Hold(double now) { held_until_ = std::max(held_until_, now); }

std::vector<Finding> Watchdog::Check(double now) const {
  std::vector<Finding> out;
  // Every clock starts at the start of the run or the end of a fault.
  const double base = std::max(start_, held_until_);
  auto since = [&](double t) { return now - std::max(t, base); };

  if (last_telemetry_ < 0) {
    if (now - start_ < limits_.boot_timeout_s) return out;
    Finding f;
    f.kind = "agent_silent";
    f.title = "no report from the agent " + Secs(limits_.boot_timeout_s) +
              " after the guest started";
    out.push_back(f);
    return out;
  }

  const double telemetry_quiet = since(last_telemetry_);
  const double link_quiet = since(last_link_data_);
  const double stuck = since(last_progress_);
  const bool room =
      sample_ && sample_->swap_total_kib > 0 && sample_->swap_free_kib > 0;
  nlohmann::json evidence = nlohmann::json::array();
  auto silent = [&] {
    Finding f;
    f.kind = "agent_silent";
    f.title = "agent silent for " + Secs(telemetry_quiet) +
              " (last phase: " + (sample_ ? sample_->phase : "boot") + ")";
    out.push_back(f);
  };
  auto stall = [&](const std::string& title, double stalled_s) {
    Finding f;
    f.kind = "swap_stall";
    f.title = title;
    f.details["evidence"] = evidence;
    f.details["stalled_s"] = std::round(stalled_s * 10) / 10;
    if (sample_) f.details["last_sample"] = SampleJson(*sample_);
    out.push_back(f);
  };
  if (hog_running_) {
    if (sample_)
      evidence.push_back(
          "telemetry: hog at " + std::to_string(sample_->hog_written) +
          " pages written, " + std::to_string(sample_->hog_verified) +
          " verified of " + std::to_string(sample_->hog_pages) + "; pswpout " +
          std::to_string(sample_->pswpout) + ", pswpin " +
          std::to_string(sample_->pswpin) + "; swap " +
          std::to_string((sample_->swap_total_kib - sample_->swap_free_kib) /
                         1024) +
          " of " + std::to_string(sample_->swap_total_kib / 1024) +
          " MiB used");
    if (telemetry_quiet >= limits_.stall_s && link_quiet >= limits_.stall_s) {
      // Host-side evidence: the guest went quiet on both channels.
      evidence.push_back("no telemetry from the agent for " +
                         Secs(telemetry_quiet));
      evidence.push_back(LinkEvidence(now, last_link_data_, base));
      evidence.push_back("console last grew " +
                         (last_console_ < 0
                              ? std::string("never")
                              : Secs(now - last_console_) + " ago"));
      stall("swap stalled: guest silent and no storage traffic for " +
                Secs(std::min(telemetry_quiet, link_quiet)),
            std::min(telemetry_quiet, link_quiet));
      if (telemetry_quiet >= limits_.agent_silence_s) silent();
      return out;
    }
    if (telemetry_quiet < limits_.agent_silence_s && stuck >= limits_.stall_s &&
        room) {
      // Guest-side evidence: the agent reports, nothing moves.
      evidence.push_back(
          "no workload progress and no pswpin/pswpout change for " +
          Secs(stuck) + " while swap had room");
      evidence.push_back(LinkEvidence(now, last_link_data_, base));
      stall("swap stalled: no swap progress for " + Secs(stuck) +
                " with swap free",
            stuck);
      return out;
    }
    // A quiet agent with a busy link (data within kBusyLinkS) is only
    // agent_silent, below. With a quiet link, wait for the link to be quiet
    // for N as well (the server's backlog arrives just after a fault ends),
    // but no longer than S + N.
    if (telemetry_quiet >= limits_.agent_silence_s &&
        link_quiet >= kBusyLinkS &&
        telemetry_quiet < limits_.agent_silence_s + limits_.stall_s)
      return out;
  }
  if (telemetry_quiet >= limits_.agent_silence_s) silent();
  return out;
}

}  // namespace swapbench
