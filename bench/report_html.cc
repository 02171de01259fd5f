#include "bench/formats.h"
#include "bench/svg.h"
#include "bench/text.h"

namespace swapbench {

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
    return j.contains(k) ? DumpJson(j[k], -1) : std::string("–");
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

// o[key], or null when o has no such key (const operator[] on a missing key
// is undefined behaviour in nlohmann::json: found by report_fuzzer).
const nlohmann::json& Member(const nlohmann::json& o, const char* key) {
  static const nlohmann::json null;
  auto it = o.is_object() ? o.find(key) : o.end();
  return o.is_object() && it != o.end() ? *it : null;
}

// The NIC under test: what its driver said of itself and its counters.
std::string NicTable(const nlohmann::json& nic) {
  if (!nic.is_object() || !nic.contains("driver")) return "";
  const auto& c = Member(nic, "counters");
  auto count = [&](const char* k) {
    const auto& v = Member(c, k);
    return v.is_number() ? DumpJson(v, -1) : std::string("—");
  };
  const auto& fails = Member(nic, "alloc_failures");
  std::string h =
      "<h3>NIC</h3>\n<table><tr><th>model</th><th>driver</th><th>version</th>"
      "<th>PCI ID</th><th>MTU</th><th>queues</th><th>rx packets</th>"
      "<th>rx dropped</th><th>rx missed</th><th>rx buffer alloc "
      "failures</th></tr>\n<tr>";
  for (const std::string& cell :
       {Str(nic, "model") + (nic.contains("device")
                                 ? " — " + Str(nic, "device")
                                 : " " + Str(nic, "hostdev")),
        Str(nic, "driver"), Str(nic, "version"), Str(nic, "pci_id"),
        DumpJson(Member(nic, "mtu"), -1), DumpJson(Member(nic, "queues"), -1),
        count("rx_packets"), count("rx_dropped"), count("rx_missed_errors"),
        fails.is_number() ? DumpJson(fails, -1)
                          : std::string("not counted by the driver")})
    h += "<td>" + XmlEscape(cell) + "</td>";
  return h + "</tr></table>\n";
}

// The workloads' outcomes and the knobs as read back.
std::string GuestTables(const nlohmann::json& run) {
  std::string h = NicTable(Member(run, "nic"));
  const auto& workloads = run.value("workloads", nlohmann::json::array());
  if (workloads.size() > 1 ||
      (workloads.size() == 1 && Str(workloads[0], "kind") != "hog")) {
    h += "<h3>Workloads</h3>\n<table><tr><th>workload</th><th>kind</th>"
         "<th>cgroup</th><th>status</th><th>seconds</th><th>result</th></tr>\n";
    for (const auto& w : workloads) {
      std::string status = Str(w, "status");
      if (w.contains("code")) status += " " + DumpJson(w["code"], -1);
      if (w.contains("signal"))
        status += " by signal " + DumpJson(w["signal"], -1);
      std::string result;
      if (w.contains("write_mib_per_s"))
        result = StringPrintf("%.2f MiB/s written, ",
                              w.value("write_mib_per_s", 0.0)) +
                 std::to_string(w.value("verified_bytes", 0LL) >> 20) +
                 " MiB verified, " +
                 std::to_string(w.value("corrupted_bytes", 0LL)) +
                 " bytes corrupted";
      else if (w.contains("read_bytes"))
        result = std::to_string(w.value("read_bytes", 0LL) >> 20) +
                 " MiB read in " + std::to_string(w.value("passes", 0)) +
                 " passes";
      else if (w.contains("pages"))
        result = std::to_string(w.value("verified", 0LL)) + "/" +
                 std::to_string(w.value("pages", 0LL)) + " pages verified";
      for (const auto& m : w.value("metrics", nlohmann::json::array()))
        result += Str(m, "stressor") + " " +
                  StringPrintf("%.1f", m.value("bogo_ops_per_s", 0.0)) +
                  " bogo ops/s ";
      h += "<tr><td>" + XmlEscape(Str(w, "name")) + "</td><td>" +
           XmlEscape(Str(w, "kind")) + "</td><td>" +
           XmlEscape(Str(w, "cgroup")) + "</td><td>" + XmlEscape(status) +
           "</td><td>" + StringPrintf("%.1f", w.value("seconds", 0.0)) +
           "</td><td>" + XmlEscape(result) + "</td></tr>\n";
    }
    h += "</table>\n";
  }
  const auto& knobs = run.value("knobs", nlohmann::json::object());
  std::string rows;
  for (const char* kind : {"sysctl", "sysfs"}) {
    const nlohmann::json of_kind = knobs.value(kind, nlohmann::json::object());
    for (const auto& [name, k] : of_kind.items())
      rows += "<tr><td>" + std::string(kind) + "</td><td>" + XmlEscape(name) +
              "</td><td>" + XmlEscape(Str(k, "set")) + "</td><td>" +
              XmlEscape(Str(k, "read")) + "</td></tr>\n";
  }
  if (!rows.empty())
    h += "<h3>Guest knobs</h3>\n<table><tr><th></th><th>knob</th><th>set</th>"
         "<th>read back</th></tr>\n" +
         rows + "</table>\n";
  return h;
}

// memory.current per cgroup, and dirty / writeback pages.
std::string GuestCharts(const nlohmann::json& series, const nlohmann::json& t) {
  static const char* kColors[] = {"#393", "#c33", "#36c", "#a3a",
                                  "#f96", "#69f", "#963", "#3aa"};
  std::string h;
  const auto& per = Member(series, "cgroup_current_mib");
  if (per.is_object() && per.size() > 1) {
    std::vector<Line> lines;
    size_t i = 0;
    for (const auto& [name, v] : per.items())
      lines.push_back({name, kColors[i++ % 8], &v});
    h += SvgChart("memory.current per cgroup", "MiB", t, lines);
  }
  if (!Member(series, "dirty_mib").empty())
    h += SvgChart("dirty and writeback", "MiB", t,
                  {{"dirty", "#c33", &Member(series, "dirty_mib")},
                   {"writeback", "#36c", &Member(series, "writeback_mib")}});
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
        h += " (console.log lines " + DumpJson(f["console_lines"][0], -1) +
             "–" + DumpJson(f["console_lines"][1], -1) + ")";
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
  h += GuestTables(run);
  if (!Member(series, "t").empty()) {
    const auto& t = Member(series, "t");
    h += "<div class=\"charts\">\n";
    h += SvgChart("swap", "MiB/s", t,
                  {{"swap-out", "#c33", &Member(series, "swapout_mib_s")},
                   {"swap-in", "#36c", &Member(series, "swapin_mib_s")}});
    double max = Member(series, "memory_max_mib").is_number()
                     ? Member(series, "memory_max_mib").get<double>()
                     : -1;
    h += SvgChart(
        "memory.current", "MiB", t,
        {{"memory.current", "#393", &Member(series, "memory_current_mib")}},
        max, "memory.max");
    h += SvgChart(
        "link", "frames/s", t,
        {{"to guest", "#36c", &Member(series, "to_guest_frames_s")},
         {"to server", "#c33", &Member(series, "to_server_frames_s")},
         {"dropped to guest", "#69f", &Member(series, "to_guest_dropped_s")},
         {"dropped to server", "#f96",
          &Member(series, "to_server_dropped_s")}});
    h += SvgChart("RPC retransmissions", "cumulative", t,
                  {{"rpc retrans", "#a3a", &Member(series, "rpc_retrans")}});
    h += GuestCharts(series, t);
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
       "<th>swap-out MiB/s (median)</th><th>first problem</th>"
       "<th>agreement over attempts</th></tr>\n";
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
         "</td><td>" + XmlEscape(problem) + "</td><td>" +
         (c.attempts > 1 ? XmlEscape(AgreementLine(c)) : "–") + "</td></tr>\n";
  }
  h += "</table>\n";
  for (const Case& c : cases)
    for (size_t i = 0; i < c.reports.size(); ++i)
      h += RunSection(c, i + 1, *c.reports[i]);
  return h + "</body></html>\n";
}
}  // namespace swapbench
