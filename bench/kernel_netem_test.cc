#include "bench/kernel_netem.h"

#include <gtest/gtest.h>

#include "bench/scenario.h"

namespace swapbench {
namespace {

TEST(KernelNetemTest, ArgumentsPerDirection) {
  auto s = ParseScenario(R"(
name = "k"
[link]
engine = "kernel-netem"
[[link.impairment]]
kind = "loss"
p = 0.05
[[link.impairment]]
kind = "delay"
direction = "to_server"
delay = "20ms"
jitter = "5ms"
distribution = "normal"
[[link.impairment]]
kind = "rate"
direction = "to_guest"
rate_kbit = 2000
)",
                         "k.toml");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(NetemArgs(s->link.config.impairments, "to_server"),
            "limit 10000 delay 20ms 5ms distribution normal loss random 5%");
  EXPECT_EQ(NetemArgs(s->link.config.impairments, "to_guest"),
            "limit 10000 loss random 5% rate 2000kbit");
}

TEST(KernelNetemTest, RefusesWhatNetemCannotDo) {
  for (const char* extra :
       {"[[link.impairment]]\nkind = \"reorder\"\np = 0.1\n",
        "[[link.impairment]]\nkind = \"loss\"\np = 0.1\nport = 2049\n",
        "[[link.impairment]]\nkind = \"loss\"\np = 0.1\n[[link.impairment]]\n"
        "kind = \"loss\"\nname = \"again\"\np = 0.2\n",
        "[[link.impairment]]\nkind = \"loss\"\nname = \"x\"\np = 0.1\n"
        "enabled = false\n"}) {
    std::string text =
        std::string("name = \"k\"\n[link]\nengine = \"kernel-netem\"\n") +
        extra;
    auto s = ParseScenario(text, "k.toml");
    ASSERT_FALSE(s.ok()) << extra;
    EXPECT_NE(
        s.status().message().find("k.toml:3: link.engine \"kernel-netem\""),
        std::string::npos)
        << s.status().message();
  }
}

}  // namespace
}  // namespace swapbench
