#include "bench/raw_qemu.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "bench/fs_util.h"
#include "bench/process.h"
#include "images/agent/protocol.h"

namespace swapbench {

namespace {

constexpr char kControlLabel[] = "sbctl";

std::string DirOf(const std::string& path) {
  return std::filesystem::path(path).parent_path().string();
}

}  // namespace

std::vector<std::string> RawQemuArgv(const VmConfig& c,
                                     const std::string& monitor) {
  std::vector<std::string> a = {
      "qemu-system-x86_64",
      "-name",
      "guest=" + c.name,
      "-machine",
      "pc,accel=tcg",
      "-m",
      std::to_string(c.memory_mib),
      "-smp",
      std::to_string(c.cpus),
      "-nodefaults",
      "-no-user-config",
      "-display",
      "none",
      "-no-reboot",
      "-kernel",
      c.kernel,
      "-initrd",
      c.initrd,
      "-append",
      c.cmdline,
      "-serial",
      "file:" + c.console_log,
      "-monitor",
      "unix:" + monitor + ",server=on,wait=off",
      "-device",
      "virtio-serial-pci",
      "-chardev",
      "file,id=sbtel,path=" + c.telemetry_log,
      "-device",
      std::string("virtserialport,chardev=sbtel,name=") +
          protocol::kTelemetryPort,
      "-chardev",
      std::string("pty,id=") + kControlLabel,
      "-device",
      std::string("virtserialport,chardev=") + kControlLabel +
          ",name=" + protocol::kControlPort};
  std::string netdev =
      "tap,id=hostnet0,ifname=" + c.tap + ",script=no,downscript=no";
  if (c.nic == "virtio" && c.queues > 1)
    netdev += ",queues=" + std::to_string(c.queues);
  std::string device = (c.nic == "virtio" ? "virtio-net-pci" : c.nic) +
                       ",netdev=hostnet0,mac=" + c.mac;
  if (c.nic == "virtio" && !c.tap_offloads)
    device +=
        ",csum=off,gso=off,host_tso4=off,host_tso6=off,host_ecn=off,"
        "host_ufo=off,guest_csum=off,guest_tso4=off,guest_tso6=off,"
        "guest_ecn=off,guest_ufo=off";
  if (c.nic == "virtio" && c.queues > 1)
    device += ",mq=on,vectors=" + std::to_string(2 * c.queues + 2);
  a.insert(a.end(), {"-netdev", netdev, "-device", device});
  return a;
}

std::string PtyFromQemuLog(const std::string& log, const std::string& label) {
  const std::string tail = " (label " + label + ")";
  size_t at = log.find(tail);
  if (at == std::string::npos) return "";
  size_t from = log.rfind("redirected to ", at);
  if (from == std::string::npos) return "";
  from += 14;
  return log.substr(from, at - from);
}

std::unique_ptr<Vm> RawQemu::MakeVm(const VmConfig& c) {
  return std::make_unique<RawQemuVm>(c);
}

bool RawQemu::UseKvm(std::string* reason) {
  *reason = "raw QEMU baseline: TCG, as the runs it is measured against";
  return false;
}

RawQemuVm::RawQemuVm(VmConfig c)
    : c_(std::move(c)),
      log_(DirOf(c_.console_log) + "/qemu.log"),
      monitor_(DirOf(c_.console_log) + "/qemu-monitor.sock") {}

RawQemuVm::~RawQemuVm() { Destroy(); }

Status RawQemuVm::Start() {
  if (c_.tap.empty() || c_.kvm || !c_.hostdev_pci.empty() ||
      !c_.record_file.empty() || !c_.replay_file.empty())
    return Status::Harness(
        "raw qemu: only the direct-TAP TCG baseline is supported");
  Status s = WriteFile(c_.console_log, "");
  if (s.ok()) s = WriteFile(c_.telemetry_log, "");
  if (s.ok()) s = WriteFile(log_, "");
  if (!s.ok()) return s.Context("vm");
  unlink(monitor_.c_str());
  SpawnOptions so;
  so.log_path = log_;
  auto pid = Spawn(RawQemuArgv(c_, monitor_), so);
  if (!pid.ok()) return pid.status().Context("raw qemu");
  pid_ = *pid;
  // QEMU names the control port's pty on stderr as it starts.
  std::string pty;
  for (int i = 0; i < 100 && pty.empty() && Running(); ++i) {
    usleep(20000);
    pty = PtyFromQemuLog(ReadFile(log_).value_or(""), kControlLabel);
  }
  if (pty.empty())
    return Status::Harness("raw qemu: no control pty; " + log_ + ":\n" +
                           TailFile(log_, 8));
  // The monitor answers from the main loop, after every device is made:
  // then QEMU holds the TAP, which the direct path moves next.
  std::string net;
  for (int i = 0; i < 100 && Running(); ++i) {
    if (MonitorCommand("info network", &net).ok() &&
        net.find("hostnet0") != std::string::npos)
      break;
    usleep(20000);
  }
  if (net.find("hostnet0") == std::string::npos)
    return Status::Harness("raw qemu: the NIC never came up; " + log_ + ":\n" +
                           TailFile(log_, 8));
  control_fd_ = OpenControlPty(pty);
  return Status::Ok();
}

bool RawQemuVm::Running() {
  if (pid_ <= 0 || stopped_) return false;
  int st = 0;
  if (ChildAlive(pid_, &st)) return true;
  // -no-reboot: a guest that powers off or reboots makes QEMU exit 0.
  if (reason_.empty())
    reason_ = WIFEXITED(st) && WEXITSTATUS(st) == 0 ? "shutdown" : "failed";
  stopped_ = true;
  return false;
}

std::string RawQemuVm::StopReason() { return stopped_ ? reason_ : ""; }

void RawQemuVm::Destroy() {
  if (control_fd_ >= 0) close(control_fd_);
  control_fd_ = -1;
  if (pid_ > 0 && Running()) {
    reason_ = "destroyed";
    Terminate(pid_, 0);
    stopped_ = true;
  }
  unlink(monitor_.c_str());
}

// One HMP command over the monitor socket: the reply is what QEMU prints
// before its next "(qemu) " prompt.
Status RawQemuVm::MonitorCommand(const std::string& hmp, std::string* reply) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (fd < 0 || monitor_.size() >= sizeof(addr.sun_path))
    return Status::Harness("raw qemu monitor: cannot connect to " + monitor_);
  memcpy(addr.sun_path, monitor_.c_str(), monitor_.size() + 1);
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  std::string got;
  auto read_prompt = [&] {
    got.clear();
    char buf[4096];
    while (got.find("(qemu) ") == std::string::npos) {
      ssize_t n = read(fd, buf, sizeof(buf));
      if (n <= 0) return false;
      got.append(buf, n);
    }
    return true;
  };
  const std::string line = hmp + "\n";
  bool ok =
      connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      read_prompt() &&
      write(fd, line.data(), line.size()) ==
          static_cast<ssize_t>(line.size()) &&
      read_prompt();
  close(fd);
  if (!ok) return Status::Harness("raw qemu monitor: '" + hmp + "' failed");
  if (reply) *reply = got.substr(0, got.rfind("(qemu) "));
  return Status::Ok();
}

Status RawQemuVm::Release() { return WriteRelease(control_fd_); }

}  // namespace swapbench
