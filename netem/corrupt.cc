// corrupt: with probability p flip `bits` random bits of the frame — in the
// TCP/UDP/ICMP payload when there is one (so a swap page, not a header, is
// hit), else anywhere after the Ethernet header. fix_checksums = false
// leaves the checksums wrong, as a bad cable would (the guest's stack drops
// the frame and counts a checksum error); true recomputes them, modelling
// corruption past the NIC's checks (silent: the page verifier must catch it).
#include "netem/impairment.h"

namespace swapbench {

namespace {

class Corrupt : public Impairment {
 public:
  explicit Corrupt(const ImpairmentConfig& c)
      : p_(c.p), bits_(c.bits), fix_(c.fix_checksums) {}
  unsigned Apply(Packet& pk, Rng& rng) override {
    if (!rng.Bernoulli(p_)) return 0;
    size_t from = pk.info.payload_offset ? pk.info.payload_offset : 14;
    if (pk.len <= from) return 0;
    size_t span = pk.len - from;
    for (int i = 0; i < bits_; ++i) {
      uint64_t bit = rng.Next() % (span * 8);
      pk.data[from + bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    }
    if (fix_) FixChecksums(pk.data, pk.len);
    return kActCorrupt;
  }

 private:
  double p_;
  int bits_;
  bool fix_;
};

}  // namespace

std::unique_ptr<Impairment> MakeCorrupt(const ImpairmentConfig& c) {
  return std::make_unique<Corrupt>(c);
}

}  // namespace swapbench
