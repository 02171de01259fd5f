#include "bench/fs_util.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "bench/text.h"

namespace swapbench {

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Status::Harness("read " + path + ": " + strerror(errno));
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

namespace {
Status Write(const std::string& path, const std::string& data,
             std::ios::openmode mode, const char* what) {
  std::ofstream f(path, std::ios::binary | mode);
  if (!f) return Status::Harness(what + (" " + path) + ": " + strerror(errno));
  f.write(data.data(), data.size());
  f.close();
  if (!f) return Status::Harness(what + (" " + path) + ": " + strerror(errno));
  return Status::Ok();
}
}  // namespace

Status WriteFile(const std::string& path, const std::string& data) {
  return Write(path, data, std::ios::trunc, "write");
}

Status AppendFile(const std::string& path, const std::string& data) {
  return Write(path, data, std::ios::app, "append");
}

Status WriteFileAtomic(const std::string& path, const std::string& data) {
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  Status s = WriteFile(tmp, data);
  if (s.ok() && rename(tmp.c_str(), path.c_str()) != 0)
    s = Status::Harness("rename " + tmp + " " + path + ": " + strerror(errno));
  if (!s.ok()) unlink(tmp.c_str());  // nothing half-written is left
  if (!s.ok()) return s;
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

namespace swapbench {

Status ForEachLine(const std::string& path,
                   const std::function<void(std::string_view)>& on_line) {
  int fd = STDIN_FILENO;
  if (path != "-") {
    fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return Status::Usage(path + ": " + strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      close(fd);
      return Status::Usage(path + ": not a regular file");
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  }
  LineSplitter lines;
  std::string buf(1 << 16, '\0');
  Status s;
  for (;;) {
    ssize_t n = read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) s = Status::Usage(path + ": " + strerror(errno));
    if (n <= 0) break;
    lines.Feed(std::string_view(buf.data(), n), on_line);
  }
  lines.Flush(on_line);
  if (fd != STDIN_FILENO) close(fd);
  return s;
}

}  // namespace swapbench

namespace swapbench {

Result<std::string> ReadRegularFile(const std::string& path, size_t max_bytes) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0)
    return Status::Usage(path + ": " + strerror(errno));
  if (!S_ISREG(st.st_mode)) return Status::Usage(path + ": not a regular file");
  if (static_cast<size_t>(st.st_size) > max_bytes)
    return Status::Usage(path + ": " + std::to_string(st.st_size) +
                         " bytes, over the limit of " +
                         std::to_string(max_bytes));
  auto text = ReadFile(path);
  if (!text.ok()) return Status::Usage(text.status().message());
  return text;
}

}  // namespace swapbench

namespace swapbench {

Status CheckOutDir(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path p = fs::absolute(path, ec).lexically_normal();
  if (ec || path.empty())
    return Status::Usage("--out \"" + path + "\": not a path");
  fs::path dir = p;
  while (!fs::exists(dir, ec) && dir.has_parent_path() &&
         dir != dir.parent_path())
    dir = dir.parent_path();
  if (dir == p && !fs::is_directory(dir, ec))
    return Status::Usage("--out " + path + ": exists and is not a directory");
  if (!fs::is_directory(dir, ec))
    return Status::Usage("--out " + path + ": " + dir.string() +
                         " is not a directory");
  struct statfs sf;
  if (statfs(dir.c_str(), &sf) == 0 &&
      (sf.f_type == PROC_SUPER_MAGIC || sf.f_type == SYSFS_MAGIC))
    return Status::Usage("--out " + path + ": " + dir.string() +
                         " is on /proc or /sys");
  if (access(dir.c_str(), W_OK | X_OK) != 0)
    return Status::Usage("--out " + path + ": " + dir.string() +
                         " is not writable");
  return Status::Ok();
}

}  // namespace swapbench
