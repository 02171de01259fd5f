#include "bench/svg.h"

#include <algorithm>
#include <cmath>

#include "bench/text.h"

namespace swapbench {

std::string SvgChart(const std::string& title, const std::string& unit,
                     const nlohmann::json& t, const std::vector<Line>& lines,
                     double hline, const std::string& hline_name,
                     const std::string& x_unit) {
  const double W = 560, H = 200, L = 50, R = 10, T = 24, B = 26;
  double tmin = 0, tmax = 1, vmax = hline > 0 ? hline : 0;
  if (!t.empty()) {
    tmin = t.front().get<double>();
    tmax = std::max(tmin + 1e-9, t.back().get<double>());
  }
  for (const Line& l : lines)
    for (const auto& v : *l.values)
      if (v.is_number()) vmax = std::max(vmax, v.get<double>());
  if (vmax <= 0) vmax = 1;
  vmax *= 1.05;
  auto X = [&](double x) {
    return L + (x - tmin) / (tmax - tmin) * (W - L - R);
  };
  auto Y = [&](double y) { return T + (1 - y / vmax) * (H - T - B); };
  std::string s =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" "
      "width=\"" +
      StringPrintf("%.0f", W) + "\" height=\"" + StringPrintf("%.0f", H) +
      "\" viewBox=\"0 0 " + StringPrintf("%.0f", W) + " " +
      StringPrintf("%.0f", H) + "\" data-title=\"" + XmlEscape(title) + "\">\n";
  s += "<text x=\"" + StringPrintf("%.0f", L) + "\" y=\"15\" class=\"title\">" +
       XmlEscape(title) + " (" + XmlEscape(unit) + ")</text>\n";
  s += "<line x1=\"" + StringPrintf("%.1f", L) + "\" y1=\"" +
       StringPrintf("%.1f", H - B) + "\" x2=\"" + StringPrintf("%.1f", W - R) +
       "\" y2=\"" + StringPrintf("%.1f", H - B) +
       "\" class=\"axis\"/>\n<line x1=\"" + StringPrintf("%.1f", L) +
       "\" y1=\"" + StringPrintf("%.1f", T) + "\" x2=\"" +
       StringPrintf("%.1f", L) + "\" y2=\"" + StringPrintf("%.1f", H - B) +
       "\" class=\"axis\"/>\n";
  s += "<text x=\"" + StringPrintf("%.0f", L - 4) + "\" y=\"" +
       StringPrintf("%.0f", T + 4) + "\" class=\"tick\" text-anchor=\"end\">" +
       StringPrintf("%.3g", vmax / 1.05) + "</text>\n<text x=\"" +
       StringPrintf("%.0f", L - 4) + "\" y=\"" + StringPrintf("%.0f", H - B) +
       "\" class=\"tick\" text-anchor=\"end\">0</text>\n";
  s += "<text x=\"" + StringPrintf("%.0f", L) + "\" y=\"" +
       StringPrintf("%.0f", H - 8) + "\" class=\"tick\">" +
       StringPrintf("%.0f ", tmin) +
       XmlEscape(x_unit.substr(0, x_unit.find(' '))) + "</text>\n<text x=\"" +
       StringPrintf("%.0f", W - R) + "\" y=\"" + StringPrintf("%.0f", H - 8) +
       "\" class=\"tick\" text-anchor=\"end\">" + StringPrintf("%.0f ", tmax) +
       XmlEscape(x_unit) + "</text>\n";
  if (hline > 0)
    s += "<line x1=\"" + StringPrintf("%.1f", L) + "\" y1=\"" +
         StringPrintf("%.1f", Y(hline)) + "\" x2=\"" +
         StringPrintf("%.1f", W - R) + "\" y2=\"" +
         StringPrintf("%.1f", Y(hline)) + "\" class=\"limit\"><title>" +
         XmlEscape(hline_name) + "</title></line>\n";
  double lx = L + 8;
  for (const Line& l : lines) {
    std::string d;
    bool pen = false;
    for (size_t i = 0; i < t.size() && i < l.values->size(); ++i) {
      const auto& v = (*l.values)[i];
      if (!v.is_number()) {
        pen = false;
        continue;
      }
      d += (pen ? " L" : " M") + StringPrintf("%.1f", X(t[i].get<double>())) +
           " " + StringPrintf("%.1f", Y(v.get<double>()));
      pen = true;
    }
    s += "<path class=\"series\" data-series=\"" + XmlEscape(l.name) +
         "\" fill=\"none\" stroke=\"" + l.color +
         "\" stroke-width=\"1.5\" d=\"" + d + "\"/>\n";
    s += "<text x=\"" + StringPrintf("%.0f", lx) + "\" y=\"" +
         StringPrintf("%.0f", T + 12) + "\" class=\"legend\" fill=\"" +
         l.color + "\">" + XmlEscape(l.name) + "</text>\n";
    lx += 8 + 7 * l.name.size();
  }
  return s + "</svg>\n";
}
}  // namespace swapbench
