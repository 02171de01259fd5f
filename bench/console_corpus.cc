#include "bench/console_corpus.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <regex>
#include <set>
#include <sstream>

#include "bench/console_parser.h"
#include "bench/fs_util.h"
#include "bench/text.h"

namespace swapbench {

CorpusFile ParseCorpusFile(const std::string& name, const std::string& text) {
  CorpusFile f;
  f.name = name;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.empty()) break;  // the header ends at the first blank line
    if (line.rfind("TITLE: ", 0) == 0 && f.title.empty())
      f.title = line.substr(7);
    if (line.rfind("CORRUPTED: Y", 0) == 0) f.corrupted = true;
  }
  f.log = pos < text.size() ? text.substr(pos) : "";
  // syzkaller's cleaned copy of the report is not console output.
  size_t report = f.log.find("\nREPORT:\n");
  if (f.log.rfind("REPORT:\n", 0) == 0) report = 0;
  if (report != std::string::npos) f.log.resize(report);
  return f;
}

namespace {

// Title (a regex on syzkaller's title) → family → the right kind. First
// match wins, so the specific rows come before the catch-alls.
struct FamilyRow {
  const char* title;
  const char* family;
  const char* kind;
};
// clang-format off
constexpr FamilyRow kFamilies[] = {
  {"^INFO: task hung",                          "hung task",       "hung_task"},
  {"^INFO: task .*can't die",                   "hung task",       "hung_task"},
  {"^INFO: rcu",                                "RCU stall",       "rcu_stall"},
  {"^(possible deadlock|inconsistent lock state|INFO: (trying to register non-static key|suspicious RCU usage|possible (recursive|circular|irq lock inversion))|WARNING: (suspicious RCU usage|possible|nested lock|bad unlock|held lock|still has locks held|lock held when returning|locking bug)|BUG: (bad unlock balance|held lock freed|lock held when returning|still has locks held|workqueue leaked lock|MAX_STACK_TRACE_ENTRIES|looking up invalid subclass))",
                                                "lockdep",         "lockdep"},
  {"^(BUG: )?KASAN:",                           "KASAN",           "kasan"},
  {"^(BUG: )?KMSAN:",                           "KMSAN",           "kmsan"},
  {"^(BUG: )?KCSAN:",                           "KCSAN",           "kcsan"},
  {"^(BUG: )?KFENCE:",                          "KFENCE",          "kfence"},
  {"^UBSAN:",                                   "UBSAN",           "ubsan"},
  {"^memory leak",                              "memory leak",     "memory_leak"},
  {"^BUG: soft lockup",                         "soft lockup",     "soft_lockup"},
  {"^BUG: workqueue lockup",                    "workqueue lockup", "workqueue_lockup"},
  {"^unregister_netdevice",                     "netdev leak",     "netdev_hang"},
  {"^(general protection fault|BUG: unable to handle|BUG: kernel NULL|BUG: stack guard page|stack segment fault|divide error|int3|PANIC: double fault|Unhandled fault|Internal error|Alignment trap|kernel BUG)",
                                                "oops",            "oops"},
  {"^(kernel panic|PANIC|kernel stack overflow)", "panic",          "panic"},
  {"^WARNING",                                  "WARNING",         "warning"},
  {"^(BUG|INFO: (Freed|Allocated) in)",         "BUG",             "bug"},
  {"^unexpected kernel reboot",                 "reboot",          "unexpected_reboot"},
};
// clang-format on

std::string Kinds(const std::vector<Finding>& findings) {
  std::set<std::string> kinds;
  for (const Finding& f : findings) kinds.insert(f.kind);
  std::string out;
  for (const auto& k : kinds) out += (out.empty() ? "" : ",") + k;
  return out.empty() ? "nothing" : out;
}

}  // namespace

std::optional<Family> FamilyOf(const std::string& title) {
  static const std::vector<std::regex> res = [] {
    std::vector<std::regex> v;
    for (const FamilyRow& r : kFamilies) v.emplace_back(r.title);
    return v;
  }();
  for (size_t i = 0; i < res.size(); ++i)
    if (std::regex_search(title, res[i]))
      return Family{kFamilies[i].family, kFamilies[i].kind};
  return std::nullopt;
}

Result<CorpusScore> ScoreCorpus(const std::string& dir) {
  std::vector<std::string> paths;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec))
    if (e.is_regular_file()) paths.push_back(e.path().string());
  if (ec) return Status::Usage(dir + ": " + ec.message());
  if (paths.empty()) return Status::Usage(dir + ": no files");
  std::sort(paths.begin(), paths.end());
  CorpusScore s;
  for (const auto& p : paths) {
    auto text = ReadRegularFile(p, 64 << 20);
    if (!text.ok()) return text.status();
    CorpusFile f =
        ParseCorpusFile(std::filesystem::path(p).filename().string(), *text);
    auto t0 = std::chrono::steady_clock::now();
    ConsoleParser parser;
    ParseConsoleText(f.log, &parser);
    parser.Finish();
    s.seconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
            .count();
    s.mb += f.log.size() / 1e6;
    const auto& findings = parser.findings();
    if (f.title.empty()) {
      ++s.crash_free;
      for (const Finding& x : findings) {
        ++s.false_positives;
        s.false_positive_files.push_back(f.name + ": " + x.kind + " " +
                                         x.title);
      }
      continue;
    }
    std::optional<Family> fam = FamilyOf(f.title);
    if (!fam) {
      ++s.not_kernel;
      continue;
    }
    FamilyScore& fs = s.families[fam->name];
    fs.kind = fam->kind;
    ++fs.files;
    bool right =
        std::any_of(findings.begin(), findings.end(),
                    [&](const Finding& x) { return x.kind == fam->kind; });
    if (right)
      ++fs.right;
    else
      fs.misses.push_back(f.name + ": \"" + f.title + "\" got " +
                          Kinds(findings));
  }
  return s;
}

std::string CorpusText(const CorpusScore& s, bool verbose) {
  std::string out = StringPrintf("%-18s %-18s %6s %6s %7s\n", "family", "kind",
                                 "files", "right", "recall");
  int files = 0, right = 0;
  for (const auto& [name, f] : s.families) {
    files += f.files;
    right += f.right;
    out += StringPrintf("%-18s %-18s %6d %6d %6.1f%%\n", name.c_str(),
                        f.kind.c_str(), f.files, f.right,
                        f.files ? 100.0 * f.right / f.files : 0.0);
  }
  out += StringPrintf("%-18s %-18s %6d %6d %6.1f%%\n", "all", "", files, right,
                      files ? 100.0 * right / files : 0.0);
  out += StringPrintf(
      "crash-free consoles: %d, findings on them: %d\n"
      "titles that are not a kernel's (no family): %d\n"
      "parsed %.1f MB in %.2f s (%.0f MB/s, one file at a time)\n",
      s.crash_free, s.false_positives, s.not_kernel, s.mb, s.seconds,
      s.seconds > 0 ? s.mb / s.seconds : 0.0);
  for (const auto& fp : s.false_positive_files)
    out += "false positive: " + fp + "\n";
  if (verbose)
    for (const auto& [name, f] : s.families)
      for (const auto& m : f.misses) out += "miss (" + name + "): " + m + "\n";
  return out;
}

}  // namespace swapbench
