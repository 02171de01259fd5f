#include "bench/formats.h"

#include "bench/fs_util.h"
#include "bench/text.h"

namespace swapbench {

Status WriteFormats(const std::vector<nlohmann::json>& reports,
                    const std::string& dir) {
  std::vector<Case> cases = GroupCases(reports);
  Status s = WriteFile(dir + "/junit.xml", JunitXml(cases));
  if (s.ok())
    s = WriteFile(dir + "/kcidb.json", DumpJson(KcidbJson(cases), 1) + "\n");
  if (s.ok()) s = WriteFile(dir + "/ktap.txt", Ktap(cases));
  if (s.ok()) s = WriteFile(dir + "/report.html", ReportHtml(cases));
  return s.ok() ? s : s.Context("reports");
}

}  // namespace swapbench
