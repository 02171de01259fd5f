#include "bench/runner.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include "bench/console_parser.h"
#include "bench/formats.h"
#include "bench/fs_util.h"
#include "bench/guest_image.h"
#include "bench/kernel_netem.h"
#include "bench/libvirt_vm.h"
#include "bench/process.h"
#include "bench/series.h"
#include "bench/state.h"
#include "bench/storage.h"
#include "bench/telemetry.h"
#include "bench/watchdog.h"
#include "netem/relay.h"
#include "netem/rng.h"
#include "netem/tap.h"

namespace swapbench {

namespace {

// Addresses inside the run's own namespace; never the host's 192.0.2.0/24.
constexpr const char* kServerIp = "10.213.0.1";
constexpr const char* kGuestIp = "10.213.0.2";
constexpr int kPrefix = 30;
constexpr const char* kTapName = "sbtap0";

double Monotonic() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

// Reads what a file gained since the last call, a line at a time. QEMU
// writes the console and the agent's port to files; the runner tails them.
class FileTail {
 public:
  explicit FileTail(std::string path) : path_(std::move(path)) {}
  template <typename F>
  void Drain(F&& on_line, bool flush_partial = false) {
    if (!in_.is_open()) {
      in_.open(path_, std::ios::binary);
      if (!in_.is_open()) return;
    }
    in_.clear();
    char buf[65536];
    while (in_.read(buf, sizeof(buf)), in_.gcount() > 0) {
      partial_.append(buf, in_.gcount());
      if (in_.eof()) break;
    }
    in_.clear();
    size_t start = 0, nl;
    while ((nl = partial_.find('\n', start)) != std::string::npos) {
      on_line(partial_.substr(start, nl - start));
      start = nl + 1;
    }
    partial_.erase(0, start);
    if (flush_partial && !partial_.empty()) {
      on_line(partial_);
      partial_.clear();
    }
  }

 private:
  std::string path_;
  std::ifstream in_;
  std::string partial_;
};

// A free UDP port on loopback for QEMU's end of the guest NIC. Another
// process could take it before QEMU binds; QEMU then fails to start and
// the run reports a libvirt error.
Result<uint16_t> FreeUdpPort() {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
    if (fd >= 0) close(fd);
    return Status::Harness("no free UDP port on 127.0.0.1");
  }
  socklen_t len = sizeof(a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return static_cast<uint16_t>(ntohs(a.sin_port));
}

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

// Everything one run creates, torn down in reverse order of creation by
// Teardown() (also run by the destructor, so every exit path reaches it).
struct RunResources {
  RunState* state = nullptr;
  std::string netns;
  std::string scratch;
  std::unique_ptr<Storage> storage;
  std::unique_ptr<Relay> relay;
  std::unique_ptr<LibvirtVm> vm;
  std::string host_tap;  // direct-TAP baseline, until moved
  bool done = false;

