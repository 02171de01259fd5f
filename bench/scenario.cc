#include "bench/scenario.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "bench/finding.h"
#include "bench/fs_util.h"
#include "bench/hostdev.h"
#include "bench/nic.h"
#include "bench/scenario_sections.h"
#include "bench/tcpreplay.h"
#include "bench/toml_reader.h"

namespace swapbench {

namespace {

// One [[link.impairment]] table.
void ReadImpairment(Reader& r, const toml::table& t, ImpairmentConfig* c) {
  const std::string pre = "link.impairment.";
  c->line = static_cast<int>(t.source().begin.line);
  r.Str(t, pre, "kind", &c->kind,
        {"loss", "delay", "reorder", "duplicate", "corrupt", "rate",
         "partition"});
  r.Str(t, pre, "name", &c->name);
  r.Str(t, pre, "direction", &c->direction, {"both", "to_guest", "to_server"});
  r.Bool(t, pre, "enabled", &c->enabled);
  r.Str(t, pre, "protocol", &c->filter.protocol,
        {"any", "ip", "tcp", "udp", "icmp", "arp"});
  r.Int(t, pre, "port", 1, 65535, &c->filter.port);
  r.Bool(t, pre, "invert", &c->filter.invert);
  const std::string& k = c->kind;
  bool p_needed = k == "reorder" || k == "duplicate" || k == "corrupt";
  if (k == "loss") {
    r.Str(t, pre, "model", &c->model, {"bernoulli", "gemodel", "nth"});
    p_needed = c->model != "nth";
    if (c->model == "gemodel") {
      r.Prob(t, pre, "r", &c->r);
      r.Prob(t, pre, "bad_loss", &c->bad_loss);
      r.Prob(t, pre, "good_loss", &c->good_loss);
    }
    if (c->model == "nth") r.Int(t, pre, "every", 1, 1000000000, &c->every);
  }
  if (p_needed) r.Prob(t, pre, "p", &c->p);
  double ms = 0;
  if (k == "delay") {
    r.Duration(t, pre, "delay", 0, 60, &ms);
    c->delay_ms = ms * 1000;
    ms = 0;
    r.Duration(t, pre, "jitter", 0, 60, &ms);
    c->jitter_ms = ms * 1000;
    r.Str(t, pre, "distribution", &c->distribution,
          {"uniform", "normal", "pareto", "paretonormal"});
    r.Prob(t, pre, "correlation", &c->correlation);
    r.Bool(t, pre, "reorder", &c->reorder);
  }
  if (k == "reorder") {
    r.Int(t, pre, "gap", 1, 100000, &c->gap);
    ms = c->max_hold_ms / 1000;
    r.Duration(t, pre, "max_hold", 0.001, 60, &ms);
    c->max_hold_ms = ms * 1000;
  }
  if (k == "corrupt") {
    r.Int(t, pre, "bits", 1, 64, &c->bits);
    r.Bool(t, pre, "fix_checksums", &c->fix_checksums);
  }
  if (k == "rate") {
    int64_t kbit = 0;
    r.Int(t, pre, "rate_kbit", 8, 100000000, &kbit);
    c->rate_kbit = static_cast<double>(kbit);
    r.Int(t, pre, "burst_bytes", 0, 1 << 30, &c->burst_bytes);
    r.Int(t, pre, "limit_bytes", 1514, 1 << 30, &c->limit_bytes);
  }
  // Without a kind the keys it would take are not known yet: say that first.
  if (r.ok() && k.empty())
    return r.Error(t,
                   "[[link.impairment]]: expected kind (loss, delay, "
                   "reorder, duplicate, corrupt, rate or partition)");
  r.Unknown(t, pre);
  if (!r.ok()) return;
  if (p_needed && !t.get("p"))
    return r.Error(t, "[[link.impairment]] " + k + ": expected p");
  if (k == "loss" && c->model == "nth" && c->every == 0)
    return r.Error(t, "[[link.impairment]] loss model \"nth\": expected every");
  if (k == "rate" && c->rate_kbit == 0)
    return r.Error(t, "[[link.impairment]] rate: expected rate_kbit");
  if (k == "delay" && c->delay_ms == 0 && c->jitter_ms == 0)
    return r.Error(t, "[[link.impairment]] delay: expected delay or jitter");
}

// [link]: the engine, the loss shorthands and the [[link.impairment]]s.
void ReadLinkTable(Reader& r, const toml::table& t, Scenario* s) {
  LinkConfig& lc = s->link.config;
  double to_guest = 0, to_server = 0;
  r.Choice(t, "link.", "engine", {LinkEngine::kRelay, LinkEngine::kKernelNetem},
           &s->link.engine);
  r.Str(t, "link.", "endpoint", &s->link.endpoint,
        {"tap", "udp", "veth", "host-interface"});
  r.Str(t, "link.", "host_interface", &s->link.host_interface);
  const std::string& ifname = s->link.host_interface;
  bool bad = ifname.size() > 15 || ifname == "." || ifname == "..";
  for (char c : ifname)
    bad |= !(isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' ||
             c == '-');
  if (bad)
    return r.Error(*t.get("host_interface"),
                   "link.host_interface \"" + ifname +
                       "\": expected an interface name (letters, digits, "
                       "'.', '_', '-'; at most 15)");
  if (!s->link.host_interface.empty() && !t.contains("endpoint"))
    s->link.endpoint = "host-interface";
  double both = -1;
  r.Prob(t, "link.", "loss", &both);
  if (both >= 0) to_guest = to_server = both;
  for (auto [key, dir] :
       {std::pair{"to_guest", &to_guest}, {"to_server", &to_server}}) {
    if (const auto* d = r.Table(t, "link.", key)) {
      std::string prefix = std::string("link.") + key + ".";
      r.Prob(*d, prefix, "loss", dir);
      r.Unknown(*d, prefix);
    }
  }
  lc.impairments = LinkConfig::Loss(0, to_guest, to_server).impairments;
  if (const toml::array* a = TablesOf(r, t, "link.", "impairment")) {
    std::map<std::string, int> count;
    for (const auto& e : *a) {
      ImpairmentConfig c;
      ReadImpairment(r, *e.as_table(), &c);
      if (!r.ok()) return;
      if (c.name.empty())
        c.name = c.kind +
                 (count[c.kind]++ ? "-" + std::to_string(count[c.kind]) : "");
      for (const auto& o : lc.impairments)
        if (o.name == c.name)
          return r.Error(e, "[[link.impairment]] name \"" + c.name +
                                "\" is used twice; give each a unique name");
      lc.impairments.push_back(c);
    }
  }
  r.Unknown(t, "link.");
}

// One [[phase]] table; the impairments it names must exist.
void ReadPhase(Reader& r, const toml::table& t, Scenario* s) {
  LinkConfig& lc = s->link.config;
  PhaseConfig p;
  p.line = static_cast<int>(t.source().begin.line);
  r.Str(t, "phase.", "name", &p.name);
  r.Duration(t, "phase.", "at", 0, 86400, &p.at_s);
  r.Duration(t, "phase.", "for", 0.001, 86400, &p.for_s);
  r.Duration(t, "phase.", "period", 0.001, 86400, &p.period_s);
  r.Prob(t, "phase.", "duty", &p.duty);
  r.StrList(t, "phase.", "enable", &p.enable);
  r.StrList(t, "phase.", "disable", &p.disable);
  r.Bool(t, "phase.", "down", &p.down);
  r.Str(t, "phase.", "direction", &p.direction,
        {"both", "to_guest", "to_server"});
  r.Unknown(t, "phase.");
  if (!r.ok()) return;
  if (p.name.empty()) return r.Error(t, "[[phase]]: expected name");
  if (!t.get("at") || !t.get("for"))
    return r.Error(t, "[[phase]] " + p.name + ": expected at and for");
  if (!p.down && p.enable.empty() && p.disable.empty())
    return r.Error(
        t, "[[phase]] " + p.name + ": expected down = true, enable or disable");
  for (const auto* list : {&p.enable, &p.disable})
    for (const auto& n : *list) {
      bool found = false;
      for (const auto& c : lc.impairments) found |= c.name == n;
      if (!found)
        return r.Error(t, "[[phase]] " + p.name + ": no impairment named \"" +
                              n + "\" (name them in [[link.impairment]])");
    }
  lc.phases.push_back(p);
}

// The rest of a tcpreplay [[flood]]: options swapbench passes on, a capture
// tcpreplay can read (pcap or pcapng, relative to the file).
void ReadTcpreplayFlood(Reader& r, const toml::table& t, FloodConfig f,
                        Scenario* s) {
  if (std::string why = CheckTcpreplayOptions(f.tcpreplay_options);
      !why.empty())
    return r.Error(*t.get("options"), "flood.options: " + why);
  if (std::string why = CheckTcprewriteOptions(f.tcprewrite_options);
      !why.empty())
    return r.Error(*t.get("tcprewrite"), "flood.tcprewrite: " + why);
  if (f.file.empty()) return r.Error(t, "[[flood]] tcpreplay: expected file");
  if (f.file[0] != '/') f.file = DirName(s->path) + "/" + f.file;
  std::ifstream in(f.file, std::ios::binary);
  if (!in) return r.Error(*t.get("file"), "flood.file: cannot read " + f.file);
  std::string head(4, '\0');
  in.read(head.data(), 4);
  static const std::string kMagics[] = {"\xd4\xc3\xb2\xa1", "\xa1\xb2\xc3\xd4",
                                        "\x4d\x3c\xb2\xa1", "\xa1\xb2\x3c\x4d",
                                        "\x0a\x0d\x0d\x0a"};
  bool capture = false;
  for (const std::string& m : kMagics) capture |= head == m;
  if (!capture)
    return r.Error(*t.get("file"), "flood.file: " + f.file +
                                       " is not a pcap or pcapng capture");
  s->link.floods.push_back(std::move(f));
}

// One [[flood]] table; a pcap is read now (its path relative to the file).
void ReadFlood(Reader& r, const toml::table& t, Scenario* s) {
  FloodConfig f;
  f.line = static_cast<int>(t.source().begin.line);
  r.Str(t, "flood.", "kind", &f.kind,
        {"udp", "syn", "icmp", "arp", "pcap", "tcpreplay"});
  r.Str(t, "flood.", "name", &f.name);
  r.Duration(t, "flood.", "at", 0, 86400, &f.at_s);
  r.Duration(t, "flood.", "for", 0, 86400, &f.for_s);
  if (f.kind == "pcap") {
    r.Str(t, "flood.", "file", &f.file);
    r.Num(t, "flood.", "speed", 0.001, 1000, &f.speed);
    r.Int(t, "flood.", "loops", 1, 1000000, &f.loops);
    r.Bool(t, "flood.", "rewrite", &f.rewrite);
  } else if (f.kind == "tcpreplay") {
    r.Str(t, "flood.", "file", &f.file);
    r.Bool(t, "flood.", "rewrite", &f.rewrite);
    r.StrList(t, "flood.", "options", &f.tcpreplay_options);
    r.StrList(t, "flood.", "tcprewrite", &f.tcprewrite_options);
  } else {
    r.Num(t, "flood.", "pps", 1, 1000000, &f.pps);
    r.Int(t, "flood.", "size", 60, 1514, &f.size);
    if (f.kind == "udp" || f.kind == "syn")
      r.Int(t, "flood.", "port", 1, 65535, &f.port);
  }
  r.Unknown(t, "flood.");
  if (!r.ok()) return;
  if (f.kind.empty()) return r.Error(t, "[[flood]]: expected kind");
  if (f.name.empty())
    f.name = f.kind + "-" + std::to_string(s->link.floods.size() + 1);
  if (f.kind == "tcpreplay") return ReadTcpreplayFlood(r, t, f, s);
  if (f.kind == "pcap") {
    if (f.file.empty()) return r.Error(t, "[[flood]] pcap: expected file");
    if (f.file[0] != '/') f.file = DirName(s->path) + "/" + f.file;
    std::vector<PcapFrame> frames;
    std::string why;
    if (!ReadPcap(f.file, &frames, &why))
      return r.Error(*t.get("file"), "flood.file: cannot replay: " + why);
    if (frames.empty())
      return r.Error(*t.get("file"), "flood.file: the capture has no frames");
  }
  s->link.floods.push_back(f);
}

void ReadCapture(Reader& r, const toml::table& t, Scenario* s) {
  r.Bool(t, "capture.", "trace", &s->capture.trace);
  r.Bool(t, "capture.", "pcap", &s->capture.pcap);
  r.Int(t, "capture.", "snaplen", 64, 65535, &s->capture.snaplen);
  r.Unknown(t, "capture.");
}

// The guest's netem does loss, delay, rate, duplicate and corrupt on every
// frame of a direction; the rest needs the relay.
void CheckKernelNetem(Reader& r, const toml::table& root, const Scenario* s) {
  const LinkConfig& lc = s->link.config;
  const toml::node* where = root.get("link")->as_table()->get("engine");
  if (!lc.phases.empty())
    return r.Error(
        *where,
        "link.engine \"kernel-netem\": [[phase]] needs the relay engine");
  std::set<std::string> seen;
  for (const auto& c : lc.impairments) {
    std::string why;
    if (c.kind == "reorder" || c.kind == "partition")
      why = c.kind + " needs the relay engine";
    else if (c.kind == "loss" && c.model == "nth")
      why = "loss model \"nth\" needs the relay engine";
    else if (!c.filter.empty())
      why = "filters need the relay engine";
    else if (!c.enabled)
      why = "enabled = false needs phases (relay engine)";
    else if (c.kind == "corrupt" && (c.fix_checksums || c.bits != 1))
      why = "netem corrupts one bit and never fixes checksums";
    else if (c.kind == "delay" && c.reorder)
      why = "delay.reorder needs the relay engine (netem reorders on jitter)";
    for (const char* d : {"to_guest", "to_server"})
      if (c.direction == "both" || c.direction == d)
        if (!seen.insert(std::string(d) + "/" + c.kind).second)
          why = "one " + c.kind + " per direction (netem has one of each)";
    if (!why.empty())
      return r.Error(*where, "link.engine \"kernel-netem\": impairment \"" +
                                 c.name + "\" (line " + std::to_string(c.line) +
                                 "): " + why);
  }
}

// The node at root.table.key, for an error's line (the table's own when
// the key is absent).
const toml::node& NodeOf(const toml::table& root, const char* table,
                         const char* key) {
  const toml::table* t =
      root.get(table) ? root.get(table)->as_table() : nullptr;
  if (!t) return root;
  const toml::node* n = t->get(key);
  return n ? *n : *t;
}

// The guest's frames must reach the relay: a real NIC only through the
// host port cabled to it, an emulated one through QEMU's socket or a TAP.
void CheckEndpoint(Reader& r, const toml::table& root, const Scenario* s) {
  const auto& l = s->link;
  const bool hostdev = !s->vm.hostdev.pci.empty();
  if (l.endpoint == "host-interface" && l.host_interface.empty())
    return r.Error(NodeOf(root, "link", "endpoint"),
                   "link.endpoint \"host-interface\": expected "
                   "link.host_interface, the host port cabled to the guest's "
                   "NIC");
  if (!l.host_interface.empty() && l.endpoint != "host-interface")
    return r.Error(NodeOf(root, "link", "endpoint"),
                   "link.endpoint \"" + l.endpoint +
                       "\": link.host_interface needs endpoint "
                       "\"host-interface\"");
  if (!l.host_interface.empty() && !hostdev)
    return r.Error(NodeOf(root, "link", "host_interface"),
                   "link.host_interface: a host port carries the guest's "
                   "frames only from a real NIC cabled to it; add [vm.hostdev] "
                   "pci");
  if (hostdev && l.host_interface.empty())
    return r.Error(*root.get("vm")->as_table()->get("hostdev"),
                   "vm.hostdev: expected link.host_interface, the host port "
                   "cabled to this NIC (the relay reads the guest's frames "
                   "there)");
  if (s->vm.queues > 1 && l.endpoint != "veth" && l.endpoint != "tap")
    return r.Error(NodeOf(root, "vm", "queues"),
                   "vm.queues: multiqueue needs a TAP (link.endpoint \"tap\" "
                   "or \"veth\")");
}

void ReadKernel(Reader& r, const toml::table& t, Scenario* s) {
  r.Str(t, "kernel.", "package", &s->kernel.package);
  r.Str(t, "kernel.", "tree", &s->kernel.tree);
  r.Str(t, "kernel.", "bzimage", &s->kernel.bzimage);
  r.Str(t, "kernel.", "modules", &s->kernel.modules_dir);
  r.Str(t, "kernel.", "config", &s->kernel.config);
  r.Unknown(t, "kernel.");
  if (t.contains("package") && !IsKernelPackage(s->kernel.package))
    return r.Error(*t.get("package"), "kernel.package \"" + s->kernel.package +
                                          "\": " + kDebianPackageNameRule);
  int sources =
      t.contains("package") + t.contains("tree") + t.contains("bzimage");
  if (sources > 1) {
    const char* second = t.contains("bzimage") ? "bzimage" : "tree";
    return r.Error(
        *t.get(second),
        std::string("kernel.") + second +
            ": a kernel comes from one of kernel.package, "
            "kernel.tree and kernel.bzimage, not several (keep one)");
  }
  if (t.contains("bzimage") && !t.contains("modules"))
    return r.Error(*t.get("bzimage"),
                   "kernel.bzimage needs kernel.modules (its "
                   "lib/modules/RELEASE directory)");
  if (!t.contains("bzimage"))
    for (const char* k : {"modules", "config"})
      if (t.contains(k))
        return r.Error(*t.get(k), std::string("kernel.") + k +
                                      " goes with kernel.bzimage");
  // The default package gives way to a tree or an image.
  if (!s->kernel.tree.empty() || !s->kernel.bzimage.empty())
    s->kernel.package.clear();
}

// [vm.hostdev]: pci is a PCI address as sysfs spells it (domain included),
// driver the guest module that binds the device.
void ReadHostdev(Reader& r, const toml::table& t, Scenario* s) {
  auto& h = s->vm.hostdev;
  r.Str(t, "vm.hostdev.", "pci", &h.pci);
  r.Str(t, "vm.hostdev.", "driver", &h.driver);
  r.Unknown(t, "vm.hostdev.");
  if (!r.ok()) return;
  if (!t.contains("pci"))
    return r.Error(t, "vm.hostdev: expected pci = \"DDDD:BB:SS.F\"");
  if (!ValidPciAddress(h.pci))
    return r.Error(*t.get("pci"), "vm.hostdev.pci \"" + h.pci +
                                      "\": expected a PCI address such as "
                                      "\"0000:03:00.0\"");
  for (char c : h.driver)
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'))
      return r.Error(*t.get("driver"), "vm.hostdev.driver \"" + h.driver +
                                           "\": expected a module name "
                                           "such as \"ixgbevf\"");
}

void ReadVm(Reader& r, const toml::table& t, Scenario* s) {
  r.Int(t, "vm.", "memory_mib", 128, 65536, &s->vm.memory_mib);
  r.Int(t, "vm.", "cpus", 1, 64, &s->vm.cpus);
  r.Str(t, "vm.", "cmdline", &s->vm.cmdline);
  r.Str(t, "vm.", "nic", &s->vm.nic, NicKeys());
  r.Int(t, "vm.", "mtu", 576, 65535, &s->vm.mtu);
  r.Int(t, "vm.", "queues", 1, 8, &s->vm.queues);
  if (const auto* h = r.Table(t, "vm.", "hostdev")) ReadHostdev(r, *h, s);
  const NicModel* nic = FindNic(s->vm.nic);
  if (r.ok() && nic && s->vm.mtu > nic->max_mtu)
    return r.Error(*t.get("mtu"),
                   "vm.mtu " + std::to_string(s->vm.mtu) + ": vm.nic \"" +
                       s->vm.nic + "\" (driver " + nic->module +
                       ") takes at most " + std::to_string(nic->max_mtu));
  if (r.ok() && s->vm.queues > 1 && s->vm.nic != "virtio")
    return r.Error(*t.get("queues"),
                   "vm.queues: multiqueue is virtio-net's; vm.nic is \"" +
                       s->vm.nic + "\"");
  for (char c : s->vm.cmdline)
    if (c == '\n' || c == '\r' || c == '\0' || s->vm.cmdline.size() > 1024) {
      r.Error(*t.get("cmdline"),
              "vm.cmdline: expected one line of kernel parameters (at most "
              "1024 characters)");
      break;
    }
  r.Unknown(t, "vm.");
}

void ReadStorage(Reader& r, const toml::table& t, Scenario* s) {
  r.Choice(t, "storage.", "kind",
           {StorageKind::kNfs, StorageKind::kNbd, StorageKind::kIscsi},
           &s->storage.kind);
  r.Str(t, "storage.", "version", &s->storage.version,
        {"3", "4.0", "4.1", "4.2"});
  r.Int(t, "storage.", "swapfile_mib", 16, 65536, &s->storage.swapfile_mib);
  r.Str(t, "storage.", "mount_options", &s->storage.mount_options);
  r.Unknown(t, "storage.");
  for (char c : s->storage.mount_options)
    if (!(isalnum(static_cast<unsigned char>(c)) || c == ',' || c == '=' ||
          c == '_'))
      return r.Error(*t.get("mount_options"),
                     "storage.mount_options: expected comma-separated NFS "
                     "options");
  if (s->storage.kind != StorageKind::kNfs)
    for (const char* k : {"version", "mount_options"})
      if (t.contains(k))
        return r.Error(*t.get(k), std::string("storage.") + k +
                                      " applies to kind \"nfs\" only, not \"" +
                                      Name(s->storage.kind) + "\"");
}

void ReadLimits(Reader& r, const toml::table& t, Scenario* s) {
  r.Int(t, "limits.", "deadline_s", 10, 86400, &s->limits.deadline_s);
  r.Int(t, "limits.", "boot_timeout_s", 5, 3600, &s->limits.boot_timeout_s);
  r.Int(t, "limits.", "agent_silence_s", 2, 3600, &s->limits.agent_silence_s);
  r.Int(t, "limits.", "stall_s", 2, 3600, &s->limits.stall_s);
  r.Unknown(t, "limits.");
}

// expect.findings: finding kinds the run must show.
void ReadExpectedFindings(Reader& r, const toml::node& n, Scenario* s) {
  const toml::array* a = n.as_array();
  if (!a)
    return r.Error(n, "expect.findings: expected an array of finding kinds");
  for (const auto& e : *a) {
    auto k = e.value<std::string>();
    if (!k || !FindingKinds().count(*k)) {
      std::string list;
      for (const auto& f : FindingKinds())
        list += (list.empty() ? "" : ", ") + f;
      return r.Error(e,
                     "expect.findings: expected finding kinds (" + list + ")");
    }
    s->expect.findings.push_back(*k);
  }
}

void ReadExpect(Reader& r, const toml::table& t, Scenario* s) {
  auto count = [&](const char* key, uint64_t* out) {
    int64_t v = static_cast<int64_t>(*out);
    r.Int(t, "expect.", key, 0, INT64_MAX, &v);
    *out = static_cast<uint64_t>(v);
  };
  count("min_pswpout", &s->expect.min_pswpout);
  count("min_dropped_to_guest", &s->expect.min_dropped_to_guest);
  count("min_dropped_to_server", &s->expect.min_dropped_to_server);
  r.Bool(t, "expect.", "all_pages_verified", &s->expect.all_pages_verified);
  r.Bool(t, "expect.", "flaky_fails", &s->expect.flaky_fails);
  r.Bool(t, "expect.", "all_impairments_acted",
         &s->expect.all_impairments_acted);
  count("min_flood_frames", &s->expect.min_flood_frames);
  if (const toml::node* n = r.Get(t, "expect.", "findings"))
    ReadExpectedFindings(r, *n, s);
  r.Unknown(t, "expect.");
}

// One [[fault]] table.
void ReadFault(Reader& r, const toml::table& t, Scenario* s) {
  Scenario::Fault f;
  f.line = static_cast<int>(t.source().begin.line);
  r.Choice(t, "fault.", "kind",
           {FaultKind::kServerStall, FaultKind::kServerRestart,
            FaultKind::kServerSlow},
           &f.kind);
  int64_t at_ms = -1;
  if (const toml::node* at = r.Get(t, "fault.", "at_s")) {
    double v = at->value<double>().value_or(-1);
    if (!at->is_number() || !(v >= 0 && v <= 86400))  // NaN, inf too
      r.Error(*at, "fault.at_s: expected seconds in [0, 86400]");
    else
      at_ms = static_cast<int64_t>(v * 1000);
  }
  f.at_s = at_ms < 0 ? -1 : at_ms / 1000.0;
  r.Int(t, "fault.", "after_hog_mib", 0, 65536, &f.after_hog_mib);
  int duration = 0;
  r.Int(t, "fault.", "duration_s", 1, 86400, &duration);
  f.duration_s = duration;
  r.Int(t, "fault.", "rate_kbit", 8, 10000000, &f.rate_kbit);
  r.Unknown(t, "fault.");
  if (!r.ok()) return;
  if (!t.contains("kind"))
    r.Error(t, "[[fault]]: expected kind");
  else if ((f.at_s < 0) == (f.after_hog_mib < 0))
    r.Error(t, "[[fault]]: expected exactly one of at_s, after_hog_mib");
  else if (f.kind != FaultKind::kServerRestart && duration == 0)
    r.Error(t,
            "[[fault]] " + std::string(Name(f.kind)) + ": expected duration_s");
  else if (f.kind == FaultKind::kServerSlow && f.rate_kbit == 0)
    r.Error(t, "[[fault]] server_slow: expected rate_kbit");
  s->faults.push_back(f);
}

bool IsScenarioName(const std::string& n) {
  if (n.size() > 64 || !isalnum(static_cast<unsigned char>(n[0]))) return false;
  for (char c : n)
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' ||
          c == '-'))
      return false;
  return true;
}

