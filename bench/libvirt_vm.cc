#include "bench/libvirt_vm.h"

#include <fcntl.h>
#include <libvirt/libvirt-qemu.h>
#include <libvirt/virterror.h>
#include <linux/kvm.h>
#include <poll.h>
#include <pwd.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <thread>

#include "bench/fs_util.h"
#include "bench/hostdev.h"
#include "images/agent/protocol.h"

namespace swapbench {

namespace {
void IgnoreError(void*, virErrorPtr) {}

std::string XmlEscape(const std::string& s) {
  std::string o;
  for (char ch : s) {
    switch (ch) {
      case '&':
        o += "&amp;";
        break;
      case '<':
        o += "&lt;";
        break;
      case '>':
        o += "&gt;";
        break;
      case '\'':
        o += "&apos;";
        break;
      case '"':
        o += "&quot;";
        break;
      default:
        o += ch;
    }
  }
  return o;
}
}  // namespace

std::string LibvirtError() {
  const char* m = virGetLastErrorMessage();
  return m ? m : "unknown libvirt error";
}

bool UseKvm(std::string* reason) {
  if (Exists("/sys/module/kvm_pvm")) {
    *reason =
        "TCG: /dev/kvm is PVM-based (module kvm_pvm), which hangs stock guest "
        "kernels";
    return false;
  }
  if (!Exists("/dev/kvm")) {
    *reason = "TCG: no /dev/kvm";
    return false;
  }
  // /dev/kvm must really create a VM, not merely exist.
  int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    *reason = std::string("TCG: cannot open /dev/kvm: ") + strerror(errno);
    return false;
  }
  int api = ioctl(fd, KVM_GET_API_VERSION, 0);
  int vm = api == KVM_API_VERSION ? ioctl(fd, KVM_CREATE_VM, 0) : -1;
  close(fd);
  if (vm < 0) {
    *reason =
        "TCG: /dev/kvm cannot create a VM (API " + std::to_string(api) + ")";
    return false;
  }
  close(vm);
  *reason = "KVM: /dev/kvm creates VMs";
  return true;
}

namespace {

// QEMU's record/replay arguments (libvirt has no element for them): the
// instruction counter, the log, the network filter that records (or
// replays) what the NIC received; for gdb, the gdbstub and a drive for the
// snapshots reverse execution takes. No rrsnapshot: a replay that starts
// from a snapshot taken at record time never left instruction ~470k here
// (QEMU 7.2), one that boots replays the console byte for byte.
std::string RecordReplayXml(const VmConfig& c) {
  const bool record = !c.record_file.empty();
  std::vector<std::string> args = {
      "-icount", "shift=auto,rr=" + std::string(record ? "record" : "replay") +
                     ",rrfile=" + (record ? c.record_file : c.replay_file)};
  if (!c.rr_drive.empty())
    args.insert(args.end(),
                {"-drive", "file=" + c.rr_drive + ",if=none,id=rr"});
  if (c.hostdev_pci.empty())
    args.insert(args.end(),
                {"-object", "filter-replay,id=swapbench-rr,netdev=hostnet0"});
  if (c.gdb_port > 0)
    args.insert(args.end(),
                {"-gdb", "tcp:127.0.0.1:" + std::to_string(c.gdb_port)});
  std::string x = "  <qemu:commandline>\n";
  for (const auto& a : args)
    x += "    <qemu:arg value='" + XmlEscape(a) + "'/>\n";
  return x + "  </qemu:commandline>\n";
}

}  // namespace

