// The charts as a reader meets them: round ticks in short numbers that fit
// the margin, the legend above the data, bands and markers where their
// times are, a tooltip per value.
#include "bench/svg.h"

#include <gtest/gtest.h>

#include <regex>

namespace swapbench {
namespace {

std::vector<std::string> All(const std::string& s, const std::string& re) {
  std::vector<std::string> out;
  std::regex r(re);
  for (auto it = std::sregex_iterator(s.begin(), s.end(), r);
       it != std::sregex_iterator(); ++it)
    out.push_back((*it)[1].str());
  return out;
}

TEST(SvgTest, TicksAreRoundStepsInsideTheRange) {
  EXPECT_EQ(NiceTicks(0, 12500, 6), (std::vector<double>{0, 5000, 10000}));
  EXPECT_EQ(NiceTicks(0, 1, 6),
            (std::vector<double>{0, 0.2, 0.4, 0.6, 0.8, 1}));
  EXPECT_EQ(NiceTicks(3.2, 81.5, 9),
            (std::vector<double>{10, 20, 30, 40, 50, 60, 70, 80}));
  EXPECT_TRUE(NiceTicks(5, 5, 6).empty());
  EXPECT_TRUE(NiceTicks(0, 1e308 * 10, 6).empty());  // inf
}

TEST(SvgTest, NumbersAreShort) {
  EXPECT_EQ(HumanNumber(0), "0");
  EXPECT_EQ(HumanNumber(0.25), "0.25");
  EXPECT_EQ(HumanNumber(3), "3");
  EXPECT_EQ(HumanNumber(999), "999");
  EXPECT_EQ(HumanNumber(12500), "12.5k");
  EXPECT_EQ(HumanNumber(125000), "125k");
  EXPECT_EQ(HumanNumber(1.2e6), "1.2M");
  EXPECT_EQ(HumanNumber(3e9), "3G");
}

TEST(SvgTest, AChartAsAReaderSeesIt) {
  nlohmann::json t = nlohmann::json::array(), out = nlohmann::json::array(),
                 in = nlohmann::json::array();
  for (int i = 0; i <= 400; ++i) {
    t.push_back(3 + i * 0.25);
    out.push_back(i < 200 ? nlohmann::json(12500 + i)
                          : nlohmann::json());  // a gap
    in.push_back(i * 10.0);
  }
  Chart c;
  c.title = "link";
  c.unit = "frames/s";
  c.t = &t;
  c.lines = {{"to guest", "#36c", &out}, {"to server", "#c33", &in}};
  c.bands = {{20, 40, "fault", "server_stall"}, {50, -1, "flood", "udp"}};
  c.markers = {{43.6, "alloc_failure: page allocation failure", "#r-f1"}};
  const std::string s = SvgChart(c);

  // Tick labels: short, no exponents, so none is cut at the left edge.
  EXPECT_EQ(s.find("e+"), std::string::npos);
  auto ticks =
      All(s, R"re(class="tick" text-anchor="(?:end|middle)">([^<]+)<)re");
  ASSERT_GE(ticks.size(), 8u);
  for (const std::string& l : ticks) EXPECT_LE(l.size(), 5u) << l;
  EXPECT_NE(std::find(ticks.begin(), ticks.end(), "10k"), ticks.end());

  // The legend sits above the topmost grid line: never over the data.
  auto legend_y =
      All(s, R"re(<text x="[0-9.]+" y="([0-9.]+)" class="legend")re");
  auto grid_y = All(
      s,
      R"re(<line x1="[0-9.]+" y1="([0-9.]+)" x2="[0-9.]+" y2="[0-9.]+" class="grid")re");
  ASSERT_EQ(legend_y.size(), 5u);  // two lines, fault, flood, finding
  ASSERT_FALSE(grid_y.empty());
  double top = 1e9;
  for (const auto& y : grid_y) top = std::min(top, std::stod(y));
  for (const auto& y : legend_y) EXPECT_LT(std::stod(y), top);

  // The fault band spans 20-40 s; the unended flood runs to the end; the
  // marker links to its finding and says what it is.
  auto band = All(s, R"re(data-kind="fault" x="([0-9.]+)")re");
  auto width = All(
      s, R"re(data-kind="fault" x="[0-9.]+" y="[0-9.]+" width="([0-9.]+)")re");
  ASSERT_EQ(band.size(), 1u);
  const double x0 = 56, x1 = 580 - 14, span = 103 - 3;
  EXPECT_NEAR(std::stod(band[0]), x0 + (20 - 3) / span * (x1 - x0), 0.1);
  EXPECT_NEAR(std::stod(width[0]), 20 / span * (x1 - x0), 0.2);
  EXPECT_NE(s.find("<title>flood udp: 50–end s</title>"), std::string::npos);
  EXPECT_NE(s.find("<a href=\"#r-f1\"><g class=\"marker\">"),
            std::string::npos);
  EXPECT_NE(s.find("alloc_failure: page allocation failure at 43.6 s"),
            std::string::npos);

  // Tooltips: evenly spread, at most 120 a line, values in short numbers;
  // the gap breaks the path into a new subpath.
  auto tips = All(s, R"re(<title>(to guest: [^<]+)</title>)re");
  EXPECT_GT(tips.size(), 50u);
  EXPECT_LE(tips.size(), 120u);
  EXPECT_EQ(tips[0], "to guest: 12.5k frames/s at 3 s");
  EXPECT_EQ(
      All(s, R"re(data-series="to server"><path[^>]* d="([^"]+)")re")[0].find(
          " M", 1),
      std::string::npos);
}

TEST(SvgTest, AWorkloadTimelineHasARowPerWorkloadAndBarsWhereTheyRan) {
  nlohmann::json t = nlohmann::json::array();
  for (int i = 0; i <= 40; ++i) t.push_back(i * 0.5);  // 0..20 s
  Timeline tl;
  tl.title = "workloads";
  tl.t = &t;
  tl.rows = {"writer", "reader", "late"};
  tl.spans = {{"writer", "exited 0", "#393", 2, 12},
              {"reader", "killed by signal 9", "#c33", 4, 8},
              {"late", "did not finish", "#999", 15, -1}};
  tl.markers = {{8, "memcg_oom_kill: reader", "#r-f1"}};
  const std::string s = SvgTimeline(tl);
  // Row names, in order, left of the bars.
  EXPECT_EQ(All(s, R"(text-anchor="end">([a-z]+)</text>)"),
            (std::vector<std::string>{"writer", "reader", "late"}));
  // Bars at their times: x = 110 + t / 20 * (580 - 14 - 110).
  auto x = All(s, R"re(<rect class="span"[^>]* x="([0-9.]+)")re");
  auto w = All(s, R"re(<rect class="span"[^>]* width="([0-9.]+)")re");
  ASSERT_EQ(x.size(), 3u);
  EXPECT_NEAR(std::stod(x[0]), 110 + 2 / 20.0 * 456, 0.1);
  EXPECT_NEAR(std::stod(w[0]), 10 / 20.0 * 456, 0.1);
  EXPECT_NEAR(std::stod(x[1]) + std::stod(w[1]), 110 + 8 / 20.0 * 456, 0.1);
  EXPECT_NEAR(std::stod(x[2]) + std::stod(w[2]), 566, 0.1) << "runs to the end";
  EXPECT_NE(s.find("<title>reader: killed by signal 9, 4–8 s</title>"),
            std::string::npos);
  EXPECT_NE(s.find("late: did not finish, 15–end s"), std::string::npos);
  // The finding's marker links to it; the time axis is labelled.
  EXPECT_NE(s.find("href=\"#r-f1\""), std::string::npos);
  EXPECT_NE(s.find(">s (guest time)</text>"), std::string::npos);
}

}  // namespace
}  // namespace swapbench
