#include "bench/tcpreplay.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <map>

namespace swapbench {

namespace {

// What an option's value may be. No option here names a file, an
// interface or a time seed: the bench owns those.
enum class Value { kNone, kNumber, kWord };

struct Allowed {
  const char* name;
  Value value;
};

constexpr Allowed kTcpreplay[] = {
    {"--pps", Value::kNumber},
    {"--mbps", Value::kNumber},
    {"--multiplier", Value::kNumber},
    {"--topspeed", Value::kNone},
    {"--loop", Value::kNumber},
    {"--loopdelay-ms", Value::kNumber},
    {"--loopdelay-ns", Value::kNumber},
    {"--limit", Value::kNumber},
    {"--duration", Value::kNumber},
    {"--pps-multi", Value::kNumber},
    {"--preload-pcap", Value::kNone},
    {"--unique-ip", Value::kNone},
    {"--unique-ip-loops", Value::kNumber},
    {"--stats", Value::kNumber},
    {"--no-flow-stats", Value::kNone},
    {"--timer", Value::kWord},
    {"--quiet", Value::kNone},
};

constexpr Allowed kTcprewrite[] = {
    {"--srcipmap", Value::kWord},  {"--dstipmap", Value::kWord},
    {"--pnat", Value::kWord},      {"--enet-smac", Value::kWord},
    {"--enet-dmac", Value::kWord}, {"--portmap", Value::kWord},
    {"--seed", Value::kNumber},    {"--ttl", Value::kWord},
    {"--tos", Value::kNumber},     {"--mtu", Value::kNumber},
    {"--mtu-trunc", Value::kNone}, {"--fixcsum", Value::kNone},
    {"--fixlen", Value::kWord},    {"--skipbroadcast", Value::kNone},
};

bool IsNumber(const std::string& v) {
  if (v.empty()) return false;
  return std::all_of(v.begin(), v.end(),
                     [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

// Addresses, maps, MACs and words: nothing a shell or a path needs.
bool IsWord(const std::string& v) {
  if (v.empty()) return false;
  return std::all_of(v.begin(), v.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
           (c >= 'A' && c <= 'Z') || c == ':' || c == '.' || c == ',' ||
           c == '/' || c == '-' || c == '+';
  });
}

template <size_t N>
std::string Names(const Allowed (&list)[N]) {
  std::string s;
  for (const Allowed& a : list)
    s += (s.empty() ? "" : ", ") + std::string(a.name) +
         (a.value == Value::kNone ? "" : "=…");
  return s;
}

template <size_t N>
std::string Check(const char* tool, const Allowed (&list)[N],
                  const std::vector<std::string>& options) {
  for (const std::string& o : options) {
    size_t eq = o.find('=');
    std::string name = o.substr(0, eq);
    std::string value = eq == std::string::npos ? "" : o.substr(eq + 1);
    const Allowed* a = nullptr;
    for (const Allowed& x : list)
      if (name == x.name) a = &x;
    if (!a)
      return "\"" + o + "\" is not a " + tool +
             " option swapbench passes on (long options only: " + Names(list) +
             ")";
    bool ok = a->value == Value::kNone     ? eq == std::string::npos
              : a->value == Value::kNumber ? IsNumber(value)
                                           : IsWord(value);
    if (!ok)
      return "\"" + o + "\": " + name +
             (a->value == Value::kNone ? " takes no value"
              : a->value == Value::kNumber
                  ? " takes a number (" + name + "=N)"
                  : " takes a value of letters, digits and :.,/-+");
  }
  return "";
}

}  // namespace

std::string CheckTcpreplayOptions(const std::vector<std::string>& options) {
  std::string why = Check("tcpreplay", kTcpreplay, options);
  if (!why.empty()) return why;
  int rates = 0;
  for (const std::string& o : options)
    for (const char* r : {"--pps=", "--mbps=", "--multiplier=", "--topspeed"})
      rates += o.rfind(r, 0) == 0;
  if (rates > 1)
    return "one rate at most: --pps, --mbps, --multiplier or --topspeed";
  return "";
}

std::string CheckTcprewriteOptions(const std::vector<std::string>& options) {
  return Check("tcprewrite", kTcprewrite, options);
}

std::vector<std::string> TcprewriteArgv(const FloodConfig& f,
                                        const std::string& in,
                                        const std::string& out,
                                        const std::string& guest_mac,
                                        const std::string& guest_ip) {
  std::vector<std::string> argv = {"tcprewrite", "--infile=" + in,
                                   "--outfile=" + out};
  if (!f.tcprewrite_options.empty()) {
    argv.insert(argv.end(), f.tcprewrite_options.begin(),
                f.tcprewrite_options.end());
  } else {
    argv.push_back("--enet-dmac=" + guest_mac);
    argv.push_back("--dstipmap=0.0.0.0/0:" + guest_ip + "/32");
    argv.push_back("--fixcsum");
  }
  return argv;
}

std::vector<std::string> TcpreplayArgv(const FloodConfig& f,
                                       const std::string& interface,
                                       const std::string& capture) {
  std::vector<std::string> argv = {"tcpreplay", "--intf1=" + interface};
  argv.insert(argv.end(), f.tcpreplay_options.begin(),
              f.tcpreplay_options.end());
  argv.push_back(capture);
  return argv;
}

void InterruptThenTerminate(pid_t pid) {
  if (pid <= 0) return;
  kill(-pid, SIGINT);
  for (int i = 0; i < 20; ++i) {
    if (!ChildAlive(pid)) return;
    usleep(50 * 1000);
  }
  Terminate(pid, 1000);
}

std::string TcpreplayFloods::WriterEnd(size_t index) {
  return "sbfl" + std::to_string(index) + "w";
}

std::string TcpreplayFloods::ReaderEnd(size_t index) {
  return "sbfl" + std::to_string(index) + "r";
}

Result<std::string> TcpreplayFloods::Add(size_t index, const FloodConfig& f) {
  Flood fl;
  fl.config = f;
  fl.port = WriterEnd(index);
  fl.capture = f.file;
  fl.log = p_.out_dir + "/flood-" + f.name + ".tcpreplay.log";
  const std::string context = "flood " + f.name;
  if (f.rewrite || !f.tcprewrite_options.empty()) {
    fl.capture = p_.out_dir + "/flood-" + f.name + ".pcap";
    Status s = p_.env->RunChecked(
        TcprewriteArgv(f, f.file, fl.capture, p_.guest_mac, p_.guest_ip));
    if (!s.ok()) return s.Context(context);
  }
  // Only tcpreplay's frames cross the pair: no IPv6 (router solicitations,
  // DAD) and no addresses.
  const std::string& n = p_.netns;
  const std::string w = fl.port, r = ReaderEnd(index),
                    mtu = std::to_string(p_.mtu);
  for (const auto& argv : std::vector<std::vector<std::string>>{
           {"ip", "-n", n, "link", "add", w, "mtu", mtu, "type", "veth", "peer",
            "name", r, "mtu", mtu},
           {"ip", "netns", "exec", n, "sysctl", "-qw",
            "net.ipv6.conf." + w + ".disable_ipv6=1",
            "net.ipv6.conf." + r + ".disable_ipv6=1"},
           {"ip", "-n", n, "link", "set", w, "up"},
           {"ip", "-n", n, "link", "set", r, "up"}})
    if (Status s = p_.env->RunChecked(argv); !s.ok()) return s.Context(context);
  floods_.push_back(std::move(fl));
  return r;
}

Status TcpreplayFloods::Launch(Flood* f) {
  SpawnOptions o;
  o.netns_path = "/run/netns/" + p_.netns;
  o.log_path = f->log;
  auto pid =
      p_.children.spawn(TcpreplayArgv(f->config, f->port, f->capture), o);
  if (!pid.ok()) return pid.status().Context("flood " + f->config.name);
  f->pid = *pid;
  if (p_.record_pid) p_.record_pid(f->pid);
  return Status::Ok();
}

// The flood's tcpreplay has exited: fine if it finished its loops.
Status TcpreplayFloods::Reap(Flood* f) {
  int st = 0;
  if (p_.children.alive(f->pid, &st)) return Status::Ok();
  f->pid = -1;
  f->done = true;
  if (WIFEXITED(st) && WEXITSTATUS(st) == 0) return Status::Ok();
  std::string how =
      WIFEXITED(st) ? "exited " + std::to_string(WEXITSTATUS(st))
                    : "was killed by signal " + std::to_string(WTERMSIG(st));
  return Status::Harness("flood " + f->config.name + ": tcpreplay " + how +
                         ": " + TailFile(f->log, 3));
}

Status TcpreplayFloods::Tick(double now) {
  if (epoch_ < 0) return Status::Ok();
  const double t = now - epoch_;
  for (Flood& f : floods_) {
    if (f.done) continue;
    const FloodConfig& c = f.config;
    if (f.pid < 0) {
      if (t < c.at_s) continue;
      if (Status s = Launch(&f); !s.ok()) return s;
    }
    if (Status s = Reap(&f); !s.ok()) return s;
    if (f.done) continue;
    if (c.for_s > 0 && t >= c.at_s + c.for_s) {
      p_.children.stop(f.pid);
      f.pid = -1;
      f.done = true;
    }
  }
  return Status::Ok();
}

void TcpreplayFloods::Stop() {
  for (Flood& f : floods_)
    if (f.pid > 0) {
      p_.children.stop(f.pid);
      f.pid = -1;
      f.done = true;
    }
}

}  // namespace swapbench
