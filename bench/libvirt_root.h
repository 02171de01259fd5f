// LibvirtRoot: the embedded libvirt root of one swapbench process.
//
// libvirt's embedded QEMU driver allows one process per root (the second
// fails: "Failed to acquire pid file '.../driver.pid'"), so two benches on
// one host — two CI jobs — need a root each: STATE/libvirt/PID, locked while
// its process lives. What the roots share is QEMU's capability cache (the
// first probe takes 3.5-7 s): seeded into a new root from
// STATE/libvirt/capabilities, and new entries copied back there on release
// (write to a temporary file, rename: readers never see half a file).
// A root whose process died (SIGKILL) is reaped by the next process that
// claims one: the QEMU its pid files name is killed (if its command line
// says it is that guest) and the root deleted.
//
// Threading: one per process, claimed and released on one thread.
#ifndef SWAPBENCH_BENCH_LIBVIRT_ROOT_H_
#define SWAPBENCH_BENCH_LIBVIRT_ROOT_H_

#include <string>
#include <utility>
#include <vector>

#include "bench/fs_util.h"
#include "bench/status.h"

namespace swapbench {

class LibvirtRoot {
 public:
  // Reaps dead roots under `base` (lines for the log in *reaped), claims
  // BASE/PID and seeds its capability cache.
  static Result<LibvirtRoot> Claim(const std::string& base,
                                   std::vector<std::string>* reaped);
  LibvirtRoot(LibvirtRoot&& o) noexcept
      : base_(std::move(o.base_)),
        path_(std::exchange(o.path_, {})),
        lock_(std::move(o.lock_)) {}
  LibvirtRoot& operator=(LibvirtRoot&&) = delete;
  ~LibvirtRoot() { Release(); }

  const std::string& path() const { return path_; }
  // Shares the capabilities probed here, deletes the root, drops the lock.
  void Release();

 private:
  LibvirtRoot(std::string base, std::string path, FileLock lock)
      : base_(std::move(base)),
        path_(std::move(path)),
        lock_(std::move(lock)) {}
  std::string base_, path_;
  FileLock lock_;
};

// Kills the guests of roots whose process is gone and deletes the roots;
// a line per root. Roots whose process lives are left alone.
std::vector<std::string> ReapDeadRoots(const std::string& base);

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_LIBVIRT_ROOT_H_
