#include "bench/watchdog.h"

#include <gtest/gtest.h>

namespace swapbench {
namespace {

Sample At(int64_t written, int64_t pswpout, int64_t swap_free_kib = 100000) {
  Sample s;
  s.phase = "hog";
  s.hog_pages = 1000;
  s.hog_written = written;
  s.pswpout = pswpout;
  s.swap_total_kib = 262144;
  s.swap_free_kib = swap_free_kib;
  return s;
}

std::vector<std::string> Kinds(const std::vector<Finding>& f) {
  std::vector<std::string> k;
  for (const auto& x : f) k.push_back(x.kind);
  return k;
}

Watchdog::Limits L(double silence, double stall) {
  Watchdog::Limits l;
  l.boot_timeout_s = 60;
  l.agent_silence_s = silence;
  l.stall_s = stall;
  return l;
}

TEST(WatchdogTest, BootTimeout) {
  Watchdog w(L(30, 30), 100);
  EXPECT_TRUE(w.Check(159).empty());
  auto f = w.Check(161);
  ASSERT_EQ(Kinds(f), std::vector<std::string>{"agent_silent"});
  EXPECT_NE(f[0].title.find("after the guest started"), std::string::npos);
}

TEST(WatchdogTest, ProgressKeepsItQuiet) {
  Watchdog w(L(30, 30), 0);
  for (int t = 1; t < 200; ++t) {
    Sample s = At(t, t);
    w.OnTelemetry(t, &s, true);
    w.OnLinkData(t);
    ASSERT_TRUE(w.Check(t + 0.5).empty()) << t;
  }
}

// Guest evidence: the agent reports every second, nothing moves.
TEST(WatchdogTest, NoProgressWithSwapRoomIsASwapStall) {
  Watchdog w(L(30, 30), 0);
  Sample s = At(500, 100);
  for (int t = 1; t <= 30; ++t) {
    w.OnTelemetry(t, &s, true);
    EXPECT_TRUE(w.Check(t).empty()) << t;
  }
  w.OnTelemetry(31.5, &s, true);
  auto f = w.Check(31.5);
  ASSERT_EQ(Kinds(f), std::vector<std::string>{"swap_stall"});
  EXPECT_EQ(f[0].details["last_sample"]["hog_written"], 500);
  EXPECT_EQ(f[0].details["evidence"].size(), 3u);
}

TEST(WatchdogTest, NoProgressWithSwapFullIsNotASwapStall) {
  Watchdog w(L(30, 30), 0);
  Sample s = At(500, 100, /*swap_free_kib=*/0);
  for (int t = 1; t <= 100; ++t) {
    w.OnTelemetry(t, &s, true);
    EXPECT_TRUE(w.Check(t).empty()) << t;
  }
}

// Host evidence: the agent and the link both go quiet.
TEST(WatchdogTest, SilentGuestAndSilentLinkIsASwapStall) {
  Watchdog w(L(20, 30), 0);
  Sample s = At(10, 10);
  w.OnTelemetry(5, &s, true);
  w.OnLinkData(5);
  // Between agent_silence_s and stall_s with a quiet link: wait.
  EXPECT_TRUE(w.Check(30).empty());
  auto f = w.Check(35.5);
  ASSERT_EQ(Kinds(f), (std::vector<std::string>{"swap_stall", "agent_silent"}));
  EXPECT_NE(f[0].title.find("guest silent and no storage traffic"),
            std::string::npos);
}

TEST(WatchdogTest, SilentAgentWithBusyLinkIsOnlyAgentSilent) {
  Watchdog w(L(20, 30), 0);
  Sample s = At(10, 10);
  w.OnTelemetry(5, &s, true);
  for (int t = 6; t < 25; ++t) w.OnLinkData(t);
  EXPECT_TRUE(w.Check(24).empty());
  EXPECT_EQ(Kinds(w.Check(25.5)), std::vector<std::string>{"agent_silent"});
}

// A fault the bench holds restarts every clock when it ends.
TEST(WatchdogTest, HeldFaultRestartsTheClocks) {
  Watchdog w(L(30, 30), 0);
  Sample s = At(10, 10);
  w.OnTelemetry(5, &s, true);
  w.OnLinkData(5);
  for (int t = 6; t <= 45; ++t) {
    w.Hold(t);  // server stopped from 6 s to 45 s
    EXPECT_TRUE(w.Check(t).empty()) << t;
  }
  EXPECT_TRUE(w.Check(74).empty());
  EXPECT_EQ(Kinds(w.Check(75.5)),
            (std::vector<std::string>{"swap_stall", "agent_silent"}));
}

TEST(WatchdogTest, NoHogSilentAgentIsAgentSilent) {
  Watchdog w(L(30, 30), 0);
  Sample s = At(0, 0);
  s.phase = "mount";
  w.OnTelemetry(5, &s, false);
  EXPECT_TRUE(w.Check(34).empty());
  auto f = w.Check(36);
  ASSERT_EQ(Kinds(f), std::vector<std::string>{"agent_silent"});
  EXPECT_NE(f[0].title.find("mount"), std::string::npos);
}

}  // namespace
}  // namespace swapbench

namespace swapbench {
namespace {

// Measured (global-stall over NFSv3): the agent went quiet as the fault
// ended and the server's backlog crossed the link 0.3 s later. That is a
// stall, not a silent agent over a busy link.
TEST(WatchdogTest, BacklogAfterTheFaultDoesNotMakeTheLinkBusy) {
  Watchdog w(L(30, 30), 0);
  Sample s = At(10, 10);
  w.OnTelemetry(5, &s, true);
  w.Hold(40);          // the fault ends at 40
  w.OnLinkData(40.3);  // the backlog
  EXPECT_TRUE(w.Check(70.1).empty());
  EXPECT_EQ(Kinds(w.Check(70.5)),
            (std::vector<std::string>{"swap_stall", "agent_silent"}));
}

// A link that carries some data now and then, but never for long, ends in
// agent_silent after S + N.
TEST(WatchdogTest, IntermittentLinkEndsInAgentSilent) {
  Watchdog w(L(20, 30), 0);
  Sample s = At(10, 10);
  w.OnTelemetry(1, &s, true);
  for (int t = 1; t <= 41; t += 10) {
    w.OnLinkData(t);
    EXPECT_TRUE(w.Check(t + 8).empty()) << t;
  }
  EXPECT_EQ(Kinds(w.Check(51.5)), std::vector<std::string>{"agent_silent"});
}

}  // namespace
}  // namespace swapbench
