// libFuzzer target: any bytes as a pcap file for flood replay (libpcap reads
// it; the link's frame parser reads every frame). Seeds: scenarios/data.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "netem/frame.h"
#include "netem/pcap.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path =
      "/tmp/swapbench-pcap-fuzz-" + std::to_string(getpid()) + ".pcap";
  FILE* f = fopen(path.c_str(), "wb");
  if (!f) return 0;
  fwrite(data, 1, size, f);
  fclose(f);
  std::vector<swapbench::PcapFrame> frames;
  std::string why;
  if (swapbench::ReadPcap(path, &frames, &why))
    for (const auto& fr : frames)
      (void)swapbench::ParseFrame(fr.data.data(), fr.data.size());
  return 0;
}
