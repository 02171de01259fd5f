#include "bench/qualify.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "bench/nic.h"
#include "bench/scenario_family.h"
#include "bench/svg.h"
#include "bench/text.h"

namespace swapbench {

namespace {

using Json = nlohmann::json;

const Json& At(const Json& j, const char* key) {
  static const Json null;
  if (!j.is_object()) return null;
  auto it = j.find(key);
  return it == j.end() ? null : *it;
}

double Round2(double v) { return std::round(v * 100) / 100; }

std::string Join(const Json& items, const std::string& sep) {
  std::string out;
  for (const Json& i : items)
    out += (out.empty() ? "" : sep) +
           (i.is_string() ? i.get<std::string>() : i.dump());
  return out;
}

// "flood[vm.nic=e1000]" → "flood", "e1000".
std::pair<std::string, std::string> CaseOf(const Json& report) {
  std::string name = At(report, "scenario").is_string()
                         ? report["scenario"].get<std::string>()
                         : "";
  std::string check = name.substr(0, name.find('['));
  std::string nic;
  size_t at = name.find("vm.nic=");
  if (at != std::string::npos) {
    size_t end = name.find_first_of(",]", at);
    nic = name.substr(at + 7, end - at - 7);
  }
  return {check, nic};
}

// One time series' window (a, b]: the mean of `rate` (per interval) and
// the change of `counter` (cumulative; null when never read).
struct Window {
  double swap_mib_s = 0;
  Json rx_dropped, pfmemalloc_drop;
};

Json Delta(const Json& series, const Json& t, double a, double b) {
  if (!series.is_array() || series.size() != t.size()) return nullptr;
  Json first, last;
  for (size_t i = 0; i < t.size(); ++i) {
    double ti = t[i].get<double>();
    if (ti <= a && series[i].is_number()) first = series[i];
    if (ti <= b && series[i].is_number()) last = series[i];
  }
  if (!first.is_number() || !last.is_number()) return nullptr;
  return last.get<long long>() - first.get<long long>();
}

Window WindowOf(const Json& series, double a, double b) {
  Window w;
  const Json& t = At(series, "t");
  const Json& out = At(series, "swapout_mib_s");
  const Json& in = At(series, "swapin_mib_s");
  double sum = 0;
  int n = 0;
  for (size_t i = 0; t.is_array() && i < t.size(); ++i) {
    double ti = t[i].get<double>();
    if (ti <= a || ti > b || i >= out.size() || i >= in.size()) continue;
    sum += out[i].get<double>() + in[i].get<double>();
    ++n;
  }
  w.swap_mib_s = n ? Round2(sum / n) : 0;
  w.rx_dropped = Delta(At(series, "rx_dropped"), t, a, b);
  w.pfmemalloc_drop = Delta(At(series, "pfmemalloc_drop"), t, a, b);
  return w;
}

// The guest time of an agent event, -1 if there is none.
double EventTime(const Json& run, const char* name) {
  for (const Json& e : At(run, "events"))
    if (At(e, "event") == name) return e.value("t", 0.0);
  return -1;
}

// The flood ramp: each step's window, the pre-flood rate, the tolerance.
Json FloodFigures(const Json& run) {
  Json out = Json::object();
  double t0 = EventTime(run, "hog_start");
  double end = EventTime(run, "hog_exit");  // -1: never ended
  const Json& floods = At(At(run, "link"), "floods");
  if (t0 < 0 || !floods.is_array() || floods.empty()) return out;
  const Json& series = At(run, "series");
  double first = 1e18;
  for (const Json& f : floods) first = std::min(first, f.value("at_s", 0.0));
  Window pre = WindowOf(series, t0, t0 + first);
  out["pre_flood_swap_mib_s"] = pre.swap_mib_s;
  Json steps = Json::array();
  double tolerance = 0;
  bool held = true, completed = true;
  for (const Json& f : floods) {
    double a = t0 + f.value("at_s", 0.0), b = a + f.value("for_s", 0.0);
    Window w = WindowOf(series, a, b);
    double pps = f.value("pps", 0.0);
    // A step the workloads did not last through says nothing of the flood.
    Json kept = nullptr;
    if (end < 0 || end >= b) {
      bool k = pre.swap_mib_s > 0 && w.swap_mib_s >= 0.1 * pre.swap_mib_s;
      kept = k;
      held = held && k;
      if (held) tolerance = pps;
    } else {
      completed = false;
    }
    steps.push_back({{"name", f.value("name", "")},
                     {"pps", pps},
                     {"swap_mib_s", w.swap_mib_s},
                     {"rx_dropped", w.rx_dropped},
                     {"pfmemalloc_drop", w.pfmemalloc_drop},
                     {"delivered", f.value("delivered", 0)},
                     {"swap_kept", kept}});
  }
  out["steps"] = steps;
  out["tolerance_pps"] = tolerance;
  // false: the hog ended before the last step; the tolerance is a floor.
  out["ramp_completed"] = completed;
  return out;
}

// What one attempt of a check shows, and whether it passes the rule.
Json Attempt(const std::string& check, const Json& run) {
  const std::string verdict = run.value("verdict", "error");
  const Json& m = At(run, "metrics");
  Json a = {{"verdict", verdict},
            {"swapout_mib_per_s", At(m, "swapout_mib_per_s")},
            {"swapin_mib_per_s", At(m, "swapin_mib_per_s")}};
  Json sigs = Json::array(), drivers = Json::array();
  for (const Json& f : At(run, "findings")) {
    sigs.push_back(f.value("signature", f.value("kind", "")));
    if (f.contains("driver") &&
        std::find(drivers.begin(), drivers.end(), f["driver"]) == drivers.end())
      drivers.push_back(f["driver"]);
  }
  a["findings"] = sigs;
  a["drivers_named"] = drivers;
  std::string outcome = verdict == "pass" || verdict == "flaky" ? "pass"
                        : verdict == "fail"                     ? "fail"
                                                                : "error";
  if (check == "flood" && outcome != "error") {
    Json fl = FloodFigures(run);
    a["flood"] = fl;
    long corrupted = At(At(run, "integrity"), "pages_corrupted").is_number()
                         ? run["integrity"]["pages_corrupted"].get<long>()
                         : 0;
    double tol = fl.value("tolerance_pps", 0.0);
    bool judged =
        fl.value("ramp_completed", true) || tol >= kFloodTolerancePps ||
        (!fl["steps"].empty() && fl["steps"].back().is_object() &&
         std::any_of(fl["steps"].begin(), fl["steps"].end(),
                     [](const Json& s) { return s["swap_kept"] == false; }));
    outcome = !judged                                       ? "error"
              : tol >= kFloodTolerancePps && corrupted == 0 ? "pass"
                                                            : "fail";
    if (!judged)
      a["why"] = "the hog ended before the ramp reached the threshold";
  }
  if (check == "outage")
    a["how"] = outcome == "pass" ? Json("recovered")
               : sigs.empty()    ? Json(verdict)
                                 : Json("wedged: " + Join(sigs, "; "));
  if (check == "loss") {
    const Json& r = At(At(run, "series"), "rpc_retrans");
    if (r.is_array() && !r.empty()) a["rpc_retrans"] = r.back();
  }
  if (check == "jumbo") a["mtu"] = At(At(run, "nic"), "mtu");
  a["outcome"] = outcome;
  return a;
}

}  // namespace

const std::vector<QualifyCheck>& QualifyChecks() {
  static const std::vector<QualifyCheck> checks = {
      {"baseline", "the run passes: swap out and in, every page verified"},
      {"loss", "the run passes through 2 % loss each way"},
      {"flood",
       "swap keeps >= 10 % of its pre-flood rate up to >= 2000 frames/s of "
       "128-byte UDP, no page corrupted"},
      {"outage",
       "under global pressure the guest recovers from a 40 s server stop: "
       "the hog finishes and verifies"},
      {"jumbo", "the run passes at MTU 9000 (drivers that take it)"},
  };
  return checks;
}

Result<std::vector<Scenario>> SuiteCases(
    const std::vector<Scenario>& suite, const std::vector<std::string>& nics,
    const std::vector<std::string>& checks,
    std::vector<std::pair<std::string, std::string>>* skipped) {
  std::set<std::string> known;
  for (const QualifyCheck& c : QualifyChecks()) known.insert(c.name);
  for (const std::string& c : checks)
    if (!known.count(c))
      return Status::Usage("--check " + c + ": no such check (one of " +
                           Join(Json(known), ", ") + ")");
  std::vector<Scenario> out;
  for (const QualifyCheck& c : QualifyChecks()) {
    if (!checks.empty() &&
        std::find(checks.begin(), checks.end(), c.name) == checks.end())
      continue;
    const Scenario* sc = nullptr;
    for (const Scenario& s : suite)
      if (s.name == c.name) sc = &s;
    if (!sc)
      return Status::Usage(std::string("qualify: the suite has no scenario "
                                       "named ") +
                           c.name);
    for (const std::string& nic : nics) {
      const NicModel* m = FindNic(nic);
      if (m && sc->vm.mtu > m->max_mtu) {
        skipped->push_back({std::string(c.name) + "/" + nic,
                            std::string(m->module) + " takes MTU " +
                                std::to_string(m->max_mtu) + " at most"});
        continue;
      }
      auto one = ExpandNics({*sc}, {nic});
      if (!one.ok()) return one.status();
      out.push_back(one->front());
    }
  }
  return out;
}

Json QualifyJson(
    const std::vector<Json>& reports, const std::vector<std::string>& nics,
    const std::vector<std::pair<std::string, std::string>>& skipped,
    const Json& meta) {
  Json drivers = Json::object();
  for (const std::string& nic : nics) {
    const NicModel* m = FindNic(nic);
    drivers[nic] = {{"device", m ? m->describe : ""},
                    {"checks", Json::object()}};
  }
  for (const Json& rep : reports) {
    auto [check, nic] = CaseOf(rep);
    if (!drivers.contains(nic)) continue;
    Json& d = drivers[nic];
    for (const Json& run : At(rep, "runs")) {
      const Json& n = At(run, "nic");
      for (const char* k : {"driver", "version", "pci_id", "firmware"})
        if (n.contains(k) && !d.contains(k)) d[k] = n[k];
      Json& c = d["checks"][check];
      c["attempts"].push_back(Attempt(check, run));
    }
  }
  for (const auto& [what, why] : skipped) {
    std::string check = what.substr(0, what.find('/'));
    std::string nic = what.substr(what.find('/') + 1);
    if (drivers.contains(nic))
      drivers[nic]["checks"][check] = {{"outcome", "n/a"}, {"why", why}};
  }
  bool all = true;
  for (auto& [nic, d] : drivers.items()) {
    bool pass = true;
    for (auto& [name, c] : d["checks"].items()) {
      if (!c.contains("attempts")) continue;
      std::string o = "pass";
      for (const Json& a : c["attempts"]) {
        std::string ao = a["outcome"];
        if (ao == "error") o = "error";
        if (ao == "fail" && o != "error") o = "fail";
      }
      c["outcome"] = o;
      pass = pass && o == "pass";
      // The figures of the first attempt stand for the check.
      for (const auto& [k, v] : c["attempts"][0].items())
        if (k != "outcome" && k != "verdict") c[k] = v;
    }
    d["verdict"] = pass ? "pass" : "fail";
    all = all && pass;
  }
  Json rules = Json::object();
  for (const QualifyCheck& c : QualifyChecks()) rules[c.name] = c.rule;
  Json q = {{"schema", "swapbench.qualify/1"},
            {"verdict", all ? "pass" : "fail"},
            {"rules", rules},
            {"drivers", drivers}};
  for (const auto& [k, v] : meta.items()) q[k] = v;
  return q;
}

namespace {

std::string Cell(const Json& d, const char* check) {
  const Json& c = At(At(d, "checks"), check);
  if (!c.is_object()) return "—";
  std::string o = c.value("outcome", "?");
  if (o == "n/a") return "n/a (" + c.value("why", std::string()) + ")";
  std::string fig;
  if (std::string(check) == "flood" && c.contains("flood"))
    fig = StringPrintf("%.0f pps", c["flood"].value("tolerance_pps", 0.0));
  else if (std::string(check) == "outage")
    fig = c.value("how", std::string());
  else if (At(c, "swapout_mib_per_s").is_number())
    fig = StringPrintf("%.1f MiB/s out", c["swapout_mib_per_s"].get<double>());
  return o + (fig.empty() ? "" : ": " + fig);
}

}  // namespace

std::string QualifyText(const Json& q) {
  std::string t = StringPrintf("%-9s %-10s %-8s", "nic", "driver", "verdict");
  for (const QualifyCheck& c : QualifyChecks()) t += "  " + std::string(c.name);
  t += "\n";
  for (const auto& [nic, d] : At(q, "drivers").items()) {
    t += StringPrintf("%-9s %-10s %-8s", nic.c_str(),
                      d.value("driver", std::string("?")).c_str(),
                      d.value("verdict", std::string("?")).c_str());
    for (const QualifyCheck& c : QualifyChecks()) t += "  " + Cell(d, c.name);
    t += "\n";
  }
  return t;
}

std::string QualifyHtml(const Json& q) {
  static const char* kColors[] = {"#36c", "#c33", "#393", "#a3a",
                                  "#f96", "#69f", "#963", "#3aa"};
  std::string h =
      "<!doctype html><html><head><meta charset='utf-8'><title>swapbench NIC "
      "qualification</title><style>body{font-family:sans-serif;margin:2em}"
      "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:"
      "4px 8px;text-align:left}.pass{background:#dfd}.fail{background:#fdd}"
      ".error{background:#fec}</style></head><body>\n";
  h += "<h1>NIC qualification: " + XmlEscape(q.value("verdict", "?")) +
       "</h1>\n<p>kernel " + XmlEscape(q.value("kernel", "?")) + ", " +
       XmlEscape(q.value("qemu", "?")) + ", libvirt " +
       XmlEscape(q.value("libvirt", "?")) + ", swapbench " +
       XmlEscape(q.value("swapbench", "?")) + ", seeds: the suite's (" +
       XmlEscape(q.value("seeds", "")) + "), " +
       XmlEscape(std::to_string(q.value("repeat", 1))) +
       " attempt(s) per check</p>\n";
  h += "<table><tr><th>NIC</th><th>driver</th><th>version</th><th>PCI "
       "ID</th><th>verdict</th>";
  for (const QualifyCheck& c : QualifyChecks())
    h += "<th>" + std::string(c.name) + "</th>";
  h += "</tr>\n";
  for (const auto& [nic, d] : At(q, "drivers").items()) {
    std::string v = d.value("verdict", "?");
    h += "<tr><td>" + XmlEscape(nic) + " — " +
         XmlEscape(d.value("device", "")) + "</td><td>" +
         XmlEscape(d.value("driver", "?")) + "</td><td>" +
         XmlEscape(d.value("version", "?")) + "</td><td>" +
         XmlEscape(d.value("pci_id", "?")) + "</td><td class='" + XmlEscape(v) +
         "'>" + XmlEscape(v) + "</td>";
    for (const QualifyCheck& c : QualifyChecks()) {
      std::string o = At(At(At(d, "checks"), c.name), "outcome").is_string()
                          ? d["checks"][c.name]["outcome"].get<std::string>()
                          : "";
      h += "<td class='" + XmlEscape(o) + "'>" + XmlEscape(Cell(d, c.name)) +
           "</td>";
    }
    h += "</tr>\n";
  }
  h += "</table>\n";
  // The flood ramp: swap MiB/s per step, one line per NIC.
  Json pps = Json::array();
  std::vector<Json> values;
  std::vector<std::string> names;
  std::string steps_table;
  for (const auto& [nic, d] : At(q, "drivers").items()) {
    const Json& steps = At(At(At(At(d, "checks"), "flood"), "flood"), "steps");
    if (!steps.is_array() || steps.empty()) continue;
    Json v = Json::array();
    Json p = Json::array();
    for (const Json& s : steps) {
      p.push_back(s.value("pps", 0.0));
      v.push_back(s.value("swap_mib_s", 0.0));
      steps_table += "<tr><td>" + XmlEscape(nic) + "</td><td>" +
                     StringPrintf("%.0f", s.value("pps", 0.0)) + "</td><td>" +
                     DumpJson(s["swap_mib_s"], -1) + "</td><td>" +
                     DumpJson(s["rx_dropped"], -1) + "</td><td>" +
                     DumpJson(s["pfmemalloc_drop"], -1) + "</td><td>" +
                     (s["swap_kept"].is_boolean()
                          ? (s["swap_kept"].get<bool>() ? "yes" : "no")
                          : "not judged: the hog had ended") +
                     "</td></tr>\n";
    }
    if (pps.empty()) pps = p;
    values.push_back(v);
    names.push_back(nic);
  }
  if (!values.empty()) {
    std::vector<Line> lines;
    for (size_t i = 0; i < values.size(); ++i)
      lines.push_back({names[i], kColors[i % 8], &values[i]});
    Chart ramp;
    ramp.title = "swap at each flood step (out + in)";
    ramp.unit = "MiB/s";
    ramp.x_unit = "flood frames/s";
    ramp.t = &pps;
    ramp.lines = lines;
    h += "<h2>Flood ramp</h2>\n" + SvgChart(ramp) +
         "<table><tr><th>NIC</th><th>flood frames/s</th><th>swap MiB/s</th>"
         "<th>guest rx drops</th><th>PFMemallocDrop</th><th>swap kept "
         "&ge; 10 %</th></tr>\n" +
         steps_table + "</table>\n";
  }
  h += "<h2>Checks</h2>\n<table><tr><th>check</th><th>passes when</th></tr>\n";
  for (const auto& [name, rule] : At(q, "rules").items())
    h += "<tr><td>" + XmlEscape(name) + "</td><td>" +
         XmlEscape(rule.get<std::string>()) + "</td></tr>\n";
  h += "</table>\n<p>Runs: <a href='runs/summary.json'>runs/summary.json</a>"
       " and one report.html per case under runs/.</p>\n</body></html>\n";
  return h;
}

}  // namespace swapbench
