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

std::string NbdServerConfig(const NbdConfig& c) {
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

namespace {
// True once the process (seen through its own network namespace) listens
// on `port`.
bool Listening(pid_t pid, int port) {
  auto tcp = ReadFile("/proc/" + std::to_string(pid) + "/net/tcp");
  if (!tcp.ok()) return false;
  char needle[32];
  snprintf(needle, sizeof(needle), ":%04X 00000000:0000 0A", port);
  return tcp->find(needle) != std::string::npos;
}
}  // namespace

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
  for (int i = 0; i < 200; ++i) {
    if (Listening(pid_, kPort)) return Status::Ok();
    if (!ChildAlive(pid_)) {
      pid_ = 0;
      return Status::Harness("nbd-server exited at start; last lines of " +
                             log_path() + ":\n" + TailFile(log_path(), 8));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return Status::Harness("nbd-server not listening after 10 s; last lines of " +
                         log_path() + ":\n" + TailFile(log_path(), 8));
}

std::string NbdServer::Health() {
  int st = 0;
  if (pid_ && !ChildAlive(pid_, &st)) {
    pid_ = 0;
    return "nbd-server exited (status " + std::to_string(st) +
           "); last lines of " + log_path() + ":\n" + TailFile(log_path(), 8);
  }
  return pid_ ? "" : "nbd-server is not running";
}

void NbdServer::Stop() {
  Terminate(pid_, 3000);
  pid_ = 0;
}

// The process group holds the listener and its per-connection children.
Status NbdServer::Pause() {
  if (!pid_ || kill(-pid_, SIGSTOP) != 0)
    return Status::Harness("nbd-server: SIGSTOP: not running");
  return Status::Ok();
}

Status NbdServer::Resume() {
  if (!pid_ || kill(-pid_, SIGCONT) != 0)
    return Status::Harness("nbd-server: SIGCONT: not running");
  return Status::Ok();
}

Status NbdServer::Restart() {
  if (pid_) {
    kill(-pid_, SIGKILL);
    int st;
    waitpid(pid_, &st, 0);
    pid_ = 0;
  }
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
