// Svg: the inline line charts of report.html and compare.html. Pure.
#ifndef SWAPBENCH_BENCH_SVG_H_
#define SWAPBENCH_BENCH_SVG_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace swapbench {

// One path per series over `t`; null values break a line.
struct Line {
  std::string name, color;
  const nlohmann::json* values;
};
std::string SvgChart(const std::string& title, const std::string& unit,
                     const nlohmann::json& t, const std::vector<Line>& lines,
                     double hline = -1, const std::string& hline_name = "",
                     const std::string& x_unit = "s (guest time)");

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_SVG_H_
