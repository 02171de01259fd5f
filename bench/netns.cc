#include "bench/netns.h"

#include "bench/fs_util.h"

namespace swapbench {

Result<std::unique_ptr<Netns>> Netns::Create(Env* env, std::string name) {
  Status s = env->RunChecked({"ip", "netns", "add", name});
  if (!s.ok()) return s.Context("netns");
  return std::unique_ptr<Netns>(new Netns(env, std::move(name)));
}

Netns::~Netns() { (void)env_->Run({"ip", "netns", "del", name_}, 30); }

Status Netns::AddressServer(const std::string& dev, int mtu) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"ip", "-n", name_, "link", "set", "lo", "up"},
           {"ip", "-n", name_, "link", "set", dev, "mtu", std::to_string(mtu)},
           {"ip", "-n", name_, "addr", "add",
            std::string(kServerIp) + "/" + std::to_string(kPrefix), "dev", dev},
           {"ip", "-n", name_, "link", "set", dev, "up"}}) {
    if (Status s = env_->RunChecked(args); !s.ok()) return s.Context("netns");
  }
  return Status::Ok();
}

Status Netns::Tc(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"tc", "-n", name_};
  argv.insert(argv.end(), args.begin(), args.end());
  return env_->RunChecked(argv);
}

void DeleteNetns(Env* env, const std::string& name) {
  if (name.empty() || !Exists("/run/netns/" + name)) return;
  (void)env->Run({"ip", "netns", "del", name}, 30);
}

void DeleteHostTap(Env* env, const std::string& name) {
  if (name.empty() || !Exists("/sys/class/net/" + name)) return;
  (void)env->Run({"ip", "link", "del", name}, 30);
}

}  // namespace swapbench
