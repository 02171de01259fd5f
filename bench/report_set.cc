#include "bench/report_set.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "bench/text.h"

namespace swapbench {

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

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

namespace {

// "pages_verified 5110 != hog pages 16384" -> "pages_verified N != hog
// pages N": attempts that missed the same expectation by different amounts
// count together.
std::string WithoutNumbers(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (!isdigit(static_cast<unsigned char>(s[i]))) {
      out += s[i];
      continue;
    }
    out += 'N';
    while (i + 1 < s.size() &&
           (isdigit(static_cast<unsigned char>(s[i + 1])) || s[i + 1] == '.'))
      ++i;
  }
  return out;
}

// One attempt's verdict, finding kinds, signatures and unmet expectations
// into the case's counts (each at most once per attempt).
void CountAgreement(const nlohmann::json& run, const std::string& verdict,
                    Case* c) {
  ++c->verdicts[verdict];
  std::set<std::string> kinds, signatures, unmet;
  for (const auto& f : run.value("findings", nlohmann::json::array())) {
    if (!f.is_object()) continue;
    kinds.insert(Str(f, "kind"));
    if (std::string s = Str(f, "signature"); !s.empty()) signatures.insert(s);
  }
  for (const auto& u : run.value("unmet_expectations", nlohmann::json::array()))
    if (u.is_string()) unmet.insert(WithoutNumbers(u.get<std::string>()));
  for (const auto& k : kinds) ++c->finding_kinds[k];
  for (const auto& s : signatures) ++c->signatures[s];
  for (const auto& u : unmet) ++c->unmet[u];
}

// "a 3, b 1", most common first.
std::string Counts(const std::map<std::string, int>& m, int of,
                   bool quote = false) {
  std::vector<std::pair<std::string, int>> v(m.begin(), m.end());
  std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
    return a.second > b.second;
  });
  std::string out;
  for (const auto& [k, n] : v)
    out += (out.empty() ? "" : ", ") + (quote ? "\"" + k + "\"" : k) + " " +
           std::to_string(n) + (of ? "/" + std::to_string(of) : "");
  return out;
}

}  // namespace

nlohmann::json Agreement(const Case& c) {
  return {{"reproducibility", c.reproducibility},
          {"majority_verdict", c.majority_verdict},
          {"verdicts", c.verdicts},
          {"finding_kinds", c.finding_kinds},
          {"signatures", c.signatures},
          {"unmet_expectations", c.unmet}};
}

std::string AgreementLine(const Case& c) {
  std::string line = StringPrintf("reproducibility %.2f (", c.reproducibility) +
                     Counts(c.verdicts, 0) + ")";
  if (!c.finding_kinds.empty())
    line += "; findings " + Counts(c.finding_kinds, c.attempts);
  if (!c.unmet.empty()) line += "; unmet " + Counts(c.unmet, c.attempts, true);
  return line;
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
    CountAgreement(FirstRun(r), v.empty() ? "error" : v, &c);
    if (v == "pass")
      c.swapout.push_back(FirstRun(r)
                              .value("metrics", nlohmann::json::object())
                              .value("swapout_mib_per_s", 0.0));
  }
  for (Case& c : cases) {
    int most = 0;
    for (const char* v : {"error", "fail", "pass"})  // ties: the worse
      if (auto it = c.verdicts.find(v);
          it != c.verdicts.end() && it->second > most) {
        most = it->second;
        c.majority_verdict = v;
      }
    c.reproducibility = c.attempts ? double(most) / c.attempts : 0;
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
}  // namespace swapbench