std::string DomainXml(const VmConfig& c) {
  std::string x;
  const bool rr = !c.record_file.empty() || !c.replay_file.empty();
  x += "<domain type='" + std::string(c.kvm ? "kvm" : "qemu") + "'" +
       (rr ? " xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'" : "") +
       ">\n";
  x += "  <name>" + XmlEscape(c.name) + "</name>\n";
  if (!c.uuid.empty()) x += "  <uuid>" + XmlEscape(c.uuid) + "</uuid>\n";
  x += "  <memory unit='MiB'>" + std::to_string(c.memory_mib) + "</memory>\n";
  x += "  <vcpu>" + std::to_string(c.cpus) + "</vcpu>\n";
  x += "  <os>\n    <type arch='x86_64' machine='pc'>hvm</type>\n";
  x += "    <kernel>" + XmlEscape(c.kernel) + "</kernel>\n";
  x += "    <initrd>" + XmlEscape(c.initrd) + "</initrd>\n";
  x += "    <cmdline>" + XmlEscape(c.cmdline) + "</cmdline>\n  </os>\n";
  x += "  <features><acpi/></features>\n";
  x += "  <clock offset='utc'/>\n";
  x += "  <on_poweroff>destroy</on_poweroff>\n  "
       "<on_reboot>destroy</on_reboot>\n";
  x += "  <on_crash>destroy</on_crash>\n";
  x += "  <devices>\n";
  x += "    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n";
  x += "    <serial type='file'><source path='" + XmlEscape(c.console_log) +
       "'/><target port='0'/></serial>\n";
  x += "    <channel type='file'><source path='" + XmlEscape(c.telemetry_log) +
       "'/><target type='virtio' name='" + protocol::kTelemetryPort +
       "'/></channel>\n";
  // The host's word to the agent (holds): a pty the runner keeps open.
  if (c.control_port)
    x += "    <channel type='pty'><target type='virtio' name='" +
         std::string(protocol::kControlPort) + "'/></channel>\n";
  // Multiqueue and the offload switches are virtio-net's.
  const bool virtio = c.nic == "virtio";
  std::string queues = virtio && c.queues > 1
                           ? " queues='" + std::to_string(c.queues) + "'"
                           : "";
  // Replay hangs with virtio-net's default tx=bh (icount stops).
  std::string txmode = virtio && rr ? " txmode='timer'" : "";
  std::string driver;
  if (virtio && !c.tap.empty() && !c.tap_offloads)
    driver = "      <driver name='qemu'" + queues + txmode +
             "><host csum='off' gso='off' tso4='off' tso6='off' ecn='off' "
             "ufo='off'/><guest csum='off' tso4='off' tso6='off' ecn='off' "
             "ufo='off'/></driver>\n";
  else if (!txmode.empty())
    driver = "      <driver name='qemu'" + queues + txmode + "/>\n";
  else if (!queues.empty())
    driver = "      <driver" + queues + "/>\n";
  if (!c.hostdev_pci.empty()) {
    x += HostdevXml(c.hostdev_pci);
  } else if (!c.replay_file.empty()) {
    // The network's input comes from the log: a netdev going nowhere.
    x += "    <interface type='user'>\n      <mac address='" + c.mac + "'/>\n";
    x += "      <model type='" + XmlEscape(c.nic) + "'/>\n";
    x += driver + "    </interface>\n";
  } else if (!c.tap.empty()) {
    x += "    <interface type='ethernet'>\n      <mac address='" + c.mac +
         "'/>\n";
    x += "      <target dev='" + XmlEscape(c.tap) + "' managed='no'/>\n";
    x += "      <model type='" + XmlEscape(c.nic) + "'/>\n";
    x += driver + "    </interface>\n";
  } else {
    x += "    <interface type='udp'>\n      <mac address='" + c.mac + "'/>\n";
    x += "      <source address='127.0.0.1' port='" +
         std::to_string(c.relay_port) + "'>\n";
    x += "        <local address='127.0.0.1' port='" +
         std::to_string(c.guest_port) + "'/>\n";
    x += "      </source>\n      <model type='" + XmlEscape(c.nic) + "'/>\n";
    x += driver + "    </interface>\n";
  }
  x += "    <memballoon model='none'/>\n";
  // No USB controller: SeaBIOS would probe it on every boot.
  x += "    <controller type='usb' model='none'/>\n";
  x += "  </devices>\n";
  if (rr) x += RecordReplayXml(c);
  return x + "</domain>\n";
}

Libvirt::~Libvirt() {
  stop_ = true;
  // Fire the loop's timer now rather than at its next 200 ms tick.
  if (timer_ >= 0) virEventUpdateTimeout(timer_, 0);
  if (loop_.joinable()) loop_.join();
  if (timer_ >= 0) virEventRemoveTimeout(timer_);
  if (conn_) virConnectClose(conn_);
  if (root_dir_) root_dir_->Release();
}

