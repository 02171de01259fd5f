#include <string>

#include "bench/formats.h"
#include "bench/text.h"

namespace swapbench {

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
}  // namespace swapbench
