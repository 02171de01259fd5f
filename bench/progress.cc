#include "bench/progress.h"

#include <time.h>

#include <cstdio>

namespace swapbench {

std::string ProgressBoard::Line(const std::string& label, const Progress& p) {
  char buf[256];
  snprintf(buf, sizeof(buf),
           "%s: %s %.0fs swap-out %.1f MiB/s drops %llu/%llu findings %zu",
           label.c_str(), p.phase.c_str(), p.elapsed_s, p.swapout_mib_s,
           static_cast<unsigned long long>(p.dropped_to_guest),
           static_cast<unsigned long long>(p.dropped_to_server), p.findings);
  return buf;
}

void ProgressBoard::Redraw() {
  std::string all;
  for (const auto& [label, p] : live_)
    all += (all.empty() ? "" : " | ") + Line(label, p);
  if (all.size() > 230) all = all.substr(0, 227) + "...";
  fprintf(stderr, "\r\033[K%s", all.c_str());
  fflush(stderr);
}

void ProgressBoard::Update(const std::string& label, const Progress& p) {
  std::lock_guard<std::mutex> l(mu_);
  live_[label] = p;
  if (tty_) {
    Redraw();
    return;
  }
  auto it = printed_.find(label);
  if (it != printed_.end() && p.elapsed_s - it->second < 10) return;
  printed_[label] = p.elapsed_s;
  time_t now = time(nullptr);
  char ts[32];
  strftime(ts, sizeof(ts), "%H:%M:%S", localtime(&now));
  fprintf(stderr, "%s %s\n", ts, Line(label, p).c_str());
}

void ProgressBoard::Done(const std::string& label) {
  std::lock_guard<std::mutex> l(mu_);
  live_.erase(label);
  printed_.erase(label);
  if (tty_) fprintf(stderr, "\r\033[K");
}

void ProgressBoard::Clear() {
  std::lock_guard<std::mutex> l(mu_);
  if (tty_) fprintf(stderr, "\r\033[K");
}

}  // namespace swapbench
