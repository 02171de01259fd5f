#include "bench/libvirt_root.h"

#include <signal.h>
#include <unistd.h>

#include <filesystem>

namespace swapbench {

namespace {

namespace fs = std::filesystem;

constexpr const char* kCapsInRoot = "/cache/qemu/capabilities";

bool IsNumber(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

// Copies the *.xml files of `from` that `to` lacks or that differ, each by
// a temporary file and a rename.
void CopyCaps(const std::string& from, const std::string& to) {
  std::error_code ec;
  if (!fs::is_directory(from, ec)) return;
  if (!MakeDirs(to).ok()) return;
  for (const auto& e : fs::directory_iterator(from, ec)) {
    if (e.path().extension() != ".xml") continue;
    auto text = ReadFile(e.path());
    if (!text.ok()) continue;
    std::string dst = to + "/" + e.path().filename().string();
    auto old = ReadFile(dst);
    if (old.ok() && *old == *text) continue;
    (void)WriteFileAtomic(dst, *text);
  }
}

// Kills the guest QEMU of a dead root: each run/qemu/NAME.pid, if that
// process's command line says it is guest NAME (a recycled pid is not).
int KillGuests(const std::string& root) {
  int killed = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(root + "/run/qemu", ec)) {
    if (e.path().extension() != ".pid" || e.path().stem() == "driver") continue;
    auto pid_text = ReadFile(e.path());
    if (!pid_text.ok()) continue;
    pid_t pid = static_cast<pid_t>(atol(pid_text->c_str()));
    if (pid <= 1) continue;
    auto cmdline = ReadFile("/proc/" + std::to_string(pid) + "/cmdline");
    if (!cmdline.ok()) continue;
    std::string want = "guest=" + e.path().stem().string();
    if (cmdline->find(want + ",") == std::string::npos &&
        cmdline->find(want + '\0') == std::string::npos)
      continue;
    if (kill(pid, SIGKILL) == 0) ++killed;
  }
  return killed;
}

}  // namespace

std::vector<std::string> ReapDeadRoots(const std::string& base) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(base, ec)) {
    std::string name = e.path().filename().string();
    if (!IsNumber(name) || !e.is_directory(ec)) continue;
    FileLock lock = FileLock::TryAcquire(e.path().string() + ".lock");
    if (!lock.held()) continue;  // its process lives
    int killed = KillGuests(e.path());
    CopyCaps(e.path().string() + kCapsInRoot, base + "/capabilities");
    (void)RemoveTreeWithin(base, e.path());
    unlink((e.path().string() + ".lock").c_str());
    out.push_back("reaped libvirt root " + e.path().string() +
                  " of dead process " + name + " (" + std::to_string(killed) +
                  " guest(s) killed)");
  }
  return out;
}

Result<LibvirtRoot> LibvirtRoot::Claim(const std::string& base,
                                       std::vector<std::string>* reaped) {
  if (Status s = MakeDirs(base); !s.ok()) return s.Context("libvirt");
  *reaped = ReapDeadRoots(base);
  std::string path = base + "/" + std::to_string(getpid());
  FileLock lock = FileLock::TryAcquire(path + ".lock");
  if (!lock.held())
    return Status::Harness("libvirt: cannot lock " + path + ".lock");
  // A root left by an earlier process with our pid is dead: start afresh.
  if (Status s = RemoveTreeWithin(base, path); !s.ok()) return s;
  if (Status s = MakeDirs(path); !s.ok()) return s.Context("libvirt");
  // Seed from the shared cache, or from the single root older versions used.
  CopyCaps(base + std::string(kCapsInRoot), base + "/capabilities");
  CopyCaps(base + "/capabilities", path + kCapsInRoot);
  return LibvirtRoot(base, path, std::move(lock));
}

void LibvirtRoot::Release() {
  if (path_.empty()) return;
  CopyCaps(path_ + kCapsInRoot, base_ + "/capabilities");
  (void)RemoveTreeWithin(base_, path_);
  unlink((path_ + ".lock").c_str());
  lock_.Release();
  path_.clear();
}

}  // namespace swapbench