using TableReader = void (*)(Reader&, const toml::table&, Scenario*);

// The scenario's sections in the order they are read (the first error
// wins, so the order decides which of two errors is reported). `one`
// reads a [key] table, `each` one of [[key]] tables; null where that form
// is not allowed.
struct Section {
  const char* key;
  TableReader one;
  TableReader each;
};
constexpr Section kSections[] = {
    {"kernel", ReadKernel, nullptr},
    {"vm", ReadVm, nullptr},
    {"storage", ReadStorage, nullptr},
    {"cgroup", ReadCgroupShorthand, ReadCgroupTable},
    {"workload", ReadWorkloadShorthand, ReadWorkloadTable},
    {"guest", ReadGuest, nullptr},
    {"link", ReadLinkTable, nullptr},
    {"phase", nullptr, ReadPhase},
    {"flood", nullptr, ReadFlood},
    {"capture", ReadCapture, nullptr},
    {"limits", ReadLimits, nullptr},
    {"expect", ReadExpect, nullptr},
    {"fault", nullptr, ReadFault},
};

void ReadSection(Reader& r, const toml::table& root, const Section& section,
                 Scenario* s) {
  const toml::node* n = root.get(section.key);
  if (n && n->is_table() && section.one && section.each)
    return section.one(r, *r.Table(root, "", section.key), s);
  if (!section.each) {
    if (const auto* t = r.Table(root, "", section.key)) section.one(r, *t, s);
    return;
  }
  if (n && !n->is_array_of_tables() && section.one) {
    r.Get(root, "", section.key);
    return r.Error(*n, std::string(section.key) + ": expected [" + section.key +
                           "] or [[" + section.key + "]] tables");
  }
  if (const toml::array* a = TablesOf(r, root, "", section.key))
    for (const auto& e : *a) {
      section.each(r, *e.as_table(), s);
      if (!r.ok()) break;
    }
}

}  // namespace

