// SHA-256 (OpenSSL's EVP) of bytes and of files, as lowercase hex: what a
// reproduction manifest names a scenario, a kernel image or a package by.
//
// Pure functions; thread-safe.
#ifndef SWAPBENCH_BENCH_DIGEST_H_
#define SWAPBENCH_BENCH_DIGEST_H_

#include <string>
#include <string_view>

#include "bench/status.h"

namespace swapbench {

std::string Sha256Hex(std::string_view data);
// Streams the file (kernels, packages: megabytes, never read whole).
Result<std::string> Sha256File(const std::string& path);

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_DIGEST_H_
