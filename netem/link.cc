#include "netem/link.h"

namespace swapbench {

const char* DirectionName(Direction d) {
  return d == Direction::kToGuest ? "to_guest" : "to_server";
}

namespace {
void Build(const DirectionConfig& c,
           std::vector<std::unique_ptr<Impairment>>& out) {
  if (c.loss > 0) out.push_back(std::make_unique<BernoulliLoss>(c.loss));
}
}  // namespace

Link::Link(const LinkConfig& config)
    : dirs_{Chain(Rng::ForStream(config.seed, "link.to_guest")),
            Chain(Rng::ForStream(config.seed, "link.to_server"))} {
  Build(config.to_guest, dirs_[0].impairments);
  Build(config.to_server, dirs_[1].impairments);
}

bool Link::Decide(Direction dir, const uint8_t* frame, size_t len) {
  Chain& c = dirs_[static_cast<int>(dir)];
  ++c.counters.frames;
  for (auto& imp : c.impairments) {
    if (imp->Drop(frame, len, c.rng)) {
      ++c.counters.dropped;
      return false;
    }
  }
  c.counters.bytes += len;
  return true;
}

}  // namespace swapbench
