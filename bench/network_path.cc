#include "bench/network_path.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench/tcpreplay.h"
#include "netem/packet.h"
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

// How the guest's frames reach the relay, as the domain and the host see
// it: QEMU's UDP socket, a TAP cabled by veth, or a real port.
class GuestSide {
 public:
  virtual ~GuestSide() = default;
  virtual void ConfigureVm(VmConfig* vc) const = 0;
  [[nodiscard]] virtual Status GuestStarted() { return Status::Ok(); }
  // Opens the relay's guest side.
  [[nodiscard]] virtual Status Open(Relay* relay) = 0;
};

// The relay's guest side on an AF_PACKET socket bound to `ifname` in
// `netns_path` ("" : the host's), with virtio-net headers if `vnet_hdr`.
Status OpenPacketSide(Relay* relay, const std::string& netns_path,
                      const std::string& ifname, bool vnet_hdr = false) {
  std::string err;
  int fd = OpenPacketSocket(netns_path, ifname, &err, vnet_hdr);
  if (fd < 0) return Status::Harness("relay: AF_PACKET endpoint: " + err);
  if (!relay->OpenPacket(fd))
    return Status::Harness("relay: " + relay->error());
  return Status::Ok();
}

class UdpSide : public GuestSide {
 public:
  UdpSide(uint16_t guest_port, const Relay* relay)
      : guest_port_(guest_port), relay_(relay) {}
  void ConfigureVm(VmConfig* vc) const override {
    vc->relay_port = relay_->local_port();
    vc->guest_port = guest_port_;
  }
  Status Open(Relay* relay) override {
    if (!relay->Open(guest_port_))
      return Status::Harness("relay: " + relay->error());
    return Status::Ok();
  }

 private:
  uint16_t guest_port_;
  const Relay* relay_;
};

// The bench's own cable (link.endpoint "tap" and "veth"): in a namespace
// of its own, a bridge joins the guest's TAP and one end of a veth pair;
// the relay reads and writes the other end with AF_PACKET. The guest's NIC
// sees an Ethernet segment, as it would with a real port. Its own
// namespace, IPv6 off: nothing in it answers the guest but the relay.
// With `offloads` ("tap", the default) the TAP keeps the guest's TSO and
// checksum offloads and the relay reads virtio-net headers: a GSO
// super-frame crosses the bridge and the veth whole. Without ("veth", the
// AF_PACKET endpoint under test without hardware) the guest segments.
class VethCable : public GuestSide {
 public:
  VethCable(Env* env, std::string netns, std::string tap, int mtu, int queues,
            bool offloads)
      : env_(env),
        netns_(std::move(netns)),
        tap_(std::move(tap)),
        mtu_(std::to_string(mtu)),
        queues_(queues),
        offloads_(offloads) {}
  ~VethCable() override {
    DeleteHostTap(env_, tap_);
    DeleteNetns(env_, netns_);
  }
  Status Make() {
    const std::string& n = netns_;
    std::vector<std::vector<std::string>> steps = {
        {"ip", "netns", "add", n},
        {"ip", "netns", "exec", n, "sysctl", "-qw",
         "net.ipv6.conf.all.disable_ipv6=1",
         "net.ipv6.conf.default.disable_ipv6=1"},
        {"ip", "-n", n, "link", "add", kBridge, "mtu", mtu_, "type", "bridge"},
        {"ip", "-n", n, "link", "add", kCable, "mtu", mtu_, "type", "veth",
         "peer", "name", kRelayEnd, "mtu", mtu_},
        {"ip", "-n", n, "link", "set", kCable, "master", kBridge, "up"},
        {"ip", "-n", n, "link", "set", kBridge, "up"},
        {"ip", "tuntap", "add", "dev", tap_, "mode", "tap"}};
    if (queues_ > 1) steps.back().push_back("multi_queue");
    if (queues_ > 1 || offloads_) steps.back().push_back("vnet_hdr");
    for (const auto& argv : steps)
      if (Status s = env_->RunChecked(argv); !s.ok())
        return s.Context("veth cable");
    return Status::Ok();
  }
  void ConfigureVm(VmConfig* vc) const override {
    vc->tap = tap_;
    vc->tap_offloads = offloads_;
  }
  Status GuestStarted() override {
    for (const auto& argv : std::vector<std::vector<std::string>>{
             {"ip", "link", "set", tap_, "netns", netns_},
             {"ip", "-n", netns_, "link", "set", tap_, "mtu", mtu_, "master",
              kBridge, "up"}})
      if (Status s = env_->RunChecked(argv); !s.ok())
        return s.Context("veth cable");
    return Status::Ok();
  }
  Status Open(Relay* relay) override {
    return OpenPacketSide(relay, "/run/netns/" + netns_, kRelayEnd, offloads_);
  }

