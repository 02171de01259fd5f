#include "bench/formats.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "bench/fs_util.h"
#include "bench/text.h"

namespace swapbench {

namespace {

const nlohmann::json& FirstRun(const nlohmann::json& report) {
  static const nlohmann::json empty = nlohmann::json::object();
  const auto& runs = report.value("runs", nlohmann::json::array());
  return runs.empty() ? empty : report["runs"][0];
}

std::string Str(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

// "smoke", "6.1.0-54-amd64" -> "smoke.seed1.6_1_0_54_amd64"-like ids stay
// readable; only the characters KCIDB paths and JUnit names dislike change.
std::string Slug(const std::string& s) {
  std::string out;
  for (char c : s)
    out += (isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')
               ? c
               : '_';
  return out;
}

// The findings and unmet expectations of one attempt, as text.
std::string Findings(const nlohmann::json& run) {
  std::string out;
  for (const auto& f : run.value("findings", nlohmann::json::array())) {
    out += Str(f, "kind") + ": " + Str(f, "title") + "\n";
    std::string ex = Str(f, "excerpt");
    if (!ex.empty()) out += "  " + ex + "\n";
  }
  for (const auto& u : run.value("unmet_expectations", nlohmann::json::array()))
    out += "unmet: " + u.get<std::string>() + "\n";
  if (!Str(run, "error").empty()) out += "error: " + Str(run, "error") + "\n";
  return out;
}

std::string FirstProblem(const nlohmann::json& run) {
  const auto& f = run.value("findings", nlohmann::json::array());
  if (!f.empty()) return Str(f[0], "kind") + ": " + Str(f[0], "title");
  const auto& u = run.value("unmet_expectations", nlohmann::json::array());
  if (!u.empty()) return "unmet: " + u[0].get<std::string>();
  return Str(run, "error");
}

}  // namespace

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::vector<Case> GroupCases(const std::vector<nlohmann::json>& reports) {
  std::vector<Case> cases;
  std::map<std::string, size_t> index;
  for (const auto& r : reports) {
    std::string kernel = r.value("kernel", nlohmann::json::object())
                             .value("release", std::string("unknown"));
    std::string scenario = Str(r, "scenario");
    uint64_t seed = r.value("seed", uint64_t{0});
    std::string id =
        Slug(scenario) + ".seed" + std::to_string(seed) + "." + Slug(kernel);
    auto [it, fresh] = index.emplace(id, cases.size());
    if (fresh) {
      Case c;
      c.id = id;
      c.scenario = scenario;
      c.kernel = kernel;
      c.kernel_source = r.value("kernel", nlohmann::json::object())
                            .value("source", std::string());
      c.seed = seed;
      c.description = Str(r, "description");
      c.swap_type = FirstRun(r)
                        .value("swap", nlohmann::json::object())
                        .value("type", std::string());
      cases.push_back(c);
    }
    Case& c = cases[it->second];
    c.reports.push_back(&r);
    ++c.attempts;
    std::string v = Str(FirstRun(r), "verdict");
    if (v == "fail") ++c.failed;
    if (v == "error" || v.empty()) ++c.errored;
    if (v == "pass")
      c.swapout.push_back(FirstRun(r)
                              .value("metrics", nlohmann::json::object())
                              .value("swapout_mib_per_s", 0.0));
  }
  for (Case& c : cases) {
    int passed = c.attempts - c.failed - c.errored;
    c.fail_rate = c.attempts ? double(c.failed + c.errored) / c.attempts : 0;
    bool flaky_fails = c.reports[0]->value("flaky_fails", false);
    if (passed == c.attempts)
      c.verdict = "pass";
    else if (passed == 0)
      c.verdict = c.failed > 0 ? "fail" : "error";
    else
      c.verdict = flaky_fails ? "fail" : "flaky";
  }
  return cases;
}

std::string SetVerdict(const std::vector<Case>& cases) {
  if (cases.empty()) return "error";
  auto rank = [](const std::string& v) {
    return v == "error" ? 3 : v == "fail" ? 2 : v == "flaky" ? 1 : 0;
  };
  std::string worst = "pass";
  for (const auto& c : cases)
    if (rank(c.verdict) > rank(worst)) worst = c.verdict;
  return worst;
}

std::string XmlEscape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = s[i];
    if (c >= 0x80) {
      // Well-formed UTF-8 passes; any other high byte (a console's stray
      // bytes) becomes '?', as XML must be well-formed text.
      size_t n = c >= 0xf0 && c < 0xf5   ? 4
                 : c >= 0xe0             ? 3
                 : c >= 0xc2 && c < 0xe0 ? 2
                                         : 0;
      bool ok = n > 0 && i + n <= s.size();
      for (size_t k = 1; ok && k < n; ++k)
        ok = (static_cast<unsigned char>(s[i + k]) & 0xc0) == 0x80;
      if (ok) {
        out.append(s, i, n);
        i += n - 1;
      } else {
        out += '?';
      }
      continue;
    }
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // XML 1.0 forbids most control characters; consoles carry them.
        if (c < 0x20 && c != '\n' && c != '\t' && c != '\r')
          out += '?';
        else
          out += static_cast<char>(c);
    }
  }
  return out;
}

