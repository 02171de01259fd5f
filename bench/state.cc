#include "bench/state.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "bench/fs_util.h"
#include "bench/process.h"

namespace swapbench {

namespace fs = std::filesystem;

RunState::RunState(std::string state_dir, std::string id)
    : dir_(std::move(state_dir) + "/runs"), id_(std::move(id)) {}

RunState::~RunState() {
  if (lock_fd_ >= 0) close(lock_fd_);
}

namespace {
std::string RecordJson(const RunRecord& r) {
  nlohmann::json j = {{"id", r.id},
                      {"domain", r.domain},
                      {"netns", r.netns},
                      {"scratch", r.scratch},
                      {"pids", r.pids},
                      {"owner", getpid()},
                      {"host_tap", r.host_tap}};
  return j.dump(2) + "\n";
}
}  // namespace

Status RunState::Begin(const RunRecord& r) {
  Status s = MakeDirs(dir_);
  if (!s.ok()) return s;
  lock_fd_ = open((dir_ + "/" + id_ + ".lock").c_str(),
                  O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ < 0 || flock(lock_fd_, LOCK_EX | LOCK_NB) != 0)
    return Status::Harness("state: cannot lock run " + id_);
  return Update(r);
}

Status RunState::Update(const RunRecord& r) {
  return WriteFileAtomic(dir_ + "/" + id_ + ".json", RecordJson(r));
}

void RunState::End() {
  unlink((dir_ + "/" + id_ + ".json").c_str());
  unlink((dir_ + "/" + id_ + ".lock").c_str());
  if (lock_fd_ >= 0) close(lock_fd_);
  lock_fd_ = -1;
}

void DeleteNetns(const std::string& name) {
  if (name.empty() || !Exists("/run/netns/" + name)) return;
  RunCommand({"ip", "netns", "del", name}, 30);
}

void DeleteHostTap(const std::string& name) {
  if (name.empty() || !Exists("/sys/class/net/" + name)) return;
  RunCommand({"ip", "link", "del", name}, 30);
}

std::vector<std::string> Reap(
    const std::string& state_dir,
    const std::function<void(const std::string&)>& destroy_domain) {
  std::vector<std::string> out;
  std::string dir = state_dir + "/runs";
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.path().extension() != ".lock") continue;
    int fd = open(e.path().c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) continue;
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {  // its owner still runs
      close(fd);
      continue;
    }
    std::string json = e.path().string();
    json.replace(json.size() - 5, 5, ".json");
    auto text = ReadFile(json);
    nlohmann::json j = text.ok() ? nlohmann::json::parse(*text, nullptr, false)
                                 : nlohmann::json();
    if (j.is_object()) {
      std::string domain = j.value("domain", "");
      if (!domain.empty()) destroy_domain(domain);
      for (const auto& p : j.value("pids", std::vector<int>{})) {
        // Only our servers: a recycled pid may belong to anything else.
        auto comm = ReadFile("/proc/" + std::to_string(p) + "/comm");
        if (!comm.ok()) continue;
        for (const char* server :
             {"ganesha.nfsd", "rpcbind", "nbd-server", "tgtd"})
          if (comm->rfind(server, 0) == 0) kill(p, SIGKILL);
      }
      DeleteNetns(j.value("netns", ""));
      DeleteHostTap(j.value("host_tap", ""));
      std::string scratch = j.value("scratch", "");
      if (!scratch.empty() && scratch.find("/runs/") != std::string::npos)
        RemoveTree(scratch);
      out.push_back("reaped run " + j.value("id", "?") + " (domain " + domain +
                    ", netns " + j.value("netns", "") + ")");
    }
    unlink(json.c_str());
    unlink(e.path().c_str());
    close(fd);
  }
  return out;
}

}  // namespace swapbench