  static constexpr const char* kBridge = "sbbr0";
  static constexpr const char* kCable = "sbveth0";
  static constexpr const char* kRelayEnd = "sbveth1";

 private:
  Env* env_;
  std::string netns_, tap_, mtu_;
  int queues_;
  bool offloads_;
};

// A real port (link.endpoint "host-interface"): the host interface cabled
// to the NIC passed through to the guest. The checks (bench/hostdev.h)
// ran before the run began.
class HostPort : public GuestSide {
 public:
  explicit HostPort(std::string ifname) : ifname_(std::move(ifname)) {}
  void ConfigureVm(VmConfig*) const override {}  // vm.hostdev: the domain's
  Status Open(Relay* relay) override {
    return OpenPacketSide(relay, "", ifname_);
  }

 private:
  std::string ifname_;
};

class RelayPath : public NetworkPath {
 public:
  RelayPath(std::unique_ptr<Relay> relay, std::unique_ptr<GuestSide> side,
            std::unique_ptr<TcpreplayFloods> tcpreplay, LinkEngine engine,
            std::string endpoint)
      : relay_(std::move(relay)),
        side_(std::move(side)),
        tcpreplay_(std::move(tcpreplay)),
        engine_(engine),
        endpoint_(std::move(endpoint)) {}
  ~RelayPath() override {
    tcpreplay_->Stop();
    relay_->Stop();
  }
  void ConfigureVm(VmConfig* vc) const override { side_->ConfigureVm(vc); }
  Status GuestStarted() override { return side_->GuestStarted(); }
  bool carries_link() const override { return true; }
  void SetEpoch(double now) override {
    relay_->SetEpoch(now);
    tcpreplay_->SetEpoch(now);
  }
  Status Tick(double now) override { return tcpreplay_->Tick(now); }
  RelayCounters counters() const override { return relay_->counters(); }
  double last_tcp_data() const override { return relay_->last_tcp_data(); }
  std::string error() const override { return relay_->error(); }
  RelaySnapshot Stop() override {
    tcpreplay_->Stop();
    relay_->Stop();
    return relay_->snapshot();
  }
  std::string server_device() const override { return kTapName; }
  // The default endpoint's is the engine's own name ("relay").
  std::string engine() const override {
    return endpoint_ == kDefaultEndpoint
               ? Name(engine_)
               : std::string(Name(engine_)) + "+" + endpoint_;
  }

