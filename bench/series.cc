#include "bench/series.h"

#include <cmath>
#include <map>

namespace swapbench {

namespace {

double R3(double v) { return std::round(v * 1000) / 1000; }

nlohmann::json Mib(int64_t bytes) {
  return bytes >= 0 ? nlohmann::json(R3(bytes / double(1 << 20)))
                    : nlohmann::json();
}

// Per cgroup, a field of its sample taken in the same tick as each of
// `at` (the agent writes a tick's cgroup lines right after its sample).
nlohmann::json PerCgroup(const std::vector<CgroupSample>& cs,
                         const std::vector<const Sample*>& at,
                         protocol::CgroupField field) {
  std::map<std::string, std::vector<const CgroupSample*>> by_name;
  for (const auto& c : cs) by_name[c.cgroup].push_back(&c);
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, list] : by_name) {
    nlohmann::json v = nlohmann::json::array();
    size_t k = 0;
    for (const Sample* x : at) {
      while (k + 1 < list.size() && list[k + 1]->t <= x->t + 0.2) ++k;
      v.push_back(list[k]->t <= x->t + 0.2 ? Mib((*list[k])[field])
                                           : nlohmann::json());
    }
    out[name] = v;
  }
  return out;
}

}  // namespace

nlohmann::json BuildSeries(const std::vector<Sample>& all,
                           const std::vector<LinkPoint>& link,
                           int memory_max_mib,
                           const std::vector<CgroupSample>& cgroups,
                           size_t max_points) {
  std::vector<const Sample*> s;
  size_t stride = all.size() > max_points && max_points > 1
                      ? (all.size() + max_points - 2) / (max_points - 1)
                      : 1;
  for (size_t i = 0; i < all.size(); i += stride) s.push_back(&all[i]);
  if (!all.empty() && s.back() != &all.back()) s.push_back(&all.back());

  // The link point at or just before guest time t.
  size_t li = 0;
  auto link_at = [&](double t) -> const RelayCounters* {
    if (link.empty()) return nullptr;
    while (li + 1 < link.size() && link[li + 1].t <= t) ++li;
    return &link[li].counters;
  };

  nlohmann::json t = nlohmann::json::array(), out = t, in = t, cur = t, gf = t,
                 gd = t, sf = t, sd = t, retrans = t, dirty = t, wb = t,
                 rxd = t, pfm = t;
  const double kMib = 4096.0 / (1 << 20);
  RelayCounters prev_link{};
  for (size_t i = 0; i < s.size(); ++i) {
    const Sample& x = *s[i];
    t.push_back(R3(x.t));
    const RelayCounters* lc = link_at(x.t);
    RelayCounters c = lc ? *lc : RelayCounters{};
    double dt = i > 0 ? x.t - s[i - 1]->t : 0;
    auto rate = [&](double delta) { return dt > 0 ? R3(delta / dt) : 0.0; };
    out.push_back(i ? rate((x.pswpout - s[i - 1]->pswpout) * kMib) : 0.0);
    in.push_back(i ? rate((x.pswpin - s[i - 1]->pswpin) * kMib) : 0.0);
    gf.push_back(i ? rate(double(c.to_guest.frames - prev_link.to_guest.frames))
                   : 0.0);
    gd.push_back(
        i ? rate(double(c.to_guest.dropped - prev_link.to_guest.dropped))
          : 0.0);
    sf.push_back(
        i ? rate(double(c.to_server.frames - prev_link.to_server.frames))
          : 0.0);
    sd.push_back(
        i ? rate(double(c.to_server.dropped - prev_link.to_server.dropped))
          : 0.0);
    prev_link = c;
    if (x.cg_current >= 0)
      cur.push_back(R3(x.cg_current / double(1 << 20)));
    else
      cur.push_back(nullptr);
    dirty.push_back(x.nr_dirty >= 0 ? Mib(x.nr_dirty * 4096) : nullptr);
    wb.push_back(x.nr_writeback >= 0 ? Mib(x.nr_writeback * 4096) : nullptr);
    auto counter = [](int64_t v) {
      return v >= 0 ? nlohmann::json(v) : nlohmann::json();
    };
    retrans.push_back(counter(x.rpc_retrans));
    rxd.push_back(counter(x.rx_dropped));
    pfm.push_back(counter(x.pfmemalloc_drop));
  }
  return {{"t", t},
          {"swapout_mib_s", out},
          {"swapin_mib_s", in},
          {"memory_current_mib", cur},
          {"memory_max_mib", memory_max_mib > 0 ? nlohmann::json(memory_max_mib)
                                                : nlohmann::json()},
          {"to_guest_frames_s", gf},
          {"to_guest_dropped_s", gd},
          {"to_server_frames_s", sf},
          {"to_server_dropped_s", sd},
          {"rpc_retrans", retrans},
          {"rx_dropped", rxd},
          {"pfmemalloc_drop", pfm},
          {"dirty_mib", dirty},
          {"writeback_mib", wb},
          {"cgroup_current_mib", PerCgroup(cgroups, s, protocol::kCgfCurrent)},
          {"cgroup_swap_mib", PerCgroup(cgroups, s, protocol::kCgfSwapCurrent)},
          {"cgroup_file_dirty_mib",
           PerCgroup(cgroups, s, protocol::kCgfFileDirty)}};
}

}  // namespace swapbench
