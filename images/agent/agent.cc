// swapbench-agent: PID 1 of the guest.
//
// Sets the guest up for the scenario (modules, NIC, NFS mount, swapon,
// memory cgroup), runs the seeded memory hog in the cgroup, and reports
// telemetry over a virtio-serial port every period until it powers the
// guest off. The config comes from /etc/swapbench.conf (a per-run cpio
// the host appends to the cached initramfs).
//
// The reporting path must keep working while the guest is out of memory,
// which is exactly when its reports matter: the agent mlockall()s itself,
// reads /proc through descriptors opened up front into static buffers, and
// formats with snprintf into a static line; nothing on that path allocates.
//
// Threads: the main thread runs the setup steps and waits for the hog; the
// telemetry thread samples and writes. Writes to the port are serialized
// by port_mu.
#include "images/agent/agent.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/reboot.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <atomic>

#include "images/agent/pattern.h"
#include "images/agent/protocol.h"

namespace swapbench::agent {

namespace conf = swapbench::protocol::conf;
namespace event = swapbench::protocol::event;

// ---- configuration -------------------------------------------------------

struct Config {
  char guest_ip[32] = "10.213.0.2";
  unsigned long long prefix = 30;
  char server_ip[32] = "10.213.0.1";
  char storage[16] = "nfs";  // nfs | nbd
  char nbd_port[8] = "10809";
  char nbd_export[64] = "swap";
  char iscsi_target[128] = "";
  char iscsi_port[8] = "3260";
  char netem_egress[256] = "";  // kernel-netem engine: tc netem arguments
  char netem_ingress[256] = "";
  char nfs_vers[8] = "4.1";
  char nfs_export[256] = "/export";
  char mount_opts[256] = "hard,timeo=600,retrans=2";
  char swapfile[128] = "swapfile";
  unsigned long long telemetry_ms = 250;
  unsigned long long mtu = 1500;
};

Config cfg;
GuestPlan plan;  // cgroups, workloads, knobs

// ---- output --------------------------------------------------------------

int kmsg_fd = -1;
int port_fd = -1;
int control_fd = -1;
pthread_mutex_t port_mu = PTHREAD_MUTEX_INITIALIZER;

void Log(const char* fmt, ...) {
  static char buf[512];
  static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
  pthread_mutex_lock(&mu);
  int n = snprintf(buf, sizeof(buf), "<5>swapbench-agent: ");
  va_list ap;
  va_start(ap, fmt);
  n += vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
  va_end(ap);
  if (n > (int)sizeof(buf) - 1) n = sizeof(buf) - 1;
  if (kmsg_fd >= 0) (void)!write(kmsg_fd, buf, n);
  pthread_mutex_unlock(&mu);
}

double Now() {
  timespec ts;
  clock_gettime(CLOCK_BOOTTIME, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

void PortWrite(const char* line, int len) {
  if (port_fd < 0) return;
  pthread_mutex_lock(&port_mu);
  int off = 0;
  while (off < len) {
    ssize_t w = write(port_fd, line + off, len - off);
    if (w < 0) {
      if (errno == EINTR || errno == EAGAIN) {
        usleep(10000);
        continue;
      }
      break;
    }
    off += w;
  }
  pthread_mutex_unlock(&port_mu);
}

// An event line: {"t":..,"event":"NAME", <extra JSON members>}.
void Event(const char* name, const char* fmt, ...) {
  static char buf[1024];
  static char extra[768];
  static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
  pthread_mutex_lock(&mu);
  extra[0] = 0;
  if (fmt) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(extra, sizeof(extra), fmt, ap);
    va_end(ap);
  }
  int n = snprintf(buf, sizeof(buf), "{\"t\":%.3f,\"event\":\"%s\"%s%s}\n",
                   Now(), name, extra[0] ? "," : "", extra);
  if (n > (int)sizeof(buf) - 1) n = sizeof(buf) - 1;
  PortWrite(buf, n);
  pthread_mutex_unlock(&mu);
}

void EventMembers(const char* name, const char* members) {
  static char buf[17 * 1024];
  static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
  pthread_mutex_lock(&mu);
  int n = snprintf(buf, sizeof(buf), "{\"t\":%.3f,\"event\":\"%s\",%s}\n",
                   Now(), name, members);
  if (n > (int)sizeof(buf) - 1) n = sizeof(buf) - 1;
  PortWrite(buf, n);
  pthread_mutex_unlock(&mu);
}

std::atomic<const char*> phase{"init"};

// ---- small helpers -------------------------------------------------------

bool WriteFile(const char* path, const char* value) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  ssize_t n = write(fd, value, strlen(value));
  close(fd);
  return n == (ssize_t)strlen(value);
}

// Reads a whole small file through an fd opened up front (no allocation).
int PreadAll(int fd, char* buf, int cap) {
  if (fd < 0) return -1;
  int n = pread(fd, buf, cap - 1, 0);
  if (n < 0) return -1;
  buf[n] = 0;
  return n;
}

// Finds "key" at a line start followed by a space or ':' and returns its
// number.
// /proc/net/snmp and /proc/net/netstat: a header line "Proto: Name1 Name2"
// followed by a value line "Proto: v1 v2". -1 when absent.
long long SnmpField(const char* text, const char* proto, const char* name) {
  size_t pl = strlen(proto);
  const char* p = text;
  while (p && *p) {
    if (!strncmp(p, proto, pl) && p[pl] == ':') {
      const char* vals = strchr(p, '\n');
      if (!vals || strncmp(vals + 1, proto, pl)) return -1;
      ++vals;
      const char* h = p + pl + 1;
      const char* v = vals + pl + 1;
      size_t nl = strlen(name);
      while (*h && *h != '\n') {
        while (*h == ' ') ++h;
        while (*v == ' ') ++v;
        const char* he = h;
        while (*he && *he != ' ' && *he != '\n') ++he;
        if (static_cast<size_t>(he - h) == nl && !strncmp(h, name, nl))
          return strtoll(v, nullptr, 10);
        h = he;
        while (*v && *v != ' ' && *v != '\n') ++v;
      }
      return -1;
    }
    p = strchr(p, '\n');
    if (p) ++p;
  }
  return -1;
}

// /proc/net/dev: "  eth0: rx_bytes rx_packets rx_errs rx_drop ...".
void DevRx(const char* text, long long* packets, long long* dropped) {
  const char* p = strstr(text, "eth0:");
  if (!p) return;
  char* end = nullptr;
  strtoll(p + 5, &end, 10);  // bytes
  *packets = strtoll(end, &end, 10);
  strtoll(end, &end, 10);  // errs
  *dropped = strtoll(end, &end, 10);
}

long long Field(const char* text, const char* key) {
  size_t kl = strlen(key);
  const char* p = text;
  while (p && *p) {
    if (strncmp(p, key, kl) == 0 && (p[kl] == ' ' || p[kl] == ':')) {
      const char* v = p + kl + 1;
      while (*v == ' ' || *v == '\t') ++v;
      return strtoll(v, nullptr, 10);
    }
    p = strchr(p, '\n');
    if (p) ++p;
  }
  return -1;
}

[[noreturn]] void PowerOff() {
  Event(event::kPoweroff);
  Log("powering off");
  sync();
  usleep(300000);  // let QEMU drain the port
  reboot(RB_POWER_OFF);
  for (;;) pause();
}

[[noreturn]] void Fail(const char* step, int err, const char* detail) {
  Log("%s failed: %s (%s)", step, strerror(err), detail);
  Event(event::kError,
        "\"step\":\"%s\",\"errno\":%d,\"error\":\"%s\",\"detail\":\"%s\"", step,
        err, strerror(err), detail);
  PowerOff();
}

// ---- config --------------------------------------------------------------

void Copy(char* dst, size_t cap, const char* src) {
  snprintf(dst, cap, "%s", src);
}

// The config's keys: text fields and numbers.
struct StrKey {
  const char* key;
  char* dst;
  size_t cap;
};
struct NumKey {
  const char* key;
  unsigned long long* dst;
};
const StrKey kStrKeys[] = {
    {conf::kGuestIp, cfg.guest_ip, sizeof(cfg.guest_ip)},
    {conf::kServerIp, cfg.server_ip, sizeof(cfg.server_ip)},
    {conf::kStorage, cfg.storage, sizeof(cfg.storage)},
    {conf::kNfsVers, cfg.nfs_vers, sizeof(cfg.nfs_vers)},
    {conf::kNfsExport, cfg.nfs_export, sizeof(cfg.nfs_export)},
    {conf::kMountOpts, cfg.mount_opts, sizeof(cfg.mount_opts)},
    {conf::kSwapfile, cfg.swapfile, sizeof(cfg.swapfile)},
    {conf::kNbdPort, cfg.nbd_port, sizeof(cfg.nbd_port)},
    {conf::kNbdExport, cfg.nbd_export, sizeof(cfg.nbd_export)},
    {conf::kIscsiTarget, cfg.iscsi_target, sizeof(cfg.iscsi_target)},
    {conf::kIscsiPort, cfg.iscsi_port, sizeof(cfg.iscsi_port)},
    {conf::kNetemEgress, cfg.netem_egress, sizeof(cfg.netem_egress)},
    {conf::kNetemIngress, cfg.netem_ingress, sizeof(cfg.netem_ingress)},
};
const NumKey kNumKeys[] = {
    {conf::kPrefix, &cfg.prefix},
    {conf::kTelemetryMs, &cfg.telemetry_ms},
    {conf::kMtu, &cfg.mtu},
};

void LoadConfig() {
  FILE* f = fopen(protocol::kConfigPath, "re");
  if (!f) Fail("config", errno, protocol::kConfigPath);
  static char line[1024];
  while (fgets(line, sizeof(line), f)) {
    char* nl = strchr(line, '\n');
    if (nl) *nl = 0;
    char* eq = strchr(line, '=');
    if (!eq || line[0] == '#') continue;
    *eq = 0;
    const char* k = line;
    const char* v = eq + 1;
    for (const StrKey& s : kStrKeys)
      if (!strcmp(k, s.key)) Copy(s.dst, s.cap, v);
    for (const NumKey& n : kNumKeys)
      if (!strcmp(k, n.key)) *n.dst = strtoull(v, nullptr, 10);
    PlanLine(&plan, k, v);
  }
  fclose(f);
}

// ---- setup steps ---------------------------------------------------------

void MountBasics() {
  mkdir("/proc", 0755);
  mkdir("/sys", 0755);
  mkdir("/dev", 0755);
  mount("proc", "/proc", "proc", 0, nullptr);
  mount("sysfs", "/sys", "sysfs", 0, nullptr);
  mount("devtmpfs", "/dev", "devtmpfs", 0, nullptr);
  mount("cgroup2", "/sys/fs/cgroup", "cgroup2", 0, nullptr);
  mkdir("/tmp", 01777);
  mount("tmpfs", "/tmp", "tmpfs", 0, "size=4m");
  kmsg_fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
}

void LoadModules() {
  FILE* f = fopen("/etc/swapbench/modules", "re");
  if (!f) Fail("modules", errno, "/etc/swapbench/modules");
  char path[512];
  int loaded = 0;
  while (fgets(path, sizeof(path), f)) {
    char* nl = strchr(path, '\n');
    if (nl) *nl = 0;
    if (!path[0]) continue;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) Fail("modules", errno, path);
    if (syscall(SYS_finit_module, fd, "", 0) != 0 && errno != EEXIST)
      Fail("modules", errno, path);
    close(fd);
    ++loaded;
  }
  fclose(f);
  Log("loaded %d modules", loaded);
}

