#include "bench/formats.h"
#include "bench/text.h"

namespace swapbench {

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
}  // namespace swapbench
