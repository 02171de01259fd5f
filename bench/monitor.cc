#include "bench/monitor.h"

#include <string.h>
#include <sys/stat.h>

#include <cmath>
#include <fstream>

#include "bench/fs_util.h"
#include "bench/text.h"
#include "images/agent/protocol.h"

namespace swapbench {

namespace event = protocol::event;

namespace {

double Ms(double s) { return std::round(s * 1000) / 1000; }

int64_t FileSize(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? st.st_size : 0;
}

// Reads what a file gained since the last call, a line at a time. QEMU
// writes the console and the agent's port to files; the monitor tails them.
class FileTail {
 public:
  explicit FileTail(std::string path) : path_(std::move(path)) {}
  // Lines are cut at LineSplitter::kMaxLine: a guest printing without end
  // cannot make the host hold it all.
  template <typename F>
  void Drain(F&& on_line, bool flush_partial = false) {
    if (!in_.is_open()) {
      in_.open(path_, std::ios::binary);
      if (!in_.is_open()) return;
    }
    in_.clear();
    char buf[65536];
    auto emit = [&](std::string_view l) { on_line(std::string(l)); };
    while (in_.read(buf, sizeof(buf)), in_.gcount() > 0) {
      lines_.Feed(std::string_view(buf, in_.gcount()), emit);
      if (in_.eof()) break;
    }
    in_.clear();
    if (flush_partial) lines_.Flush(emit);
  }

