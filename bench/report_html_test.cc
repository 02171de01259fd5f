// report.html as a person uses it: from a finding to the console lines
// around it, from the plots' markers to the finding, shaded spans where the
// faults were, the run's files one click away — and, rendered by headless
// Chromium, those things really on the screen.
#include <gtest/gtest.h>
#include <png.h>

#include <filesystem>

#include "bench/formats.h"
#include "bench/fs_util.h"
#include "bench/process.h"
#include "bench/text.h"

namespace swapbench {
namespace {

// A global-stall-like run in `dir`: telemetry to 40 s, the server stopped
// from 12 s to 30 s, an allocation failure at 33.5 s on console lines
// 50-55 of a 100-line console.log, a swap stall at 20 s.
nlohmann::json StallRun(const std::string& dir) {
  nlohmann::json t = nlohmann::json::array(), out = t, in = t, mem = t, tg = t,
                 ts = t, zero = t, retrans = t;
  for (int i = 0; i <= 160; ++i) {
    double s = 0.25 * i;
    t.push_back(s);
    out.push_back(s < 12 ? 20.0 + (i % 7) : 0.0);
    in.push_back(s < 12 ? 4.0 : 0.0);
    mem.push_back(std::min(48.0, 4.0 * s));
    tg.push_back(s < 12 ? 12500.0 : 3.0);
    ts.push_back(s < 12 ? 9000.0 : 40.0);
    zero.push_back(0.0);
    retrans.push_back(s < 12 ? 0 : int(s - 12));
  }
  std::string console;
  for (int n = 1; n <= 100; ++n)
    console += StringPrintf("[   %5.2f] line %d%s\n", n * 0.4, n,
                            n == 50 ? " page allocation failure" : "");
  EXPECT_TRUE(MakeDirs(dir).ok());
  EXPECT_TRUE(WriteFile(dir + "/console.log", console).ok());
  EXPECT_TRUE(WriteFile(dir + "/sysrq.txt", "sysrq\n").ok());
  nlohmann::json run = {
      {"verdict", "fail"},
      {"duration_s", 81.0},
      {"series",
       {{"t", t},
        {"swapout_mib_s", out},
        {"swapin_mib_s", in},
        {"memory_current_mib", mem},
        {"memory_max_mib", 48},
        {"to_guest_frames_s", tg},
        {"to_server_frames_s", ts},
        {"to_guest_dropped_s", zero},
        {"to_server_dropped_s", zero},
        {"rpc_retrans", retrans}}},
      {"timeline",
       {{{"source", "runner"},
         {"event", "server_stall_begin"},
         {"guest_s", 12.0},
         {"scenario_line", 30}},
        {{"source", "runner"},
         {"event", "server_stall_end"},
         {"guest_s", 30.0},
         {"scenario_line", 30}}}},
      {"findings",
       {{{"kind", "alloc_failure"},
         {"title", "page allocation failure order:0 GFP_ATOMIC"},
         {"kernel_time_s", 33.5},
         {"console_lines", {50, 55}},
         {"excerpt", "page allocation failure"}},
        {{"kind", "swap_stall"},
         {"title", "swap stalled"},
         {"last_sample", {{"t", 20.0}}},
         {"attachments", {"sysrq.txt"}}}}}};
  return {{"schema", "swapbench.report/1"},
          {"scenario", "global-stall"},
          {"scenario_path", "scenarios/global-stall.toml"},
          {"seed", 11},
          {"kernel", {{"release", "6.1.0-54-amd64"}}},
          {"out_dir", dir},
          {"runs", {run}}};
}

class ReportHtmlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/report-html-" + std::to_string(getpid());
    std::filesystem::remove_all(dir_);
    reports_ = {StallRun(dir_ + "/global-stall")};
    html_ = ReportHtml(GroupCases(reports_), dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_, html_;
  std::vector<nlohmann::json> reports_;
};

TEST_F(ReportHtmlTest, FindingsOpenOnTheirConsoleLines) {
  // Lines 30-75 (20 either side of 50-55), numbered; 50-55 marked.
  const size_t from = html_.find("<pre class=\"console\">");
  ASSERT_NE(from, std::string::npos);
  const std::string pre = html_.substr(from, html_.find("</pre>", from) - from);
  EXPECT_NE(pre.find("<span class=\"ln\">    30 </span>"), std::string::npos);
  EXPECT_NE(pre.find("<span class=\"ln\">    75 </span>"), std::string::npos);
  EXPECT_EQ(pre.find("<span class=\"ln\">    29 </span>"), std::string::npos);
  EXPECT_EQ(pre.find("<span class=\"ln\">    76 </span>"), std::string::npos);
  EXPECT_NE(pre.find("<mark><span class=\"ln\">    50 </span>[   20.00] line "
                     "50 page allocation failure</mark>"),
            std::string::npos);
  EXPECT_EQ(std::count(pre.begin(), pre.end(), '\n'), 46);
  std::string::difference_type marks = 0;
  for (size_t at = pre.find("<mark>"); at != std::string::npos;
       at = pre.find("<mark>", at + 1))
    ++marks;
  EXPECT_EQ(marks, 6);
  EXPECT_NE(html_.find("— at 33.5 s guest time (console.log lines 50–55)"),
            std::string::npos);
}

TEST_F(ReportHtmlTest, MarkersLinkToFindingsAndBandsShowTheFault) {
  const std::string anchor = "global-stall.seed11.6_1_0-54-amd64.a1";
  EXPECT_NE(html_.find("<div class=\"finding\" id=\"" + anchor + "-f1\">"),
            std::string::npos);
  EXPECT_NE(html_.find("<div class=\"finding\" id=\"" + anchor + "-f2\">"),
            std::string::npos);
  // Every chart has both markers and the fault's band.
  int n = 0;
  for (size_t at = html_.find("<svg"); at != std::string::npos;
       at = html_.find("<svg", at + 1), ++n) {
    const std::string s = html_.substr(at, html_.find("</svg>", at) - at);
    EXPECT_NE(s.find("<a href=\"#" + anchor + "-f1\">"), std::string::npos);
    EXPECT_NE(s.find("<a href=\"#" + anchor + "-f2\">"), std::string::npos);
    EXPECT_NE(s.find("<title>fault server_stall: 12–30 s</title>"),
              std::string::npos);
  }
  EXPECT_EQ(n, 4);  // swap, memory.current, link, RPC retransmissions
}

TEST_F(ReportHtmlTest, RunFilesAreLinkedRelativeToThePage) {
  EXPECT_NE(html_.find("<a href=\"global-stall/console.log\">console.log</a>"),
            std::string::npos);
  EXPECT_NE(html_.find("dumps: <a href=\"global-stall/sysrq.txt\">"),
            std::string::npos);
  // Written elsewhere, the page falls back to absolute links.
  std::string elsewhere = ReportHtml(GroupCases(reports_), "/nonexistent");
  EXPECT_NE(
      elsewhere.find("href=\"file://" + dir_ + "/global-stall/console.log\""),
      std::string::npos);
}

// ---- rendered ------------------------------------------------------------

struct Rgba {
  int w = 0, h = 0;
  std::vector<uint8_t> px;
  // Pixels within `tol` of (r, g, b) in every channel.
  int Count(int r, int g, int b, int tol) const {
    int n = 0;
    for (size_t i = 0; i + 3 < px.size(); i += 4)
      n += std::abs(px[i] - r) <= tol && std::abs(px[i + 1] - g) <= tol &&
           std::abs(px[i + 2] - b) <= tol;
    return n;
  }
};

Rgba ReadPng(const std::string& path) {
  Rgba img;
  png_image p{};
  p.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&p, path.c_str())) return img;
  p.format = PNG_FORMAT_RGBA;
  img.px.resize(PNG_IMAGE_SIZE(p));
  if (!png_image_finish_read(&p, nullptr, img.px.data(), 0, nullptr)) {
    img.px.clear();
    return img;
  }
  img.w = p.width;
  img.h = p.height;
  return img;
}