// The virtio-serial port named `name`, opened with `flags`; -1 if there
// is none. The ports appear together, some time after boot.
int OpenVirtioPort(const char* name, int flags, int attempts) {
  for (int attempt = 0; attempt < attempts; ++attempt) {
    if (attempt > 0) usleep(50000);
    DIR* d = opendir("/sys/class/virtio-ports");
    if (!d) continue;
    int fd = -1;
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] == '.') continue;
      char p[300], found[128] = {0};
      snprintf(p, sizeof(p), "/sys/class/virtio-ports/%s/name", e->d_name);
      int nfd = open(p, O_RDONLY | O_CLOEXEC);
      if (nfd < 0) continue;
      int n = read(nfd, found, sizeof(found) - 1);
      close(nfd);
      size_t len = strlen(name);
      if (n > 0 && !strncmp(found, name, len) &&
          (found[len] == '\n' || !found[len])) {
        snprintf(p, sizeof(p), "/dev/%s", e->d_name);
        fd = open(p, flags | O_CLOEXEC);
        break;
      }
    }
    closedir(d);
    if (fd >= 0) return fd;
  }
  return -1;
}

void OpenPorts() {
  port_fd = OpenVirtioPort(protocol::kTelemetryPort, O_WRONLY, 100);
  if (port_fd < 0) Log("telemetry port %s not found", protocol::kTelemetryPort);
  control_fd = OpenVirtioPort(protocol::kControlPort, O_RDONLY, 1);
  if (control_fd < 0) Log("control port %s not found", protocol::kControlPort);
}

