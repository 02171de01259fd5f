#include "bench/kernel_needs.h"

#include <algorithm>
#include <set>
#include <sstream>

#include "bench/nic.h"

namespace swapbench {

namespace {

// Which part of a scenario asks for a row.
enum class Asker { kEvery, kNic, kStorageKind, kNfsVersion, kCgroup, kEngine };

struct Row {
  const char* option;
  const char* module;  // "" : a bool option, or one that must be built in
  const char* why;
  Asker asker;
  // The value of the asking key the row applies to ("" : any value).
  const char* when;
};

// clang-format off
constexpr Row kEveryRows[] = {
  {"CONFIG_SWAP",             "",               "swap itself",                                  Asker::kEvery, ""},
  {"CONFIG_BLK_DEV_INITRD",   "",               "the guest boots from the bench's initramfs",  Asker::kEvery, ""},
  {"CONFIG_DEVTMPFS",         "",               "the agent mounts /dev",                        Asker::kEvery, ""},
  {"CONFIG_SERIAL_8250_CONSOLE", "",            "the console log (console=ttyS0)",              Asker::kEvery, ""},
  {"CONFIG_VIRTIO_PCI",       "virtio_pci",     "the telemetry channel's transport",            Asker::kEvery, ""},
  {"CONFIG_VIRTIO_CONSOLE",   "virtio_console", "the agent's telemetry channel",                Asker::kEvery, ""},
};
// The guest NIC's driver (bench/nic.h) goes here, then what the scenario's
// features ask for.
constexpr Row kFeatureRows[] = {
  {"CONFIG_NFS_FS",           "nfs",            "the NFS client",                               Asker::kStorageKind, "nfs"},
  {"CONFIG_NFS_SWAP",         "",               "swap on an NFS file",                          Asker::kStorageKind, "nfs"},
  {"CONFIG_SUNRPC_SWAP",      "",               "swap on an NFS file",                          Asker::kStorageKind, "nfs"},
  {"CONFIG_NFS_V3",           "nfsv3",          "NFS version 3",                                Asker::kNfsVersion, "3"},
  {"CONFIG_NFS_V4",           "nfsv4",          "NFS version 4",                                Asker::kNfsVersion, "4.0"},
  {"CONFIG_NFS_V4",           "nfsv4",          "NFS version 4",                                Asker::kNfsVersion, "4.1"},
  {"CONFIG_NFS_V4_1",         "",               "NFS version 4.1",                              Asker::kNfsVersion, "4.1"},
  {"CONFIG_NFS_V4",           "nfsv4",          "NFS version 4",                                Asker::kNfsVersion, "4.2"},
  {"CONFIG_NFS_V4_1",         "",               "NFS version 4.1",                              Asker::kNfsVersion, "4.2"},
  {"CONFIG_NFS_V4_2",         "",               "NFS version 4.2",                              Asker::kNfsVersion, "4.2"},
  {"CONFIG_BLK_DEV_NBD",      "nbd",            "swap over NBD",                                Asker::kStorageKind, "nbd"},
  {"CONFIG_ISCSI_TCP",        "iscsi_tcp",      "the iSCSI initiator",                          Asker::kStorageKind, "iscsi"},
  {"CONFIG_BLK_DEV_SD",       "sd_mod",         "the iSCSI disk",                               Asker::kStorageKind, "iscsi"},
  // iscsi_tcp needs crc32c, which the guest cannot autoload (no modprobe).
  {"CONFIG_CRYPTO_CRC32C",    "crc32c_generic", "iSCSI digests",                                Asker::kStorageKind, "iscsi"},
  {"CONFIG_MEMCG",            "",               "the memory cgroup",                            Asker::kCgroup, ""},
  {"CONFIG_NET_SCH_NETEM",    "sch_netem",      "the guest's own link emulation",               Asker::kEngine, "kernel-netem"},
  {"CONFIG_IFB",              "ifb",            "impairing what arrives (ifb0)",                Asker::kEngine, "kernel-netem"},
  {"CONFIG_NET_SCH_INGRESS",  "sch_ingress",    "impairing what arrives (ingress qdisc)",       Asker::kEngine, "kernel-netem"},
  {"CONFIG_NET_CLS_MATCHALL", "cls_matchall",   "impairing what arrives (matchall filter)",     Asker::kEngine, "kernel-netem"},
  {"CONFIG_NET_ACT_MIRRED",   "act_mirred",     "impairing what arrives (redirect to ifb0)",    Asker::kEngine, "kernel-netem"},
};
// clang-format on

const std::vector<Row>& Rows() {
  static const std::vector<Row> rows = [] {
    std::vector<Row> r(std::begin(kEveryRows), std::end(kEveryRows));
    for (const NicModel& m : NicModels())
      r.push_back(
          {m.option, m.module, "the guest's NIC driver", Asker::kNic, m.key});
    r.insert(r.end(), std::begin(kFeatureRows), std::end(kFeatureRows));
    return r;
  }();
  return rows;
}

// The asking key, its value in `sc`, and whether the file set it (else it
// is the default, or a table for the cgroup).
struct Ask {
  std::string key;
  std::string value;
};

Ask AskOf(const Scenario& sc, Asker a) {
  switch (a) {
    case Asker::kEvery:
      return {"", ""};
    case Asker::kNic:
      // A passed-through NIC replaces the emulated one.
      return {"vm.nic", sc.vm.hostdev.pci.empty() ? sc.vm.nic : ""};
    case Asker::kStorageKind:
      return {"storage.kind", Name(sc.storage.kind)};
    case Asker::kNfsVersion:
      return {"storage.version",
              sc.storage.kind == StorageKind::kNfs ? sc.storage.version : ""};
    case Asker::kCgroup:
      return {"cgroup", sc.cgroups.empty() ? "" : "on"};
    case Asker::kEngine:
      return {"link.engine", Name(sc.link.engine)};
  }
  return {"", ""};
}

std::string Describe(const Scenario& sc, const Ask& ask) {
  if (ask.key.empty()) return "every scenario";
  if (ask.key == "cgroup") return sc.Where("cgroup") + ": [cgroup]";
  if (ask.key == "vm.nic" && !sc.nic_override.empty())
    return sc.path + ": vm.nic \"" + ask.value + "\" (from --nic)";
  bool set = sc.lines.count(ask.key) != 0;
  return sc.Where(ask.key) + ": " + ask.key + " \"" + ask.value + "\"" +
         (set ? "" : " (the default)");
}

}  // namespace

std::vector<KernelNeed> NeedsOf(const Scenario& sc) {
  std::vector<KernelNeed> out;
  for (const Row& row : Rows()) {
    Ask ask = AskOf(sc, row.asker);
    if (row.asker != Asker::kEvery && ask.value.empty()) continue;
    if (*row.when && ask.value != row.when) continue;
    out.push_back({row.option, row.module, row.why, Describe(sc, ask)});
  }
  // The real NIC's driver: no option known, only the module.
  if (!sc.vm.hostdev.driver.empty())
    out.push_back({"", sc.vm.hostdev.driver, "the passed-through NIC's driver",
                   sc.Where("vm.hostdev.driver") + ": vm.hostdev.driver \"" +
                       sc.vm.hostdev.driver + "\""});
  return out;
}

std::vector<KernelNeed> AllNeeds() {
  std::vector<KernelNeed> out;
  for (const Row& row : Rows()) {
    std::string asker = "every scenario";
    if (row.asker == Asker::kCgroup) asker = "[cgroup]";
    if (*row.when)
      asker = AskOf(Scenario{}, row.asker).key + " \"" + row.when + "\"";
    out.push_back({row.option, row.module, row.why, asker});
  }
  return out;
}

std::string ConfigFragment(const std::vector<KernelNeed>& needs, bool modular) {
  std::string out =
      "# swapbench: what the scenarios need of a kernel, on top of an x86_64\n"
      "# defconfig. Merge it with\n"
      "#   scripts/kconfig/merge_config.sh -m .config THIS_FILE\n"
      "#   make olddefconfig\n";
  std::set<std::string> done;
  for (const KernelNeed& n : needs) {
    if (n.option.empty() || !done.insert(n.option).second) continue;
    bool m = modular && !n.module.empty();
    out += "# " + n.why + " (" + n.asker + ")\n" + n.option +
           (m ? "=m" : "=y") + "\n";
  }
  return out;
}

std::map<std::string, char> ParseKernelConfig(const std::string& text) {
  std::map<std::string, char> set;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t eq = line.find('=');
    if (line.empty() || line[0] == '#' || eq == std::string::npos) continue;
    std::string v = line.substr(eq + 1);
    if (v == "y" || v == "m") set[line.substr(0, eq)] = v[0];
  }
  return set;
}

