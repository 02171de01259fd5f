#include "bench/link_preview.h"

#include <gtest/gtest.h>

namespace swapbench {
namespace {

const char* kScenario = R"(
name = "preview"
seed = 7
[link]
[[link.impairment]]
name = "burst"
kind = "loss"
model = "gemodel"
p = 0.05
r = 0.3
[[link.impairment]]
kind = "delay"
delay = "2ms"
jitter = "1ms"
[[phase]]
name = "cut"
at = "30ms"
for = "5ms"
down = true
[[flood]]
kind = "udp"
pps = 500
)";

TEST(LinkPreviewTest, SameSeedIdenticalOtherSeedDifferent) {
  auto s = ParseScenario(kScenario, "p.toml");
  ASSERT_TRUE(s.ok()) << s.status().message();
  std::string a = LinkPreview(*s, 7, 200, 1000);
  EXPECT_EQ(a, LinkPreview(*s, 7, 200, 1000));
  EXPECT_NE(a, LinkPreview(*s, 8, 200, 1000));
  // 200 frames per direction, the floods among those towards the guest.
  size_t to_guest = 0, to_server = 0, pos = 0;
  while ((pos = a.find("\tto_guest\t", pos)) != std::string::npos)
    ++to_guest, ++pos;
  pos = 0;
  while ((pos = a.find("\tto_server\t", pos)) != std::string::npos)
    ++to_server, ++pos;
  EXPECT_EQ(to_guest, 200u);
  EXPECT_EQ(to_server, 200u);
  EXPECT_NE(a.find("udp 10.213.0.1:"), std::string::npos);
  EXPECT_NE(a.find("\tdrop\tphase:cut\n"), std::string::npos);
  EXPECT_NE(a.find("\tdrop\tburst\n"), std::string::npos);
  EXPECT_NE(a.find("delay "), std::string::npos);
}

}  // namespace
}  // namespace swapbench