void IfUp(int s, const char* ifname, const char* ip, int prefix) {
  ifreq ifr;
  memset(&ifr, 0, sizeof(ifr));
  strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
  if (ip) {
    sockaddr_in* a = reinterpret_cast<sockaddr_in*>(&ifr.ifr_addr);
    a->sin_family = AF_INET;
    inet_pton(AF_INET, ip, &a->sin_addr);
    if (ioctl(s, SIOCSIFADDR, &ifr) != 0) Fail("network", errno, "SIOCSIFADDR");
    a->sin_addr.s_addr = htonl(prefix ? ~0u << (32 - prefix) : 0);
    if (ioctl(s, SIOCSIFNETMASK, &ifr) != 0)
      Fail("network", errno, "SIOCSIFNETMASK");
  }
  if (ioctl(s, SIOCGIFFLAGS, &ifr) != 0) Fail("network", errno, ifname);
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  if (ioctl(s, SIOCSIFFLAGS, &ifr) != 0) Fail("network", errno, "SIOCSIFFLAGS");
}

// Waits up to 5 s for a path: the device nodes and sysfs entries of a
// module just loaded appear asynchronously.
void WaitFor(const char* path) {
  for (int i = 0; i < 100 && access(path, F_OK) != 0; ++i) usleep(50000);
}

void SetupNetwork() {
  phase = "network";
  WaitFor("/sys/class/net/eth0");
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  IfUp(s, "lo", "127.0.0.1", 8);
  SetMtu("eth0", cfg.mtu);
  IfUp(s, "eth0", cfg.guest_ip, cfg.prefix);
  close(s);
  ReportNic("eth0");
  Event(event::kNetwork, "\"ip\":\"%s\",\"prefix\":%llu", cfg.guest_ip,
        cfg.prefix);
}

