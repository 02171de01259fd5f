#include "bench/console_corpus.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "bench/fs_util.h"

namespace swapbench {
namespace {

TEST(ConsoleCorpusTest, SplitsHeaderLogAndReport) {
  CorpusFile f = ParseCorpusFile(
      "7",
      "TITLE: INFO: task hung in foo\nTYPE: HANG\nCORRUPTED: Y\n\n"
      "[ 1.0] INFO: task a:1 blocked for more than 120 seconds.\n"
      "REPORT:\ncleaned copy\n");
  EXPECT_EQ(f.title, "INFO: task hung in foo");
  EXPECT_TRUE(f.corrupted);
  EXPECT_EQ(f.log, "[ 1.0] INFO: task a:1 blocked for more than 120 seconds.");
  EXPECT_EQ(ParseCorpusFile("8", "\nno header\n").title, "");
}

TEST(ConsoleCorpusTest, TitlesMapToFamilies) {
  const std::pair<const char*, const char*> cases[] = {
      {"INFO: task hung in rpc_wait_bit_killable", "hung_task"},
      {"KASAN: use-after-free Read in xprt_release", "kasan"},
      {"possible deadlock in tun_device_event", "lockdep"},
      {"BUG: bad unlock balance in sctp_sendmsg", "lockdep"},
      {"WARNING: locking bug in kernel_wait4", "lockdep"},
      {"general protection fault in foo", "oops"},
      {"BUG: scheduling while atomic in foo", "bug"},
      {"WARNING in foo", "warning"},
      {"kernel panic: Fatal exception", "panic"},
      {"memory leak in foo", "memory_leak"},
  };
  for (const auto& [title, kind] : cases) {
    auto f = FamilyOf(title);
    ASSERT_TRUE(f.has_value()) << title;
    EXPECT_EQ(f->kind, kind) << title;
  }
  EXPECT_FALSE(FamilyOf("SYZFAIL: failed to recv rpc").has_value());
}

TEST(ConsoleCorpusTest, ScoresRecallAndFalsePositives) {
  std::string dir = testing::TempDir() + "/corpus-" + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  ASSERT_TRUE(WriteFileAtomic(dir + "/1",
                              "TITLE: INFO: task hung in f\n\n[ 1.0] INFO: "
                              "task a:1 blocked for more than 9 seconds.\n")
                  .ok());
  ASSERT_TRUE(WriteFileAtomic(dir + "/2",
                              "TITLE: INFO: task hung in g\n\nnothing here\n")
                  .ok());
  ASSERT_TRUE(
      WriteFileAtomic(dir + "/3",
                      "\n[ 2.0] WARNING: CPU: 0 PID: 1 at a.c:1 f+0x1/0x2\n")
          .ok());
  auto s = ScoreCorpus(dir);
  ASSERT_TRUE(s.ok()) << s.status().message();
  const FamilyScore& hung = s->families.at("hung task");
  EXPECT_EQ(hung.files, 2);
  EXPECT_EQ(hung.right, 1);
  ASSERT_EQ(hung.misses.size(), 1u);
  EXPECT_EQ(hung.misses[0], "2: \"INFO: task hung in g\" got nothing");
  EXPECT_EQ(s->crash_free, 1);
  EXPECT_EQ(s->false_positives, 1);
  std::string text = CorpusText(*s, true);
  EXPECT_NE(
      text.find("hung task          hung_task               2      1   50.0%"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("false positive: 3: warning WARNING at a.c:1 f"),
            std::string::npos)
      << text;
  std::filesystem::remove_all(dir);
  EXPECT_EQ(ScoreCorpus(dir).status().kind(), Status::Kind::kUsage);
}

}  // namespace
}  // namespace swapbench
