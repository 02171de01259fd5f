// TomlReader: reads one scenario file's TOML tables into typed fields,
// remembering which keys were read (so the rest are reported as unknown,
// with the nearest known key) and where each was written. Every error is
// "FILE:LINE: what was expected"; the first one wins. FILE is the file the
// node came from, which for a key an included file set is that file.
//
// Internal to the scenario parser (scenario.cc, scenario_workloads.cc,
// scenario_family.cc). Not thread-safe; one reader per parse.
#ifndef SWAPBENCH_BENCH_TOML_READER_H_
#define SWAPBENCH_BENCH_TOML_READER_H_

#include <toml++/toml.h>

#include <cmath>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "bench/status.h"

namespace swapbench {

// Edit distance (insertions, deletions, substitutions) between a and b.
inline size_t Distance(const std::string& a, const std::string& b) {
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
inline std::string UnknownHint(const std::string& key,
                               const std::string& prefix,
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

  // "FILE:LINE" of a node: the file it was parsed from (an included file
  // for the keys that file set), else the scenario's.
  std::string Where(const toml::node& n) const {
    const auto& src = n.source();
    return (src.path && !src.path->empty() ? *src.path : path_) + ":" +
           std::to_string(src.begin.line);
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

inline std::string DirName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

// The [[PREFIX KEY]] tables of `t`, or null (an error if that is not an
// array of tables).
inline const toml::array* TablesOf(Reader& r, const toml::table& t,
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

}  // namespace swapbench

#endif  // SWAPBENCH_BENCH_TOML_READER_H_