void MountNfs() {
  phase = "mount";
  mkdir("/mnt", 0755);
  char src[320], opts[512];
  snprintf(src, sizeof(src), "%s:%s", cfg.server_ip, cfg.nfs_export);
  bool v4 = cfg.nfs_vers[0] == '4';
  if (v4) {
    snprintf(opts, sizeof(opts), "vers=%s,addr=%s,clientaddr=%s,proto=tcp,%s",
             cfg.nfs_vers, cfg.server_ip, cfg.guest_ip, cfg.mount_opts);
  } else {
    snprintf(opts, sizeof(opts),
             "vers=3,addr=%s,mountaddr=%s,proto=tcp,mountproto=tcp,nolock,%s",
             cfg.server_ip, cfg.server_ip, cfg.mount_opts);
  }
  double t0 = Now();
  int err = 0;
  // The server may still be coming up; retry for a while.
  for (int i = 0; i < 20; ++i) {
    if (mount(src, "/mnt", v4 ? "nfs4" : "nfs", 0, opts) == 0) {
      err = 0;
      break;
    }
    err = errno;
    usleep(500000);
  }
  if (err) Fail("mount", err, opts);
  // What the kernel negotiated (vers=4.2 really is 4.2, rsize, timeo ...).
  static char mounts[4096], negotiated[1024] = "";
  int mfd = open("/proc/mounts", O_RDONLY | O_CLOEXEC);
  if (PreadAll(mfd, mounts, sizeof(mounts)) > 0) {
    const char* m = strstr(mounts, " /mnt nfs");
    if (m) m = strchr(m + 5, ' ');
    if (m) m = strchr(m + 1, ' ');
    if (m) {
      const char* end = strchr(m + 1, ' ');
      snprintf(negotiated, sizeof(negotiated), "%.*s",
               end ? (int)(end - m - 1) : 0, m + 1);
    }
  }
  if (mfd >= 0) close(mfd);
  Event(event::kMount,
        "\"source\":\"%s\",\"options\":\"%s\",\"negotiated\":\"%s\","
        "\"seconds\":%.3f",
        src, opts, negotiated, Now() - t0);
  Log("mounted %s on /mnt (%s)", src, opts);
}

// Runs a host tool the image carries (argv[0] is its path) with its output
// on the console; a failed exit fails `step`.
void RunTool(const char* step, char* const argv[]) {
  pid_t pid = fork();
  if (pid < 0) Fail(step, errno, "fork");
  if (pid == 0) {
    int c = open("/dev/console", O_WRONLY);
    if (c >= 0) {
      dup2(c, 1);
      dup2(c, 2);
    }
    execv(argv[0], argv);
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    static char what[160];
    snprintf(what, sizeof(what), "%s failed with status %d (see the console)",
             argv[0], status);
    Fail(step, EIO, what);
  }
}

// Runs "prog a b c ..." (words split on spaces) with RunTool.
void RunWords(const char* step, const char* prog, const char* words) {
  static char buf[512];
  snprintf(buf, sizeof(buf), "%s", words);
  char* argv[64];
  int n = 0;
  argv[n++] = const_cast<char*>(prog);
  for (char* w = strtok(buf, " "); w && n < 63; w = strtok(nullptr, " "))
    argv[n++] = w;
  argv[n] = nullptr;
  RunTool(step, argv);
}

// The kernel-netem engine: netem on eth0's egress (to the server) and, via
// ifb0 fed by eth0's ingress, on what arrives (to the guest). iproute2's tc
// by full path: busybox's tc applet has no netem.
void ApplyNetem() {
  if (!cfg.netem_egress[0] && !cfg.netem_ingress[0]) return;
  phase = "netem";
  char cmd[512];
  if (cfg.netem_egress[0]) {
    snprintf(cmd, sizeof(cmd), "qdisc add dev eth0 root netem %s",
             cfg.netem_egress);
    RunWords("netem", "/sbin/tc", cmd);
  }
  if (cfg.netem_ingress[0]) {
    RunWords("netem", "/bin/ip", "link set ifb0 up");
    RunWords("netem", "/sbin/tc", "qdisc add dev eth0 handle ffff: ingress");
    RunWords("netem", "/sbin/tc",
             "filter add dev eth0 parent ffff: matchall action mirred egress "
             "redirect dev ifb0");
    snprintf(cmd, sizeof(cmd), "qdisc add dev ifb0 root netem %s",
             cfg.netem_ingress);
    RunWords("netem", "/sbin/tc", cmd);
  }
  Event(event::kNetem, "\"egress\":\"%s\",\"ingress\":\"%s\"", cfg.netem_egress,
        cfg.netem_ingress);
  Log("kernel netem: egress [%s] ingress [%s]", cfg.netem_egress,
      cfg.netem_ingress);
}

