#include "bench/console_line.h"

#include <cctype>

namespace swapbench {

namespace {

bool Digit(char c) { return c >= '0' && c <= '9'; }
bool Alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// A copy without ANSI escape sequences (ESC [ … final byte), NULs and other
// control bytes but tab.
std::string_view Clean(std::string_view s, std::string* scratch) {
  scratch->clear();
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\x1b') {
      if (i + 1 < s.size() && s[i + 1] == '[') {
        i += 2;
        while (i < s.size() && !(s[i] >= '@' && s[i] <= '~')) ++i;
      }
      continue;
    }
    if (static_cast<unsigned char>(c) < 0x20 && c != '\t') continue;
    scratch->push_back(c);
  }
  return *scratch;
}

// "[   12.345678]" at `s`: its length and the seconds in it, or 0.
size_t PrintkTime(std::string_view s, double* t) {
  if (s.size() < 3 || s[0] != '[') return 0;
  size_t i = 1;
  while (i < s.size() && s[i] == ' ') ++i;
  double whole = 0, frac = 0, scale = 1;
  size_t digits = 0;
  for (; i < s.size() && Digit(s[i]) && digits < 12; ++i, ++digits)
    whole = whole * 10 + (s[i] - '0');
  if (digits == 0 || i >= s.size() || s[i] != '.') return 0;
  for (++i; i < s.size() && Digit(s[i]); ++i)
    frac = frac * 10 + (s[i] - '0'), scale *= 10;
  if (i >= s.size() || s[i] != ']') return 0;
  *t = whole + frac / scale;
  return i + 1;
}

// "[ T1234]", "[    C1]", "[T1]": CONFIG_PRINTK_CALLER's task or CPU.
size_t CallerId(std::string_view s) {
  if (s.empty() || s[0] != '[') return 0;
  size_t i = 1;
  while (i < s.size() && s[i] == ' ') ++i;
  if (i >= s.size() || (s[i] != 'T' && s[i] != 'C')) return 0;
  size_t d = ++i;
  while (i < s.size() && Digit(s[i])) ++i;
  if (i == d || i >= s.size() || s[i] != ']') return 0;
  return i + 1;
}

// "<4>": a loglevel (and facility) prefix.
size_t Level(std::string_view s) {
  if (s.size() < 3 || s[0] != '<' || !Digit(s[1])) return 0;
  size_t i = 1;
  while (i < s.size() && i < 5 && Digit(s[i])) ++i;
  return i < s.size() && s[i] == '>' ? i + 1 : 0;
}

// "[Mon Nov 30 15:04:18 2026]": dmesg -T.
size_t HumanTime(std::string_view s) {
  if (s.size() < 26 || s[0] != '[' || !Alpha(s[1]) || !Alpha(s[2]) ||
      !Alpha(s[3]) || s[4] != ' ')
    return 0;
  size_t close = s.find(']');
  if (close == std::string_view::npos || close > 32) return 0;
  return close + 1;
}

// "Nov 30 15:04:18 host kernel: " or "2026-11-30T15:04:18… host kernel: ":
// a syslog or journal line of the kernel's.
size_t Syslog(std::string_view s) {
  bool date = s.size() > 16 &&
              ((Alpha(s[0]) && Alpha(s[1]) && Alpha(s[2]) && s[3] == ' ') ||
               (Digit(s[0]) && Digit(s[1]) && Digit(s[2]) && Digit(s[3]) &&
                s[4] == '-'));
  if (!date) return 0;
  size_t k = s.substr(0, 96).find(" kernel: ");
  return k == std::string_view::npos ? 0 : k + 9;
}

size_t SkipSpace(std::string_view s) { return s.size() && s[0] == ' '; }

// "2018/01/09 14:28:48 ": Go's log package (a harness's own lines).
size_t GoLog(std::string_view s) {
  static constexpr char kShape[] = "dddd/dd/dd dd:dd:dd ";
  if (s.size() < sizeof(kShape) - 1) return 0;
  for (size_t i = 0; i + 1 < sizeof(kShape); ++i)
    if (kShape[i] == 'd' ? !Digit(s[i]) : s[i] != kShape[i]) return 0;
  return sizeof(kShape) - 1;
}

// "** 5311 printk messages dropped ** ": printk's note of lost lines.
size_t Dropped(std::string_view s) {
  if (s.substr(0, 3) != "** ") return 0;
  size_t end = s.find(" dropped ** ");
  return end == std::string_view::npos || end > 40 ? 0 : end + 12;
}

}  // namespace

ConsoleLine Normalize(std::string_view s, std::string* scratch) {
  while (!s.empty() && (s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  for (char c : s)
    if (static_cast<unsigned char>(c) < 0x20 && c != '\t') {  // ESC, NUL, …
      s = Clean(s, scratch);
      break;
    }
  ConsoleLine out;
  s.remove_prefix(Dropped(s));
  s.remove_prefix(GoLog(s));
  s.remove_prefix(Syslog(s));
  s.remove_prefix(Level(s));
  size_t n = PrintkTime(s, &out.time);
  if (n == 0 && (n = HumanTime(s)) == 0) {
    // Text before the time (serial noise, a login prompt): look a little
    // further for "[   12.345678]".
    for (size_t i = 1; i < s.size() && i < 64; ++i)
      if (s[i] == '[' && (n = PrintkTime(s.substr(i), &out.time)) != 0) {
        s.remove_prefix(i);
        break;
      }
  }
  s.remove_prefix(n);
  size_t caller = CallerId(s);
  if (!caller && s.size() > 1 && s[0] == ' ' && s[1] == '[' &&
      (caller = CallerId(s.substr(1))) != 0)
    ++caller;  // "[ts] [T1] ..."
  s.remove_prefix(caller);
  if (caller)  // syzkaller's consoles indent some reports after the id
    while (!s.empty() && s[0] == ' ') s.remove_prefix(1);
  else if (n)
    s.remove_prefix(SkipSpace(s));
  s.remove_prefix(Level(s));
  out.text = s;
  return out;
}

size_t EmbeddedTime(std::string_view text) {
  for (size_t i = text.find('[', 1); i != std::string_view::npos;
       i = text.find('[', i + 1)) {
    double t;
    size_t n = PrintkTime(text.substr(i), &t);
    if (n && i + n < text.size()) return i;
  }
  return std::string_view::npos;
}

}  // namespace swapbench
