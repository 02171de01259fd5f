#include "bench/finding.h"

namespace swapbench {

const std::set<std::string>& FindingKinds() {
  static const std::set<std::string> kinds = {
      // From the console (bench/console_parser.cc).
      "oom_kill", "memcg_oom_kill", "oom_deadlock", "hung_task", "soft_lockup",
      "hard_lockup", "rcu_stall", "workqueue_lockup", "alloc_failure",
      "swap_write_error", "swap_read_error", "storage_io_error",
      "nfs_not_responding", "panic", "oops", "bug", "warning",
      "unexpected_reboot", "lockdep", "kasan", "kmsan", "kcsan", "kfence",
      "ubsan", "memory_leak", "netdev_hang",
      // From the runner (bench/runner.cc).
      "swap_stall", "agent_silent", "no_output", "deadline", "corruption",
      "unexpected_stop"};
  return kinds;
}

namespace {

// Allocators everyone calls: the caller says more about who failed.
bool GenericAllocator(const std::string& fn) {
  static const char* const kPrefixes[] = {"skb_page_frag_refill",
                                          "page_frag_alloc",
                                          "__page_frag_alloc",
                                          "__netdev_alloc",
                                          "__napi_alloc",
                                          "napi_alloc",
                                          "alloc_skb",
                                          "__alloc_skb",
                                          "kmalloc",
                                          "__kmalloc",
                                          "kmem_cache_alloc",
                                          "alloc_pages",
                                          "__alloc_pages",
                                          "folio_alloc",
                                          "__folio_alloc",
                                          "__get_free_pages",
                                          "vmalloc",
                                          "__vmalloc",
                                          "kvmalloc"};
  for (const char* p : kPrefixes)
    if (fn.rfind(p, 0) == 0) return true;
  return false;
}

}  // namespace

std::string Signature(const Finding& f) {
  std::string sig = f.kind;
  if (f.kind == "alloc_failure") {
    std::string names = f.details.value("gfp_names", std::string());
    sig += " " + names.substr(0, names.find('|'));
  }
  size_t at = 0;
  while (at + 1 < f.frames.size() && GenericAllocator(f.frames[at])) ++at;
  if (!f.frames.empty()) {
    sig += " in " + f.frames[at];
    if (at < f.modules.size() && !f.modules[at].empty())
      sig += " [" + f.modules[at] + "]";
  } else if (f.kind != "alloc_failure") {
    sig += ": " + f.title;
  }
  return sig;
}

nlohmann::json FindingJson(const Finding& f) {
  nlohmann::json j = {
      {"kind", f.kind},
      {"title", f.title},
      {"signature", f.signature.empty() ? f.kind : f.signature}};
  if (!f.victim.empty()) j["victim"] = f.victim;
  if (f.pid >= 0) j["pid"] = f.pid;
  if (!f.constraint.empty()) j["constraint"] = f.constraint;
  if (!f.driver.empty()) j["driver"] = f.driver;
  if (f.console_line >= 0) {
    j["console_line"] = f.console_line;
    j["console_lines"] = {f.console_line,
                          std::max(f.console_line, f.last_console_line)};
  }
  if (f.kernel_time >= 0) j["kernel_time_s"] = f.kernel_time;
  if (f.count > 1) {
    j["count"] = f.count;
    if (f.last_kernel_time >= 0) j["last_kernel_time_s"] = f.last_kernel_time;
  }
  if (!f.excerpt.empty()) j["excerpt"] = f.excerpt;
  if (!f.frames.empty()) j["frames"] = f.frames;
  for (const auto& [k, v] : f.details.items()) j[k] = v;
  return j;
}

}  // namespace swapbench
