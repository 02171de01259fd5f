#include "bench/testbed.h"

#include "bench/fs_util.h"
#include "bench/kernel_netem.h"
#include "images/agent/protocol.h"
#include "netem/rng.h"

namespace swapbench {

namespace {

std::string Mib(int mib) {
  return std::to_string(static_cast<uint64_t>(mib) << 20);
}

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

std::string AgentConf(const Scenario& sc, uint64_t seed,
                      const Storage& storage) {
  namespace conf = protocol::conf;
  using conf::Line;
  Rng hog_rng = Rng::ForStream(seed, "hog");
  std::string text = Line(conf::kGuestIp, kGuestIp) +
                     Line(conf::kPrefix, std::to_string(kPrefix)) +
                     Line(conf::kServerIp, kServerIp) + storage.AgentConfig() +
                     Line(conf::kCgroup, sc.cgroup.enabled ? "1" : "0");
  if (sc.cgroup.memory_max_mib)
    text += Line(conf::kMemoryMax, Mib(sc.cgroup.memory_max_mib));
  if (sc.cgroup.memory_high_mib)
    text += Line(conf::kMemoryHigh, Mib(sc.cgroup.memory_high_mib));
  text += Line(conf::kHogBytes, Mib(sc.workload.hog_mib)) +
          Line(conf::kHogSeed, std::to_string(hog_rng.Next())) +
          Line(conf::kTelemetryMs, "250");
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
  if (Status s = Record(); !s.ok()) return s;
  if (Status s = MakeNetwork(plan); !s.ok()) return s;
  if (Status s = StartStorage(plan); !s.ok()) return s;
  return StartGuest(plan, cancelled);
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
  np.record_host_tap = [this](const std::string& tap) {
    record_.host_tap = tap;
    return state_.Update(record_);
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
  record_.pids = storage_->pids();
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
  std::string conf = AgentConf(sc, plan.seed, *storage_);
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
  vc.nic = sc.vm.nic;
  vc.cpus = sc.vm.cpus;
  vc.kvm = plan.kvm;
  vc.kernel = plan.guest->kernel.image;
  vc.initrd = initrd;
  vc.cmdline = GuestCmdline(sc, record_.id);
  vc.console_log = plan.out_dir + "/console.log";
  vc.telemetry_log = plan.out_dir + "/telemetry.jsonl";
  path_->ConfigureVm(&vc);
  if (!(s = WriteFile(plan.out_dir + "/domain.xml", DomainXml(vc))).ok())
    return s;
  vm_ = parts_.hypervisor->MakeVm(vc);
  if (cancelled())
    return Status::Cancelled("cancelled before the guest started");
  if (!(s = vm_->Start()).ok()) return s;
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
  if (vm_) vm_->Destroy();
  vm_.reset();
  path_.reset();
  if (storage_) storage_->Stop();
  storage_.reset();
  netns_.reset();
  if (scratch_made_)
    (void)RemoveTreeWithin(state_dir_ + "/runs", record_.scratch);
  if (recorded_) state_.End();
}

}  // namespace swapbench
