#include "bench/compare.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>

#include "bench/formats.h"
#include "bench/fs_util.h"
#include "bench/svg.h"
#include "bench/text.h"

namespace swapbench {

namespace {

bool Good(const std::string& v) { return v == "pass" || v == "flaky"; }

// How the two sides' cases pair: "smoke seed 1".
std::string CaseKey(const Case& c) {
  return c.scenario + " seed " + std::to_string(c.seed);
}

// The case's id in compare.html (ids have no spaces): "smoke-seed-1".
std::string Anchor(std::string key) {
  std::replace(key.begin(), key.end(), ' ', '-');
  return XmlEscape(key);
}

std::string Pct(double x) { return StringPrintf("%+.1f%%", x * 100); }

std::string Num(double x) { return StringPrintf("%.2f", x); }

// Every finding signature of a case's attempts, or with `kinds` their
// kinds; false in *all_signed if a finding has no signature (a report
// written before signatures).
std::set<std::string> Signatures(const Case& c, bool kinds, bool* all_signed) {
  std::set<std::string> out;
  for (const nlohmann::json* r : c.reports)
    for (const auto& run : r->value("runs", nlohmann::json::array()))
      if (run.is_object())
        for (const auto& f : run.value("findings", nlohmann::json::array())) {
          std::string sig = Str(f, "signature");
          if (sig.empty()) *all_signed = false;
          out.insert(kinds || sig.empty() ? Str(f, "kind") : sig);
        }
  out.erase("");
  return out;
}

// What NEW found that BASE never did, by signature — by kind when either
// side has reports from before signatures.
nlohmann::json NewSignatures(const Case& base, const Case& fresh) {
  bool signed_both = true;
  Signatures(base, false, &signed_both);
  Signatures(fresh, false, &signed_both);
  bool ignored = true;
  std::set<std::string> b = Signatures(base, !signed_both, &ignored);
  nlohmann::json out = nlohmann::json::array();
  for (const auto& sig : Signatures(fresh, !signed_both, &ignored))
    if (!b.count(sig)) out.push_back(sig);
  return out;
}

}  // namespace

nlohmann::json Compare(const std::vector<nlohmann::json>& base,
                       const std::vector<nlohmann::json>& fresh,
                       const CompareOptions& o) {
  auto bc = GroupCases(base), nc = GroupCases(fresh);
  auto key = CaseKey;
  std::map<std::string, const Case*> by_key;
  for (const Case& c : bc) by_key.emplace(key(c), &c);
  nlohmann::json rows = nlohmann::json::array();
  int regressions = 0;
  for (const Case& n : nc) {
    auto it = by_key.find(key(n));
    nlohmann::json row = {{"case", key(n)},
                          {"scenario", n.scenario},
                          {"seed", n.seed},
                          {"new_kernel", n.kernel},
                          {"new_verdict", n.verdict},
                          {"new_attempts", n.attempts},
                          {"new_fail_rate", n.fail_rate}};
    if (it == by_key.end()) {
      row["transition"] = "new";
      rows.push_back(row);
      continue;
    }
    const Case& b = *it->second;
    by_key.erase(it);
    row["base_kernel"] = b.kernel;
    row["base_verdict"] = b.verdict;
    row["base_attempts"] = b.attempts;
    row["base_fail_rate"] = b.fail_rate;
    bool regressed = false;
    if (Good(b.verdict) && n.verdict == "fail") {
      row["transition"] = "regression";
      regressed = true;
    } else if (b.verdict == "fail" && Good(n.verdict)) {
      row["transition"] = "fixed";
    } else if (n.verdict == "error" || b.verdict == "error") {
      row["transition"] = "error";  // a harness failure says nothing
    } else {
      row["transition"] = "same";
    }
    // What NEW found that BASE never did: with the same verdict on both
    // sides (a failing scenario failing differently) it is the transition.
    nlohmann::json fresh_sigs = NewSignatures(b, n);
    if (!fresh_sigs.empty()) {
      row["new_signatures"] = fresh_sigs;
      if (row["transition"] == "same") {
        row["transition"] = "new_finding";
        regressed = true;
      }
    }
    // Throughput, over passing attempts only.
    const auto& bs = b.swapout;
    const auto& ns = n.swapout;
    std::string tp = "not_gated";
    if (!bs.empty() && !ns.empty()) {
      double bm = Median(bs), nm = Median(ns);
      double bmin = *std::min_element(bs.begin(), bs.end());
      double bmax = *std::max_element(bs.begin(), bs.end());
      double nmin = *std::min_element(ns.begin(), ns.end());
      double nmax = *std::max_element(ns.begin(), ns.end());
      double delta = bm > 0 ? (nm - bm) / bm : 0;
      row["base_median_mib_s"] = bm;
      row["new_median_mib_s"] = nm;
      row["base_range_mib_s"] = {bmin, bmax};
      row["new_range_mib_s"] = {nmin, nmax};
      row["delta"] = delta;
      bool enough =
          int(bs.size()) >= o.min_repeats && int(ns.size()) >= o.min_repeats;
      if (!enough) {
        row["throughput_reason"] =
            "needs " + std::to_string(o.min_repeats) +
            " passing attempts on each side (--repeat); has " +
            std::to_string(bs.size()) + " and " + std::to_string(ns.size());
      } else if (delta <= -o.threshold && nmax < bmin) {
        tp = "regression";
        regressed = true;
      } else if (delta >= o.threshold && nmin > bmax) {
        tp = "improvement";
      } else {
        tp = "same";
        row["throughput_reason"] =
            std::abs(delta) < o.threshold
                ? "median moved " + Pct(delta) + ", within the threshold"
                : "median moved " + Pct(delta) +
                      " but the min-max ranges overlap";
      }
    }
    row["throughput"] = tp;
    if (regressed) ++regressions;
    rows.push_back(row);
  }
  for (const auto& [k, b] : by_key)
    rows.push_back({{"case", k},
                    {"scenario", b->scenario},
                    {"seed", b->seed},
                    {"base_kernel", b->kernel},
                    {"base_verdict", b->verdict},
                    {"transition", "missing"}});
  return {{"threshold", o.threshold},
          {"min_repeats", o.min_repeats},
          {"rows", rows},
          {"regressions", regressions},
          {"verdict", regressions ? "regression" : "ok"}};
}

std::string CompareText(const nlohmann::json& c) {
  std::string out;
  char line[512];
  snprintf(line, sizeof(line), "%-34s %-18s %-18s %-11s %9s %9s %8s  %s\n",
           "case", "base", "new", "transition", "base MiB/s", "new MiB/s",
           "delta", "throughput");
  out += line;
  for (const auto& r : c["rows"]) {
    auto v = [&](const char* k) { return r.value(k, std::string("-")); };
    snprintf(
        line, sizeof(line), "%-34s %-18s %-18s %-11s %9s %9s %8s  %s\n",
        v("case").c_str(), (v("base_kernel") + ":" + v("base_verdict")).c_str(),
        (v("new_kernel") + ":" + v("new_verdict")).c_str(),
        v("transition").c_str(),
        r.contains("base_median_mib_s") ? Num(r["base_median_mib_s"]).c_str()
                                        : "-",
        r.contains("new_median_mib_s") ? Num(r["new_median_mib_s"]).c_str()
                                       : "-",
        r.contains("delta") ? Pct(r["delta"]).c_str() : "-",
        (v("throughput") + (r.contains("throughput_reason")
                                ? " (" + v("throughput_reason") + ")"
                                : ""))
            .c_str());
    out += line;
    if (r.contains("new_signatures"))
      for (const auto& sig : r["new_signatures"])
        out += "    new finding: " + sig.get<std::string>() + "\n";
  }
  out += "verdict: " + c["verdict"].get<std::string>() + " (" +
         std::to_string(c["regressions"].get<int>()) + " regression(s))\n";
  return out;
}

namespace {

// The signatures NEW found that BASE did not, under the transition.
std::string NewSignaturesHtml(const nlohmann::json& r) {
  std::string h;
  if (r.contains("new_signatures"))
    for (const auto& sig : r["new_signatures"])
      h += "<br><small>new: " + XmlEscape(sig.get<std::string>()) + "</small>";
  return h;
}

// One side of an overlay: a run's series with its time made relative to
// the workloads' start (the hog_start event), so BASE and NEW line up.
struct Side {
  std::string kernel;
  nlohmann::json t = nlohmann::json::array();
  const nlohmann::json* series = nullptr;
};

Side SideOf(const nlohmann::json& report) {
  Side s;
  if (auto k = report.find("kernel"); k != report.end())
    s.kernel = Str(*k, "release");
  const nlohmann::json& run = FirstRun(report);
  auto found = run.is_object() ? run.find("series") : run.end();
  if (!run.is_object() || found == run.end() || !found->is_object() ||
      !found->contains("t") || !(*found)["t"].is_array())
    return s;
  const nlohmann::json& series = *found;
  s.series = &series;
  double t0 = series["t"].empty() || !series["t"][0].is_number()
                  ? 0
                  : series["t"][0].get<double>();
  auto events = run.find("events");
  if (events != run.end() && events->is_array())
    for (const auto& e : *events)
      if (Str(e, "event") == "hog_start" && e.contains("t") &&
          e["t"].is_number()) {
        t0 = e["t"].get<double>();
        break;
      }
  for (const auto& t : series["t"])
    s.t.push_back(t.is_number() ? nlohmann::json(t.get<double>() - t0)
                                : nlohmann::json());
  return s;
}

// BASE (blue) and NEW (red, dashed) on one chart per metric.
std::string Overlay(const std::string& key, const nlohmann::json& b,
                    const nlohmann::json& n) {
  const Side base = SideOf(b), fresh = SideOf(n);
  if (!base.series || !fresh.series) return "";
  static const nlohmann::json null;
  auto of = [&](const Side& s, const char* k) -> const nlohmann::json& {
    auto it = s.series->find(k);
    return it != s.series->end() && it->is_array() ? *it : null;
  };
  std::string h = "<h2 id=\"" + Anchor(key) + "\">" + XmlEscape(key) +
                  "</h2>\n<p>" + XmlEscape(Str(b, "out_dir")) + " (base) and " +
                  XmlEscape(Str(n, "out_dir")) +
                  " (new), first attempts</p>\n<div class=\"charts\">\n";
  struct Metric {
    const char *title, *unit, *key;
  };
  for (const Metric& m :
       {Metric{"swap-out", "MiB/s", "swapout_mib_s"},
        Metric{"swap-in", "MiB/s", "swapin_mib_s"},
        Metric{"memory.current", "MiB", "memory_current_mib"},
        Metric{"link to guest", "frames/s", "to_guest_frames_s"}}) {
    if (of(base, m.key).is_null() && of(fresh, m.key).is_null()) continue;
    Chart chart;
    chart.title = m.title;
    chart.unit = m.unit;
    chart.x_unit = "s since the workloads started";
    chart.lines = {
        {"base " + base.kernel, "#36c", &of(base, m.key), &base.t},
        {"new " + fresh.kernel, "#c33", &of(fresh, m.key), &fresh.t, true}};
    h += SvgChart(chart);
  }
  return h + "</div>\n";
}

}  // namespace

std::string CompareHtml(const nlohmann::json& c,
                        const std::vector<nlohmann::json>& base,
                        const std::vector<nlohmann::json>& fresh) {
  std::string h =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<title>swapbench compare</title>" +
      std::string(ReportStyle()) +
      "<style>.regression{color:#b00;font-weight:bold}.new_finding{color:#b00}"
      ".improvement,.fixed{color:#070}</style></head><body>\n<h1>swapbench "
      "compare — <span class=\"" +
      c["verdict"].get<std::string>() + "\">" + XmlEscape(c["verdict"]) +
      "</span></h1>\n<p>" + XmlEscape(c.value("base", "")) + " → " +
      XmlEscape(c.value("new", "")) + "; throughput threshold " +
      Pct(c["threshold"]).substr(1) +
      " on the median with non-overlapping "
      "min–max, at least " +
      std::to_string(c["min_repeats"].get<int>()) +
      " passing attempts a side.</p>\n<table><tr><th>case</th><th>base</th>"
      "<th>new</th><th>transition</th><th>swap-out MiB/s (min–max, median)"
      "</th><th>delta</th><th>throughput</th></tr>\n";
  for (const auto& r : c["rows"]) {
    auto v = [&](const char* k) {
      return XmlEscape(r.value(k, std::string("–")));
    };
    std::string bars = "–";
    if (r.contains("base_range_mib_s")) {
      // Two range bars on one scale: base above, new below.
      double hi = std::max(r["base_range_mib_s"][1].get<double>(),
                           r["new_range_mib_s"][1].get<double>()) *
                  1.1;
      auto bar = [&](const char* range, const char* med, double y,
                     const char* color) {
        double a = r[range][0].get<double>() / hi * 200,
               b = r[range][1].get<double>() / hi * 200,
               m = r[med].get<double>() / hi * 200;
        return "<rect x=\"" + Num(a) + "\" y=\"" + Num(y) + "\" width=\"" +
               Num(std::max(1.0, b - a)) + "\" height=\"8\" fill=\"" + color +
               "\"/><line x1=\"" + Num(m) + "\" x2=\"" + Num(m) + "\" y1=\"" +
               Num(y - 2) + "\" y2=\"" + Num(y + 10) + "\" stroke=\"#000\"/>";
      };
      bars = "<svg width=\"210\" height=\"30\">" +
             bar("base_range_mib_s", "base_median_mib_s", 3, "#99b") +
             bar("new_range_mib_s", "new_median_mib_s", 18, "#c88") +
             "</svg> " + Num(r["base_median_mib_s"]) + " → " +
             Num(r["new_median_mib_s"]);
    }
    h += "<tr><td><a href=\"#" + Anchor(r.value("case", "")) + "\">" +
         v("case") + "</a></td><td>" + v("base_kernel") + ": " +
         v("base_verdict") + "</td><td>" + v("new_kernel") + ": " +
         v("new_verdict") + "</td><td class=\"" + v("transition") + "\">" +
         v("transition") + NewSignaturesHtml(r) + "</td><td>" + bars +
         "</td><td>" + (r.contains("delta") ? Pct(r["delta"]) : "–") +
         "</td><td class=\"" + v("throughput") + "\">" + v("throughput") + " " +
         v("throughput_reason") + "</td></tr>\n";
  }
  h += "</table>\n";
  // The overlays: the first attempt of each side, for every case both have.
  std::vector<Case> bc = GroupCases(base), nc = GroupCases(fresh);
  std::map<std::string, const nlohmann::json*> base_first;
  for (const Case& b : bc)
    if (!b.reports.empty()) base_first.emplace(CaseKey(b), b.reports[0]);
  for (const Case& n : nc) {
    auto it = base_first.find(CaseKey(n));
    if (it != base_first.end() && !n.reports.empty())
      h += Overlay(it->first, *it->second, *n.reports[0]);
  }
  return h + "</body></html>\n";
}

}  // namespace swapbench