// The kernel-netem engine's own counters (sent, dropped, overlimits), on
// the console for the report's reader. Best effort: never fails the run.
void NetemStats() {
  if (!cfg.netem_egress[0] && !cfg.netem_ingress[0]) return;
  Log("kernel netem statistics:");
  int console = open("/dev/console", O_WRONLY | O_CLOEXEC);
  for (const char* dev : {"eth0", "ifb0"}) {
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) break;
    pid_t pid = fork();
    if (pid == 0) {
      dup2(p[1], 1);
      dup2(p[1], 2);
      execl("/sbin/tc", "/sbin/tc", "-s", "qdisc", "show", "dev", dev,
            static_cast<char*>(nullptr));
      _exit(127);
    }
    close(p[1]);
    static char out[4096];
    size_t n = 0;
    for (ssize_t r; n < sizeof(out) - 1 &&
                    (r = read(p[0], out + n, sizeof(out) - 1 - n)) != 0;) {
      if (r < 0) {
        if (errno == EINTR) continue;
        break;
      }
      n += static_cast<size_t>(r);
    }
    out[n] = 0;
    close(p[0]);
    int status;
    while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (console >= 0) (void)!write(console, out, n);
    // "qdisc netem 8001: root ... \n Sent B bytes P pkt (dropped D, ..."
    const char* q = strstr(out, "qdisc netem");
    const char* s = q ? strstr(q, "Sent ") : nullptr;
    unsigned long long bytes = 0, pkts = 0, dropped = 0;
    if (s && sscanf(s, "Sent %llu bytes %llu pkt (dropped %llu", &bytes, &pkts,
                    &dropped) == 3)
      Event(event::kNetemStats,
            "\"dev\":\"%s\",\"direction\":\"%s\",\"sent_bytes\":%llu,"
            "\"sent_packets\":%llu,\"dropped\":%llu",
            dev, strcmp(dev, "eth0") ? "to_guest" : "to_server", bytes, pkts,
            dropped);
  }
  if (console >= 0) close(console);
}

// Connects /dev/nbd0 with nbd-client in swap mode (-swap: it mlocks itself
// so it can keep serving while memory is short).
void ConnectNbd() {
  phase = "nbd";
  WaitFor("/dev/nbd0");
  double t0 = Now();
  char* argv[] = {(char*)"/sbin/nbd-client",
                  (char*)"-N",
                  cfg.nbd_export,
                  cfg.server_ip,
                  cfg.nbd_port,
                  (char*)"/dev/nbd0",
                  (char*)"-swap",
                  nullptr};
  RunTool("nbd", argv);
  Event(event::kNbd,
        "\"device\":\"/dev/nbd0\",\"export\":\"%s\",\"seconds\":%.3f",
        cfg.nbd_export, Now() - t0);
}

// Logs in to the iSCSI target with iscsistart (no iscsid); LUN 1 appears
// as /dev/sda.
void ConnectIscsi() {
  phase = "iscsi";
  double t0 = Now();
  char* argv[] = {(char*)"/sbin/iscsistart",
                  (char*)"-i",
                  (char*)"iqn.2026-11.org.swapbench:guest",
                  (char*)"-t",
                  cfg.iscsi_target,
                  (char*)"-g",
                  (char*)"1",
                  (char*)"-a",
                  cfg.server_ip,
                  (char*)"-p",
                  cfg.iscsi_port,
                  nullptr};
  RunTool("iscsi", argv);
  WaitFor("/dev/sda");
  Event(event::kIscsi,
        "\"device\":\"/dev/sda\",\"target\":\"%s\",\"seconds\":%.3f",
        cfg.iscsi_target, Now() - t0);
}

void SwapOn() {
  phase = "swapon";
  char path[256];
  if (!strcmp(cfg.storage, "nbd"))
    snprintf(path, sizeof(path), "/dev/nbd0");
  else if (!strcmp(cfg.storage, "iscsi"))
    snprintf(path, sizeof(path), "/dev/sda");
  else
    snprintf(path, sizeof(path), "/mnt/%s", cfg.swapfile);
  if (swapon(path, 0) != 0) Fail("swapon", errno, path);
  Event(event::kSwapon, "\"device\":\"%s\"", path);
}

// ---- cgroups and knobs ---------------------------------------------------

// Each cgroup's files, opened once for the sampler.
struct CgroupFds {
  int events = -1, current = -1, stat = -1, swap = -1;
};
CgroupFds cg_fds[kMaxCgroups];

void CgroupFile(const CgroupConf& c, const char* file, char* out, size_t cap) {
  snprintf(out, cap, "/sys/fs/cgroup%s/%s", c.path, file);
}

// Writes one limit (bytes; -1: left alone), failing the step if the
// kernel has no such file or refuses the value.
void Limit(const CgroupConf& c, const char* file, long long value) {
  if (value < 0) return;
  char path[300], v[32];
  CgroupFile(c, file, path, sizeof(path));
  snprintf(v, sizeof(v), "%lld", value);
  if (!WriteFile(path, v)) Fail("cgroup", errno, path);
}

