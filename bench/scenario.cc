#include "bench/scenario.h"

#include <toml++/toml.h>

#include <set>
#include <sstream>

#include "bench/finding.h"
#include "bench/fs_util.h"

namespace swapbench {

namespace {

// Walks one table, remembering which keys were read so that the rest can
// be reported as unknown. The first error wins.
class Reader {
 public:
  Reader(const std::string& path, Status* err) : path_(path), err_(err) {}

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
    return t.get(key);
  }

  void Int(const toml::table& t, const std::string& prefix,
           const std::string& key, int64_t lo, int64_t hi, auto* out) {
    const toml::node* n = Get(t, prefix, key);
    if (!n) return;
    auto v = n->value<int64_t>();
    if (!n->is_integer() || !v)
      return Error(*n, prefix + key + ": expected an integer");
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
    if (v < 0 || v > 1)
      return Error(
          *n, prefix + key + " " + std::to_string(v) + " out of range [0, 1]");
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

  // Reports the first key of `t` that was never read.
  void Unknown(const toml::table& t, const std::string& prefix) {
    for (const auto& [k, v] : t) {
      std::string full = prefix + std::string(k.str());
      if (!seen_.count(full)) return Error(v, "unknown key " + full);
    }
  }

 private:
  std::string path_;
  Status* err_;
  std::set<std::string> seen_;
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
  Reader r(path, &err);

  r.Str(root, "", "name", &s.name);
  r.Str(root, "", "description", &s.description);
  int64_t seed = 1;
  r.Int(root, "", "seed", 0, INT64_MAX, &seed);
  s.seed = static_cast<uint64_t>(seed);

  if (const auto* t = r.Table(root, "", "kernel")) {
    r.Str(*t, "kernel.", "package", &s.kernel.package);
    r.Str(*t, "kernel.", "bzimage", &s.kernel.bzimage);
    r.Str(*t, "kernel.", "modules", &s.kernel.modules_dir);
    r.Str(*t, "kernel.", "config", &s.kernel.config);
    r.Unknown(*t, "kernel.");
    for (char c : s.kernel.package)
      if (!(isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' ||
            c == '+')) {
        r.Error(*t->get("package"), "kernel.package \"" + s.kernel.package +
                                        "\": expected a Debian package name");
        break;
      }
  }
  if (const auto* t = r.Table(root, "", "vm")) {
    r.Int(*t, "vm.", "memory_mib", 128, 65536, &s.vm.memory_mib);
    r.Int(*t, "vm.", "cpus", 1, 64, &s.vm.cpus);
    r.Str(*t, "vm.", "cmdline", &s.vm.cmdline);
    for (char c : s.vm.cmdline)
      if (c == '\n' || c == '\r' || c == '\0' || s.vm.cmdline.size() > 1024) {
        r.Error(*t->get("cmdline"),
                "vm.cmdline: expected one line of kernel parameters (at most 1024 "
                "characters)");
        break;
      }
    r.Unknown(*t, "vm.");
  }
  if (const auto* t = r.Table(root, "", "storage")) {
    r.Str(*t, "storage.", "kind", &s.storage.kind, {"nfs", "nbd", "iscsi"});
    r.Str(*t, "storage.", "version", &s.storage.version,
          {"3", "4.0", "4.1", "4.2"});
    r.Int(*t, "storage.", "swapfile_mib", 16, 65536, &s.storage.swapfile_mib);
    r.Str(*t, "storage.", "mount_options", &s.storage.mount_options);
    r.Unknown(*t, "storage.");
    for (char c : s.storage.mount_options)
      if (!(isalnum(static_cast<unsigned char>(c)) || c == ',' || c == '=' ||
            c == '_')) {
        r.Error(*t->get("mount_options"),
                "storage.mount_options: expected comma-separated NFS options");
        break;
      }
  }
  if (const auto* t = r.Table(root, "", "cgroup")) {
    s.cgroup.enabled = true;
    r.Int(*t, "cgroup.", "memory_max_mib", 8, 65536, &s.cgroup.memory_max_mib);
    r.Int(*t, "cgroup.", "memory_high_mib", 8, 65536,
          &s.cgroup.memory_high_mib);
    r.Unknown(*t, "cgroup.");
    if (err.ok() && !s.cgroup.memory_max_mib && !s.cgroup.memory_high_mib)
      r.Error(*t, "[cgroup]: expected memory_max_mib or memory_high_mib");
  }
  if (const auto* t = r.Table(root, "", "workload")) {
    r.Int(*t, "workload.", "hog_mib", 1, 65536, &s.workload.hog_mib);
    r.Unknown(*t, "workload.");
  }
  if (const auto* t = r.Table(root, "", "link")) {
    double both = -1;
    r.Prob(*t, "link.", "loss", &both);
    if (both >= 0) s.to_guest.loss = s.to_server.loss = both;
    for (auto [key, dir] :
         {std::pair{"to_guest", &s.to_guest}, {"to_server", &s.to_server}}) {
      if (const auto* d = r.Table(*t, "link.", key)) {
        std::string prefix = std::string("link.") + key + ".";
        r.Prob(*d, prefix, "loss", &dir->loss);
        r.Unknown(*d, prefix);
      }
    }
    r.Unknown(*t, "link.");
  }
  if (const auto* t = r.Table(root, "", "limits")) {
    r.Int(*t, "limits.", "deadline_s", 10, 86400, &s.limits.deadline_s);
    r.Int(*t, "limits.", "boot_timeout_s", 5, 3600, &s.limits.boot_timeout_s);
    r.Int(*t, "limits.", "agent_silence_s", 2, 3600, &s.limits.agent_silence_s);
    r.Int(*t, "limits.", "stall_s", 2, 3600, &s.limits.stall_s);
    r.Unknown(*t, "limits.");
  }
  if (const auto* t = r.Table(root, "", "expect")) {
    int64_t v = 0;
    r.Int(*t, "expect.", "min_pswpout", 0, INT64_MAX, &v);
    s.expect.min_pswpout = v;
    v = 0;
    r.Int(*t, "expect.", "min_dropped_to_guest", 0, INT64_MAX, &v);
    s.expect.min_dropped_to_guest = v;
    v = 0;
    r.Int(*t, "expect.", "min_dropped_to_server", 0, INT64_MAX, &v);
    s.expect.min_dropped_to_server = v;
    r.Bool(*t, "expect.", "all_pages_verified", &s.expect.all_pages_verified);
    r.Bool(*t, "expect.", "flaky_fails", &s.expect.flaky_fails);
    if (const toml::node* n = r.Get(*t, "expect.", "findings")) {
      const toml::array* a = n->as_array();
      if (!a) {
        r.Error(*n, "expect.findings: expected an array of finding kinds");
      } else {
        for (const auto& e : *a) {
          auto k = e.value<std::string>();
          if (!k || !FindingKinds().count(*k)) {
            std::string list;
            for (const auto& f : FindingKinds())
              list += (list.empty() ? "" : ", ") + f;
            r.Error(e,
                    "expect.findings: expected finding kinds (" + list + ")");
            break;
          }
          s.expect.findings.push_back(*k);
        }
      }
    }
    r.Unknown(*t, "expect.");
  }
  if (const toml::node* n = r.Get(root, "", "fault")) {
    const toml::array* a = n->as_array();
    if (!a || !a->is_array_of_tables()) {
      r.Error(*n, "fault: expected [[fault]] tables");
    } else {
      for (const auto& e : *a) {
        const toml::table& t = *e.as_table();
        Scenario::Fault f;
        f.line = static_cast<int>(t.source().begin.line);
        r.Str(t, "fault.", "kind", &f.kind,
              {"server_stall", "server_restart", "server_slow"});
        int64_t at_ms = -1;
        if (const toml::node* at = r.Get(t, "fault.", "at_s")) {
          if (!at->is_number() || at->value<double>().value_or(-1) < 0)
            r.Error(*at, "fault.at_s: expected seconds >= 0");
          else
            at_ms = static_cast<int64_t>(*at->value<double>() * 1000);
        }
        f.at_s = at_ms < 0 ? -1 : at_ms / 1000.0;
        r.Int(t, "fault.", "after_hog_mib", 0, 65536, &f.after_hog_mib);
        int duration = 0;
        r.Int(t, "fault.", "duration_s", 1, 86400, &duration);
        f.duration_s = duration;
        r.Int(t, "fault.", "rate_kbit", 8, 10000000, &f.rate_kbit);
        r.Unknown(t, "fault.");
        if (!err.ok()) break;
        if (f.kind.empty())
          r.Error(t, "[[fault]]: expected kind");
        else if ((f.at_s < 0) == (f.after_hog_mib < 0))
          r.Error(t, "[[fault]]: expected exactly one of at_s, after_hog_mib");
        else if (f.kind != "server_restart" && duration == 0)
          r.Error(t, "[[fault]] " + f.kind + ": expected duration_s");
        else if (f.kind == "server_slow" && f.rate_kbit == 0)
          r.Error(t, "[[fault]] server_slow: expected rate_kbit");
        s.faults.push_back(f);
      }
    }
  }
  r.Unknown(root, "");
  if (!err.ok()) return err;
  if (s.name.empty())
    return Status::Usage(path + ":1: name: expected a scenario name");
  if (!s.kernel.bzimage.empty() && s.kernel.modules_dir.empty())
    return Status::Usage(path + ": kernel.bzimage needs kernel.modules");
  return s;
}

Result<Scenario> LoadScenario(const std::string& path) {
  auto text = ReadFile(path);
  if (!text.ok())
    return Status::Usage(path + ": cannot read the scenario file");
  return ParseScenario(*text, path);
}

}  // namespace swapbench
