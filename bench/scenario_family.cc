#include "bench/scenario_family.h"

#include <algorithm>
#include <set>
#include <sstream>

#include "bench/digest.h"
#include "bench/fs_util.h"
#include "bench/nic.h"
#include "bench/scenario_sections.h"
#include "bench/toml_reader.h"

namespace swapbench {

namespace {

// "FILE:LINE" of a node, FILE being the one it was parsed from.
std::string At(const std::string& path, const toml::node& n) {
  const auto& src = n.source();
  return (src.path && !src.path->empty() ? *src.path : path) + ":" +
         std::to_string(src.begin.line);
}

Result<toml::table> ParseToml(const std::string& text,
                              const std::string& path) {
  try {
    return toml::parse(std::string_view(text), std::string(path));
  } catch (const toml::parse_error& e) {
    return Status::Usage(path + ":" + std::to_string(e.source().begin.line) +
                         ":" + std::to_string(e.source().begin.column) + ": " +
                         std::string(e.description()));
  }
}

// `from`'s keys onto `into`: tables merge, the rest is replaced. Nodes are
// moved, so they keep the file and line they came from.
void Merge(toml::table& into, toml::table&& from) {
  for (auto&& [key, node] : from) {
    toml::node* old = into.get(key.str());
    if (old && old->is_table() && node.is_table())
      Merge(*old->as_table(), std::move(*node.as_table()));
    else
      into.insert_or_assign(key, std::move(node));
  }
}

// The table of `text` with the files it includes (and theirs) under it.
Result<toml::table> WithIncludes(const std::string& text,
                                 const std::string& path,
                                 std::vector<std::string>* stack) {
  auto root = ParseToml(text, path);
  if (!root.ok()) return root.status();
  const toml::node* inc = root->get("include");
  if (!inc) return root;
  const toml::array* list = inc->as_array();
  if (!list)
    return Status::Usage(At(path, *inc) +
                         ": include: expected an array of file names");
  toml::table merged;
  for (const auto& e : *list) {
    auto name = e.value<std::string>();
    if (!name || name->empty())
      return Status::Usage(At(path, e) +
                           ": include: expected an array of file names");
    std::string file = (*name)[0] == '/' ? *name : DirName(path) + "/" + *name;
    if (std::find(stack->begin(), stack->end(), file) != stack->end())
      return Status::Usage(At(path, e) + ": include \"" + *name +
                           "\": includes itself (through " + stack->back() +
                           ")");
    if (stack->size() >= kMaxIncludeDepth)
      return Status::Usage(At(path, e) + ": include \"" + *name +
                           "\": more than 8 levels of include");
    auto sub_text = ReadRegularFile(file, kMaxScenarioBytes);
    if (!sub_text.ok())
      return Status::Usage(At(path, e) + ": include \"" + *name +
                           "\": cannot read " + file + " (" +
                           sub_text.status().message() + ")");
    stack->push_back(file);
    auto sub = WithIncludes(*sub_text, file, stack);
    stack->pop_back();
    if (!sub.ok()) return sub.status();
    Merge(merged, std::move(*sub));
  }
  root->erase("include");
  Merge(merged, std::move(*root));
  return merged;
}

// The case's table as TOML, hashed: what the run read, includes resolved.
std::string TableSha256(const toml::table& t) {
  std::ostringstream os;
  os << t;
  return Sha256Hex(os.str());
}

Result<toml::table> Load(const std::string& text, const std::string& path) {
  std::vector<std::string> stack = {path};
  return WithIncludes(text, path, &stack);
}

struct Axis {
  std::string key;
  size_t size = 0;
};

// The [matrix]'s keys in the order the file wrote them.
Result<std::vector<Axis>> Axes(const toml::table& root,
                               const std::string& path) {
  std::vector<Axis> axes;
  const toml::node* m = root.get("matrix");
  if (!m) return axes;
  if (!m->is_table())
    return Status::Usage(At(path, *m) +
                         ": matrix: expected a table ([matrix])");
  std::vector<std::pair<int, Axis>> by_line;
  size_t cases = 1;
  for (const auto& [k, v] : *m->as_table()) {
    const toml::array* a = v.as_array();
    std::string key(k.str());
    if (!a || a->empty() || a->size() > 64)
      return Status::Usage(At(path, v) + ": matrix \"" + key +
                           "\": expected an array of 1 to 64 values");
    for (const auto& e : *a)
      if (!e.is_value() && !e.is_table())
        return Status::Usage(At(path, e) + ": matrix \"" + key +
                             "\": expected values (strings, numbers, true or "
                             "false) or inline tables that replace a table");
    if (key == "name" || key == "matrix" || key == "include" ||
        key.rfind("matrix.", 0) == 0)
      return Status::Usage(At(path, v) + ": matrix \"" + key +
                           "\": not a key a case can vary");
    cases *= a->size();
    if (cases > kMaxCases)
      return Status::Usage(At(path, v) + ": matrix: more than " +
                           std::to_string(kMaxCases) + " cases");
    by_line.push_back(
        {static_cast<int>(v.source().begin.line), Axis{key, a->size()}});
  }
  std::stable_sort(
      by_line.begin(), by_line.end(),
      [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [line, axis] : by_line) axes.push_back(axis);
  return axes;
}

// Where `key` ("storage.version", "workload.1.mib") lives in `root`: the
// table that holds its last word, made where missing. Null with `why` set
// when a word names something else (a value, an index past the end).
toml::table* Holder(toml::table& root, const std::string& key,
                    std::string* last, std::string* why) {
  std::vector<std::string> words;
  std::stringstream in(key);
  for (std::string w; std::getline(in, w, '.');) words.push_back(w);
  if (words.empty() || std::count(words.begin(), words.end(), "")) {
    *why = "expected words joined by '.'";
    return nullptr;
  }
  // The tables a scenario has, which a case may add where its file has none.
  static const std::set<std::string> kTables = {
      "kernel",         "vm",          "storage", "guest",
      "guest.sysctl",   "guest.sysfs", "link",    "link.to_guest",
      "link.to_server", "capture",     "limits",  "expect"};
  toml::table* t = &root;
  std::string so_far;
  for (size_t i = 0; i + 1 < words.size(); ++i) {
    so_far += (so_far.empty() ? "" : ".") + words[i];
    toml::node* n = t->get(words[i]);
    if (!n && !kTables.count(so_far)) {
      *why = so_far + " is not a table";
      return nullptr;
    }
    if (!n) {
      t->insert(words[i], toml::table{});
      n = t->get(words[i]);
    }
    if (toml::array* a = n->as_array()) {
      size_t idx = 0;
      if (i + 2 >= words.size() ||
          sscanf(words[i + 1].c_str(), "%zu", &idx) != 1 || idx >= a->size() ||
          !(*a)[idx].is_table()) {
        *why = words[i] + " is a list of [[" + words[i] +
               "]] tables: name one by its index from 0, e.g. " + words[i] +
               ".0." + words.back();
        return nullptr;
      }
      n = &(*a)[idx];
      ++i;
    }
    if (!n->is_table()) {
      *why = words[i] + " is not a table";
      return nullptr;
    }
    t = n->as_table();
  }
  *last = words.back();
  return t;
}

// A value as a case name shows it: a table as its values joined by '-'.
std::string Show(const toml::node& n) {
  if (const toml::table* t = n.as_table()) {
    std::string out;
    for (const auto& [k, v] : *t) out += (out.empty() ? "" : "-") + Show(v);
    return out;
  }
  if (auto s = n.value<std::string>(); s && n.is_string()) return *s;
  std::ostringstream o;
  n.visit([&](const auto& v) { o << v; });
  return o.str();
}

// Case `index` of the family: its own parse, so every node keeps its line.
Result<Scenario> Case(const std::string& text, const std::string& path,
                      const std::vector<Axis>& axes, size_t index) {
  auto root = Load(text, path);
  if (!root.ok()) return root.status();
  toml::table matrix = std::move(*root->get("matrix")->as_table());
  root->erase("matrix");
  // The last key varies fastest.
  std::vector<size_t> picks(axes.size());
  for (size_t a = axes.size(); a-- > 0;) {
    picks[a] = index % axes[a].size;
    index /= axes[a].size;
  }
  std::string label;
  for (size_t a = 0; a < axes.size(); ++a) {
    const Axis& axis = axes[a];
    size_t pick = picks[a];
    toml::array& values = *matrix.get(axis.key)->as_array();
    std::string last, why;
    toml::table* holder = Holder(*root, axis.key, &last, &why);
    if (!holder)
      return Status::Usage(At(path, values) + ": matrix \"" + axis.key +
                           "\": " + why);
    label += (label.empty() ? "" : ",") + axis.key + "=" + Show(values[pick]);
    toml::node* old = holder->get(last);
    if (old && old->is_table() && values[pick].is_table())
      Merge(*old->as_table(), std::move(*values[pick].as_table()));
    else
      holder->insert_or_assign(last, std::move(values[pick]));
  }
  auto sc = ReadScenarioTable(*root, path);
  if (!sc.ok()) return sc.status();
  sc->name += "[" + label + "]";
  sc->case_label = label;
  sc->case_sha256 = TableSha256(*root);
  return sc;
}

}  // namespace

Result<std::vector<Scenario>> ParseScenarios(const std::string& text,
                                             const std::string& path) {
  auto root = Load(text, path);
  if (!root.ok()) return root.status();
  auto axes = Axes(*root, path);
  if (!axes.ok()) return axes.status();
  std::vector<Scenario> out;
  if (axes->empty()) {
    auto sc = ReadScenarioTable(*root, path);
    if (!sc.ok()) return sc.status();
    sc->case_sha256 = TableSha256(*root);
    out.push_back(std::move(*sc));
  }
  size_t cases = 1;
  for (const Axis& a : *axes) cases *= a.size;
  for (size_t i = 0; axes->size() && i < cases; ++i) {
    auto sc = Case(text, path, *axes, i);
    if (!sc.ok()) return sc.status();
    out.push_back(std::move(*sc));
  }
  for (Scenario& sc : out) sc.file_sha256 = Sha256Hex(text);
  return out;
}

namespace {

// The one case of a file, or why a command that takes one cannot.
Result<Scenario> One(Result<std::vector<Scenario>> all,
                     const std::string& path) {
  if (!all.ok()) return all.status();
  if (all->size() != 1)
    return Status::Usage(path + ": a [matrix] of " +
                         std::to_string(all->size()) +
                         " cases; this command takes one (swapbench list " +
                         path + " shows them)");
  return std::move(all->front());
}

}  // namespace

Result<Scenario> ParseScenario(const std::string& text,
                               const std::string& path) {
  return One(ParseScenarios(text, path), path);
}

Result<Scenario> LoadScenario(const std::string& path) {
  return One(LoadScenarios(path), path);
}

Result<std::vector<Scenario>> LoadScenarios(const std::string& path) {
  auto text = ReadRegularFile(path, kMaxScenarioBytes);
  if (!text.ok())
    return Status::Usage(path + ": cannot read the scenario file (" +
                         text.status().message() + ")");
  return ParseScenarios(*text, path);
}

Result<std::vector<Scenario>> SelectCases(
    std::vector<Scenario> all, const std::vector<std::string>& wanted) {
  if (wanted.empty()) return all;
  auto label = [](const std::string& name) {
    size_t open = name.find('[');
    return open == std::string::npos || name.back() != ']'
               ? std::string()
               : name.substr(open + 1, name.size() - open - 2);
  };
  std::vector<Scenario> out;
  for (const auto& w : wanted) {
    bool found = false;
    for (const auto& sc : all)
      if (sc.name == w || (!w.empty() && label(sc.name) == w)) {
        found = true;
        if (std::none_of(out.begin(), out.end(),
                         [&](const Scenario& o) { return o.name == sc.name; }))
          out.push_back(sc);
      }
    if (!found) {
      std::string names;
      for (const auto& sc : all) names += "\n  " + sc.name;
      return Status::Usage("--case " + w +
                           ": no such case; the cases are:" + names);
    }
  }
  return out;
}

Result<std::vector<Scenario>> ExpandNics(std::vector<Scenario> all,
                                         const std::vector<std::string>& nics) {
  if (nics.empty()) return all;
  std::vector<Scenario> out;
  for (const std::string& key : nics) {
    const NicModel* m = FindNic(key);
    if (!m) {
      std::string keys;
      for (const std::string& k : NicKeys()) keys += " " + k;
      return Status::Usage("--nic " + key + ": no such model (one of" + keys +
                           ")");
    }
    for (const Scenario& sc : all) {
      const std::string what =
          "--nic " + key + ": " + sc.name + " (" + sc.path + ")";
      if (!sc.vm.hostdev.pci.empty())
        return Status::Usage(what + " passes a real NIC through (vm.hostdev)");
      if (sc.vm.mtu > m->max_mtu)
        return Status::Usage(what + " sets vm.mtu " +
                             std::to_string(sc.vm.mtu) + "; " + m->module +
                             " takes at most " + std::to_string(m->max_mtu));
      if (sc.vm.queues > 1 && key != "virtio")
        return Status::Usage(what + " sets vm.queues, which is virtio-net's");
      Scenario c = sc;
      c.vm.nic = key;
      c.nic_override = key;
      std::string label = "vm.nic=" + key;
      if (!c.name.empty() && c.name.back() == ']')
        c.name.insert(c.name.size() - 1, "," + label);
      else
        c.name += "[" + label + "]";
      out.push_back(std::move(c));
    }
  }
  return out;
}

}  // namespace swapbench
