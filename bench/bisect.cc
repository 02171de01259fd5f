#include "bench/bisect.h"

#include <apt-pkg/debversion.h>

#include <algorithm>
#include <regex>
#include <set>
#include <sstream>

#include "bench/campaign.h"
#include "bench/process.h"
#include "bench/report_reader.h"
#include "bench/text.h"

namespace swapbench {

std::string DebPackage::Upstream() const {
  std::string v = version;
  if (size_t colon = v.find(':'); colon != std::string::npos)
    v.erase(0, colon + 1);
  if (size_t dash = v.rfind('-'); dash != std::string::npos) v.resize(dash);
  return v;
}

int CompareDebianVersions(const std::string& a, const std::string& b) {
  return debVS.CmpVersion(a, b);
}

std::string KernelFlavour(const std::string& package) {
  // linux-image-6.1.0-54-amd64, linux-image-6.12.117+deb12-cloud-amd64
  static const std::regex re(
      R"(^linux-image-[0-9]+\.[0-9]+(\.[0-9]+)*(-[0-9]+|\+deb[0-9]+)-([a-z0-9][a-z0-9-]*)$)");
  std::smatch m;
  if (package.size() > 200 || !std::regex_match(package, m, re)) return "";
  return m[3].str();
}

Result<std::vector<DebPackage>> BisectRange(const std::vector<DebPackage>& all,
                                            const std::string& old_pkg,
                                            const std::string& new_pkg) {
  auto find = [&](const std::string& name) -> const DebPackage* {
    for (const auto& p : all)
      if (p.name == name) return &p;
    return nullptr;
  };
  const DebPackage* o = find(old_pkg);
  const DebPackage* n = find(new_pkg);
  for (const auto& [flag, name, p] :
       {std::tuple{"--old", old_pkg, o}, std::tuple{"--new", new_pkg, n}})
    if (!p)
      return Status::Usage(std::string(flag) + " " + name +
                           ": not a kernel image package apt knows (apt-cache "
                           "pkgnames linux-image- lists them)");
  const std::string flavour = KernelFlavour(o->name);
  if (KernelFlavour(n->name) != flavour)
    return Status::Usage("--old " + o->name + " and --new " + n->name +
                         " are different flavours (" + flavour + ", " +
                         KernelFlavour(n->name) + ")");
  if (CompareDebianVersions(o->version, n->version) >= 0)
    return Status::Usage("--new " + n->name + " (" + n->version +
                         ") is not newer than --old " + o->name + " (" +
                         o->version + ")");
  std::vector<DebPackage> range;
  std::set<std::string> names;
  for (const auto& p : all)
    if (KernelFlavour(p.name) == flavour &&
        CompareDebianVersions(p.version, o->version) >= 0 &&
        CompareDebianVersions(p.version, n->version) <= 0 &&
        names.insert(p.name).second)
      range.push_back(p);
  std::stable_sort(range.begin(), range.end(),
                   [](const auto& a, const auto& b) {
                     return CompareDebianVersions(a.version, b.version) < 0;
                   });
  return range;
}

namespace {

// "Package: x\nVersion: y\n\n..." (apt-cache show) into packages.
std::vector<DebPackage> ParseAptShow(const std::string& text) {
  std::vector<DebPackage> out;
  std::istringstream in(text);
  std::string line;
  DebPackage p;
  auto flush = [&] {
    if (!p.name.empty() && !p.version.empty()) out.push_back(p);
    p = {};
  };
  while (std::getline(in, line)) {
    if (line.empty()) flush();
    if (line.rfind("Package: ", 0) == 0) p.name = line.substr(9);
    if (line.rfind("Version: ", 0) == 0) p.version = line.substr(9);
  }
  flush();
  return out;
}

}  // namespace

Result<std::vector<DebPackage>> AptKernelPackages() {
  auto names = RunCommand({"apt-cache", "pkgnames", "linux-image-"}, 120);
  if (!names.ok()) return names.status();
  std::vector<std::string> argv = {"apt-cache", "show", "--no-all-versions"};
  std::istringstream in(names->output);
  std::string name;
  while (std::getline(in, name))
    if (!KernelFlavour(name).empty()) argv.push_back(name);
  if (argv.size() == 3)
    return Status::Harness(
        "apt knows no linux-image packages (run apt-get update)");
  auto show = RunCommand(argv, 120);
  if (!show.ok()) return show.status();
  return ParseAptShow(show->output);
}

namespace {

// The step's call from its attempts; harness errors are left out.
std::string Call(const StepResult& r) {
  int pass = 0, fail = 0;
  for (const auto& v : r.verdicts) {
    pass += v == "pass" || v == "flaky";
    fail += v == "fail";
  }
  if (pass + fail == 0) return "error";
  if (pass && fail) return "flaky";
  return pass ? "pass" : "fail";
}

std::string Other(const std::string& v) {
  return v == "pass" ? "fail" : "pass";
}

// "pass fail pass"
std::string Words(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : " ") + s;
  return out;
}

std::string OrDash(const std::string& s) { return s.empty() ? "-" : s; }

class Search {
 public:
  Search(const std::vector<DebPackage>& p, FlakyRule rule,
         const StepRunner& run)
      : rule_(rule), run_(run) {
    r_.packages = p;
  }

