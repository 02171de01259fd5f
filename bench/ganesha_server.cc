#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <thread>

#include "bench/fs_util.h"
#include "bench/process.h"
#include "bench/storage.h"
#include "images/agent/protocol.h"

namespace swapbench {

std::string GaneshaConfig(const NfsConfig& c) {
  std::string minor = "1";
  if (c.version == "4.0") minor = "0";
  if (c.version == "4.2") minor = "2";
  std::string proto = c.version == "3" ? "3" : "4";
  return "# Written by swapbench for one run; see bench/ganesha_server.cc.\n"
         "NFS_CORE_PARAM {\n"
         "  Enable_NLM = false;\n"
         "  Enable_UDP = false;\n"
         "  Enable_RQUOTA = false;\n"
         // NFSv3 mounts name the export by its pseudo path too, like v4.
         "  Mount_Path_Pseudo = true;\n"
         "  Protocols = " +
         proto +
         ";\n"
         "}\n"
         "NFSV4 {\n"
         "  Graceless = true;\n"
         "  Lease_Lifetime = 20;\n"
         "  Minor_Versions = " +
         minor +
         ";\n"
         "  RecoveryBackend = fs;\n"
         "  RecoveryRoot = \"" +
         c.dir +
         "/recovery\";\n"
         "}\n"
         "NFS_KRB5 { Active_krb5 = false; }\n"
         "Plugins_Dir = \"/usr/lib/x86_64-linux-gnu/ganesha\";\n"
         "EXPORT {\n"
         "  Export_Id = 1;\n"
         "  Path = \"" +
         c.dir +
         "/export\";\n"
         "  Pseudo = \"/export\";\n"
         "  Access_Type = None;\n"
         "  Squash = No_Root_Squash;\n"
         "  Protocols = " +
         proto +
         ";\n"
         "  Transports = TCP;\n"
         "  SecType = sys;\n"
         "  CLIENT { Clients = " +
         c.client_ip +
         "; Access_Type = RW; }\n"
         "  FSAL { Name = VFS; }\n"
         "}\n"
         "LOG { Default_Log_Level = EVENT; }\n";
}

Status MakeSwapfile(const std::string& path, int mib) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return Status::Harness("swapfile " + path + ": " + strerror(errno));
  int err = posix_fallocate(fd, 0, static_cast<off_t>(mib) << 20);
  close(fd);
  if (err)
    return Status::Harness("swapfile " + path +
                           ": fallocate: " + strerror(err));
  chmod(path.c_str(), 0600);
  return RunChecked({"mkswap", path}, 60).Context("swapfile");
}

Status GaneshaServer::Start() {
  Status s;
  for (const char* d : {"/export", "/recovery"})
    if (!(s = MakeDirs(c_.dir + d)).ok()) return s.Context("ganesha");
  if (!(s = MakeSwapfile(c_.dir + "/export/swapfile", c_.swapfile_mib)).ok())
    return s.Context("ganesha");
  if (!(s = WriteFile(conf_path(), GaneshaConfig(c_))).ok())
    return s.Context("ganesha");

  // rpcbind first, in a mount namespace of its own with a private /run, so
  // nothing on the host's /run is touched; ganesha joins that namespace.
  SpawnOptions ro;
  ro.netns_path = c_.netns_path;
  ro.private_run = true;
  ro.log_path = c_.log_dir + "/rpcbind.log";
  auto rp = Spawn({"rpcbind", "-f", "-w"}, ro);
  if (!rp.ok()) return rp.status().Context("rpcbind");
  rpcbind_ = *rp;
  std::string sock =
      "/proc/" + std::to_string(rpcbind_) + "/root/run/rpcbind.sock";
  for (int i = 0; i < 100 && !Exists(sock); ++i) {
    if (!ChildAlive(rpcbind_)) {
      rpcbind_ = 0;
      return Status::Harness("rpcbind exited at start: " +
                             TailFile(ro.log_path, 5));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (!Exists(sock))
    return Status::Harness("rpcbind: no /run/rpcbind.sock after 5 s");

  return StartGanesha();
}

namespace {
size_t Count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1))
    ++n;
  return n;
}
}  // namespace

Status GaneshaServer::StartGanesha() {
  // The log is appended to across restarts: wait for one more banner.
  const std::string kReady = "NFS SERVER INITIALIZED";
  auto before = ReadFile(log_path());
  size_t banners = before.ok() ? Count(*before, kReady) : 0;
  SpawnOptions go;
  go.netns_path = c_.netns_path;
  go.join_mount_ns_of = rpcbind_;
  go.log_path = c_.log_dir + "/ganesha.stdout";
  auto gp = Spawn({"ganesha.nfsd", "-F", "-f", conf_path(), "-L", log_path(),
                   "-p", "/run/ganesha.pid"},
                  go);
  if (!gp.ok()) return gp.status().Context("ganesha");
  ganesha_ = *gp;
  for (int i = 0; i < 300; ++i) {
    auto log = ReadFile(log_path());
    if (log.ok() && Count(*log, kReady) > banners) return Status::Ok();
    int st = 0;
    if (!ChildAlive(ganesha_, &st)) {
      ganesha_ = 0;
      return Status::Harness("ganesha.nfsd exited at start; last lines of " +
                             log_path() + ":\n" + TailFile(log_path(), 8));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return Status::Harness(
      "ganesha.nfsd not initialized after 15 s; last lines of " + log_path() +
      ":\n" + TailFile(log_path(), 8));
}

std::string GaneshaServer::Health() {
  return ServerHealth(&ganesha_, "ganesha.nfsd", log_path());
}

void GaneshaServer::Stop() {
  Terminate(ganesha_, 0);  // storage.h: the guest is gone
  ganesha_ = 0;
  Terminate(rpcbind_, 0);
  rpcbind_ = 0;
}

}  // namespace swapbench

namespace swapbench {

Status GaneshaServer::Pause() {
  return SignalGroup(ganesha_, SIGSTOP, "ganesha.nfsd");
}
Status GaneshaServer::Resume() {
  return SignalGroup(ganesha_, SIGCONT, "ganesha.nfsd");
}

Status GaneshaServer::Restart() {
  KillGroup(&ganesha_);
  return StartGanesha().Context("ganesha restart");
}

std::string GaneshaServer::AgentConfig() const {
  namespace conf = protocol::conf;
  return conf::Line(conf::kStorage, "nfs") +
         conf::Line(conf::kNfsVers, c_.version) +
         conf::Line(conf::kNfsExport, export_path()) +
         conf::Line(conf::kMountOpts, c_.mount_options) +
         conf::Line(conf::kSwapfile, "swapfile");
}

}  // namespace swapbench
