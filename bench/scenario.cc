#include "bench/scenario.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "bench/finding.h"
#include "bench/fs_util.h"

namespace swapbench {

namespace {

// Edit distance (insertions, deletions, substitutions) between a and b.
size_t Distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min(
          {row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

// " in [vm] (expected cpus, memory_mib; did you mean memory_mib?)"
std::string UnknownHint(const std::string& key, const std::string& prefix,
                        const std::vector<std::string>& known) {
  static const std::set<std::string> kArrays = {"link.impairment.", "phase.",
                                                "flood.", "fault."};
  std::string table = prefix.substr(0, prefix.empty() ? 0 : prefix.size() - 1);
  std::string where = prefix.empty()          ? " at the top level"
                      : kArrays.count(prefix) ? " in [[" + table + "]]"
                                              : " in [" + table + "]";
  if (known.empty()) return where;
  std::string list, best;
  size_t best_d = std::max<size_t>(2, key.size() / 3) + 1;
  for (const auto& k : known) {
    list += (list.empty() ? "" : ", ") + k;
    size_t d = Distance(key, k);
    if (k.rfind(key, 0) == 0 || key.rfind(k, 0) == 0)
      d = std::min<size_t>(d, 1);
    if (d < best_d) best_d = d, best = k;
  }
  return where + " (expected " + list +
         (best.empty() ? "" : "; did you mean " + best + "?") + ")";
}

// Walks one table, remembering which keys were read so that the rest can
// be reported as unknown. The first error wins.
class Reader {
 public:
  Reader(const std::string& path, Status* err,
         std::map<std::string, int>* lines)
      : path_(path), err_(err), lines_(lines) {}

  std::string Where(const toml::node& n) const {
    return path_ + ":" + std::to_string(n.source().begin.line);
  }
  void Error(const toml::node& n, const std::string& msg) {
    if (err_->ok()) *err_ = Status::Usage(Where(n) + ": " + msg);
  }

  // Marks `key` of `table` (named `prefix`) read and returns it, or null.
  const toml::node* Get(const toml::table& t, const std::string& prefix,
                        const std::string& key) {
    seen_.insert(prefix + key);
    const toml::node* n = t.get(key);
    if (n) (*lines_)[prefix + key] = static_cast<int>(n->source().begin.line);
    return n;
  }

  void Int(const toml::table& t, const std::string& prefix,
           const std::string& key, int64_t lo, int64_t hi, auto* out) {
    const toml::node* n = Get(t, prefix, key);
    if (!n) return;
    // Ask is_integer first: value<int64_t>() of a float like 2e57 is
    // undefined behaviour inside toml++ (found by scenario_fuzzer).
    auto v = n->is_integer() ? n->value<int64_t>() : std::nullopt;
    if (!v)
      return Error(*n, prefix + key + ": expected an integer in [" +
                           std::to_string(lo) + ", " + std::to_string(hi) +
                           "]");
    if (*v < lo || *v > hi)
      return Error(*n, prefix + key + " " + std::to_string(*v) +
                           " out of range [" + std::to_string(lo) + ", " +
                           std::to_string(hi) + "]");
    *out = static_cast<std::remove_reference_t<decltype(*out)>>(*v);
  }

  void Prob(const toml::table& t, const std::string& prefix,
            const std::string& key, double* out) {
    const toml::node* n = Get(t, prefix, key);
    if (!n) return;
    if (!n->is_number())
      return Error(*n, prefix + key + ": expected a probability in [0, 1]");
    double v = n->value<double>().value_or(-1);
    if (!(v >= 0 && v <= 1))  // NaN too
      return Error(*n, prefix + key + " " + Fmt(v) + " out of range [0, 1]");
    *out = v;
  }

  void Str(const toml::table& t, const std::string& prefix,
           const std::string& key, std::string* out,
           const std::set<std::string>& allowed = {}) {
    const toml::node* n = Get(t, prefix, key);
    if (!n) return;
    if (!n->is_string()) return Error(*n, prefix + key + ": expected a string");
    std::string v = *n->value<std::string>();
    if (!allowed.empty() && !allowed.count(v)) {
      std::string list;
      for (const auto& a : allowed)
        list += (list.empty() ? "" : ", ") + ("\"" + a + "\"");
      return Error(*n,
                   prefix + key + " \"" + v + "\": expected one of " + list);
    }
    *out = v;
  }

  // A string naming one of `values` (as Name(value) spells it).
  template <typename E>
  void Choice(const toml::table& t, const std::string& prefix,
              const std::string& key, const std::vector<E>& values, E* out) {
    std::set<std::string> names;
    for (E e : values) names.insert(Name(e));
    std::string v;
    Str(t, prefix, key, &v, names);
    for (E e : values)
      if (v == Name(e)) *out = e;
  }

  void Bool(const toml::table& t, const std::string& prefix,
            const std::string& key, bool* out) {
    const toml::node* n = Get(t, prefix, key);
    if (!n) return;
    if (!n->is_boolean())
      return Error(*n, prefix + key + ": expected true or false");
    *out = *n->value<bool>();
  }

  const toml::table* Table(const toml::table& t, const std::string& prefix,
                           const std::string& key) {
    const toml::node* n = Get(t, prefix, key);
    if (!n) return nullptr;
    if (!n->is_table()) {
      Error(*n, prefix + key + ": expected a table ([" + prefix + key + "])");
      return nullptr;
    }
    return n->as_table();
  }

  void Num(const toml::table& t, const std::string& prefix,
           const std::string& key, double lo, double hi, double* out) {
    const toml::node* n = Get(t, prefix, key);
    if (!n) return;
    if (!n->is_number()) return Error(*n, prefix + key + ": expected a number");
    double v = n->value<double>().value_or(0);
    if (!(v >= lo && v <= hi))  // NaN and infinities too
      return Error(*n, prefix + key + " " + Fmt(v) + " out of range [" +
                           Fmt(lo) + ", " + Fmt(hi) + "]");
    *out = v;
  }

  // A duration: "250ms", "10s", "1.5s", "2m", or a number of seconds.
  void Duration(const toml::table& t, const std::string& prefix,
                const std::string& key, double lo_s, double hi_s,
                double* out_s) {
    const toml::node* n = Get(t, prefix, key);
    if (!n) return;
    double v = -1;
    if (n->is_number()) {
      v = n->value<double>().value_or(-1);
    } else if (n->is_string()) {
      std::string s = *n->value<std::string>();
      char* end = nullptr;
      double x = strtod(s.c_str(), &end);
      std::string unit = end ? end : "";
      if (end != s.c_str() && x >= 0) {
        if (unit == "ms")
          v = x / 1000;
        else if (unit == "s")
          v = x;
        else if (unit == "m")
          v = x * 60;
        else if (unit == "us")
          v = x / 1e6;
      }
    }
    if (v < 0)
      return Error(*n, prefix + key +
                           ": expected a duration such as \"250ms\", "
                           "\"10s\" or \"2m\"");
    if (!(v >= lo_s && v <= hi_s))  // NaN and infinities too
      return Error(*n, prefix + key + " " + Fmt(v) +
                           (std::isfinite(v) ? "s" : "") + " out of range [" +
                           Fmt(lo_s) + "s, " + Fmt(hi_s) + "s]");
    *out_s = v;
  }

  void StrList(const toml::table& t, const std::string& prefix,
               const std::string& key, std::vector<std::string>* out) {
    const toml::node* n = Get(t, prefix, key);
    if (!n) return;
    const toml::array* a = n->as_array();
    if (!a) return Error(*n, prefix + key + ": expected an array of strings");
    for (const auto& e : *a) {
      auto v = e.value<std::string>();
      if (!v) return Error(e, prefix + key + ": expected an array of strings");
      out->push_back(*v);
    }
  }

  static std::string Fmt(double v) {
    std::ostringstream o;
    o << v;
    return o.str();
  }

  // Reports the first key of `t` that was never read, where it is, the keys
  // expected there and the nearest of them.
  void Unknown(const toml::table& t, const std::string& prefix) {
    for (const auto& [k, v] : t) {
      std::string full = prefix + std::string(k.str());
      if (seen_.count(full)) continue;
      std::vector<std::string> known;
      for (const auto& s : seen_)
        if (s.rfind(prefix, 0) == 0 &&
            s.find('.', prefix.size()) == std::string::npos)
          known.push_back(s.substr(prefix.size()));
      return Error(v, "unknown key " + full +
                          UnknownHint(std::string(k.str()), prefix, known));
    }
  }

  bool ok() const { return err_->ok(); }

 private:
  std::string path_;
  Status* err_;
  std::set<std::string> seen_;
  std::map<std::string, int>* lines_;  // key -> line, for every key read
};

std::string DirName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

// The [[PREFIX KEY]] tables of `t`, or null (an error if that is not an
// array of tables).
const toml::array* TablesOf(Reader& r, const toml::table& t,
                            const std::string& prefix, const char* key) {
  const toml::node* n = r.Get(t, prefix, key);
  if (!n) return nullptr;
  const toml::array* a = n->as_array();
  if (!a || !a->is_array_of_tables()) {
    const std::string name = prefix + key;
    r.Error(*n, name + ": expected [[" + name + "]] tables");
    return nullptr;
  }
  return a;
}

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

// One [[flood]] table; a pcap is read now (its path relative to the file).
void ReadFlood(Reader& r, const toml::table& t, Scenario* s) {
  FloodConfig f;
  f.line = static_cast<int>(t.source().begin.line);
  r.Str(t, "flood.", "kind", &f.kind, {"udp", "syn", "icmp", "arp", "pcap"});
  r.Str(t, "flood.", "name", &f.name);
  r.Duration(t, "flood.", "at", 0, 86400, &f.at_s);
  r.Duration(t, "flood.", "for", 0, 86400, &f.for_s);
  if (f.kind == "pcap") {
    r.Str(t, "flood.", "file", &f.file);
    r.Num(t, "flood.", "speed", 0.001, 1000, &f.speed);
    r.Int(t, "flood.", "loops", 1, 1000000, &f.loops);
    r.Bool(t, "flood.", "rewrite", &f.rewrite);
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

void ReadVm(Reader& r, const toml::table& t, Scenario* s) {
  r.Int(t, "vm.", "memory_mib", 128, 65536, &s->vm.memory_mib);
  r.Int(t, "vm.", "cpus", 1, 64, &s->vm.cpus);
  r.Str(t, "vm.", "cmdline", &s->vm.cmdline);
  r.Str(t, "vm.", "nic", &s->vm.nic, {"virtio", "e1000", "e1000e", "rtl8139"});
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

void ReadCgroup(Reader& r, const toml::table& t, Scenario* s) {
  s->cgroup.enabled = true;
  r.Int(t, "cgroup.", "memory_max_mib", 8, 65536, &s->cgroup.memory_max_mib);
  r.Int(t, "cgroup.", "memory_high_mib", 8, 65536, &s->cgroup.memory_high_mib);
  r.Unknown(t, "cgroup.");
  if (r.ok() && !s->cgroup.memory_max_mib && !s->cgroup.memory_high_mib)
    r.Error(t, "[cgroup]: expected memory_max_mib or memory_high_mib");
}

void ReadWorkload(Reader& r, const toml::table& t, Scenario* s) {
  r.Int(t, "workload.", "hog_mib", 1, 65536, &s->workload.hog_mib);
  r.Unknown(t, "workload.");
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
// wins, so the order decides which of two errors is reported).
struct Section {
  const char* key;
  bool array;  // [[key]] tables, else one [key]
  TableReader read;
};
constexpr Section kSections[] = {
    {"kernel", false, ReadKernel},     {"vm", false, ReadVm},
    {"storage", false, ReadStorage},   {"cgroup", false, ReadCgroup},
    {"workload", false, ReadWorkload}, {"link", false, ReadLinkTable},
    {"phase", true, ReadPhase},        {"flood", true, ReadFlood},
    {"capture", false, ReadCapture},   {"limits", false, ReadLimits},
    {"expect", false, ReadExpect},     {"fault", true, ReadFault},
};

}  // namespace

Result<Scenario> ParseScenario(const std::string& text,
                               const std::string& path) {
  toml::table root;
  try {
    root = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    return Status::Usage(path + ":" + std::to_string(e.source().begin.line) +
                         ":" + std::to_string(e.source().begin.column) + ": " +
                         std::string(e.description()));
  }
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
    if (!section.array) {
      if (const auto* t = r.Table(root, "", section.key))
        section.read(r, *t, &s);
      continue;
    }
    if (const toml::array* a = TablesOf(r, root, "", section.key))
      for (const auto& e : *a) {
        section.read(r, *e.as_table(), &s);
        if (!r.ok()) break;
      }
  }
  if (r.ok() && s.link.engine == LinkEngine::kKernelNetem)
    CheckKernelNetem(r, root, &s);
  r.Unknown(root, "");
  if (!err.ok()) return err;
  if (s.name.empty())
    return Status::Usage(path + ":1: name: expected a scenario name");
  return s;
}

Result<Scenario> LoadScenario(const std::string& path) {
  auto text = ReadRegularFile(path, kMaxScenarioBytes);
  if (!text.ok())
    return Status::Usage(path + ": cannot read the scenario file (" +
                         text.status().message() + ")");
  return ParseScenario(*text, path);
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
