// tcpreplay floods ([[flood]] kind "tcpreplay"): the real tcpreplay, run
// with the user's own options inside the storage namespace, writing to one
// end of a veth pair whose other end the relay reads (Relay::AddFloodPort),
// so its frames pass the to_guest chain, the trace and the captures like
// any server-side frame. The capture is first re-addressed to the guest
// with tcprewrite (or with the user's tcprewrite options).
//
// This module owns: which tcpreplay/tcprewrite options a scenario may pass
// (an allowlist: nothing that reads or writes files, picks interfaces or
// seeds from time), the two command lines, the veth port, and the process's
// life — started at the flood's `at` after the epoch, stopped at `at + for`
// or at the end of the run, its pid recorded so a killed run's is reaped.
//
// Threading: TcpreplayFloods is made, ticked and stopped on the run's
// thread; it starts no thread of its own.
#ifndef SWAPBENCH_BENCH_TCPREPLAY_H_
#define SWAPBENCH_BENCH_TCPREPLAY_H_

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "bench/env.h"
#include "bench/process.h"
#include "bench/status.h"
#include "netem/flood.h"

namespace swapbench {

// "" when every option is one swapbench passes on, else why not (naming
// the option and the allowed ones).
std::string CheckTcpreplayOptions(const std::vector<std::string>& options);
std::string CheckTcprewriteOptions(const std::vector<std::string>& options);

// tcprewrite's command line: `in` → `out`, every frame's destination set to
// the guest's MAC and IPv4 address with checksums fixed, or the flood's own
// tcprewrite options instead.
std::vector<std::string> TcprewriteArgv(const FloodConfig& f,
                                        const std::string& in,
                                        const std::string& out,
                                        const std::string& guest_mac,
                                        const std::string& guest_ip);
// tcpreplay's: the user's options, the port, the capture.
std::vector<std::string> TcpreplayArgv(const FloodConfig& f,
                                       const std::string& interface,
                                       const std::string& capture);

// SIGINT to the process group, up to 1 s to exit, then Terminate.
void InterruptThenTerminate(pid_t pid);

// The processes' OS boundary (process.h by default; a fake in tests).
struct Children {
  std::function<Result<pid_t>(const std::vector<std::string>&,
                              const SpawnOptions&)>
      spawn = Spawn;
  std::function<bool(pid_t, int*)> alive = ChildAlive;
  // SIGINT first: tcpreplay prints its statistics to its log on it.
  std::function<void(pid_t)> stop = InterruptThenTerminate;
};

class TcpreplayFloods {
 public:
  struct Params {
    Env* env = nullptr;
    std::string netns;    // the storage namespace's name
    std::string out_dir;  // rewritten captures and tcpreplay's logs
    int mtu = 1500;       // the veth ports'
    std::string guest_mac, guest_ip;
    std::function<void(pid_t)> record_pid;  // before the pid is waited on
    Children children;
  };
  explicit TcpreplayFloods(Params p) : p_(std::move(p)) {}
  ~TcpreplayFloods() { Stop(); }
  TcpreplayFloods(const TcpreplayFloods&) = delete;
  TcpreplayFloods& operator=(const TcpreplayFloods&) = delete;

  // For flood `index` (of the scenario's floods): the capture rewritten
  // and a veth pair made in the namespace; returns the name of the end the
  // relay reads.
  Result<std::string> Add(size_t index, const FloodConfig& f);
  // Floods count from `now` (Env::Now seconds).
  void SetEpoch(double now) { epoch_ = now; }
  // Starts the floods that are due, stops those whose time is up; a
  // tcpreplay that exits non-zero on its own is a harness failure.
  [[nodiscard]] Status Tick(double now);
  // Stops every tcpreplay still running.
  void Stop();

  // Names of the veth pair for flood `index`: tcpreplay's end, the relay's.
  static std::string WriterEnd(size_t index);
  static std::string ReaderEnd(size_t index);

 private:
  struct Flood {
    FloodConfig config;
    std::string port, capture, log;
    pid_t pid = -1;
    bool done = false;
  };
  Status Launch(Flood* f);
  Status Reap(Flood* f);

  Params p_;
  std::vector<Flood> floods_;
  double epoch_ = -1;
};

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_TCPREPLAY_H_