namespace {

// Module names in a modules.dep or modules.builtin text ('-' as '_').
std::set<std::string> ModuleNames(const std::string& text) {
  std::set<std::string> names;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::string path = line.substr(0, line.find(':'));
    if (path.empty()) continue;
    names.insert(ModuleName(path));
  }
  return names;
}

// What is wrong with one need, or "" when the kernel meets it; `load` is
// set when the guest must load the need's module.
std::string Unmet(const KernelNeed& n, const std::map<std::string, char>& cfg,
                  bool config_known, const std::set<std::string>& loadable,
                  const std::set<std::string>& builtin, bool* load) {
  *load = false;
  const std::string mod = ModuleName(n.module);
  if (config_known && !n.option.empty()) {
    auto it = cfg.find(n.option);
    char v = it == cfg.end() ? 0 : it->second;
    if (v == 'y') return "";
    if (v == 0) return "not set";
    if (mod.empty()) return "=m, but it must be built in (=y)";
    if (!loadable.count(mod))
      return "=m, but module " + n.module + " is not in modules.dep";
    *load = true;
    return "";
  }
  // No .config: the module indexes are all there is to go by.
  if (mod.empty() || builtin.count(mod)) return "";
  if (loadable.count(mod)) {
    *load = true;
    return "";
  }
  return "module " + n.module +
         " is in neither modules.dep nor modules.builtin";
}

}  // namespace

Result<std::vector<std::string>> CheckNeeds(
    const std::vector<KernelNeed>& needs, const KernelFacts& k) {
  const auto cfg = ParseKernelConfig(k.config);
  const bool config_known = !k.config.empty();
  const auto loadable = ModuleNames(k.modules_dep);
  const auto builtin = ModuleNames(k.modules_builtin);
  std::vector<std::string> modules;
  std::string unmet;
  for (const KernelNeed& n : needs) {
    bool load = false;
    std::string why = Unmet(n, cfg, config_known, loadable, builtin, &load);
    if (!why.empty())
      unmet +=
          "\n  " + n.asker + " needs " +
          (n.option.empty()
               ? "module " + n.module
               : n.option +
                     (n.module.empty() ? "" : " (module " + n.module + ")")) +
          " for " + n.why + ": " + why;
    if (load &&
        std::find(modules.begin(), modules.end(), n.module) == modules.end())
      modules.push_back(n.module);
  }
  if (unmet.empty()) return modules;
  std::string from = config_known ? " (config " + k.config_path + ")" : "";
  return Status::Usage("kernel " + k.release + from +
                       " lacks what the scenario needs:" + unmet);
}

}  // namespace swapbench