 private:
  std::string path_;
  std::ifstream in_;
  LineSplitter lines_;
};

// "SIGINT" for 2.
std::string SignalName(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  return abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(sig);
}

bool IsStallFinding(const Finding& f) {
  return f.kind == "swap_stall" || f.kind == "agent_silent" ||
         f.kind == "deadline" || f.kind == "no_output";
}

}  // namespace

struct Monitor::Tails {
  FileTail console, telemetry;
};

Monitor::Monitor(MonitorOptions o, Testbed* testbed)
    : o_(std::move(o)),
      tb_(testbed),
      tails_(new Tails{FileTail(o_.out_dir + "/console.log"),
                       FileTail(o_.out_dir + "/telemetry.jsonl")}),
      faults_(o_.scenario->faults) {}

Monitor::~Monitor() = default;

void Monitor::Watch() {
  const Scenario& sc = *o_.scenario;
  vm_start_ = last_report_ = o_.env->Now();
  watchdog_.emplace(
      Watchdog::Limits{.boot_timeout_s = double(sc.limits.boot_timeout_s),
                       .agent_silence_s = double(sc.limits.agent_silence_s),
                       .stall_s = double(sc.limits.stall_s)},
      vm_start_);
  while (Tick(o_.env->Now())) o_.env->Sleep(0.05);
  EndRun();
}

void Monitor::Finish() {
  tails_->console.Drain([&](const std::string& l) { seen_.console.Feed(l); },
                        true);
  tails_->telemetry.Drain(
      [&](const std::string& l) { seen_.telemetry.Feed(l); }, true);
  seen_.console.Finish();
}

// One round of the watch; false once the run is over.
bool Monitor::Tick(double now) {
  tails_->console.Drain([&](const std::string& l) { seen_.console.Feed(l); });
  tails_->telemetry.Drain(
      [&](const std::string& l) { seen_.telemetry.Feed(l); });
  OnTelemetry(now);
  if (seen_.console.lines() != console_seen_) {
    console_seen_ = seen_.console.lines();
    watchdog_->OnConsole(now);
  }
  NetworkPath* path = tb_->path();
  if (double t = path->last_tcp_data(); t >= 0) watchdog_->OnLinkData(t);
  const Telemetry& tm = seen_.telemetry;
  if (!tm.samples().empty() && tm.samples().back().phase != last_phase_) {
    last_phase_ = tm.samples().back().phase;
    o_.log("guest phase: " + last_phase_);
  }
  if (hog_start_ < 0 && tm.Event(event::kHogStart)) OnHogStart(now);
  Status s = AnswerHolds(now);
  if (s.ok()) s = ApplyFaults(now);
  if (!s.ok()) {
    seen_.harness = s;
    return false;
  }
  if (Status s = path->Tick(now); !s.ok()) {
    seen_.harness = s;
    return false;
  }
  return !Ended(now);
}

void Monitor::OnTelemetry(double now) {
  const Telemetry& tm = seen_.telemetry;
  size_t lines = tm.samples().size() + tm.events().size();
  if (lines == seen_lines_) return;
  for (size_t i = seen_.link_points.size(); i < tm.samples().size(); ++i)
    seen_.link_points.push_back({tm.samples()[i].t, tb_->path()->counters()});
  if (seen_lines_ == 0) seen_.boot_s = now - vm_start_;
  seen_lines_ = lines;
  last_report_ = now;
  watchdog_->OnTelemetry(
      now, tm.samples().empty() ? nullptr : &tm.samples().back(),
      tm.Event(event::kHogStart) && !tm.Event(event::kHogExit));
}

// Estimated guest clock at `now`: the last sample's time plus the host
// time since it arrived (good to one sample period); -1 before any.
double Monitor::GuestNow(double now) const {
  const auto& ss = seen_.telemetry.samples();
  return ss.empty() ? -1.0 : ss.back().t + (now - last_report_);
}

// Faults, phases and floods count from the hog's start. The link's phases
// and floods go on the run's timeline now (those that would begin after
// the run ended are dropped by the verdict).
void Monitor::OnHogStart(double now) {
  hog_start_ = now;
  faults_.HogStarted(now);
  NetworkPath* path = tb_->path();
  if (!path->carries_link()) return;
  path->SetEpoch(now);
  auto link_event = [&](const std::string& ev, const std::string& name,
                        double after_s, int line) {
    seen_.timeline.push_back({{"source", "link"},
                              {"event", ev},
                              {"name", name},
                              {"host_s", Ms(now + after_s - vm_start_)},
                              {"guest_s", Ms(GuestNow(now) + after_s)},
                              {"scenario_line", line}});
  };
  const Scenario& sc = *o_.scenario;
  for (const PhaseConfig& p : sc.link.config.phases) {
    link_event("phase_begin", p.name, p.at_s, p.line);
    link_event("phase_end", p.name, p.at_s + p.for_s, p.line);
  }
  for (const FloodConfig& f : sc.link.floods) {
    link_event("flood_begin", f.name, f.at_s, f.line);
    if (f.for_s > 0) link_event("flood_end", f.name, f.at_s + f.for_s, f.line);
  }
}

// The agent holds its workloads where AgentConf asked (HoldLines): at
// their start, which OnHogStart has just made the link's epoch, and where a
// fault waits for the hog's progress. The bench acts, then lets them go, so
// a fault begins at exactly that many pages however late the host saw it.
// A release that fails is logged: the agent goes on after its timeout.
Status Monitor::AnswerHolds(double now) {
  auto holds = seen_.telemetry.Events(event::kHold);
  for (; holds_answered_ < holds.size(); ++holds_answered_) {
    const nlohmann::json& h = *holds[holds_answered_];
    if (h.value("at", "") == "pages") {
      const int64_t pages = h.value("pages", int64_t{0});
      for (const FaultAction& a : faults_.Tick(now, pages))
        if (Status s = Apply(a, now, h.value("t", -1.0)); !s.ok()) return s;
    }
    if (Status s = tb_->vm()->Release(); !s.ok())
      o_.log("hold at " + h.value("at", std::string("?")) +
             ": cannot release the guest (" + s.message() +
             "); it goes on after " + std::to_string(protocol::kHoldTimeoutS) +
             " s");
  }
  return Status::Ok();
}

Status Monitor::ApplyFaults(double now) {
  const auto& ss = seen_.telemetry.samples();
  for (const FaultAction& a :
       faults_.Tick(now, ss.empty() ? 0 : ss.back().hog_written))
    if (Status s = Apply(a, now); !s.ok()) return s;
  // Nothing is expected to move while the bench holds the server; the
  // watchdog's clocks start again when it lets go.
  if (double held = faults_.HeldUntil(now); held >= 0)
    watchdog_->Hold(std::max(held, 0.0));
  return Status::Ok();
}

// Carries out one fault action and puts it on the timeline.
Status Monitor::Apply(const FaultAction& a, double now, double guest_s) {
  const Scenario::Fault& f = *a.fault;
  Status st = tb_->ApplyFault(f, a.begin);
  const bool spans = f.kind != FaultKind::kServerRestart;
  std::string ev =
      std::string(Name(f.kind)) + (spans ? (a.begin ? "_begin" : "_end") : "");
  guest_s = Ms(guest_s >= 0 ? guest_s : GuestNow(now));
  nlohmann::json e = {{"source", "runner"},
                      {"event", ev},
                      {"host_s", Ms(now - vm_start_)},
                      {"guest_s", guest_s},
                      {"scenario_line", f.line}};
  if (a.begin && f.duration_s > 0) e["duration_s"] = f.duration_s;
  if (!st.ok()) e["error"] = st.message();
  if (a.cut_short) e["cut_short"] = true;
  seen_.timeline.push_back(e);
  if (spans && a.begin) {
    seen_.fault_spans.push_back({f.kind, f.line, guest_s, -1});
  } else if (spans) {
    for (FaultSpan& s : seen_.fault_spans)
      if (s.scenario_line == f.line && s.end_s < 0) s.end_s = guest_s;
  }
  o_.log("fault: " + ev + (st.ok() ? "" : " failed: " + st.message()));
  return st.Context("fault " + std::string(Name(f.kind)) + " (" +
                    o_.scenario->path + ":" + std::to_string(f.line) + ")");
}

// Whether the run is over at `now`, and why (seen_.harness, findings).
bool Monitor::Ended(double now) {
  if (o_.cancel && o_.cancel->load() != 0) {
    seen_.harness = Status::Cancelled("cancelled by signal " +
                                      std::to_string(o_.cancel->load()));
    return true;
  }
  if (!tb_->vm()->Running()) return true;
  if (std::string e = tb_->path()->error(); !e.empty()) {
    seen_.harness = Status::Harness("relay: " + e);
    return true;
  }
  if (std::string e = tb_->storage()->Health(); !e.empty()) {
    seen_.harness = Status::Harness("storage: " + e);
    return true;
  }
  const Scenario& sc = *o_.scenario;
  if (now - vm_start_ > sc.limits.deadline_s) {
    Finding f;
    f.kind = "deadline";
    f.title =
        "run exceeded its deadline of " + std::to_string(sc.limits.deadline_s) +
        " s (guest phase: " + (last_phase_.empty() ? "boot" : last_phase_) +
        ")";
    seen_.findings.push_back(f);
    stalled_ = true;
    return true;
  }
  ReportProgress(now);
  if (auto verdict = watchdog_->Check(now); !verdict.empty()) {
    for (auto& v : verdict) {
      o_.log("watchdog: " + v.kind + ": " + v.title);
      seen_.findings.push_back(std::move(v));
    }
    stalled_ = true;
    return true;
  }
  return false;
}

void Monitor::ReportProgress(double now) {
  if (!o_.progress || now - last_progress_ < 1) return;
  last_progress_ = now;
  Progress p;
  p.phase = last_phase_.empty() ? "boot" : last_phase_;
  p.elapsed_s = now - vm_start_;
  const auto& ss = seen_.telemetry.samples();
  if (ss.size() >= 2) {
    size_t j = ss.size() - 1;
    while (j > 0 && ss.back().t - ss[j].t < 1) --j;
    double dt = ss.back().t - ss[j].t;
    if (dt > 0)
      p.swapout_mib_s =
          (ss.back().pswpout - ss[j].pswpout) * 4096.0 / (1 << 20) / dt;
  }
  RelayCounters c = tb_->path()->counters();
  p.dropped_to_guest = c.to_guest.dropped;
  p.dropped_to_server = c.to_server.dropped;
  p.findings = seen_.console.findings().size();
  o_.progress(p);
}

// The watch is over: end the faults still in force (a stalled server must
// not stay stopped), dump a stalled guest, say why the guest stopped.
void Monitor::EndRun() {
  const double now = o_.env->Now();
  seen_.link_cutoff_s = now - vm_start_;
  for (const FaultAction& a : faults_.CutShort()) {
    (void)Apply(a, now);
    seen_.outage_by_fault |= a.fault->kind == FaultKind::kServerStall;
  }
  Vm* vm = tb_->vm();
  if (stalled_ && vm->Running()) {
    // The hung-task detector cannot be relied on (watchdog.h): ask the
    // guest for blocked tasks and memory state before it is destroyed.
    o_.log("guest stalled: saving registers, requesting SysRq w and m dumps");
    DumpStalledGuest();
  }
  seen_.stop_reason = !vm->Running() ? vm->StopReason()
                      : seen_.harness.kind() == Status::Kind::kCancelled
                          ? "interrupted by " + SignalName(o_.cancel->load())
                          : "destroyed by the runner";
  // QEMU itself failing (not the guest crashing) is the harness's fault.
  if (seen_.harness.ok() && seen_.stop_reason == "failed")
    seen_.harness = Status::Harness(
        "qemu: the emulator failed (libvirt stop reason \"failed\"); see "
        "qemu.log");
}

// Before a stalled guest is destroyed: its registers (QEMU monitor) and the
// kernel's own account of blocked tasks and memory (SysRq w and m, which
// reach the console because the guest runs with ignore_loglevel), each in a
// file of the run directory that the findings name. A guest that prints
// nothing even in answer to SysRq gets a no_output finding.
void Monitor::DumpStalledGuest() {
  Vm* vm = tb_->vm();
  const std::string& dir = o_.out_dir;
  const std::string console = dir + "/console.log";
  nlohmann::json files = nlohmann::json::array();
  std::string regs;
  if (vm->MonitorCommand("info registers -a", &regs).ok() && !regs.empty() &&
      WriteFile(dir + "/registers.txt", regs).ok())
    files.push_back("registers.txt");
  const int64_t before = FileSize(console);
  for (const char* key : {"sendkey alt-sysrq-w", "sendkey alt-sysrq-m"}) {
    std::string reply;
    (void)vm->MonitorCommand(key, &reply);
    o_.env->Sleep(1.5);
  }
  // A TCG guest prints a dump slowly: wait until the console settles.
  int64_t size = FileSize(console);
  for (int i = 0; i < 10; ++i) {
    o_.env->Sleep(0.5);
    int64_t now = FileSize(console);
    if (now == size) break;
    size = now;
  }
  auto text = ReadFile(console);
  if (size > before && text.ok() &&
      static_cast<int64_t>(text->size()) > before &&
      WriteFile(dir + "/sysrq.txt", text->substr(before)).ok()) {
    files.push_back("sysrq.txt");
  } else if (size <= before) {
    Finding f;
    f.kind = "no_output";
    f.title = "guest printed nothing, not even in answer to SysRq w and m";
    seen_.findings.push_back(f);
  }
  for (Finding& f : seen_.findings)
    if (IsStallFinding(f)) f.details["attachments"] = files;
}

}  // namespace swapbench
