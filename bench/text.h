// Text: printf into a std::string, the one helper every formatter shares.
// Pure; thread-safe.
#ifndef SWAPBENCH_BENCH_TEXT_H_
#define SWAPBENCH_BENCH_TEXT_H_

#include <string>

namespace swapbench {

// snprintf into a string of whatever length the result needs.
std::string StringPrintf(const char* fmt, ...)
    __attribute__((format(printf, 1, 2)));

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_TEXT_H_
