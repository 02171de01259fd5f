// Golden console logs: every file in bench/testdata/*.log is a header (the
// expected findings and events, as GoldenHeader() prints them; '#' lines
// are comments), a blank line, and a raw console log from a real run.
// The test parses each log and compares. To review the parser's output
// after changing it, rewrite the headers and read the diff:
//   SWAPBENCH_UPDATE_GOLDEN=1 build/bench/bench_test --gtest_filter='Golden*'
//   git diff bench/testdata
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "bench/console_parser.h"
#include "bench/fs_util.h"

namespace swapbench {
namespace {

struct Golden {
  std::string comments;  // '#' lines of the header
  std::string expected;  // the other header lines
  std::string log;
};

Golden Split(const std::string& text) {
  Golden g;
  size_t blank = text.find("\n\n");
  std::string header =
      text.substr(0, blank == std::string::npos ? 0 : blank + 1);
  g.log = blank == std::string::npos ? text : text.substr(blank + 2);
  size_t start = 0;
  while (start < header.size()) {
    size_t nl = header.find('\n', start);
    std::string line = header.substr(start, nl - start + 1);
    (line[0] == '#' ? g.comments : g.expected) += line;
    start = nl + 1;
  }
  return g;
}

std::vector<std::string> GoldenFiles() {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(
           std::string(SWAPBENCH_SOURCE_DIR) + "/bench/testdata"))
    if (e.path().extension() == ".log") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

TEST(GoldenConsoleTest, EveryLogMatchesItsHeader) {
  const bool update = getenv("SWAPBENCH_UPDATE_GOLDEN") != nullptr;
  auto files = GoldenFiles();
  EXPECT_GE(files.size(), 15u) << "the golden folder holds too few logs";
  for (const auto& path : files) {
    auto text = ReadFile(path);
    ASSERT_TRUE(text.ok()) << text.status().message();
    Golden g = Split(*text);
    ASSERT_FALSE(g.comments.empty())
        << path << ": header says where the log came from";
    ConsoleParser p;
    ParseConsoleText(g.log, &p);
    std::string got = GoldenHeader(p);
    if (update && got != g.expected) {
      ASSERT_TRUE(WriteFile(path, g.comments + got + "\n" + g.log).ok());
      printf("rewrote %s\n", path.c_str());
      continue;
    }
    EXPECT_EQ(got, g.expected) << path;
  }
}

// The folder covers what the bench must recognise in real consoles.
TEST(GoldenConsoleTest, FolderCoversTheRealFailures) {
  std::set<std::string> kinds;
  for (const auto& path : GoldenFiles()) {
    auto text = ReadFile(path);
    ASSERT_TRUE(text.ok());
    ConsoleParser p;
    ParseConsoleText(Split(*text).log, &p);
    for (const auto& f : p.findings()) kinds.insert(f.kind);
    for (const auto& e : p.events()) kinds.insert(e.kind);
  }
  for (const char* k :
       {"memcg_oom_kill", "alloc_failure", "nfs_not_responding", "nfs_ok"})
    EXPECT_TRUE(kinds.count(k)) << "no golden log shows " << k;
}

}  // namespace
}  // namespace swapbench
