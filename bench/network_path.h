// NetworkPath: how the guest's frames reach the storage namespace.
//
//   RelayPath      the relay carries the guest's frames through the
//                  scenario's seeded link (impairments, phases, floods,
//                  trace, captures) to a TAP in the namespace; the only path
//                  the link applies on. Its guest side (link.endpoint):
//                  "tap" (the default) the guest's TAP, offloads kept, on a
//                  bridge with a veth pair in a namespace of its own, the
//                  relay reading the far end with AF_PACKET and virtio-net
//                  headers; "veth" the same with the guest's offloads off;
//                  "udp" QEMU's UDP socket netdev on loopback; and
//                  "host-interface" a host port cabled to a real NIC passed
//                  to the guest.
//   DirectTapPath  QEMU's own TAP, made in the host namespace and moved into
//                  the run's namespace once QEMU holds it; no relay, no
//                  link. bench-relay's baseline, with or without offloads.
//
// Abstract so the runner can be tested on a fake (bench/testing.h).
// Threading: made, started and stopped on the run's thread; counters(),
// last_tcp_data() and error() may be called from any thread.
#ifndef SWAPBENCH_BENCH_NETWORK_PATH_H_
#define SWAPBENCH_BENCH_NETWORK_PATH_H_

#include <functional>
#include <memory>
#include <string>

#include "bench/env.h"
#include "bench/netns.h"
#include "bench/scenario.h"
#include "bench/status.h"
#include "bench/vm.h"
#include "netem/relay.h"

namespace swapbench {

class NetworkPath {
 public:
  virtual ~NetworkPath() = default;
  // The guest's NIC in the domain.
  virtual void ConfigureVm(VmConfig* vc) const = 0;
  // QEMU holds its end now (the direct TAP moves into the namespace).
  [[nodiscard]] virtual Status GuestStarted() { return Status::Ok(); }
  // Whether the scenario's link (phases, floods) applies on this path.
  virtual bool carries_link() const { return false; }
  // Phases and floods count from `now` (Env::Now seconds).
  virtual void SetEpoch(double now) { (void)now; }
  // Called every round of the run's watch (tcpreplay floods start and stop
  // here); an error ends the run as a harness failure.
  [[nodiscard]] virtual Status Tick(double now) {
    (void)now;
    return Status::Ok();
  }
  virtual RelayCounters counters() const { return {}; }
  // Env::Now seconds at which new TCP data last crossed; -1 if never.
  virtual double last_tcp_data() const { return -1; }
  // Empty while healthy.
  virtual std::string error() const { return ""; }
  // Stops carrying frames (trace and captures closed); what it did.
  virtual RelaySnapshot Stop() { return {}; }
  // The server's device in the namespace (server_slow shapes its egress).
  virtual std::string server_device() const = 0;
  // report.json link.engine: "relay", "kernel-netem", "direct-tap", ...
  virtual std::string engine() const = 0;
};

struct NetworkPathParams {
  Env* env = nullptr;
  const Scenario* scenario = nullptr;
  uint64_t seed = 0;       // the run's (link streams derive from it)
  Netns* netns = nullptr;  // the run's namespace
  std::string out_dir;     // trace and captures go here
  std::string run_id;      // names the direct TAP
  // The run is recorded (--record): QEMU 7.2 replays the network through
  // a netdev without a virtio-net header, so a recording must not depend
  // on one: the "tap" endpoint gives way to "udp" (wire frames).
  bool record = false;
  // Called with a host TAP's name (and the cable's namespace, "" if none)
  // before they are made, so that a killed run's are reaped; a failure
  // aborts.
  std::function<Status(const std::string&, const std::string&)> record_host_tap;
  // Called with the pid of a process the path started (tcpreplay), so that
  // a killed run's is reaped.
  std::function<void(pid_t)> record_pid;
};

using NetworkPathFactory = std::function<Result<std::unique_ptr<NetworkPath>>(
    const NetworkPathParams&)>;

// The relay, configured from the scenario's [link], [[flood]], [capture].
Result<std::unique_ptr<NetworkPath>> MakeRelayPath(const NetworkPathParams& p);
// QEMU's TAP; `offloads` false turns csum/TSO/GSO off on both sides.
NetworkPathFactory DirectTapPath(bool offloads);

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_NETWORK_PATH_H_
