// GuestImage: the initramfs that boots the kernel under test.
//
// The initramfs holds busybox, the
// swapbench agent as /init and the kernel modules the scenario needs with
// their dependencies resolved from modules.dep; it is cached under a hash
// of its contents, so a second run reuses it. The per-run configuration is
// a second, tiny cpio appended to a copy of the cached one.
//
// Not thread-safe; called from the runner's thread before the VM starts.
#ifndef SWAPBENCH_BENCH_GUEST_IMAGE_H_
#define SWAPBENCH_BENCH_GUEST_IMAGE_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "bench/kernel.h"
#include "bench/status.h"

namespace swapbench {

// Resolves `roots` (module names; '-' and '_' alike) against the text of a
// modules.dep and returns module paths (as written in modules.dep) in an
// order where every module follows its dependencies. Builtin modules
// (listed in `builtin`, e.g. from modules.builtin) are skipped.
Result<std::vector<std::string>> ResolveModules(
    const std::string& modules_dep, const std::string& builtin,
    const std::vector<std::string>& roots);

// Writes a cpio archive in the "newc" format the kernel unpacks. Entries
// carry mtime 0 and uid/gid 0, so equal inputs give equal bytes.
class CpioWriter {
 public:
  void AddDir(const std::string& path, uint32_t mode = 0755);
  void AddFile(const std::string& path, const std::string& data,
               uint32_t mode = 0644);
  void AddSymlink(const std::string& path, const std::string& target);
  void AddCharDev(const std::string& path, uint32_t major, uint32_t minor,
                  uint32_t mode = 0600);
  // Appends the trailer and returns the archive.
  std::string Finish();

 private:
  void Entry(const std::string& path, uint32_t mode, const std::string& data,
             uint32_t rmajor = 0, uint32_t rminor = 0);
  std::string out_;
  uint32_t ino_ = 1;
};

struct ImageInputs {
  std::string agent;                 // static agent binary
  std::string busybox;               // busybox-static binary
  std::vector<std::string> modules;  // root module names
  // Dynamically linked host programs the guest runs (nbd-client ...); each
  // goes in at the same path, with the shared libraries ldd names.
  std::vector<std::string> binaries;
};

struct GuestImage {
  std::string initramfs;             // cached base archive
  std::string hash;                  // content hash (hex)
  bool reused = false;               // true when found in cache
  std::vector<std::string> modules;  // resolved load order (module paths)
};

Result<GuestImage> BuildImage(const Kernel& kernel, const ImageInputs& in,
                              const std::string& cache_dir);

// Copies the base archive to `out` and appends an archive holding `files`.
Status WriteRunInitrd(const GuestImage& image,
                      const std::map<std::string, std::string>& files,
                      const std::string& out);

// The shared libraries (and the ELF interpreter) in `ldd` output (pure;
// tested).
std::vector<std::string> ParseLdd(const std::string& ldd_output);

uint64_t Fnv1a64(const std::string& data, uint64_t h = 0xcbf29ce484222325ULL);

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_GUEST_IMAGE_H_
