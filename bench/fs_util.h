// Small file helpers shared by the bench modules. Errors come back as
// Status values naming the path.
#ifndef SWAPBENCH_BENCH_FS_UTIL_H_
#define SWAPBENCH_BENCH_FS_UTIL_H_

#include <functional>
#include <string>
#include <string_view>

#include "bench/status.h"

namespace swapbench {

Result<std::string> ReadFile(const std::string& path);
// ReadFile for a regular file of at most `max_bytes` (else a Usage error
// saying why): where a file is meant, a device, a FIFO or a huge file is
// refused instead of read until memory runs out or forever.
Result<std::string> ReadRegularFile(const std::string& path, size_t max_bytes);
Status WriteFile(const std::string& path, const std::string& data);
// Appends `data` to the file at `path` (made if missing).
Status AppendFile(const std::string& path, const std::string& data);
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
// Feeds every line of the regular file `path` ("-": standard input) to
// `on_line`, streamed (lines cut at LineSplitter::kMaxLine), never slurped:
// a device or a FIFO where a file is meant is a Usage error.
[[nodiscard]] Status ForEachLine(
    const std::string& path,
    const std::function<void(std::string_view)>& on_line);
// Usage error unless `path` can be a report directory: an existing
// writable directory, or one that can be made in the nearest existing
// writable directory above it; never on /proc or /sys. Touches nothing.
[[nodiscard]] Status CheckOutDir(const std::string& path);
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
