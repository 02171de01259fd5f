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
// Removes a tree; ignores a missing path.
void RemoveTree(const std::string& path);

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_FS_UTIL_H_