Result<std::unique_ptr<Libvirt>> Libvirt::Open(const std::string& base) {
  if (!getpwnam("libvirt-qemu"))
    return Status::Harness(
        "libvirt: the embedded QEMU driver needs a 'libvirt-qemu' user "
        "(bench/setup.sh creates it: adduser --system --group libvirt-qemu)");
  std::vector<std::string> reaped;
  auto claimed = LibvirtRoot::Claim(base, &reaped);
  if (!claimed.ok()) return claimed.status();
  const std::string root = claimed->path();
  Status s = MakeDirs(root + "/etc");
  if (!s.ok()) return s.Context("libvirt");
  // As root, without these the driver re-probes QEMU on every call and
  // tries to chown files it does not own (measured on Debian 12).
  s = WriteFile(root + "/etc/qemu.conf",
                "user = \"root\"\ngroup = \"root\"\nstdio_handler = \"file\"\n"
                "dynamic_ownership = 0\nremember_owner = 0\n");
  if (!s.ok()) return s.Context("libvirt");
  // libvirt logs warnings (e.g. "tainted: high-privileges") to stderr;
  // keep them beside its root instead, unless the user chose otherwise.
  setenv("LIBVIRT_LOG_OUTPUTS", ("3:file:" + root + "/libvirt.log").c_str(), 0);
  static std::once_flag once;
  std::call_once(once, [] {
    virSetErrorFunc(nullptr, IgnoreError);
    virEventRegisterDefaultImpl();
  });
  std::unique_ptr<Libvirt> lv(new Libvirt());
  lv->root_ = root;
  lv->root_dir_.emplace(std::move(*claimed));
  lv->reaped_ = std::move(reaped);
  // The loop thread must wake up to notice stop_: a periodic no-op timer.
  lv->timer_ = virEventAddTimeout(
      200, [](int, void*) {}, nullptr, nullptr);
  Libvirt* raw = lv.get();
  lv->loop_ = std::thread([raw] {
    while (!raw->stop_) virEventRunDefaultImpl();
  });
  std::string uri = "qemu:///embed?root=" + root;
  lv->conn_ = virConnectOpen(uri.c_str());
  if (!lv->conn_)
    return Status::Harness("libvirt: open " + uri + ": " + LibvirtError());
  return lv;
}

std::unique_ptr<Vm> Libvirt::MakeVm(const VmConfig& c) {
  return std::make_unique<LibvirtVm>(this, c);
}

void Libvirt::DestroyStale(const std::string& name) {
  virDomainPtr d = virDomainLookupByName(conn_, name.c_str());
  if (!d) return;
  virDomainDestroy(d);
  virDomainFree(d);
}

LibvirtVm::~LibvirtVm() { Destroy(); }

void LibvirtVm::OnLifecycle(virConnectPtr, virDomainPtr dom, int event,
                            int detail, void* opaque) {
  auto* vm = static_cast<LibvirtVm*>(opaque);
  // The callback sees every domain of the shared connection (parallel runs):
  // only this run's own domain matters.
  const char* name = virDomainGetName(dom);
  if (!name || vm->c_.name != name) return;
  if (event != VIR_DOMAIN_EVENT_STOPPED && event != VIR_DOMAIN_EVENT_CRASHED)
    return;
  std::lock_guard<std::mutex> l(vm->mu_);
  if (vm->reason_.empty()) {
    if (event == VIR_DOMAIN_EVENT_CRASHED)
      vm->reason_ = "crashed";
    else if (detail == VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN)
      vm->reason_ = "shutdown";
    else if (detail == VIR_DOMAIN_EVENT_STOPPED_CRASHED)
      vm->reason_ = "crashed";
    else if (detail == VIR_DOMAIN_EVENT_STOPPED_FAILED)
      vm->reason_ = "failed";
    else
      vm->reason_ = "destroyed";
  }
  vm->stopped_ = true;
}

Status LibvirtVm::Start() {
  std::string xml = DomainXml(c_);
  Status s = WriteFile(c_.console_log, "");
  if (s.ok()) s = WriteFile(c_.telemetry_log, "");
  if (!s.ok()) return s.Context("vm");
  callback_ = virConnectDomainEventRegisterAny(
      lv_->conn(), nullptr, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
      VIR_DOMAIN_EVENT_CALLBACK(&LibvirtVm::OnLifecycle), this, nullptr);
  dom_ = virDomainCreateXML(lv_->conn(), xml.c_str(),
                            c_.start_paused ? VIR_DOMAIN_START_PAUSED : 0);
  if (!dom_)
    return Status::Harness("libvirt: create domain " + c_.name + ": " +
                           LibvirtError());
  OpenControl();
  StartReaper();
  return Status::Ok();
}

void LibvirtVm::StartReaper() {
  auto text = ReadFile(lv_->root() + "/run/qemu/" + c_.name + ".pid");
  if (!text.ok()) return;
  pid_t pid = static_cast<pid_t>(atoi(text->c_str()));
  int pidfd = pid > 1 ? static_cast<int>(syscall(SYS_pidfd_open, pid, 0)) : -1;
  reaper_stop_ = eventfd(0, EFD_CLOEXEC);
  if (pidfd < 0 || reaper_stop_ < 0) {
    if (pidfd >= 0) close(pidfd);
    return;
  }
  // Reaped the moment it exits, before libvirt's own check finds a zombie
  // and sleeps 200 ms; ECHILD when QEMU is not this process's child.
  reaper_ = std::thread([this, pid, pidfd] {
    pollfd fds[2] = {{pidfd, POLLIN, 0}, {reaper_stop_, POLLIN, 0}};
    while (poll(fds, 2, -1) < 0 && errno == EINTR) {
    }
    if (fds[0].revents) waitpid(pid, nullptr, WNOHANG);
    close(pidfd);
  });
}

