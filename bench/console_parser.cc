#include "bench/console_parser.h"

#include <cstdlib>

namespace swapbench {

namespace {

void FillKill(const std::smatch& m, Finding* f) {
  f->pid = std::atol(m[1].str().c_str());
  f->victim = m[2].str();
}

}  // namespace

const std::vector<ConsoleRow>& ConsoleRows() {
  static const std::vector<ConsoleRow> rows = {
      {"memcg_oom_kill", "Memory cgroup out of memory",
       std::regex(
           R"(Memory cgroup out of memory: Killed process (\d+) \(([^)]*)\))"),
       [](const std::smatch& m, Finding* f) {
         FillKill(m, f);
         f->title = "memcg OOM kill of " + f->victim;
       }},
      {"oom_kill", "Out of memory",
       std::regex(
           R"(Out of memory(?: \(oom_kill_allocating_task\))?: Killed process (\d+) \(([^)]*)\))"),
       [](const std::smatch& m, Finding* f) {
         FillKill(m, f);
         f->title = "OOM kill of " + f->victim;
       }},
      {"hung_task", "blocked for more than",
       std::regex(
           R"(INFO: task (.+):(\d+) blocked for more than (\d+) seconds)"),
       [](const std::smatch& m, Finding* f) {
         f->victim = m[1].str();
         f->pid = std::atol(m[2].str().c_str());
         f->title = "hung task " + f->victim + " blocked for more than " +
                    m[3].str() + " s";
       }},
      {"soft_lockup", "soft lockup",
       std::regex(
           R"(BUG: soft lockup - CPU#(\d+) stuck for (\d+)s! \[([^:\]]+):(\d+)\])"),
       [](const std::smatch& m, Finding* f) {
         f->victim = m[3].str();
         f->pid = std::atol(m[4].str().c_str());
         f->title = "soft lockup on CPU#" + m[1].str() + " in " + f->victim;
       }},
      {"panic", "Kernel panic",
       std::regex(R"(Kernel panic - not syncing: (.*))"),
       [](const std::smatch& m, Finding* f) {
         f->title = "kernel panic: " + m[1].str();
       }},
      {"oops", "BUG: unable to handle",
       std::regex(R"(BUG: unable to handle (.*))"),
       [](const std::smatch& m, Finding* f) {
         f->title = "BUG: unable to handle " + m[1].str();
       }},
      {"oops", "BUG: kernel NULL pointer",
       std::regex(R"(BUG: kernel NULL pointer dereference(.*))"),
       [](const std::smatch& m, Finding* f) {
         f->title = "BUG: kernel NULL pointer dereference";
       }},
      {"oops", "kernel BUG at", std::regex(R"(kernel BUG at ([^!]*)!)"),
       [](const std::smatch& m, Finding* f) {
         f->title = "kernel BUG at " + m[1].str();
       }},
      {"oops", "general protection fault",
       std::regex(R"(general protection fault(.*))"),
       [](const std::smatch& m, Finding* f) {
         f->title = "general protection fault";
       }},
      {"oops", "Oops:", std::regex(R"(Oops: (.*))"),
       [](const std::smatch& m, Finding* f) {
         f->title = "Oops: " + m[1].str();
       }},
  };
  return rows;
}

double SplitTimestamp(const std::string& line, std::string* text) {
  if (line.size() > 2 && line[0] == '[') {
    size_t close = line.find(']');
    if (close != std::string::npos && close < 20) {
      char* end = nullptr;
      double t = std::strtod(line.c_str() + 1, &end);
      if (end && end != line.c_str() + 1) {
        size_t start = close + 1;
        if (start < line.size() && line[start] == ' ') ++start;
        *text = line.substr(start);
        return t;
      }
    }
  }
  *text = line;
  return -1;
}

void ConsoleParser::Feed(const std::string& raw) {
  ++line_no_;
  std::string line = raw;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  std::string text;
  double t = SplitTimestamp(line, &text);
  // The constraint line precedes the "Killed process" line of the same kill.
  static const std::regex constraint(R"(oom-kill:constraint=([A-Z_]+),)");
  std::smatch m;
  if (text.find("oom-kill:constraint=") != std::string::npos &&
      std::regex_search(text, m, constraint)) {
    pending_constraint_ = m[1].str();
    return;
  }
  if (FeedEvent(text, t, line)) return;
  for (const ConsoleRow& row : ConsoleRows()) {
    if (text.find(row.literal) == std::string::npos) continue;
    if (!std::regex_search(text, m, row.re)) continue;
    Finding f;
    f.kind = row.kind;
    row.fill(m, &f);
    f.console_line = line_no_;
    f.kernel_time = t;
    f.excerpt = line;
    if (f.kind == "oom_kill" || f.kind == "memcg_oom_kill") {
      f.constraint = pending_constraint_;
      pending_constraint_.clear();
    }
    findings_.push_back(std::move(f));
    return;
  }
}

}  // namespace swapbench

namespace swapbench {

bool ConsoleParser::FeedEvent(const std::string& text, double t,
                              const std::string& line) {
  if (text.compare(0, 13, "nfs: server ") != 0 &&
      text.find("nfs: server ") == std::string::npos)
    return false;
  static const std::regex not_responding(
      R"(nfs: server (\S+) not responding, (still trying|timed out))");
  static const std::regex ok(R"(nfs: server (\S+) OK)");
  std::smatch m;
  ConsoleEvent e;
  if (std::regex_search(text, m, not_responding)) {
    e.kind = "nfs_not_responding";
  } else if (std::regex_search(text, m, ok)) {
    e.kind = "nfs_ok";
  } else {
    return false;
  }
  e.subject = m[1].str();
  e.kernel_time = t;
  e.console_line = line_no_;
  e.excerpt = line;
  e.last_kernel_time = t;
  e.last_console_line = line_no_;
  // The latest event about this server: fold a repeat into it.
  ConsoleEvent* prev = nullptr;
  for (auto it = events_.rbegin(); it != events_.rend() && !prev; ++it)
    if (it->subject == e.subject) prev = &*it;
  if (prev && prev->kind == e.kind) {
    ++prev->count;
    prev->last_kernel_time = t;
    prev->last_console_line = line_no_;
    return true;
  }
  if (e.kind == "nfs_ok" && prev && prev->kind == "nfs_not_responding" &&
      t >= 0 && prev->kernel_time >= 0)
    e.outage_s = t - prev->kernel_time;
  events_.push_back(std::move(e));
  return true;
}

}  // namespace swapbench
