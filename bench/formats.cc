#include "bench/formats.h"

#include "bench/fs_util.h"
#include "bench/text.h"

namespace swapbench {

Status WriteFormats(const std::vector<nlohmann::json>& reports,
                    const std::string& dir) {
  std::vector<Case> cases = GroupCases(reports);
  Status s = WriteFileAtomic(dir + "/junit.xml", JunitXml(cases));
  if (s.ok())
    s = WriteFileAtomic(dir + "/kcidb.json",
                        DumpJson(KcidbJson(cases), 1) + "\n");
  if (s.ok()) s = WriteFileAtomic(dir + "/ktap.txt", Ktap(cases));
  if (s.ok()) s = WriteFileAtomic(dir + "/report.html", ReportHtml(cases, dir));
  return s.ok() ? s : s.Context("reports");
}

}  // namespace swapbench
