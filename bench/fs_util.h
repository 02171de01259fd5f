// Small file helpers shared by the bench modules. Errors come back as
// Status values naming the path.
#ifndef SWAPBENCH_BENCH_FS_UTIL_H_
#define SWAPBENCH_BENCH_FS_UTIL_H_

#include <string>

#include "bench/status.h"

namespace swapbench {

Result<std::string> ReadFile(const std::string& path);
Status WriteFile(const std::string& path, const std::string& data);
// Writes to path.tmp and renames, so readers never see a partial file.
Status WriteFileAtomic(const std::string& path, const std::string& data);
Status MakeDirs(const std::string& path);
bool Exists(const std::string& path);
// Removes `path` and everything below it, only if it lies strictly inside
// `root` (the directory the bench owns: its cache, its run records) once
// both are resolved (.., symlinks); anything else is refused with a
// Harness error and nothing is deleted. A missing path is fine.
[[nodiscard]] Status RemoveTreeWithin(const std::string& root,
                                      const std::string& path);
// Whether `path`, resolved, lies strictly inside `root`, resolved.
bool IsInside(const std::string& root, const std::string& path);

// An exclusive flock(2) on a file (created if missing), held while the
// object lives: two bench processes fetching the same kernel or building
// the same image wait for each other; a run record is locked by the run
// that owns it, so the reaper knows it is alive. Movable, not copyable.
class FileLock {
 public:
  // Waits for the lock. A lock that cannot be taken (no such directory)
  // is not held: held() says so.
  FileLock() = default;  // holds nothing
  static FileLock Acquire(const std::string& path);
  // Takes the lock only if nobody holds it.
  static FileLock TryAcquire(const std::string& path);
  FileLock(FileLock&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  FileLock& operator=(FileLock&& o) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock() { Release(); }
  bool held() const { return fd_ >= 0; }
  void Release();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_FS_UTIL_H_
