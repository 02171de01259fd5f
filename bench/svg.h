// Svg: the inline charts of report.html, compare.html and qualify's page.
// Pure: a Chart in, SVG text out. No script, so a page stays one
// self-contained file: the values are in native SVG <title> tooltips.
//
// A chart has a title with its unit, a legend above the data (never over
// it), axes with 1-2-5 ticks in human numbers (12.5k, not 1.25e+04) and
// light grid lines, shaded bands for the spans of faults, link phases and
// floods, and a marker for each finding at its guest time that links to
// the finding.
//
// Threading: none (pure functions).
#ifndef SWAPBENCH_BENCH_SVG_H_
#define SWAPBENCH_BENCH_SVG_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace swapbench {

// One path per series; null values break the line. `t` is the chart's
// time axis unless the line has its own (compare overlays two runs).
struct Line {
  std::string name, color;
  const nlohmann::json* values;
  const nlohmann::json* t = nullptr;
  bool dashed = false;
};

// A span on the time axis: kind "fault", "phase" or "flood" sets the shade.
struct Band {
  double from = 0, to = 0;
  std::string kind, label;
};

// A point in time: a finding, linking to `href` ("#finding-…").
struct Marker {
  double t = 0;
  std::string label, href;
};

struct Chart {
  std::string title, unit;
  std::string x_unit = "s (guest time)";
  const nlohmann::json* t = nullptr;
  std::vector<Line> lines;
  double hline = -1;  // > 0: a limit drawn across (memory.max)
  std::string hline_name;
  std::vector<Band> bands;
  std::vector<Marker> markers;
};

std::string SvgChart(const Chart& c);

// A span of one row of a timeline: a workload from its start to its end
// (`to` < `from`: it never ended; the bar runs to the chart's end).
struct Span {
  std::string row, label, color;
  double from = 0, to = -1;
};

// One row per name, a bar per span, on the same time axis, bands and
// markers as the run's charts: when each workload ran, and how it ended.
struct Timeline {
  std::string title;
  std::vector<std::string> rows;
  std::vector<Span> spans;
  const nlohmann::json* t = nullptr;  // the run's time axis (its extent)
  std::vector<Band> bands;
  std::vector<Marker> markers;
};

std::string SvgTimeline(const Timeline& tl);

// At most `max_ticks` round values (steps of 1, 2 or 5 × 10^k) in [lo, hi].
std::vector<double> NiceTicks(double lo, double hi, int max_ticks);
// 0, 0.25, 3, 12.5k, 1.2M, 3G: at most three significant digits.
std::string HumanNumber(double v);

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_SVG_H_
