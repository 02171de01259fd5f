// Decompress: kernel modules as distributions ship them — .ko.xz (liblzma),
// .ko.zst (libzstd), .ko.gz (zlib) — made plain .ko on the host while the
// guest image is built, so the guest kernel needs no module decompressor.
// Output is capped: a module larger than kMaxModuleBytes decompressed is an
// error, never memory exhaustion.
//
// Pure; thread-safe.
#ifndef SWAPBENCH_BENCH_DECOMPRESS_H_
#define SWAPBENCH_BENCH_DECOMPRESS_H_

#include <string>

#include "bench/status.h"

namespace swapbench {

inline constexpr size_t kMaxModuleBytes = size_t{256} << 20;

// The module's name without its compression suffix ("a/b.ko.xz" -> "a/b.ko").
std::string PlainModulePath(const std::string& path);

// `bytes` of the module at `path`, decompressed as its suffix says (a .ko
// comes back as it is). A Usage error naming the path for data that does
// not decompress, an unknown suffix, or output over `max_bytes`.
Result<std::string> DecompressModule(const std::string& path,
                                     const std::string& bytes,
                                     size_t max_bytes = kMaxModuleBytes);

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_DECOMPRESS_H_
