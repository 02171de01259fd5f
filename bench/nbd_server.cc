#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "bench/fs_util.h"
#include "bench/process.h"
#include "bench/storage.h"

namespace swapbench {

std::string NbdServerConfig(const BlockConfig& c) {
  return "# Written by swapbench for one run; see bench/nbd_server.cc.\n"
         "[generic]\n"
         "  user = root\n"
         "  group = root\n"
         "  listenaddr = " +
         c.server_ip +
         "\n"
         "  port = " +
         std::to_string(NbdServer::kPort) +
         "\n"
         "[swap]\n"
         "  exportname = " +
         c.dir +
         "/swap.img\n"
         "  authfile = " +
         c.log_dir + "/nbd-allow\n";
}

Status NbdServer::Start() {
  Status s = MakeDirs(c_.dir);
  if (s.ok()) s = MakeSwapfile(c_.dir + "/swap.img", c_.swap_mib);
  if (s.ok())
    s = WriteFile(c_.log_dir + "/nbd-server.conf", NbdServerConfig(c_));
  if (s.ok()) s = WriteFile(c_.log_dir + "/nbd-allow", c_.client_ip + "\n");
  if (!s.ok()) return s.Context("nbd-server");
  return Launch();
}

Status NbdServer::Launch() {
  SpawnOptions o;
  o.netns_path = c_.netns_path;
  o.private_run = true;  // its pid file and sockets stay off the host's /run
  o.log_path = log_path();
  auto pid =
      Spawn({"nbd-server", "-C", c_.log_dir + "/nbd-server.conf", "-d"}, o);
  if (!pid.ok()) return pid.status().Context("nbd-server");
  pid_ = *pid;
  return WaitListening(&pid_, kPort, "nbd-server", log_path());
}

std::string NbdServer::Health() {
  return ServerHealth(&pid_, "nbd-server", log_path());
}

void NbdServer::Stop() {
  Terminate(pid_, 3000);
  pid_ = 0;
}

// The process group holds the listener and its per-connection children.
Status NbdServer::Pause() { return SignalGroup(pid_, SIGSTOP, "nbd-server"); }
Status NbdServer::Resume() { return SignalGroup(pid_, SIGCONT, "nbd-server"); }

Status NbdServer::Restart() {
  KillGroup(&pid_);
  return Launch().Context("nbd-server restart");
}

std::string NbdServer::AgentConfig() const {
  return "storage=nbd\nnbd_port=" + std::to_string(kPort) +
         "\nnbd_export=swap\n";
}

std::string GaneshaServer::AgentConfig() const {
  return "storage=nfs\nnfs_vers=" + c_.version +
         "\nnfs_export=" + export_path() + "\nmount_opts=" + c_.mount_options +
         "\nswapfile=swapfile\n";
}

}  // namespace swapbench
