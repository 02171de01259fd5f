#include "bench/testbed.h"

#include <set>

#include "bench/fs_util.h"
#include "bench/kernel_netem.h"
#include "bench/nic.h"
#include "bench/record.h"
#include "bench/text.h"
#include "images/agent/protocol.h"
#include "netem/rng.h"

namespace swapbench {

namespace {

// ignore_loglevel and sysrq_always_enabled: the SysRq dumps asked for on a
// stall must reach the console (Debian's default kernel.sysrq=438 has no
// dumps).
std::string GuestCmdline(const Scenario& sc, const std::string& id) {
  std::string c =
      "console=ttyS0,115200 ignore_loglevel sysrq_always_enabled panic=1 "
      "swapbench.run=" +
      id;
  if (!sc.vm.cmdline.empty()) c += " " + sc.vm.cmdline;
  return c;
}

}  // namespace

namespace {

std::string Bytes(int mib) { return std::to_string(int64_t{mib} << 20); }

// "cg" lines: limits in bytes, 0 MiB (or -1 for swap.max) left out.
std::string CgroupLines(const Scenario& sc) {
  namespace conf = protocol::conf;
  std::string text;
  for (const auto& c : sc.cgroups) {
    std::string w = "name=" + c.name + " path=" + c.path;
    for (auto [key, mib] : {std::pair{"max", c.memory_max_mib},
                            {"high", c.memory_high_mib},
                            {"low", c.memory_low_mib},
                            {"min", c.memory_min_mib}})
      if (mib > 0) w += std::string(" ") + key + "=" + Bytes(mib);
    if (c.swap_max_mib >= 0) w += " swap_max=" + Bytes(c.swap_max_mib);
    if (c.oom_group) w += " oom_group=1";
    text += conf::Line(conf::kCgroup, w);
  }
  return text;
}

// "wl" lines: each workload's seed is its own stream of the run's seed
// (the one hog of old keeps the stream it always had).
std::string WorkloadLines(const Scenario& sc, uint64_t seed) {
  namespace conf = protocol::conf;
  std::string text;
  for (const auto& w : sc.workloads) {
    Rng rng =
        Rng::ForStream(seed, w.name == "hog" ? "hog" : "workload/" + w.name);
    const Scenario::Cgroup* cg = sc.FindCgroup(w.cgroup);
    std::string l =
        "name=" + w.name + " kind=" + Name(w.kind) +
        " cgroup=" + (cg ? cg->path : "") + " bytes=" + Bytes(w.mib) +
        " seed=" + std::to_string(rng.Next()) + " pattern=" + w.pattern +
        " zipf_s=" + StringPrintf("%g", w.zipf_s) +
        " passes=" + std::to_string(w.passes) +
        " threads=" + std::to_string(w.threads) +
        " block=" + std::to_string(int64_t{w.block_kib} << 10) +
        " direct=" + (w.direct ? "1" : "0") +
        " fsync=" + (w.fsync == "every_mib" ? "every" : w.fsync) +
        " fsync_every=" + Bytes(w.fsync_every_mib) + " start_ms=" +
        std::to_string(static_cast<int64_t>(w.start_at_s * 1000));
    for (size_t i = 0; i < sc.workloads.size(); ++i)
      if (sc.workloads[i].name == w.after && !w.after.empty()) {
        l += " after=" + std::to_string(i);
        if (w.after_mib >= 0) l += " after_bytes=" + Bytes(w.after_mib);
      }
    if (!w.args.empty()) {
      l += " args=";
      for (size_t i = 0; i < w.args.size(); ++i)
        l += (i ? " " : "") + w.args[i];
    }
    text += conf::Line(conf::kWorkload, l);
  }
  return text;
}

std::string KnobLines(const Scenario& sc) {
  namespace conf = protocol::conf;
  std::string text;
  for (const auto& [name, value] : sc.guest.sysctl)
    text += conf::Line(conf::kSysctl, name + " " + value);
  for (const auto& [name, value] : sc.guest.sysfs)
    text += conf::Line(conf::kSysfs, name + " " + value);
  return text;
}

// Where the workloads hold for the bench (protocol.h conf::kHold): at
// their start when anything counts from it (faults, link phases, floods),
// and where a fault waits for the hog's progress.
std::string HoldLines(const Scenario& sc) {
  namespace conf = protocol::conf;
  std::string text;
  if (!sc.faults.empty() || !sc.link.config.phases.empty() ||
      !sc.link.floods.empty())
    text += conf::Line(conf::kHold, "start");
  std::set<int64_t> pages;
  for (const Scenario::Fault& f : sc.faults)
    if (f.after_hog_mib >= 0) pages.insert(int64_t{f.after_hog_mib} << 8);
  for (int64_t p : pages) text += conf::Line(conf::kHold, std::to_string(p));
  return text;
}

}  // namespace

std::string AgentConf(const Scenario& sc, uint64_t seed, const Storage& storage,
                      bool holds) {
  namespace conf = protocol::conf;
  using conf::Line;
  std::string text = Line(conf::kGuestIp, kGuestIp) +
                     Line(conf::kPrefix, std::to_string(kPrefix)) +
                     Line(conf::kServerIp, kServerIp) + storage.AgentConfig() +
                     CgroupLines(sc) + WorkloadLines(sc, seed) + KnobLines(sc) +
                     (holds ? HoldLines(sc) : "") +
                     Line(conf::kTelemetryMs, "250") +
                     Line(conf::kMtu, std::to_string(sc.vm.mtu));
  if (sc.link.engine == LinkEngine::kKernelNetem) {
    const auto& imps = sc.link.config.impairments;
    text += Line(conf::kNetemEgress, NetemArgs(imps, "to_server"));
    text += Line(conf::kNetemIngress, NetemArgs(imps, "to_guest"));
  }
  return text;
}

Testbed::Testbed(const Parts& parts, const std::string& state_dir,
                 std::string id, std::function<void(const std::string&)> log)
    : parts_(parts),
      log_(std::move(log)),
      state_(state_dir, id),
      state_dir_(state_dir) {
  record_.id = id;
  record_.domain = "swapbench-" + id;
  record_.netns = "swapbench-" + id;
  record_.scratch = state_dir + "/runs/" + id;
}

Status Testbed::Up(const Plan& plan, const std::function<bool()>& cancelled) {
  Env* env = parts_.env;
  auto timed = [&](const char* step, const std::function<Status()>& f) {
    double t = env->Now();
    Status s = f();
    timings_.emplace_back(step, env->Now() - t);
    return s;
  };
  if (Status s = timed("record", [&] { return Record(); }); !s.ok()) return s;
  if (Status s = timed("network", [&] { return MakeNetwork(plan); }); !s.ok())
    return s;
  if (Status s = timed("storage", [&] { return StartStorage(plan); }); !s.ok())
    return s;
  return timed("guest_start", [&] { return StartGuest(plan, cancelled); });
}

// The record first: from here on a SIGKILL leaves nothing the next run
// cannot find.
Status Testbed::Record() {
  Status s = state_.Begin(record_);
  if (!s.ok()) return s;
  recorded_ = true;
  if (!(s = MakeDirs(record_.scratch)).ok()) return s;
  scratch_made_ = true;
  return Status::Ok();
}

Status Testbed::MakeNetwork(const Plan& plan) {
  auto ns = Netns::Create(parts_.env, record_.netns);
  if (!ns.ok()) return ns.status();
  netns_ = std::move(*ns);
  NetworkPathParams np;
  np.env = parts_.env;
  np.scenario = plan.scenario;
  np.seed = plan.seed;
  np.netns = netns_.get();
  np.out_dir = plan.out_dir;
  np.run_id = record_.id;
  np.record = plan.record;
  np.record_host_tap = [this](const std::string& tap,
                              const std::string& netns) {
    record_.host_tap = tap;
    record_.cable_netns = netns;
    return state_.Update(record_);
  };
  // On the run's thread, like every other change to the record.
  np.record_pid = [this](pid_t pid) {
    record_.pids.push_back(pid);
    (void)state_.Update(record_);
  };
  auto path = parts_.make_network_path(np);
  if (!path.ok()) return path.status();
  path_ = std::move(*path);
  return Status::Ok();
}

Status Testbed::StartStorage(const Plan& plan) {
  const Scenario& sc = *plan.scenario;
  storage_ =
      parts_.make_storage({.kind = sc.storage.kind,
                           .netns_path = netns_->path(),
                           .dir = record_.scratch + "/" + Name(sc.storage.kind),
                           .log_dir = plan.out_dir,
                           .server_ip = kServerIp,
                           .client_ip = kGuestIp,
                           .nfs_version = sc.storage.version,
                           .mount_options = sc.storage.mount_options,
                           .swap_mib = sc.storage.swapfile_mib});
  Status s = storage_->Start();
  record_.pids = storage_->pids();  // before any tcpreplay's
  Status u = state_.Update(record_);
  if (!s.ok()) return s;
  if (!u.ok()) return u;
  log_("storage: " + storage_->type() + " server in netns " + record_.netns +
       ", " + std::to_string(sc.storage.swapfile_mib) + " MiB of swap");
  return Status::Ok();
}

Status Testbed::StartGuest(const Plan& plan,
                           const std::function<bool()>& cancelled) {
  const Scenario& sc = *plan.scenario;
  // QEMU 7.2 records no -chardev input, so a recorded run cannot hold: its
  // replay would wait at the first hold for a release that is not in the
  // log (measured: stuck after swapon). A recording replays exactly anyway.
  std::string conf = AgentConf(sc, plan.seed, *storage_, !plan.record);
  Status s = WriteFile(plan.out_dir + "/agent.conf", conf);
  if (!s.ok()) return s;
  // The per-run initrd: the cached image + this run's agent config.
  std::string initrd = record_.scratch + "/initrd.img";
  s = WriteRunInitrd(plan.guest->image, {{"/etc/swapbench.conf", conf}},
                     initrd);
  if (!s.ok()) return s;
  VmConfig vc;
  vc.name = record_.domain;
  vc.memory_mib = sc.vm.memory_mib;
  vc.nic = FindNic(sc.vm.nic)->libvirt;  // the parser checked the key
  vc.queues = sc.vm.queues;
  vc.hostdev_pci = sc.vm.hostdev.pci;
  vc.cpus = sc.vm.cpus;
  vc.kvm = plan.kvm;
  vc.kernel = plan.guest->kernel.image;
  vc.initrd = initrd;
  vc.cmdline = GuestCmdline(sc, record_.id);
  vc.console_log = plan.out_dir + "/console.log";
  vc.telemetry_log = plan.out_dir + "/telemetry.jsonl";
  path_->ConfigureVm(&vc);
  if (plan.record && !(s = PrepareRecording(plan.out_dir, &vc)).ok()) return s;
  if (!(s = WriteFile(plan.out_dir + "/domain.xml", DomainXml(vc))).ok())
    return s;
  vm_config_ = vc;
  vm_ = parts_.hypervisor->MakeVm(vc);
  if (cancelled())
    return Status::Cancelled("cancelled before the guest started");
  if (!(s = vm_->Start()).ok()) return s;
  if (vm_->pid() > 0) {
    record_.pids.push_back(vm_->pid());
    (void)state_.Update(record_);
  }
  return path_->GuestStarted();
}

Status Testbed::ApplyFault(const Scenario::Fault& f, bool begin) {
  switch (f.kind) {
    case FaultKind::kServerStall:
      return begin ? storage_->Pause() : storage_->Resume();
    case FaultKind::kServerRestart:
      return begin ? storage_->Restart() : Status::Ok();
    case FaultKind::kServerSlow:
      // A token bucket on the server's egress: what it sends the guest.
      if (!begin)
        return netns_->Tc(
            {"qdisc", "del", "dev", path_->server_device(), "root"});
      return netns_->Tc({"qdisc", "replace", "dev", path_->server_device(),
                         "root", "tbf", "rate",
                         std::to_string(f.rate_kbit) + "kbit", "burst", "16kb",
                         "latency", "400ms"});
  }
  return Status::Harness("unknown fault");
}

RelaySnapshot Testbed::StopLink() {
  return path_ ? path_->Stop() : RelaySnapshot{};
}

void Testbed::SaveVmLog(const std::string& dir) {
  if (!vm_ || vm_->qemu_log().empty() || !Exists(vm_->qemu_log())) return;
  if (auto q = ReadFile(vm_->qemu_log()); q.ok())
    (void)WriteFile(dir + "/qemu.log", *q);
}

void Testbed::TearDown() {
  if (torn_down_) return;
  torn_down_ = true;
  const double t = parts_.env->Now();
  if (vm_) vm_->Destroy();
  vm_.reset();
  path_.reset();
  if (storage_) storage_->Stop();
  storage_.reset();
  netns_.reset();
  if (scratch_made_)
    (void)RemoveTreeWithin(state_dir_ + "/runs", record_.scratch);
  if (recorded_) state_.End();
  timings_.emplace_back("teardown", parts_.env->Now() - t);
}

}  // namespace swapbench