Result<Scenario> ReadScenarioTable(const toml::table& root,
                                   const std::string& path) {
  Scenario s;
  s.path = path;
  Status err;
  Reader r(path, &err, &s.lines);
  r.Str(root, "", "name", &s.name);
  if (!s.name.empty() && !IsScenarioName(s.name))
    r.Error(
        *root.get("name"),
        "name \"" + s.name +
            "\": expected letters, digits, '.', '_' and '-', starting with a "
            "letter or digit, at most 64 (it names the report directory)");
  r.Str(root, "", "description", &s.description);
  int64_t seed = 1;
  r.Int(root, "", "seed", 0, INT64_MAX, &seed);
  s.seed = static_cast<uint64_t>(seed);
  for (const Section& section : kSections) {
    ReadSection(r, root, section, &s);
    if (!r.ok()) break;
  }
  DefaultWorkload(r, root, &s);
  if (r.ok() && s.link.engine == LinkEngine::kKernelNetem)
    CheckKernelNetem(r, root, &s);
  if (r.ok()) CheckEndpoint(r, root, &s);
  r.Get(root, "", "include");  // read by the family loader
  r.Get(root, "", "matrix");
  r.Unknown(root, "");
  if (!err.ok()) return err;
  if (s.name.empty())
    return Status::Usage(path + ":1: name: expected a scenario name");
  return s;
}

}  // namespace swapbench

