#include "bench/fs_util.h"

#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace swapbench {

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Status::Harness("read " + path + ": " + strerror(errno));
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

Status WriteFile(const std::string& path, const std::string& data) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) return Status::Harness("write " + path + ": " + strerror(errno));
  f.write(data.data(), data.size());
  f.close();
  if (!f) return Status::Harness("write " + path + ": " + strerror(errno));
  return Status::Ok();
}

Status WriteFileAtomic(const std::string& path, const std::string& data) {
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  Status s = WriteFile(tmp, data);
  if (!s.ok()) return s;
  if (rename(tmp.c_str(), path.c_str()) != 0)
    return Status::Harness("rename " + tmp + " " + path + ": " +
                           strerror(errno));
  return Status::Ok();
}

Status MakeDirs(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return Status::Harness("mkdir " + path + ": " + ec.message());
  return Status::Ok();
}

bool Exists(const std::string& path) { return access(path.c_str(), F_OK) == 0; }

bool IsInside(const std::string& root, const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  // weakly_canonical resolves what exists (symlinks, ..) and normalises
  // the rest; the last component itself is not followed, so a symlink
  // inside the root is removed as a link, never through.
  fs::path p = fs::absolute(path, ec);
  if (ec) return false;
  fs::path parent = fs::weakly_canonical(p.parent_path(), ec);
  if (ec) return false;
  fs::path r = fs::weakly_canonical(fs::absolute(root, ec), ec);
  if (ec || p.filename().empty() || p.filename() == "." || p.filename() == "..")
    return false;
  fs::path resolved = parent / p.filename();
  auto [ri, pi] =
      std::mismatch(r.begin(), r.end(), resolved.begin(), resolved.end());
  return ri == r.end() && pi != resolved.end();
}

Status RemoveTreeWithin(const std::string& root, const std::string& path) {
  if (!IsInside(root, path))
    return Status::Harness("refusing to delete " + path + ": not inside " +
                           root);
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (ec) return Status::Harness("delete " + path + ": " + ec.message());
  return Status::Ok();
}

}  // namespace swapbench

namespace swapbench {

namespace {
int LockedFd(const std::string& path, int how) {
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd >= 0 && flock(fd, how) != 0) {
    close(fd);
    fd = -1;
  }
  return fd;
}
}  // namespace

FileLock FileLock::Acquire(const std::string& path) {
  return FileLock(LockedFd(path, LOCK_EX));
}

FileLock FileLock::TryAcquire(const std::string& path) {
  return FileLock(LockedFd(path, LOCK_EX | LOCK_NB));
}

FileLock& FileLock::operator=(FileLock&& o) noexcept {
  if (this != &o) {
    Release();
    fd_ = o.fd_;
    o.fd_ = -1;
  }
  return *this;
}

void FileLock::Release() {
  if (fd_ >= 0) close(fd_);  // closing the last descriptor drops the flock
  fd_ = -1;
}

}  // namespace swapbench
