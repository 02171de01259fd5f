// The bench's own version: `git describe --always --dirty --tags` of the
// source tree at build time (cmake/version.cmake), "unknown" outside git.
#ifndef SWAPBENCH_BENCH_VERSION_H_
#define SWAPBENCH_BENCH_VERSION_H_

namespace swapbench {
const char* SwapbenchVersion();
}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_VERSION_H_
