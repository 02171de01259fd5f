#include "bench/formats.h"

#include <gtest/gtest.h>

#include <regex>

#include "bench/fs_util.h"
#include "bench/json_schema_check.h"
#include "bench/process.h"
#include "bench/svg.h"
#include "bench/text.h"

namespace swapbench {
namespace {

const std::string kSchemas =
    std::string(SWAPBENCH_SOURCE_DIR) + "/reports/schemas";

nlohmann::json Report(const std::string& scenario, uint64_t seed,
                      const std::string& verdict, double mib_s,
                      const std::string& kernel = "6.1.0-54-amd64") {
  nlohmann::json run = {
      {"verdict", verdict},
      {"duration_s", 47.5},
      {"started_at", "2026-11-22T21:00:00Z"},
      {"accel", {{"name", "tcg"}}},
      {"swap", {{"type", "nfs4.1"}}},
      {"metrics", {{"swapout_mib_per_s", mib_s}, {"swapin_mib_per_s", 3.0}}},
      {"link",
       {{"to_guest", {{"frames", 10}, {"dropped", 1}}},
        {"to_server", {{"frames", 20}, {"dropped", 2}}}}},
      {"findings", nlohmann::json::array()},
      {"unmet_expectations", nlohmann::json::array()},
      {"series",
       {{"t", {1.0, 1.5, 2.0}},
        {"swapout_mib_s", {0.0, 4.0, 5.0}},
        {"swapin_mib_s", {0.0, 0.0, 1.0}},
        {"memory_current_mib", {40.0, 47.0, 48.0}},
        {"memory_max_mib", 48},
        {"to_guest_frames_s", {0.0, 100.0, 90.0}},
        {"to_guest_dropped_s", {0.0, 1.0, 0.0}},
        {"to_server_frames_s", {0.0, 200.0, 210.0}},
        {"to_server_dropped_s", {0.0, 0.0, 2.0}},
        {"rpc_retrans", {0, 0, 1}}}}};
  if (verdict == "fail")
    run["findings"].push_back(
        {{"kind", "memcg_oom_kill"},
         {"title", "memcg OOM kill of hog"},
         {"console_lines", {450, 450}},
         {"excerpt",
          "[ 11.6] Memory cgroup out of memory: Killed process 116 "
          "(hog) <&> \x1b[0m"}});
  if (verdict == "error") run["error"] = "storage: ganesha exited";
  return {{"schema", "swapbench.report/1"},
          {"scenario", scenario},
          {"scenario_path", "scenarios/" + scenario + ".toml"},
          {"seed", seed},
          {"kernel",
           {{"release", kernel}, {"source", "debian:linux-image-" + kernel}}},
          {"out_dir", "/tmp/x/" + scenario},
          {"runs", {run}}};
}

std::vector<nlohmann::json> Mixed() {
  return {Report("smoke", 1, "pass", 7.5), Report("memcg-oom", 3, "fail", 0),
          Report("loss5", 2, "fail", 1.0), Report("loss5", 2, "pass", 1.2),
          Report("smoke", 1, "error", 0, "6.1.0-53-amd64")};
}

TEST(FormatsTest, CasesGroupAttemptsAndDecideFlaky) {
  auto reports = Mixed();
  auto cases = GroupCases(reports);
  ASSERT_EQ(cases.size(), 4u);
  EXPECT_EQ(cases[0].verdict, "pass");
  EXPECT_EQ(cases[1].verdict, "fail");
  EXPECT_EQ(cases[2].verdict, "flaky");
  EXPECT_EQ(cases[2].attempts, 2);
  EXPECT_DOUBLE_EQ(cases[2].fail_rate, 0.5);
  EXPECT_EQ(cases[3].verdict, "error");
  EXPECT_EQ(SetVerdict(cases), "error");
  // A scenario may say that flaky is a failure.
  reports[2]["flaky_fails"] = true;
  EXPECT_EQ(GroupCases(reports)[2].verdict, "fail");
}

// "Is this scenario stable?": the attempts' verdicts and findings counted.
TEST(FormatsTest, CasesCountHowTheirAttemptsAgree) {
  std::vector<nlohmann::json> reports;
  for (int i = 0; i < 4; ++i) reports.push_back(Report("gs", 5, "fail", 0));
  reports.push_back(Report("gs", 5, "pass", 3));
  // Attempts 1-3 also printed the allocation failure; attempt 4 did not and
  // so missed the scenario's expectation. One signature twice in attempt 1
  // counts once.
  for (int i = 0; i < 3; ++i)
    reports[i]["runs"][0]["findings"].push_back(
        {{"kind", "alloc_failure"},
         {"signature", "alloc_failure:try_fill_recv"}});
  reports[0]["runs"][0]["findings"].push_back(
      {{"kind", "alloc_failure"},
       {"signature", "alloc_failure:try_fill_recv"}});
  reports[3]["runs"][0]["unmet_expectations"].push_back(
      "expected finding alloc_failure");
  // Missed by different amounts: one expectation.
  reports[0]["runs"][0]["unmet_expectations"].push_back(
      "pages_verified 5110 != hog pages 16384");
  reports[1]["runs"][0]["unmet_expectations"].push_back(
      "pages_verified 4646 != hog pages 16384");
  auto cases = GroupCases(reports);
  ASSERT_EQ(cases.size(), 1u);
  const Case& c = cases[0];
  EXPECT_EQ(c.majority_verdict, "fail");
  EXPECT_DOUBLE_EQ(c.reproducibility, 0.8);
  EXPECT_EQ(c.verdicts, (std::map<std::string, int>{{"fail", 4}, {"pass", 1}}));
  EXPECT_EQ(c.finding_kinds, (std::map<std::string, int>{
                                 {"alloc_failure", 3}, {"memcg_oom_kill", 4}}));
  EXPECT_EQ(c.signatures.at("alloc_failure:try_fill_recv"), 3);
  EXPECT_EQ(c.unmet.at("expected finding alloc_failure"), 1);
  EXPECT_EQ(c.unmet.at("pages_verified N != hog pages N"), 2);
  EXPECT_EQ(AgreementLine(c),
            "reproducibility 0.80 (fail 4, pass 1); findings memcg_oom_kill "
            "4/5, alloc_failure 3/5; unmet \"pages_verified N != hog pages N\" "
            "2/5, \"expected finding alloc_failure\" 1/5");
  nlohmann::json a = Agreement(c);
  EXPECT_EQ(a["reproducibility"], 0.8);
  EXPECT_EQ(a["verdicts"]["fail"], 4);
  EXPECT_EQ(a["finding_kinds"]["alloc_failure"], 3);
  // A tie goes to the worse verdict.
  reports.resize(2);
  reports[1] = Report("gs", 5, "pass", 3);
  EXPECT_EQ(GroupCases(reports)[0].majority_verdict, "fail");
  EXPECT_DOUBLE_EQ(GroupCases(reports)[0].reproducibility, 0.5);
}

TEST(FormatsTest, JunitValidatesAgainstTheXsd) {
  if (!Exists("/usr/bin/xmllint")) GTEST_SKIP() << "xmllint not installed";
  auto reports = Mixed();
  std::string xml = JunitXml(GroupCases(reports));
  std::string path = testing::TempDir() + "/junit.xml";
  ASSERT_TRUE(WriteFile(path, xml).ok());
  auto r = RunCommand(
      {"xmllint", "--noout", "--schema", kSchemas + "/junit-10.xsd", path});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 0) << r->output << xml;
  EXPECT_NE(xml.find("<failure type=\"memcg_oom_kill\""), std::string::npos);
  EXPECT_NE(xml.find("<flakyFailure"), std::string::npos);
  EXPECT_NE(xml.find("<error type=\"harness\""), std::string::npos);
  EXPECT_NE(xml.find("&lt;&amp;&gt; ?[0m"), std::string::npos);  // escaped
  EXPECT_NE(xml.find("tests=\"4\" failures=\"1\" errors=\"1\""),
            std::string::npos);
}

TEST(FormatsTest, KcidbMatchesTheSchema) {
  auto text = ReadFile(kSchemas + "/kcidb-v5.3.schema.json");
  ASSERT_TRUE(text.ok()) << text.status().message();
  nlohmann::json schema = nlohmann::json::parse(*text);
  auto reports = Mixed();
  nlohmann::json k = KcidbJson(GroupCases(reports));
  std::vector<std::string> errors;
  CheckSchema(schema, schema, k, "kcidb", &errors);
  EXPECT_TRUE(errors.empty()) << testing::PrintToString(errors);
  ASSERT_EQ(k["tests"].size(), 5u);      // one test per attempt
  EXPECT_EQ(k["checkouts"].size(), 2u);  // two kernels
  EXPECT_EQ(k["tests"][0]["status"], "PASS");
  EXPECT_EQ(k["tests"][0]["number"]["value"], 7.5);
  EXPECT_EQ(k["tests"][1]["status"], "FAIL");
  EXPECT_NE(k["tests"][1]["log_excerpt"].get<std::string>().find("memcg OOM"),
            std::string::npos);
  EXPECT_EQ(k["tests"][4]["status"], "ERROR");
  // The checker itself rejects what the schema forbids.
  k["tests"][0]["status"] = "GREEN";
  k["tests"][0]["colour"] = "green";
  k["builds"][0].erase("checkout_id");
  errors.clear();
  CheckSchema(schema, schema, k, "kcidb", &errors);
  EXPECT_EQ(errors.size(), 3u) << testing::PrintToString(errors);
}

TEST(FormatsTest, KtapLinesParse) {
  auto reports = Mixed();
  std::string ktap = Ktap(GroupCases(reports));
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < ktap.size()) {
    size_t nl = ktap.find('\n', start);
    lines.push_back(ktap.substr(start, nl - start));
    start = nl + 1;
  }
  ASSERT_EQ(lines.size(), 7u) << ktap;
  EXPECT_EQ(lines[0], "KTAP version 1");
  EXPECT_EQ(lines[1], "1..4");
  std::regex result(R"(^(ok|not ok) (\d+) [A-Za-z0-9_.-]+( # .*)?$)");
  for (int i = 2; i < 6; ++i) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(lines[i], m, result)) << lines[i];
    EXPECT_EQ(m[2].str(), std::to_string(i - 1));
  }
  EXPECT_EQ(lines[2].rfind("ok 1 smoke_seed1_6_1_0-54-amd64", 0), 0u)
      << lines[2];
  EXPECT_EQ(lines[3].rfind("not ok 2 ", 0), 0u);
  EXPECT_NE(lines[4].find("# flaky"), std::string::npos);
  EXPECT_NE(lines[5].find("# ERROR storage"), std::string::npos);
  EXPECT_EQ(lines[6], "# totals: pass:1 fail:1 flaky:1 error:1 skip:0");
}

