#include "bench/telemetry.h"

namespace swapbench {

bool Telemetry::Feed(const std::string& line) {
  if (line.empty()) return true;
  nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    ++garbage_;
    return false;
  }
  if (j.contains("event")) {
    events_.push_back(std::move(j));
    return true;
  }
  Sample s;
  auto get = [&](const char* k, int64_t* out) {
    auto it = j.find(k);
    if (it != j.end() && it->is_number_integer()) *out = it->get<int64_t>();
  };
  if (j.contains("t") && j["t"].is_number()) s.t = j["t"].get<double>();
  if (j.contains("phase") && j["phase"].is_string()) s.phase = j["phase"];
  get("pswpin", &s.pswpin);
  get("pswpout", &s.pswpout);
  get("swap_total_kib", &s.swap_total_kib);
  get("swap_free_kib", &s.swap_free_kib);
  get("mem_free_kib", &s.mem_free_kib);
  get("vm_oom_kill", &s.vm_oom_kill);
  get("cg_current", &s.cg_current);
  get("cg_oom", &s.cg_oom);
  get("cg_oom_kill", &s.cg_oom_kill);
  get("hog_pages", &s.hog_pages);
  get("hog_written", &s.hog_written);
  get("hog_verified", &s.hog_verified);
  get("hog_corrupted", &s.hog_corrupted);
  samples_.push_back(s);
  return true;
}

const nlohmann::json* Telemetry::Event(const std::string& name) const {
  for (const auto& e : events_)
    if (e.value("event", "") == name) return &e;
  return nullptr;
}

}  // namespace swapbench
