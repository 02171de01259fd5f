#include "bench/telemetry.h"

#include <array>

#include "images/agent/protocol.h"

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
    // An event the host reads only with the types the agent writes: a torn
    // or hostile line must be garbage or lose the field, never make a
    // reader throw (found by telemetry_fuzzer: {"event": 1}).
    if (!j["event"].is_string()) {
      ++garbage_;
      return false;
    }
    static const std::pair<const char*,
                           bool (nlohmann::json::*)() const noexcept>
        kTyped[] = {{"t", &nlohmann::json::is_number},
                    {"seconds", &nlohmann::json::is_number},
                    {"pid", &nlohmann::json::is_number_integer},
                    {"pages", &nlohmann::json::is_number_integer},
                    {"code", &nlohmann::json::is_number_integer},
                    {"signal", &nlohmann::json::is_number_integer},
                    {"written", &nlohmann::json::is_number_integer},
                    {"verified", &nlohmann::json::is_number_integer},
                    {"corrupted", &nlohmann::json::is_number_integer},
                    {"status", &nlohmann::json::is_string},
                    {"device", &nlohmann::json::is_string},
                    {"step", &nlohmann::json::is_string},
                    {"error", &nlohmann::json::is_string},
                    {"detail", &nlohmann::json::is_string},
                    {"name", &nlohmann::json::is_string},
                    {"kind", &nlohmann::json::is_string},
                    {"cgroup", &nlohmann::json::is_string},
                    {"path", &nlohmann::json::is_string},
                    {"set", &nlohmann::json::is_string},
                    {"read", &nlohmann::json::is_string},
                    {"io_error", &nlohmann::json::is_string},
                    {"stressor", &nlohmann::json::is_string},
                    {"bytes", &nlohmann::json::is_number_integer},
                    {"written_bytes", &nlohmann::json::is_number_integer},
                    {"verified_bytes", &nlohmann::json::is_number_integer},
                    {"corrupted_bytes", &nlohmann::json::is_number_integer},
                    {"read_bytes", &nlohmann::json::is_number_integer},
                    {"passes", &nlohmann::json::is_number_integer},
                    {"write_seconds", &nlohmann::json::is_number},
                    {"write_mib_per_s", &nlohmann::json::is_number},
                    {"max_write_ms", &nlohmann::json::is_number}};
    for (const auto& [key, is] : kTyped) {
      auto it = j.find(key);
      if (it != j.end() && !((*it).*is)()) j.erase(it);
    }
    events_.push_back(std::move(j));
    return true;
  }
  using namespace protocol;
  if (auto c = j.find("cgroup"); c != j.end()) {
    if (!c->is_string()) {
      ++garbage_;
      return false;
    }
    CgroupSample cs;
    cs.cgroup = c->get<std::string>();
    if (j.contains("t") && j["t"].is_number()) cs.t = j["t"].get<double>();
    for (int f = 0; f < kCgroupFields; ++f) {
      auto it = j.find(kCgroupFieldNames[f]);
      cs.v[f] =
          it != j.end() && it->is_number_integer() ? it->get<int64_t>() : -1;
    }
    cgroup_samples_.push_back(std::move(cs));
    return true;
  }
  Sample s;
  if (j.contains("t") && j["t"].is_number()) s.t = j["t"].get<double>();
  if (j.contains("phase") && j["phase"].is_string()) s.phase = j["phase"];
  // Where each of the agent's sample fields goes (null: not kept).
  static const std::array<int64_t Sample::*, kSampleFields> kMembers = [] {
    std::array<int64_t Sample::*, kSampleFields> m{};
    m[kPswpin] = &Sample::pswpin;
    m[kPswpout] = &Sample::pswpout;
    m[kSwapTotalKib] = &Sample::swap_total_kib;
    m[kSwapFreeKib] = &Sample::swap_free_kib;
    m[kMemFreeKib] = &Sample::mem_free_kib;
    m[kVmOomKill] = &Sample::vm_oom_kill;
    m[kCgCurrent] = &Sample::cg_current;
    m[kCgOom] = &Sample::cg_oom;
    m[kCgOomKill] = &Sample::cg_oom_kill;
    m[kRpcCalls] = &Sample::rpc_calls;
    m[kRpcRetrans] = &Sample::rpc_retrans;
    m[kRxPackets] = &Sample::rx_packets;
    m[kRxDropped] = &Sample::rx_dropped;
    m[kUdpNoports] = &Sample::udp_noports;
    m[kUdpRcvbufErrors] = &Sample::udp_rcvbuf_errors;
    m[kTcpCsumErrors] = &Sample::tcp_csum_errors;
    m[kPfmemallocDrop] = &Sample::pfmemalloc_drop;
    m[kIcmpInEchos] = &Sample::icmp_in_echos;
    m[kHogPages] = &Sample::hog_pages;
    m[kHogWritten] = &Sample::hog_written;
    m[kHogVerified] = &Sample::hog_verified;
    m[kHogCorrupted] = &Sample::hog_corrupted;
    m[kWorkBytes] = &Sample::work_bytes;
    m[kNrDirty] = &Sample::nr_dirty;
    m[kNrWriteback] = &Sample::nr_writeback;
    m[kPgscan] = &Sample::pgscan;
    m[kPgsteal] = &Sample::pgsteal;
    return m;
  }();
  for (int f = 0; f < kSampleFields; ++f) {
    int64_t Sample::*member = kMembers[f];
    if (!member) continue;
    auto it = j.find(kSampleFieldNames[f]);
    if (it != j.end() && it->is_number_integer())
      s.*member = it->get<int64_t>();
  }
  samples_.push_back(s);
  return true;
}

const Sample* Telemetry::SampleAt(double t) const {
  const Sample* at = nullptr;
  for (const Sample& s : samples_)
    if (t >= 0 && s.t <= t) at = &s;
  return at;
}

std::vector<const nlohmann::json*> Telemetry::Events(
    const std::string& name) const {
  std::vector<const nlohmann::json*> out;
  for (const auto& e : events_)
    if (e.value("event", "") == name) out.push_back(&e);
  return out;
}

const nlohmann::json* Telemetry::Event(const std::string& name) const {
  for (const auto& e : events_)
    if (e.value("event", "") == name) return &e;
  return nullptr;
}

}  // namespace swapbench