// ---- JUnit -----------------------------------------------------------------

std::string JunitXml(const std::vector<Case>& cases) {
  int failures = 0, errors = 0;
  double total = 0;
  std::string body;
  for (const Case& c : cases) {
    double time = 0;
    for (const auto* r : c.reports)
      time += FirstRun(*r).value("duration_s", 0.0);
    total += time;
    body += "    <testcase name=\"" +
            XmlEscape(c.scenario + " seed=" + std::to_string(c.seed) +
                      " kernel=" + c.kernel) +
            "\" classname=\"swapbench." + XmlEscape(Slug(c.kernel)) + "." +
            XmlEscape(Slug(c.scenario)) + "\" time=\"" +
            StringPrintf("%.3f", time) + "\">\n";
    std::string out;
    for (size_t i = 0; i < c.reports.size(); ++i) {
      const auto& run = FirstRun(*c.reports[i]);
      std::string v = Str(run, "verdict");
      out += "attempt " + std::to_string(i + 1) + ": " + v + ", swap-out " +
             StringPrintf("%.2f", run.value("metrics", nlohmann::json::object())
                                      .value("swapout_mib_per_s", 0.0)) +
             " MiB/s, " + Str(*c.reports[i], "out_dir") + "\n";
      if (v == "pass") continue;
      std::string tag = c.verdict == "flaky"
                            ? (v == "error" ? "flakyError" : "flakyFailure")
                        : v == "error" ? "error"
                                       : "failure";
      // Only the first failed attempt of a failed case is the failure;
      // later ones are reruns.
      if (tag == "failure" || tag == "error") {
        bool first = true;
        for (size_t k = 0; k < i; ++k)
          first &= Str(FirstRun(*c.reports[k]), "verdict") == "pass";
        if (!first) tag = v == "error" ? "rerunError" : "rerunFailure";
      }
      std::string type =
          v == "error" ? "harness"
                       : (run.value("findings", nlohmann::json::array()).empty()
                              ? "unmet_expectation"
                              : Str(run["findings"][0], "kind"));
      body += "      <" + tag + " type=\"" + XmlEscape(type) + "\" message=\"" +
              XmlEscape(FirstProblem(run)) + "\">" + XmlEscape(Findings(run)) +
              "</" + tag + ">\n";
    }
    if (c.verdict == "fail") ++failures;
    if (c.verdict == "error") ++errors;
    char rate[64];
    snprintf(rate, sizeof(rate), "fail rate %d/%d\n", c.failed + c.errored,
             c.attempts);
    body += "      <system-out>" + XmlEscape(out + rate) + "</system-out>\n";
    body += "    </testcase>\n";
  }
  std::string n = std::to_string(cases.size());
  std::string head =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<testsuites name=\"swapbench\" tests=\"" +
      n + "\" failures=\"" + std::to_string(failures) + "\" errors=\"" +
      std::to_string(errors) + "\" time=\"" + StringPrintf("%.3f", total) +
      "\">\n"
      "  <testsuite name=\"swapbench\" tests=\"" +
      n + "\" failures=\"" + std::to_string(failures) + "\" errors=\"" +
      std::to_string(errors) + "\" skipped=\"0\" time=\"" +
      StringPrintf("%.3f", total) + "\">\n";
  return head + body + "  </testsuite>\n</testsuites>\n";
}