void SetupCgroups() {
  if (!plan.ncgroups) return;
  phase = "cgroup";
  if (!WriteFile("/sys/fs/cgroup/cgroup.subtree_control", "+memory"))
    Fail("cgroup", errno, "cgroup.subtree_control +memory");
  for (int i = 0; i < plan.ncgroups; ++i) {
    const CgroupConf& c = plan.cgroups[i];
    char path[300];
    CgroupFile(c, "", path, sizeof(path));
    if (mkdir(path, 0755) != 0 && errno != EEXIST) Fail("cgroup", errno, path);
    if (c.has_children) {
      CgroupFile(c, "cgroup.subtree_control", path, sizeof(path));
      if (!WriteFile(path, "+memory")) Fail("cgroup", errno, path);
    }
    Limit(c, "memory.min", c.min);
    Limit(c, "memory.low", c.low);
    Limit(c, "memory.high", c.high);
    Limit(c, "memory.max", c.max);
    Limit(c, "memory.swap.max", c.swap_max);
    Limit(c, "memory.oom.group", c.oom_group ? 1 : -1);
    const std::pair<const char*, int*> files[] = {
        {"memory.events", &cg_fds[i].events},
        {"memory.current", &cg_fds[i].current},
        {"memory.stat", &cg_fds[i].stat},
        {"memory.swap.current", &cg_fds[i].swap}};
    for (const auto& [file, fd] : files) {
      CgroupFile(c, file, path, sizeof(path));
      *fd = open(path, O_RDONLY | O_CLOEXEC);
    }
    Event(event::kCgroup,
          "\"name\":\"%s\",\"path\":\"%s\",\"memory_max\":%lld,"
          "\"memory_high\":%lld,\"memory_low\":%lld,\"memory_min\":%lld,"
          "\"swap_max\":%lld,\"oom_group\":%d",
          c.name, c.path, c.max, c.high, c.low, c.min, c.swap_max, c.oom_group);
  }
}

// A knob's current value, one line, safe inside a JSON string.
void ReadKnob(const char* path, char* out, int cap) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  int n = fd < 0 ? -1 : PreadAll(fd, out, cap);
  if (fd >= 0) close(fd);
  if (n < 0) n = 0;
  out[n] = 0;
  for (char* p = out; *p; ++p) {
    if (*p == '\n') {
      *p = 0;
      break;
    }
    if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20) *p = ' ';
  }
}

// [guest.sysctl] and [guest.sysfs]: written, read back, reported. A knob
// this kernel lacks is a setup failure, never a silent no-op.
void ApplyKnobs(const char* release) {
  if (!plan.nknobs) return;
  phase = "knobs";
  for (int i = 0; i < plan.nknobs; ++i) {
    const KnobConf& k = plan.knobs[i];
    const char* kind = k.sysfs ? "sysfs" : "sysctl";
    static char what[600], read_back[256];
    if (access(k.path, F_OK) != 0) {
      snprintf(what, sizeof(what), "%s %s: %s is not in kernel %s", kind,
               k.name, k.path, release);
      Fail("knob", errno, what);
    }
    if (!WriteFile(k.path, k.value)) {
      snprintf(what, sizeof(what), "%s %s: writing '%s' to %s failed", kind,
               k.name, k.value, k.path);
      Fail("knob", errno, what);
    }
    ReadKnob(k.path, read_back, sizeof(read_back));
    Event(event::kKnob,
          "\"kind\":\"%s\",\"name\":\"%s\",\"path\":\"%s\",\"set\":\"%s\","
          "\"read\":\"%s\"",
          kind, k.name, k.path, k.value, read_back);
    Log("%s %s = %s (reads %s)", kind, k.name, k.value, read_back);
  }
}

// ---- telemetry -----------------------------------------------------------

int vmstat_fd = -1, meminfo_fd = -1, rpc_fd = -1, dev_fd = -1, snmp_fd = -1,
    netstat_fd = -1;
std::atomic<bool> stop_telemetry{false};

// One cgroup's line: {"t":..,"cgroup":NAME,"current":N,...}.
void SampleCgroup(int i) {
  using namespace swapbench::protocol;
  static char ev[1024], cur[64], swp[64], st[8192], line[1024];
  long long v[kCgroupFields];
  for (long long& x : v) x = -1;
  if (PreadAll(cg_fds[i].current, cur, sizeof(cur)) > 0)
    v[kCgfCurrent] = strtoll(cur, nullptr, 10);
  if (PreadAll(cg_fds[i].swap, swp, sizeof(swp)) > 0)
    v[kCgfSwapCurrent] = strtoll(swp, nullptr, 10);
  if (PreadAll(cg_fds[i].events, ev, sizeof(ev)) > 0) {
    v[kCgfLow] = Field(ev, "low");
    v[kCgfHigh] = Field(ev, "high");
    v[kCgfMax] = Field(ev, "max");
    v[kCgfOom] = Field(ev, "oom");
    v[kCgfOomKill] = Field(ev, "oom_kill");
  }
  if (PreadAll(cg_fds[i].stat, st, sizeof(st)) > 0) {
    v[kCgfAnon] = Field(st, "anon");
    v[kCgfFile] = Field(st, "file");
    v[kCgfFileDirty] = Field(st, "file_dirty");
    v[kCgfFileWriteback] = Field(st, "file_writeback");
    v[kCgfPgscan] = Field(st, "pgscan");
    v[kCgfPgsteal] = Field(st, "pgsteal");
    long long a = Field(st, "workingset_refault_anon"),
              f = Field(st, "workingset_refault_file");
    v[kCgfWorkingsetRefault] =
        a < 0 && f < 0 ? -1 : (a > 0 ? a : 0) + (f > 0 ? f : 0);
  }
  int n = snprintf(line, sizeof(line), "{\"t\":%.3f,\"cgroup\":\"%s\"", Now(),
                   plan.cgroups[i].name);
  for (int f = 0; f < kCgroupFields && n < (int)sizeof(line); ++f)
    n += snprintf(line + n, sizeof(line) - n, ",\"%s\":%lld",
                  kCgroupFieldNames[f], v[f]);
  if (n < (int)sizeof(line) - 2)
    n += snprintf(line + n, sizeof(line) - n, "}\n");
  if (n > (int)sizeof(line) - 1) n = sizeof(line) - 1;
  PortWrite(line, n);
}

