#include "bench/fs_util.h"

#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

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

void RemoveTree(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
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