// ---- KCIDB -----------------------------------------------------------------

nlohmann::json KcidbJson(const std::vector<Case>& cases) {
  const std::string origin = "swapbench";
  nlohmann::json checkouts = nlohmann::json::array(),
                 builds = nlohmann::json::array(),
                 tests = nlohmann::json::array();
  std::map<std::string, bool> seen;
  for (const Case& c : cases) {
    // The kernel under test is a Debian package or a bzImage: one checkout
    // and one build per kernel release.
    std::string kid = Slug(c.kernel);
    if (!seen[kid]) {
      seen[kid] = true;
      checkouts.push_back(
          {{"id", origin + ":" + kid},
           {"origin", origin},
           {"comment", c.kernel_source.empty() ? c.kernel : c.kernel_source},
           {"valid", true}});
      builds.push_back({{"id", origin + ":" + kid},
                        {"checkout_id", origin + ":" + kid},
                        {"origin", origin},
                        {"architecture", "x86_64"},
                        {"comment", c.kernel},
                        {"status", "PASS"}});
    }
    for (size_t i = 0; i < c.reports.size(); ++i) {
      const auto& r = *c.reports[i];
      const auto& run = FirstRun(r);
      std::string v = Str(run, "verdict");
      std::string status = v == "pass"   ? "PASS"
                           : v == "fail" ? "FAIL"
                                         : "ERROR";
      nlohmann::json t = {
          {"id", origin + ":" + c.id + ".a" + std::to_string(i + 1)},
          {"build_id", origin + ":" + kid},
          {"origin", origin},
          {"path", "swapbench." + Slug(c.scenario)},
          {"status", status},
          {"duration", run.value("duration_s", 0.0)},
          {"comment", c.scenario + " seed " + std::to_string(c.seed) +
                          (c.description.empty() ? "" : ": " + c.description)},
          {"environment",
           {{"comment", "QEMU/" +
                            run.value("accel", nlohmann::json::object())
                                .value("name", std::string("?")) +
                            " guest, swap on " + c.swap_type}}},
          {"misc",
           {{"seed", c.seed},
            {"attempt", i + 1},
            {"case_verdict", c.verdict},
            {"fail_rate", c.fail_rate},
            {"swap_type", c.swap_type},
            {"out_dir", Str(r, "out_dir")}}}};
      std::string started = Str(run, "started_at");
      if (!started.empty()) t["start_time"] = started;
      if (v != "error")
        t["number"] = {{"value", run.value("metrics", nlohmann::json::object())
                                     .value("swapout_mib_per_s", 0.0)},
                       {"unit", "MiB/s"}};
      std::string excerpt = Findings(run);
      if (excerpt.size() > 16000) excerpt.resize(16000);
      if (!excerpt.empty()) t["log_excerpt"] = excerpt;
      tests.push_back(t);
    }
  }
  return {{"version", {{"major", 5}, {"minor", 3}}},
          {"checkouts", checkouts},
          {"builds", builds},
          {"tests", tests}};
}

// ---- KTAP ------------------------------------------------------------------

std::string Ktap(const std::vector<Case>& cases) {
  std::string out = "KTAP version 1\n1.." + std::to_string(cases.size()) + "\n";
  int pass = 0, fail = 0, flaky = 0, error = 0, n = 0;
  for (const Case& c : cases) {
    ++n;
    std::string desc = Slug(c.scenario) + "_seed" + std::to_string(c.seed) +
                       "_" + Slug(c.kernel);
    const auto& last = FirstRun(*c.reports.back());
    std::string line;
    if (c.verdict == "pass" || c.verdict == "flaky") {
      line = "ok " + std::to_string(n) + " " + desc;
      if (c.verdict == "flaky")
        line += " # flaky: failed " + std::to_string(c.failed + c.errored) +
                " of " + std::to_string(c.attempts);
      c.verdict == "pass" ? ++pass : ++flaky;
    } else {
      line = "not ok " + std::to_string(n) + " " + desc;
      std::string why = FirstProblem(last);
      std::replace(why.begin(), why.end(), '\n', ' ');
      std::replace(why.begin(), why.end(), '#', ' ');
      line += " # " + std::string(c.verdict == "error" ? "ERROR " : "") + why;
      c.verdict == "error" ? ++error : ++fail;
    }
    out += line + "\n";
  }
  out += "# totals: pass:" + std::to_string(pass) +
         " fail:" + std::to_string(fail) + " flaky:" + std::to_string(flaky) +
         " error:" + std::to_string(error) + " skip:0\n";
  return out;
}