  void Teardown() {
    if (done) return;
    done = true;
    if (vm) vm->Destroy();
    if (relay) relay->Stop();
    if (storage) storage->Stop();
    DeleteNetns(netns);
    DeleteHostTap(host_tap);
    if (!scratch.empty()) RemoveTree(scratch);
    if (state) state->End();
  }
  ~RunResources() { Teardown(); }
};

// A fault of the scenario and how far the runner got with it.
struct FaultRun {
  const Scenario::Fault* fault;
  bool started = false, ended = false;
  double end_at = 0;
};

std::string Mib(int mib) {
  return std::to_string(static_cast<uint64_t>(mib) << 20);
}

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

int64_t FileSize(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? st.st_size : 0;
}

// Before a stalled guest is destroyed: its registers (QEMU monitor) and the
// kernel's own account of blocked tasks and memory (SysRq w and m, which
// reach the console because the guest runs with ignore_loglevel), each in a
// file of the run directory that the findings name. A guest that prints
// nothing even in answer to SysRq gets a no_output finding.
void DumpStalledGuest(LibvirtVm& vm, const std::string& dir,
                      std::vector<Finding>* findings) {
  const std::string console = dir + "/console.log";
  nlohmann::json files = nlohmann::json::array();
  std::string regs;
  if (vm.MonitorCommand("info registers -a", &regs).ok() && !regs.empty() &&
      WriteFile(dir + "/registers.txt", regs).ok())
    files.push_back("registers.txt");
  const int64_t before = FileSize(console);
  for (const char* key : {"sendkey alt-sysrq-w", "sendkey alt-sysrq-m"}) {
    std::string reply;
    vm.MonitorCommand(key, &reply);
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  }
  // A TCG guest prints a dump slowly: wait until the console settles.
  int64_t size = FileSize(console);
  for (int i = 0; i < 10; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
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
    findings->push_back(f);
  }
  for (Finding& f : *findings)
    if (f.kind == "swap_stall" || f.kind == "agent_silent" ||
        f.kind == "deadline" || f.kind == "no_output")
      f.details["attachments"] = files;
}

}  // namespace

void Summarize(const Telemetry& t, RunReport* run) {
  const auto& samples = t.samples();
  const nlohmann::json* hog_start = t.Event("hog_start");
  const nlohmann::json* hog_exit = t.Event("hog_exit");
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
  if (e.all_pages_verified &&
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

Result<Report> RunScenario(const Scenario& sc, const RunnerOptions& o) {
  auto cancelled = [&] { return o.cancel && o.cancel->load() != 0; };
  auto log = [&](const std::string& msg) {
    time_t now = time(nullptr);
    char ts[32];
    strftime(ts, sizeof(ts), "%H:%M:%S", localtime(&now));
    // On a terminal the live progress line may be showing: erase it first.
    fprintf(stderr, "%s%s %s%s\n", isatty(STDERR_FILENO) ? "\r\033[K" : "", ts,
            o.log_prefix.c_str(), msg.c_str());
  };

  Report rep;
  rep.scenario = sc.name;
  rep.scenario_path = sc.path;
  rep.description = sc.description;
  rep.seed = o.seed.value_or(sc.seed);
  rep.out_dir = o.out_dir;
  rep.attempt = o.attempt;
  rep.flaky_fails = sc.expect.flaky_fails;

  // Kernel and image: cached, and the only steps that may take a while
  // before anything is started.
  KernelSpec ks = o.kernel.value_or(sc.kernel);
  log("kernel: " + (ks.bzimage.empty() ? ks.package : ks.bzimage));
  // Parallel runs (threads, or other swapbench processes) may want the
  // same kernel and image: one at a time fetches or builds, the others
  // find it cached.
  static std::mutex cache_mu;
  std::unique_lock<std::mutex> cache_guard(cache_mu);
  MakeDirs(o.cache_dir);
  int cache_lock = open((o.cache_dir + "/.lock").c_str(),
                        O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (cache_lock >= 0) flock(cache_lock, LOCK_EX);
  struct Unlock {
    int fd;
    ~Unlock() {
      if (fd >= 0) close(fd);  // releases the flock
    }
  } unlock{cache_lock};
  auto kernel = PrepareKernel(ks, o.cache_dir);
  if (!kernel.ok()) return kernel.status();
  rep.kernel_release = kernel->release;
  rep.kernel_source = kernel->source;
  auto mods = ReadFile(o.modules_list);
  if (!mods.ok()) return mods.status().Context("image: module list");
  auto bins = ReadFile(o.binaries_list);
  if (!bins.ok()) return bins.status().Context("image: binary list");
  auto image = BuildImage(
      *kernel, {o.agent_path, o.busybox_path, ReadList(*mods), ReadList(*bins)},
      o.cache_dir);
  if (!image.ok()) return image.status();
  rep.image_hash = image->hash;
  if (cache_lock >= 0) flock(cache_lock, LOCK_UN);
  cache_guard.unlock();
  log("image " + image->hash + (image->reused ? " (cached)" : " (built)") +
      ", " + std::to_string(image->modules.size()) + " modules");
  if (cancelled()) return Status::Cancelled("cancelled before the run started");

  Status s = MakeDirs(o.out_dir);
  if (!s.ok()) return s.Context("report dir");

  // One embedded libvirt per process: the caller's, shared by parallel runs,
  // or one of our own.
  std::unique_ptr<Libvirt> own_lv;
  Libvirt* lv = o.libvirt;
  if (!lv) {
    auto opened = Libvirt::Open(o.state_dir + "/libvirt");
    if (!opened.ok()) return opened.status();
    own_lv = std::move(*opened);
    lv = own_lv.get();
  }
  for (const auto& line :
       Reap(o.state_dir, [&](const std::string& d) { lv->DestroyStale(d); }))
    log(line);

  RunReport run;
  run.swap_type = sc.SwapType();
  const bool kvm = UseKvm(&run.accel_reason);
  run.accel = kvm ? "kvm" : "tcg";

  // Unique among this process's parallel runs and across processes.
  static std::atomic<int> run_counter{0};
  int nth = run_counter++;
  std::string id =
      "sb" + std::to_string(getpid()) + (nth ? "-" + std::to_string(nth) : "");
  RunState state(o.state_dir, id);
  RunResources res;
  RunRecord record{
      id, "swapbench-" + id, "swapbench-" + id, o.state_dir + "/runs/" + id, {},
      ""};
  double t_start = Monotonic();
  {
    time_t now = time(nullptr);
    char ts[32];
    strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    run.started_at = ts;
  }

  // Everything from here on is a harness failure if it fails; the report
  // is still written, with the part that failed named.
  auto harness = [&]() -> Status {
    Status st = state.Begin(record);
    if (!st.ok()) return st;
    res.state = &state;
    res.scratch = record.scratch;
    if (!(st = MakeDirs(record.scratch)).ok()) return st;

    // Network namespace with the TAP the relay feeds.
    st = RunChecked({"ip", "netns", "add", record.netns});
    if (!st.ok()) return st.Context("netns");
    res.netns = record.netns;
    std::string ns_path = "/run/netns/" + record.netns;
    std::string err;
    // The server's side of the link: lo, and the TAP with the server's address.
    auto server_side = [&](const std::string& tap_name) -> Status {
      for (auto args : std::vector<std::vector<std::string>>{
               {"ip", "-n", record.netns, "link", "set", "lo", "up"},
               {"ip", "-n", record.netns, "addr", "add",
                std::string(kServerIp) + "/" + std::to_string(kPrefix), "dev",
                tap_name},
               {"ip", "-n", record.netns, "link", "set", tap_name, "up"}}) {
        if (Status s = RunChecked(args); !s.ok()) return s.Context("netns");
      }
      return Status();
    };
    std::optional<uint16_t> guest_port;
    if (o.direct_tap) {
      // The relay-less baseline: QEMU's own TAP (with offloads), made here
      // and moved into the namespace once QEMU holds it (below).
      record.host_tap = ("t" + id).substr(0, 15);
      state.Update(record);
      if (!(st = RunChecked(
                {"ip", "tuntap", "add", "dev", record.host_tap, "mode", "tap"}))
               .ok())
        return st.Context("tap");
      res.host_tap = record.host_tap;
    }
    int tap = o.direct_tap ? -1 : OpenTapInNetns(ns_path, kTapName, &err);
    if (!o.direct_tap && tap < 0) return Status::Harness("tap: " + err);
    if (!o.direct_tap) {
      RelayOptions ro;
      ro.link = sc.link.config;
      ro.link.seed = rep.seed;
      if (sc.link.engine == "kernel-netem") {
        // The guest's netem impairs; the relay only carries (and floods).
        ro.link.impairments.clear();
        ro.link.phases.clear();
      }
      ro.floods = sc.link.floods;
      for (const FloodConfig& f : ro.floods) {
        std::vector<PcapFrame> frames;
        std::string why;
        if (f.kind == "pcap" && !ReadPcap(f.file, &frames, &why))
          return Status::Harness("flood " + f.name + ": " + why);
        ro.flood_frames.push_back(std::move(frames));
      }
      ro.guest_ip = ntohl(inet_addr(kGuestIp));
      ro.server_ip = ntohl(inet_addr(kServerIp));
      if (sc.capture.trace) ro.trace_path = o.out_dir + "/link-trace.tsv";
      if (sc.capture.pcap) {
        ro.pcap_guest_path = o.out_dir + "/guest.pcap";
        ro.pcap_server_path = o.out_dir + "/server.pcap";
        ro.snaplen = sc.capture.snaplen;
      }
      res.relay = std::make_unique<Relay>(ro, tap);
      if (!(st = server_side(kTapName)).ok()) return st;
      auto port = FreeUdpPort();
      if (!port.ok()) return port.status().Context("relay");
      guest_port = *port;
      if (!res.relay->Open(*guest_port) || !res.relay->Start())
        return Status::Harness("relay: " + res.relay->error());
    }

    // The NFS server, inside the namespace.
    if (sc.storage.kind == "nbd" || sc.storage.kind == "iscsi") {
      BlockConfig bc{.netns_path = ns_path,
                     .dir = record.scratch + "/" + sc.storage.kind,
                     .log_dir = o.out_dir,
                     .server_ip = kServerIp,
                     .client_ip = kGuestIp,
                     .swap_mib = sc.storage.swapfile_mib};
      if (sc.storage.kind == "nbd")
        res.storage = std::make_unique<NbdServer>(bc);
      else
        res.storage = std::make_unique<IscsiServer>(bc);
    } else {
      res.storage = std::make_unique<GaneshaServer>(
          NfsConfig{.netns_path = ns_path,
                    .dir = record.scratch + "/nfs",
                    .log_dir = o.out_dir,
                    .client_ip = kGuestIp,
                    .version = sc.storage.version,
                    .mount_options = sc.storage.mount_options,
                    .swapfile_mib = sc.storage.swapfile_mib});
    }
    st = res.storage->Start();
    record.pids = res.storage->pids();
    state.Update(record);
    if (!st.ok()) return st;
    log("storage: " + res.storage->type() + " server in netns " + record.netns +
        ", " + std::to_string(sc.storage.swapfile_mib) + " MiB of swap");

    // The per-run initrd: cached image + this run's agent config.
    Rng hog_rng = Rng::ForStream(rep.seed, "hog");
    std::string conf;
    conf += "guest_ip=" + std::string(kGuestIp) +
            "\nprefix=" + std::to_string(kPrefix) + "\n";
    conf += "server_ip=" + std::string(kServerIp) + "\n";
    conf += res.storage->AgentConfig();
    conf += "cgroup=" + std::string(sc.cgroup.enabled ? "1" : "0") + "\n";
    if (sc.cgroup.memory_max_mib)
      conf += "memory_max=" + Mib(sc.cgroup.memory_max_mib) + "\n";
    if (sc.cgroup.memory_high_mib)
      conf += "memory_high=" + Mib(sc.cgroup.memory_high_mib) + "\n";
    conf += "hog_bytes=" + Mib(sc.workload.hog_mib) + "\n";
    conf +=
        "hog_seed=" + std::to_string(hog_rng.Next()) + "\ntelemetry_ms=250\n";
    if (sc.link.engine == "kernel-netem") {
      conf +=
          "netem_egress=" + NetemArgs(sc.link.config.impairments, "to_server") +
          "\n";
      conf +=
          "netem_ingress=" + NetemArgs(sc.link.config.impairments, "to_guest") +
          "\n";
    }
    if (!(st = WriteFile(o.out_dir + "/agent.conf", conf)).ok()) return st;
    std::string initrd = record.scratch + "/initrd.img";
    if (!(st = WriteRunInitrd(*image, {{"/etc/swapbench.conf", conf}}, initrd))
             .ok())
      return st;

    VmConfig vc;
    vc.name = record.domain;
    vc.memory_mib = sc.vm.memory_mib;
    vc.cpus = sc.vm.cpus;
    vc.kvm = kvm;
    vc.kernel = kernel->image;
    vc.initrd = initrd;
    // ignore_loglevel and sysrq_always_enabled: the SysRq dumps asked for on a
    // stall must reach the console (Debian's default kernel.sysrq=438 has no
    // dumps).
    vc.cmdline =
        "console=ttyS0,115200 ignore_loglevel sysrq_always_enabled panic=1 "
        "swapbench.run=" +
        id;
    if (!sc.vm.cmdline.empty()) vc.cmdline += " " + sc.vm.cmdline;
    vc.console_log = o.out_dir + "/console.log";
    vc.telemetry_log = o.out_dir + "/telemetry.jsonl";
    if (res.relay) {
      vc.relay_port = res.relay->local_port();
      vc.guest_port = *guest_port;
    }
    vc.tap = record.host_tap;
    vc.tap_offloads = o.direct_tap_offloads;
    WriteFile(o.out_dir + "/domain.xml", DomainXml(vc));
    res.vm = std::make_unique<LibvirtVm>(lv, vc);
    if (cancelled())
      return Status::Cancelled("cancelled before the guest started");
    if (!(st = res.vm->Start()).ok()) return st;
    if (o.direct_tap) {
      // The guest needs its network seconds from now (TCG boot).
      if (!(st = RunChecked(
                {"ip", "link", "set", record.host_tap, "netns", record.netns}))
               .ok())
        return st.Context("tap");
      if (!(st = server_side(record.host_tap)).ok()) return st;
    }
    return Status();
  }();

  ConsoleParser console;
  Telemetry telemetry;
  FileTail console_tail(o.out_dir + "/console.log");
  FileTail telemetry_tail(o.out_dir + "/telemetry.jsonl");
  auto drain = [&](bool flush) {
    console_tail.Drain([&](const std::string& l) { console.Feed(l); }, flush);
    telemetry_tail.Drain([&](const std::string& l) { telemetry.Feed(l); },
                         flush);
  };

  std::vector<LinkPoint> link_points;  // relay counters at each sample
  std::vector<Finding> runner_findings;
  bool outage_by_fault =
      false;  // the run ended while the bench held the server stopped
  std::vector<nlohmann::json> timeline;
  double link_cutoff =
      1e18;  // vm-relative end of the run: later link events never happened
  if (harness.ok()) {
    log("guest " + record.domain + " started (" + run.accel_reason + ")");
    double vm_start = Monotonic();
    double last_report = vm_start;
    Watchdog watchdog({.boot_timeout_s = double(sc.limits.boot_timeout_s),
                       .agent_silence_s = double(sc.limits.agent_silence_s),
                       .stall_s = double(sc.limits.stall_s)},
                      vm_start);
    long console_seen = 0;
    double last_progress = 0;
    double hog_start_host = -1;
    std::vector<FaultRun> faults;
    for (const auto& f : sc.faults) faults.push_back({&f});
    // Estimated guest clock now: the last sample's time plus the host time
    // since it arrived (good to one sample period).
    auto guest_now = [&](double now) {
      return telemetry.samples().empty()
                 ? -1.0
                 : telemetry.samples().back().t + (now - last_report);
    };
    auto apply = [&](FaultRun& fr, bool begin, double now) -> Status {
      const Scenario::Fault& f = *fr.fault;
      Status st;
      std::string ev = f.kind;
      if (f.kind == "server_stall") {
        st = begin ? res.storage->Pause() : res.storage->Resume();
        ev += begin ? "_begin" : "_end";
      } else if (f.kind == "server_restart") {
        st = res.storage->Restart();
      } else if (f.kind == "server_slow") {
        // A token bucket on the TAP's egress: what the server sends the guest.
        st = begin ? RunChecked({"tc", "-n", record.netns, "qdisc", "replace",
                                 "dev", kTapName, "root", "tbf", "rate",
                                 std::to_string(f.rate_kbit) + "kbit", "burst",
                                 "16kb", "latency", "400ms"})
                   : RunChecked({"tc", "-n", record.netns, "qdisc", "del",
                                 "dev", kTapName, "root"});
        ev += begin ? "_begin" : "_end";
      }
      nlohmann::json e = {
          {"source", "runner"},
          {"event", ev},
          {"host_s", std::round((now - vm_start) * 1000) / 1000},
          {"guest_s", std::round(guest_now(now) * 1000) / 1000},
          {"scenario_line", f.line}};
      if (begin && f.duration_s > 0) e["duration_s"] = f.duration_s;
      if (!st.ok()) e["error"] = st.message();
      timeline.push_back(e);
      log("fault: " + ev + (st.ok() ? "" : " failed: " + st.message()));
      return st.Context("fault " + f.kind + " (" + sc.path + ":" +
                        std::to_string(f.line) + ")");
    };
    size_t seen_lines = 0;
    bool stalled = false;
    std::string last_phase;
    for (;;) {
      drain(false);
      double now = Monotonic();
      size_t lines = telemetry.samples().size() + telemetry.events().size();
      if (lines != seen_lines) {
        for (size_t i = link_points.size(); i < telemetry.samples().size(); ++i)
          link_points.push_back(
              {telemetry.samples()[i].t,
               res.relay ? res.relay->counters() : RelayCounters{}});
        if (seen_lines == 0) run.boot_s = now - vm_start;
        seen_lines = lines;
        last_report = now;
        watchdog.OnTelemetry(
            now,
            telemetry.samples().empty() ? nullptr : &telemetry.samples().back(),
            telemetry.Event("hog_start") && !telemetry.Event("hog_exit"));
      }
      if (console.lines() != console_seen) {
        console_seen = console.lines();
        watchdog.OnConsole(now);
      }
      if (res.relay)
        if (double t = res.relay->last_tcp_data(); t >= 0)
          watchdog.OnLinkData(t);
      if (!telemetry.samples().empty() &&
          telemetry.samples().back().phase != last_phase) {
        last_phase = telemetry.samples().back().phase;
        log("guest phase: " + last_phase);
      }
      if (hog_start_host < 0 && telemetry.Event("hog_start")) {
        hog_start_host = now;
        if (res.relay)
          res.relay->SetEpoch(now);  // phases and floods count from here
        // The link's phases and floods on the run's timeline (those that
        // begin after the run ended are dropped below).
        auto link_event = [&](const std::string& ev, const std::string& name,
                              double after_s, int line) {
          timeline.push_back(
              {{"source", "link"},
               {"event", ev},
               {"name", name},
               {"host_s", std::round((now + after_s - vm_start) * 1000) / 1000},
               {"guest_s",
                std::round((guest_now(now) + after_s) * 1000) / 1000},
               {"scenario_line", line}});
        };
        if (res.relay) {
          for (const PhaseConfig& p : sc.link.config.phases) {
            link_event("phase_begin", p.name, p.at_s, p.line);
            link_event("phase_end", p.name, p.at_s + p.for_s, p.line);
          }
          for (const FloodConfig& f : sc.link.floods) {
            link_event("flood_begin", f.name, f.at_s, f.line);
            if (f.for_s > 0)
              link_event("flood_end", f.name, f.at_s + f.for_s, f.line);
          }
        }
      }
      int64_t written = telemetry.samples().empty()
                            ? 0
                            : telemetry.samples().back().hog_written;
      Status fault_status;
      for (FaultRun& fr : faults) {
        if (!fault_status.ok() || hog_start_host < 0) break;
        const Scenario::Fault& f = *fr.fault;
        if (!fr.started) {
          bool fire = f.at_s >= 0
                          ? now - hog_start_host >= f.at_s
                          : written * 4096 >= (int64_t{f.after_hog_mib} << 20);
          if (!fire) continue;
          fr.started = true;
          fr.end_at = now + f.duration_s;
          fr.ended = f.duration_s <= 0;
          fault_status = apply(fr, true, now);
        } else if (!fr.ended && now >= fr.end_at) {
          fr.ended = true;
          fault_status = apply(fr, false, now);
        }
        // Nothing is expected to move while the bench holds the server; the
        // watchdog's clocks start again when it lets go.
        if (fr.started)
          watchdog.Hold(fr.ended ? std::max(fr.end_at, 0.0) : now);
      }
      if (!fault_status.ok()) {
        harness = fault_status;
        break;
      }
      if (cancelled()) {
        harness = Status::Cancelled("cancelled by signal " +
                                    std::to_string(o.cancel->load()));
        break;
      }
      if (!res.vm->Running()) break;
      std::string relay_err = res.relay ? res.relay->error() : "";
      if (!relay_err.empty()) {
        harness = Status::Harness("relay: " + relay_err);
        break;
      }
      std::string storage_err = res.storage->Health();
      if (!storage_err.empty()) {
        harness = Status::Harness("storage: " + storage_err);
        break;
      }
      double elapsed = now - vm_start;
      Finding f;
      if (elapsed > sc.limits.deadline_s) {
        f.kind = "deadline";
        f.title = "run exceeded its deadline of " +
                  std::to_string(sc.limits.deadline_s) + " s (guest phase: " +
                  (last_phase.empty() ? "boot" : last_phase) + ")";
      }
      if (!f.kind.empty()) {
        runner_findings.push_back(f);
        stalled = true;
        break;
      }
      if (o.progress && now - last_progress >= 1) {
        last_progress = now;
        Progress p;
        p.phase = last_phase.empty() ? "boot" : last_phase;
        p.elapsed_s = elapsed;
        const auto& ss = telemetry.samples();
        if (ss.size() >= 2) {
          size_t j = ss.size() - 1;
          while (j > 0 && ss.back().t - ss[j].t < 1) --j;
          double dt = ss.back().t - ss[j].t;
          if (dt > 0)
            p.swapout_mib_s =
                (ss.back().pswpout - ss[j].pswpout) * 4096.0 / (1 << 20) / dt;
        }
        RelayCounters c = res.relay ? res.relay->counters() : RelayCounters{};
        p.dropped_to_guest = c.to_guest.dropped;
        p.dropped_to_server = c.to_server.dropped;
        p.findings = console.findings().size();
        o.progress(p);
      }
      if (auto verdict = watchdog.Check(now); !verdict.empty()) {
        for (auto& v : verdict) {
          log("watchdog: " + v.kind + ": " + v.title);
          runner_findings.push_back(std::move(v));
        }
        stalled = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    link_cutoff = Monotonic() - vm_start;
    // A fault still on when the run ended is ended now, and the timeline
    // says it was cut short (a stalled server must not stay stopped).
    for (FaultRun& fr : faults) {
      if (!fr.started || fr.ended) continue;
      fr.ended = true;
      apply(fr, false, Monotonic());
      outage_by_fault |= fr.fault->kind == "server_stall";
      timeline.back()["cut_short"] = true;
    }
    if (stalled && res.vm->Running()) {
      // The hung-task detector cannot be relied on (DESIGN.md): ask the
      // guest for blocked tasks and memory state before it is destroyed.
      log("guest stalled: saving registers, requesting SysRq w and m dumps");
      DumpStalledGuest(*res.vm, o.out_dir, &runner_findings);
    }
    run.stop_reason =
        res.vm->Running() ? "destroyed by the runner" : res.vm->StopReason();
    // QEMU itself failing (not the guest crashing) is the harness's fault.
    if (harness.ok() && run.stop_reason == "failed")
      harness = Status::Harness(
          "qemu: the emulator failed (libvirt stop reason \"failed\"); see "
          "qemu.log");
  }
  run.duration_s = Monotonic() - t_start;

  // Keep the server-side logs with the report, then tear everything down.
  if (res.vm && Exists(res.vm->qemu_log()))
    if (auto q = ReadFile(res.vm->qemu_log()); q.ok())
      WriteFile(o.out_dir + "/qemu.log", *q);
  if (res.relay) {
    res.relay->Stop();  // final counters; trace and captures closed
    run.link = res.relay->counters();
    run.link_detail = res.relay->snapshot();
  }
  run.link_engine = !o.direct_tap           ? sc.link.engine
                    : o.direct_tap_offloads ? "direct-tap"
                                            : "direct-tap-no-offload";
  res.Teardown();
  drain(true);
  console.Finish();

  // Assemble the run's result.
  run.console_lines = static_cast<int>(console.lines());
  // An NFS server that never came back because the bench still held it
  // stopped when the run ended is the bench's doing, not the kernel's.
  for (const Finding& f : console.findings())
    if (!(outage_by_fault && f.kind == "nfs_not_responding"))
      run.findings.push_back(f);
  for (auto& f : runner_findings) run.findings.push_back(f);
  Summarize(telemetry, &run);
  CrossCheckOom(telemetry, &run);
  run.series =
      BuildSeries(telemetry.samples(), link_points, sc.cgroup.memory_max_mib);
  run.events = telemetry.events();
  for (const ConsoleEvent& e : console.events())
    timeline.push_back(EventJson(e));
  std::erase_if(timeline, [&](const nlohmann::json& e) {
    return e.value("source", "") == "link" &&
           e.value("host_s", 0.0) > link_cutoff;
  });
  std::stable_sort(timeline.begin(), timeline.end(),
                   [](const auto& a, const auto& b) {
                     return a.value("guest_s", -1.0) < b.value("guest_s", -1.0);
                   });
  run.timeline = timeline;
  MarkFaultsInForce(run.timeline, &run.findings);
  if (const nlohmann::json* sw = telemetry.Event("swapon")) {
    run.swap_activated = true;
    run.swap_device = sw->value("device", "");
  }
  if (run.pages_corrupted > 0) {
    Finding f;
    f.kind = "corruption";
    f.title = std::to_string(run.pages_corrupted) +
              " hog pages came back from swap corrupted";
    run.findings.push_back(f);
  }
  const nlohmann::json* guest_error = telemetry.Event("error");
  bool powered_off = telemetry.Event("poweroff") != nullptr;
  if (harness.ok() && !guest_error && !powered_off && runner_findings.empty() &&
      console.findings().empty()) {
    Finding f;
    f.kind = "unexpected_stop";
    f.title =
        "guest stopped (" + run.stop_reason + ") before the agent finished";
    run.findings.push_back(f);
  }

  if (!harness.ok()) {
    run.verdict = "error";
    run.error = harness.message();
  } else if (guest_error) {
    run.verdict = "error";
    run.error = "guest setup failed at " + guest_error->value("step", "?") +
                ": " + guest_error->value("error", "") + " (" +
                guest_error->value("detail", "") + ")";
  } else {
    CheckExpectations(sc, &run);
    run.verdict = run.findings.empty() && run.unmet.empty() ? "pass" : "fail";
  }
  rep.runs.push_back(std::move(run));
  rep.verdict = OverallVerdict(rep.runs);
  s = WriteReport(rep, o.out_dir + "/report.json");
  if (!s.ok()) return s.Context("report");
  s = WriteFormats({ReportJson(rep)}, o.out_dir);
  if (!s.ok()) return s;
  if (harness.kind() == Status::Kind::kCancelled) return harness;
  return rep;
}

}  // namespace swapbench

namespace swapbench {

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

namespace swapbench {

void CrossCheckOom(const Telemetry& t, RunReport* run) {
  const auto& samples = t.samples();
  int console_memcg = 0, console_all = 0;
  for (Finding& f : run->findings) {
    if (f.kind != "oom_kill" && f.kind != "memcg_oom_kill") continue;
    ++console_all;
    if (f.kind == "memcg_oom_kill") ++console_memcg;
    // Swap usage at the last sample before the kill.
    const Sample* at = nullptr;
    for (const Sample& s : samples)
      if (f.kernel_time >= 0 && s.t <= f.kernel_time) at = &s;
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

}  // namespace swapbench

namespace swapbench {

void MarkFaultsInForce(const std::vector<nlohmann::json>& timeline,
                       std::vector<Finding>* findings) {
  for (Finding& f : *findings) {
    if (f.kernel_time < 0) continue;
    for (const auto& begin : timeline) {
      std::string ev = begin.value("event", "");
      if (begin.value("source", "") != "runner" || ev.size() < 7 ||
          ev.compare(ev.size() - 6, 6, "_begin") != 0)
        continue;
      double from = begin.value("guest_s", -1.0);
      if (from < 0 || f.kernel_time < from) continue;
      std::string kind = ev.substr(0, ev.size() - 6);
      double to = -1;
      for (const auto& end : timeline)
        if (end.value("event", "") == kind + "_end" &&
            end.value("scenario_line", -1) == begin.value("scenario_line", -2))
          to = end.value("guest_s", -1.0);
      if (to >= 0 && f.kernel_time > to) continue;
      char buf[96];
      snprintf(buf, sizeof(buf), "%s, %.1f s after it began", kind.c_str(),
               f.kernel_time - from);
      f.details["during_fault"] = buf;
    }
  }
}

}  // namespace swapbench
