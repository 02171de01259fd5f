// ConsoleCorpus: measures the console table on consoles nobody here wrote.
//
// A corpus is laid out like syzkaller's pkg/report/testdata/linux/report:
// one file per console — a header ("TITLE: what syzkaller reports",
// "ALT:", "TYPE:", "CORRUPTED:", …), a blank line, the raw log, and
// sometimes a "REPORT:" section (syzkaller's cleaned copy, not console
// output: cut off). A file without TITLE is a console with no crash.
//
// Each title belongs to a family (FamilyOf: "hung task", "KASAN", "oops",
// …) whose right finding kind is fixed here; a console scores when the
// parser raises a finding of that kind. Crash-free consoles score a false
// positive for each finding. `swapbench parse-console --expect-dir DIR`
// prints the table (CorpusText). Pure apart from reading the files.
#ifndef SWAPBENCH_BENCH_CONSOLE_CORPUS_H_
#define SWAPBENCH_BENCH_CONSOLE_CORPUS_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bench/status.h"

namespace swapbench {

struct CorpusFile {
  std::string name;
  std::string title;  // "": crash-free
  bool corrupted = false;
  std::string log;
};

// Splits one corpus file into header and log (pure).
CorpusFile ParseCorpusFile(const std::string& name, const std::string& text);

struct Family {
  std::string name;  // "hung task", "KASAN", "lockdep", ...
  std::string kind;  // the finding kind that is right for it
};
// The family of a syzkaller title, or nullopt for reports that are not a
// kernel's (syz-executor failures, lost connections, Go runtime errors).
std::optional<Family> FamilyOf(const std::string& title);

struct FamilyScore {
  std::string kind;
  int files = 0, right = 0;
  std::vector<std::string> misses;  // "FILE: got KINDS"
};
struct CorpusScore {
  std::map<std::string, FamilyScore> families;
  int crash_free = 0, false_positives = 0;
  std::vector<std::string> false_positive_files;  // "FILE: KIND title"
  int not_kernel = 0;                             // titles without a family
  double mb = 0, seconds = 0;  // parser throughput over every log
};

// Reads every regular file of `dir` (sorted) and scores it.
Result<CorpusScore> ScoreCorpus(const std::string& dir);

// The per-family table, the false positives, the misses (with `verbose`).
std::string CorpusText(const CorpusScore& s, bool verbose);

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_CONSOLE_CORPUS_H_