void Sample() {
  static char vm[16384], mi[8192], ev[1024], cur[64], line[2048];
  static unsigned long long seq = 0;
  long long pswpin = -1, pswpout = -1, swap_total = -1, swap_free = -1,
            mem_free = -1;
  if (PreadAll(vmstat_fd, vm, sizeof(vm)) > 0) {
    pswpin = Field(vm, "pswpin");
    pswpout = Field(vm, "pswpout");
  }
  if (PreadAll(meminfo_fd, mi, sizeof(mi)) > 0) {
    swap_total = Field(mi, "SwapTotal");
    swap_free = Field(mi, "SwapFree");
    mem_free = Field(mi, "MemFree");
  }
  // The top-level cgroups summed: their memory.events are hierarchical.
  long long oom = -1, oom_kill = -1, ev_max = -1, ev_high = -1, current = -1;
  for (int i = 0; i < plan.ncgroups; ++i) {
    if (strchr(plan.cgroups[i].path + 1, '/')) continue;
    auto add = [](long long* sum, long long v) {
      if (v >= 0) *sum = (*sum < 0 ? 0 : *sum) + v;
    };
    if (PreadAll(cg_fds[i].events, ev, sizeof(ev)) > 0) {
      add(&oom, Field(ev, "oom"));
      add(&oom_kill, Field(ev, "oom_kill"));
      add(&ev_max, Field(ev, "max"));
      add(&ev_high, Field(ev, "high"));
    }
    if (PreadAll(cg_fds[i].current, cur, sizeof(cur)) > 0)
      add(&current, strtoll(cur, nullptr, 10));
  }
  // /proc/net/rpc/nfs: "rpc CALLS RETRANS AUTHREFRESH" (NFS client RPCs).
  static char rpc[4096];
  long long rpc_calls = -1, rpc_retrans = -1;
  if (PreadAll(rpc_fd, rpc, sizeof(rpc)) > 0) {
    rpc_calls = Field(rpc, "rpc");
    const char* p = strstr(rpc, "\nrpc ");
    if (p) {
      char* end = nullptr;
      strtoll(p + 5, &end, 10);
      if (end) rpc_retrans = strtoll(end, nullptr, 10);
    }
  }
  // The guest network stack's view of the link (floods, corruption).
  static char dev[4096], snmp[8192], nstat[16384];
  long long rx_packets = -1, rx_dropped = -1, udp_noports = -1, udp_rcvbuf = -1,
            csum_errors = -1, pfmemalloc_drop = -1, icmp_echos = -1;
  if (PreadAll(dev_fd, dev, sizeof(dev)) > 0)
    DevRx(dev, &rx_packets, &rx_dropped);
  if (PreadAll(snmp_fd, snmp, sizeof(snmp)) > 0) {
    udp_noports = SnmpField(snmp, "Udp", "NoPorts");
    udp_rcvbuf = SnmpField(snmp, "Udp", "RcvbufErrors");
    csum_errors = SnmpField(snmp, "Tcp", "InCsumErrors");
    icmp_echos = SnmpField(snmp, "Icmp", "InEchos");
  }
  if (PreadAll(netstat_fd, nstat, sizeof(nstat)) > 0)
    pfmemalloc_drop = SnmpField(nstat, "TcpExt", "PFMemallocDrop");
  // /proc/vmstat's oom_kill counts global and memcg kills alike.
  long long vm_oom_kill = Field(vm, "oom_kill");
  using namespace swapbench::protocol;
  long long v[kSampleFields];
  v[kPswpin] = pswpin;
  v[kPswpout] = pswpout;
  v[kSwapTotalKib] = swap_total;
  v[kSwapFreeKib] = swap_free;
  v[kMemFreeKib] = mem_free;
  v[kVmOomKill] = vm_oom_kill;
  v[kCgCurrent] = current;
  v[kCgOom] = oom;
  v[kCgOomKill] = oom_kill;
  v[kCgMaxEvents] = ev_max;
  v[kCgHighEvents] = ev_high;
  v[kRpcCalls] = rpc_calls;
  v[kRpcRetrans] = rpc_retrans;
  v[kRxPackets] = rx_packets;
  v[kRxDropped] = rx_dropped;
  v[kUdpNoports] = udp_noports;
  v[kUdpRcvbufErrors] = udp_rcvbuf;
  v[kTcpCsumErrors] = csum_errors;
  v[kPfmemallocDrop] = pfmemalloc_drop;
  v[kIcmpInEchos] = icmp_echos;
  v[kHogPages] = v[kHogWritten] = v[kHogVerified] = v[kHogCorrupted] = 0;
  v[kWorkBytes] = 0;
  for (int i = 0; i < plan.nworkloads; ++i) {
    const Progress& p = progress[i];
    v[kWorkBytes] += static_cast<long long>(p.work_bytes.load());
    if (strcmp(plan.workloads[i].kind, "hog")) continue;
    v[kHogPages] += static_cast<long long>(plan.workloads[i].bytes / kPageSize);
    v[kHogWritten] += static_cast<long long>(p.written.load());
    v[kHogVerified] += static_cast<long long>(p.verified.load());
    v[kHogCorrupted] += static_cast<long long>(p.corrupted.load());
  }
  v[kNrDirty] = Field(vm, "nr_dirty");
  v[kNrWriteback] = Field(vm, "nr_writeback");
  v[kPgscan] = Field(vm, "pgscan_anon") + Field(vm, "pgscan_file");
  v[kPgsteal] = Field(vm, "pgsteal_anon") + Field(vm, "pgsteal_file");
  int n =
      snprintf(line, sizeof(line), "{\"t\":%.3f,\"seq\":%llu,\"phase\":\"%s\"",
               Now(), seq++, phase.load());
  for (int f = 0; f < kSampleFields && n < (int)sizeof(line); ++f)
    n += snprintf(line + n, sizeof(line) - n, ",\"%s\":%lld",
                  kSampleFieldNames[f], v[f]);
  if (n < (int)sizeof(line) - 2)
    n += snprintf(line + n, sizeof(line) - n, "}\n");
  if (n > (int)sizeof(line) - 1) n = sizeof(line) - 1;
  PortWrite(line, n);
  for (int i = 0; i < plan.ncgroups; ++i) SampleCgroup(i);
}

