#include "bench/state.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "bench/fs_util.h"
#include "bench/netns.h"
#include "bench/process.h"
#include "bench/text.h"

namespace swapbench {

namespace fs = std::filesystem;

RunState::RunState(std::string state_dir, std::string id)
    : dir_(std::move(state_dir) + "/runs"), id_(std::move(id)) {}

namespace {
std::string RecordJson(const RunRecord& r) {
  nlohmann::json j = {{"id", r.id},
                      {"domain", r.domain},
                      {"netns", r.netns},
                      {"scratch", r.scratch},
                      {"pids", r.pids},
                      {"owner", getpid()},
                      {"host_tap", r.host_tap},
                      {"cable_netns", r.cable_netns}};
  return DumpJson(j) + "\n";
}
}  // namespace

Status RunState::Begin(const RunRecord& r) {
  Status s = MakeDirs(dir_);
  if (!s.ok()) return s;
  lock_ = FileLock::TryAcquire(dir_ + "/" + id_ + ".lock");
  if (!lock_.held()) return Status::Harness("state: cannot lock run " + id_);
  return Update(r);
}

Status RunState::Update(const RunRecord& r) {
  return WriteFileAtomic(dir_ + "/" + id_ + ".json", RecordJson(r));
}

void RunState::End() {
  unlink((dir_ + "/" + id_ + ".json").c_str());
  unlink((dir_ + "/" + id_ + ".lock").c_str());
  lock_.Release();
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
    FileLock lock = FileLock::TryAcquire(e.path());
    if (!lock.held()) continue;  // its owner still runs
    std::string json = e.path().string();
    json.replace(json.size() - 5, 5, ".json");
    auto text = ReadFile(json);
    nlohmann::json j = text.ok() ? nlohmann::json::parse(*text, nullptr, false)
                                 : nlohmann::json();
    if (j.is_object()) {
      std::string domain = j.value("domain", "");
      if (!domain.empty()) destroy_domain(domain);
      for (const auto& p : j.value("pids", std::vector<int>{})) {
        // Only our servers, floods and raw guests: a recycled pid may
        // belong to anything else.
        auto comm = ReadFile("/proc/" + std::to_string(p) + "/comm");
        if (!comm.ok()) continue;
        for (const char* server : {"ganesha.nfsd", "rpcbind", "nbd-server",
                                   "tgtd", "tcpreplay", "qemu-system-x86"})
          if (comm->rfind(server, 0) == 0) kill(p, SIGKILL);
      }
      DeleteNetns(Env::Default(), j.value("netns", ""));
      DeleteHostTap(Env::Default(), j.value("host_tap", ""));
      DeleteNetns(Env::Default(), j.value("cable_netns", ""));
      std::string scratch = j.value("scratch", "");
      // A record is data on disk: delete only what lies in our runs dir.
      if (!scratch.empty()) (void)RemoveTreeWithin(dir, scratch);
      out.push_back("reaped run " + j.value("id", "?") + " (domain " + domain +
                    ", netns " + j.value("netns", "") + ")");
    }
    unlink(json.c_str());
    unlink(e.path().c_str());
  }
  return out;
}

}  // namespace swapbench
