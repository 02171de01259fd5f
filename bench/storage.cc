// Helpers every storage server shares.
#include "bench/storage.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "bench/fs_util.h"
#include "bench/process.h"

namespace swapbench {

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

Status WaitListening(pid_t* pid, int port, const std::string& name,
                     const std::string& log) {
  for (int i = 0; i < 200; ++i) {
    if (Listening(*pid, port)) return Status::Ok();
    if (!ChildAlive(*pid)) {
      *pid = 0;
      return Status::Harness(name + " exited at start; last lines of " + log +
                             ":\n" + TailFile(log, 8));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return Status::Harness(name + " not listening on port " +
                         std::to_string(port) + " after 10 s; last lines of " +
                         log + ":\n" + TailFile(log, 8));
}

Status SignalGroup(pid_t pid, int sig, const std::string& name) {
  if (pid <= 0 || kill(-pid, sig) != 0)
    return Status::Harness(name + ": " + strsignal(sig) + ": not running");
  return Status::Ok();
}

void KillGroup(pid_t* pid) {
  if (*pid <= 0) return;
  kill(-*pid, SIGKILL);
  int st;
  waitpid(*pid, &st, 0);
  *pid = 0;
}

std::string ServerHealth(pid_t* pid, const std::string& name,
                         const std::string& log) {
  int st = 0;
  if (*pid && !ChildAlive(*pid, &st)) {
    *pid = 0;
    return name + " exited (status " + std::to_string(st) +
           "); last lines of " + log + ":\n" + TailFile(log, 8);
  }
  return *pid ? "" : name + " is not running";
}

}  // namespace swapbench

namespace swapbench {

Status BlockServer::Start() {
  Status s = MakeDirs(c_.dir);
  if (s.ok()) s = MakeSwapfile(image(), c_.swap_mib);
  if (!s.ok()) return s.Context(name());
  return Launch();
}

void BlockServer::Stop() {
  Terminate(pid_, 0);  // storage.h: the guest is gone
  pid_ = 0;
}

std::string BlockServer::Health() {
  return ServerHealth(&pid_, name(), log_path());
}
Status BlockServer::Pause() { return SignalGroup(pid_, SIGSTOP, name()); }
Status BlockServer::Resume() { return SignalGroup(pid_, SIGCONT, name()); }

Status BlockServer::Restart() {
  KillGroup(&pid_);
  return Launch().Context(std::string(name()) + " restart");
}

}  // namespace swapbench

namespace swapbench {

std::unique_ptr<Storage> MakeStorage(const StorageParams& p) {
  BlockConfig bc{.netns_path = p.netns_path,
                 .dir = p.dir,
                 .log_dir = p.log_dir,
                 .server_ip = p.server_ip,
                 .client_ip = p.client_ip,
                 .swap_mib = p.swap_mib};
  switch (p.kind) {
    case StorageKind::kNbd:
      return std::make_unique<NbdServer>(bc);
    case StorageKind::kIscsi:
      return std::make_unique<IscsiServer>(bc);
    case StorageKind::kNfs:
      break;
  }
  return std::make_unique<GaneshaServer>(
      NfsConfig{.netns_path = p.netns_path,
                .dir = p.dir,
                .log_dir = p.log_dir,
                .client_ip = p.client_ip,
                .version = p.nfs_version,
                .mount_options = p.mount_options,
                .swapfile_mib = p.swap_mib});
}

}  // namespace swapbench