TEST(FormatsTest, HtmlIsSelfContainedWithNonEmptyPlots) {
  auto reports = Mixed();
  std::string html = ReportHtml(GroupCases(reports));
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org/2000/svg"));
  EXPECT_EQ(html.find("https://"), std::string::npos);
  // Every series of the first run has a path with at least two points.
  std::regex path(
      R"re(data-series="([^"]+)"><path[^>]* d="( M[0-9.]+ [0-9.]+( L[0-9.]+ [0-9.]+)+)")re");
  int paths = 0;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), path);
       it != std::sregex_iterator(); ++it)
    ++paths;
  EXPECT_GE(paths, 8 * 5);  // 8 series per run, 5 runs
  EXPECT_NE(html.find("memcg OOM kill of hog"), std::string::npos);
  EXPECT_NE(html.find("class=\"limit\""), std::string::npos);  // memory.max
}

}  // namespace
}  // namespace swapbench

namespace swapbench {
namespace {

TEST(FormatsTest, XmlEscapeKeepsUtf8AndReplacesWhatXmlForbids) {
  EXPECT_EQ(XmlEscape("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&apos;");
  EXPECT_EQ(XmlEscape("min\xe2\x80\x93max \xe2\x86\x92"),
            "min\xe2\x80\x93max \xe2\x86\x92");
  EXPECT_EQ(XmlEscape("\x1b[0m\x01"), "?[0m?");
  EXPECT_EQ(XmlEscape("bad \xff\xe2\x80 end"), "bad ??? end");  // byte by byte
  EXPECT_EQ(XmlEscape("tab\tnl\n"), "tab\tnl\n");
}

}  // namespace
}  // namespace swapbench

namespace swapbench {
namespace {

TEST(FormatsTest, HtmlShowsTheLinkImpairmentsPhasesAndFloods) {
  nlohmann::json r = Report("link-phases", 15, "pass", 2.0);
  r["runs"][0]["link"]["engine"] = "relay";
  r["runs"][0]["link"]["impairments"] = {{{"name", "nfs<bursts>"},
                                          {"kind", "loss"},
                                          {"direction", "to_server"},
                                          {"filter", "tcp port 2049"},
                                          {"matched", 49483},
                                          {"dropped", 627}}};
  r["runs"][0]["link"]["phases"] = {{{"name", "partition"},
                                     {"dropped_to_guest", 5},
                                     {"dropped_to_server", 87}}};
  r["runs"][0]["link"]["floods"] = {{{"name", "udp-1"},
                                     {"kind", "udp"},
                                     {"sent", 120000},
                                     {"delivered", 119000}}};
  r["runs"][0]["link"]["guest"] = {{"udp_noports", 105881}};
  std::string html = ReportHtml(GroupCases({r}));
  EXPECT_NE(html.find("<h3>Link (relay)</h3>"), std::string::npos);
  EXPECT_NE(html.find("<td>nfs&lt;bursts&gt;</td><td>loss</td><td>to_server</"
                      "td><td>tcp port 2049</td><td>49483</td><td>627</td>"),
            std::string::npos);
  EXPECT_NE(html.find("<td>partition</td><td>5</td><td>87</td>"),
            std::string::npos);
  EXPECT_NE(
      html.find("<td>udp-1</td><td>udp</td><td>120000</td><td>119000</td>"),
      std::string::npos);
  EXPECT_NE(html.find("UDP no port 105881"), std::string::npos);
  // A plain run (no impairments, no floods) gets no link section.
  EXPECT_EQ(ReportHtml(GroupCases({Report("smoke", 1, "pass", 5.0)}))
                .find("<h3>Link"),
            std::string::npos);
}

}  // namespace
}  // namespace swapbench