// What the page looks like in a browser: headless Chromium's screenshot,
// scrolled to the first finding. The checks are what a reader would look
// for: the fault's shaded band, the finding markers, the lines of data,
// the highlighted console lines.
TEST_F(ReportHtmlTest, RenderedTheFaultFindingsAndDataAreVisible) {
  if (!RunCommand({"sh", "-c", "command -v chromium-headless-shell"})
           .value_or(CommandResult{})
           .exit_code == 0)
    GTEST_SKIP() << "chromium-headless-shell is not installed "
                    "(bench/setup.sh installs it)";
  const std::string page = dir_ + "/report.html", shot = dir_ + "/shot.png";
  ASSERT_TRUE(WriteFile(page, html_).ok());
  auto r = RunCommand({"timeout", "60", "chromium-headless-shell",
                       "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                       "--window-size=1250,1800", "--screenshot=" + shot,
                       "file://" + page});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->exit_code, 0) << r->output;
  Rgba img = ReadPng(shot);
  ASSERT_EQ(img.w, 1250) << "no screenshot: " << r->output;
  // The fault band: #e8a09a at 35 % over white.
  EXPECT_GT(img.Count(247, 222, 220, 3), 4 * 2000) << "fault band";
  // The finding markers' triangles and dotted lines, #609.
  // (the legend's four triangles alone are ~100 pixels)
  EXPECT_GT(img.Count(0x66, 0x00, 0x99, 40), 250) << "markers";
  // The swap-out and to-server lines, #c33.
  EXPECT_GT(img.Count(0xcc, 0x33, 0x33, 40), 200) << "data lines";
  // The finding's six console lines, #ffe27a.
  EXPECT_GT(img.Count(0xff, 0xe2, 0x7a, 3), 6 * 800) << "highlighted console";
}

}  // namespace
}  // namespace swapbench
