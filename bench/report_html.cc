#include <algorithm>
#include <filesystem>
#include <map>

#include "bench/formats.h"
#include "bench/fs_util.h"
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
.charts{display:flex;flex-wrap:wrap}.chart{border:1px solid #ddd;margin:4px;background:#fff}
.chart .axis{stroke:#888}.chart .grid{stroke:#eee}.chart .limit{stroke:#b00;stroke-dasharray:4 3}
.chart text{font-size:11px;fill:#333}.chart .title{font-weight:bold;font-size:12px}
.chart .pt{fill:transparent}.chart .pt:hover{fill:#222}
.chart .marker line{stroke:#609;stroke-dasharray:2 2}.chart .marker path{fill:#609}
.finding{margin:.6em 0}.finding:target{background:#fff6d8}
pre.console{line-height:1.35}pre.console .ln{color:#999;user-select:none}
pre.console mark{background:#ffe27a;display:inline-block;width:100%}
.files a{margin-right:.8em}
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

// What the charts of one run share: its time axis, the spans of its
// faults, phases and floods, and its findings' markers.
struct ChartContext {
  const nlohmann::json* t;
  std::vector<Band> bands;
  std::vector<Marker> markers;
  Chart Make(std::string title, std::string unit, std::vector<Line> lines,
             double hline = -1, std::string hline_name = "") const {
    Chart c;
    c.title = std::move(title);
    c.unit = std::move(unit);
    c.t = t;
    c.lines = std::move(lines);
    c.hline = hline;
    c.hline_name = std::move(hline_name);
    c.bands = bands;
    c.markers = markers;
    return c;
  }
};

// The timeline's begin/end pairs as bands: runner faults (by scenario
// line), link phases and floods (by name). A span never ended runs to the
// chart's end.
std::vector<Band> BandsOf(const nlohmann::json& run) {
  std::vector<Band> bands;
  std::map<std::string, size_t> open;
  const auto& timeline = Member(run, "timeline");
  if (!timeline.is_array()) return bands;
  for (const auto& e : timeline) {
    const std::string ev = Str(e, "event"), source = Str(e, "source");
    const auto& guest_s = Member(e, "guest_s");
    if (!guest_s.is_number()) continue;
    const double g = guest_s.get<double>();
    const bool begin = ev.ends_with("_begin"), end = ev.ends_with("_end");
    if ((!begin && !end) || (source != "runner" && source != "link")) continue;
    const std::string what = ev.substr(0, ev.rfind('_'));
    const std::string kind = source == "runner" ? "fault" : what;
    const std::string label = source == "runner" ? what : Str(e, "name");
    const std::string key =
        kind + "/" + label + "/" + DumpJson(Member(e, "scenario_line"), -1);
    if (begin) {
      open[key] = bands.size();
      bands.push_back({g, -1, kind, label});
    } else if (auto it = open.find(key); it != open.end()) {
      bands[it->second].to = g;
      open.erase(it);
    }
  }
  return bands;
}

// When a finding happened in guest time: the kernel's timestamp, or the
// last telemetry sample before a stall; -1 if unknown.
double FindingTime(const nlohmann::json& f) {
  if (Member(f, "kernel_time_s").is_number())
    return f["kernel_time_s"].get<double>();
  const auto& last = Member(f, "last_sample");
  if (Member(last, "t").is_number()) return last["t"].get<double>();
  return -1;
}

std::vector<Marker> MarkersOf(const nlohmann::json& run,
                              const std::string& anchor) {
  std::vector<Marker> markers;
  const auto& findings = Member(run, "findings");
  if (!findings.is_array()) return markers;
  size_t i = 0;
  for (const auto& f : findings) {
    ++i;
    double t = FindingTime(f);
    if (t >= 0)
      markers.push_back({t, Str(f, "kind") + ": " + Str(f, "title"),
                         "#" + anchor + "-f" + std::to_string(i)});
  }
  return markers;
}

// memory.current per cgroup, and dirty / writeback pages.
std::string GuestCharts(const nlohmann::json& series, const ChartContext& cc) {
  static const char* kColors[] = {"#393", "#c33", "#36c", "#a3a",
                                  "#f96", "#69f", "#963", "#3aa"};
  std::string h;
  const auto& per = Member(series, "cgroup_current_mib");
  if (per.is_object() && per.size() > 1) {
    std::vector<Line> lines;
    size_t i = 0;
    for (const auto& [name, v] : per.items())
      lines.push_back({name, kColors[i++ % 8], &v});
    h += SvgChart(cc.Make("memory.current per cgroup", "MiB", lines));
  }
  if (!Member(series, "dirty_mib").empty())
    h += SvgChart(
        cc.Make("dirty and writeback", "MiB",
                {{"dirty", "#c33", &Member(series, "dirty_mib")},
                 {"writeback", "#36c", &Member(series, "writeback_mib")}}));
  return h;
}

// When each workload ran and how it ended, when the run has more than
// one (or one that is not the plain hog): green exited 0, red killed or
// failed, grey never finished.
std::string WorkloadTimeline(const nlohmann::json& run,
                             const ChartContext& cc) {
  const auto& workloads = Member(run, "workloads");
  if (!workloads.is_array() || workloads.empty() ||
      (workloads.size() == 1 && Str(workloads[0], "kind") == "hog"))
    return "";
  Timeline tl;
  tl.title = "workloads";
  tl.t = cc.t;
  tl.bands = cc.bands;
  tl.markers = cc.markers;
  for (const auto& w : workloads) {
    const std::string name = Str(w, "name");
    tl.rows.push_back(name);
    if (!Member(w, "start_s").is_number()) continue;
    const std::string status = Str(w, "status");
    const bool ended = Member(w, "end_s").is_number();
    const bool ok = status == "exited" && Member(w, "code") == 0;
    std::string label = status;
    if (Member(w, "code").is_number())
      label += " " + DumpJson(Member(w, "code"), -1);
    if (Member(w, "signal").is_number())
      label += " by signal " + DumpJson(Member(w, "signal"), -1);
    tl.spans.push_back({name, label,
                        !ended ? "#999"
                        : ok   ? "#393"
                               : "#c33",
                        w["start_s"].get<double>(),
                        ended ? w["end_s"].get<double>() : -1});
  }
  return SvgTimeline(tl);
}

std::string RunCharts(const nlohmann::json& run, const std::string& anchor) {
  const auto& series = run.value("series", nlohmann::json::object());
  const auto& t = Member(series, "t");
  if (t.empty()) return "";
  ChartContext cc{&t, BandsOf(run), MarkersOf(run, anchor)};
  std::string h = "<div class=\"charts\">\n";
  h +=
      SvgChart(cc.Make("swap", "MiB/s",
                       {{"swap-out", "#c33", &Member(series, "swapout_mib_s")},
                        {"swap-in", "#36c", &Member(series, "swapin_mib_s")}}));
  const auto& max = Member(series, "memory_max_mib");
  h += SvgChart(cc.Make(
      "memory.current", "MiB",
      {{"memory.current", "#393", &Member(series, "memory_current_mib")}},
      max.is_number() ? max.get<double>() : -1, "memory.max"));
  h += SvgChart(cc.Make(
      "link", "frames/s",
      {{"to guest", "#36c", &Member(series, "to_guest_frames_s")},
       {"to server", "#c33", &Member(series, "to_server_frames_s")},
       {"dropped to guest", "#69f", &Member(series, "to_guest_dropped_s")},
       {"dropped to server", "#f96", &Member(series, "to_server_dropped_s")}}));
  h += SvgChart(
      cc.Make("RPC retransmissions", "cumulative",
              {{"rpc retrans", "#a3a", &Member(series, "rpc_retrans")}}));
  h += GuestCharts(series, cc);
  h += WorkloadTimeline(run, cc);
  return h + "</div>\n";
}

// Lines [line - 20, line + 20] of console.log, numbered, the finding's
// own lines highlighted; "" when the console is not there to read.
std::string ConsoleExcerpt(const std::string& console, long first, long last) {
  if (console.empty() || first < 1) return "";
  if (last < first) last = first;
  const long from = std::max(1L, first - 20), to = last + 20;
  std::string h = "<pre class=\"console\">";
  long n = 1;
  size_t pos = 0;
  while (pos < console.size() && n <= to) {
    size_t nl = console.find('\n', pos);
    if (nl == std::string::npos) nl = console.size();
    if (n >= from) {
      std::string text =
          XmlEscape(console.substr(pos, std::min<size_t>(nl - pos, 400)));
      std::string ln = StringPrintf("<span class=\"ln\">%6ld </span>", n);
      h += n >= first && n <= last ? "<mark>" + ln + text + "</mark>\n"
                                   : ln + text + "\n";
    }
    pos = nl + 1;
    ++n;
  }
  return h + "</pre>\n";
}

// How a page in `html_dir` reaches `path`: relative when below it.
std::string Href(const std::string& path, const std::string& html_dir) {
  if (!html_dir.empty()) {
    std::error_code ec;
    auto rel = std::filesystem::relative(path, html_dir, ec);
    if (!ec && !rel.empty() && rel.native().rfind("..", 0) != 0)
      return XmlEscape(rel.string());
  }
  return "file://" + XmlEscape(path);
}

// The run directory's files, linked.
std::string FileLinks(const std::string& out_dir, const std::string& html_dir) {
  std::error_code ec;
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(out_dir, ec))
    if (e.is_regular_file(ec)) names.push_back(e.path().filename().string());
  if (names.empty()) return "";
  std::sort(names.begin(), names.end());
  std::string h = "<p class=\"files\">files:";
  for (const std::string& n : names)
    h += " <a href=\"" + Href(out_dir + "/" + n, html_dir) + "\">" +
         XmlEscape(n) + "</a>";
  return h + "</p>\n";
}

std::string Findings(const nlohmann::json& r, const nlohmann::json& run,
                     const std::string& anchor, const std::string& html_dir) {
  const auto& findings = run.value("findings", nlohmann::json::array());
  if (findings.empty()) return "";
  const std::string out_dir = Str(r, "out_dir");
  auto console = ReadFile(out_dir + "/console.log");
  std::string h = "<h3>Findings</h3>\n";
  size_t i = 0;
  for (const auto& f : findings) {
    h += "<div class=\"finding\" id=\"" + XmlEscape(anchor) + "-f" +
         std::to_string(++i) + "\"><p><b>" + XmlEscape(Str(f, "kind")) +
         "</b>: " + XmlEscape(Str(f, "title"));
    if (double t = FindingTime(f); t >= 0)
      h += StringPrintf(" — at %.1f s guest time", t);
    const auto& lines = Member(f, "console_lines");
    long first = -1, last = -1;
    if (lines.is_array() && lines.size() == 2 && lines[0].is_number()) {
      first = lines[0].get<long>();
      last = lines[1].is_number() ? lines[1].get<long>() : first;
      h += " (console.log lines " + std::to_string(first) + "–" +
           std::to_string(last) + ")";
    }
    h += "</p>\n";
    // The console around the finding's first line when the file is there,
    // else the lines the report kept.
    std::string around =
        console.ok()
            ? ConsoleExcerpt(*console, first, std::min(last, first + 40))
            : "";
    std::string ex = Str(f, "excerpt");
    if (f.contains("evidence"))
      for (const auto& e : f["evidence"])
        ex += (ex.empty() ? "" : "\n") + e.get<std::string>();
    if (!around.empty())
      h += around;
    else if (!ex.empty())
      h += "<pre>" + XmlEscape(ex) + "</pre>\n";
    if (f.contains("attachments") && !f["attachments"].empty()) {
      h += "<p>dumps:";
      for (const auto& a : f["attachments"])
        h += " <a href=\"" +
             Href(out_dir + "/" + a.get<std::string>(), html_dir) + "\">" +
             XmlEscape(a.get<std::string>()) + "</a>";
      h += "</p>\n";
    }
    h += "</div>\n";
  }
  return h;
}

std::string RunSection(const Case& c, size_t attempt, const nlohmann::json& r,
                       const std::string& html_dir) {
  const auto& run = FirstRun(r);
  const std::string anchor = c.id + ".a" + std::to_string(attempt);
  std::string v = Str(run, "verdict");
  std::string h = "<h2 id=\"" + XmlEscape(anchor) + "\">" +
                  XmlEscape(c.scenario) + " — attempt " +
                  std::to_string(attempt) + " — <span class=\"" + v + "\">" +
                  v + "</span></h2>\n";
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
  h += FileLinks(Str(r, "out_dir"), html_dir);
  if (!Str(run, "error").empty())
    h += "<p class=\"error\">harness error: " + XmlEscape(Str(run, "error")) +
         "</p>\n";
  h += Findings(r, run, anchor, html_dir);
  for (const auto& u : run.value("unmet_expectations", nlohmann::json::array()))
    h += "<p class=\"fail\">unmet: " + XmlEscape(u.get<std::string>()) +
         "</p>\n";
  h += LinkTables(link);
  h += GuestTables(run);
  h += RunCharts(run, anchor);
  return h;
}

}  // namespace

const char* ReportStyle() { return kStyle; }

std::string ReportHtml(const std::vector<Case>& cases,
                       const std::string& html_dir) {
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
      h += RunSection(c, i + 1, *c.reports[i], html_dir);
  return h + "</body></html>\n";
}
}  // namespace swapbench