// The telemetry thread is part of the I/O path's observer: reading
// /proc/vmstat or /proc/net/netstat makes the kernel allocate, and under
// pressure that allocation used to enter direct reclaim, swap pages out and
// wait on the swap device's mempool — forever, with the NFS server stopped
// (SysRq w of global-stall: init in netstat_seq_show -> kmalloc ->
// try_to_free_pages -> __swap_writepage -> mempool_alloc). As an I/O
// flusher its allocations never start I/O: a read may fail (-1 in the
// sample), it does not hang, and the samples keep coming.
void BecomeIoFlusher() {
#ifndef PR_SET_IO_FLUSHER
#define PR_SET_IO_FLUSHER 57
#endif
  if (prctl(PR_SET_IO_FLUSHER, 1, 0, 0, 0) != 0)
    Log("telemetry: PR_SET_IO_FLUSHER: %s", strerror(errno));
}

void* TelemetryThread(void*) {
  BecomeIoFlusher();
  timespec next;
  clock_gettime(CLOCK_MONOTONIC, &next);
  while (!stop_telemetry.load()) {
    Sample();
    next.tv_nsec += cfg.telemetry_ms * 1000000L;
    while (next.tv_nsec >= 1000000000L) {
      next.tv_nsec -= 1000000000L;
      ++next.tv_sec;
    }
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, nullptr);
  }
  return nullptr;
}

}  // namespace swapbench::agent

using namespace swapbench::agent;
namespace event = swapbench::protocol::event;

int main() {
  if (getpid() != 1) {
    fprintf(stderr, "swapbench-agent runs as PID 1 inside the guest\n");
    return 2;
  }
  MountBasics();
  Log("starting");
  void* shared =
      mmap(nullptr, sizeof(Progress) * kMaxWorkloads + sizeof(HoldState),
           PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (shared == MAP_FAILED) Fail("init", errno, "mmap progress");
  progress = static_cast<Progress*>(shared);
  hold_state = reinterpret_cast<HoldState*>(progress + kMaxWorkloads);
  if (mlockall(MCL_CURRENT | MCL_FUTURE) != 0)
    Log("mlockall: %s", strerror(errno));
  LoadModules();
  OpenPorts();
  LoadConfig();
  utsname u;
  uname(&u);
  Event(event::kBoot, "\"release\":\"%s\",\"pid1\":true", u.release);
  vmstat_fd = open("/proc/vmstat", O_RDONLY | O_CLOEXEC);
  meminfo_fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);
  rpc_fd = open("/proc/net/rpc/nfs", O_RDONLY | O_CLOEXEC);  // -1 without NFS
  dev_fd = open("/proc/net/dev", O_RDONLY | O_CLOEXEC);
  snmp_fd = open("/proc/net/snmp", O_RDONLY | O_CLOEXEC);
  netstat_fd = open("/proc/net/netstat", O_RDONLY | O_CLOEXEC);
  pthread_t tid;
  pthread_create(&tid, nullptr, TelemetryThread, nullptr);
  WriteFile("/proc/sys/vm/overcommit_memory", "1");
  SetupNetwork();
  ApplyNetem();
  if (!strcmp(cfg.storage, "nbd"))
    ConnectNbd();
  else if (!strcmp(cfg.storage, "iscsi"))
    ConnectIscsi();
  else
    MountNfs();
  SwapOn();
  SetupCgroups();
  ApplyKnobs(u.release);
  phase = "hog";
  RunWorkloads(plan);
  NetemStats();
  ReportNicStats("eth0");
  phase = "done";
  usleep(cfg.telemetry_ms * 1000);
  stop_telemetry = true;
  pthread_join(tid, nullptr);
  Sample();
  PowerOff();
}
