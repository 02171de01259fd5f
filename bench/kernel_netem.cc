#include "bench/kernel_netem.h"

#include <cstdio>

#include "bench/text.h"

namespace swapbench {

namespace {
std::string Pct(double p) { return StringPrintf("%.4g%%", p * 100); }
std::string Ms(double ms) { return StringPrintf("%.6gms", ms); }
}  // namespace

std::string NetemArgs(const std::vector<ImpairmentConfig>& imps,
                      const std::string& direction) {
  std::string delay, loss, rate, dup, corrupt;
  for (const auto& c : imps) {
    if (c.direction != "both" && c.direction != direction) continue;
    if (c.kind == "delay") {
      delay = " delay " + Ms(c.delay_ms);
      if (c.jitter_ms > 0) {
        delay += " " + Ms(c.jitter_ms);
        if (c.correlation > 0) delay += " " + Pct(c.correlation);
        if (c.distribution != "uniform")
          delay += " distribution " + c.distribution;
      }
    } else if (c.kind == "loss" && c.model == "gemodel") {
      loss = " loss gemodel " + Pct(c.p) + " " + Pct(c.r) + " " +
             Pct(c.bad_loss) + " " + Pct(c.good_loss);
    } else if (c.kind == "loss") {
      loss = " loss random " + Pct(c.p);
    } else if (c.kind == "rate") {
      char b[32];
      snprintf(b, sizeof(b), " rate %.0fkbit", c.rate_kbit);
      rate = b;
    } else if (c.kind == "duplicate") {
      dup = " duplicate " + Pct(c.p);
    } else if (c.kind == "corrupt") {
      corrupt = " corrupt " + Pct(c.p);
    }
  }
  std::string s = delay + loss + dup + corrupt + rate;
  return s.empty() ? s : "limit 10000" + s;
}

}  // namespace swapbench
