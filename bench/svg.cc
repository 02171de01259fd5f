#include "bench/svg.h"

#include <algorithm>
#include <cmath>

#include "bench/text.h"

namespace swapbench {

namespace {

constexpr double kWidth = 580, kPlotHeight = 150;
constexpr double kLeft = 56, kRight = 14, kBottom = 36;
constexpr int kMaxTipsPerLine = 120;  // tooltip points, evenly spread

std::string F(double v) { return StringPrintf("%.1f", v); }

// A linear map from data to pixels.
struct Scale {
  double lo, hi, from, to;
  double operator()(double v) const {
    return from + (v - lo) / (hi - lo) * (to - from);
  }
};

// "12.5 s" on a time axis, "3k flood frames/s" on another.
std::string AtX(const Chart& c, double x) {
  return HumanNumber(x) + " " +
         (c.x_unit.rfind("s ", 0) == 0 ? std::string("s") : c.x_unit);
}

const char* BandFill(const std::string& kind) {
  if (kind == "fault") return "#e8a09a";
  if (kind == "flood") return "#f2cf7a";
  return "#9dbcf0";  // phase
}

// The time a line's i-th value is at.
const nlohmann::json& TimeOf(const Chart& c, const Line& l) {
  static const nlohmann::json empty = nlohmann::json::array();
  const nlohmann::json* t = l.t ? l.t : c.t;
  return t && t->is_array() ? *t : empty;
}

struct Extent {
  double tmin = 0, tmax = 1, vmax = 0;
};

Extent ExtentOf(const Chart& c) {
  Extent e;
  bool any = false;
  auto take_t = [&](double t) {
    e.tmin = any ? std::min(e.tmin, t) : t;
    e.tmax = any ? std::max(e.tmax, t) : t;
    any = true;
  };
  for (const Line& l : c.lines) {
    const auto& t = TimeOf(c, l);
    for (size_t i = 0; i < t.size() && i < l.values->size(); ++i) {
      if (!t[i].is_number()) continue;
      take_t(t[i].get<double>());
      if ((*l.values)[i].is_number())
        e.vmax = std::max(e.vmax, (*l.values)[i].get<double>());
    }
  }
  if (!any && c.t)
    for (const auto& t : *c.t)
      if (t.is_number()) take_t(t.get<double>());
  // What happened after the telemetry stopped (a wedged guest) still shows.
  for (const Marker& m : c.markers) take_t(m.t);
  for (const Band& b : c.bands) take_t(std::max(b.from, b.to));
  if (e.tmax <= e.tmin) e.tmax = e.tmin + 1;
  e.vmax = std::max(e.vmax, c.hline);
  if (e.vmax <= 0) e.vmax = 1;
  return e;
}

// The legend, above the plot, wrapped into rows; `rows` says how many.
std::string Legend(const Chart& c, int* rows) {
  struct Item {
    std::string name, color, shape;
  };
  std::vector<Item> items;
  for (const Line& l : c.lines)
    items.push_back({l.name, l.color, l.dashed ? "dash" : "line"});
  if (c.hline > 0) items.push_back({c.hline_name, "#b00", "dash"});
  for (const char* kind : {"fault", "phase", "flood"})
    for (const Band& b : c.bands)
      if (b.kind == kind) {
        items.push_back({kind, BandFill(kind), "band"});
        break;
      }
  if (!c.markers.empty()) items.push_back({"finding", "#609", "marker"});
  std::string s;
  double x = kLeft, y = 34;
  *rows = items.empty() ? 0 : 1;
  for (const Item& it : items) {
    const double w = 26 + 6.2 * it.name.size();
    if (x + w > kWidth - kRight && x > kLeft) {
      x = kLeft;
      y += 15;
      ++*rows;
    }
    if (it.shape == "band")
      s += "<rect x=\"" + F(x) + "\" y=\"" + F(y - 8) +
           "\" width=\"16\" height=\"9\" fill=\"" + it.color +
           "\" opacity=\"0.5\"/>";
    else if (it.shape == "marker")
      s += "<path d=\"M" + F(x + 4) + " " + F(y - 8) +
           " l8 0 l-4 8 z\" fill=\"" + it.color + "\"/>";
    else
      s += "<line x1=\"" + F(x) + "\" y1=\"" + F(y - 4) + "\" x2=\"" +
           F(x + 16) + "\" y2=\"" + F(y - 4) + "\" stroke=\"" + it.color +
           "\" stroke-width=\"2\"" +
           (it.shape == "dash" ? " stroke-dasharray=\"4 3\"" : "") + "/>";
    s += "<text x=\"" + F(x + 20) + "\" y=\"" + F(y) + "\" class=\"legend\">" +
         XmlEscape(it.name) + "</text>\n";
    x += w;
  }
  return s;
}

// The <svg> element of a chart `height` high, and its heading.
std::string SvgOpen(const char* cls, double height, const std::string& title,
                    const std::string& heading) {
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"" +
         std::string(cls) + "\" width=\"" + F(kWidth) + "\" height=\"" +
         F(height) + "\" viewBox=\"0 0 " + F(kWidth) + " " + F(height) +
         "\" data-title=\"" + XmlEscape(title) + "\">\n<text x=\"" + F(kLeft) +
         "\" y=\"16\" class=\"title\">" + XmlEscape(heading) + "</text>\n";
}

// The time axis along `y`: ticks, labels, the line and its unit.
std::string XAxis(const Chart& c, const Scale& X, double y) {
  std::string s;
  for (double t : NiceTicks(X.lo, X.hi, 9)) {
    s += "<line x1=\"" + F(X(t)) + "\" y1=\"" + F(y) + "\" x2=\"" + F(X(t)) +
         "\" y2=\"" + F(y + 4) + "\" class=\"axis\"/>";
    s += "<text x=\"" + F(X(t)) + "\" y=\"" + F(y + 15) +
         "\" class=\"tick\" text-anchor=\"middle\">" + HumanNumber(t) +
         "</text>\n";
  }
  s += "<line x1=\"" + F(X.from) + "\" y1=\"" + F(y) + "\" x2=\"" + F(X.to) +
       "\" y2=\"" + F(y) + "\" class=\"axis\"/>";
  s += "<text x=\"" + F((X.from + X.to) / 2) + "\" y=\"" + F(y + 30) +
       "\" class=\"unit\" text-anchor=\"middle\">" + XmlEscape(c.x_unit) +
       "</text>\n";
  return s;
}

// Grid lines, ticks and tick labels on both axes, the axis lines, the x
// axis's unit.
std::string Axes(const Chart& c, const Scale& X, const Scale& Y) {
  std::string s;
  for (double v : NiceTicks(0, Y.hi, 6)) {
    s += "<line x1=\"" + F(kLeft) + "\" y1=\"" + F(Y(v)) + "\" x2=\"" +
         F(kWidth - kRight) + "\" y2=\"" + F(Y(v)) + "\" class=\"grid\"/>";
    s += "<text x=\"" + F(kLeft - 5) + "\" y=\"" + F(Y(v) + 4) +
         "\" class=\"tick\" text-anchor=\"end\">" + HumanNumber(v) +
         "</text>\n";
  }
  s += XAxis(c, X, Y.from);
  s += "<line x1=\"" + F(kLeft) + "\" y1=\"" + F(Y.to) + "\" x2=\"" + F(kLeft) +
       "\" y2=\"" + F(Y.from) + "\" class=\"axis\"/>\n";
  return s;
}

std::string Bands(const Chart& c, const Scale& X, const Scale& Y) {
  std::string s;
  for (const Band& b : c.bands) {
    double x0 = X(std::clamp(b.from, X.lo, X.hi));
    double x1 = X(std::clamp(b.to < b.from ? X.hi : b.to, X.lo, X.hi));
    if (x1 - x0 < 1) x1 = x0 + 1;
    s += "<rect class=\"band\" data-kind=\"" + XmlEscape(b.kind) + "\" x=\"" +
         F(x0) + "\" y=\"" + F(Y.to) + "\" width=\"" + F(x1 - x0) +
         "\" height=\"" + F(Y.from - Y.to) + "\" fill=\"" + BandFill(b.kind) +
         "\" opacity=\"0.35\"><title>" +
         XmlEscape(b.kind + " " + b.label + ": " + HumanNumber(b.from) + "–" +
                   (b.to < b.from ? "end" : HumanNumber(b.to)) + " s") +
         "</title></rect>\n";
  }
  return s;
}

// Each line as a path, then up to kMaxTipsPerLine invisible points that
// show the value on hover.
std::string Series(const Chart& c, const Scale& X, const Scale& Y) {
  std::string s;
  for (const Line& l : c.lines) {
    const auto& t = TimeOf(c, l);
    const size_t n = std::min(t.size(), l.values->size());
    std::string d, tips;
    bool pen = false;
    const size_t stride = std::max<size_t>(1, n / kMaxTipsPerLine);
    for (size_t i = 0; i < n; ++i) {
      const auto& v = (*l.values)[i];
      if (!v.is_number() || !t[i].is_number()) {
        pen = false;
        continue;
      }
      const double x = X(t[i].get<double>()), y = Y(v.get<double>());
      d += (pen ? " L" : " M") + F(x) + " " + F(y);
      pen = true;
      if (i % stride == 0)
        tips += "<circle class=\"pt\" cx=\"" + F(x) + "\" cy=\"" + F(y) +
                "\" r=\"4\"><title>" +
                XmlEscape(l.name + ": " + HumanNumber(v.get<double>()) + " " +
                          c.unit + " at " + AtX(c, t[i].get<double>())) +
                "</title></circle>";
    }
    s += "<g class=\"line\" data-series=\"" + XmlEscape(l.name) +
         "\"><path class=\"series\" fill=\"none\" stroke=\"" + l.color +
         "\" stroke-width=\"1.6\"" +
         (l.dashed ? " stroke-dasharray=\"5 3\"" : "") + " d=\"" + d +
         "\"/>\n" + tips + "</g>\n";
  }
  if (c.hline > 0)
    s += "<line x1=\"" + F(kLeft) + "\" y1=\"" + F(Y(c.hline)) + "\" x2=\"" +
         F(kWidth - kRight) + "\" y2=\"" + F(Y(c.hline)) +
         "\" class=\"limit\"><title>" +
         XmlEscape(c.hline_name + ": " + HumanNumber(c.hline) + " " + c.unit) +
         "</title></line>\n";
  return s;
}

std::string Markers(const Chart& c, const Scale& X, const Scale& Y) {
  std::string s;
  for (const Marker& m : c.markers) {
    if (m.t < X.lo || m.t > X.hi) continue;
    const double x = X(m.t);
    std::string body =
        "<g class=\"marker\"><line x1=\"" + F(x) + "\" y1=\"" + F(Y.to) +
        "\" x2=\"" + F(x) + "\" y2=\"" + F(Y.from) + "\"/><path d=\"M" +
        F(x - 5) + " " + F(Y.to - 1) + " l10 0 l-5 8 z\"/><title>" +
        XmlEscape(m.label + " at " + HumanNumber(m.t) + " s") + "</title></g>";
    s += (m.href.empty()
              ? body
              : "<a href=\"" + XmlEscape(m.href) + "\">" + body + "</a>") +
         "\n";
  }
  return s;
}

}  // namespace

std::vector<double> NiceTicks(double lo, double hi, int max_ticks) {
  std::vector<double> ticks;
  if (!(hi > lo) || max_ticks < 2 || !std::isfinite(hi - lo)) return ticks;
  const double raw = (hi - lo) / (max_ticks - 1);
  const double mag = std::pow(10, std::floor(std::log10(raw)));
  double step = 10 * mag;
  for (double m : {1.0, 2.0, 5.0})
    if (m * mag >= raw) {
      step = m * mag;
      break;
    }
  // k * step, cleaned of binary fractions (0.6, not 0.6000000000000001).
  for (double k = std::ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9;
       ++k)
    ticks.push_back(std::stod(StringPrintf("%.12g", k * step)) + 0.0);
  return ticks;
}

std::string HumanNumber(double v) {
  const double a = std::abs(v);
  if (a >= 1e9) return StringPrintf("%.3gG", v / 1e9);
  if (a >= 1e6) return StringPrintf("%.3gM", v / 1e6);
  if (a >= 1e3) return StringPrintf("%.3gk", v / 1e3);
  return StringPrintf("%.3g", v);
}

std::string SvgChart(const Chart& c) {
  const Extent e = ExtentOf(c);
  int rows = 0;
  const std::string legend = Legend(c, &rows);
  const double top = 30 + 15 * rows;
  const double height = top + kPlotHeight + kBottom;
  const std::vector<double> yt = NiceTicks(0, e.vmax * 1.05, 6);
  const double ymax =
      yt.size() > 1 && yt.back() >= e.vmax ? yt.back() : e.vmax * 1.05;
  const Scale X{e.tmin, e.tmax, kLeft, kWidth - kRight};
  const Scale Y{0, ymax, top + kPlotHeight, top};
  std::string s =
      SvgOpen("chart", height, c.title, c.title + " (" + c.unit + ")");
  s += legend;
  s += Bands(c, X, Y);
  s += Axes(c, X, Y);
  s += Series(c, X, Y);
  s += Markers(c, X, Y);
  return s + "</svg>\n";
}

std::string SvgTimeline(const Timeline& tl) {
  constexpr double kRow = 22, kNames = 110;
  // The extent as a chart with no lines would have it.
  Chart c;
  c.t = tl.t;
  c.bands = tl.bands;
  c.markers = tl.markers;
  for (const Span& sp : tl.spans) c.bands.push_back({sp.from, sp.to, "", ""});
  const Extent e = ExtentOf(c);
  const double top = 30, height = top + kRow * tl.rows.size() + kBottom;
  const Scale X{e.tmin, e.tmax, kNames, kWidth - kRight};
  const Scale Y{0, 1, top + kRow * tl.rows.size(), top};
  c.bands = tl.bands;
  std::string s = SvgOpen("chart timeline", height, tl.title, tl.title);
  s += Bands(c, X, Y);
  for (size_t i = 0; i < tl.rows.size(); ++i) {
    const double y = top + kRow * i;
    s += "<text x=\"" + F(kNames - 6) + "\" y=\"" + F(y + kRow / 2 + 4) +
         "\" class=\"tick\" text-anchor=\"end\">" + XmlEscape(tl.rows[i]) +
         "</text>\n";
    for (const Span& sp : tl.spans) {
      if (sp.row != tl.rows[i]) continue;
      const double x0 = X(std::clamp(sp.from, X.lo, X.hi));
      const double x1 =
          std::max(x0 + 2, X(sp.to < sp.from ? X.hi : std::min(sp.to, X.hi)));
      s += "<rect class=\"span\" data-row=\"" + XmlEscape(sp.row) + "\" x=\"" +
           F(x0) + "\" y=\"" + F(y + 4) + "\" width=\"" + F(x1 - x0) +
           "\" height=\"" + F(kRow - 8) + "\" fill=\"" + sp.color +
           "\"><title>" +
           XmlEscape(sp.row + ": " + sp.label + ", " + HumanNumber(sp.from) +
                     "–" + (sp.to < sp.from ? "end" : HumanNumber(sp.to)) +
                     " s") +
           "</title></rect>\n";
    }
  }
  s += XAxis(c, X, Y.from);
  s += Markers(c, X, Y);
  return s + "</svg>\n";
}

}  // namespace swapbench
