#include "bench/runner.h"

#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <sstream>

#include "bench/digest.h"
#include "bench/formats.h"
#include "bench/fs_util.h"
#include "bench/guest_image.h"
#include "bench/hostdev.h"
#include "bench/kernel_needs.h"
#include "bench/manifest.h"
#include "bench/state.h"
#include "bench/verdict.h"

namespace swapbench {

namespace {

// A timestamped line on stderr; on a terminal the live progress line may
// be showing, so it is erased first.
std::function<void(const std::string&)> Logger(const std::string& prefix) {
  return [prefix](const std::string& msg) {
    time_t now = time(nullptr);
    tm local;
    localtime_r(&now, &local);
    char ts[32];
    strftime(ts, sizeof(ts), "%H:%M:%S", &local);
    fprintf(stderr, "%s%s %s%s\n", isatty(STDERR_FILENO) ? "\r\033[K" : "", ts,
            prefix.c_str(), msg.c_str());
  };
}

// Debian's stress-ng, for scenarios with a stress-ng workload.
constexpr char kStressNgPath[] = "/usr/bin/stress-ng";

// Names in a list file (images/binaries.txt): one a line, # comments.
std::vector<std::string> ReadList(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    size_t hash = line.find('#');
    if (hash != std::string::npos) line.resize(hash);
    std::istringstream w(line);
    std::string name;
    if (w >> name) out.push_back(name);
  }
  return out;
}

// A real NIC's checks (bench/hostdev.h), before anything starts: the PCI
// device for the guest and the host port cabled to it.
Status CheckRealNic(const Scenario& sc) {
  if (sc.vm.hostdev.pci.empty()) return Status::Ok();
  const HostView host = RealHost();
  if (Status s = CheckHostdev(host, sc.vm.hostdev.pci); !s.ok())
    return Status::Usage(sc.Where("vm.hostdev.pci") + ": " + s.message());
  if (Status s = CheckHostInterface(host, sc.link.host_interface); !s.ok())
    return Status::Usage(sc.Where("link.host_interface") + ": " + s.message());
  return Status::Ok();
}

// What of a scenario its guest depends on: the modules it needs, the real
// NIC it checks, whether it carries stress-ng.
std::string GuestKey(const Scenario& sc) {
  std::string key;
  for (const KernelNeed& n : NeedsOf(sc))
    key += n.option + "=" + n.module + ";";
  key += "\nhostdev " + sc.vm.hostdev.pci;
  if (sc.Has(Scenario::WorkloadKind::kStressNg)) key += "\nstress-ng";
  return key;
}

// The kernel and its image: cached, and the only steps that may take a
// while before anything is started. The kernel is checked against what the
// scenario needs first, and the image carries only the modules it needs.
// Parallel runs (threads, or other swapbench processes) may want the same
// kernel and image: one at a time fetches or builds, the others find it
// cached.
Result<Guest> PrepareGuestOnce(const KernelSpec& ks, const Scenario& sc,
                               const RunnerOptions& o) {
  if (Status s = MakeDirs(o.cache_dir); !s.ok()) return s.Context("cache");
  FileLock lock = FileLock::Acquire(o.cache_dir + "/.lock");
  auto kernel = PrepareKernel(ks, o.cache_dir);
  if (!kernel.ok()) return kernel.status();
  auto facts = FactsOf(*kernel);
  if (!facts.ok()) return facts.status();
  auto modules = CheckNeeds(NeedsOf(sc), *facts);
  if (!modules.ok()) return modules.status();
  if (Status s = CheckRealNic(sc); !s.ok()) return s;
  auto bins = ReadFile(o.binaries_list);
  if (!bins.ok()) return bins.status().Context("image: binary list");
  std::vector<std::string> binaries = ReadList(*bins);
  // Only a scenario that runs it carries stress-ng (and its libraries).
  if (sc.Has(Scenario::WorkloadKind::kStressNg))
    binaries.push_back(kStressNgPath);
  auto image = BuildImage(
      *kernel, {o.agent_path, o.busybox_path, *modules, binaries}, o.cache_dir);
  if (!image.ok()) return image.status();
  return Guest{*kernel, *image};
}

// A Debian package's kernel never changes under its name within a process
// (a tree or a bzimage may be rebuilt: bisect), so its guest is prepared
// once per process and scenario needs: preflight and each run of a set
// then skip re-hashing the image's inputs (~0.5 s a run, measured).
Result<Guest> PrepareGuest(const KernelSpec& ks, const Scenario& sc,
                           const RunnerOptions& o) {
  static std::mutex mu;
  static std::map<std::string, Guest> prepared;
  std::lock_guard<std::mutex> guard(mu);
  std::string key;
  if (IsDebianPackageName(ks.package) && ks.tree.empty() && ks.bzimage.empty())
    key = ks.package + "\n" + o.cache_dir + "\n" + o.agent_path + "\n" +
          o.busybox_path + "\n" + o.binaries_list + "\n" + GuestKey(sc);
  if (auto it = prepared.find(key); !key.empty() && it != prepared.end())
    return it->second;
  auto guest = PrepareGuestOnce(ks, sc, o);
  if (guest.ok() && !key.empty()) prepared[key] = *guest;
  return guest;
}

// The options' parts with the real ones where none was given.
Parts RealWhereUnset(const RunnerOptions& o) {
  Parts p = o.parts;
  if (!p.env) p.env = Env::Default();
  if (!p.make_network_path) p.make_network_path = MakeRelayPath;
  if (!p.make_storage) p.make_storage = MakeStorage;
  if (!p.prepare_guest)
    p.prepare_guest = [&o](const KernelSpec& ks, const Scenario& sc) {
      return PrepareGuest(ks, sc, o);
    };
  return p;
}

// Unique among this process's parallel runs and across processes.
std::string NewRunId() {
  static std::atomic<int> counter{0};
  int nth = counter++;
  return "sb" + std::to_string(getpid()) +
         (nth ? "-" + std::to_string(nth) : "");
}

Report NewReport(const Scenario& sc, const RunnerOptions& o) {
  Report rep;
  rep.scenario = sc.name;
  rep.scenario_path = sc.path;
  rep.description = sc.description;
  rep.seed = o.seed.value_or(sc.seed);
  rep.out_dir = o.out_dir;
  rep.attempt = o.attempt;
  rep.flaky_fails = sc.expect.flaky_fails;
  return rep;
}

}  // namespace

