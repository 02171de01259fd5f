// Text: printf into a std::string, and XML escaping: the helpers every
// formatter shares.
// Pure; thread-safe.
#ifndef SWAPBENCH_BENCH_TEXT_H_
#define SWAPBENCH_BENCH_TEXT_H_

#include <nlohmann/json.hpp>
#include <string>

namespace swapbench {

// snprintf into a string of whatever length the result needs.
std::string StringPrintf(const char* fmt, ...)
    __attribute__((format(printf, 1, 2)));

// Escaping shared by the XML and HTML writers: &<>"' and bytes that XML
// 1.0 does not allow (console control characters, stray non-UTF-8 bytes)
// become safe text.
std::string XmlEscape(const std::string& s);

// JSON text of `j`; bytes that are not UTF-8 (a guest console's) become
// U+FFFD instead of an exception, so a report is always written.
std::string DumpJson(const nlohmann::json& j, int indent = 2);

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_TEXT_H_
