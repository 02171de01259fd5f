#include "bench/nic_report.h"

#include <algorithm>

#include "bench/nic.h"
#include "images/agent/protocol.h"

namespace swapbench {

namespace event = protocol::event;

long long AllocFailures(const nlohmann::json& counters) {
  long long sum = -1;
  for (const auto& [name, v] : counters.items()) {
    std::string n = name;
    std::transform(n.begin(), n.end(), n.begin(), ::tolower);
    if (n.find("alloc") == std::string::npos ||
        n.find("fail") == std::string::npos || !v.is_number())
      continue;
    sum = std::max(sum, 0LL) + v.get<long long>();
  }
  return sum;
}

nlohmann::json NicJson(const Scenario& sc, const Telemetry& t) {
  nlohmann::json out = nlohmann::json::object();
  if (!sc.vm.hostdev.pci.empty()) {
    out["model"] = "hostdev";
    out["hostdev"] = sc.vm.hostdev.pci;
  } else if (const NicModel* m = FindNic(sc.vm.nic)) {
    out["model"] = m->key;
    out["device"] = m->describe;
  }
  if (const nlohmann::json* e = t.Event(event::kNic)) {
    for (const char* k :
         {"driver", "version", "firmware", "bus_info", "pci_id"})
      if (e->contains(k)) out[k] = (*e)[k];
    for (const char* k : {"mtu", "queues"})
      if (e->contains(k)) out[k] = (*e)[k];
  }
  if (const nlohmann::json* e = t.Event(event::kNicStats)) {
    nlohmann::json counters = nlohmann::json::object();
    for (const auto& [k, v] : e->items())
      if (v.is_number() && k != "t") counters[k] = v;
    out["counters"] = counters;
    nlohmann::json driver = e->value("driver", nlohmann::json::object());
    out["driver_counters"] = driver;
    long long fails = AllocFailures(driver);
    out["alloc_failures"] =
        fails < 0 ? nlohmann::json() : nlohmann::json(fails);
  }
  return out;
}

}  // namespace swapbench
