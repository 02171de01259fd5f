// swapbench: parses flags, runs subcommands, maps results to exit codes.
//   0 pass, 1 kernel finding or unmet expectation, 2 usage or scenario
//   error, 3 harness (infrastructure) failure or interruption.
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "bench/console_parser.h"
#include "bench/fs_util.h"
#include "bench/libvirt_vm.h"
#include "bench/runner.h"
#include "bench/scenario.h"
#include "bench/state.h"

namespace {

std::atomic<int> g_cancel{0};

// SIGINT/SIGTERM/SIGHUP are blocked in every thread and taken here, so the
// runner sees a flag and tears down in order instead of dying mid-way.
void StartSignalThread() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
  std::thread([set] {
    for (;;) {
      int sig = 0;
      if (sigwait(&set, &sig) != 0) continue;
      int prev = g_cancel.exchange(sig);
      fprintf(stderr, "swapbench: %s received, %s\n", strsignal(sig),
              prev ? "still tearing down" : "tearing down");
    }
  }).detach();
}

int ExitFor(const swapbench::Status& s) {
  fprintf(stderr, "swapbench: %s\n", s.message().c_str());
  return s.kind() == swapbench::Status::Kind::kUsage ? 2 : 3;
}

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* v = getenv(name);
  return v && *v ? v : fallback;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace swapbench;
  CLI::App app{
      "swapbench: fault-injection test bench for Linux swap over the network"};
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 pass, 1 finding or unmet expectation, 2 usage or scenario "
      "error, "
      "3 harness failure.");

  std::vector<std::string> scenario_paths;
  std::string out_dir, kernel, modules, kernel_config, kernel_package;
  std::optional<uint64_t> seed;
  std::string state_dir = EnvOr("SWAPBENCH_STATE", "/var/lib/swapbench");
  std::string cache_dir = EnvOr("SWAPBENCH_CACHE", "/var/cache/swapbench");
  auto* run = app.add_subcommand("run", "run a scenario in a real guest");
  run->add_option("scenarios", scenario_paths,
                  "scenario files (scenarios/*.toml), run one after another")
      ->required();
  run->add_option("--out", out_dir,
                  "report directory (default reports/runs/NAME-TIME)");
  run->add_option("--seed", seed, "override the scenario's seed");
  run->add_option("--kernel", kernel,
                  "kernel image (bzImage) instead of the scenario's");
  run->add_option("--modules", modules,
                  "lib/modules/RELEASE directory for --kernel");
  run->add_option("--kernel-config", kernel_config,
                  "kernel .config for --kernel");
  run->add_option("--kernel-package", kernel_package,
                  "Debian kernel package instead of the scenario's");
  run->add_option("--state", state_dir,
                  "state directory (libvirt root, run records)");
  run->add_option("--cache", cache_dir, "cache directory (kernels, images)");

  auto* reap = app.add_subcommand("reap",
                                  "tear down what killed runs left behind "
                                  "(each run also does this at start)");
  reap->add_option("--state", state_dir, "state directory");

  std::string console_log;
  bool console_json = false;
  auto* parse_console = app.add_subcommand(
      "parse-console",
      "classify a kernel console log (from this bench or elsewhere) and print "
      "the findings; exit 1 if there are any");
  parse_console->add_option("log", console_log, "console log file, - for stdin")
      ->required();
  parse_console->add_flag("--json", console_json,
                          "print a JSON object whose findings are shaped like "
                          "report.json's");

  std::vector<std::string> check_paths;
  auto* check =
      app.add_subcommand("check", "validate scenario files; touches nothing");
  check->add_option("scenarios", check_paths, "scenario files")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }

  if (parse_console->parsed()) {
    Result<std::string> text =
        ReadFile(console_log == "-" ? "/dev/stdin" : console_log);
    if (!text.ok())
      return ExitFor(Status::Usage(console_log + ": " + text.status().message()));
    ConsoleParser p;
    ParseConsoleText(*text, &p);
    if (console_json)
      printf("%s\n", ConsoleJson(console_log, p).dump(2).c_str());
    else
      printf("%s", ConsoleText(p).c_str());
    return p.findings().empty() ? 0 : 1;
  }

  if (check->parsed()) {
    int rc = 0;
    for (const auto& p : check_paths) {
      auto s = LoadScenario(p);
      if (!s.ok()) {
        fprintf(stderr, "%s\n", s.status().message().c_str());
        rc = 2;
      } else {
        printf("%s: ok (%s)\n", p.c_str(), s->name.c_str());
      }
    }
    return rc;
  }

  if (reap->parsed()) {
    if (geteuid() != 0) return ExitFor(Status::Harness("reap needs root"));
    auto lv = Libvirt::Open(state_dir + "/libvirt");
    if (!lv.ok()) return ExitFor(lv.status());
    auto lines =
        Reap(state_dir, [&](const std::string& d) { (*lv)->DestroyStale(d); });
    for (const auto& l : lines) printf("%s\n", l.c_str());
    printf("reaped %zu run(s)\n", lines.size());
    return 0;
  }

  // run: every scenario is validated before anything starts.
  std::vector<Scenario> scenarios;
  for (const auto& p : scenario_paths) {
    auto sc = LoadScenario(p);
    if (!sc.ok()) return ExitFor(sc.status());
    scenarios.push_back(std::move(*sc));
  }
  RunnerOptions o;
  if (!kernel.empty() || !modules.empty()) {
    if (kernel.empty() || modules.empty())
      return ExitFor(Status::Usage("--kernel and --modules go together"));
    o.kernel = KernelSpec{"", kernel, modules, kernel_config};
  } else if (!kernel_package.empty()) {
    o.kernel = KernelSpec{kernel_package, "", "", ""};
  }
  if (geteuid() != 0)
    return ExitFor(Status::Harness(
        "run needs root (network namespaces, TAP, libvirt as root)"));
  if (out_dir.empty()) {
    char ts[32];
    time_t now = time(nullptr);
    strftime(ts, sizeof(ts), "%Y%m%d-%H%M%S", localtime(&now));
    std::string name = scenarios.size() == 1 ? scenarios[0].name : "batch";
    out_dir =
        std::string(SWAPBENCH_SOURCE_DIR) + "/reports/runs/" + name + "-" + ts;
  }
  const std::string base =
      std::filesystem::absolute(out_dir).lexically_normal().string();
  o.seed = seed;
  o.state_dir = state_dir;
  o.cache_dir = cache_dir;
  o.agent_path = SWAPBENCH_AGENT;
  o.modules_list = std::string(SWAPBENCH_SOURCE_DIR) + "/images/modules.txt";
  o.binaries_list = std::string(SWAPBENCH_SOURCE_DIR) + "/images/binaries.txt";
  o.cancel = &g_cancel;
  StartSignalThread();

  // One scenario writes into --out itself; several write one directory each
  // under it, and a table compares them at the end.
  int rc = 0;
  std::vector<Report> reports;
  for (const Scenario& sc : scenarios) {
    if (g_cancel.load()) break;
    o.out_dir = scenarios.size() == 1 ? base : base + "/" + sc.name;
    RemoveRunFiles(o.out_dir);
    auto rep = RunScenario(sc, o);
    if (!rep.ok()) {
      rc = std::max(rc, ExitFor(rep.status()));
      continue;
    }
    printf("%s", Summary(*rep).c_str());
    printf("verdict: %s\n", rep->verdict.c_str());
    fflush(stdout);
    rc = std::max(rc, rep->verdict == "pass"   ? 0
                      : rep->verdict == "fail" ? 1
                                               : 3);
    reports.push_back(std::move(*rep));
  }
  if (scenarios.size() > 1) printf("\n%s", Comparison(reports).c_str());
  if (g_cancel.load()) rc = 3;
  return rc;
}
