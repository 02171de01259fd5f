#include "bench/network_path.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netem/pcap.h"
#include "netem/tap.h"

namespace swapbench {

namespace {

constexpr const char* kTapName = "sbtap0";

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

Result<RelayOptions> RelayOptionsFor(const NetworkPathParams& p) {
  const Scenario& sc = *p.scenario;
  RelayOptions ro;
  ro.link = sc.link.config;
  ro.link.seed = p.seed;
  if (sc.link.engine == LinkEngine::kKernelNetem) {
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
  if (sc.capture.trace) ro.trace_path = p.out_dir + "/link-trace.tsv";
  if (sc.capture.pcap) {
    ro.pcap_guest_path = p.out_dir + "/guest.pcap";
    ro.pcap_server_path = p.out_dir + "/server.pcap";
    ro.snaplen = sc.capture.snaplen;
  }
  return ro;
}

class RelayPath : public NetworkPath {
 public:
  RelayPath(std::unique_ptr<Relay> relay, uint16_t guest_port,
            LinkEngine engine)
      : relay_(std::move(relay)), guest_port_(guest_port), engine_(engine) {}
  ~RelayPath() override { relay_->Stop(); }
  void ConfigureVm(VmConfig* vc) const override {
    vc->relay_port = relay_->local_port();
    vc->guest_port = guest_port_;
  }
  bool carries_link() const override { return true; }
  void SetEpoch(double now) override { relay_->SetEpoch(now); }
  RelayCounters counters() const override { return relay_->counters(); }
  double last_tcp_data() const override { return relay_->last_tcp_data(); }
  std::string error() const override { return relay_->error(); }
  RelaySnapshot Stop() override {
    relay_->Stop();
    return relay_->snapshot();
  }
  std::string server_device() const override { return kTapName; }
  std::string engine() const override { return Name(engine_); }

 private:
  std::unique_ptr<Relay> relay_;
  uint16_t guest_port_;
  LinkEngine engine_;
};

class DirectTap : public NetworkPath {
 public:
  DirectTap(Env* env, Netns* netns, std::string tap, bool offloads, int mtu)
      : env_(env),
        netns_(netns),
        tap_(std::move(tap)),
        offloads_(offloads),
        mtu_(mtu) {}
  // Still in the host namespace unless GuestStarted moved it (then the
  // namespace's deletion takes it).
  ~DirectTap() override { DeleteHostTap(env_, tap_); }
  void ConfigureVm(VmConfig* vc) const override {
    vc->tap = tap_;
    vc->tap_offloads = offloads_;
  }
  Status GuestStarted() override {
    // The guest needs its network seconds from now (TCG boot).
    Status s =
        env_->RunChecked({"ip", "link", "set", tap_, "netns", netns_->name()});
    if (!s.ok()) return s.Context("tap");
    return netns_->AddressServer(tap_, mtu_);
  }
  std::string server_device() const override { return tap_; }
  std::string engine() const override {
    return offloads_ ? "direct-tap" : "direct-tap-no-offload";
  }

 private:
  Env* env_;
  Netns* netns_;
  std::string tap_;
  bool offloads_;
  int mtu_;
};

}  // namespace

Result<std::unique_ptr<NetworkPath>> MakeRelayPath(const NetworkPathParams& p) {
  auto ro = RelayOptionsFor(p);
  if (!ro.ok()) return ro.status();
  std::string err;
  int tap = OpenTapInNetns(p.netns->path(), kTapName, &err);
  if (tap < 0) return Status::Harness("tap: " + err);
  auto relay = std::make_unique<Relay>(*ro, tap);
  if (Status s = p.netns->AddressServer(kTapName, p.scenario->vm.mtu); !s.ok())
    return s;
  auto port = FreeUdpPort();
  if (!port.ok()) return port.status().Context("relay");
  if (!relay->Open(*port) || !relay->Start())
    return Status::Harness("relay: " + relay->error());
  return std::unique_ptr<NetworkPath>(std::make_unique<RelayPath>(
      std::move(relay), *port, p.scenario->link.engine));
}

NetworkPathFactory DirectTapPath(bool offloads) {
  return [offloads](const NetworkPathParams& p)
             -> Result<std::unique_ptr<NetworkPath>> {
    // Interface names are at most 15 bytes.
    std::string tap = ("t" + p.run_id).substr(0, 15);
    if (Status s = p.record_host_tap(tap); !s.ok()) return s;
    Status s =
        p.env->RunChecked({"ip", "tuntap", "add", "dev", tap, "mode", "tap"});
    if (!s.ok()) return s.Context("tap");
    return std::unique_ptr<NetworkPath>(std::make_unique<DirectTap>(
        p.env, p.netns, tap, offloads, p.scenario->vm.mtu));
  };
}

}  // namespace swapbench