namespace {

// A recording is kept (vm.json beside the log) unless only failures'
// are wanted and this one passed.
Status KeepRecording(const RunnerOptions& o, const Testbed& testbed,
                     const RunReport& run) {
  if (o.record == RecordMode::kOff || testbed.vm_config().record_file.empty())
    return Status::Ok();
  if (o.record == RecordMode::kFailures && run.verdict == Verdict::kPass) {
    DropRecording(o.out_dir);
    return Status::Ok();
  }
  return SaveRecording(testbed.vm_config(), o.out_dir, run.duration_s);
}

}  // namespace

Result<Guest> PrepareRunGuest(const Scenario& sc, const RunnerOptions& o) {
  return RealWhereUnset(o).prepare_guest(o.kernel.value_or(sc.kernel), sc);
}

Result<Report> RunScenario(const Scenario& sc, const RunnerOptions& o) {
  auto cancelled = [&] { return o.cancel && o.cancel->load() != 0; };
  auto log = Logger(o.log_prefix);
  const Parts parts = RealWhereUnset(o);
  Env* env = parts.env;
  Report rep = NewReport(sc, o);

  // 1. The guest: kernel and image.
  KernelSpec ks = o.kernel.value_or(sc.kernel);
  log("kernel: " + ks.Label());
  const double t_prepare = env->Now();
  auto guest = parts.prepare_guest(ks, sc);
  if (!guest.ok()) return guest.status();
  rep.kernel_release = guest->kernel.release;
  rep.kernel_source = guest->kernel.source;
  rep.image_hash = guest->image.hash;
  log("image " + guest->image.hash +
      (guest->image.reused ? " (cached)" : " (built)") + ", " +
      std::to_string(guest->image.modules.size()) + " modules");
  if (cancelled()) return Status::Cancelled("cancelled before the run started");
  if (Status s = MakeDirs(o.out_dir); !s.ok()) return s.Context("report dir");

  RunReport run;
  run.timings.emplace_back("guest_image", env->Now() - t_prepare);

  // 2. What killed runs left behind.
  const double t_reap = env->Now();
  for (const auto& line : Reap(o.state_dir, [&](const std::string& d) {
         parts.hypervisor->DestroyStale(d);
       }))
    log(line);
  run.timings.emplace_back("reap", env->Now() - t_reap);
  run.swap_type = sc.SwapType();
  const bool kvm = parts.hypervisor->UseKvm(&run.accel_reason);
  run.accel = kvm ? "kvm" : "tcg";
  if (kvm && o.record != RecordMode::kOff)
    return Status::Usage(
        "--record: QEMU record/replay runs under TCG only, and this host "
        "gives guests KVM (" +
        run.accel_reason + ")");
  rep.manifest = ManifestJson(
      {.scenario = &sc,
       .seed = rep.seed,
       .spec = ks,
       .kernel = guest->kernel,
       .kernel_image_sha256 = Sha256File(guest->kernel.image).value_or(""),
       .image_hash = guest->image.hash,
       .accel = run.accel},
      ProbeHostVersions());
  run.started_at = IsoUtc(env->WallTime());
  const double t_start = env->Now();

  // 3. The testbed, up to a started guest; from here on a failure is the
  // harness's, and the report is still written with the part named.
  Testbed testbed(parts, o.state_dir, NewRunId(), log);
  Monitor monitor({.scenario = &sc,
                   .env = env,
                   .out_dir = o.out_dir,
                   .cancel = o.cancel,
                   .progress = o.progress,
                   .log = log},
                  &testbed);
  Status up = testbed.Up({.scenario = &sc,
                          .seed = rep.seed,
                          .guest = &*guest,
                          .kvm = kvm,
                          .out_dir = o.out_dir,
                          .record = o.record != RecordMode::kOff},
                         cancelled);

  // 4. Watch it until it ends.
  const double t_watch = env->Now();
  if (up.ok()) {
    log("guest " + testbed.record().domain + " started (" + run.accel_reason +
        ")");
    monitor.Watch();
  } else {
    monitor.seen().harness = up;
  }
  run.duration_s = env->Now() - t_start;
  const double watched = env->Now() - t_watch;

  // 5. Keep the hypervisor's log and the link's counters, tear down.
  testbed.SaveVmLog(o.out_dir);
  run.link_detail = testbed.StopLink();
  run.link = run.link_detail.counters;
  run.link_engine =
      testbed.path() ? testbed.path()->engine() : Name(sc.link.engine);
  testbed.TearDown();
  monitor.Finish();
  run.timings.insert(run.timings.end(), testbed.timings().begin(),
                     testbed.timings().end());
  if (up.ok()) run.timings.emplace_back("watch", watched);

  // 6. The verdict, 7. the report.
  Judge(sc, monitor.seen(), &run);
  if (Status s = KeepRecording(o, testbed, run); !s.ok()) log(s.message());
  rep.runs.push_back(std::move(run));
  rep.verdict = OverallVerdict(rep.runs);
  if (Status s = WriteReport(rep, o.out_dir + "/report.json"); !s.ok())
    return s.Context("report");
  if (Status s = WriteFormats({ReportJson(rep)}, o.out_dir); !s.ok()) return s;
  const Status& harness = monitor.seen().harness;
  if (harness.kind() == Status::Kind::kCancelled) return harness;
  return rep;
}

void RemoveRunFiles(const std::string& dir) {
  for (const char* f :
       {"report.json",     "console.log",  "telemetry.jsonl", "ganesha.log",
        "ganesha.stdout",  "ganesha.conf", "rpcbind.log",     "nbd-server.log",
        "nbd-server.conf", "nbd-allow",    "qemu.log",        "agent.conf",
        "domain.xml",      "sysrq.txt",    "registers.txt",   "junit.xml",
        "kcidb.json",      "ktap.txt",     "report.html",     "summary.json",
        "link-trace.tsv",  "guest.pcap",   "server.pcap"})
    unlink((dir + "/" + f).c_str());
}

}  // namespace swapbench