 private:
  std::unique_ptr<Relay> relay_;
  std::unique_ptr<GuestSide> side_;
  std::unique_ptr<TcpreplayFloods> tcpreplay_;
  LinkEngine engine_;
  std::string endpoint_;
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

// The scenario's tcpreplay floods: each one's port in the storage
// namespace, read by the relay.
Result<std::unique_ptr<TcpreplayFloods>> AddTcpreplayFloods(
    const NetworkPathParams& p, Relay* relay) {
  const Scenario& sc = *p.scenario;
  auto floods = std::make_unique<TcpreplayFloods>(
      TcpreplayFloods::Params{.env = p.env,
                              .netns = p.netns->name(),
                              .out_dir = p.out_dir,
                              .mtu = sc.vm.mtu,
                              .guest_mac = VmConfig{}.mac,
                              .guest_ip = kGuestIp,
                              .record_pid = p.record_pid,
                              .children = {}});
  for (size_t i = 0; i < sc.link.floods.size(); ++i) {
    if (sc.link.floods[i].kind != "tcpreplay") continue;
    auto port = floods->Add(i, sc.link.floods[i]);
    if (!port.ok()) return port.status();
    std::string err;
    int fd = OpenPacketSocket(p.netns->path(), *port, &err);
    if (fd < 0)
      return Status::Harness("flood " + sc.link.floods[i].name + ": " + err);
    relay->AddFloodPort(i, fd);
  }
  return floods;
}

}  // namespace

Result<std::unique_ptr<NetworkPath>> MakeRelayPath(const NetworkPathParams& p) {
  auto ro = RelayOptionsFor(p);
  if (!ro.ok()) return ro.status();
  const Scenario& sc = *p.scenario;
  // Measured: a recording made with the guest's offloads on stalls in
  // replay (the replay's netdev offers the guest none).
  const std::string endpoint =
      p.record && sc.link.endpoint == "tap" ? "udp" : sc.link.endpoint;
  // Offloads cross the link only on the "tap" endpoint: both of the relay's
  // sides then carry virtio-net headers.
  ro->vnet_hdr = endpoint == "tap";
  std::string err;
  int tap = OpenTapInNetns(p.netns->path(), kTapName, &err, ro->vnet_hdr);
  if (tap < 0) return Status::Harness("tap: " + err);
  auto relay = std::make_unique<Relay>(*ro, tap);
  if (Status s = p.netns->AddressServer(kTapName, sc.vm.mtu); !s.ok()) return s;
  std::unique_ptr<GuestSide> side;
  if (endpoint == "veth" || endpoint == "tap") {
    // Interface names are at most 15 bytes.
    std::string tap = ("t" + p.run_id).substr(0, 15);
    std::string wire = p.netns->name() + "-w";
    if (Status s = p.record_host_tap(tap, wire); !s.ok()) return s;
    auto cable = std::make_unique<VethCable>(p.env, wire, tap, sc.vm.mtu,
                                             sc.vm.queues, ro->vnet_hdr);
    if (Status s = cable->Make(); !s.ok()) return s;
    side = std::move(cable);
  } else if (endpoint == "host-interface") {
    side = std::make_unique<HostPort>(sc.link.host_interface);
  } else {
    auto port = FreeUdpPort();
    if (!port.ok()) return port.status().Context("relay");
    side = std::make_unique<UdpSide>(*port, relay.get());
  }
  if (Status s = side->Open(relay.get()); !s.ok()) return s;
  auto tcpreplay = AddTcpreplayFloods(p, relay.get());
  if (!tcpreplay.ok()) return tcpreplay.status();
  if (!relay->Start()) return Status::Harness("relay: " + relay->error());
  return std::unique_ptr<NetworkPath>(std::make_unique<RelayPath>(
      std::move(relay), std::move(side), std::move(*tcpreplay), sc.link.engine,
      endpoint));
}

NetworkPathFactory DirectTapPath(bool offloads) {
  return [offloads](const NetworkPathParams& p)
             -> Result<std::unique_ptr<NetworkPath>> {
    // Interface names are at most 15 bytes.
    std::string tap = ("t" + p.run_id).substr(0, 15);
    if (Status s = p.record_host_tap(tap, ""); !s.ok()) return s;
    Status s =
        p.env->RunChecked({"ip", "tuntap", "add", "dev", tap, "mode", "tap"});
    if (!s.ok()) return s.Context("tap");
    return std::unique_ptr<NetworkPath>(std::make_unique<DirectTap>(
        p.env, p.netns, tap, offloads, p.scenario->vm.mtu));
  };
}

}  // namespace swapbench
