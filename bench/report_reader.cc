#include "bench/report_reader.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>

#include "bench/fs_util.h"

namespace swapbench {

namespace {

using Json = nlohmann::json;

enum class Type {
  kObject,
  kArray,
  kString,
  kNumber,
  kUnsigned,
  kBool,
  kNumberOrNull,
  kStringOrNull
};

const char* Describe(Type t) {
  switch (t) {
    case Type::kObject:
      return "an object";
    case Type::kArray:
      return "an array";
    case Type::kString:
      return "a string";
    case Type::kNumber:
      return "a number";
    case Type::kUnsigned:
      return "an integer >= 0";
    case Type::kBool:
      return "true or false";
    case Type::kNumberOrNull:
      return "a number or null";
    case Type::kStringOrNull:
      return "a string or null";
  }
  return "?";
}

bool Is(const Json& j, Type t) {
  switch (t) {
    case Type::kObject:
      return j.is_object();
    case Type::kArray:
      return j.is_array();
    case Type::kString:
      return j.is_string();
    case Type::kNumber:
      return j.is_number();
    case Type::kUnsigned:
      return j.is_number_unsigned() ||
             (j.is_number_integer() && j.get<int64_t>() >= 0);
    case Type::kBool:
      return j.is_boolean();
    case Type::kNumberOrNull:
      return j.is_number() || j.is_null();
    case Type::kStringOrNull:
      return j.is_string() || j.is_null();
  }
  return false;
}

// Walks a report, remembering the first key of the wrong type.
class Checker {
 public:
  explicit Checker(std::string file) : file_(std::move(file)) {}

  // `parent.key` is absent or of type `t`. Returns the value when it is
  // there and well typed, else null.
  const Json* Key(const Json& parent, const std::string& path, const char* key,
                  Type t) {
    auto it = parent.find(key);
    if (it == parent.end()) return nullptr;
    return Want(*it, path + (path.empty() ? "" : ".") + key, t);
  }
  // Every element of `parent.key` (an array) is of type `t`.
  std::vector<std::pair<const Json*, std::string>> Elements(
      const Json& parent, const std::string& path, const char* key, Type t) {
    std::vector<std::pair<const Json*, std::string>> out;
    const Json* a = Key(parent, path, key, Type::kArray);
    if (!a) return out;
    std::string base = path + (path.empty() ? "" : ".") + key;
    for (size_t i = 0; i < a->size(); ++i) {
      std::string p = base + "[" + std::to_string(i) + "]";
      if (const Json* e = Want((*a)[i], p, t)) out.push_back({e, p});
    }
    return out;
  }
  const Json* Want(const Json& j, const std::string& path, Type t) {
    if (Is(j, t)) return &j;
    if (status_.ok())
      status_ = Status::Usage(file_ + ": " + path + ": expected " +
                              Describe(t) + ", got " + j.type_name());
    return nullptr;
  }
  void Fail(const std::string& what) {
    if (status_.ok()) status_ = Status::Usage(file_ + ": " + what);
  }
  const Status& status() const { return status_; }