  Result<BisectResult> Go() {
    const int n = static_cast<int>(r_.packages.size());
    if (n < 2)
      return Status::Usage("bisect needs at least two packages (old and new)");
    auto old_call = Endpoint(0, "old");
    if (!old_call.ok()) return old_call.status();
    if (!r_.outcome.empty()) return r_;
    auto new_call = Endpoint(n - 1, "new");
    if (!new_call.ok()) return new_call.status();
    if (!r_.outcome.empty()) return r_;
    old_ = *old_call;
    if (*new_call == old_) {
      r_.outcome = "agree";
      r_.why = "old and new both " + old_;
      return r_;
    }
    r_.kind = old_ == "pass" ? "regression" : "fix";
    int lo = 0, hi = n - 1;
    std::set<int> skipped;
    for (;;) {
      int mid = Pick(lo, hi, skipped);
      if (mid < 0) break;
      auto counted = Step(mid);
      if (!counted.ok()) return counted.status();
      if (*counted == "skip")
        skipped.insert(mid);
      else if (*counted == old_)
        lo = mid;
      else
        hi = mid;
    }
    r_.last_same = lo;
    r_.first_diff = hi;
    if (hi - lo == 1) {
      r_.outcome = "found";
    } else {
      r_.outcome = "inconclusive";
      r_.why = "skipped steps leave " + r_.packages[lo + 1].name + " .. " +
               r_.packages[hi].name + " untested between them";
    }
    return r_;
  }

 private:
  // The untested package nearest the middle of (lo, hi), or -1.
  static int Pick(int lo, int hi, const std::set<int>& skipped) {
    int best = -1;
    const double middle = (lo + hi) / 2.0;
    for (int i = lo + 1; i < hi; ++i)
      if (!skipped.count(i) &&
          (best < 0 || std::abs(i - middle) < std::abs(best - middle)))
        best = i;
    return best;
  }

  Result<std::string> Step(int i) {
    BisectStep s;
    s.index = i;
    const DebPackage& p = r_.packages[i];
    auto res =
        run_(p, StringPrintf("%02zu.%s", r_.steps.size() + 1, p.name.c_str()));
    if (!res.ok()) return res.status();
    s.result = *res;
    s.call = Call(s.result);
    s.counted = s.call == "error"          ? "skip"
                : s.call != "flaky"        ? s.call
                : rule_ == FlakyRule::kOld ? old_
                : rule_ == FlakyRule::kNew ? Other(old_)
                                           : "skip";
    r_.steps.push_back(s);
    return s.counted;
  }

  // An endpoint must be decisive: its call, or the outcome inconclusive.
  Result<std::string> Endpoint(int i, const std::string& which) {
    auto counted = Step(i);
    if (!counted.ok()) return counted.status();
    const BisectStep& s = r_.steps.back();
    if (s.call == "pass" || s.call == "fail") return s.call;
    r_.outcome = "inconclusive";
    r_.why = which + " endpoint " + r_.packages[i].name + " was " + s.call +
             " (" + Words(s.result.verdicts) +
             "): give another endpoint, or raise --repeat";
    return std::string();
  }

  BisectResult r_;
  const FlakyRule rule_;
  const StepRunner& run_;
  std::string old_;
};

nlohmann::json PackageJson(const DebPackage& p) {
  return {
      {"package", p.name}, {"version", p.version}, {"upstream", p.Upstream()}};
}

}  // namespace

Result<BisectResult> Bisect(const std::vector<DebPackage>& packages,
                            FlakyRule rule, const StepRunner& run) {
  return Search(packages, rule, run).Go();
}

