#include "netem/impairment.h"

namespace swapbench {

bool Filter::Matches(const FrameInfo& i) const {
  bool m = true;
  if (protocol == "ip")
    m = i.proto == Proto::kTcp || i.proto == Proto::kUdp ||
        i.proto == Proto::kIcmp || i.proto == Proto::kIpOther;
  else if (protocol != "any")
    m = protocol == ProtoName(i.proto);
  if (m && port != 0) m = i.sport == port || i.dport == port;
  return m != invert;
}

std::string Filter::Describe() const {
  if (empty()) return "all frames";
  std::string s = protocol;
  if (port) s += " port " + std::to_string(port);
  return invert ? "not " + s : s;
}

namespace {
// partition: drops every frame while enabled (phases switch it; a phase
// with down = true is the same thing without declaring one).
class Partition : public Impairment {
 public:
  unsigned Apply(Packet& pk, Rng&) override {
    pk.drop = true;
    return kActDrop;
  }
};
}  // namespace

std::unique_ptr<Impairment> MakePartition(const ImpairmentConfig&) {
  return std::make_unique<Partition>();
}

std::unique_ptr<Impairment> MakeImpairment(const ImpairmentConfig& c) {
  if (c.kind == "loss") return MakeLoss(c);
  if (c.kind == "delay") return MakeDelay(c);
  if (c.kind == "reorder") return MakeReorder(c);
  if (c.kind == "duplicate") return MakeDuplicate(c);
  if (c.kind == "corrupt") return MakeCorrupt(c);
  if (c.kind == "rate") return MakeRate(c);
  if (c.kind == "partition") return MakePartition(c);
  return nullptr;
}

}  // namespace swapbench