// ---- HTML ------------------------------------------------------------------

std::string SvgChart(const std::string& title, const std::string& unit,
                     const nlohmann::json& t, const std::vector<Line>& lines,
                     double hline, const std::string& hline_name) {
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
       StringPrintf("%.0f s", tmin) + "</text>\n<text x=\"" +
       StringPrintf("%.0f", W - R) + "\" y=\"" + StringPrintf("%.0f", H - 8) +
       "\" class=\"tick\" text-anchor=\"end\">" + StringPrintf("%.0f s", tmax) +
       " (guest time)</text>\n";
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

namespace {

const char* kStyle = R"(<style>
body{font-family:sans-serif;margin:1.5em;color:#222;max-width:1200px}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:2em;border-top:1px solid #ccc;padding-top:.6em}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;font-size:.9em}
.pass{color:#070}.fail{color:#b00}.error{color:#a60}.flaky{color:#850}
pre{background:#f6f6f6;padding:.5em;overflow-x:auto;font-size:.8em}
.chart{border:1px solid #ddd;margin:4px;background:#fff}
.chart .axis{stroke:#888}.chart .limit{stroke:#b00;stroke-dasharray:4 3}
.chart text{font-size:11px}.chart .title{font-weight:bold}
</style>
)";

// The link's engine, impairments (per direction), phases, floods and what
// the guest's stack counted — the report.json `link` object as tables.
std::string LinkTables(const nlohmann::json& link) {
  std::string h;
  const auto& imps = link.value("impairments", nlohmann::json::array());
  const auto& phases = link.value("phases", nlohmann::json::array());
  const auto& floods = link.value("floods", nlohmann::json::array());
  std::string engine = link.value("engine", "relay");
  if (imps.empty() && phases.empty() && floods.empty() && engine == "relay")
    return h;
  h += "<h3>Link (" + XmlEscape(engine) +
       (link.value("seeded", true) ? "" : ", unseeded") + ")</h3>\n";
  auto num = [](const nlohmann::json& j, const char* k) {
    return j.contains(k) ? j[k].dump() : std::string("–");
  };
  if (!imps.empty()) {
    h +=
        "<table><tr><th>impairment</th><th>kind</th><th>direction</"
        "th><th>filter</th>"
        "<th>matched</th><th>dropped</th><th>queue drops</th><th>delayed</th>"
        "<th>mean delay "
        "ms</th><th>duplicated</th><th>corrupted</th><th>reordered</th></tr>\n";
    for (const auto& i : imps) {
      h += "<tr><td>" + XmlEscape(Str(i, "name")) + "</td><td>" +
           XmlEscape(Str(i, "kind")) + "</td><td>" +
           XmlEscape(Str(i, "direction")) + "</td><td>" +
           XmlEscape(Str(i, "filter")) + "</td>";
      for (const char* k :
           {"matched", "dropped", "queue_dropped", "delayed", "mean_delay_ms",
            "duplicated", "corrupted", "reordered"})
        h += "<td>" + num(i, k) + "</td>";
      h += "</tr>\n";
    }
    h += "</table>\n";
  }
  if (!phases.empty()) {
    h += "<table><tr><th>phase</th><th>dropped to guest</th><th>dropped to "
         "server</th></tr>\n";
    for (const auto& p : phases)
      h += "<tr><td>" + XmlEscape(Str(p, "name")) + "</td><td>" +
           num(p, "dropped_to_guest") + "</td><td>" +
           num(p, "dropped_to_server") + "</td></tr>\n";
    h += "</table>\n";
  }
  if (!floods.empty()) {
    h += "<table><tr><th>flood</th><th>kind</th><th>sent</th><th>delivered</"
         "th></tr>\n";
    for (const auto& f : floods)
      h += "<tr><td>" + XmlEscape(Str(f, "name")) + "</td><td>" +
           XmlEscape(Str(f, "kind")) + "</td><td>" + num(f, "sent") +
           "</td><td>" + num(f, "delivered") + "</td></tr>\n";
    h += "</table>\n";
  }
  for (const auto& s : link.value("netem", nlohmann::json::array()))
    h += "<p>guest netem on " + XmlEscape(Str(s, "dev")) + " (" +
         XmlEscape(Str(s, "direction")) + "): sent " + num(s, "sent_packets") +
         " packets, dropped " + num(s, "dropped") + "</p>\n";
  if (link.contains("guest")) {
    const auto& g = link["guest"];
    h += "<p>guest: eth0 rx " + num(g, "rx_packets") + " packets, " +
         num(g, "rx_dropped") + " dropped; UDP no port " +
         num(g, "udp_noports") + ", UDP rcvbuf errors " +
         num(g, "udp_rcvbuf_errors") + "; TCP checksum errors " +
         num(g, "tcp_csum_errors") + "; PFMemallocDrop " +
         num(g, "pfmemalloc_drop") + "; ICMP echo requests " +
         num(g, "icmp_in_echos") + "</p>\n";
  }
  return h;
}

std::string RunSection(const Case& c, size_t attempt, const nlohmann::json& r) {
  const auto& run = FirstRun(r);
  const auto& series = run.value("series", nlohmann::json::object());
  std::string v = Str(run, "verdict");
  std::string h = "<h2 id=\"" + XmlEscape(c.id) + ".a" +
                  std::to_string(attempt) + "\">" + XmlEscape(c.scenario) +
                  " — attempt " + std::to_string(attempt) +
                  " — <span class=\"" + v + "\">" + v + "</span></h2>\n";
  const auto& metrics = run.value("metrics", nlohmann::json::object());
  const auto& link = run.value("link", nlohmann::json::object());
  auto dir = [&](const char* d, const char* k) {
    return std::to_string(link.value(d, nlohmann::json::object()).value(k, 0));
  };
  h += "<table><tr><th>scenario</th><td>" + XmlEscape(Str(r, "scenario_path")) +
       " — " + XmlEscape(c.description) + "</td></tr><tr><th>seed</th><td>" +
       std::to_string(c.seed) + "</td></tr><tr><th>kernel</th><td>" +
       XmlEscape(c.kernel_source.empty() ? c.kernel : c.kernel_source) +
       "</td></tr><tr><th>swap</th><td>" + XmlEscape(c.swap_type) +
       ", swap-out " +
       StringPrintf("%.2f", metrics.value("swapout_mib_per_s", 0.0)) +
       " MiB/s, swap-in " +
       StringPrintf("%.2f", metrics.value("swapin_mib_per_s", 0.0)) +
       " MiB/s</td></tr><tr><th>link</th><td>to guest " +
       dir("to_guest", "frames") + " frames, " + dir("to_guest", "dropped") +
       " dropped; to server " + dir("to_server", "frames") + " frames, " +
       dir("to_server", "dropped") + " dropped</td></tr><tr><th>run</th><td>" +
       StringPrintf("%.1f s", run.value("duration_s", 0.0)) + ", started " +
       XmlEscape(Str(run, "started_at")) + ", " + XmlEscape(Str(r, "out_dir")) +
       "</td></tr></table>\n";
  if (!Str(run, "error").empty())
    h += "<p class=\"error\">harness error: " + XmlEscape(Str(run, "error")) +
         "</p>\n";
  const auto& findings = run.value("findings", nlohmann::json::array());
  if (!findings.empty()) {
    h += "<h3>Findings</h3>\n";
    for (const auto& f : findings) {
      h += "<p><b>" + XmlEscape(Str(f, "kind")) +
           "</b>: " + XmlEscape(Str(f, "title"));
      if (f.contains("console_lines"))
        h += " (console.log lines " + f["console_lines"][0].dump() + "–" +
             f["console_lines"][1].dump() + ")";
      h += "</p>\n";
      std::string ex = Str(f, "excerpt");
      if (f.contains("evidence"))
        for (const auto& e : f["evidence"])
          ex += (ex.empty() ? "" : "\n") + e.get<std::string>();
      if (!ex.empty()) h += "<pre>" + XmlEscape(ex) + "</pre>\n";
      if (f.contains("attachments") && !f["attachments"].empty()) {
        h += "<p>dumps:";
        for (const auto& a : f["attachments"]) {
          std::string file = Str(r, "out_dir") + "/" + a.get<std::string>();
          h += " <a href=\"file://" + XmlEscape(file) + "\">" +
               XmlEscape(a.get<std::string>()) + "</a>";
        }
        h += "</p>\n";
      }
    }
  }
  for (const auto& u : run.value("unmet_expectations", nlohmann::json::array()))
    h += "<p class=\"fail\">unmet: " + XmlEscape(u.get<std::string>()) +
         "</p>\n";
  h += LinkTables(link);
  if (series.contains("t") && !series["t"].empty()) {
    const auto& t = series["t"];
    h += "<div class=\"charts\">\n";
    h += SvgChart("swap", "MiB/s", t,
                  {{"swap-out", "#c33", &series["swapout_mib_s"]},
                   {"swap-in", "#36c", &series["swapin_mib_s"]}});
    double max = series["memory_max_mib"].is_number()
                     ? series["memory_max_mib"].get<double>()
                     : -1;
    h += SvgChart("memory.current", "MiB", t,
                  {{"memory.current", "#393", &series["memory_current_mib"]}},
                  max, "memory.max");
    h += SvgChart(
        "link", "frames/s", t,
        {{"to guest", "#36c", &series["to_guest_frames_s"]},
         {"to server", "#c33", &series["to_server_frames_s"]},
         {"dropped to guest", "#69f", &series["to_guest_dropped_s"]},
         {"dropped to server", "#f96", &series["to_server_dropped_s"]}});
    h += SvgChart("RPC retransmissions", "cumulative", t,
                  {{"rpc retrans", "#a3a", &series["rpc_retrans"]}});
    h += "</div>\n";
  }
  return h;
}

}  // namespace

std::string ReportHtml(const std::vector<Case>& cases) {
  const std::string verdict = SetVerdict(cases);
  std::string h =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<title>swapbench report</title>\n" +
      std::string(kStyle) + "</head><body>\n<h1>swapbench — <span class=\"" +
      verdict + "\">" + verdict + "</span></h1>\n";
  h += "<table><tr><th>case</th><th>kernel</th><th>seed</th><th>swap</th>"
       "<th>verdict</th><th>attempts</th><th>fail rate</th>"
       "<th>swap-out MiB/s (median)</th><th>first problem</th></tr>\n";
  for (const Case& c : cases) {
    std::string problem;
    for (const auto* r : c.reports)
      if (problem.empty()) problem = FirstProblem(FirstRun(*r));
    h += "<tr><td><a href=\"#" + XmlEscape(c.id) + ".a1\">" +
         XmlEscape(c.scenario) + "</a></td><td>" + XmlEscape(c.kernel) +
         "</td><td>" + std::to_string(c.seed) + "</td><td>" +
         XmlEscape(c.swap_type) + "</td><td class=\"" + c.verdict + "\">" +
         c.verdict + "</td><td>" + std::to_string(c.attempts) + "</td><td>" +
         StringPrintf("%.0f%%", c.fail_rate * 100) + "</td><td>" +
         (c.swapout.empty() ? "–" : StringPrintf("%.2f", Median(c.swapout))) +
         "</td><td>" + XmlEscape(problem) + "</td></tr>\n";
  }
  h += "</table>\n";
  for (const Case& c : cases)
    for (size_t i = 0; i < c.reports.size(); ++i)
      h += RunSection(c, i + 1, *c.reports[i]);
  return h + "</body></html>\n";
}

Status WriteFormats(const std::vector<nlohmann::json>& reports,
                    const std::string& dir) {
  std::vector<Case> cases = GroupCases(reports);
  Status s = WriteFile(dir + "/junit.xml", JunitXml(cases));
  if (s.ok())
    s = WriteFile(dir + "/kcidb.json", KcidbJson(cases).dump(1) + "\n");
  if (s.ok()) s = WriteFile(dir + "/ktap.txt", Ktap(cases));
  if (s.ok()) s = WriteFile(dir + "/report.html", ReportHtml(cases));
  return s.ok() ? s : s.Context("reports");
}

}  // namespace swapbench