std::string BisectText(const BisectResult& r) {
  std::string out =
      StringPrintf("%-4s %-42s %-12s %-22s %-12s %s\n", "step", "package",
                   "upstream", "attempts", "call", "findings");
  for (size_t i = 0; i < r.steps.size(); ++i) {
    const BisectStep& s = r.steps[i];
    const DebPackage& p = r.packages[s.index];
    std::string call =
        s.call == s.counted ? s.call : s.call + " (as " + s.counted + ")";
    out += StringPrintf("%-4zu %-42s %-12s %-22s %-12s %s\n", i + 1,
                        p.name.c_str(), p.Upstream().c_str(),
                        OrDash(Words(s.result.verdicts)).c_str(), call.c_str(),
                        OrDash(Words(s.result.findings)).c_str());
  }
  auto named = [&](int i) {
    return r.packages[i].name + " (" + r.packages[i].Upstream() + ")";
  };
  if (r.outcome == "found") {
    bool regression = r.kind == "regression";
    out += StringPrintf("%s: first %s package %s\n", r.kind.c_str(),
                        regression ? "failing" : "passing",
                        named(r.first_diff).c_str());
    out += "  last " + std::string(regression ? "passing" : "failing") +
           " before it: " + named(r.last_same) + "\n";
    if (r.first_diff + 1 < static_cast<int>(r.packages.size()))
      out += "  next after it: " + named(r.first_diff + 1) + "\n";
  } else {
    out += r.outcome + ": " + r.why + "\n";
  }
  return out;
}

nlohmann::json BisectJson(const BisectResult& r) {
  nlohmann::json steps = nlohmann::json::array();
  for (const BisectStep& s : r.steps) {
    nlohmann::json j = PackageJson(r.packages[s.index]);
    j["attempts"] = s.result.verdicts;
    j["findings"] = s.result.findings;
    j["call"] = s.call;
    j["counted_as"] = s.counted;
    steps.push_back(std::move(j));
  }
  nlohmann::json packages = nlohmann::json::array();
  for (const auto& p : r.packages) packages.push_back(PackageJson(p));
  nlohmann::json j = {{"schema", "swapbench.bisect/1"},
                      {"outcome", r.outcome},
                      {"packages", packages},
                      {"steps", steps}};
  if (!r.kind.empty()) j["kind"] = r.kind;
  if (!r.why.empty()) j["why"] = r.why;
  if (r.outcome == "found") {
    j["first_differing"] = PackageJson(r.packages[r.first_diff]);
    j["last_agreeing"] = PackageJson(r.packages[r.last_same]);
    if (r.first_diff + 1 < static_cast<int>(r.packages.size()))
      j["next"] = PackageJson(r.packages[r.first_diff + 1]);
  }
  return j;
}

int BisectExit(const BisectResult& r) {
  return r.outcome == "found" ? 0 : r.outcome == "agree" ? 1 : 3;
}

}  // namespace swapbench

namespace swapbench {

StepRunner CampaignSteps(const Scenario& scenario, int repeat,
                         const std::string& out, const RunnerOptions& ro) {
  return
      [&scenario, repeat, out, ro](
          const DebPackage& p, const std::string& dir) -> Result<StepResult> {
        CampaignOptions c;
        c.scenarios = {scenario};
        c.kernels = {KernelSpec{p.name, "", "", "", ""}};
        c.repeat = repeat;
        c.out_dir = out + "/" + dir;
        c.runner = ro;
        fprintf(stderr, "bisect: %s (%s), %d attempt(s)\n", p.name.c_str(),
                p.Upstream().c_str(), repeat);
        (void)RunCampaign(c);  // the verdicts are read back below
        if (ro.cancel && ro.cancel->load())
          return Status::Cancelled("bisect interrupted");
        StepResult r;
        auto reports = LoadReportSet(c.out_dir);
        if (!reports.ok()) return r;  // nothing ran: every attempt an error
        std::set<std::string> kinds;
        for (const auto& rep : *reports) {
          r.verdicts.push_back(rep.value("verdict", "error"));
          for (const auto& run : rep["runs"])
            for (const auto& f : run["findings"])
              kinds.insert(f.value("kind", ""));
        }
        while (static_cast<int>(r.verdicts.size()) < repeat)
          r.verdicts.push_back("error");  // an attempt that left no report
        r.findings.assign(kinds.begin(), kinds.end());
        return r;
      };
}

}  // namespace swapbench
