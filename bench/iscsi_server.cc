#include "bench/process.h"
#include "bench/storage.h"
#include "images/agent/protocol.h"

namespace swapbench {

Status IscsiServer::Launch() {
  SpawnOptions o;
  o.netns_path = c_.netns_path;
  o.private_run = true;  // tgtd's control socket lives in /run/tgtd
  o.log_path = log_path();
  auto pid = Spawn({"tgtd", "-f", "--iscsi",
                    "portal=" + c_.server_ip + ":" + std::to_string(kPort)},
                   o);
  if (!pid.ok()) return pid.status().Context(name());
  pid_ = *pid;
  Status s = WaitListening(&pid_, kPort, name(), log_path());
  if (!s.ok()) return s;
  // tgtadm talks to tgtd over the socket in tgtd's private /run.
  const std::string ns = std::to_string(pid_);
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"--op", "new", "--mode", "target", "--tid", "1", "-T", kTarget},
           {"--op", "new", "--mode", "logicalunit", "--tid", "1", "--lun", "1",
            "-b", image()},
           {"--op", "bind", "--mode", "target", "--tid", "1", "-I",
            c_.client_ip}}) {
    std::vector<std::string> cmd = {"nsenter", "-t",    ns,     "-m",
                                    "tgtadm",  "--lld", "iscsi"};
    cmd.insert(cmd.end(), args.begin(), args.end());
    if (!(s = RunChecked(cmd, 30)).ok()) return s.Context(name());
  }
  return Status::Ok();
}

std::string IscsiServer::AgentConfig() const {
  namespace conf = protocol::conf;
  return conf::Line(conf::kStorage, "iscsi") +
         conf::Line(conf::kIscsiTarget, kTarget) +
         conf::Line(conf::kIscsiPort, std::to_string(kPort));
}

}  // namespace swapbench
