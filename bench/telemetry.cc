#include "bench/telemetry.h"

namespace swapbench {

bool Telemetry::Feed(const std::string& line) {
  if (line.empty()) return true;
  nlohmann::json j =
      nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    ++garbage_;
    return false;
  }
  if (j.contains("event")) {
    events_.push_back(std::move(j));
    return true;
  }
  Sample s;
  if (j.contains("t") && j["t"].is_number()) s.t = j["t"].get<double>();
  if (j.contains("phase") && j["phase"].is_string()) s.phase = j["phase"];
  static const std::pair<const char*, int64_t Sample::*> kFields[] = {
      {"pswpin", &Sample::pswpin},
      {"pswpout", &Sample::pswpout},
      {"swap_total_kib", &Sample::swap_total_kib},
      {"swap_free_kib", &Sample::swap_free_kib},
      {"mem_free_kib", &Sample::mem_free_kib},
      {"vm_oom_kill", &Sample::vm_oom_kill},
      {"cg_current", &Sample::cg_current},
      {"cg_oom", &Sample::cg_oom},
      {"cg_oom_kill", &Sample::cg_oom_kill},
      {"rpc_calls", &Sample::rpc_calls},
      {"rpc_retrans", &Sample::rpc_retrans},
      {"rx_packets", &Sample::rx_packets},
      {"rx_dropped", &Sample::rx_dropped},
      {"udp_noports", &Sample::udp_noports},
      {"udp_rcvbuf_errors", &Sample::udp_rcvbuf_errors},
      {"tcp_csum_errors", &Sample::tcp_csum_errors},
      {"pfmemalloc_drop", &Sample::pfmemalloc_drop},
      {"icmp_in_echos", &Sample::icmp_in_echos},
      {"hog_pages", &Sample::hog_pages},
      {"hog_written", &Sample::hog_written},
      {"hog_verified", &Sample::hog_verified},
      {"hog_corrupted", &Sample::hog_corrupted},
  };
  for (const auto& [key, member] : kFields) {
    auto it = j.find(key);
    if (it != j.end() && it->is_number_integer())
      s.*member = it->get<int64_t>();
  }
  samples_.push_back(s);
  return true;
}

const nlohmann::json* Telemetry::Event(const std::string& name) const {
  for (const auto& e : events_)
    if (e.value("event", "") == name) return &e;
  return nullptr;
}

}  // namespace swapbench