namespace swapbench {

const char* Name(StorageKind k) {
  switch (k) {
    case StorageKind::kNfs:
      return "nfs";
    case StorageKind::kNbd:
      return "nbd";
    case StorageKind::kIscsi:
      return "iscsi";
  }
  return "?";
}

const char* Name(FaultKind k) {
  switch (k) {
    case FaultKind::kServerStall:
      return "server_stall";
    case FaultKind::kServerRestart:
      return "server_restart";
    case FaultKind::kServerSlow:
      return "server_slow";
  }
  return "?";
}

const char* Name(LinkEngine e) {
  switch (e) {
    case LinkEngine::kRelay:
      return "relay";
    case LinkEngine::kKernelNetem:
      return "kernel-netem";
  }
  return "?";
}

}  // namespace swapbench

namespace swapbench {

const char* Name(Scenario::WorkloadKind k) {
  switch (k) {
    case Scenario::WorkloadKind::kHog:
      return "hog";
    case Scenario::WorkloadKind::kWriter:
      return "writer";
    case Scenario::WorkloadKind::kReader:
      return "reader";
    case Scenario::WorkloadKind::kStressNg:
      return "stress-ng";
  }
  return "?";
}

const Scenario::Cgroup* Scenario::FindCgroup(const std::string& n) const {
  for (const Cgroup& c : cgroups)
    if (c.name == n) return &c;
  return nullptr;
}

bool Scenario::Has(WorkloadKind k) const {
  for (const Workload& w : workloads)
    if (w.kind == k) return true;
  return false;
}

std::string Scenario::DirName() const {
  std::string out;
  for (char c : name) {
    if (isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' ||
        c == '-')
      out += c;
    else if (c == '[' || c == ',')
      out += '.';
    else if (c == '=')
      out += '-';
    else if (c != ']')
      out += '_';
  }
  return out;
}

}  // namespace swapbench