void LibvirtVm::StopReaper() {
  if (reaper_stop_ >= 0) {
    uint64_t one = 1;
    (void)!write(reaper_stop_, &one, sizeof(one));
  }
  if (reaper_.joinable()) reaper_.join();
  if (reaper_stop_ >= 0) close(reaper_stop_);
  reaper_stop_ = -1;
}

std::string ControlPty(const std::string& xml) {
  const std::string target =
      std::string("name='") + protocol::kControlPort + "'";
  size_t at = xml.find(target);
  if (at == std::string::npos) return "";
  size_t open = xml.rfind("<channel", at);
  if (open == std::string::npos) return "";
  size_t path = xml.find("path='", open);
  if (path == std::string::npos || path > xml.find("</channel>", at)) return "";
  path += 6;
  return xml.substr(path, xml.find('\'', path) - path);
}

int OpenControlPty(const std::string& path) {
  int fd = open(path.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
  termios t;
  if (fd >= 0 && tcgetattr(fd, &t) == 0) {
    cfmakeraw(&t);
    tcsetattr(fd, TCSANOW, &t);
  }
  return fd;
}

Status WriteRelease(int control_fd) {
  if (control_fd < 0)
    return Status::Harness("vm: the agent's control port is not open");
  const char byte = protocol::kRelease;
  if (write(control_fd, &byte, 1) != 1)
    return Status::Harness(std::string("vm: write to the control port: ") +
                           strerror(errno));
  return Status::Ok();
}

// Opens the control port's pty now and keeps it open: QEMU notices a pty's
// far end only on a one-second poll, and the agent's first hold comes
// seconds after boot.
void LibvirtVm::OpenControl() {
  char* xml = virDomainGetXMLDesc(dom_, 0);
  std::string pty = xml ? ControlPty(xml) : "";
  free(xml);
  if (pty.empty()) return;
  control_fd_ = OpenControlPty(pty);
}

Status LibvirtVm::Release() { return WriteRelease(control_fd_); }

bool LibvirtVm::Running() {
  if (!dom_ || stopped_) return false;
  int state = 0, reason = 0;
  if (virDomainGetState(dom_, &state, &reason, 0) != 0) {
    // The transient domain is gone: it stopped.
    std::lock_guard<std::mutex> l(mu_);
    if (reason_.empty()) reason_ = "shutdown";
    stopped_ = true;
    return false;
  }
  if (state == VIR_DOMAIN_SHUTOFF || state == VIR_DOMAIN_CRASHED) {
    std::lock_guard<std::mutex> l(mu_);
    if (reason_.empty())
      reason_ = state == VIR_DOMAIN_CRASHED ? "crashed" : "shutdown";
    stopped_ = true;
    return false;
  }
  return true;
}

std::string LibvirtVm::StopReason() {
  std::lock_guard<std::mutex> l(mu_);
  return reason_;
}

void LibvirtVm::Destroy() {
  if (control_fd_ >= 0) close(control_fd_);
  control_fd_ = -1;
  if (callback_ >= 0) {
    virConnectDomainEventDeregisterAny(lv_->conn(), callback_);
    callback_ = -1;
  }
  if (!dom_) return;
  // Ask libvirt, not our flag: whatever we believed, a domain that still
  // exists is destroyed.
  int state = 0, reason = 0;
  if (virDomainGetState(dom_, &state, &reason, 0) == 0 &&
      state != VIR_DOMAIN_SHUTOFF) {
    {
      std::lock_guard<std::mutex> l(mu_);
      if (reason_.empty()) reason_ = "destroyed";
    }
    virDomainDestroy(dom_);
  }
  stopped_ = true;
  virDomainFree(dom_);
  dom_ = nullptr;
  StopReaper();
}

Status LibvirtVm::MonitorCommand(const std::string& hmp, std::string* reply) {
  if (!dom_) return Status::Harness("vm: not running");
  char* out = nullptr;
  if (virDomainQemuMonitorCommand(dom_, hmp.c_str(), &out,
                                  VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP) != 0)
    return Status::Harness("qemu monitor '" + hmp + "': " + LibvirtError());
  if (reply && out) *reply = out;
  free(out);
  return Status::Ok();
}

std::string LibvirtVm::qemu_log() const {
  return lv_->root() + "/log/qemu/" + c_.name + ".log";
}

}  // namespace swapbench
