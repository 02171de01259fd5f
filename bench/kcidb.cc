#include "bench/formats.h"
#include "bench/text.h"

namespace swapbench {

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
}  // namespace swapbench
