// pcap files through libpcap: the relay's captures (one file per side of
// the relay, readable by tcpdump, tshark and Wireshark) and the frames a
// pcap flood replays.
#ifndef SWAPBENCH_NETEM_PCAP_H_
#define SWAPBENCH_NETEM_PCAP_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

typedef struct pcap pcap_t;
typedef struct pcap_dumper pcap_dumper_t;

namespace swapbench {

class PcapWriter {
 public:
  PcapWriter() = default;
  ~PcapWriter() { Close(); }
  PcapWriter(const PcapWriter&) = delete;
  PcapWriter& operator=(const PcapWriter&) = delete;

  // Ethernet link type, frames cut at snaplen bytes. False + error on failure.
  bool Open(const std::string& path, int snaplen, std::string* error);
  // ts_ns: wall-clock nanoseconds since the Unix epoch.
  void Write(int64_t ts_ns, const uint8_t* data, size_t len);
  void Close();
  bool is_open() const { return dumper_ != nullptr; }

 private:
  pcap_t* pcap_ = nullptr;
  pcap_dumper_t* dumper_ = nullptr;
  int snaplen_ = 0;
};

struct PcapFrame {
  int64_t ts_ns;  // as captured
  std::vector<uint8_t> data;
};

// Reads an Ethernet capture. False + error when the file is missing, not a
// pcap, or not Ethernet.
bool ReadPcap(const std::string& path, std::vector<PcapFrame>* out,
              std::string* error);

}  // namespace swapbench

#endif  // SWAPBENCH_NETEM_PCAP_H_
