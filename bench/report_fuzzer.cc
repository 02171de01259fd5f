// libFuzzer target: any bytes as a report.json for merge and compare. What
// CheckReport accepts must render in every format and compare without an
// exception; what it refuses is a Usage error. Seeds: bench/testdata/sets.
#include <cstddef>
#include <cstdint>
#include <string>

#include "bench/compare.h"
#include "bench/formats.h"
#include "bench/report_reader.h"
#include "bench/text.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto j = nlohmann::json::parse(data, data + size, nullptr, false);
  if (j.is_discarded()) return 0;
  swapbench::Status s = swapbench::CheckReport(j, "fuzz.json");
  if (!s.ok()) {
    if (s.kind() != swapbench::Status::Kind::kUsage) __builtin_trap();
    return 0;
  }
  std::vector<nlohmann::json> set = {j};
  auto cases = swapbench::GroupCases(set);
  try {
    (void)swapbench::JunitXml(cases);
    (void)swapbench::DumpJson(swapbench::KcidbJson(cases));
    (void)swapbench::Ktap(cases);
    (void)swapbench::ReportHtml(cases);
    (void)swapbench::CompareText(swapbench::Compare(set, set, {}));
  } catch (...) {
    __builtin_trap();  // a checked report must never make a reader throw
  }
  return 0;
}
