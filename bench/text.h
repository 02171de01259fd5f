// Text: printf into a std::string, and XML escaping: the helpers every
// formatter shares.
// Pure; thread-safe.
#ifndef SWAPBENCH_BENCH_TEXT_H_
#define SWAPBENCH_BENCH_TEXT_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace swapbench {

// snprintf into a string of whatever length the result needs.
std::string StringPrintf(const char* fmt, ...)
    __attribute__((format(printf, 1, 2)));

// `s` without trailing spaces, \r and \n (command output, one-line files).
std::string TrimRight(std::string s);

// Escaping shared by the XML and HTML writers: &<>"' and bytes that XML
// 1.0 does not allow (console control characters, stray non-UTF-8 bytes)
// become safe text.
std::string XmlEscape(const std::string& s);

// Splits a byte stream into lines (without the \n). A line longer than
// `max_line` is cut there and the rest continues as the next line, so that
// memory stays bounded whatever a guest or a file sends.
class LineSplitter {
 public:
  static constexpr size_t kMaxLine = 1 << 20;
  explicit LineSplitter(size_t max_line = kMaxLine) : max_(max_line) {}
  template <typename F>
  void Feed(std::string_view bytes, F&& on_line) {
    while (!bytes.empty()) {
      size_t nl = bytes.find('\n');
      std::string_view piece = bytes.substr(0, nl);
      size_t room = max_ - partial_.size();
      if (piece.size() >= room &&
          (nl == std::string_view::npos || piece.size() > room)) {
        partial_.append(piece.substr(0, room));
        on_line(std::string_view(partial_));
        partial_.clear();
        bytes.remove_prefix(room);
        continue;
      }
      if (nl == std::string_view::npos) {
        partial_.append(piece);
        return;
      }
      if (partial_.empty()) {
        on_line(piece);
      } else {
        partial_.append(piece);
        on_line(std::string_view(partial_));
        partial_.clear();
      }
      bytes.remove_prefix(nl + 1);
    }
  }
  // The last line, if the stream did not end with \n.
  template <typename F>
  void Flush(F&& on_line) {
    if (!partial_.empty()) on_line(std::string_view(partial_));
    partial_.clear();
  }

 private:
  size_t max_;
  std::string partial_;
};

// JSON text of `j`; bytes that are not UTF-8 (a guest console's) become
// U+FFFD instead of an exception, so a report is always written.
std::string DumpJson(const nlohmann::json& j, int indent = 2);

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_TEXT_H_
