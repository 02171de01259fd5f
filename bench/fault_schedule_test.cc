#include "bench/fault_schedule.h"

#include <gtest/gtest.h>

namespace swapbench {
namespace {

Scenario::Fault Stall(double at_s, int after_mib, double duration_s) {
  Scenario::Fault f;
  f.kind = FaultKind::kServerStall;
  f.at_s = at_s;
  f.after_hog_mib = after_mib;
  f.duration_s = duration_s;
  return f;
}

TEST(FaultScheduleTest, NothingBeforeTheHogStarts) {
  std::vector<Scenario::Fault> faults = {Stall(0, -1, 5)};
  FaultSchedule s(faults);
  EXPECT_TRUE(s.Tick(100, 0).empty());
  EXPECT_EQ(s.HeldUntil(100), -1);
}

TEST(FaultScheduleTest, FiresAtHogMibAndEndsAfterItsDuration) {
  std::vector<Scenario::Fault> faults = {Stall(-1, 64, 30)};
  FaultSchedule s(faults);
  s.HogStarted(10);
  EXPECT_TRUE(s.Tick(11, 16383).empty());  // 1 page short of 64 MiB
  auto a = s.Tick(12, 16384);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_TRUE(a[0].begin);
  EXPECT_EQ(s.HeldUntil(20), 20);  // in force: held now
  EXPECT_TRUE(s.Tick(41.9, 20000).empty());
  a = s.Tick(42, 20000);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_FALSE(a[0].begin);
  EXPECT_FALSE(a[0].cut_short);
  EXPECT_EQ(s.HeldUntil(50), 42);  // over: held until its end
  EXPECT_TRUE(s.CutShort().empty());
}

TEST(FaultScheduleTest, FiresAtSecondsAfterTheHogStarted) {
  std::vector<Scenario::Fault> faults = {Stall(2.5, -1, 1)};
  FaultSchedule s(faults);
  s.HogStarted(100);
  EXPECT_TRUE(s.Tick(102.4, 0).empty());
  EXPECT_EQ(s.Tick(102.5, 0).size(), 1u);
}

TEST(FaultScheduleTest, RestartIsOneAction) {
  Scenario::Fault r = Stall(0, -1, 0);
  r.kind = FaultKind::kServerRestart;
  std::vector<Scenario::Fault> faults = {r};
  FaultSchedule s(faults);
  s.HogStarted(0);
  EXPECT_EQ(s.Tick(1, 0).size(), 1u);
  EXPECT_TRUE(s.Tick(2, 0).empty());
  EXPECT_TRUE(s.CutShort().empty());
  EXPECT_EQ(s.HeldUntil(5), 1);
}

TEST(FaultScheduleTest, StillInForceAtTheEndIsCutShort) {
  std::vector<Scenario::Fault> faults = {Stall(0, -1, 60), Stall(100, -1, 5)};
  FaultSchedule s(faults);
  s.HogStarted(0);
  ASSERT_EQ(s.Tick(1, 0).size(), 1u);
  auto cut = s.CutShort();
  ASSERT_EQ(cut.size(), 1u);  // the second never began
  EXPECT_EQ(cut[0].fault, &faults[0]);
  EXPECT_FALSE(cut[0].begin);
  EXPECT_TRUE(cut[0].cut_short);
}

}  // namespace
}  // namespace swapbench