 private:
  std::string file_;
  Status status_;
};

void CheckFinding(Checker& c, const Json& f, const std::string& p) {
  for (const char* k :
       {"kind", "title", "excerpt", "victim", "signature", "driver"})
    c.Key(f, p, k, Type::kString);
  if (const Json* cl = c.Key(f, p, "console_lines", Type::kArray)) {
    if (cl->size() != 2) c.Fail(p + ".console_lines: expected [first, last]");
    c.Elements(f, p, "console_lines", Type::kNumber);
  }
  c.Elements(f, p, "evidence", Type::kString);
  c.Elements(f, p, "attachments", Type::kString);
}

void CheckLink(Checker& c, const Json& link, const std::string& p) {
  c.Key(link, p, "engine", Type::kString);
  c.Key(link, p, "seeded", Type::kBool);
  for (const char* k : {"impairments", "phases", "floods", "netem"})
    c.Elements(link, p, k, Type::kObject);
  c.Key(link, p, "guest", Type::kObject);
  for (const char* d : {"to_guest", "to_server"})
    if (const Json* dir = c.Key(link, p, d, Type::kObject))
      for (const char* k : {"frames", "dropped"})
        c.Key(*dir, p + "." + d, k, Type::kNumber);
}

void CheckSeries(Checker& c, const Json& s, const std::string& p) {
  c.Elements(s, p, "t", Type::kNumber);
  for (const char* k :
       {"swapout_mib_s", "swapin_mib_s", "memory_current_mib",
        "to_guest_frames_s", "to_server_frames_s", "to_guest_dropped_s",
        "to_server_dropped_s", "rpc_retrans"})
    c.Elements(s, p, k, Type::kNumberOrNull);
  c.Key(s, p, "memory_max_mib", Type::kNumberOrNull);
  for (const char* k : {"dirty_mib", "writeback_mib"})
    c.Elements(s, p, k, Type::kNumberOrNull);
  for (const char* k :
       {"cgroup_current_mib", "cgroup_swap_mib", "cgroup_file_dirty_mib"})
    if (const Json* per = c.Key(s, p, k, Type::kObject))
      for (const auto& [name, v] : per->items())
        c.Elements(*per, p + "." + k, name.c_str(), Type::kNumberOrNull);
}

// The guest side report.html shows: workloads and knobs.
void CheckGuest(Checker& c, const Json& run, const std::string& p) {
  for (const auto& [w, wp] : c.Elements(run, p, "workloads", Type::kObject)) {
    for (const char* k : {"name", "kind", "cgroup", "status"})
      c.Key(*w, wp, k, Type::kString);
    for (const char* k :
         {"seconds", "code", "signal", "write_mib_per_s", "verified_bytes",
          "corrupted_bytes", "read_bytes", "passes", "verified", "pages"})
      c.Key(*w, wp, k, Type::kNumber);
    for (const auto& [m, mp] : c.Elements(*w, wp, "metrics", Type::kObject)) {
      c.Key(*m, mp, "stressor", Type::kString);
      c.Key(*m, mp, "bogo_ops_per_s", Type::kNumber);
    }
  }
  if (const Json* nic = c.Key(run, p, "nic", Type::kObject)) {
    for (const char* k : {"model", "driver", "version", "pci_id", "hostdev"})
      c.Key(*nic, p + ".nic", k, Type::kString);
    for (const char* k : {"mtu", "queues"})
      c.Key(*nic, p + ".nic", k, Type::kNumber);
    c.Key(*nic, p + ".nic", "alloc_failures", Type::kNumberOrNull);
    for (const char* k : {"counters", "driver_counters"})
      c.Key(*nic, p + ".nic", k, Type::kObject);
  }
  if (const Json* knobs = c.Key(run, p, "knobs", Type::kObject))
    for (const char* kind : {"sysctl", "sysfs"})
      if (const Json* of = c.Key(*knobs, p + ".knobs", kind, Type::kObject))
        for (const auto& [name, k] : of->items()) {
          std::string kp = p + ".knobs." + kind;
          if (const Json* knob = c.Key(*of, kp, name.c_str(), Type::kObject))
            for (const char* f : {"set", "read"})
              c.Key(*knob, kp + "." + name, f, Type::kString);
        }
}

void CheckRun(Checker& c, const Json& run, const std::string& p) {
  for (const char* k : {"verdict", "error", "started_at", "stop_reason"})
    c.Key(run, p, k, Type::kString);
  c.Key(run, p, "duration_s", Type::kNumber);
  for (const auto& [f, fp] : c.Elements(run, p, "findings", Type::kObject))
    CheckFinding(c, *f, fp);
  c.Elements(run, p, "unmet_expectations", Type::kString);
  if (const Json* m = c.Key(run, p, "metrics", Type::kObject))
    for (const char* k : {"swapout_mib_per_s", "swapin_mib_per_s"})
      c.Key(*m, p + ".metrics", k, Type::kNumber);
  if (const Json* s = c.Key(run, p, "swap", Type::kObject))
    c.Key(*s, p + ".swap", "type", Type::kString);
  if (const Json* a = c.Key(run, p, "accel", Type::kObject))
    c.Key(*a, p + ".accel", "name", Type::kString);
  if (const Json* l = c.Key(run, p, "link", Type::kObject))
    CheckLink(c, *l, p + ".link");
  if (const Json* s = c.Key(run, p, "series", Type::kObject))
    CheckSeries(c, *s, p + ".series");
  CheckGuest(c, run, p);
}

// bench/manifest.h; hashes and versions a host could not tell are null.
void CheckManifest(Checker& c, const Json& m) {
  for (const char* k :
       {"guest_image", "swapbench", "host_kernel", "accel", "rerun"})
    c.Key(m, "manifest", k, Type::kString);
  c.Key(m, "manifest", "seed", Type::kUnsigned);
  for (const char* k : {"qemu", "libvirt"})
    c.Key(m, "manifest", k, Type::kStringOrNull);
  if (const Json* s = c.Key(m, "manifest", "scenario", Type::kObject)) {
    for (const char* k : {"path", "name"})
      c.Key(*s, "manifest.scenario", k, Type::kString);
    for (const char* k : {"file_sha256", "case_sha256"})
      c.Key(*s, "manifest.scenario", k, Type::kStringOrNull);
  }
  if (const Json* k = c.Key(m, "manifest", "kernel", Type::kObject)) {
    for (const char* key : {"release", "source"})
      c.Key(*k, "manifest.kernel", key, Type::kString);
    c.Key(*k, "manifest.kernel", "image_sha256", Type::kStringOrNull);
  }
}

}  // namespace

Status CheckReport(const Json& r, const std::string& file) {
  if (!r.is_object() || r.value("schema", Json()) != "swapbench.report/1")
    return Status::Usage(
        file + ": not a swapbench report (schema swapbench.report/1)");
  Checker c(file);
  for (const char* k :
       {"scenario", "scenario_path", "description", "out_dir", "verdict"})
    c.Key(r, "", k, Type::kString);
  c.Key(r, "", "seed", Type::kUnsigned);
  c.Key(r, "", "attempt", Type::kUnsigned);
  c.Key(r, "", "flaky_fails", Type::kBool);
  if (const Json* k = c.Key(r, "", "kernel", Type::kObject))
    for (const char* key : {"release", "source"})
      c.Key(*k, "kernel", key, Type::kString);
  for (const auto& [run, p] : c.Elements(r, "", "runs", Type::kObject))
    CheckRun(c, *run, p);
  if (const Json* m = c.Key(r, "", "manifest", Type::kObject))
    CheckManifest(c, *m);
  return c.status();
}

Result<Json> LoadReport(const std::string& path) {
  auto text = ReadRegularFile(path, kMaxReportBytes);
  if (!text.ok()) return text.status();
  Json j = Json::parse(*text, nullptr, false);
  if (j.is_discarded())
    return Status::Usage(path + ": not JSON (a swapbench report.json)");
  if (Status s = CheckReport(j, path); !s.ok()) return s;
  return j;
}

Result<std::vector<std::string>> FindReports(const std::string& dir) {
  std::vector<std::string> paths;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator();
       it.increment(ec))
    if (it->path().filename() == "report.json") paths.push_back(it->path());
  if (ec) return Status::Usage(dir + ": " + ec.message());
  if (paths.empty()) return Status::Usage(dir + ": no report.json below it");
  std::sort(paths.begin(), paths.end());
  return paths;
}

Result<std::vector<Json>> LoadReportSet(const std::string& dir) {
  auto paths = FindReports(dir);
  if (!paths.ok()) return paths.status();
  std::vector<Json> out;
  for (const auto& p : *paths) {
    auto j = LoadReport(p);
    if (!j.ok()) return j.status();
    out.push_back(std::move(*j));
  }
  return out;
}

}  // namespace swapbench
