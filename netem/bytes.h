// Big-endian (network order) reads and writes of frame fields.
//
// Pure inline functions; thread-safe.
#ifndef SWAPBENCH_NETEM_BYTES_H_
#define SWAPBENCH_NETEM_BYTES_H_

#include <cstdint>

namespace swapbench {

inline uint16_t Be16(const uint8_t* p) {
  return static_cast<uint16_t>(p[0] << 8 | p[1]);
}
inline uint32_t Be32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 |
         p[3];
}
inline void Put16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
inline void Put32(uint8_t* p, uint32_t v) {
  Put16(p, static_cast<uint16_t>(v >> 16));
  Put16(p + 2, static_cast<uint16_t>(v));
}

}  // namespace swapbench

#endif  // SWAPBENCH_NETEM_BYTES_H_
