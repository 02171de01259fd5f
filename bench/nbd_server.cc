#include "bench/fs_util.h"
#include "bench/process.h"
#include "bench/storage.h"
#include "images/agent/protocol.h"

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

Status NbdServer::Launch() {
  Status s = WriteFile(c_.log_dir + "/nbd-server.conf", NbdServerConfig(c_));
  if (s.ok()) s = WriteFile(c_.log_dir + "/nbd-allow", c_.client_ip + "\n");
  if (!s.ok()) return s.Context(name());
  SpawnOptions o;
  o.netns_path = c_.netns_path;
  o.private_run = true;  // its pid file and sockets stay off the host's /run
  o.log_path = log_path();
  auto pid =
      Spawn({"nbd-server", "-C", c_.log_dir + "/nbd-server.conf", "-d"}, o);
  if (!pid.ok()) return pid.status().Context(name());
  pid_ = *pid;
  return WaitListening(&pid_, kPort, name(), log_path());
}

std::string NbdServer::AgentConfig() const {
  namespace conf = protocol::conf;
  return conf::Line(conf::kStorage, "nbd") +
         conf::Line(conf::kNbdPort, std::to_string(kPort)) +
         conf::Line(conf::kNbdExport, export_path());
}

}  // namespace swapbench
